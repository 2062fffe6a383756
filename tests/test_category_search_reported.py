"""Misroutes sellers reported, each standing for a class, on the shipped seed: a product newer than the
taxonomy named for what it is not ("air fryer"), studio gear named with everyday words ("air compressor"),
what comes with the item ("snowboard with bindings"), a power-tool maker's item outside the tools ("dewalt
drill": Nail Drills), a seller's short word ("shop vac"); and, on a small index, a maker of car audio."""

from __future__ import annotations

import pytest

from marketplace.category_search import CategoryIndex


@pytest.fixture(scope="module")
def seed_index() -> CategoryIndex:
    from benchmarks.category_search import build_index
    from benchmarks.heldout_items import Taxonomy, seed_listings

    return build_index(Taxonomy.shipped(), seed_listings())


@pytest.mark.parametrize(
    ("query", "path"),
    [
        (
            "air fryer",
            "Home & Garden > Kitchen & Dining > Kitchen Appliances > Toasters & Grills > Countertop & Toaster Ovens",
        ),
        (
            "sous vide",
            "Home & Garden > Kitchen & Dining > Kitchen Appliances > Food Cookers & Steamers > Water Ovens",
        ),
        ("air compressor", "Hardware > Tools > Compressors"),
        (
            "snowboard with bindings",
            "Sporting Goods > Outdoor Recreation > Winter Sports & Activities > Skiing & Snowboarding > Snowboards",
        ),
        ("shop vac", "Home & Garden > Household Appliances > Vacuums"),
        # furniture named for what it holds: a TV cart is a TV stand; a mattress maker's name says mattress
        ("tv cart", "Furniture > Entertainment Centers & TV Stands"),
        ("sealy queen", "Furniture > Beds & Accessories > Mattresses"),
        # a brand's name ending in s is no plural
        ("sonos", "Electronics > Audio > Audio Components > Speakers"),
        # words whose everyday sense is another kind of thing
        ("krk studio monitors", "Electronics > Audio > Audio Components > Speakers"),
        (
            "nvidia graphics card",
            "Electronics > Electronics Accessories > Computer Components > I/O Cards & Adapters > Video Cards & Adapters",
        ),
    ],
)
def test_a_reported_misroute_is_filed_as_the_item(seed_index: CategoryIndex, query: str, path: str) -> None:
    hits = seed_index.search(query)
    assert hits and hits[0].category.path == path, (query, [h.category.path for h in hits[:3]])


@pytest.mark.parametrize("query", ["dewalt drill", "makita drill", "ryobi drill"])
def test_a_power_tool_makers_item_is_offered_among_tools(seed_index: CategoryIndex, query: str) -> None:
    hits = seed_index.search(query)
    assert hits and all(h.category.path.startswith("Hardware > ") for h in hits[:4]), [
        h.category.path for h in hits[:4]
    ]


def test_studio_gear_is_found_when_the_query_says_so(seed_index: CategoryIndex) -> None:
    hits = seed_index.search("dbx compressor")
    assert hits and hits[0].category.name == "Noise Gates & Compressors"


def test_a_maker_of_car_audio_alone_says_car_audio() -> None:
    from .test_category_search_reading import index, taxonomy, top

    rows = taxonomy(
        "Electronics > Audio > Audio Components > Audio Amplifiers > Power Amplifiers",
        "Vehicles & Parts > Vehicle Parts & Accessories > Motor Vehicle Electronics > Motor Vehicle Amplifiers",
        "Sporting Goods > Winter Sports > Skiing & Snowboarding > Skis",
    )
    titles = [("Power Amplifiers", f"Crown XLS {n} power amplifier") for n in (1000, 1500, 2000)]
    ix = index(rows, titles)
    assert top(ix, "Alpine 75 watt 4 channel amp") == "Motor Vehicle Amplifiers"
    assert top(ix, "crown 4 channel amp") == "Power Amplifiers"
    assert top(ix, "alpine skis") == "Skis"


def test_a_brands_name_is_not_stemmed() -> None:
    from marketplace.text import stem

    assert [stem(w) for w in ("sonos", "smartthings", "sofas", "speakers")] == [
        "sonos",
        "smartthings",
        "sofa",
        "speaker",
    ]
