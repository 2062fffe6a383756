"""Title -> Google Product Taxonomy category, for the CraigslistBargain seed listings.

Rules are ordered; the first whose pattern matches the title (case-insensitive) and whose source is the
listing's Craigslist section wins. A section's fallback is used when no rule matches.

Within a section, accessory and part rules come before the whole-item rules that would otherwise swallow
them ("iPhone 6 case" is a case, "bike rack for car" is a rack), and whole items with a stated size come last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[str]
    pattern: re.Pattern[str]
    path: str


def rule(sources: str, pattern: str, path: str) -> Rule:
    return Rule(frozenset(sources.split()), re.compile(pattern, re.IGNORECASE), path)


def _all(*patterns: str) -> str:
    """A pattern for titles that contain every one of `patterns`, in any order."""
    return "^" + "".join(f"(?=.*(?:{p}))" for p in patterns)


def _without(pattern: str, *excluded: str) -> str:
    """A pattern for titles that contain `pattern` but none of `excluded`."""
    return "^" + "".join(f"(?!.*(?:{x}))" for x in excluded) + f"(?=.*(?:{pattern}))"


# Taxonomy prefixes used below.
TEL = "Electronics > Communications > Telephony"
PHONES = f"{TEL} > Mobile Phones"
PHONE_ACC = f"{TEL} > Mobile Phone Accessories"
EACC = "Electronics > Electronics Accessories"
COMP = f"{EACC} > Computer Components"
INPUT = f"{COMP} > Input Devices"
STORAGE = f"{COMP} > Storage Devices"
POWER = f"{EACC} > Power"
CABLES = f"{EACC} > Cables"
AUDIO = "Electronics > Audio > Audio Components"
AUDIO_ACC = "Electronics > Audio > Audio Accessories"
PLAYERS = "Electronics > Audio > Audio Players & Recorders"
VIDEO = "Electronics > Video"
VIDEO_PLAYERS = f"{VIDEO} > Video Players & Recorders"
NET = "Electronics > Networking"
PRINT = "Electronics > Print, Copy, Scan & Fax"
CAMERAS = "Cameras & Optics > Cameras"
CAM_ACC = "Cameras & Optics > Camera & Optic Accessories"
CAM_PARTS = f"{CAM_ACC} > Camera Parts & Accessories"
APPLIANCES = "Home & Garden > Household Appliances"
KITCHEN = "Home & Garden > Kitchen & Dining > Kitchen Appliances"
SECURITY = "Home & Garden > Business & Home Security"
DECOR = "Home & Garden > Decor"
LIGHTING = "Home & Garden > Lighting"
ELECTRICAL = "Hardware > Power & Electrical Supplies"
MUSIC = "Arts & Entertainment > Hobbies & Creative Arts > Musical Instruments"
MUSIC_ACC = "Arts & Entertainment > Hobbies & Creative Arts > Musical Instrument & Orchestra Accessories"
RC_TOYS = "Toys & Games > Toys > Remote Control Toys"
CHAIRS = "Furniture > Chairs"
TABLES = "Furniture > Tables"
STORAGE_FURN = "Furniture > Cabinets & Storage"
BEDS = "Furniture > Beds & Accessories"
OFFICE = "Furniture > Office Furniture"
OUTDOOR = "Furniture > Outdoor Furniture"
CYCLING = "Sporting Goods > Outdoor Recreation > Cycling"
BIKE_ACC = f"{CYCLING} > Bicycle Accessories"
BIKE_PARTS = f"{CYCLING} > Bicycle Parts"
DRIVETRAIN = f"{BIKE_PARTS} > Bicycle Drivetrain Parts"
VEHICLES = "Vehicles & Parts > Vehicles"
MOTOR_VEHICLES = f"{VEHICLES} > Motor Vehicles"
VEH_ACC = "Vehicles & Parts > Vehicle Parts & Accessories"
CAR_AUDIO = f"{VEH_ACC} > Motor Vehicle Electronics"
CAR_PARTS = f"{VEH_ACC} > Motor Vehicle Parts"
CAR_WHEELS = f"{CAR_PARTS} > Motor Vehicle Wheel Systems"
TRAILERS = f"{VEH_ACC} > Vehicle Storage & Cargo > Motor Vehicle Trailers"

# Title fragments shared by several rules.
# Phones: a handset listing states its storage or comes "with case/charger"; carrier words decide the lock.
STORAGE_SIZE = r"\b(8|16|32|64|128|256) ?(gb?|gig|go|giga)\b"
WITH_EXTRAS = (
    STORAGE_SIZE + r"|(\bw/|\bwith\b|\+|\bincludes?\b)\s*(\S+\s+){0,3}?(cases?|chargers?|new batter|cords?|"
    r"accessories|extras|ear ?buds|box\b)|free case"
)
IPHONE = r"\bi ?-?phone"
PHONE_WORDS = (
    IPHONE + r"|galaxy (s\d|note|j\d|on\d|prime|core|edge|grand)|\bsamsung (s[2-8]\b|note|j\d)|smart ?phone|"
    r"cell ?phones?"
    r"|\bmoto ?[gexz]\b|\bdroid\b|blackberry|\bnexus [456]|\bhtc\b|\blg (g\d|v\d0|k\d|optimus|stylo)|nokia|"
    r"lumia"
    r"|kyocera|pantech|\bzte\b|huawei|one ?plus|sony ericsson|xperia|flip ?phone|\bvertu\b|zenfone|\bblu r\d"
    r"|\blg g (flex|stylo)|\bpixel\b|galaxy \d|galaxy pocket|mi mix|sidekick|\brazr\b"
)
UNLOCKED = r"\bu?nlock(ed)?\b|unloocked|world ?phone|\bgsm\b|dual sim|jail-?broken"
# A phone is pre-paid only when the title says so; any named carrier (pre-paid brands included) or "locked"
# makes it a contract (carrier-locked) phone.
PREPAID = r"pre-?paid|pay as you go|go ?phone|no[- ]contract"
CONTRACT = (
    r"verizon|sprint|\bat ?& ?t\b|\batt\b|t-? ?mobile|\btmo\b|us ?cellular|metro ?pcs|metpcs|\bmetro\b|"
    r"cricket|"
    r"boost|virgin|straight ?talk|tracfone|total wireless|\bh2o\b|\bting\b|carrier|"
    r"(?<!ic )(?<!icloud )\blocked\b(?! ?icloud)"
)
# Electronics: car audio makers, phone accessory words, a screen size ("55\"", "42 inch").
CAR_AUDIO_BRANDS = (
    r"jl ?audio|\bjl \d|kicker|rockford|fosgate|\bmtx\b|alpine|phoenix gold|precision power|soundstream"
    r"|hifonics|renegade|blaupunkt|dual xpa|\bpunch\b"
)
PHONE_CASES = (
    r"\bcases?\b|\bcover\b|otter ?box|lifeproof|holster|armband|\bspeck\b|waterproof .*protector|power case"
)
PHONE_CHARGERS = (
    r"chargers?\b|charging (pads?|dock)|power ?bank|powerstation|power adapter|solarjuice|juice pack"
)
SIZE = r"\b\d\d(\.\d)? ?(\"|''|”|-?inch(es)?\b|in\b)"
# Bikes and cars: makers and model names that identify a whole bicycle or car; a model year.
BIKE_BRANDS = (
    r"trek|speciali[sz]ed|specilized|specialize|giant|cannondale|schwinn|santa cruz|bianchi|raleigh|"
    r"diamond ?back|"
    r"fuji|\bgt\b|peugeot|niner|\bibis\b|yeti|pivot|surly|salsa|marin|kona|electra|huffy|mongoose|nishiki|"
    r"miyata|"
    r"univega|colnago|cervelo|\bfelt\b|scott|intense|turner|norco|orbea|pinarello|masi|lemond|jamis|"
    r"motobecane|"
    r"bridgestone|cinelli|soma|rivendell|haro|redline|gary fisher|s-works|stumpjumper|allez|tarmac|"
    r"rockhopper|"
    r"hard ?rock|hot ?rock|stingray|sting ray|xtracycle|commencal|wilier|kestrel|serotta|mercier|nirve|"
    r"proflex|"
    r"\bbmx\b|b\.m\.x"
)
YEAR = r"(?<![-/])\b(19[0-9]\d|20[012]\d)\b(?![-/]\d)"
CAR_MAKES = (
    r"toyota|honda|\bford\b|\bbmw\b|nissan|chevy|chevrolet|mercedes|benz|dodge|lexus|\bgmc\b|acura|audi|"
    r"mazda|volvo|"
    r"jeep|\bvw\b|volkswagen|subaru|mitsubishi|chrysler|hyundai|cadillac|saturn|buick|infiniti|\bkia\b|"
    r"porsche|"
    r"pontiac|lincoln|jaguar|scion|\bmini\b|land rover|\bram\b|\bfiat\b|\bsaab\b|oldsmobile|mercury|datsun|"
    r"plymouth|tesla|isuzu|suzuki|alfa romeo|maserati|bentley|lamborghini|ferrari|hummer|\bgeo\b|mustang|"
    r"camaro|"
    r"corvette|civic|accord|corolla|camry|prius|tacoma|tundra|f-?150|silverado|wrangler|explorer|4runner"
)


def _handsets(sources: str, pattern: str) -> list[Rule]:
    """Rules for handset listings matching `pattern`: unlocked, pre-paid or contract by the carrier named."""
    return [
        rule(sources, _all(pattern, UNLOCKED), f"{PHONES} > Unlocked Mobile Phones"),
        rule(sources, _all(pattern, PREPAID), f"{PHONES} > Pre-paid Mobile Phones"),
        rule(sources, _all(pattern, CONTRACT), f"{PHONES} > Contract Mobile Phones"),
        rule(sources, pattern, f"{PHONES} > Unlocked Mobile Phones"),
    ]


RULES: list[Rule] = [
    # --- Phones & electronics: things that are not electronics at all ----------------------------------
    rule("phone", r"hound dog", "Animals & Pet Supplies > Live Animals"),
    rule("electronics", r"\bjacket\b", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets"),
    rule(
        "electronics",
        r"wetsuit",
        "Sporting Goods > Outdoor Recreation > Boating & Water Sports > "
        "Boating & Water Sport Apparel > Wetsuits",
    ),
    rule("phone", r"snapbacks|flyknit", "Apparel & Accessories > Clothing Accessories > Hats"),
    rule(
        "electronics",
        r"gift card",
        "Arts & Entertainment > Party & Celebration > Gift Giving > Gift Cards & Certificates",
    ),
    rule("electronics", r"motorhome", f"{MOTOR_VEHICLES} > Recreational Vehicles"),
    rule("electronics", r"bar stools?|\bstools?\b", f"{CHAIRS} > Table & Bar Stools"),
    rule(
        "electronics",
        r"stair ?(chair)?lift|chairlift",
        "Health & Beauty > Health Care > Mobility & Accessibility > Accessibility Equipment > Stair Lifts",
    ),
    rule(
        "electronics",
        r"ho+verboard|balanc(e|ing) board(?!.*\bwii\b)",
        "Sporting Goods > Outdoor Recreation > Riding Scooters",
    ),
    rule(
        "electronics",
        r"indoor cycle|exercise bike",
        "Sporting Goods > Exercise & Fitness > Cardio > Cardio Machines > Exercise Bikes",
    ),
    rule(
        "electronics",
        r"vaporizer|\bpax\b",
        "Food, Beverages & Tobacco > Tobacco Products > Vaporizers & Electronic Cigarettes > Vaporizers",
    ),
    rule(
        "electronics",
        r"box mod|vaping|e-cig|subvod",
        "Food, Beverages & Tobacco > Tobacco Products > "
        "Vaporizers & Electronic Cigarettes > Electronic Cigarettes",
    ),
    rule("electronics", r"fidget|spinners", "Toys & Games > Toys"),
    rule("electronics", r"\bbb-8\b", f"{RC_TOYS} > Remote Control Robots"),
    rule("electronics", r"digivice|electronic baseball", "Toys & Games > Games"),
    rule("electronics", r"arcade|pachislo", "Electronics > Arcade Equipment > Video Game Arcade Cabinets"),
    rule(
        "electronics", r"breathalyzer", "Health & Beauty > Health Care > Biometric Monitors > Breathalyzers"
    ),
    rule(
        "electronics",
        r"smart scale",
        "Health & Beauty > Health Care > Biometric Monitors > Body Weight Scales",
    ),
    rule("electronics", r"\bcpap\b", "Health & Beauty > Health Care > Respiratory Care"),
    rule(
        "electronics",
        r"massage|back2life",
        "Health & Beauty > Personal Care > Massage & Relaxation > Massagers > Electric Massagers",
    ),
    rule("electronics", r"toothbrush|sonicare", "Health & Beauty > Personal Care > Oral Care > Toothbrushes"),
    rule("electronics", r"mood (relief|light)", "Health & Beauty > Health Care > Light Therapy Lamps"),
    # Household appliances.
    rule("electronics", r"vacuum", f"{APPLIANCES} > Vacuums"),
    rule("electronics", r"carpet extractor", f"{APPLIANCES} > Floor & Steam Cleaners > Carpet Shampooers"),
    rule("electronics", r"\bdryer\b", f"{APPLIANCES} > Laundry Appliances > Dryers"),
    rule(
        "electronics", r"washing machine|\bwasher\b", f"{APPLIANCES} > Laundry Appliances > Washing Machines"
    ),
    rule("electronics", r"steamer", f"{APPLIANCES} > Laundry Appliances > Garment Steamers"),
    rule("electronics", r"\bheater", f"{APPLIANCES} > Climate Control Appliances > Space Heaters"),
    rule(
        "electronics", r"\bfan\b", f"{APPLIANCES} > Climate Control Appliances > Fans > Desk & Pedestal Fans"
    ),
    rule("electronics", r"refrigerator|fridge", f"{KITCHEN} > Refrigerators"),
    rule("electronics", r"microwave", f"{KITCHEN} > Microwave Ovens"),
    rule("electronics", r"espresso", f"{KITCHEN} > Coffee Makers & Espresso Machines"),
    rule(
        "electronics",
        r"coffee maker|mr\.? coffee",
        f"{KITCHEN} > Coffee Makers & Espresso Machines > Drip Coffee Makers",
    ),
    rule("electronics", r"coffee mug", "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs"),
    # Home, office and workshop electrics.
    rule("electronics", r"alarm clock|clock radio", f"{DECOR} > Clocks > Alarm Clocks"),
    rule("electronics", r"clock", f"{DECOR} > Clocks > Desk & Shelf Clocks"),
    rule("electronics", r"picture frame", f"{DECOR} > Picture Frames"),
    rule("electronics", r"(?<!with )\bbulbs\b|bayonet|lights/lamps", f"{LIGHTING} > Light Bulbs"),
    rule("electronics", r"led tube", f"{LIGHTING} > Light Bulbs > LED Light Bulbs"),
    rule("electronics", r"light bar|strobe", f"{CAR_PARTS} > Motor Vehicle Lighting"),
    rule("electronics", _without(r"\blamps?\b|torchier", r"^tv\b"), f"{LIGHTING} > Lamps"),
    rule(
        "electronics",
        r"fluorescent|bench lights|led.module",
        f"{LIGHTING} > Lighting Fixtures > Ceiling Light Fixtures",
    ),
    rule("electronics", r"kind led|grow light", "Home & Garden > Lawn & Garden > Gardening"),
    rule("electronics", r"umbrella light|tent light", f"{LIGHTING}"),
    rule(
        "electronics",
        r"calculators?|calc plus|ti-8\d|\bhp 10s\b|texas instrument",
        "Office Supplies > Office Equipment > Calculators",
    ),
    rule("electronics", r"typewriter", "Office Supplies > Office Equipment > Typewriters"),
    rule("electronics", r"label maker", "Office Supplies > Office Equipment > Label Makers"),
    rule(
        "electronics",
        r"dictionary|ex-word",
        "Office Supplies > Office Equipment > Electronic Dictionaries & Translators",
    ),
    rule(
        "electronics",
        r"laser presenter|laser pointer",
        "Office Supplies > Presentation Supplies > Laser Pointers",
    ),
    rule(
        "electronics",
        r"\bpos\b|cash register",
        "Business & Industrial > Retail > Money Handling > Cash Registers & POS Terminals > POS Terminals",
    ),
    rule("electronics", r"barcode", f"{INPUT} > Barcode Scanners"),
    rule("electronics", r"metal detector", "Business & Industrial > Law Enforcement > Metal Detectors"),
    rule(
        "electronics",
        r"oscilloscope|\bscope\b|multimeter|logic probe",
        "Hardware > Tools > Measuring Tools & Sensors > Electrical Testing Tools",
    ),
    rule(
        "electronics", r"motion sensor pasco|pasco scientific", "Business & Industrial > Science & Laboratory"
    ),
    rule("electronics", r"telescope", "Cameras & Optics > Optics > Scopes > Telescopes"),
    rule("electronics", r"binocular|binox", "Cameras & Optics > Optics > Binoculars"),
    rule(
        "electronics",
        r"compass",
        "Sporting Goods > Outdoor Recreation > Camping & Hiking > Navigational Compasses",
    ),
    rule(
        "electronics",
        r"fog machine",
        "Arts & Entertainment > Party & Celebration > Special Effects > Fog Machines",
    ),
    rule("electronics", r"polisher", "Hardware > Tools > Polishers & Buffers"),
    rule("electronics", r"\bmotor\b", f"{ELECTRICAL} > Electrical Motors"),
    rule("electronics", r"circuit breaker", f"{ELECTRICAL} > Circuit Breaker Panels"),
    rule(
        "electronics",
        r"\bfuses\b|contactor|phase .*meter|electrical cabinet|timer|electric & electronic connections",
        ELECTRICAL,
    ),
    rule("electronics", r"light switch", f"{ELECTRICAL} > Electrical Switches"),
    rule("electronics", r"solar panels?", f"{ELECTRICAL} > Solar Panels"),
    rule("electronics", r"inverter", f"{ELECTRICAL} > Power Inverters"),
    rule(
        "electronics",
        r"smart ?things|home control|smart home hub|modlet|insteon",
        f"{ELECTRICAL} > Home Automation Kits",
    ),
    rule(
        "electronics",
        r"thermostat",
        "Hardware > Heating, Ventilation & Air Conditioning > HVAC Controls > Thermostats",
    ),
    rule("electronics", r"smart lock", "Hardware > Locks & Keys > Locks & Latches"),
    rule(
        "electronics",
        r"nest protect|smoke detector(?!.*camera)",
        "Home & Garden > Flood, Fire & Gas Safety > Smoke & Carbon Monoxide Detectors > Smoke Detectors",
    ),
    rule(
        "electronics",
        r"doorbell|door chime",
        "Hardware > Building Materials > Door Hardware > Door Bells & Chimes",
    ),
    rule(
        "electronics", r"pool and spa|actuator valve", "Home & Garden > Pool & Spa > Pool & Spa Accessories"
    ),
    # Home security.
    rule(
        "electronics",
        r"\bdvr\b.*camera|camera.*\bdvr\b|camera .*security system|surveillance|survalence|arlo security",
        f"{SECURITY} > Security Monitors & Recorders",
    ),
    rule(
        "electronics",
        _without(
            r"alarm(?! clock)|detector|annunciator|security system",
            r"viper|clifford|\bcar\b|radar|metal|paging",
        ),
        f"{SECURITY} > Home Alarm Systems",
    ),
    rule(
        "electronics",
        r"security camera|cctv|dropcam|\barlo\b|cloud camera|pet video camera|wireless n camera",
        f"{CAMERAS} > Surveillance Cameras",
    ),
    rule("electronics", r"baby monitor", "Baby & Toddler > Baby Safety > Baby Monitors"),
    # --- Phones & electronics: mobile phone accessories -------------------------------------------------
    # In the electronics section an accessory word only makes a phone accessory when a phone is named.
    # Repair services, then phones for parts and replacement screens.
    rule(
        "phone",
        r"unlock (and|phone|unblock)|unblock|flash(ing)? (your|phones)|flash2unlock|activate .*phones|"
        r"consultation|phone fix|repairs?|lcd repair",
        TEL,
    ),
    rule(
        "phone",
        r"screen replacement|screens done|\blcd\b|digitizer|\bfor parts\b|parts only|parts/repair",
        f"{PHONE_ACC} > Mobile Phone Replacement Parts",
    ),
    rule(
        "electronics",
        r"screen replacement|iphone.*for parts",
        f"{PHONE_ACC} > Mobile Phone Replacement Parts",
    ),
    rule("phone", r"empty .*box|original box|box and .*only|\bboxes\b", PHONE_ACC),
    # A handset with its storage size stated or sold "with case/charger/extras" is a handset, not extras.
    *_handsets("phone electronics", _all(PHONE_WORDS, WITH_EXTRAS)),
    rule(
        "phone electronics",
        r"screen protect|tempered glass|glass protector",
        f"{EACC} > Electronics Films & Shields > Screen Protectors",
    ),
    rule("phone", r"speakers?|bedside audio", f"{AUDIO} > Speakers"),
    rule("electronics", r"bedside audio", f"{AUDIO} > Speakers"),
    rule("electronics", r"headphone amp", f"{AUDIO} > Audio Amplifiers > Headphone Amplifiers"),
    rule(
        "phone electronics",
        r"head ?phones?|ear ?phones?|ear ?(buds?|pods)|air ?pods|in-ear|over-ear|"
        r"quiet ?comfort|beats (solo|studio|pro|mixr)|bests solo|powerbeats|urbeats|soundsport|soundtrue|"
        r"iconx|"
        r"jaybird|sol republic|skullcandy|v-moda|mh40",
        f"{AUDIO} > Headphones & Headsets > Headphones",
    ),
    rule(
        "phone electronics",
        r"\bskins?\b|full body wrap",
        f"{EACC} > Electronics Films & Shields > Electronics Stickers & Decals",
    ),
    rule(
        "phone electronics",
        _without(r"watch (replacement )?bands?|watch box|winder|iwatch steel band", "fenix"),
        "Apparel & Accessories > Jewelry > Watch Accessories",
    ),
    rule(
        "phone electronics",
        r"keyboard (cover|dock)|ipad keyboard|ipad.*case with keyboard",
        f"{INPUT} > Keyboards",
    ),
    rule("phone", r"keyboard", f"{INPUT} > Keyboards"),
    rule("phone", PHONE_CASES, f"{PHONE_ACC} > Mobile Phone Cases"),
    rule("electronics", _all(PHONE_CASES, PHONE_WORDS), f"{PHONE_ACC} > Mobile Phone Cases"),
    rule(
        "phone electronics", r"zoom with tripod|phone lens", f"{PHONE_ACC} > Mobile Phone Camera Accessories"
    ),
    rule(
        "phone electronics",
        r"selfie stick|tripod stand for",
        f"{EACC} > Mobile Phone & Tablet Tripods & Monopods",
    ),
    rule(
        "phone electronics",
        r"phone (holder|mount|stand)|phone photo/video stand|adjustable holder|dex station|"
        r"elevation dock",
        f"{PHONE_ACC} > Mobile Phone Stands",
    ),
    rule("phone", r"\bdock\b(?! connector)", f"{PHONE_ACC} > Mobile Phone Stands"),
    rule(
        "phone electronics",
        _without(r"\bsim\b", r"dual sim|no sim"),
        f"{PHONE_ACC} > Mobile Phone Pre-Paid Cards & SIM Cards > SIM Cards",
    ),
    rule(
        "phone",
        r"family plan|prepay service|bring your phone plan",
        f"{PHONE_ACC} > Mobile Phone Pre-Paid Cards & SIM Cards > Mobile Phone Pre-Paid Cards",
    ),
    rule(
        "phone electronics",
        r"micro ?sd|sd ?cards?(?! slot)|sdhc|sdxc|memory card|compact flash",
        f"{EACC} > Memory > Flash Memory > Flash Memory Cards",
    ),
    rule(
        "phone electronics", _without(r"card reader|cc reader", r"usb"), f"{INPUT} > Electronic Card Readers"
    ),
    rule(
        "phone electronics", r"item (finder|tracker)|tile mate|trackr", "Electronics > GPS Tracking Devices"
    ),
    rule("phone", PHONE_CHARGERS, f"{POWER} > Power Adapters & Chargers"),
    rule(
        "electronics",
        _all(PHONE_CHARGERS, PHONE_WORDS + r"|phones|bluetooth car"),
        f"{POWER} > Power Adapters & Chargers",
    ),
    rule("phone", r"batter(y|ies)", f"{POWER} > Batteries > Mobile Phone Batteries"),
    rule(
        "electronics",
        _all(r"batter(y|ies)", r"kyocera|samsung galaxy|iphone"),
        f"{POWER} > Batteries > Mobile Phone Batteries",
    ),
    rule("phone", r"\bcables?\b|\bcord\b|lightning", f"{CABLES} > Storage & Data Transfer Cables"),
    rule("electronics", r"micro usb cables|lightning cable", f"{CABLES} > Storage & Data Transfer Cables"),
    rule("phone", r"\bhm\d{4}\b|\bbluetooth$", f"{AUDIO} > Headphones & Headsets > Headsets"),
    rule(
        "phone electronics",
        r"head ?sets?(?!.*(virtual|vr\b))|hearset|handfree|hands-free|plantronics|platronics|"
        r"planotronics|jabra|voyager|tone (pro|active)|handset",
        f"{AUDIO} > Headphones & Headsets > Headsets",
    ),
    rule("electronics", r"oculus|htc vive", "Electronics > Video Game Console Accessories"),
    rule(
        "phone electronics",
        _without(r"\bvr\b|virtual reality", r"cell phone|unlocked|galaxy s\d|kicker"),
        PHONE_ACC,
    ),
    rule("phone", r"^cell phone accessories", PHONE_ACC),
    # Phone services, landlines and other telephony.
    rule("phone", r"number for sale|vanity number", TEL),
    rule("phone electronics", r"cordless|\d phones$|uniden", f"{TEL} > Cordless Phones"),
    rule(
        "phone electronics",
        r"hearing impaired|amplified corded|corded (tele)?phone|wall corded|landline|"
        r"telephones?\b(?! (wall )?cord)|\bip phone|voip internet phones",
        f"{TEL} > Corded Phones",
    ),
    rule(
        "phone electronics",
        r"ooma|voip adapters?|voice gateway",
        f"{NET} > Bridges & Routers > VoIP Gateways & Routers",
    ),
    rule("phone electronics", r"conference phone|soundstation|speakerphone", f"{TEL} > Conference Phones"),
    rule("phone electronics", r"\bphone system|station card", TEL),
    rule("phone electronics", r"answering machine", "Electronics > Communications > Answering Machines"),
    rule("phone electronics", r"pagers?\b|paging", "Electronics > Communications > Pagers"),
    rule(
        "phone electronics",
        r"walkie|(two|2)-way radio|\bs-line\b",
        "Electronics > Communications > Communication Radios > Two-Way Radios",
    ),
    rule("phone electronics", r"network extender", f"{EACC} > Signal Boosters"),
    rule(
        "phone electronics",
        r"airport (express|extreme)|access point|uap.ac",
        f"{NET} > Bridges & Routers > Wireless Access Points",
    ),
    rule("phone", r"itrip", f"{AUDIO} > Audio Transmitters > FM Transmitters"),
    # --- Phones & electronics: wearables, tablets, computers ---------------------------------------------
    rule(
        "phone electronics",
        r"fitbit|fit ?bit|gear fit|jawbone|misfit (wearables|flash)|vivo(fit|active)|fenix|"
        r"activity tracker|heart rate watch|sleep monitor",
        "Health & Beauty > Health Care > Biometric Monitors > Activity Monitors",
    ),
    rule(
        "phone electronics",
        r"watch|gear s\d|\bs3 frontier|pebble (2|time)|moto 360",
        "Apparel & Accessories > Jewelry > Watches",
    ),
    rule(
        "electronics",
        r"google glass|spectacles|bluetooth sunglasses",
        "Electronics > Computers > Smart Glasses",
    ),
    rule(
        "electronics",
        r"fpv goggles|drone.*(batter|parts)|(mavic|phantom|ehang).*(batter|parts)|lipo|r/c",
        "Toys & Games > Toys > Remote Control Toy Accessories",
    ),
    rule(
        "electronics",
        r"drone|quad ?copter|mavic|phantom \d|bebop|typhoon",
        f"{RC_TOYS} > Remote Control Helicopters",
    ),
    rule(
        "electronics",
        r"^apple pencil(?!.*charg)|stylus pen|pencil for ipad",
        f"{EACC} > Computer Accessories > Stylus Pens",
    ),
    rule(
        "electronics",
        r"laptop tray|monitor ergonomic stand",
        f"{EACC} > Computer Accessories > Computer Risers & Stands",
    ),
    rule(
        "electronics",
        r"piano apprentice",
        "Arts & Entertainment > Hobbies & Creative Arts > "
        "Musical Instrument & Orchestra Accessories > Musical Keyboard Accessories",
    ),
    rule(
        "phone electronics",
        r"kindle(?! fire)|nook(?! hd)",
        "Electronics > Computers > Handheld Devices > E-Book Readers",
    ),
    rule(
        "phone electronics",
        r"\bi ?pad\b(?! (charger|keyboard))|tablet|galaxy tab|\btab (a|3|\d)\b|kindle fire|"
        r"fire hd|nook hd|mi pad|playbook|g ?pad\b|\bwhite tab\b",
        "Electronics > Computers > Tablet Computers",
    ),
    rule(
        "electronics",
        r"pocket pc|ipaq|cassiopeia|cassiopia|electronic organizer",
        "Electronics > Computers > Handheld Devices > PDAs",
    ),
    rule(
        "electronics",
        r"macbook charger|macbook pro chargers|pencil charging adapter|crosley charging dock",
        f"{POWER} > Power Adapters & Chargers",
    ),
    rule(
        "electronics",
        r"mac ?book|laptop|notebook|chromebook|thinkpad|inspiron",
        "Electronics > Computers > Laptops",
    ),
    rule(
        "electronics",
        r"\bimac\b|desktop computer|mac mini|mac pro\b",
        "Electronics > Computers > Desktop Computers",
    ),
    rule("electronics", r"mac os x", "Electronics > Computers"),
    # --- Phones: handsets, by carrier lock ---------------------------------------------------------------
    rule(
        "phone electronics",
        _without(
            r"\bi ?pod\b|mp3 (digital music )?player|muvo|walkman mp3",
            r"iphone|in-?dash|double din|for ipod|speakers",
        ),
        f"{PLAYERS} > MP3 Players",
    ),
    *_handsets("phone", r"."),
    *_handsets("electronics", PHONE_WORDS),
    # --- Electronics: car audio and vehicle electronics (before home audio) ------------------------------
    rule(
        "electronics",
        r"car alarm|viper|clifford",
        f"{VEH_ACC} > Vehicle Safety & Security > Vehicle Alarms & Locks > Automotive Alarm Systems",
    ),
    rule("electronics", r"volt .*charger", f"{CAR_PARTS} > Motor Vehicle Power & Electrical Systems"),
    rule("electronics", r"dash ?cam", f"{CAMERAS} > Video Cameras"),
    rule("electronics", r"radar detector", "Electronics > Radar Detectors"),
    rule(
        "electronics",
        r"car audio dig|\bdsp\b|coustic|summing interface",
        f"{CAR_AUDIO} > Motor Vehicle Equalizers & Crossovers",
    ),
    rule(
        "electronics",
        r"(sub|speaker) ?(woofer )?(box|enclosures?)\b(?!.*\b(kicker|jl|rockford)\b)|"
        r"^ported sub enclosure",
        f"{AUDIO_ACC} > Speaker Accessories > Speaker Components & Kits",
    ),
    rule(
        "electronics",
        _all(
            r"\bsubs?\b|sub-?woofers?|\d+w\d|basstube|solobaric|\bvr 1\d|\brfl\b|road thunder|"
            r"enclosure|ported box|sealed box",
            CAR_AUDIO_BRANDS + r"|car|truck|kenwood|pioneer",
        ),
        f"{CAR_AUDIO} > Motor Vehicle Subwoofers",
    ),
    rule(
        "electronics",
        r"in-?dash|head unit|double din|car (stereo|radio|estereo|cd|dvd)|cd changer for car|"
        r"avh-\d|gm2\b|kenwood\. cd",
        f"{CAR_AUDIO} > Motor Vehicle A/V Players & In-Dash Systems",
    ),
    rule(
        "electronics",
        _all(
            r"\bamps?\b|amplifier|monoblock|\d+ ?watt|class ab|\.4\b|\.1\b",
            CAR_AUDIO_BRANDS + r"|car|kenwood (?!.*(vintage|stereo|integrated))",
        ),
        f"{CAR_AUDIO} > Motor Vehicle Amplifiers",
    ),
    rule(
        "electronics",
        r"speakers? for your car|truck seat|car speakers?",
        f"{CAR_AUDIO} > Motor Vehicle Speakers",
    ),
    rule("electronics", r"car audio|kicker car stereo|" + CAR_AUDIO_BRANDS, CAR_AUDIO),
    # --- Electronics: cameras, video, games ---------------------------------------------------------------
    rule(
        "electronics",
        r"kinect|balance board",
        "Electronics > Video Game Console Accessories > Home Game Console Accessories",
    ),
    rule("electronics", r"camera bag", f"{CAM_PARTS} > Camera Bags & Cases"),
    rule("electronics", r"lens filters?", f"{CAM_ACC} > Camera Lens Accessories > Lens Filters"),
    rule(
        "electronics",
        r"battery grip(?!.*(lens|nikon d|sigma))|^canon 7d +battery grip",
        f"{CAM_PARTS} > Camera Grips",
    ),
    rule(
        "electronics", r"glidecam|stabilizer|chesty|harness", f"{CAM_PARTS} > Camera Stabilizers & Supports"
    ),
    rule(
        "electronics",
        r"battery charger and battery for coolpix",
        f"{POWER} > Battery Accessories > Camera Battery Chargers",
    ),
    rule("electronics", r"webcam|quickcam", f"{CAMERAS} > Webcams"),
    rule(
        "electronics",
        r"camcorder|camcoder|handy ?cam|vixia|video camera|gopro|gdv\d|contour roam|360 camera|"
        r"cinema camera|production camera|bmpcc",
        f"{CAMERAS} > Video Cameras",
    ),
    rule("electronics", r"film camera|nikon f2|movie camera|fujica", f"{CAMERAS} > Film Cameras"),
    rule(
        "electronics",
        r"camera|dslr|mirrorless|\beos\b|rebel (t\d|xt)|nikon d\d|a6000|cyber-?shot|"
        r"powershot|coolpix|easyshare|canon t\d",
        f"{CAMERAS} > Digital Cameras",
    ),
    rule("electronics", r"\blens\b", f"{CAM_ACC} > Camera & Video Camera Lenses > Camera Lenses"),
    rule("electronics", r"teleprompter", f"{VIDEO} > Video Editing Hardware & Production Equipment"),
    rule(
        "electronics",
        r"mpk mini|drum controller|maschine",
        f"{MUSIC} > Electronic Musical Instruments > MIDI Controllers",
    ),
    rule(
        "electronics",
        r"rock band|guitar hero",
        f"{INPUT} > Game Controllers > Musical Instrument Game Controllers",
    ),
    rule("electronics", r"driving force|racing wheel", f"{INPUT} > Game Controllers > Game Racing Wheels"),
    rule("electronics", r"^(nba|madden|fifa|call of duty)\b|battle grids", "Software > Video Game Software"),
    rule(
        "electronics",
        r"\bps ?[234]\b(?! controller)|playstation|x-?box|\bwii\b|nintendo|\b3ds\b|\bpsp\b|"
        r"game ?cube|sega(?!.*fire stick)",
        "Electronics > Video Game Consoles",
    ),
    rule(
        "electronics",
        _without(r"controller", r"skycontroller|servo|elevator|solar"),
        f"{INPUT} > Game Controllers > Gaming Pads",
    ),
    rule("electronics", r"garmin edge", f"{BIKE_ACC} > Bicycle Computers"),
    rule(
        "electronics",
        r"gps|navi\w*ional|navigation|nuvi|tomtom|magellan|explorist",
        "Electronics > GPS Navigation Systems",
    ),
    # --- Electronics: computers' peripherals, storage, networking, power ---------------------------------
    rule(
        "electronics",
        r"printhead|print head",
        f"{PRINT} > Printer, Copier & Fax Machine Accessories > Printer Consumables > Printheads",
    ),
    rule(
        "electronics",
        _without(r"toner|\bink\b|cartridge", r"printer\b|\bdisc\b"),
        f"{PRINT} > Printer, Copier & Fax Machine Accessories > "
        "Printer Consumables > Toner & Inkjet Cartridges",
    ),
    rule(
        "electronics",
        r"printers?|copier|\bfax\b|officejet|pixma|laserjet|\bmfc\b|photosmart",
        f"{PRINT} > Printers, Copiers & Fax Machines",
    ),
    rule("electronics", r"scanner|linoscan", f"{PRINT} > Scanners"),
    rule(
        "electronics",
        r"digital piano|professional keyboard",
        f"{MUSIC} > Electronic Musical Instruments > Musical Keyboards",
    ),
    rule("electronics", r"gaming key ?pad|keyboard(?!.*(professional|piano))", f"{INPUT} > Keyboards"),
    rule("electronics", r"trackpad", f"{INPUT} > Touchpads"),
    rule("electronics", r"\bmouse\b|rollermouse", f"{INPUT} > Mice & Trackballs"),
    rule("electronics", r"card reader", f"{INPUT} > Memory Card Readers"),
    rule("electronics", r"flash drive|usb stick|thumb drive", f"{STORAGE} > USB Flash Drives"),
    rule(
        "electronics",
        r"docking station|hard drive dock",
        f"{STORAGE} > Hard Drive Accessories > Hard Drive Docks",
    ),
    rule(
        "electronics",
        _without(r"hard drive|\bssd\b|solid state drive|\b\d ?tb\b", r"xbox|ps4|tivo|router"),
        f"{STORAGE} > Hard Drives",
    ),
    rule("electronics", r"external drive|optiarc", f"{STORAGE} > Optical Drives"),
    rule("electronics", r"pogoplug|dockstar|\bnas\b", f"{STORAGE} > Network Storage Systems"),
    rule(
        "electronics",
        r"audio interface|focusrite|clarett",
        f"{COMP} > I/O Cards & Adapters > Audio Cards & Adapters",
    ),
    rule("electronics", r"usb .*adapter|wireless usb", f"{NET} > Network Cards & Adapters"),
    rule("electronics", r"modem|docsis|u-verse|gateway|surfboard|surboard", f"{NET} > Modems"),
    rule("electronics", r"range extender|repeater", f"{NET} > Repeaters & Transceivers"),
    rule("electronics", r"poe switch|network switch|port switch", f"{NET} > Hubs & Switches"),
    rule("electronics", r"router|google wifi|linksys|wrt\d", f"{NET} > Bridges & Routers > Wireless Routers"),
    rule("electronics", r"\brack\b", f"{COMP} > Computer Racks & Mounts"),
    rule("electronics", r"lacing bars", f"{EACC} > Cable Management"),
    rule("electronics", r"battery backup|\bups\b|modem battery", f"{POWER} > UPS"),
    rule(
        "electronics",
        r"surge protector|power ?bar|power strip",
        f"{POWER} > Power Strips & Surge Suppressors",
    ),
    rule("electronics", r"travel .*adapt", f"{POWER} > Travel Converters & Adapters"),
    rule(
        "electronics", r"battery charger", f"{POWER} > Battery Accessories > General Purpose Battery Chargers"
    ),
    rule(
        "electronics",
        PHONE_CHARGERS + r"|solar charger|usb power adapter|charging dock",
        f"{POWER} > Power Adapters & Chargers",
    ),
    rule("electronics", r"battery case", f"{POWER} > Battery Accessories > Battery Holders"),
    rule("electronics", r"batter(y|ies)", f"{POWER} > Batteries > General Purpose Batteries"),
    # --- Electronics: video ------------------------------------------------------------------------------
    rule(
        "electronics",
        _without(
            r"(tv|monitor|wall|flat panel)( flat)? (wall )?mount|mount(ing)? bracket|\btv mounts",
            r"(tv|hdtv|screen|television)\s+(with|w/|and|&|\+)",
        ),
        f"{VIDEO} > Video Accessories > Television Parts & Accessories > TV & Monitor Mounts",
    ),
    rule(
        "electronics",
        r"projector screen|projection screen",
        f"{VIDEO} > Video Accessories > Projector Accessories > Projection Screens",
    ),
    rule(
        "electronics",
        _without(r"3d (active )?glasses", r"hdtv|\btv\b.*w/ 3d"),
        f"{VIDEO} > Video Accessories > 3D Glasses",
    ),
    rule("electronics", r"antenna|rabbit ears", f"{EACC} > Antennas"),
    rule("electronics", r"cable tv amplifier|signal booster", f"{EACC} > Signal Boosters"),
    rule("electronics", r"splitter|switcher", f"{EACC} > Audio & Video Splitters & Switches"),
    rule("electronics", r"converter \(vga", f"{EACC} > Audio & Video Splitters & Switches"),
    rule(
        "electronics",
        r"hdmi cables?|component (video )?cable|interconnect|speaker cable|\brca\)? cables?",
        f"{CABLES} > Audio & Video Cables",
    ),
    rule("electronics", r"cat5|network cable", f"{CABLES} > Network Cables"),
    rule("electronics", r"telephone (wall )?cord", f"{CABLES} > Telephone Cables"),
    rule(
        "electronics",
        _without(r"\bcables?\b", r"cable (tv|modem)|\bbox\b|mpa \d"),
        f"{CABLES} > Storage & Data Transfer Cables",
    ),
    rule("electronics", r"satellite (tv )?receiver", f"{VIDEO} > Satellite & Cable TV > Satellite Receivers"),
    rule("electronics", r"satellite guy|sattelite|tv dish|dish installs", f"{VIDEO} > Satellite & Cable TV"),
    rule(
        "electronics",
        _without(
            r"\bremotes?\b",
            r"receiver|player|changer|\bdvd\b|blu-?ray|except|w/ ?(smart )?remote|"
            r"with remote|no remote|voice remote|\btv\b|hdtv",
        ),
        f"{EACC} > Remote Controls",
    ),
    rule(
        "electronics",
        _without(
            r"apple ?tv|fire ?tv|fire stick|tv stick|roku|chromecast|tv box|\bkodi\b|slingbox|"
            r"squeezebox|streamsmart|web-?tv|media (box|player|streamer)|movie box|dragon box|"
            r"stream to tv|hdmi adapter",
            SIZE,
            r"roku (smart )?(led )?tv",
        ),
        f"{VIDEO_PLAYERS} > Streaming & Home Media Players",
    ),
    rule("electronics", r"\btivo\b|\bdvr\b", f"{VIDEO_PLAYERS} > Digital Video Recorders"),
    rule(
        "electronics",
        _without(
            r"\bmonitors?\b|thunderbolt display|cinema display",
            r"speaker|mini monitor|powered monitor|studio|mackie|krk|\bjbl\b|paradigm",
        ),
        f"{VIDEO} > Computer Monitors",
    ),
    rule(
        "electronics",
        _without(
            r"\btvs?\b|\bt\.v\.|television|hdtv|flat ?screen|flat-panel|plasma|\bled tv|lcd tv",
            r"speakers?\b.*\btv\b",
        ),
        f"{VIDEO} > Televisions",
    ),
    rule("electronics", r"projector", f"{VIDEO} > Projectors > Multimedia Projectors"),
    # --- Electronics: home audio -------------------------------------------------------------------------
    rule("electronics", r"public address|pa system", "Electronics > Audio > Public Address Systems"),
    rule("electronics", r"karaoke", f"{PLAYERS} > Karaoke Systems"),
    rule("electronics", r"turntable case", f"{AUDIO_ACC} > Turntable Accessories"),
    rule("electronics", r"dj cd mixing|vci 300", "Electronics > Audio > DJ & Specialty Audio > DJ Systems"),
    rule("electronics", r"boombox", f"{PLAYERS} > Boomboxes"),
    rule("electronics", r"jukebox", f"{PLAYERS} > Jukeboxes"),
    rule(
        "electronics",
        r"turntables?|record (player|changer)|crosley cruiser|linn lp12",
        f"{PLAYERS} > Turntables & Record Players",
    ),
    rule("electronics", r"mixer|rane (62|ttm)", f"{AUDIO} > Audio Mixers"),
    rule("electronics", r"equalizer", f"{AUDIO} > Signal Processors > Equalizers"),
    rule("electronics", r"cross ?over", f"{AUDIO} > Signal Processors > Crossovers"),
    rule("electronics", r"reverberation", f"{AUDIO} > Signal Processors > Effects Processors"),
    rule("electronics", r"microphones?|\bmic\b", f"{AUDIO} > Microphones"),
    rule(
        "electronics",
        r"wireless transmitter",
        "Electronics > Audio > Stage Equipment > Wireless Transmitters",
    ),
    rule(
        "electronics",
        r"home (theat(er|re)|entertainment) system|theat(er|re) (sound )?system|surround (sound )?"
        r"system|home theat(er|re)$|^surround sound$|cinemate|lifestyle soundtouch|palermo|"
        r"dvd cd home theatre",
        f"{PLAYERS} > Home Theater Systems",
    ),
    rule("electronics", r"\bradio\b(?!.*(shack|cd))|shortwave|superadio|\btuner\b", f"{PLAYERS} > Radios"),
    rule(
        "electronics",
        r"receivers?|reciever|recivier|\bavr\b|avr-? ?\d|\bav7702|beomaster|\bhtr-\d|tx-? ?(sr|nr|nd)"
        r"|tx 8050|\bsr ?\d{3}\b",
        f"{AUDIO} > Audio & Video Receivers",
    ),
    rule("electronics", r"pre-?amp(lifier)?", f"{AUDIO} > Audio Amplifiers"),
    rule(
        "electronics",
        r"\bamps?\b|amplifiers?|monoblock|\bst-70\b|stereoamplifier|sansui au|marantz mm|parasound|"
        r"monster cable mpa",
        f"{AUDIO} > Audio Amplifiers > Power Amplifiers",
    ),
    rule(
        "electronics",
        r"woofer's|horns and drivers|raw speakers",
        f"{AUDIO_ACC} > Speaker Accessories > Speaker Components & Kits",
    ),
    rule(
        "electronics",
        r"speaker stands?(?! ?(and|&) (kenwood|speakers))",
        f"{AUDIO_ACC} > Speaker Accessories > Speaker Stands & Mounts",
    ),
    rule(
        "electronics",
        r"speakers?|loudspeakers?|sound ?bar|sub ?woof|subwoffer|\bsubs?\b|center channel|bookshelf|"
        r"tower|monitor|beats (pill|by dr\.? dre beatbox)|beatbox|soundlink|sounddock|megaboom|\bue roll|"
        r"echo|"
        r"amazon (dot|tap)|google home|acoustimass|bose (301|201)|satellite|sound cube|basscube|velodyne|"
        r"klip ?kg|\bkef\b|jbl control|logitech z\d|magnepan|snell|paradigm|bowers|\bb&w\b|tannoy|klipsch|"
        r"cambridge soundworks|marshall "
        r"acton|libratone|musicbox|energy audissey",
        f"{AUDIO} > Speakers",
    ),
    rule(
        "electronics",
        r"stereo system|music system|component stereo|klh model 25|stereo equipment|^pioneer stereo$|stero$|"
        r"compact disc/cassette system|dj gear|components$",
        f"{PLAYERS} > Stereo Systems",
    ),
    rule("electronics", r"hub adapters|take up reel|tape reel|micro cassettes", f"{EACC} > Blank Media"),
    rule("electronics", r"reel[- ]to[- ]reel", f"{PLAYERS} > Reel-to-Reel Tape Players & Recorders"),
    rule("electronics", r"open reel|24-track", f"{PLAYERS} > Multitrack Recorders"),
    rule("electronics", r"audio recorder|voice (it|recorder)", f"{PLAYERS} > Voice Recorders"),
    rule(
        "electronics",
        r"cassette|casette|tape deck|tape recorder|nakamichi",
        f"{PLAYERS} > Cassette Players & Recorders",
    ),
    rule("electronics", r"net md", f"{PLAYERS} > MiniDisc Players & Recorders"),
    rule("electronics", r"dvd recorder", f"{VIDEO_PLAYERS} > DVD Recorders"),
    rule("electronics", r"blue?[- ]?ray|\bdvd\b|\bdvp\b", f"{VIDEO_PLAYERS} > DVD & Blu-ray Players"),
    rule(
        "electronics",
        r"\bcd\b|compact disc|disc player|disk (cd )?player",
        f"{PLAYERS} > CD Players & Recorders",
    ),
    # --- Electronics: a synthesizer kit; then TVs known only by a screen size or TV brand ------------
    rule("electronics", r"synth kit", f"{MUSIC} > Electronic Musical Instruments > Sound Synthesizers"),
    rule("electronics", SIZE + r"|vizio|bravia|aquos|viera|\b(4k|uhd)\b", f"{VIDEO} > Televisions"),
    # --- Furniture: things in the furniture section that are not furniture ------------------------------
    rule("furniture", r"(?<![a-z])rugs?(?![a-z])|kilim|carpet\b", f"{DECOR} > Rugs"),
    rule("furniture", r"chandelier", f"{LIGHTING} > Lighting Fixtures > Chandeliers"),
    rule(
        "furniture",
        r"pendant|light fixture|ceiling light",
        f"{LIGHTING} > Lighting Fixtures > Ceiling Light Fixtures",
    ),
    rule("furniture", r"sconce", f"{LIGHTING} > Lighting Fixtures > Wall Light Fixtures"),
    rule(
        "furniture",
        _without(
            r"\blamps?\b|torchi?ere",
            r"lamp table|table (and|&) lamp|(nightstand|night stand|"
            r"end table|desk|dresser|furniture|table,)\b.*\blamp",
        ),
        f"{LIGHTING} > Lamps",
    ),
    rule("furniture", r"grandfather clock|floor clock", f"{DECOR} > Clocks > Floor & Grandfather Clocks"),
    rule("furniture", r"regulator clock|wall clock", f"{DECOR} > Clocks > Wall Clocks"),
    rule("furniture", r"\bclock\b", f"{DECOR} > Clocks"),
    rule("furniture", r"sculpture|statue", f"{DECOR} > Artwork > Sculptures & Statues"),
    rule(
        "furniture",
        r"painting|\bprints?\b|poster|lithograph|artwork|wall art|framed art",
        f"{DECOR} > Artwork > Posters, Prints, & Visual Artwork",
    ),
    rule("furniture", r"tapestry", f"{DECOR} > Artwork > Decorative Tapestries"),
    rule("furniture", r"\bvases?\b", f"{DECOR} > Vases"),
    rule(
        "furniture",
        r"planters?\b|flower pots?",
        "Home & Garden > Lawn & Garden > Gardening > Pots & Planters",
    ),
    rule("furniture", r"plant stand", "Home & Garden > Lawn & Garden > Gardening > Plant Stands"),
    rule("furniture", r"bookends", f"{DECOR} > Bookends"),
    rule("furniture", r"curtains?|drapes", f"{DECOR} > Window Treatments > Curtains & Drapes"),
    rule("furniture", r"slip ?covers?", f"{DECOR} > Slipcovers"),
    rule(
        "furniture",
        r"fireplace screen",
        "Home & Garden > Fireplace & Wood Stove Accessories > Fireplace Screens",
    ),
    rule("furniture", r"coat (rack|tree)|hall tree|hat rack|hang-it-all", f"{DECOR} > Coat & Hat Racks"),
    rule(
        "furniture",
        r"shoe (rack|bench|cabinet|storage|organizer)",
        "Home & Garden > Household Supplies > "
        "Storage & Organization > Clothing & Closet Storage > Shoe Racks & Organizers",
    ),
    rule(
        "furniture",
        r"closet (organizer|system)|\belfa\b|garment rack|clothes rack",
        "Home & Garden > Household "
        "Supplies > Storage & Organization > Clothing & Closet Storage > Closet Organizers & Garment Racks",
    ),
    rule(
        "furniture",
        r"jewel+e?ry (armoire|box|cabinet|storage)",
        "Health & Beauty > Jewelry Cleaning & Care > Jewelry Holders",
    ),
    rule("furniture", r"\bsafe\b", f"{SECURITY} > Security Safes"),
    rule("furniture", r"tool chest", "Hardware > Hardware Accessories > Tool Storage & Organization"),
    rule(
        "furniture",
        r"cabinet (door|panel)",
        "Hardware > Hardware Accessories > Cabinet Hardware > Cabinet Doors",
    ),
    rule("furniture", r"towel bar", "Home & Garden > Bathroom Accessories > Towel Racks & Holders"),
    rule(
        "furniture",
        r"fish tank|aquarium",
        "Animals & Pet Supplies > Pet Supplies > Fish Supplies > Aquariums",
    ),
    rule(
        "furniture",
        r"cat (tree|condo|tower)|kitten",
        "Animals & Pet Supplies > Pet Supplies > Cat Supplies > Cat Furniture",
    ),
    rule(
        "furniture",
        r"dog (bed|crate)|pet bed",
        "Animals & Pet Supplies > Pet Supplies > Dog Supplies > Dog Beds",
    ),
    rule("furniture", r"hammock(?! chair)", "Home & Garden > Lawn & Garden > Outdoor Living > Hammocks"),
    rule("furniture", r"patio heater", f"{APPLIANCES} > Climate Control Appliances > Patio Heaters"),
    rule(
        "furniture",
        r"umbrella",
        "Home & Garden > Lawn & Garden > Outdoor Living > Outdoor Umbrellas & Sunshades",
    ),
    rule(
        "furniture",
        r"sewing machine (table|cabinet)|singer .*(cabinet|table)|sewing (table|cabinet)",
        f"{TABLES} > Sewing Machine Tables",
    ),
    rule(
        "furniture",
        r"sewing machine",
        "Arts & Entertainment > Hobbies & Creative Arts > Arts & Crafts > "
        "Art & Crafting Tools > Textile Craft Machines > Sewing Machines",
    ),
    rule(
        "furniture",
        r"piano bench",
        "Arts & Entertainment > Hobbies & Creative Arts > "
        "Musical Instrument & Orchestra Accessories > Music Benches & Stools",
    ),
    rule("furniture", r"\bpiano\b", f"{MUSIC} > Pianos"),
    rule(
        "furniture",
        r"pool table|billiard table",
        "Sporting Goods > Indoor Games > Billiards > Billiard Tables",
    ),
    rule(
        "furniture",
        r"massage table",
        "Health & Beauty > Personal Care > Massage & Relaxation > Massage Tables",
    ),
    rule(
        "furniture",
        r"hospital.*bed|homecare bed",
        "Business & Industrial > Medical > Medical Furniture > Homecare & Hospital Beds",
    ),
    rule(
        "furniture",
        r"ironing board",
        "Home & Garden > Household Supplies > Laundry Supplies > Ironing Boards",
    ),
    rule("furniture", r"floor mats?", "Office Supplies > Office Equipment"),
    rule(
        "furniture", r"drawer slides?|\bslide\b.*extension", "Hardware > Hardware Accessories > Drawer Slides"
    ),
    rule("furniture", r"^(refrigerator|fridge)", f"{KITCHEN} > Refrigerators"),
    rule("furniture", r"^samsung \d\d\"? plasma", f"{VIDEO} > Televisions"),
    rule("furniture", r"console stereo|phonograph|stereo radio|\bradio\b", f"{PLAYERS} > Stereo Systems"),
    rule("furniture", r"\bamp\b", f"{MUSIC_ACC} > Musical Instrument Amplifiers"),
    rule("furniture", r"vacuum", f"{APPLIANCES} > Vacuums"),
    rule("furniture", r"air purifier", f"{APPLIANCES} > Climate Control Appliances > Air Purifiers"),
    rule("furniture", r"coffee maker", f"{KITCHEN} > Coffee Makers & Espresso Machines > Drip Coffee Makers"),
    rule("furniture", r"pc case", f"{COMP} > Desktop Computer & Server Cases"),
    rule("furniture", r"laptop stand", f"{EACC} > Computer Accessories > Computer Risers & Stands"),
    rule("furniture", r"lamp ?shade", "Home & Garden > Lighting Accessories > Lamp Shades"),
    rule(
        "furniture",
        r"ceiling fixtures|shop light",
        f"{LIGHTING} > Lighting Fixtures > Ceiling Light Fixtures",
    ),
    rule("furniture", r"candle holder", f"{DECOR} > Home Fragrance Accessories > Candle Holders"),
    rule("furniture", r"world globe", f"{DECOR} > World Globes"),
    rule("furniture", r"mannequin", "Business & Industrial > Retail > Display Mannequins"),
    rule("furniture", r"pet crate|kennel", "Animals & Pet Supplies > Pet Supplies > Pet Carriers & Crates"),
    rule(
        "furniture",
        r"pet house|dog house",
        "Animals & Pet Supplies > Pet Supplies > Dog Supplies > Dog Houses",
    ),
    rule("furniture", r"\bwindow\b", "Hardware > Building Materials > Windows"),
    rule("furniture", r"^bathroom door", "Hardware > Building Materials > Doors > Home Doors"),
    rule("furniture", r"\bsink\b", "Hardware > Plumbing > Plumbing Fixtures > Sinks"),
    rule("furniture", r"flooring", "Hardware > Building Materials > Flooring & Carpet"),
    rule(
        "furniture",
        r"tempur-? ?pedic(?!.*base)|sleep number|\bairbed\b|aerobed|memory foam bed",
        f"{BEDS} > Mattresses",
    ),
    rule("furniture", r"adjustable base", f"{BEDS} > Mattress Foundations"),
    rule(
        "furniture",
        r"exam table|chiropractic table|overbed table",
        "Business & Industrial > Medical > Medical Furniture > Examination Chairs & Tables",
    ),
    rule(
        "furniture",
        r"salon chair|barber",
        "Business & Industrial > Hairdressing & Cosmetology > Salon Chairs",
    ),
    # Several different pieces in one listing ("Moving sale - couch, tables, chairs, dresser").
    rule(
        "furniture",
        r"household items|liquidation|^(estate|garage|apartment) sale|\betc\b|take what you want|"
        r"all items|nice items|downsizing|^mov\w*( out)? sale\W*$|^mov\w*\W.*,.*,|\bmove-?out\b.*,.*,|"
        r"(,[^,]+){5,}|lot'?s? of furniture",
        "Furniture",
    ),
    rule("furniture", r"office furniture\b.*/", OFFICE),
    # --- Furniture: sets of several pieces --------------------------------------------------------------
    rule(
        "furniture",
        r"(patio|outdoor|garden|lawn|porch|deck)\b.*(\bsets?\b|furniture|tables?\b.*chairs?|"
        r"chairs?\b.*table)|"
        r"wicker furniture set|adirondack.*table",
        f"{OUTDOOR} > Outdoor Furniture Sets",
    ),
    rule(
        "furniture",
        r"bed ?room (set|furniture|suite)|piece bedroom|bedroom dresser set|complete bed set|"
        r"children's +bedroom",
        "Furniture > Furniture Sets > Bedroom Furniture Sets",
    ),
    rule(
        "furniture",
        r"living room set|sofa set|leather set: |(sofa|couch)e?s? ?(and|&|\+|/) ?((\w+ ){0,2}(arm)?chairs?|"
        r"love ?seat|recliner)|(sofa|couch)(,| and) (love ?seat|chair)|combo w/|sofa bed \+ love|"
        r"couch and sofa set|love ?seat (and|&) chairs|sofas and tables set",
        "Furniture > Furniture Sets > Living Room Furniture Sets",
    ),
    rule(
        "furniture",
        r"din+(n)?ing (room )?(set|table set|suite)|dinette|din+ing.*table,? (\d+ )?chairs|"
        r"table (and|&|\+|w/|with) (set of )?(\d+ )?(\w+ )?(chairs|stools)|table,? \d+ chairs|"
        r"pub (table )?set|"
        r"breakfast set|table set(?! with benches)|chairs? (and|&) table|table (and|&) chairs|dinning set|"
        r"dining set|table w/ set of|din+ing.*\+ \d+ chairs",
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
    ),
    rule(
        "furniture",
        _without(
            r"\btables?\b.{0,30}\bchairs?\b|\bchairs?\b.{0,20}\btables?\b",
            r"coffee|end table|side table|night|desk|laptop|computer|study|kids|child|patio|outdoor|"
            r"no chairs|cabinet",
        ),
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
    ),
    rule("furniture", r"office furniture set|desk (and|&) chair", f"{OFFICE} > Office Furniture Sets"),
    # --- Furniture: baby and children's furniture ------------------------------------------------------
    rule("furniture", r"crib mattress", f"{BEDS} > Mattresses"),
    rule("furniture", r"\bcrib\b|toddler bed", "Furniture > Baby & Toddler Furniture > Cribs & Toddler Beds"),
    rule("furniture", r"bassinet|cradle", "Furniture > Baby & Toddler Furniture > Bassinets & Cradles"),
    rule("furniture", r"changing table", "Furniture > Baby & Toddler Furniture > Changing Tables"),
    rule(
        "furniture",
        _without(r"high ?chair", r"bar stool|counter|pub|high back"),
        "Furniture > Baby & Toddler Furniture > High Chairs & Booster Seats",
    ),
    rule("furniture", r"toy (chest|box)", f"{STORAGE_FURN} > Storage Chests > Toy Chests"),
    rule(
        "furniture",
        r"(kids?|child'?s?|children'?s?) (table|desk)|activity table|play table|chalk table",
        f"{TABLES} > Activity Tables",
    ),
    # --- Furniture: outdoor ----------------------------------------------------------------------------
    rule(
        "furniture",
        r"(patio|outdoor|garden|lawn|porch|deck).*(lounge|chaise|lounger)|sun ?lounger",
        f"{OUTDOOR} > Outdoor Seating > Sunloungers",
    ),
    rule(
        "furniture",
        r"(patio|outdoor|garden|lawn|porch|deck).*bench|bench.*(porch|patio|garden)",
        f"{OUTDOOR} > Outdoor Seating > Outdoor Benches",
    ),
    rule(
        "furniture",
        r"(patio|outdoor|garden|lawn|porch|deck).*sectional",
        f"{OUTDOOR} > Outdoor Seating > Outdoor Sectional Sofa Units",
    ),
    rule(
        "furniture",
        r"(patio|outdoor|garden|lawn|porch|deck).*(sofa|couch|love ?seat)",
        f"{OUTDOOR} > Outdoor Seating > Outdoor Sofas",
    ),
    rule(
        "furniture",
        r"(patio|outdoor|garden|lawn|porch|deck).*(chairs?|seat)|adirondack",
        f"{OUTDOOR} > Outdoor Seating > Outdoor Chairs",
    ),
    rule("furniture", r"(patio|outdoor|garden|lawn|porch|deck|picnic).*table", f"{OUTDOOR} > Outdoor Tables"),
    rule("furniture", r"outdoor bed|day ?bed.*outdoor", f"{OUTDOOR} > Outdoor Beds"),
    # --- Furniture: beds -------------------------------------------------------------------------------
    rule(
        "furniture",
        r"^(?!.*\b(bed|frame|bedframe|bunk|loft|futon|crib|daybed|head)s?\b.*matt?ress).*(matt?ress|mattres)|"
        r"box ?springs? (and|&) matt?ress",
        f"{BEDS} > Mattresses",
    ),
    rule(
        "furniture",
        r"^(?!.*(mattress|\bbeds?\b)).*box ?springs?|mattress foundation",
        f"{BEDS} > Mattress Foundations",
    ),
    rule("furniture", r"bed (rails?|slats|risers)|slats", f"{BEDS} > Bed & Bed Frame Accessories"),
    rule("furniture", r"futon (frame)", "Furniture > Futon Frames"),
    rule("furniture", r"futon (pad|mattress|cover)", "Furniture > Futon Pads"),
    rule("furniture", r"futon", "Furniture > Futons"),
    rule("furniture", r"sofa ?bed(?! \+)|sleeper sofa|fold-a-bed|pull ?out .*bed", "Furniture > Sofas"),
    rule(
        "furniture",
        _without(
            r"\b(bunk|loft|trundle|day|platform|sleigh|canopy|murphy|storage|captain'?s?|"
            r"poster|panel|wall|twin|full|queen|king|iron|metal|kids?|child'?s?)? ?beds?\b|"
            r"bed ?frame|\bbunkbed|daybed|\bkritter\b|\bframe\b.*(queen|king|twin|full)|"
            r"(queen|king|twin|full)\b.*\bframe\b",
            r"bedroom|bedside|sofa bed|bed ?linens?|"
            r"bedding|flower bed|sheets|bed ?side",
        ),
        f"{BEDS} > Beds & Bed Frames",
    ),
    rule("furniture", r"head ?boards?|foot ?boards?|head and foot", f"{BEDS} > Headboards & Footboards"),
    # --- Furniture: office -----------------------------------------------------------------------------
    rule(
        "furniture",
        r"drafting (table|desk)|drawing table",
        f"{OFFICE} > Workspace Tables > Art & Drafting Tables",
    ),
    rule("furniture", r"conference (room )?table", f"{OFFICE} > Workspace Tables > Conference Room Tables"),
    rule("furniture", r"gaming chair|x rocker", f"{CHAIRS} > Gaming Chairs"),
    rule(
        "furniture",
        _without(r"cubicles?\b|workstation|office partition", r"cubbies"),
        f"{OFFICE} > Workstations & Cubicles",
    ),
    rule("furniture", r"fil(e|ing) cabinets?|lateral file", f"{STORAGE_FURN} > File Cabinets"),
    rule(
        "furniture",
        r"(office|desk|task|computer|executive|ergonomic|drafting|rolling|roller|conference|"
        r"swivel office) chairs?|executive .*chair|\boffice\b.*\bchairs?\b|aeron|steel ?case|"
        r"herman miller(?!.*(eames lounge|table))|haworth|humanscale|knoll|"
        r"allsteel|\bhon\b|embody|mirra|sayl|varier|balans|millberget|markus",
        f"{OFFICE} > Office Chairs",
    ),
    rule(
        "furniture",
        r"(?<!standing )\bdesks?\b(?!top)(?! (lamp|chair|organizer))|secretary|escritoire|"
        r"(computer|office|study|writing|typing) table|standing desk|workcenter|adjustable table",
        f"{OFFICE} > Desks",
    ),
    # --- Furniture: sofas and chairs -------------------------------------------------------------------
    rule("furniture", r"bean ?bag|love ?sac", f"{CHAIRS} > Bean Bag Chairs"),
    rule("furniture", r"massag(e|ing) chair", f"{CHAIRS} > Electric Massaging Chairs"),
    rule(
        "furniture",
        r"sofa table|console table|entry(way)? table|hall(way)? table|wall table",
        f"{TABLES} > Accent Tables > Sofa Tables",
    ),
    rule("furniture", r"(couch|sofa) side table", f"{TABLES} > Accent Tables > End Tables"),
    rule("furniture", r"sectional (chair|piece|unit)", "Furniture > Sofa Accessories > Sectional Sofa Units"),
    rule(
        "furniture",
        r"sofas?\b|\bcouch|love ?seats?|sectional|settee|davenport|chesterfield|divan|"
        r"karlstad|ektorp|kivik|klippan",
        "Furniture > Sofas",
    ),
    rule("furniture", r"rocking chair|\brocker\b|glider", f"{CHAIRS} > Rocking Chairs"),
    rule("furniture", r"folding chairs?", f"{CHAIRS} > Folding Chairs & Stools"),
    rule("furniture", r"hanging chair|hammock chair|egg chair|swing chair", f"{CHAIRS} > Hanging Chairs"),
    rule("furniture", r"slipper chair", f"{CHAIRS} > Slipper Chairs"),
    rule("furniture", r"step stool", "Hardware > Tools > Ladders & Scaffolding > Step Stools"),
    rule("furniture", r"foot ?stool|\bpoufs?\b|foot ?rest(?!.*chair)", "Furniture > Ottomans"),
    rule(
        "furniture",
        r"bar ?stools?|counter stools?|\bstools?\b|bar chairs?|counter (height )?chairs?|"
        r"countertop chairs",
        f"{CHAIRS} > Table & Bar Stools",
    ),
    rule("furniture", r"chaise", f"{CHAIRS} > Chaises"),
    rule(
        "furniture",
        r"recliner|reclining|lift chair|arm ?chairs?|club chair|wing ?(back|chair)|accent chair|"
        r"lounge chair|lounger|papasan|barrel chair|tub chair|sleeper chair|reading chair|"
        r"chairs? ?(and|&|\+|w/|with|w) ?(an )?ottoman|occasional chairs?|parlou?r chair|bergere|poang|"
        r"chair and a half|sitting chair|high back chair|eames lounge|theat(er|re) seats|(leather|fabric|"
        r"velvet|upholstered|comfy|cozy|swivel|"
        r"living room|oversized|tufted) chairs?",
        f"{CHAIRS} > Arm Chairs, Recliners & Sleeper Chairs",
    ),
    rule(
        "furniture",
        r"(dining|dinning|kitchen|side|parsons?|windsor|ladder ?back|spindle ?back|cane|bentwood|chiavari|"
        r"wishbone|dinning|ghost|tolix|stacking|bistro|cafe) chairs?|set of \d+ (\w+ )?chairs|"
        r"\b[3-9] (\w+ )?chairs"
        r"|chairs? set of [3-9]|din+ing room chairs",
        f"{CHAIRS} > Kitchen & Dining Room Chairs",
    ),
    rule("furniture", r"director'?s? chairs?|folding .*chair", f"{CHAIRS} > Folding Chairs & Stools"),
    rule(
        "furniture",
        _without(r"\bchairs?(\b|\d)|seating|waiting room seats", r"no chairs"),
        "Furniture > Chairs",
    ),
    rule("furniture", r"ottom[ao]ns?", "Furniture > Ottomans"),
    rule(
        "furniture",
        r"(shoe|entry(way)?|storage|hall) bench",
        "Furniture > Benches > Storage & Entryway Benches",
    ),
    rule(
        "furniture",
        r"(dining|dinning|kitchen|table)( room)? bench",
        "Furniture > Benches > Kitchen & Dining Benches",
    ),
    rule("furniture", r"vanity (bench|stool)|makeup seat", "Furniture > Benches > Vanity Benches"),
    rule("furniture", r"\bbench\b|\bpew\b", "Furniture > Benches"),
    rule("furniture", r"office furniture", OFFICE),
    # --- Furniture: tables -----------------------------------------------------------------------------
    rule(
        "furniture",
        r"coffee ?tables?|cocktail table|coffe table|living room table",
        f"{TABLES} > Accent Tables > Coffee Tables",
    ),
    rule("furniture", r"night ?stands?|bed ?side|night table", f"{TABLES} > Nightstands"),
    rule(
        "furniture",
        r"(end|side|accent|nesting|lamp|drum|\bc|pedestal|tray|stacking|corner) tables?|"
        r"end table|side .*table|occasional\b.*\btable",
        f"{TABLES} > Accent Tables > End Tables",
    ),
    rule(
        "furniture",
        r"(dining|dinning|dinner|kitchen|pub|bar|counter height|breakfast|farm(house)?|trestle|"
        r"extension|extendable|drop[- ]leaf|gate ?leg|round|oval|harvest|parsons|"
        r"cafe style .*) (room )?tables?|"
        r"\b(round|square)\b.*\btable|expandable|explandable|table with "
        r"(leaves|leaf|hidden extension)|seats (6|8|10)|\bdining\b|\bdinning\b|linnmon|slahult|sl.hult|"
        r"tables? .*leaf|seats \d",
        f"{TABLES} > Kitchen & Dining Room Tables",
    ),
    rule("furniture", r"folding table|card table|tv trays?", f"{TABLES} > Folding Tables"),
    rule("furniture", r"game table|poker table", f"{TABLES} > Poker & Game Tables"),
    rule("furniture", r"table legs|\blegs\b", "Furniture > Table Accessories > Table Legs"),
    rule("furniture", r"table ?tops?|glass top|table surface", "Furniture > Table Accessories > Table Tops"),
    rule(
        "furniture",
        r"printer (table|stand)",
        f"{PRINT} > Printer, Copier & Fax Machine Accessories > Printer Stands",
    ),
    # --- Furniture: storage ----------------------------------------------------------------------------
    rule(
        "furniture",
        r"tv (stand|console|cabinet|hutch|unit|cart|armoire|closet|credenza)|media (console|center|"
        r"stand|cabinet|unit)|entertainment (center|unit|stand|console|armoire)|entertainment ?/ ?armoire|"
        r"television (stand|table)|"
        r"tv ?/ ?media|stereo stand|media/tv|wall unit|besta|\btv\b.*\bstand\b",
        "Furniture > Entertainment Centers & TV Stands",
    ),
    rule(
        "furniture",
        r"dressers?|chest of drawers|bureau|high ?boy|low ?boy|tall ?boy|drawer chest|\d-drawer chest|"
        r"malm chest|hemnes chest|chest.*drawers|drawers? chest|commode",
        f"{STORAGE_FURN} > Dressers",
    ),
    rule("furniture", r"armoire|wardrobe|\bpax\b|armoir\b", f"{STORAGE_FURN} > Armoires & Wardrobes"),
    rule(
        "furniture",
        r"buffet|sideboard|credenza|cradenza|\bserver\b",
        f"{STORAGE_FURN} > Buffets & Sideboards",
    ),
    rule(
        "furniture",
        r"retail display|sunglass display|rifle display|display cases",
        "Business & Industrial > Retail > Retail Display Cases",
    ),
    rule(
        "furniture",
        _without(r"china cabinet|hutch|curio|display (cabinet|case)|vitrine|glass display", r"kallax"),
        f"{STORAGE_FURN} > China Cabinets & Hutches",
    ),
    rule(
        "furniture",
        r"record (cabinet|storage|console)|cd (rack|tower|storage)|dvd (rack|storage|tower)|"
        r"media (storage|bookshelf)",
        f"{STORAGE_FURN} > Media Storage Cabinets & Racks",
    ),
    rule("furniture", r"wine rack|bottle wine", f"{STORAGE_FURN} > Wine Racks"),
    rule(
        "furniture",
        _without(r"(bar|liquor|wine) cabinet|\bbar\b", r"height|towel|cart|stool|table"),
        f"{STORAGE_FURN} > Wine & Liquor Cabinets",
    ),
    rule(
        "furniture",
        r"wall (mounted )?shel(f|ves)|floating shel(f|ves)|\bledge\b",
        "Furniture > Shelving > Wall Shelves & Ledges",
    ),
    rule(
        "furniture",
        r"book ?cases?|book ?shel(f|ves)|bakers? rack|\bcubes\b|shelving|etagere|[eé]tag[eè]re|ladder shel|"
        r"\bbilly\b|kallax|"
        r"expedit|cube (shelf|storage|organizer)|shelf unit|shelves|\bshelf\b",
        "Furniture > Shelving > Bookcases & Standing Shelves",
    ),
    rule("furniture", r"(hope|cedar|ceder|blanket) chest", f"{STORAGE_FURN} > Storage Chests > Hope Chests"),
    rule("furniture", r"\bchests?\b|trunk|footlocker", f"{STORAGE_FURN} > Storage Chests"),
    rule("furniture", r"bathroom vanity", f"{STORAGE_FURN} > Vanities > Bathroom Vanities"),
    rule(
        "furniture", r"vanity|make-?up table|dressing table", f"{STORAGE_FURN} > Vanities > Bedroom Vanities"
    ),
    rule(
        "furniture",
        r"kit(chen)? island|island cart|butcher block",
        "Furniture > Carts & Islands > Kitchen Islands",
    ),
    rule("furniture", r"\bcart\b|trolley", "Furniture > Carts & Islands > Kitchen & Dining Carts"),
    rule("furniture", r"kitchen cabinets?", f"{STORAGE_FURN} > Kitchen Cabinets"),
    rule("furniture", r"magazine rack", f"{STORAGE_FURN} > Magazine Racks"),
    rule(
        "furniture",
        r"cabinets?|cupboard|pantry|lockers?|storage|apothecary|linen tower|\bunit\b|drawers",
        f"{STORAGE_FURN} > Storage Cabinets & Lockers",
    ),
    rule(
        "furniture",
        r"room divider|shoji|folding screen|privacy screen|\bscreen\b|screenflex",
        "Furniture > Room Dividers",
    ),
    # --- Furniture: what is left by its broadest word --------------------------------------------------
    rule("furniture", r"mirrors?\b|mirrored", f"{DECOR} > Mirrors"),
    rule("furniture", r"pillows?|cushions?", f"{DECOR} > Throw Pillows"),
    rule("furniture", r"\bconsole\b", f"{TABLES} > Accent Tables > Sofa Tables"),
    rule("furniture", r"\btables?\b", "Furniture > Tables"),
    rule("furniture", r"furnitures?\b|^mov(e|ing)|mueble|^decor$", "Furniture"),
    # --- Bikes: things in the bike section that are not bicycles ---------------------------------------
    rule("bike", r"picture frame", f"{DECOR} > Picture Frames"),
    rule("bike", r"sunglasses", "Apparel & Accessories > Clothing Accessories > Sunglasses"),
    rule("bike", r"faucet", "Hardware > Plumbing > Plumbing Fixtures > Faucets"),
    rule("bike", r"patio table", f"{OUTDOOR} > Outdoor Furniture Sets"),
    rule("bike", r"amplifier", f"{MUSIC_ACC} > Musical Instrument Amplifiers"),
    rule("bike", r"stroller", "Baby & Toddler > Baby Transport > Baby Strollers"),
    rule(
        "bike",
        r"power chair|jazzy",
        "Health & Beauty > Health Care > Mobility & Accessibility > "
        "Accessibility Equipment > Mobility Scooters",
    ),
    rule(
        "bike",
        r"spinfit|spin bike|exercise bike|stationary|indoor cycle|therap\w* motorized cycle",
        "Sporting Goods > Exercise & Fitness > Cardio > Cardio Machines > Exercise Bikes",
    ),
    rule("bike", r"engine kit|motor kit", BIKE_PARTS),
    rule(
        "bike",
        r"electric bike kits?|conversion kit|e-?bike kit",
        f"{BIKE_ACC} > Electric Bicycle Conversion Kits",
    ),
    rule("bike", r"\batv\b", f"{MOTOR_VEHICLES} > Off-Road and All-Terrain Vehicles > ATVs & UTVs"),
    rule(
        "bike",
        r"\d{2,3} ?cc\b|motorbike|moped|garelli|motor scooter|dirt bike|pit bike|mini bike|motorcycle|"
        r"\bvespa\b|"
        r"antique scooter",
        f"{MOTOR_VEHICLES} > Motorcycles & Scooters",
    ),
    rule(
        "bike",
        r"pedal (tractor|car)|tractor w/ wagon",
        "Toys & Games > Toys > Riding Toys > Push & Pedal Riding Vehicles",
    ),
    rule(
        "bike",
        r"scooter|ninebot|electric wheel|hoverboard|trikke",
        "Sporting Goods > Outdoor Recreation > Riding Scooters",
    ),
    rule(
        "bike",
        r"long ?board|skate ?board",
        "Sporting Goods > Outdoor Recreation > Skateboarding > Skateboards",
    ),
    rule("bike", r"unicycle", f"{CYCLING} > Unicycles"),
    rule("bike", r"tri[cy]y?cle|trycicle|\btrikes?\b|catrike|\b(3|three)[- ]wheel", f"{CYCLING} > Tricycles"),
    # --- Bikes: apparel, car racks and other accessories (before the bikes they mention) ---------------
    rule(
        "bike",
        _without(r"helmet", r"(\+|w/|w\.|with|free|lock|,)\s*.*helmet"),
        f"{CYCLING} > Cycling Apparel & Accessories > Bicycle Helmets",
    ),
    rule("bike", _without(r"\bshoes\b", r"bike (&|and|\+)"), "Apparel & Accessories > Shoes"),
    rule("bike", r"jacket", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets"),
    rule(
        "bike",
        r"jersey",
        "Apparel & Accessories > Clothing > Activewear > Bicycle Activewear > Bicycle Jerseys",
    ),
    rule("bike", r"gloves", f"{CYCLING} > Cycling Apparel & Accessories > Bicycle Gloves"),
    rule(
        "bike",
        r"(bike|bicycle) trailer|trailer bike|trail-a-bike|co-?pilot|\bburley\b|\bchariot\b",
        f"{BIKE_ACC} > Bicycle Trailers",
    ),
    rule(
        "bike",
        _without(
            r"thule|yakima|saris|\bkuat\b|allen sports|hollywood (rack|trunk)|hollywood.*rack|hitch|trunk|"
            r"\broof\b|car rack|"
            r"bike (rack|carrier)|bicycle rack|forklift|fork mount",
            r"(bike|bicycle) ?\+|rear rack",
        ),
        f"{VEH_ACC} > Vehicle Storage & Cargo > Motor Vehicle Carrying Racks > Vehicle Bicycle Racks",
    ),
    rule("bike", r"rear rack|front rack|pannier rack", f"{BIKE_ACC} > Bicycle Front & Rear Racks"),
    rule(
        "bike",
        r"(bike|bicycle) stand|repair stand|work ?stand|wall mount",
        f"{BIKE_ACC} > Bicycle Stands & Storage",
    ),
    rule("bike", _without(r"trainer|rollers", r"bike (and|&|\+) trainer"), f"{BIKE_ACC} > Bicycle Trainers"),
    rule(
        "bike", r"travel case|bike box|transport (bag|case)", f"{BIKE_ACC} > Bicycle Transport Bags & Cases"
    ),
    rule(
        "bike",
        _without(r"(bicycle|bike|saddle|frame|handlebar) bag|panniers", r"\+|w/|with"),
        f"{BIKE_ACC} > Bicycle Bags & Panniers",
    ),
    rule("bike", _without(r"\block\b|u-lock", r"\+|w/|with|,|including"), f"{BIKE_ACC} > Bicycle Locks"),
    rule("bike", _without(r"\bpump\b", r"\bw\b|w/|with"), f"{BIKE_ACC} > Bicycle Pumps"),
    rule("bike", r"tire kit|tubeless kit", f"{BIKE_ACC} > Bicycle Tire Repair Supplies & Kits"),
    # --- Bikes: parts (a size like "54cm frame" or "26\" wheels" describes a whole bicycle) -------------
    rule(
        "bike",
        _without(
            r"frame ?sets?|frame only|frame kit|\bframe\b",
            r"\bbikes?\b|bicycle|roadbike|cruiser|"
            r"\d+(\"|cm| ?inch)? ?(\w+ )?frame\b|size \d+ frame|women'?s frame|ladies|comfort frame|"
            r"triangle frame|tall frame|short frame|\bmtb\b|hybrid|speed|picture frame",
        ),
        f"{BIKE_PARTS} > Bicycle Frames",
    ),
    rule(
        "bike",
        _without(r"\bforks?\b|front shocks", r"bicycle|\bbikes?\b|full suspension|frame|jekyll|\bmtb\b"),
        f"{BIKE_PARTS} > Bicycle Forks",
    ),
    rule(
        "bike",
        _without(r"group ?set|gruppo|\bgroup\b", r"\bbikes?\b|bicycle|\d\d ?cm"),
        f"{BIKE_PARTS} > Bicycle Groupsets",
    ),
    rule("bike", _without(r"crank ?set|cranks\b", r"tandem|\bbikes?\b"), f"{DRIVETRAIN} > Bicycle Cranks"),
    rule("bike", _without(r"shifter|derailleur", r"\bbikes?\b|bicycle"), f"{DRIVETRAIN} > Bicycle Shifters"),
    rule(
        "bike",
        _without(r"pedals?\b", r"\bbikes?\b|bicycle|pedal brake|jekyll"),
        f"{DRIVETRAIN} > Bicycle Pedals",
    ),
    rule(
        "bike",
        _without(r"cleats", r"\bbikes?\b"),
        f"{CYCLING} > Cycling Apparel & Accessories > Bicycle Cleats",
    ),
    rule("bike", r"aero ?bars", f"{BIKE_PARTS} > Bicycle Handlebar Extensions"),
    rule(
        "bike",
        _without(r"seat ?post", r"\bbikes?\b|bicycle|frame|dropper"),
        f"{BIKE_PARTS} > Bicycle Seatposts",
    ),
    rule(
        "bike",
        _without(r"\bsaddle\b", r"w/|with|\+|,|\bbikes?\b|saddleback"),
        f"{BIKE_PARTS} > Bicycle Saddles",
    ),
    rule(
        "bike",
        _without(
            r"wheel ?sets?|\bwheels?\b|\brims\b",
            r"\bbikes?\b(?! wheels)|bicycle|cruiser|trike|"
            r"training|hot wheels|3 wheel|three wheel|wheel size|\d\d\"? ?wheels?\b|full \w+|\d\d ?cm|"
            r"carbon|frame|madone|jet 9|colnago|giant|specialized|lemond|mercier|ksyrium|campagnolo|^\d{4}\b|"
            r"free ?wheel|gary fisher",
        ),
        f"{BIKE_PARTS} > Bicycle Wheels",
    ),
    rule(
        "bike",
        _without(r"\btires?\b", r"\bbikes?\b|bicycle|hybrid tires|cruiser|scooter|\d+\"? tire\b"),
        f"{BIKE_PARTS} > Bicycle Tires",
    ),
    rule("bike", r"^(bmx|bike)? ?parts|parts only|bike parts", BIKE_PARTS),
    # --- Bikes: complete bicycles ----------------------------------------------------------------------
    rule(
        "bike",
        r"\bbikes?\b|bicycle|roadbike|\bbmx\b|cruiser|\bmtb\b|\bmtn\b|fixie|fixed gear|single ?speed|"
        r"tandem|\d+[- ]?(speed|spd)|\d\d ?cm\b|\b(29er|650b|700c|27\.5|26\"|29\")|road|mountain|hybrid|"
        r"commuter|track|touring|cyclocross|gravel|e-?bike|electric|" + BIKE_BRANDS,
        f"{CYCLING} > Bicycles",
    ),
    # --- Cars: parts and accessories sold on their own ------------------------------------------------
    rule(
        "car",
        _without(
            r"\brims?\b|\bwheels\b|\btires\b", YEAR, r"new (\w+ )?tires|runs|clean|reliable|smog|miles|title"
        ),
        f"{CAR_WHEELS} > Motor Vehicle Rims & Wheels > Automotive Rims & Wheels",
    ),
    rule(
        "car",
        _without(r"transmission$", YEAR, r"manual|automatic|new transmission|smg|dct|auto trans"),
        f"{CAR_PARTS} > Motor Vehicle Transmission & Drivetrain Parts",
    ),
    rule(
        "car",
        _without(
            r"\b(engine|motor)\b",
            YEAR,
            r"needs|w/o|no engine|swap|built|not running|special|runs|"
            r"title|miles|repair|light",
        ),
        f"{CAR_PARTS} > Motor Vehicle Engines",
    ),
    rule(
        "car",
        r"bumper|tail ?light|roof trim|side ?view mirrors",
        f"{CAR_PARTS} > Motor Vehicle Frame & Body Parts",
    ),
    rule("car", r"brake kit", f"{CAR_PARTS} > Motor Vehicle Braking"),
    rule("car", r"headers|exhaust system|muffler", f"{CAR_PARTS} > Motor Vehicle Exhaust"),
    rule(
        "car",
        _without(r"ladder|lumber rack|roof rack", YEAR, r"with|w/"),
        f"{VEH_ACC} > Vehicle Storage & Cargo > Motor Vehicle Carrying Racks > Vehicle Cargo Racks",
    ),
    rule(
        "car", r"car stereo|head unit|subwoofer", f"{CAR_AUDIO} > Motor Vehicle A/V Players & In-Dash Systems"
    ),
    rule("car", _without(r"part(ing|s)? ?out|parts only|for parts|parts car", r"for parts or"), CAR_PARTS),
    # --- Cars: vehicles other than cars, trucks and vans ----------------------------------------------
    rule(
        "car",
        _without(
            r"harley|davidson|motorcycle|ducati|kawasaki|ninja|sportster|softail|electra glide|"
            r"road king|gold ?wing|\bcbr\d*|vespa|scooter|moped|dirt bike|\bktm\b|chopper",
            r"f-?150",
        ),
        f"{MOTOR_VEHICLES} > Motorcycles & Scooters",
    ),
    rule(
        "car",
        r"motor ?home|\brv\b|winnebago|camper van|westfalia|airstream|class [abc] (rv|motor)",
        f"{MOTOR_VEHICLES} > Recreational Vehicles",
    ),
    rule(
        "car",
        r"travel trailer|fifth wheel|5th wheel|camper trailer|pop-?up camper",
        f"{TRAILERS} > Travel Trailers",
    ),
    rule("car", r"boat trailer", f"{TRAILERS} > Boat Trailers"),
    rule("car", r"horse trailer|livestock trailer", f"{TRAILERS} > Horse & Livestock Trailers"),
    rule(
        "car",
        _without(r"\btrailers?\b", r"jeep|rock crawler|tow package"),
        f"{TRAILERS} > Utility & Cargo Trailers",
    ),
    rule("car", r"sail ?boat|catamaran", f"{VEHICLES} > Watercraft > Sailboats"),
    rule("car", r"jet ?ski|sea-?doo|wave ?runner", f"{VEHICLES} > Watercraft > Personal Watercraft"),
    rule("car", r"\bboat\b|pontoon|bass boat", f"{VEHICLES} > Watercraft > Motor Boats"),
    rule("car", r"golf cart|^club car$", f"{MOTOR_VEHICLES} > Golf Carts"),
    rule(
        "car",
        r"\batv\b|\butv\b|\bquad\b(?! ca[bd])|side[- ]by[- ]side|polaris|\brzr\b|can-am",
        f"{MOTOR_VEHICLES} > Off-Road and All-Terrain Vehicles > ATVs & UTVs",
    ),
    rule(
        "car",
        r"go ?kart|dune buggy|sand rail",
        f"{MOTOR_VEHICLES} > Off-Road and All-Terrain Vehicles > Go Karts & Dune Buggies",
    ),
    # --- Cars: cars, trucks and vans (by model year, make or body style) ------------------------------
    rule(
        "car",
        YEAR + r"|^'?\d\d\b|" + CAR_MAKES + r"|\b(sedan|coupe|convertible|hatchback|wagon|truck|pick ?up|van|"
        r"minivan|suv|4x4|awd|4wd|v6|v8|diesel|turbo|hybrid|smog|miles|title)\b|wanted|looking to",
        f"{MOTOR_VEHICLES} > Cars, Trucks & Vans",
    ),
]

FALLBACK: dict[str, str] = {
    "bike": f"{CYCLING} > Bicycles",
    "electronics": "Electronics",
    "furniture": "Furniture",
    "phone": f"{PHONES} > Unlocked Mobile Phones",
    "car": f"{MOTOR_VEHICLES} > Cars, Trucks & Vans",
}


def classify(title: str, source: str) -> str:
    """The taxonomy path for a listing title from a Craigslist section (bike, electronics, furniture, phone, car)."""
    for r in RULES:
        if source in r.sources and r.pattern.search(title):
            return r.path
    return FALLBACK[source]
