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


def _handsets(sources: str, pattern: str) -> list[Rule]:
    """Rules for mobile phone listings matching `pattern`: unlocked, pre-paid or contract by the carrier named."""
    return [
        rule(sources, _all(pattern, UNLOCKED), f"{PHONES} > Unlocked Mobile Phones"),
        rule(sources, _all(pattern, PREPAID), f"{PHONES} > Pre-paid Mobile Phones"),
        rule(sources, _all(pattern, CONTRACT), f"{PHONES} > Contract Mobile Phones"),
        rule(sources, pattern, f"{PHONES} > Unlocked Mobile Phones"),
    ]


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
STORAGE_SIZE = r"\b(4|8|16|32|64|128|256) ?(gb?|gig|go|giga)\b"
WITH_EXTRAS = (
    STORAGE_SIZE + r"|(\bw/|\bwith\b|\+|\bincludes?\b)\s*(\S+\s+){0,3}?(cases?|chargers?|new batter|cords?|"
    r"accessories|extras|ear ?buds|box\b)|free case"
)
IPHONE = r"\bi ?-?phone"
PHONE_WORDS = (
    IPHONE + r"|galaxy (s\d|note|j\d|on\d|prime|core|edge|grand)|\bsamsung (s[2-8]\b|note|j\d)|smart ?phone|cell ?phones?"
    r"|\bmoto ?[gexz]\b|\bdroid\b|blackberry|\bnexus [456]|\bhtc\b|\blg (g\d|v\d0|k\d|optimus|stylo)|nokia|lumia"
    r"|kyocera|pantech|\bzte\b|huawei|one ?plus|sony ericsson|xperia|flip ?phone|\bvertu\b|zenfone|\bblu r\d"
    r"|\blg g (flex|stylo)|\bpixel\b|galaxy \d|galaxy pocket|mi mix|sidekick|\brazr\b"
)
UNLOCKED = r"\bu?nlock(ed)?\b|unloocked|world ?phone|\bgsm\b|dual sim|jail-?broken"
PREPAID = (
    r"metro ?pcs|metpcs|\bmetro\b|cricket|boost|virgin|straight ?talk|tracfone|total wireless|\bh2o\b"
    r"|pre-?paid|pay as you go|go ?phone|\bting\b|no[- ]contract"
)
CONTRACT = r"verizon|sprint|\bat ?& ?t\b|\batt\b|t-? ?mobile|\btmo\b|us ?cellular|(?<!ic )(?<!icloud )\blocked\b(?! ?icloud)|carrier"
CAR_AUDIO_BRANDS = (
    r"jl ?audio|\bjl \d|kicker|rockford|fosgate|\bmtx\b|alpine|phoenix gold|precision power|soundstream"
    r"|hifonics|renegade|blaupunkt|dual xpa|\bpunch\b"
)
PHONE_CASES = (
    r"\bcases?\b|\bcover\b|otter ?box|lifeproof|holster|armband|\bspeck\b|waterproof .*protector|power case"
)
PHONE_CHARGERS = r"chargers?\b|charging (pads?|dock)|power ?bank|powerstation|power adapter|solarjuice|juice pack"
SIZE = r"\b\d\d(\.\d)? ?(\"|''|”|-?inch(es)?\b|in\b)"

RULES: list[Rule] = [
    # --- Phones & electronics: things that are not electronics at all ----------------------------------
    rule("phone", r"hound dog", "Animals & Pet Supplies > Live Animals"),
    rule("electronics", r"\bjacket\b", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets"),
    rule("electronics", r"wetsuit", "Sporting Goods > Outdoor Recreation > Boating & Water Sports > "
         "Boating & Water Sport Apparel > Wetsuits"),
    rule("phone", r"snapbacks|flyknit", "Apparel & Accessories > Clothing Accessories > Hats"),
    rule("electronics", r"gift card", "Arts & Entertainment > Party & Celebration > Gift Giving > "
         "Gift Cards & Certificates"),
    rule("electronics", r"motorhome", f"{MOTOR_VEHICLES} > Recreational Vehicles"),
    rule("electronics", r"bar stools?|\bstools?\b", f"{CHAIRS} > Table & Bar Stools"),
    rule("electronics", r"stair ?(chair)?lift|chairlift", "Health & Beauty > Health Care > Mobility & Accessibility > "
         "Accessibility Equipment > Stair Lifts"),
    rule("electronics", r"ho+verboard|balanc(e|ing) board(?!.*\bwii\b)", "Sporting Goods > Outdoor Recreation > "
         "Riding Scooters"),
    rule("electronics", r"indoor cycle|exercise bike", "Sporting Goods > Exercise & Fitness > Cardio > "
         "Cardio Machines > Exercise Bikes"),
    rule("electronics", r"vaporizer|\bpax\b", "Food, Beverages & Tobacco > Tobacco Products > "
         "Vaporizers & Electronic Cigarettes > Vaporizers"),
    rule("electronics", r"box mod|vaping|e-cig|subvod", "Food, Beverages & Tobacco > Tobacco Products > "
         "Vaporizers & Electronic Cigarettes > Electronic Cigarettes"),
    rule("electronics", r"fidget|spinners", "Toys & Games > Toys"),
    rule("electronics", r"\bbb-8\b", f"{RC_TOYS} > Remote Control Robots"),
    rule("electronics", r"digivice|electronic baseball", "Toys & Games > Games"),
    rule("electronics", r"arcade|pachislo", "Electronics > Arcade Equipment > Video Game Arcade Cabinets"),
    rule("electronics", r"breathalyzer", "Health & Beauty > Health Care > Biometric Monitors > Breathalyzers"),
    rule("electronics", r"smart scale", "Health & Beauty > Health Care > Biometric Monitors > Body Weight Scales"),
    rule("electronics", r"\bcpap\b", "Health & Beauty > Health Care > Respiratory Care"),
    rule("electronics", r"massage|back2life", "Health & Beauty > Personal Care > Massage & Relaxation > Massagers > "
         "Electric Massagers"),
    rule("electronics", r"toothbrush|sonicare", "Health & Beauty > Personal Care > Oral Care > Toothbrushes"),
    rule("electronics", r"mood (relief|light)", "Health & Beauty > Health Care > Light Therapy Lamps"),
    # Household appliances.
    rule("electronics", r"vacuum", f"{APPLIANCES} > Vacuums"),
    rule("electronics", r"carpet extractor", f"{APPLIANCES} > Floor & Steam Cleaners > Carpet Shampooers"),
    rule("electronics", r"\bdryer\b", f"{APPLIANCES} > Laundry Appliances > Dryers"),
    rule("electronics", r"washing machine|\bwasher\b", f"{APPLIANCES} > Laundry Appliances > Washing Machines"),
    rule("electronics", r"steamer", f"{APPLIANCES} > Laundry Appliances > Garment Steamers"),
    rule("electronics", r"\bheater", f"{APPLIANCES} > Climate Control Appliances > Space Heaters"),
    rule("electronics", r"\bfan\b", f"{APPLIANCES} > Climate Control Appliances > Fans > Desk & Pedestal Fans"),
    rule("electronics", r"refrigerator|fridge", f"{KITCHEN} > Refrigerators"),
    rule("electronics", r"microwave", f"{KITCHEN} > Microwave Ovens"),
    rule("electronics", r"espresso", f"{KITCHEN} > Coffee Makers & Espresso Machines"),
    rule("electronics", r"coffee maker|mr\.? coffee", f"{KITCHEN} > Coffee Makers & Espresso Machines > "
         "Drip Coffee Makers"),
    rule("electronics", r"coffee mug", "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs"),
    # Home, office and workshop electrics.
    rule("electronics", r"clock", f"{DECOR} > Clocks > Alarm Clocks"),
    rule("electronics", r"picture frame", f"{DECOR} > Picture Frames"),
    rule("electronics", r"(?<!with )\bbulbs\b|bayonet|lights/lamps", f"{LIGHTING} > Light Bulbs"),
    rule("electronics", r"led tube", f"{LIGHTING} > Light Bulbs > LED Light Bulbs"),
    rule("electronics", r"light bar|strobe", f"{CAR_PARTS} > Motor Vehicle Lighting"),
    rule("electronics", _without(r"\blamps?\b|torchier", r"^tv\b"), f"{LIGHTING} > Lamps"),
    rule("electronics", r"fluorescent|bench lights|led.module", f"{LIGHTING} > Lighting Fixtures > "
         "Ceiling Light Fixtures"),
    rule("electronics", r"kind led|grow light", "Home & Garden > Lawn & Garden > Gardening"),
    rule("electronics", r"umbrella light|tent light", f"{LIGHTING}"),
    rule("electronics", r"calculators?|calc plus|ti-8\d|\bhp 10s\b|texas instrument", "Office Supplies > Office Equipment > Calculators"),
    rule("electronics", r"typewriter", "Office Supplies > Office Equipment > Typewriters"),
    rule("electronics", r"label maker", "Office Supplies > Office Equipment > Label Makers"),
    rule("electronics", r"dictionary|ex-word", "Office Supplies > Office Equipment > Electronic Dictionaries & "
         "Translators"),
    rule("electronics", r"laser presenter|laser pointer", "Office Supplies > Presentation Supplies > Laser Pointers"),
    rule("electronics", r"\bpos\b|cash register", "Business & Industrial > Retail > Money Handling > "
         "Cash Registers & POS Terminals > POS Terminals"),
    rule("electronics", r"barcode", f"{INPUT} > Barcode Scanners"),
    rule("electronics", r"metal detector", "Business & Industrial > Law Enforcement > Metal Detectors"),
    rule("electronics", r"oscilloscope|\bscope\b|multimeter|logic probe", "Hardware > Tools > Measuring Tools & "
         "Sensors > Electrical Testing Tools"),
    rule("electronics", r"motion sensor pasco|pasco scientific", "Business & Industrial > Science & Laboratory"),
    rule("electronics", r"telescope", "Cameras & Optics > Optics > Scopes > Telescopes"),
    rule("electronics", r"binocular|binox", "Cameras & Optics > Optics > Binoculars"),
    rule("electronics", r"compass", "Sporting Goods > Outdoor Recreation > Camping & Hiking > Navigational Compasses"),
    rule("electronics", r"fog machine", "Arts & Entertainment > Party & Celebration > Special Effects > Fog Machines"),
    rule("electronics", r"polisher", "Hardware > Tools > Polishers & Buffers"),
    rule("electronics", r"\bmotor\b", f"{ELECTRICAL} > Electrical Motors"),
    rule("electronics", r"circuit breaker", f"{ELECTRICAL} > Circuit Breaker Panels"),
    rule("electronics", r"\bfuses\b|contactor|\bmeter\b|electrical cabinet|timer|electric & electronic connections",
         ELECTRICAL),
    rule("electronics", r"light switch", f"{ELECTRICAL} > Electrical Switches"),
    rule("electronics", r"solar panels?", f"{ELECTRICAL} > Solar Panels"),
    rule("electronics", r"inverter", f"{ELECTRICAL} > Power Inverters"),
    rule("electronics", r"smart ?things|home control|smart home hub|modlet|insteon", f"{ELECTRICAL} > "
         "Home Automation Kits"),
    rule("electronics", r"thermostat", "Hardware > Heating, Ventilation & Air Conditioning > HVAC Controls > "
         "Thermostats"),
    rule("electronics", r"smart lock", "Hardware > Locks & Keys > Locks & Latches"),
    rule("electronics", r"nest protect|smoke detector(?!.*camera)", "Home & Garden > Flood, Fire & Gas Safety > "
         "Smoke & Carbon Monoxide Detectors > Smoke Detectors"),
    rule("electronics", r"doorbell|door chime", "Hardware > Building Materials > Door Hardware > Door Bells & Chimes"),
    rule("electronics", r"pool and spa|actuator valve", "Home & Garden > Pool & Spa > Pool & Spa Accessories"),
    # Home security.
    rule("electronics", r"\bdvr\b.*camera|camera.*\bdvr\b|security system|surveillance|survalence",
         f"{SECURITY} > Security Monitors & Recorders"),
    rule("electronics", r"alarm(?! clock)|detector|annunciator", f"{SECURITY} > Home Alarm Systems"),
    rule("electronics", r"security camera|cctv|dropcam|\barlo\b|cloud camera|pet video camera|wireless n camera",
         f"{CAMERAS} > Surveillance Cameras"),
    rule("electronics", r"baby monitor", "Baby & Toddler > Baby Safety > Baby Monitors"),

    # --- Phones & electronics: mobile phone accessories -------------------------------------------------
    # In the electronics section an accessory word only makes a phone accessory when a phone is named.
    # Repair services, then phones for parts and replacement screens.
    rule("phone", r"unlock (and|phone|unblock)|unblock|flash(ing)? (your|phones)|flash2unlock|activate .*phones|"
         r"consultation|phone fix|repairs?|lcd repair", TEL),
    rule("phone", r"screen replacement|screens done|\blcd\b|digitizer|\bfor parts\b|parts only|parts/repair",
         f"{PHONE_ACC} > Mobile Phone Replacement Parts"),
    rule("electronics", r"screen replacement|iphone.*for parts", f"{PHONE_ACC} > Mobile Phone Replacement Parts"),
    rule("phone", r"empty .*box|original box|box and .*only|\bboxes\b", PHONE_ACC),
    # A handset sold with its storage size stated or "with case/charger/extras" is the handset, not the extras.
    *_handsets("phone electronics", _all(PHONE_WORDS, WITH_EXTRAS)),
    rule("phone electronics", r"screen protect|tempered glass|glass protector",
         f"{EACC} > Electronics Films & Shields > Screen Protectors"),
    rule("phone", r"speakers?|bedside audio", f"{AUDIO} > Speakers"),
    rule("electronics", r"bedside audio", f"{AUDIO} > Speakers"),
    rule("electronics", r"headphone amp", f"{AUDIO} > Audio Amplifiers > Headphone Amplifiers"),
    rule("phone electronics", r"head ?phones?|ear ?phones?|ear ?(buds?|pods)|air ?pods|in-ear|over-ear|"
         r"quiet ?comfort|beats (solo|studio|pro|mixr)|bests solo|powerbeats|urbeats|soundsport|soundtrue|iconx|"
         r"jaybird|sol republic|skullcandy|v-moda|mh40", f"{AUDIO} > Headphones & Headsets > Headphones"),
    rule("phone electronics", r"\bskins?\b|full body wrap", f"{EACC} > Electronics Films & Shields > "
         "Electronics Stickers & Decals"),
    rule("phone electronics", _without(r"watch (replacement )?bands?|watch box|winder|iwatch steel band", "fenix"),
         "Apparel & Accessories > Jewelry > Watch Accessories"),
    rule("phone electronics", r"keyboard (cover|dock)|ipad keyboard|ipad.*case with keyboard", f"{INPUT} > Keyboards"),
    rule("phone", PHONE_CASES, f"{PHONE_ACC} > Mobile Phone Cases"),
    rule("electronics", _all(PHONE_CASES, PHONE_WORDS), f"{PHONE_ACC} > Mobile Phone Cases"),
    rule("phone electronics", r"selfie stick|tripod stand for", f"{EACC} > Mobile Phone & Tablet Tripods & Monopods"),
    rule("phone electronics", r"zoom with tripod|phone lens", f"{PHONE_ACC} > Mobile Phone Camera Accessories"),
    rule("phone electronics", r"phone (holder|mount|stand)|phone photo/video stand|adjustable holder|dex station|"
         r"elevation dock", f"{PHONE_ACC} > Mobile Phone Stands"),
    rule("phone", r"\bdock\b(?! connector)", f"{PHONE_ACC} > Mobile Phone Stands"),
    rule("phone electronics", _without(r"\bsim\b", r"dual sim|no sim"),
         f"{PHONE_ACC} > Mobile Phone Pre-Paid Cards & SIM Cards > SIM Cards"),
    rule("phone", r"family plan|prepay service|bring your phone plan",
         f"{PHONE_ACC} > Mobile Phone Pre-Paid Cards & SIM Cards > Mobile Phone Pre-Paid Cards"),
    rule("phone electronics", r"micro ?sd|sd ?cards?(?! slot)|sdhc|sdxc|memory card|compact flash",
         f"{EACC} > Memory > Flash Memory > Flash Memory Cards"),
    rule("phone electronics", r"card reader(?!.*usb)|cc reader", f"{INPUT} > Electronic Card Readers"),
    rule("phone electronics", r"item (finder|tracker)|tile mate|trackr", "Electronics > GPS Tracking Devices"),
    rule("phone", PHONE_CHARGERS, f"{POWER} > Power Adapters & Chargers"),
    rule("electronics", _all(PHONE_CHARGERS, PHONE_WORDS + r"|phones|bluetooth car"),
         f"{POWER} > Power Adapters & Chargers"),
    rule("phone", r"batter(y|ies)", f"{POWER} > Batteries > Mobile Phone Batteries"),
    rule("electronics", _all(r"batter(y|ies)", r"kyocera|samsung galaxy|iphone"),
         f"{POWER} > Batteries > Mobile Phone Batteries"),
    rule("phone", r"\bcables?\b|\bcord\b|lightning", f"{CABLES} > Storage & Data Transfer Cables"),
    rule("electronics", r"micro usb cables|lightning cable", f"{CABLES} > Storage & Data Transfer Cables"),
    rule("phone", r"\bhm\d{4}\b|\bbluetooth$", f"{AUDIO} > Headphones & Headsets > Headsets"),
    rule("phone electronics", r"head ?sets?(?!.*(virtual|vr\b))|hearset|handfree|hands-free|plantronics|platronics|"
         r"planotronics|jabra|voyager|tone (pro|active)|handset", f"{AUDIO} > Headphones & Headsets > Headsets"),
    rule("electronics", r"oculus|htc vive", "Electronics > Video Game Console Accessories"),
    rule("phone electronics", _without(r"\bvr\b|virtual reality", r"cell phone|unlocked|galaxy s\d|kicker"),
         PHONE_ACC),
    rule("phone", r"^cell phone accessories", PHONE_ACC),
    # Phone services, landlines and other telephony.
    rule("phone", r"number for sale|vanity number", TEL),
    rule("phone electronics", r"cordless|\d phones$|uniden", f"{TEL} > Cordless Phones"),
    rule("phone electronics", r"hearing impaired|amplified corded|corded (tele)?phone|wall corded|landline|"
         r"telephones?\b(?! (wall )?cord)|\bip phone|voip internet phones", f"{TEL} > Corded Phones"),
    rule("phone electronics", r"ooma|voip adapters?|voice gateway", f"{NET} > Bridges & Routers > "
         "VoIP Gateways & Routers"),
    rule("phone electronics", r"conference phone|soundstation|speakerphone", f"{TEL} > Conference Phones"),
    rule("phone electronics", r"\bphone system|station card", TEL),
    rule("phone electronics", r"answering machine", "Electronics > Communications > Answering Machines"),
    rule("phone electronics", r"pagers?\b|paging", "Electronics > Communications > Pagers"),
    rule("phone electronics", r"walkie|(two|2)-way radio|\bs-line\b", "Electronics > Communications > "
         "Communication Radios > Two-Way Radios"),
    rule("phone electronics", r"network extender", f"{EACC} > Signal Boosters"),
    rule("phone electronics", r"airport (express|extreme)|access point|uap.ac", f"{NET} > Bridges & Routers > "
         "Wireless Access Points"),
    rule("phone", r"itrip", f"{AUDIO} > Audio Transmitters > FM Transmitters"),

    # --- Phones & electronics: wearables, tablets, computers ---------------------------------------------
    rule("phone electronics", r"fitbit|fit ?bit|gear fit|jawbone|misfit (wearables|flash)|vivo(fit|active)|fenix|"
         r"activity tracker|heart rate watch|sleep monitor", "Health & Beauty > Health Care > Biometric Monitors > "
         "Activity Monitors"),
    rule("phone electronics", r"watch|gear s\d|\bs3 frontier|pebble (2|time)|moto 360", "Apparel & Accessories > "
         "Jewelry > Watches"),
    rule("electronics", r"google glass|spectacles|bluetooth sunglasses", "Electronics > Computers > Smart Glasses"),
    rule("electronics", r"fpv goggles|drone.*(batter|parts)|(mavic|phantom|ehang).*(batter|parts)|lipo|r/c",
         "Toys & Games > Toys > Remote Control Toy Accessories"),
    rule("electronics", r"drone|quad ?copter|mavic|phantom \d|bebop|typhoon", f"{RC_TOYS} > Remote Control Helicopters"),
    rule("electronics", r"^apple pencil(?!.*charg)|stylus pen|pencil for ipad", f"{EACC} > Computer Accessories > Stylus Pens"),
    rule("electronics", r"laptop tray|monitor ergonomic stand", f"{EACC} > Computer Accessories > "
         "Computer Risers & Stands"),
    rule("electronics", r"piano apprentice", "Arts & Entertainment > Hobbies & Creative Arts > "
         "Musical Instrument & Orchestra Accessories > Musical Keyboard Accessories"),
    rule("phone electronics", r"kindle(?! fire)|nook(?! hd)", "Electronics > Computers > Handheld Devices > "
         "E-Book Readers"),
    rule("phone electronics", r"\bi ?pad\b(?! (charger|keyboard))|tablet|galaxy tab|\btab (a|3|\d)\b|kindle fire|"
         r"fire hd|nook hd|mi pad|playbook|g ?pad\b|\bwhite tab\b", "Electronics > Computers > Tablet Computers"),
    rule("electronics", r"pocket pc|ipaq|cassiopeia|cassiopia|electronic organizer", "Electronics > Computers > "
         "Handheld Devices > PDAs"),
    rule("electronics", r"macbook charger|macbook pro chargers|pencil charging adapter|crosley charging dock",
         f"{POWER} > Power Adapters & Chargers"),
    rule("electronics", r"mac ?book|laptop|notebook|chromebook|thinkpad|inspiron", "Electronics > Computers > Laptops"),
    rule("electronics", r"\bimac\b|desktop computer|mac mini|mac pro\b", "Electronics > Computers > Desktop Computers"),
    rule("electronics", r"mac os x", "Electronics > Computers"),

    # --- Phones: handsets, by carrier lock ---------------------------------------------------------------
    rule("phone electronics", _without(r"\bi ?pod\b|mp3 (digital music )?player|muvo|walkman mp3",
                                       r"iphone|in-?dash|double din|for ipod|speakers"), f"{PLAYERS} > MP3 Players"),
    *_handsets("phone", r"."),
    *_handsets("electronics", PHONE_WORDS),

    # --- Electronics: car audio and vehicle electronics (before home audio) ------------------------------
    rule("electronics", r"car alarm|viper|clifford", f"{VEH_ACC} > Vehicle Safety & Security > "
         "Vehicle Alarms & Locks > Automotive Alarm Systems"),
    rule("electronics", r"volt .*charger", f"{CAR_PARTS} > Motor Vehicle Power & Electrical Systems"),
    rule("electronics", r"dash ?cam", f"{CAMERAS} > Video Cameras"),
    rule("electronics", r"radar detector", "Electronics > Radar Detectors"),
    rule("electronics", r"car audio dig|\bdsp\b|coustic|summing interface", f"{CAR_AUDIO} > "
         "Motor Vehicle Equalizers & Crossovers"),
    rule("electronics", r"(sub|speaker) ?(woofer )?(box|enclosures?)\b(?!.*\b(kicker|jl|rockford)\b)|"
         r"^ported sub enclosure", f"{AUDIO_ACC} > Speaker Accessories > Speaker Components & Kits"),
    rule("electronics", _all(r"\bsubs?\b|sub-?woofers?|\d+w\d|basstube|solobaric|\bvr 1\d|\brfl\b|road thunder|"
                             r"enclosure|ported box|sealed box", CAR_AUDIO_BRANDS + r"|car|truck|kenwood|pioneer"),
         f"{CAR_AUDIO} > Motor Vehicle Subwoofers"),
    rule("electronics", r"\b\d+w\dv?\d?s?\b|car audio sub", f"{CAR_AUDIO} > Motor Vehicle Subwoofers"),
    rule("electronics", r"in-?dash|head unit|double din|car (stereo|radio|estereo|cd|dvd)|cd changer for car|"
         r"avh-\d|gm2\b|kenwood\. cd", f"{CAR_AUDIO} > Motor Vehicle A/V Players & In-Dash Systems"),
    rule("electronics", _all(r"\bamps?\b|amplifier|monoblock|\d+ ?watt|class ab|\.4\b|\.1\b",
                             CAR_AUDIO_BRANDS + r"|car|kenwood (?!.*(vintage|stereo|integrated))"),
         f"{CAR_AUDIO} > Motor Vehicle Amplifiers"),
    rule("electronics", r"speakers? for your car|truck seat|car speakers?", f"{CAR_AUDIO} > Motor Vehicle Speakers"),
    rule("electronics", r"car audio|kicker car stereo|" + CAR_AUDIO_BRANDS, CAR_AUDIO),

    # --- Electronics: cameras, video, games ---------------------------------------------------------------
    rule("electronics", r"kinect|balance board", "Electronics > Video Game Console Accessories > "
         "Home Game Console Accessories"),
    rule("electronics", r"camera bag", f"{CAM_PARTS} > Camera Bags & Cases"),
    rule("electronics", r"lens filters?", f"{CAM_ACC} > Camera Lens Accessories > Lens Filters"),
    rule("electronics", r"battery grip(?!.*(lens|nikon d|sigma))|^canon 7d +battery grip", f"{CAM_PARTS} > "
         "Camera Grips"),
    rule("electronics", r"glidecam|stabilizer|chesty|harness", f"{CAM_PARTS} > Camera Stabilizers & Supports"),
    rule("electronics", r"battery charger and battery for coolpix", f"{POWER} > Battery Accessories > "
         "Camera Battery Chargers"),
    rule("electronics", r"webcam|quickcam", f"{CAMERAS} > Webcams"),
    rule("electronics", r"camcorder|camcoder|handy ?cam|vixia|video camera|gopro|gdv\d|contour roam|360 camera|"
         r"cinema camera|production camera|bmpcc", f"{CAMERAS} > Video Cameras"),
    rule("electronics", r"film camera|nikon f2|movie camera|fujica", f"{CAMERAS} > Film Cameras"),
    rule("electronics", r"camera|dslr|mirrorless|\beos\b|rebel (t\d|xt)|nikon d\d|a6000|cyber-?shot|"
         r"powershot|coolpix|easyshare|canon t\d", f"{CAMERAS} > Digital Cameras"),
    rule("electronics", r"\blens\b", f"{CAM_ACC} > Camera & Video Camera Lenses > Camera Lenses"),
    rule("electronics", r"teleprompter", f"{VIDEO} > Video Editing Hardware & Production Equipment"),
    rule("electronics", r"mpk mini|drum controller|maschine", f"{MUSIC} > Electronic Musical Instruments > "
         "MIDI Controllers"),
    rule("electronics", r"rock band|guitar hero", f"{INPUT} > Game Controllers > Musical Instrument Game Controllers"),
    rule("electronics", r"driving force|racing wheel", f"{INPUT} > Game Controllers > Game Racing Wheels"),
    rule("electronics", r"^(nba|madden|fifa|call of duty)\b|battle grids", "Software > Video Game Software"),
    rule("electronics", r"\bps ?[234]\b(?! controller)|playstation|x-?box|\bwii\b|nintendo|\b3ds\b|\bpsp\b|"
         r"game ?cube|sega(?!.*fire stick)", "Electronics > Video Game Consoles"),
    rule("electronics", _without(r"controller", r"skycontroller|servo|elevator|solar"),
         f"{INPUT} > Game Controllers > Gaming Pads"),
    rule("electronics", r"garmin edge", f"{BIKE_ACC} > Bicycle Computers"),
    rule("electronics", r"gps|navi\w*ional|navigation|nuvi|tomtom|magellan|explorist", "Electronics > GPS Navigation Systems"),

    # --- Electronics: computers' peripherals, storage, networking, power ---------------------------------
    rule("electronics", r"printhead|print head", f"{PRINT} > Printer, Copier & Fax Machine Accessories > "
         "Printer Consumables > Printheads"),
    rule("electronics", _without(r"toner|\bink\b|cartridge", r"printer\b|\bdisc\b"), f"{PRINT} > Printer, Copier & Fax Machine Accessories > "
         "Printer Consumables > Toner & Inkjet Cartridges"),
    rule("electronics", r"printers?|copier|\bfax\b|officejet|pixma|laserjet|\bmfc\b|photosmart", f"{PRINT} > "
         "Printers, Copiers & Fax Machines"),
    rule("electronics", r"scanner|linoscan", f"{PRINT} > Scanners"),
    rule("electronics", r"digital piano|professional keyboard", f"{MUSIC} > Electronic Musical Instruments > "
         "Musical Keyboards"),
    rule("electronics", r"gaming key ?pad|keyboard(?!.*(professional|piano))", f"{INPUT} > Keyboards"),
    rule("electronics", r"trackpad", f"{INPUT} > Touchpads"),
    rule("electronics", r"\bmouse\b|rollermouse", f"{INPUT} > Mice & Trackballs"),
    rule("electronics", r"card reader", f"{INPUT} > Memory Card Readers"),
    rule("electronics", r"flash drive|usb stick|thumb drive", f"{STORAGE} > USB Flash Drives"),
    rule("electronics", r"docking station|hard drive dock", f"{STORAGE} > Hard Drive Accessories > Hard Drive Docks"),
    rule("electronics", _without(r"hard drive|\bssd\b|solid state drive|\b\d ?tb\b", r"xbox|ps4|tivo|router"),
         f"{STORAGE} > Hard Drives"),
    rule("electronics", r"external drive|optiarc", f"{STORAGE} > Optical Drives"),
    rule("electronics", r"pogoplug|dockstar|\bnas\b", f"{STORAGE} > Network Storage Systems"),
    rule("electronics", r"audio interface|focusrite|clarett", f"{COMP} > I/O Cards & Adapters > "
         "Audio Cards & Adapters"),
    rule("electronics", r"usb .*adapter|wireless usb", f"{NET} > Network Cards & Adapters"),
    rule("electronics", r"modem|docsis|u-verse|gateway|surfboard|surboard", f"{NET} > Modems"),
    rule("electronics", r"range extender|repeater", f"{NET} > Repeaters & Transceivers"),
    rule("electronics", r"poe switch|network switch|port switch", f"{NET} > Hubs & Switches"),
    rule("electronics", r"router|google wifi|linksys|wrt\d", f"{NET} > Bridges & Routers > Wireless Routers"),
    rule("electronics", r"\brack\b", f"{COMP} > Computer Racks & Mounts"),
    rule("electronics", r"lacing bars", f"{EACC} > Cable Management"),
    rule("electronics", r"battery backup|\bups\b|modem battery", f"{POWER} > UPS"),
    rule("electronics", r"surge protector|power ?bar|power strip", f"{POWER} > Power Strips & Surge Suppressors"),
    rule("electronics", r"travel .*adapt", f"{POWER} > Travel Converters & Adapters"),
    rule("electronics", r"battery charger", f"{POWER} > Battery Accessories > General Purpose Battery Chargers"),
    rule("electronics", PHONE_CHARGERS + r"|solar charger|usb power adapter|charging dock",
         f"{POWER} > Power Adapters & Chargers"),
    rule("electronics", r"battery case", f"{POWER} > Battery Accessories > Battery Holders"),
    rule("electronics", r"batter(y|ies)", f"{POWER} > Batteries > General Purpose Batteries"),

    # --- Electronics: video ------------------------------------------------------------------------------
    rule("electronics", _without(r"(tv|monitor|wall|flat panel)( flat)? (wall )?mount|mount(ing)? bracket|\btv mounts",
                                 r"(tv|hdtv|screen|television)\s+(with|w/|and|&|\+)"),
         f"{VIDEO} > Video Accessories > Television Parts & Accessories > TV & Monitor Mounts"),
    rule("electronics", r"projector screen|projection screen", f"{VIDEO} > Video Accessories > Projector Accessories "
         "> Projection Screens"),
    rule("electronics", _without(r"3d (active )?glasses", r"hdtv|\btv\b.*w/ 3d"), f"{VIDEO} > Video Accessories > 3D Glasses"),
    rule("electronics", r"antenna|rabbit ears", f"{EACC} > Antennas"),
    rule("electronics", r"cable tv amplifier|signal booster", f"{EACC} > Signal Boosters"),
    rule("electronics", r"splitter|switcher", f"{EACC} > Audio & Video Splitters & Switches"),
    rule("electronics", r"converter \(vga", f"{EACC} > Audio & Video Splitters & Switches"),
    rule("electronics", r"hdmi cables?|component (video )?cable|interconnect|speaker cable|\brca\)? cables?",
         f"{CABLES} > Audio & Video Cables"),
    rule("electronics", r"cat5|network cable", f"{CABLES} > Network Cables"),
    rule("electronics", r"telephone (wall )?cord", f"{CABLES} > Telephone Cables"),
    rule("electronics", _without(r"\bcables?\b", r"cable (tv|modem)|\bbox\b|mpa \d"),
         f"{CABLES} > Storage & Data Transfer Cables"),
    rule("electronics", r"satellite (tv )?receiver", f"{VIDEO} > Satellite & Cable TV > Satellite Receivers"),
    rule("electronics", r"satellite guy|sattelite|tv dish|dish installs", f"{VIDEO} > Satellite & Cable TV"),
    rule("electronics", _without(r"\bremotes?\b", r"receiver|player|changer|\bdvd\b|blu-?ray|except|w/ ?(smart )?remote|"
                                 r"with remote|no remote|voice remote|\btv\b|hdtv"), f"{EACC} > Remote Controls"),
    rule("electronics", _without(r"apple ?tv|fire ?tv|fire stick|tv stick|roku|chromecast|tv box|\bkodi\b|slingbox|"
                                 r"squeezebox|streamsmart|web-?tv|media (box|player|streamer)|movie box|dragon box|"
                                 r"stream to tv|hdmi adapter", SIZE, r"roku (smart )?(led )?tv"),
         f"{VIDEO_PLAYERS} > Streaming & Home Media Players"),
    rule("electronics", r"\btivo\b|\bdvr\b", f"{VIDEO_PLAYERS} > Digital Video Recorders"),
    rule("electronics", _without(r"\bmonitors?\b|thunderbolt display|cinema display",
                                 r"speaker|mini monitor|powered monitor|studio|mackie|krk|\bjbl\b|paradigm"),
         f"{VIDEO} > Computer Monitors"),
    rule("electronics", _without(r"\btvs?\b|\bt\.v\.|television|hdtv|flat ?screen|flat-panel|plasma|\bled tv|lcd tv",
                                 r"speakers?\b.*\btv\b"),
         f"{VIDEO} > Televisions"),
    rule("electronics", r"projector", f"{VIDEO} > Projectors > Multimedia Projectors"),

    # --- Electronics: home audio -------------------------------------------------------------------------
    rule("electronics", r"headphone amp", f"{AUDIO} > Audio Amplifiers > Headphone Amplifiers"),
    rule("electronics", r"public address|pa system", "Electronics > Audio > Public Address Systems"),
    rule("electronics", r"karaoke", f"{PLAYERS} > Karaoke Systems"),
    rule("electronics", r"turntable case", f"{AUDIO_ACC} > Turntable Accessories"),
    rule("electronics", r"dj cd mixing|vci 300", "Electronics > Audio > DJ & Specialty Audio > DJ Systems"),
    rule("electronics", r"boombox", f"{PLAYERS} > Boomboxes"),
    rule("electronics", r"jukebox", f"{PLAYERS} > Jukeboxes"),
    rule("electronics", r"turntables?|record (player|changer)|crosley cruiser|linn lp12", f"{PLAYERS} > "
         "Turntables & Record Players"),
    rule("electronics", r"mixer|rane (62|ttm)", f"{AUDIO} > Audio Mixers"),
    rule("electronics", r"equalizer", f"{AUDIO} > Signal Processors > Equalizers"),
    rule("electronics", r"cross ?over", f"{AUDIO} > Signal Processors > Crossovers"),
    rule("electronics", r"reverberation", f"{AUDIO} > Signal Processors > Effects Processors"),
    rule("electronics", r"microphones?|\bmic\b", f"{AUDIO} > Microphones"),
    rule("electronics", r"wireless transmitter", "Electronics > Audio > Stage Equipment > Wireless Transmitters"),
    rule("electronics", r"home (theat(er|re)|entertainment) system|theat(er|re) (sound )?system|surround (sound )?"
         r"system|home theat(er|re)$|^surround sound$|cinemate|lifestyle soundtouch|palermo|dvd cd home theatre",
         f"{PLAYERS} > Home Theater Systems"),
    rule("electronics", r"\bradio\b(?!.*(shack|cd))|shortwave|superadio|\btuner\b", f"{PLAYERS} > Radios"),
    rule("electronics", r"receivers?|reciever|recivier|\bavr\b|avr-? ?\d|\bav7702|beomaster|\bhtr-\d|tx-? ?(sr|nr|nd)"
         r"|tx 8050|\bsr ?\d{3}\b", f"{AUDIO} > Audio & Video Receivers"),
    rule("electronics", r"pre-?amp(lifier)?", f"{AUDIO} > Audio Amplifiers"),
    rule("electronics", r"\bamps?\b|amplifiers?|monoblock|\bst-70\b|stereoamplifier|sansui au|marantz mm|parasound|monster cable mpa", f"{AUDIO} > Audio Amplifiers > "
         "Power Amplifiers"),
    rule("electronics", r"woofer's|horns and drivers|raw speakers", f"{AUDIO_ACC} > Speaker Accessories > "
         "Speaker Components & Kits"),
    rule("electronics", r"speaker stands?(?! ?(and|&) (kenwood|speakers))", f"{AUDIO_ACC} > Speaker Accessories > "
         "Speaker Stands & Mounts"),
    rule("electronics", r"speakers?|loudspeakers?|sound ?bar|sub ?woof|subwoffer|\bsubs?\b|center channel|bookshelf|"
         r"tower|monitor|beats (pill|by dr\.? dre beatbox)|beatbox|soundlink|sounddock|megaboom|\bue roll|echo|"
         r"amazon (dot|tap)|google home|acoustimass|bose (301|201)|satellite|sound cube|basscube|velodyne|"
         r"klip ?kg|\bkef\b|jbl control|logitech z\d|magnepan|snell|paradigm|bowers|\bb&w\b|tannoy|klipsch|cambridge soundworks|marshall "
         r"acton|libratone|musicbox|energy audissey", f"{AUDIO} > Speakers"),
    rule("electronics", r"stereo system|music system|component stereo|klh model 25|stereo equipment|^pioneer stereo$|stero$|"
         r"compact disc/cassette system|dj gear|components$", f"{PLAYERS} > Stereo Systems"),
    rule("electronics", r"hub adapters|take up reel|tape reel|micro cassettes", f"{EACC} > "
         "Blank Media"),
    rule("electronics", r"reel[- ]to[- ]reel", f"{PLAYERS} > Reel-to-Reel Tape Players & Recorders"),
    rule("electronics", r"open reel|24-track", f"{PLAYERS} > Multitrack Recorders"),
    rule("electronics", r"audio recorder|voice (it|recorder)", f"{PLAYERS} > Voice Recorders"),
    rule("electronics", r"cassette|casette|tape deck|tape recorder|nakamichi", f"{PLAYERS} > "
         "Cassette Players & Recorders"),
    rule("electronics", r"net md", f"{PLAYERS} > MiniDisc Players & Recorders"),
    rule("electronics", r"dvd recorder", f"{VIDEO_PLAYERS} > DVD Recorders"),
    rule("electronics", r"blue?[- ]?ray|\bdvd\b|\bdvp\b", f"{VIDEO_PLAYERS} > DVD & Blu-ray Players"),
    rule("electronics", r"\bcd\b|compact disc|disc player|disk (cd )?player", f"{PLAYERS} > CD Players & Recorders"),

    # --- Electronics: musical instruments and sizes ------------------------------------------------------
    rule("electronics", r"synth kit", f"{MUSIC} > Electronic Musical Instruments > Sound Synthesizers"),
    rule("electronics", SIZE + r"|vizio|bravia|aquos|viera|\b(4k|uhd)\b", f"{VIDEO} > Televisions"),
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
