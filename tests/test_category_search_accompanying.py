"""What comes with an item, or what it lacks, is not the item (marketplace/category_search.py,
marketplace/item_phrase.py): "snowboard with bindings" is a snowboard, not Snowboard Bindings; a "TV with
entertainment stand" a TV, though titles naming both are mostly stands; "speakers except for the remote" no
remote. Small indexes built here; the items are made up for these tests."""

from __future__ import annotations

import pytest

from marketplace import category_search
from marketplace.category_search import CategoryIndex
from marketplace.item_phrase import item_phrase

from .test_category_search_reading import index, taxonomy, top


def _winter_and_music() -> CategoryIndex:
    rows = taxonomy(
        "Sporting Goods > Winter Sports > Skiing & Snowboarding > Snowboards",
        "Sporting Goods > Winter Sports > Skiing & Snowboarding > Snowboard Bindings",
        "Arts > Musical Instruments > Guitars",
        "Arts > Musical Instrument Accessories > Guitar Accessories > Guitar Cases & Gig Bags",
        "Cameras & Optics > Cameras",
        "Cameras & Optics > Camera Accessories > Camera Lenses",
    )
    return index(rows)


@pytest.mark.parametrize(
    ("query", "item"),
    [
        ("snowboard with bindings", "Snowboards"),
        ("acoustic guitar with case", "Guitars"),
        ("camera with lens", "Cameras"),
        # the accessory itself is still the accessory
        ("snowboard bindings", "Snowboard Bindings"),
        ("guitar case", "Guitar Cases & Gig Bags"),
    ],
)
def test_what_comes_with_the_item_is_not_the_item(query: str, item: str) -> None:
    assert top(_winter_and_music(), query) == item


def test_the_accompaniment_rule_is_what_files_a_snowboard_with_bindings_as_a_snowboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(category_search, "ACCOMPANIMENT_FACTOR", 1.0)
    assert top(_winter_and_music(), "snowboard with bindings") == "Snowboard Bindings"


def test_titles_naming_the_item_and_a_kind_it_comes_with_do_not_make_it_that_kind() -> None:
    rows = taxonomy(
        "Electronics > Video > Televisions",
        "Furniture > Entertainment Centers & TV Stands",
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
        "Furniture > Tables > Kitchen & Dining Room Tables",
        "Furniture > Chairs > Kitchen & Dining Room Chairs",
        "Arts & Entertainment > Party Supplies",  # "entertainment" names a kind of thing too
    )
    # Stands' ads often say what TV they hold; TVs' ads name no entertainment center.
    titles = [
        ("Entertainment Centers & TV Stands", f"oak entertainment center fits {n} inch tv")
        for n in (40, 50, 55, 60, 65, 70)
    ]
    titles += [("Televisions", f"Samsung {n} inch smart tv") for n in (32, 40, 43, 50, 55)]
    titles += [("Kitchen & Dining Furniture Sets", f"oak table with {n} chairs") for n in (2, 4, 4, 6, 6, 8)]
    titles += [
        ("Kitchen & Dining Room Tables", "round oak kitchen table"),
        ("Kitchen & Dining Room Chairs", "oak chair"),
    ]
    ix = index(rows, titles)
    assert top(ix, "dynex tv with entertainment stand") == "Televisions"
    # two kinds sold together are still the titles' set
    assert top(ix, "kitchen table with 4 chairs") == "Kitchen & Dining Furniture Sets"


@pytest.mark.parametrize(
    ("query", "item", "rest"),
    [
        ("Logitech Z680 speakers except for remote control", ["logitech", "z680", "speaker"], []),
        ("tv without stand, with remote", ["tv"], ["remote"]),
        ("dresser excluding mirror", ["dresser"], []),
    ],
)
def test_what_the_item_lacks_is_not_read(query: str, item: list[str], rest: list[str]) -> None:
    phrase = item_phrase(query)
    assert list(phrase.item) == item
    assert list(phrase.rest) == rest


def test_an_item_sold_without_an_accessory_is_not_the_accessory() -> None:
    rows = taxonomy(
        "Electronics > Audio > Speakers",
        "Electronics > Accessories > Remote Controls",
    )
    titles = [("Speakers", f"Logitech Z{n} speakers") for n in (313, 506, 623, 906)]
    titles += [("Remote Controls", f"universal remote control {n}") for n in range(4)]
    assert top(index(rows, titles), "Logitech Z680 complete except for remote control") == "Speakers"


def test_titles_naming_the_same_two_kinds_in_other_words_count_together() -> None:
    rows = taxonomy(
        "Furniture > Sofas",
        "Furniture > Chairs",
        "Furniture > Furniture Sets > Living Room Furniture Sets",
    )
    # Sets of a sofa and a chair, each wording too rare alone to say where such titles are filed.
    titles = [("Living Room Furniture Sets", f"grey sofa and chair {n}") for n in range(3)]
    titles += [("Living Room Furniture Sets", f"leather couch + chair {n}") for n in range(3)]
    titles += [("Sofas", f"leather couch {n} seater") for n in range(2, 42)]
    titles += [("Chairs", f"oak chair {n}") for n in range(10)]
    assert top(index(rows, titles), "couch and chair") == "Living Room Furniture Sets"
