"""A head that says only what form an item comes in ("kit", "box", like "machine") leaves the kind to the word
before it: a "synth kit" is a synthesizer, "planter boxes" are planters (marketplace/rules/search/query_words.yaml,
generic_heads). Small indexes built here; the items are made up for these tests."""

from __future__ import annotations

import pytest

from marketplace import category_search
from marketplace.item_phrase import item_phrase

from .test_category_search_reading import index, taxonomy, top


def test_a_kit_is_the_kind_the_word_before_it_names() -> None:
    rows = taxonomy(
        "Arts > Musical Instruments > Electronic Musical Instruments > Sound Synthesizers",
        "Sporting Goods > Cycling > Bicycle Accessories > Bicycle Tire Repair Supplies & Kits",
    )
    # Kits on sale are mostly tire repair kits; synthesizers are seldom sold.
    titles = [("Bicycle Tire Repair Supplies & Kits", f"patch kit {n} pack") for n in range(30)]
    titles += [("Sound Synthesizers", "Korg minilogue synth")]
    ix = index(rows, titles)
    assert top(ix, "KORG littleBits Synth Kit") == "Sound Synthesizers"
    assert top(ix, "tire repair kit") == "Bicycle Tire Repair Supplies & Kits"


def test_a_box_is_the_kind_the_word_before_it_names() -> None:
    rows = taxonomy(
        "Home & Garden > Gardening > Pots & Planters",
        "Home & Garden > Storage & Organization > Closet Storage > Hat Boxes",
        "Hardware > Tool Storage & Organization > Tool Boxes",
    )
    # Hat boxes are sold more often than planters.
    ix = index(rows, [("Hat Boxes", f"vintage round hat box {n}") for n in range(20)])
    assert top(ix, "planter boxes") == "Pots & Planters"
    assert top(ix, "metal tool box") == "Tool Boxes"
    assert top(ix, "hat box") == "Hat Boxes"


@pytest.mark.parametrize(
    ("query", "item", "rest"),
    [
        ("TiVo HD w. lifetime service", ["tivo", "hd"], ["lifetime", "service"]),
        ("bike w. helmet", ["bike"], ["helmet"]),
        ("S.W. Smith table", ["smith", "table"], []),
    ],
)
def test_w_dot_is_with(query: str, item: list[str], rest: list[str]) -> None:
    phrase = item_phrase(query)
    assert (list(phrase.item), list(phrase.rest)) == (item, rest)


def test_one_kind_named_alone_is_that_kind_not_a_set_of_it_with_another() -> None:
    rows = taxonomy(
        "Furniture > Chairs > Kitchen & Dining Room Chairs",
        "Furniture > Tables > Kitchen & Dining Room Tables",
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
        "Furniture > Furniture Sets > Bedroom Furniture Sets",
    )
    # Most titles that name kitchen chairs sell them with a table.
    titles = [
        ("Kitchen & Dining Furniture Sets", f"vintage {finish} kitchen table and {n} chairs")
        for finish, n in [("oak", 2), ("pine", 4), ("white", 4), ("black", 6), ("maple", 6), ("cherry", 8)]
    ]
    titles += [
        ("Kitchen & Dining Room Chairs", "kitchen chair"),
        ("Kitchen & Dining Room Tables", "kitchen table"),
    ]
    ix = index(rows, titles)
    assert top(ix, "Pair of Distressed, Vintage, Kitchen Chairs") == "Kitchen & Dining Room Chairs"
    assert top(ix, "vintage kitchen table and 4 chairs") == "Kitchen & Dining Furniture Sets"
    assert top(ix, "bedroom furniture") == "Bedroom Furniture Sets"  # a set named for the item's word


def test_a_category_named_the_other_way_round_is_not_the_item(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many kinds of table, so "table" says little and "light" much, as in the shipped taxonomy.
    kinds = (
        "Coffee",
        "Side",
        "Dining",
        "Card",
        "Picnic",
        "Drafting",
        "Poker",
        "Massage",
        "Changing",
        "Activity",
    )
    rows = taxonomy(
        "Furniture > Tables",
        "Sporting Goods > Indoor Games > Billiards > Billiard Table Lights",
        "Home & Garden > Lighting > Lamps",
        *(f"Furniture > Tables > {kind} Tables" for kind in kinds),
    )
    titles = [("Tables", "round pine table 1"), ("Lamps", "brass floor lamp")]
    assert top(index(rows, titles), "Solid light oak tables") == "Tables"  # a table, light in colour
    assert top(index(rows, titles), "billiard table light") == "Billiard Table Lights"
    monkeypatch.setattr(category_search, "REVERSED_FACTOR", 1.0)
    assert top(index(rows, titles), "Solid light oak tables") == "Billiard Table Lights"


def test_a_part_described_after_the_item_says_what_the_item_is_like() -> None:
    rows = taxonomy(
        "Furniture > Chairs",
        "Furniture > Sofas",
        "Furniture > Beds & Accessories > Beds & Bed Frames",
        "Furniture > Furniture Parts > Table Legs",
    )
    titles = [("Beds & Bed Frames", f"queen metal bed frame {n}") for n in range(6)]
    titles += [("Table Legs", f"hairpin table legs set of {n}") for n in (3, 4)]
    titles += [("Chairs", "wooden chair"), ("Sofas", "grey sofa")]
    ix = index(rows, titles)
    assert top(ix, "Red chairs metal frame") == "Chairs"
    assert top(ix, "Red MCM three seat sofa taper legs") == "Sofas"
    # the part itself, named as a compound
    assert top(ix, "metal bed frame") == "Beds & Bed Frames"
    assert top(ix, "hairpin table legs") == "Table Legs"
