"""A size that says what an item is when no word of the query names a kind of thing (rules/search/
query_words.yaml, `sizes`): "Mitsubishi 50 inch" is a television, though Mitsubishi's ads are cars. Small
indexes built here."""

from __future__ import annotations

import pytest

from marketplace.category_search import CategoryIndex
from marketplace.item_phrase import SizeCue, query_words
from tests.test_category_search_reading import index, taxonomy, top

ROWS = taxonomy(
    "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
    "Sporting Goods > Cycling > Bicycles",
    "Electronics > Video > Televisions",
    "Electronics > Video > Computer Monitors",
)
# Many car ads by the maker, a few television ads by others.
TITLES = [("Cars, Trucks & Vans", f"{2000 + n} Mitsubishi Lancer clean title") for n in range(30)]
TITLES += [("Televisions", f"Vizio {40 + n} inch smart TV") for n in range(5)]
TITLES += [("Bicycles", f"Trek {n} speed bike") for n in range(10)]


@pytest.fixture(scope="module")
def ix() -> CategoryIndex:
    return index(ROWS, TITLES)


@pytest.mark.parametrize(
    "query", ["Mitsubishi 50 inch", 'Mitsubishi 50"', "Mitsubishi 50in", "mitsubishi 65-inch"]
)
def test_a_screen_size_with_no_kind_word_is_a_television(ix: CategoryIndex, query: str) -> None:
    assert top(ix, query) == "Televisions"


def test_without_the_size_rule_the_makers_ads_win(ix: CategoryIndex) -> None:
    assert query_words().sizes, "rules/search/query_words.yaml has no `sizes`"
    bare = index(ROWS, TITLES)
    bare._sizes = ()
    assert top(bare, "Mitsubishi 50 inch") == "Cars, Trucks & Vans"


def test_a_size_outside_the_range_or_after_a_kind_word_says_nothing(ix: CategoryIndex) -> None:
    assert top(ix, "Mitsubishi 2009") == "Cars, Trucks & Vans"
    assert top(ix, "Mitsubishi 20 inch") == "Cars, Trucks & Vans"
    assert top(ix, "32 inch bicycle") == "Bicycles"


def test_a_cue_reads_the_number_before_its_unit() -> None:
    cue = SizeCue(("inch", '"'), 32, 100, (("televis",),))
    assert cue.says('Samsung 55" LED')
    assert cue.says("55 inch")
    assert not SizeCue(("in",), 32, 100, ()).says("Samsung 55 instinct")  # "in" is a whole word
    assert not cue.says("26 inch wheels") and not cue.says("v2.50 inch")
