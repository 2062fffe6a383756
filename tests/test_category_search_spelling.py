"""A seller's misspelt word (marketplace/spelling.py) and two words written apart that titles write as one,
read by category search (marketplace/category_search.py) on small indexes built here."""

from __future__ import annotations

import pytest

from marketplace import category_search
from marketplace.spelling import Speller, one_edit
from tests.test_category_search_reading import index, taxonomy, top


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("swich", "switch", True),  # a letter left out
        ("stereo", "stero", True),
        ("bettle", "beetle", True),  # a letter changed
        ("nintnedo", "nintendo", True),  # two letters swapped
        ("camero", "camaro", True),
        ("camera", "camaro", False),
        ("planet", "plan", False),  # two letters
        ("abc", "bca", False),
        ("chair", "chair", False),  # the same word is no correction
    ],
)
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert one_edit(a, b) is near
    assert one_edit(b, a) is near


def test_a_word_is_corrected_to_the_most_used_known_word_one_edit_away() -> None:
    speller = Speller({"switch": 40.0, "swish": 2.0, "camera": 30.0, "camaro": 5.0}, also_known=["chair"])
    assert speller.candidates("swich") == ("switch", "swish")
    assert speller.correction("swich") == "switch"
    assert speller.correction("chair") is None  # known
    assert speller.correction("swish") is None  # known (a target)
    assert speller.correction("swch") is None  # short
    assert speller.correction("sw1tch") is None  # a model number, not a word
    # what fits the rest of the query wins over what is used more: a "1975 camero" is a car
    assert speller.correction("camero", lambda c: 1.0 if c == "camaro" else 0.0) == "camaro"
    assert speller.correction("camero", lambda c: 0.0) == "camera"


ROWS = taxonomy(
    "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
    "Electronics > Video Games > Video Game Consoles",
    "Electronics > Audio > Stereo Systems",
    "Electronics > Communications > Telephony > Mobile Phones",
    "Electronics > Communications > Telephony > Mobile Phone Replacement Parts",
    "Health & Beauty > Biometric Monitors > Activity Monitors",
    "Hardware > Tool Accessories > Router Bits",
    "Toys & Games > Remote Control Toys > Remote Control Helicopters",
    "Vehicles > Aircraft > Planes",
    "Sporting Goods > Cycling > Bicycles",
    "Media > Books",
    "Furniture > Shelving > Bookcases",
)
TITLES = [("Cars, Trucks & Vans", f"{1970 + n} Chevy Camaro Z28") for n in range(6)]
TITLES += [("Cars, Trucks & Vans", f"{2000 + n} Honda Civic clean title") for n in range(20)]
TITLES += [("Video Game Consoles", f"Nintendo Switch with {n} games") for n in range(6)]
TITLES += [("Video Game Consoles", f"Nintendo Wii console {n}") for n in range(6)]
TITLES += [("Stereo Systems", f"Sony stereo receiver {n}") for n in range(5)]
TITLES += [("Activity Monitors", f"Fitbit Charge {n} tracker") for n in range(4)]
TITLES += [("Remote Control Helicopters", f"DJI quadcopter drone {n}") for n in range(4)]
TITLES += [("Mobile Phones", f"Samsung cell phone {n}") for n in range(6)]
TITLES += [("Mobile Phone Replacement Parts", "cellphone screen")]
TITLES += [("Bicycles", f"Trek electric bike {n}") for n in range(20)]
TITLES += [("Books", f"Harry Potter book {n}") for n in range(4)]
TITLES += [("Bookcases", f"IKEA bookcase {n}") for n in range(4)]


@pytest.fixture(scope="module")
def ix() -> category_search.CategoryIndex:
    return index(ROWS, TITLES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Nintedo swich", "Video Game Consoles"),
        ("mid century stero", "Stereo Systems"),
        ("ultra quad copter", "Remote Control Helicopters"),  # titles write "quadcopter"
        ("fit bit charge", "Activity Monitors"),  # "fitbit"; "bit" alone is a router bit
        # the pair is written apart more than joined: not read as "cellphone"
        ("cell phone", "Mobile Phones"),
        # a query that names a kind as written is not corrected ("planet" is no misspelt "plane")
        ("Help save our planet with a new electric bike", "Bicycles"),
        # a word written as one that ends in a known thing: the taxonomy has Books, not textbooks
        ("college textbooks", "Books"),
        ("cookbook", "Books"),
    ],
)
def test_a_misspelt_or_split_word_is_read_as_the_word_titles_use(
    ix: category_search.CategoryIndex, query: str, expected: str
) -> None:
    assert top(ix, query) == expected


@pytest.mark.parametrize(
    ("setting", "query", "expected"),
    [
        ("SPELL_MIN_TITLES", "Nintedo swich", "Video Game Consoles"),
        ("JOIN_MIN_TITLES", "ultra quad copter", "Remote Control Helicopters"),
    ],
)
def test_without_the_reading_the_query_is_missed(
    monkeypatch: pytest.MonkeyPatch, setting: str, query: str, expected: str
) -> None:
    # Proves the readings above are what finds these: with each turned off the query misses.
    monkeypatch.setattr(category_search, setting, 0)
    hits = index(ROWS, TITLES).search(query)
    assert not hits or hits[0].category.name != expected


def test_a_word_is_split_where_its_last_part_is_a_known_word() -> None:
    speller = Speller({"book": 10.0, "case": 3.0}, also_known=["cook"])
    assert speller.split("cookbook") == ("cook", "book")  # a known first part wins
    assert speller.split("textbook") == ("text", "book")
    assert speller.split("book") is None  # known
    assert speller.split("notebooks1") is None  # not a word
    assert speller.split("xyzzy") is None  # no known ending


def test_without_the_split_a_compound_word_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(category_search.Speller, "split", lambda self, word: None)
    hits = index(ROWS, TITLES).search("college textbooks")
    assert not hits or hits[0].category.name != "Books"


APPLIANCES = taxonomy(
    "Home & Garden > Household Appliances > Laundry Appliances > Washing Machines",
    "Home & Garden > Household Appliances > Vacuums",
    "Home & Garden > Kitchen Appliances > Coffee Makers",
    "Home & Garden > Kitchen Appliances > Ice Makers",
    "Home & Garden > Kitchen Appliances > Microwave Ovens",
    "Office Supplies > Label Makers",
    "Vehicles > Aircraft > Planes",
)
# Sellers write "washer", seldom "washing"; "microwave" is in one title; "vacuum cleaner" in two.
APPLIANCE_TITLES = [("Washing Machines", f"Samsung front load washer {n}") for n in range(6)]
APPLIANCE_TITLES += [("Coffee Makers", f"Mr Coffee coffee maker machine {n}") for n in range(6)]
APPLIANCE_TITLES += [("Ice Makers", f"countertop ice maker machine {n}") for n in range(4)]
APPLIANCE_TITLES += [("Label Makers", f"Brother label maker {n}") for n in range(4)]
APPLIANCE_TITLES += [("Microwave Ovens", "GE microwave"), ("Microwave Ovens", "Panasonic oven 1200W")]
APPLIANCE_TITLES += [("Vacuums", f"Dyson vacuum cleaner {n}") for n in range(2)]
APPLIANCE_TITLES += [("Vacuums", f"Shark vacuum {n}") for n in range(4)]
APPLIANCE_TITLES += [("Planes", f"Cessna plane {n}") for n in range(4)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # two letters swapped in a word of a category's name that few titles use, before a kind it names
        ("wahsing machine", "Washing Machines"),
        ("micorwave", "Microwave Ovens"),  # a category's word, in one title only
        ("vaccum cleaner", "Vacuums"),  # titles write the pair together
        ("washing machine", "Washing Machines"),
    ],
)
def test_a_misspelt_word_before_the_kind_it_names_is_corrected(query: str, expected: str) -> None:
    assert top(index(APPLIANCES, APPLIANCE_TITLES), query) == expected


def test_a_short_or_used_word_is_not_corrected_to_a_category_word() -> None:
    ix = index(APPLIANCES, [*APPLIANCE_TITLES, ("Planes", "planet earth poster")])
    # "planet" is in a title, and "plane" is too short a name word to correct to; a maker is left alone.
    assert ix._reading("planet machine")[0] == "planet machine"
    assert ix._reading("dyson cleaner")[0] == "dyson cleaner"
