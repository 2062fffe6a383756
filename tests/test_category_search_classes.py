"""Classes of item that category search used to file under another kind of thing (marketplace/category_search.py):
an accessory or a part under what it fits; a set of one kind under the taxonomy's sets; two kinds sold together
under the titles' set rather than the one the query names; a book under E-books; what follows "on" as the item.
Small indexes built here; the items are made up for these tests."""

from __future__ import annotations

import re

import pytest

from marketplace import category_search
from marketplace.category_search import CategoryIndex

from .test_category_search_reading import index, taxonomy, top


def _phones_and_chargers() -> CategoryIndex:
    rows = taxonomy(
        "Electronics > Telephony > Mobile Phones > Unlocked Mobile Phones",
        "Electronics > Power > Power Adapters & Chargers",
        "Electronics > Audio > Turntables & Record Players",
        "Electronics > Audio > Audio Accessories > Turntable Accessories",
        "Electronics > Audio > Audio Accessories > Speaker Accessories > Speaker Covers",
        "Sporting Goods > Cycling > Bicycle Accessories > Bicycle Locks",
    )
    # Many phone ads name the phone's maker and model, some its charger; the charger ads name no phone.
    titles = [("Unlocked Mobile Phones", f"Galaxy S{n} unlocked 64gb with charger") for n in range(5, 8)]
    titles += [("Unlocked Mobile Phones", f"Samsung Galaxy Note {n} like new") for n in range(3, 12)]
    titles += [("Unlocked Mobile Phones", f"Galaxy S{n} 128gb cracked screen") for n in range(5, 10)]
    titles += [("Power Adapters & Chargers", f"Anker usb wall charger {n} port") for n in range(1, 7)]
    titles += [("Speaker Covers", f"grille cloth speaker cover {n} inch") for n in (10, 12, 15)]
    titles += [("Turntables & Record Players", f"Technics turntable SL-{n}") for n in (1200, 1210, 1500)]
    return index(rows, titles)


def test_an_accessory_is_filed_as_the_accessory_not_as_what_it_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    ix = _phones_and_chargers()
    assert top(ix, "galaxy s8 car charger") == "Power Adapters & Chargers"
    # a category that is an accessory itself, named for what the accessory fits, is not lowered
    ranked = [h.category.name for h in ix.search("turntable dust cover")]
    assert ranked.index("Turntable Accessories") < ranked.index("Turntables & Record Players")
    # the item itself is still the phone, with its charger or without
    assert top(ix, "galaxy s8 with charger") == "Unlocked Mobile Phones"
    assert top(ix, "samsung galaxy s8") == "Unlocked Mobile Phones"
    # the phone ads that mention a charger are what let the phones win without the rule
    monkeypatch.setattr(category_search, "ACCESSORY_OF_FACTOR", 1.0)
    assert top(_phones_and_chargers(), "galaxy s8 car charger") == "Unlocked Mobile Phones"


def test_a_set_of_one_kind_is_that_kind_unless_sets_of_it_are_sold() -> None:
    rows = taxonomy(
        "Sporting Goods > Weight Lifting > Free Weights > Dumbbells",
        "Home & Garden > Kitchen > Kitchen Knives",
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
        "Furniture > Furniture Sets > Bedroom Furniture Sets",
        "Furniture > Dressers",
        "Furniture > Beds",
        "Furniture > Desks",
        "Furniture > Tables",
        "Sporting Goods > Cycling > Bicycle Brake Parts > Bicycle Brake Sets",
    )
    titles = [("Kitchen & Dining Furniture Sets", f"oak table set with {n} chairs") for n in (2, 4, 6)]
    ix = index(rows, titles)
    assert top(ix, "rubber hex dumbbell set") == "Dumbbells"
    assert top(ix, "steak knife set") == "Kitchen Knives"
    # sets the taxonomy names, sets the titles sell, sets another word names: the set is the item
    assert top(ix, "shimano brake set") == "Bicycle Brake Sets"
    assert top(ix, "round table set") == "Kitchen & Dining Furniture Sets"
    assert top(ix, "bedroom dresser set").endswith("Furniture Sets")
    assert top(ix, "kids bed and desk set").endswith("Furniture Sets")


def test_two_kinds_sold_together_are_the_set_the_query_names() -> None:
    # Titles naming a table and chairs apart are mostly dining sets; "outdoor" says which set these are.
    rows = taxonomy(
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
        "Furniture > Outdoor Furniture > Outdoor Furniture Sets",
        "Furniture > Outdoor Furniture > Outdoor Seating > Outdoor Chairs",
        "Furniture > Outdoor Furniture > Outdoor Tables",
        "Furniture > Chairs",
        "Furniture > Tables",
        "Home & Garden > Kitchen > Kitchen Utensil Sets",
    )
    titles = [("Kitchen & Dining Furniture Sets", f"oak table and {n} chairs") for n in (2, 4, 4, 6, 6, 8)]
    titles += [("Outdoor Chairs", f"outdoor chair cushion {n}") for n in range(4)]
    ix = index(rows, titles)
    assert top(ix, "outdoor cedar table and chairs") == "Outdoor Furniture Sets"
    # without a word naming another set, the titles' set; a set of another root is not the furniture's
    assert top(ix, "maple table and chairs") == "Kitchen & Dining Furniture Sets"
    assert top(ix, "kitchen table and chairs") == "Kitchen & Dining Furniture Sets"


def test_a_book_is_a_print_book_unless_the_query_says_it_is_digital() -> None:
    # Nobody sells a digital copy second-hand (rules/search/branches.yaml, `trade`); the names tie otherwise.
    rows = taxonomy(
        "Media > Books > E-books",
        "Media > Books > Print Books",
        "Media > Music & Sound Recordings > Digital Music Downloads",
        "Media > Music & Sound Recordings > Music CDs",
    )
    ix = index(rows)
    assert ix.search("organic chemistry books", leaf_only=True)[0].category.name == "Print Books"
    assert ix.search("kindle ebooks", leaf_only=True)[0].category.name == "E-books"
    assert ix.search("music downloads", leaf_only=True)[0].category.name == "Digital Music Downloads"


def test_what_follows_on_is_not_the_item_and_a_name_joined_to_it_is_one_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "on" is a connector (query_words.yaml; YAML reads a bare on as true); "Level-On" and "clip-on" are names.
    rows = taxonomy(
        "Furniture > Storage > Storage Cabinets",
        "Furniture > Beds > Beds & Bed Frames",
        "Sporting Goods > Cycling > Bicycle Parts > Bicycle Wheels",
        "Electronics > Audio > Headphones",
        "Electronics > Video > Televisions",
        "Home & Garden > Lighting > Lamps",
        "Office Supplies > Binder Clips",
        "Hardware > Tools > Levels",
    )
    titles = [("Bicycle Wheels", f"700c wheel set {n}") for n in range(5)]
    titles += [("Televisions", f"Samsung {n} inch smart tv") for n in (32, 40, 50, 55, 65)]
    ix = index(rows, titles)
    assert top(ix, "metal cabinet on wheels") == "Storage Cabinets"
    # a compound the taxonomy writes as two words names the item, whatever follows
    assert top(ix, "foldable bedframe on wheels") == "Beds & Bed Frames"
    assert top(ix, "Samsung Level-On wireless headphones") == "Headphones"
    assert top(ix, "clip-on reading lamp") == "Lamps"
    monkeypatch.setattr(category_search, "_JOINED_CONNECTOR", re.compile("(x)(?!)(x)"))  # never matches
    assert top(ix, "clip-on reading lamp") == "Binder Clips"


def test_a_makers_name_says_what_a_model_without_a_kind_word_is() -> None:
    # rules/search/vocabulary.yaml, `brands`: no word of "Nokia Lumia 1020" names a kind; cars are sold most.
    rows = taxonomy(
        "Vehicles > Cars",
        "Electronics > Telephony > Mobile Phones",
        "Sporting Goods > Cycling > Bicycles",
        "Electronics > Audio > Audio Receivers",
    )
    titles = [("Cars", f"{year} Ford Focus hatchback") for year in range(2001, 2016)]
    titles += [("Mobile Phones", f"iPhone {n} unlocked") for n in (6, 7, 8)]
    titles += [("Bicycles", f"Trek {n} road bike") for n in (1, 2)]
    ix = index(rows, titles)
    assert top(ix, "Nokia Lumia 1020") == "Mobile Phones"
    assert top(ix, "2014 Bianchi Via Nirone 7") == "Bicycles"
    assert top(ix, "Onkyo TX-SR608") == "Audio Receivers"
    assert top(ix, "technics sl-1700") == "Audio Receivers"  # a turntable maker's name, no turntables here


def _used_with() -> CategoryIndex:
    rows = taxonomy(
        "Vehicles > Motor Vehicles > Cars, Trucks & Vans",
        "Vehicles > Watercraft > Motor Boats",
        "Electronics > Power > Power Inverters",
        "Sporting Goods > Outdoor Recreation > Camping > Coolers",
    )
    # Car and boat ads are many, and some of them mention what came with the car; inverters and coolers are few.
    titles = [("Cars, Trucks & Vans", f"{2000 + n} Toyota Corolla clean title") for n in range(40)]
    titles += [("Cars, Trucks & Vans", f"{2005 + n} Ford F-150 portable toolbox included") for n in range(3)]
    titles += [("Motor Boats", f"{1990 + n} Bayliner boat with trailer") for n in range(10)]
    titles += [("Power Inverters", "Cobra CPI 1500 inverter"), ("Power Inverters", "Xantrex PROwatt SW")]
    titles += [("Coolers", f"Yeti Tundra {q}") for q in (45, 65)]
    return index(rows, titles)


def test_what_an_item_is_used_with_is_not_what_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    # "car", "boat" (rules/search/branches.yaml, `said`) say where an item is used: where a category is named
    # for the query's head word, the one named only by such a word is not the item.
    ix = _used_with()
    assert top(ix, "car portable inverter 200 watt") == "Power Inverters"
    assert top(ix, "boat cooler, holds 60 cans") == "Coolers"
    # the vehicle itself, and a maker's name that reads as a car, are still cars
    assert top(ix, "car") == "Cars, Trucks & Vans"
    assert top(ix, "2012 Toyota Camry") == "Cars, Trucks & Vans"
    assert top(ix, "17ft fishing boat") == "Motor Boats"
    monkeypatch.setattr(category_search, "USED_WITH_FACTOR", 1.0)
    assert top(_used_with(), "car portable inverter 200 watt") == "Cars, Trucks & Vans"


def test_a_sellers_spelling_and_a_toy_makers_name_find_the_taxonomys_kind() -> None:
    # rules/search/vocabulary.yaml: "racket" is the taxonomy's "racquet"; a Lego set is a construction set.
    rows = taxonomy(
        "Sporting Goods > Racquet Sports > Tennis > Tennis Racquets",
        "Sporting Goods > Racquet Sports > Platform & Paddle Tennis > Paddle Tennis Paddles",
        "Toys & Games > Toys > Building Toys > Construction Set Toys",
        "Toys & Games > Games > Poker Chips & Sets",
        "Vehicles > Cars",
    )
    titles = [("Cars", f"{year} Ford Focus hatchback") for year in range(2001, 2016)]
    titles += [("Poker Chips & Sets", f"poker chip set {n} chips") for n in (300, 500)]
    ix = index(rows, titles)
    assert top(ix, "wilson tennis racket") == "Tennis Racquets"
    assert top(ix, "lego millennium falcon 75257") == "Construction Set Toys"
