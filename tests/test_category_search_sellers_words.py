"""Sellers' words that sent an item to the wrong category, each standing for a class, on the shipped seed:
words written apart that the vocabulary writes as one ("handy cam"), makers' and shops' names made of words
that name kinds of thing ("Radio Shack"), a short name for an air conditioner ("window AC unit"), a
power-tool maker's drill, a model number written onto the name ("iphone8"), a misspelt maker ("huawai"), an
accessory filed where the ads of what it fits mention it ("bike tires"), a full stop ending the item."""

from __future__ import annotations

import pytest

from marketplace.category_search import CategoryIndex
from marketplace.item_phrase import item_phrase

PHONES = "Electronics > Communications > Telephony > Mobile Phones"


@pytest.fixture(scope="module")
def seed_index() -> CategoryIndex:
    from benchmarks.category_search import build_index
    from benchmarks.heldout_items import Taxonomy, seed_listings

    return build_index(Taxonomy.shipped(), seed_listings())


def _top(index: CategoryIndex, query: str) -> str:
    hits = index.search(query)
    assert hits, query
    return hits[0].category.path


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("panasonic handy cam", "Cameras & Optics > Cameras > Video Cameras"),
        ("dumb bell set", "Sporting Goods > Exercise & Fitness > Weight Lifting > Free Weights"),
        ("love sac", "Furniture > Chairs > Bean Bag Chairs"),
    ],
)
def test_words_written_apart_that_the_vocabulary_writes_as_one_are_joined(
    seed_index: CategoryIndex, query: str, path: str
) -> None:
    # named by the query's words, not found only through the titles of a maker's other listings
    hits = seed_index.search(query)
    assert hits and hits[0].category.path == path and hits[0].named, [
        (h.category.path, h.named) for h in hits[:3]
    ]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        # a product phrase or a word the vocabulary already reads is not joined ("lawn mower", "cell phone")
        ("honda lawn mower", "Home & Garden > Lawn & Garden > Outdoor Power Equipment > Lawn Mowers"),
        (
            "cell phone screen replacement",
            "Electronics > Communications > Telephony > Mobile Phone Accessories > Mobile Phone Replacement Parts",
        ),
    ],
)
def test_words_the_vocabulary_reads_apart_stay_apart(
    seed_index: CategoryIndex, query: str, path: str
) -> None:
    assert _top(seed_index, query) == path


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("Radio Shack rabbit ears for the TV", "Electronics > Electronics Accessories > Antennas"),
        (
            "musical fidelity amplifier",
            "Electronics > Audio > Audio Components > Audio Amplifiers > Power Amplifiers",
        ),
    ],
)
def test_a_makers_name_made_of_kind_words_is_a_name(seed_index: CategoryIndex, query: str, path: str) -> None:
    assert _top(seed_index, query) == path


@pytest.mark.parametrize("query", ["window ac unit", "portable ac", "ac unit for a window"])
def test_an_air_conditioner_by_its_short_name(seed_index: CategoryIndex, query: str) -> None:
    assert (
        _top(seed_index, query)
        == "Home & Garden > Household Appliances > Climate Control Appliances > Air Conditioners"
    )


@pytest.mark.parametrize("query", ["dewalt drill", "makita drill", "milwaukee cordless drill"])
def test_a_power_tool_makers_drill_is_offered_as_a_power_drill_first(
    seed_index: CategoryIndex, query: str
) -> None:
    leaves = [h.category.path for h in seed_index.search(query) if h.category.is_leaf]
    assert leaves and leaves[0] == "Hardware > Tools > Drills > Handheld Power Drills", leaves


@pytest.mark.parametrize("query", ["iphone8", "ipone8 plus", "ipone 8", "huawai p20", "motorolla razr"])
def test_a_misspelt_or_run_together_phone_is_a_phone(seed_index: CategoryIndex, query: str) -> None:
    hits = seed_index.search(query)
    assert hits and hits[0].category.path.startswith(PHONES + " > ") and hits[0].named, [
        (h.category.path, h.named) for h in hits[:3]
    ]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("vizoi", "Electronics > Video > Televisions"),
        ("dysonn", "Home & Garden > Household Appliances > Vacuums"),
    ],
)
def test_a_misspelt_maker_alone_is_read_as_the_maker(
    seed_index: CategoryIndex, query: str, path: str
) -> None:
    assert _top(seed_index, query) == path


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("road bike tires", "Sporting Goods > Outdoor Recreation > Cycling > Bicycle Parts > Bicycle Tires"),
        ("bike tires", "Sporting Goods > Outdoor Recreation > Cycling > Bicycle Parts > Bicycle Tires"),
        (
            "car rims",
            "Vehicles & Parts > Vehicle Parts & Accessories > Motor Vehicle Parts > Motor Vehicle Wheel Systems > "
            "Motor Vehicle Rims & Wheels > Automotive Rims & Wheels",
        ),
        (
            "truck tires",
            "Vehicles & Parts > Vehicle Parts & Accessories > Motor Vehicle Parts > Motor Vehicle Wheel Systems > "
            "Motor Vehicle Tires > Automotive Tires",
        ),
    ],
)
def test_an_accessory_is_filed_as_the_accessory_not_where_ads_mention_it(
    seed_index: CategoryIndex, query: str, path: str
) -> None:
    assert _top(seed_index, query) == path


def test_a_thing_named_apart_from_its_accessory_is_still_the_thing(seed_index: CategoryIndex) -> None:
    # a camera sold with its lenses: the kind named apart says the item
    assert (
        _top(seed_index, "Sony a6000 DSLR 16-50mm and 55-210mm lens")
        == "Cameras & Optics > Cameras > Digital Cameras"
    )


def test_a_full_stop_ends_the_item_phrase() -> None:
    assert item_phrase("Kitchen table set. Solid maple, drop leaf").item == ("kitchen", "table", "set")
    # an initial's or a short abbreviation's point is no full stop
    assert item_phrase("Mr. Coffee maker").item == ("mr", "coffee", "maker")


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("bakers rack", "Furniture > Shelving > Bookcases & Standing Shelves"),
        # games for a console are its software; the console, its controller are not its games
        ("ps4 games", "Software > Video Game Software"),
        ("PS5 disc edition video game console", "Electronics > Video Game Consoles"),
        (
            "video game controller",
            "Electronics > Electronics Accessories > Computer Components > Input Devices > Game Controllers",
        ),
        ("theater seats", "Furniture > Chairs > Arm Chairs, Recliners & Sleeper Chairs"),
        ("walnut console table", "Furniture > Tables > Accent Tables > Sofa Tables"),
        ("ikea bed side drawer", "Furniture > Tables > Nightstands"),
        ("door lock", "Hardware > Locks & Keys > Locks & Latches"),
        ("rca cables", "Electronics > Electronics Accessories > Cables > Audio & Video Cables"),
        ("fabric steamer", "Home & Garden > Household Appliances > Laundry Appliances > Garment Steamers"),
        (
            "usb hard drive docking station",
            "Electronics > Electronics Accessories > Computer Components > Storage Devices > Hard Drive Accessories > "
            "Hard Drive Docks",
        ),
        (
            "laptop docking station",
            "Electronics > Electronics Accessories > Computer Accessories > Laptop Docking Stations",
        ),
    ],
)
def test_seller_vocabulary(seed_index: CategoryIndex, query: str, path: str) -> None:
    assert _top(seed_index, query) == path
