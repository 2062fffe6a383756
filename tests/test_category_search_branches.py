"""What a query's words say beyond its head word: a branch ("toy", "spin", "car": rules/search/branches.yaml,
`said`), two kinds of thing sold as a set ("table & chairs"), what comes with the item ("PS4 with two
controllers"), on small indexes built here; and the wrong picks a new user saw, on the shipped seed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from marketplace import category_search
from marketplace.category_search import CategoryIndex
from marketplace.item_phrase import item_phrase
from tests.test_category_search_reading import index, taxonomy, top

ROOT = Path(__file__).resolve().parent.parent


def scores(ix: CategoryIndex, query: str) -> dict[str, float]:
    return {e.category.name: e.score for e in ix.explain(query)}


def test_a_toy_word_puts_the_item_among_toys(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = taxonomy(
        "Vehicles & Parts > Vehicles > Motor Vehicles > Cars, Trucks & Vans",
        "Toys & Games > Toys > Play Vehicles > Toy Cars",
    )
    titles = [
        ("Cars, Trucks & Vans", f"{make} car for sale") for make in ("honda", "ford", "mazda", "toyota")
    ]
    ix = index(rows, titles)
    assert top(ix, "red car") == "Cars, Trucks & Vans"
    assert top(ix, "toy car") == "Toy Cars"
    said, factor = scores(ix, "hot wheels cars"), category_search.SAID_FACTOR
    monkeypatch.setattr(category_search, "SAID_FACTOR", 1.0)
    unsaid = scores(ix, "hot wheels cars")
    # Outside the branch a category counts SAID_FACTOR of what it would; inside it, all of it.
    assert said["Cars, Trucks & Vans"] == pytest.approx(factor * unsaid["Cars, Trucks & Vans"])
    assert said["Toy Cars"] == pytest.approx(unsaid["Toy Cars"])


def test_an_exercise_word_makes_a_bike_an_exercise_bike_though_titles_say_bicycle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = taxonomy(
        "Sporting Goods > Outdoor Recreation > Cycling > Bicycles",
        "Sporting Goods > Exercise & Fitness > Cardio > Cardio Machines > Exercise Bikes",
    )
    titles = [("Bicycles", f"{brand} road bike") for brand in ("trek", "giant", "specialized", "cannondale")]
    titles += [("Exercise Bikes", "exercise bike")]
    ix = index(rows, titles)
    assert top(ix, "trek bike") == "Bicycles"
    assert top(ix, "spin bike") == "Exercise Bikes"
    assert top(ix, "stationary bike") == "Exercise Bikes"
    monkeypatch.setattr(category_search, "SAID_FACTOR", 1.0)
    assert top(ix, "spin bike") == "Bicycles"  # what the titles alone say


def test_a_branch_word_says_nothing_when_the_branch_has_no_kind_of_the_item() -> None:
    rows = taxonomy(
        "Sporting Goods > Outdoor Recreation > Fishing > Fishing Reels",
        "Sporting Goods > Exercise & Fitness > Exercise Balls",
    )
    ix = index(rows)
    ranked = {e.category.name: e.score for e in ix.explain("spin reel")}
    assert ranked["Fishing Reels"] == pytest.approx(
        {e.category.name: e.score for e in ix.explain("reel")}["Fishing Reels"], rel=0.2
    )
    assert top(ix, "spin reel") == "Fishing Reels"


def test_car_audio_only_when_the_item_says_car() -> None:
    rows = taxonomy(
        "Electronics > Audio > Audio Components > Audio Amplifiers",
        "Vehicles & Parts > Vehicle Parts & Accessories > Motor Vehicle Electronics > Motor Vehicle Amplifiers",
    )
    ix = index(rows)
    assert top(ix, "400 watt amplifier") == "Audio Amplifiers"
    assert top(ix, "car amplifier") == "Motor Vehicle Amplifiers"
    # after "with", "car" comes with the item; after "for", a purpose that names no kind of thing here says
    # which kind of the item it is (query_words.yaml, `purposes`): an amplifier for a car is a car amplifier
    hits = {e.category.name: e.score for e in ix.explain("amplifier with car")}
    assert hits["Motor Vehicle Amplifiers"] <= hits["Audio Amplifiers"]
    assert top(ix, "amplifier for car") == "Motor Vehicle Amplifiers"


def test_two_kinds_named_apart_are_a_set_where_such_titles_are_filed(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = taxonomy(
        "Furniture > Tables > Kitchen & Dining Room Tables",
        "Furniture > Chairs > Kitchen & Dining Room Chairs",
        "Furniture > Furniture Sets > Kitchen & Dining Furniture Sets",
        "Electronics > Video > Televisions",
        "Furniture > Entertainment Centers & TV Stands",
    )
    titles = [
        ("Kitchen & Dining Furniture Sets", "oak table and 4 chairs"),
        ("Kitchen & Dining Furniture Sets", "dining table w/ 6 chairs"),
        ("Kitchen & Dining Furniture Sets", "glass table & chairs"),
        ("Kitchen & Dining Furniture Sets", "table with two chairs"),
        ("Kitchen & Dining Furniture Sets", "pine table + chairs"),
        *(("Kitchen & Dining Room Tables", f"{wood} table") for wood in ("oak", "pine", "teak", "cherry")),
        *(
            ("Kitchen & Dining Room Tables", f"round {wood} table")
            for wood in ("oak", "pine", "teak", "cherry")
        ),
        ("Kitchen & Dining Room Chairs", "4 dining chairs"),
        ("Entertainment Centers & TV Stands", "tv stand for 55in tv"),
        ("Entertainment Centers & TV Stands", "oak tv stand, holds tv up to 60in"),
        ("Entertainment Centers & TV Stands", "corner stand for a tv"),
        ("Entertainment Centers & TV Stands", "glass stand for tv"),
        ("Entertainment Centers & TV Stands", "stand for flat tv"),
        ("Televisions", "samsung tv"),
    ]
    ix = index(rows, titles)
    assert top(ix, "maple table") == "Kitchen & Dining Room Tables"
    assert top(ix, "maple table with 4 chairs") == "Kitchen & Dining Furniture Sets"
    assert top(ix, "maple table & chairs") == "Kitchen & Dining Furniture Sets"
    lifted = scores(ix, "maple table & chairs")
    tv_lifted = scores(ix, "vizio tv with stand")
    monkeypatch.setattr(category_search, "PAIR_LIFT", 0.0)
    plain = scores(ix, "maple table & chairs")
    # the set gains the best score times its titles' share (5 of 5); nothing else moves
    assert lifted["Kitchen & Dining Furniture Sets"] > plain["Kitchen & Dining Furniture Sets"] * 1.5
    assert lifted["Kitchen & Dining Room Tables"] == pytest.approx(
        plain["Kitchen & Dining Room Tables"], rel=1e-3
    )
    # TV stands are named for the stand: a set of neither is what the rule lifts, so titles naming a TV and
    # a stand lift nothing for a TV with its stand
    assert tv_lifted == pytest.approx(scores(ix, "vizio tv with stand"))


@pytest.mark.parametrize(
    ("query", "item"),
    [
        ("ps4 with two controllers", ("ps4",)),  # no word of it names a kind, but "with" says it is the item
        ("PS4 + 2 games", ("ps4",)),
        ("Brand new with tags nike shoes", ("tag", "nike", "shoe")),  # describing words alone are no item
        ("IKEA Billy bookcases, set of 2", ("ikea", "billy", "bookcase")),
        ("IKEA Billy bookcases-set of 2", ("ikea", "billy", "bookcase", "2")),
        ("set of 4 dining chairs", ("4", "dining", "chair")),
    ],
)
def test_what_comes_with_the_item_or_how_many_is_not_the_item(query: str, item: tuple[str, ...]) -> None:
    kinds = {"controller", "game", "shoe", "bookcase", "chair"}
    assert item_phrase(query, lambda w: w in kinds).item == item


def test_a_set_after_a_product_naming_two_kinds_is_no_head() -> None:
    rows = taxonomy(
        "Home & Garden > Household Appliances > Laundry Appliances > Washing Machines",
        "Home & Garden > Household Appliances > Laundry Appliances > Dryers",
        "Sporting Goods > Exercise & Fitness > Exercise Machine & Equipment Sets",
        "Furniture > Furniture Sets > Bedroom Furniture Sets",
    )
    ix = index(rows)
    groups, head = ix._groups("washer and dryer set")
    assert head is not None and groups[head].terms == ("washer", "dryer")
    assert top(ix, "washer and dryer set").startswith(("Washing", "Dryers"))
    assert top(ix, "bedroom set") == "Bedroom Furniture Sets"  # after one kind, the set is the kind


@pytest.fixture(scope="module")
def seed_index() -> CategoryIndex:
    from benchmarks.category_search import build_index
    from benchmarks.heldout_items import Taxonomy, seed_listings

    return build_index(Taxonomy.shipped(), seed_listings())


@pytest.mark.parametrize(
    ("query", "under"),
    [
        ("hot wheels cars", "Toys & Games > Toys > Play Vehicles"),
        ("peloton bike", "Sporting Goods > Exercise & Fitness > Cardio > Cardio Machines > Exercise Bikes"),
        ("washer and dryer set", "Home & Garden > Household Appliances > Laundry Appliances"),
    ],
)
def test_the_wrong_picks_a_new_user_saw(seed_index: CategoryIndex, query: str, under: str) -> None:
    hits = seed_index.search(query)
    assert hits and hits[0].category.path.startswith(under), (query, hits[0].category.path if hits else None)
    everyday = yaml.safe_load(
        (ROOT / "benchmarks" / "data" / "everyday_dev.yaml").read_text(encoding="utf-8")
    )
    assert query in {item["query"] for item in everyday["items"]}
