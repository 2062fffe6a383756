"""Category search from the data: the vote of listings with similar titles, where people sell, and the
query's item word (marketplace/category_search.py, marketplace/similar_titles.py), on small indexes
built here."""

from __future__ import annotations

import pytest

from marketplace import category_search
from marketplace.category_search import CategoryIndex
from marketplace.similar_titles import TitleNeighbours

CATEGORIES = [
    (1, "Sporting Goods", "Sporting Goods", None, False),
    (2, "Sporting Goods > Bicycles", "Bicycles", 1, True),
    (3, "Vehicles", "Vehicles", None, False),
    (4, "Vehicles > Cars", "Cars", 3, True),
    (5, "Home & Garden", "Home & Garden", None, False),
    (6, "Home & Garden > Kitchen", "Kitchen", 5, False),
    (7, "Home & Garden > Kitchen > Cookware", "Cookware", 6, False),
    (8, "Home & Garden > Kitchen > Cookware > Skillets & Frying Pans", "Skillets & Frying Pans", 7, True),
    (9, "Home & Garden > Kitchen > Cookware > Woks", "Woks", 7, True),
    (10, "Business & Industrial", "Business & Industrial", None, False),
    (11, "Business & Industrial > Food Service", "Food Service", 10, False),
    (12, "Business & Industrial > Food Service > Tilt Skillets", "Tilt Skillets", 11, True),
    (13, "Electronics", "Electronics", None, False),
    (14, "Electronics > Game Controllers", "Game Controllers", 13, True),
    (15, "Electronics > Console & Controller Batteries", "Console & Controller Batteries", 13, True),
]
BIKES = [(2, f"Scott Addict {size}cm road racer carbon") for size in (52, 54, 56, 58)]
CARS = [(4, "Scott's 2009 Toyota Corolla sedan"), (4, "2011 Honda Civic sedan")]


def test_similar_titles_vote_for_their_categories() -> None:
    neighbours = TitleNeighbours(BIKES + CARS)
    votes = neighbours.vote("Scott Foil 56cm road racer", k=3)
    assert set(votes) == {2}
    assert 0 < votes[2] <= 3


def test_a_title_too_unlike_the_query_does_not_vote() -> None:
    neighbours = TitleNeighbours(BIKES + CARS)
    assert neighbours.vote("Scott Foil 56cm road racer", k=10, floor=0.99) == {}


def test_only_titles_with_the_distinctive_word_vote() -> None:
    # Five metal storage cabinets share two of "metal tool cabinet"'s three words; the one tool cabinet
    # shares the word that tells it apart.
    neighbours = TitleNeighbours([(1, f"metal cabinet {n}") for n in range(5)] + [(2, "metal tool cabinet")])
    assert set(neighbours.vote("metal tool cabinet")) == {2}


def test_a_short_query_is_voted_on_by_titles_of_the_same_item() -> None:
    # "Malm" is rarer than "dresser", but Malm is also a bed: the titles that vote name the item too.
    beds = [(1, f"IKEA Malm bed {n}") for n in range(5)]
    dressers = [(2, "IKEA Malm dresser")] + [(2, f"oak dresser {n}") for n in range(10)]
    neighbours = TitleNeighbours(beds + dressers)
    assert set(neighbours.vote("IKEA Malm dresser", item_word="dresser")) == {2}
    assert 1 in neighbours.vote("IKEA Malm dresser")  # without the item word, the beds vote as well


def test_an_item_no_title_names_gets_no_votes() -> None:
    # "grinder" is in no title: sharing "road" with the bicycles says nothing about a grinder
    assert TitleNeighbours(BIKES).vote("road salt grinder") == {}


def test_similar_titles_know_word_combinations() -> None:
    # Word by word, "scott", "road" and "racer" are each mostly in car titles; together they are bicycles.
    bikes = [(2, f"Scott road racer {size}cm carbon") for size in (52, 54, 56)]
    cars = [(4, f"Scott sedan {n}") for n in range(7)]
    cars += [(4, f"road ready sedan {n}") for n in range(7)]
    cars += [(4, f"racer edition sedan {n}") for n in range(6)]
    hits = CategoryIndex(CATEGORIES, bikes + cars).search("Scott road racer")
    assert hits and hits[0].category.name == "Bicycles"


def test_where_people_sell_breaks_a_tie_between_branches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two categories named alike in two branches: sellers sell in the kitchen branch, where the listings are.
    # (Without WordNet's kinds, which know a wok as cookware: test_category_search_knowledge.py.)
    monkeypatch.setattr(category_search, "kind_hints", dict)
    categories = [
        *CATEGORIES,
        (16, "Toys & Games", "Toys & Games", None, False),
        (17, "Toys & Games > Woks", "Woks", 16, True),
    ]
    kitchen = [(8, f"carbon steel skillet {n}") for n in range(30)]
    without = CategoryIndex(categories, [])
    assert without.search("wok")[0].category.id == 17  # the same name; the shallower path first
    assert CategoryIndex(categories, kitchen).search("wok")[0].category.id == 9


def test_a_category_named_for_a_modifier_of_the_item_ranks_lower(monkeypatch: pytest.MonkeyPatch) -> None:
    # "Console & Controller Batteries" is a kind of battery (and of console, by its name): in "console
    # controller" the item is the controller, so a category whose kind is only the modifier counts less.
    def scores() -> dict[str, float]:
        return {h.category.name: h.score for h in CategoryIndex(CATEGORIES, []).search("console controller")}

    monkeypatch.setattr(category_search, "MODIFIER_HEAD_FACTOR", 1.0)
    before = scores()
    monkeypatch.setattr(category_search, "MODIFIER_HEAD_FACTOR", 0.8)
    after = scores()
    assert after["Game Controllers"] == before["Game Controllers"]
    assert after["Console & Controller Batteries"] < before["Console & Controller Batteries"]
