"""Items outside the seed's sections: a maker's name says who made an item, not what it is, so where that
maker's listings are filed (Honda's ads are cars) does not outweigh a head word that names a category; and a
console's model name with a digit ("ps5") is read as the console it is. Small indexes built here."""

from __future__ import annotations

import pytest

from marketplace.category_search import CategoryIndex
from marketplace.item_phrase import query_words
from tests.test_category_search_reading import index, taxonomy, top

ROWS = taxonomy(
    "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
    "Vehicles > Motor Vehicles > Motorcycles & Scooters",
    "Hardware > Power & Electrical Supplies > Generators",
    "Home & Garden > Lawn & Garden > Outdoor Power Equipment > Lawn Mowers",
    "Electronics > Video Game Consoles",
    "Electronics > Input Devices > Game Controllers",
    "Hardware > Tools > Measuring Tools > Flow Meters & Controllers",
)
# The seed's sections: many car and motorcycle ads, none for generators or mowers.
TITLES = [("Cars, Trucks & Vans", f"{2000 + n} Honda Civic EX clean title") for n in range(30)]
TITLES += [("Motorcycles & Scooters", f"{2000 + n} Yamaha R6 low miles") for n in range(20)]


@pytest.fixture(scope="module")
def ix() -> CategoryIndex:
    return index(ROWS, TITLES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("honda generator", "Generators"),
        ("honda lawn mower", "Lawn Mowers"),
        ("yamaha generator", "Generators"),
    ],
)
def test_a_head_word_that_names_a_category_beats_where_the_makers_ads_are(
    ix: CategoryIndex, query: str, expected: str
) -> None:
    assert top(ix, query) == expected


def test_the_maker_alone_still_finds_where_its_ads_are(ix: CategoryIndex) -> None:
    assert top(ix, "honda civic") == "Cars, Trucks & Vans"
    assert top(ix, "yamaha") == "Motorcycles & Scooters"


def test_a_word_not_on_the_makers_list_keeps_its_pull(ix: CategoryIndex) -> None:
    # "yamaha" is a maker only by the list (rules/search/query_words.yaml, `makers`); without it, it is read
    # like a model name, whose ads say what the item is.
    assert "yamaha" in query_words().makers
    bare = index(ROWS, TITLES)
    bare._makers = frozenset()
    assert top(bare, "yamaha generator") == "Motorcycles & Scooters"


def test_a_console_named_with_a_digit_is_the_console(ix: CategoryIndex) -> None:
    assert top(ix, "ps5") == "Video Game Consoles"
    assert top(ix, "PS5") == "Video Game Consoles"
    assert top(ix, "ps3") == "Video Game Consoles"
    assert top(ix, "ps5 controller") == "Game Controllers"
