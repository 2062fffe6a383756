"""Seller words the taxonomy does not use and heads of more than one word: British, short and trade words
read through the vocabulary table (rules/search/vocabulary.yaml), WordNet's synonyms in the kind hints
(marketplace/build_kind_hints.py), a compound head ("car seat"), a product phrase that names the category
("electric guitar") and words that rule a category out ("gas" grill, not electric), on small indexes built
here, where popular sections (cars, bicycles) pull as the seed's do."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from marketplace import build_kind_hints
from marketplace.category_search import CategoryIndex
from marketplace.kind_hints import KindHint, kind_hints
from marketplace.text import content_words
from tests.test_category_search_knowledge import write_wordnet
from tests.test_category_search_reading import index, taxonomy, top

VOCABULARY_FILE = Path(build_kind_hints.ROOT) / "rules" / "search" / "vocabulary.yaml"

ROWS = taxonomy(
    "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
    "Vehicles > Motor Vehicles > Recreational Vehicles",
    "Sporting Goods > Cycling > Bicycles",
    "Baby & Toddler > Baby Transport > Baby Strollers",
    "Baby & Toddler > Baby Transport > Baby & Toddler Car Seats",
    "Furniture > Baby & Toddler Furniture > Cribs & Toddler Beds",
    "Furniture > Beds & Accessories > Beds & Bed Frames",
    "Arts > Musical Instruments > Brass Instruments > Alto & Baritone Horns",
    "Arts > Musical Instruments > Woodwinds > Saxophones",
    "Arts > Musical Instruments > String Instruments > Guitars",
    "Arts > Musical Instruments > Electronic Musical Instruments > Musical Keyboards",
    "Arts > Collectibles > Collectible Trading Cards",
    "Electronics > Telephony > SIM Cards",
    "Electronics > Input Devices > Keyboards",
    "Media > Books",
    "Apparel > Shoes",
    "Home & Garden > Household Appliances > Air Purifiers",
    "Home & Garden > Kitchen Appliances > Coffee Makers & Espresso Machines > Drip Coffee Makers",
    "Home & Garden > Kitchen Appliances > Coffee Makers & Espresso Machines > Espresso Machines",
    "Home & Garden > Kitchen Appliances > Electric Griddles & Grills",
    "Home & Garden > Kitchen Appliances > Outdoor Grills",
    "Home & Garden > Cookware > Pressure Cookers & Canners",
    "Home & Garden > Lawn & Garden > Pots & Planters",
    "Furniture > Tables > Coffee Tables",
    "Electronics > Video Games > Video Game Consoles",
)
# Electronics and furniture the product phrases name (and what their words alone would find).
ROWS_MORE = taxonomy(
    "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
    "Arts > Collectibles > Collectible Trading Cards",
    "Electronics > Telephony > SIM Cards",
    "Electronics > Communication Radios > Two-Way Radios",
    "Electronics > Audio > Radios",
    "Electronics > Storage Devices > USB Flash Drives",
    "Electronics > Storage Devices > Hard Drives",
    "Apparel > Hair Accessories > Hair Forks & Sticks",
    "Home & Garden > Decor > Clocks > Alarm Clocks",
    "Health & Beauty > Biometric Monitors > Activity Monitors",
    "Sporting Goods > Winter Sports & Activities",
    "Furniture > Cabinets & Storage > China Cabinets & Hutches",
    "Furniture > Cabinets & Storage > Storage Cabinets & Lockers",
    "Furniture > Cabinets & Storage > Wine & Liquor Cabinets",
    "Furniture > Entertainment Centers & TV Stands",
    "Electronics > Video > Televisions",
    "Home & Garden > Bathroom Accessories > Shower Walls & Surrounds",
    "Furniture > Shelving > Bookcases & Standing Shelves",
    "Furniture > Cabinets & Storage > Media Storage Cabinets & Racks",
    "Furniture > Room Dividers",
    "Home & Garden > Fireplace Accessories > Fireplace Screens",
    "Furniture > Beds & Accessories > Mattress Foundations",
    "Arts > Craft Supplies > Craft Shapes & Bases",
    "Furniture > Furniture Sets > Bedroom Furniture Sets",
    "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
    "Furniture > Furniture Sets > Living Room Furniture Sets",
    "Hardware > Plumbing > Bathroom Suites",
    "Furniture > Tables > Folding Tables",
    "Furniture > Office Furniture > Office Chairs",
    "Furniture > Office Furniture > Desks",
    "Cameras > Video Cameras",
    "Electronics > Audio > Headphones",
    "Arts > Musical Instruments > Electronic Musical Instruments > Sound Synthesizers",
    "Sporting Goods > Cycling > Bicycle Tire Repair Supplies & Kits",
)
TITLES_MORE = [("Televisions", f"Samsung 55in TV {n}") for n in range(5)]
TITLES_MORE += [("Cars, Trucks & Vans", f"{2000 + n} Toyota 4 wheel drive clean title") for n in range(20)]
TITLES_MORE += [("Hard Drives", f"WD {n}TB hard drive") for n in range(1, 6)]
TITLES_MORE += [("Desks", f"oak desk {n}") for n in range(5)]
TITLES_MORE += [("Headphones", f"Sony headphones {n}") for n in range(5)]
# The seed's popular sections: car ads (leather seats, gas), bicycle ads (fenders), computer keyboards; two
# bicycle ads offer a guitar too (and two other ads say "guitar").
TITLES = [("Cars, Trucks & Vans", f"{2000 + n} Honda Civic EX clean title") for n in range(25)]
TITLES += [("Cars, Trucks & Vans", f"{2000 + n} Toyota Camry leather seats gas saver") for n in range(5)]
TITLES += [("Bicycles", f"Trek road bike with fenders size {50 + n}") for n in range(30)]
TITLES += [
    ("Bicycles", "Ibanez electric guitar fs/ft for a road bike"),
    ("Bicycles", "Giant bike & Yamaha guitar for sale"),
]
TITLES += [
    ("Coffee Tables", "Guitar shaped coffee table"),
    ("Video Game Consoles", "xbox guitar hero drum set"),
]
TITLES += [("Keyboards", f"Logitech keyboard K{100 + n}") for n in range(3)]


@pytest.fixture(scope="module")
def ix() -> CategoryIndex:
    return index(ROWS, TITLES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pram", "Baby Strollers"),
        ("alto sax", "Saxophones"),
        ("weber gas bbq", "Outdoor Grills"),
        ("gas grill", "Outdoor Grills"),
        ("box of 20 paperback novels", "Books"),
        ("pokemon cards", "Collectible Trading Cards"),
        ("cot bed", "Cribs & Toddler Beds"),
        ("Air Jordan 1", "Shoes"),
        ("nespresso machine", "Espresso Machines"),
        ("instant pot duo 6 quart", "Pressure Cookers & Canners"),
        ("casio keyboard", "Musical Keyboards"),
        ("stokke baby cot", "Cribs & Toddler Beds"),
        ("travel cot", "Cribs & Toddler Beds"),
    ],
)
def test_a_sellers_word_the_taxonomy_lacks_is_read_as_its_words(
    ix: CategoryIndex, query: str, expected: str
) -> None:
    assert top(ix, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("magic the gathering cards", "Collectible Trading Cards"),
        ("mtg cards", "Collectible Trading Cards"),
        ("lorcana cards", "Collectible Trading Cards"),
        ("moving sale: walkie talkie", "Two-Way Radios"),
        ("USB stick 32gb", "USB Flash Drives"),
        ("thumb drive", "USB Flash Drives"),
        ("Corsair solid state drive 128gb", "Hard Drives"),
        ("Samsung SSD 500gb", "Hard Drives"),
        ("Teac clock radio", "Alarm Clocks"),
        ("Garmin activity tracker", "Activity Monitors"),
        ("fitness tracker", "Activity Monitors"),
        ("Pulaski curio cabinet", "China Cabinets & Hutches"),
        ("oak curio", "China Cabinets & Hutches"),
        ("Pottery Barn trunk bar cabinet", "Wine & Liquor Cabinets"),
        ("Ikea Hemnes TV unit", "Entertainment Centers & TV Stands"),
        ("TV cabinet", "Entertainment Centers & TV Stands"),
        ("TV console", "Entertainment Centers & TV Stands"),
        ("media console", "Entertainment Centers & TV Stands"),
        ("rattan wall unit", "Entertainment Centers & TV Stands"),
        ("3 panel folding screen", "Room Dividers"),
        ("black shoji screen", "Room Dividers"),
        ("privacy screen", "Room Dividers"),
        ("Tempur adjustable base", "Mattress Foundations"),
        ("6 piece bedroom suite", "Bedroom Furniture Sets"),
        ("oak dining suite", "Kitchen & Dining Furniture Sets"),
        ("leather lounge suite", "Living Room Furniture Sets"),
        ("snack TV trays", "Folding Tables"),
        ("Markus desk chair by IKEA", "Office Chairs"),
        ("Sony handycam", "Video Cameras"),
        ("Korg synth", "Sound Synthesizers"),
    ],
)
def test_a_product_phrase_names_its_category(query: str, expected: str) -> None:
    assert top(index(ROWS_MORE, TITLES_MORE), query) == expected


def test_every_vocabulary_reading_names_a_category_of_the_taxonomy() -> None:
    # A reading whose words no category name has would match nothing: a typo in the data file.
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    names = set()
    for line in (Path(build_kind_hints.CATEGORIES)).read_text(encoding="utf-8").splitlines()[1:]:
        names.update(content_words(line.split("\t")[-1].split(" > ")[-1]))
    targets = [
        t for section in ("synonyms", "phrases", "brands") for ts in data[section].values() for t in ts
    ]
    assert targets
    assert [t for t in targets if not set(content_words(t)) <= names] == []


def test_a_compound_head_is_not_its_modifiers_category(ix: CategoryIndex) -> None:
    # "car seat": the taxonomy writes the pair (Baby & Toddler Car Seats); the car ads' "seats" and the model's
    # taste for cars do not make a child's seat a car.
    assert top(ix, "maxi cosi car seat") == "Baby & Toddler Car Seats"
    assert top(ix, "car seat") == "Baby & Toddler Car Seats"
    assert top(ix, "honda civic") == "Cars, Trucks & Vans"


def test_a_named_product_phrase_beats_a_popular_category_no_name_says(ix: CategoryIndex) -> None:
    # One ad sold a bicycle with an electric guitar; "fender" is in many bicycle ads ("fenders").
    assert top(ix, "Fender Squier Stratocaster electric guitar") == "Guitars"


def test_the_title_model_does_not_lift_what_a_product_phrase_rules_out(
    ix: CategoryIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model knows the bicycle ads that sold a guitar too, and no Guitars listing: were it asked, it would
    # say Bicycles ("yamaha acoustic guitar" was a hair ahead of Bicycles).
    bicycles = next(c.id for c in ix.by_id.values() if c.name == "Bicycles")
    monkeypatch.setattr(
        ix.model, "posterior", lambda query, candidates: {c: float(c == bicycles) for c in candidates}
    )
    monkeypatch.setattr(ix.model, "knows", lambda word: True)
    ranked = ix.explain("yamaha acoustic guitar")
    assert ranked[0].category.name == "Guitars"
    # (Bicycles, when there at all: the guitar parts of those ads' titles are no longer read as the bicycles')
    assert all(e.model == 0.0 for e in ranked if e.category.id == bicycles)
    assert top(ix, "trek road bike") == "Bicycles"


def test_a_word_that_rules_a_category_out() -> None:
    rows = taxonomy(
        "Home & Garden > Kitchen Appliances > Electric Griddles & Grills",
        "Home & Garden > Kitchen Appliances > Outdoor Grills",
    )
    ix = index(rows)
    assert top(ix, "gas powered grill") == "Outdoor Grills"
    assert top(ix, "electric grill") == "Electric Griddles & Grills"
    # the word itself: a propane gas grill is still gas, propane does not rule gas out
    assert top(ix, "propane gas fired grill") == "Outdoor Grills"


# WordNet's format (wndb(5WN)), a few synsets: a baby carriage is a pram, a stroller, a pusher and a carriage;
# "stroller" is first a person, then the carriage; "carriage" is first a horse-drawn carriage.
SYNSETS = {
    "00000001": (6, ["vehicle"], []),
    "00000002": (6, ["wheeled_vehicle"], ["00000001"]),
    "00000003": (6, ["carriage", "horse-drawn_carriage"], ["00000002"]),
    "00000004": (18, ["stroller"], []),
    "00000005": (6, ["baby_carriage", "pram", "stroller", "carriage", "pusher"], ["00000002"]),
    "00000006": (6, ["saxophone", "sax"], []),
}


def _wordnet(folder: Path) -> Path:
    return write_wordnet(folder, SYNSETS)


def test_a_wordnet_synonym_that_is_the_words_own_sense_reaches_the_hints(tmp_path: Path) -> None:
    paths = ["Vehicles", "Vehicles > Carriages", "Baby > Baby Strollers", "Music > Saxophones"]
    categories = tmp_path / "categories.tsv"
    categories.write_text(
        "id\tpath\n" + "".join(f"{i}\t{p}\n" for i, p in enumerate(paths, 1)), encoding="utf-8"
    )
    kinds = build_kind_hints.taxonomy_kinds(categories)
    table = build_kind_hints.build(_wordnet(tmp_path / "wordnet"), build_kind_hints.read_settings(), kinds)
    build_kind_hints.write(table, tmp_path / "hints.tsv")
    built = kind_hints.__wrapped__(tmp_path / "hints.tsv")
    assert built[("pram",)][0] == KindHint(("stroller",), 0)
    assert built[("sax",)][0] == KindHint(("saxophone",), 0)
    # "carriage" is first another thing: its word is not the pram's synonym, the vehicle above it is
    assert KindHint(("carriage",), 0) not in built[("pram",)]
    assert KindHint(("vehicle",), 2) in built[("pram",)]


def test_the_shipped_hints_know_a_pram_and_a_sax() -> None:
    hints = kind_hints()
    assert hints[("pram",)][0] == KindHint(("stroller",), 0)
    assert hints[("sax",)][0] == KindHint(("saxophone",), 0)


# Electronics whose seller's word the taxonomy lacks: a loudspeaker's parts, a breathing machine, a car's player,
# a smart home's hub (not a bicycle's), a product line named alone. Speaker ads mention woofers and tweeters; car ads and home radios are popular.
ROWS_ELECTRONICS = taxonomy(
    "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
    "Vehicles > Vehicle Parts > Motor Vehicle Electronics > Motor Vehicle A/V Players & In-Dash Systems",
    "Electronics > Audio > Audio Components > Speakers",
    "Electronics > Audio > Audio Accessories > Speaker Accessories > Speaker Components & Kits",
    "Electronics > Audio > Radios",
    "Electronics > Audio > Audio Players & Recorders > CD Players & Recorders",
    "Electronics > Video > Video Players & Recorders > Digital Video Recorders",
    "Electronics > Video > Video Players & Recorders > Streaming & Home Media Players",
    "Electronics > Video > Televisions",
    "Health & Beauty > Health Care > Respiratory Care > PAP Machines",
    "Health & Beauty > Health Care > Respiratory Care > PAP Masks",
    "Hardware > Tools > Measuring Tools & Sensors > Electrical Testing Tools",
    "Sporting Goods > Golf > Golf Carts",
    "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
    "Hardware > Power & Electrical Supplies > Home Automation Kits",
    "Sporting Goods > Cycling > Bicycle Parts > Bicycle Hubs",
    "Sporting Goods > Cycling > Bicycles",
)
TITLES_ELECTRONICS = [("Speakers", f"Polk tower speakers pair {n}") for n in range(8)]
TITLES_ELECTRONICS += [("Speakers", f"bookshelf speakers {n}") for n in range(2)]
TITLES_ELECTRONICS += [("Speaker Components & Kits", f"crossover network {n} way") for n in range(2, 5)]
TITLES_ELECTRONICS += [("Speaker Components & Kits", f"{n}in replacement woofer") for n in (8, 10)]
TITLES_ELECTRONICS += [("Cars, Trucks & Vans", f"{2000 + n} Honda Accord clean title") for n in range(20)]
TITLES_ELECTRONICS += [
    ("Cars, Trucks & Vans", f"{2000 + n} Ford Focus new radio and tires") for n in range(3)
]
TITLES_ELECTRONICS += [("Radios", f"vintage tube radio AM FM {n}") for n in range(5)]
TITLES_ELECTRONICS += [("CD Players & Recorders", f"Sony 5 disc CD player {n}") for n in range(5)]
TITLES_ELECTRONICS += [("Televisions", f"Samsung 55in HD TV {n}") for n in range(5)]
TITLES_ELECTRONICS += [("Golf Carts", f"Club Car golf cart 48v {n}") for n in range(3)]
TITLES_ELECTRONICS += [
    ("Kitchen & Dining Furniture Sets", f"oak table and {n} chairs set") for n in (2, 4, 6)
]
TITLES_ELECTRONICS += [("Bicycles", f"Trek road bike size {50 + n}") for n in range(10)]
TITLES_ELECTRONICS += [("Bicycle Hubs", f"Shimano XT rear hub {n}") for n in (32, 36)]
TITLES_ELECTRONICS += [
    ("Home Automation Kits", "Philips Hue starter kit"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("8in raw speaker", "Speaker Components & Kits"),
        ("Dayton 10in speaker driver", "Speaker Components & Kits"),
        ("Philips Dreamstation CPAP with mask", "PAP Machines"),
        ("Respironics M series", "PAP Machines"),
        ("Kenwood car CD player", "Motor Vehicle A/V Players & In-Dash Systems"),
        ("TiVo Roamio OTA", "Digital Video Recorders"),
        ("Squeezebox Touch", "Streaming & Home Media Players"),
        ("Tektronix 2465", "Electrical Testing Tools"),
        ("Fluke 87V", "Electrical Testing Tools"),
        ("Samsung smart things hub", "Home Automation Kits"),
        ("SmartThings hub v3", "Home Automation Kits"),
        ("Wink smart home hub", "Home Automation Kits"),
    ],
)
def test_an_electronics_word_the_taxonomy_lacks_names_its_category(query: str, expected: str) -> None:
    assert top(index(ROWS_ELECTRONICS, TITLES_ELECTRONICS), query) == expected


def test_a_word_the_taxonomy_names_a_category_for_is_that_category_not_a_synonyms() -> None:
    # The taxonomy has Futons, and sellers' futons are filed there: a futon read as a sofa went to Sofas,
    # which has more listings and the odd "sofa futon" title.
    rows = taxonomy(
        "Furniture > Sofas",
        "Furniture > Futons",
        "Furniture > Futon Frames",
        "Furniture > Outdoor Furniture > Outdoor Sofas",
        "Furniture > Beds & Bed Frames",
    )
    titles = [("Sofas", f"leather sofa {n} seats") for n in range(2, 14)]
    titles += [("Sofas", "sofa futon")]
    titles += [("Futons", f"full size futon {n}") for n in range(2)]
    titles += [("Beds & Bed Frames", f"queen bed frame {n}") for n in range(5)]
    ix = index(rows, titles)
    assert top(ix, "futon") == "Futons"
    assert top(ix, "black futon") == "Futons"
    assert top(ix, "leather couch") == "Sofas"  # the synonyms that are sofas still are
