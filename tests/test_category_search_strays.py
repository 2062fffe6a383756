"""Listing titles that name another department's thing beside their own ("Bicycle Receipt & Book", "electric
guitar fs/ft carbon road bike" under Bicycles) speak only for their own; words that say who an item is for
("kids") say nothing of what it is; a maker of one or a few kinds of thing (rules/search/branches.yaml,
`domains`) keeps the item in the branches it makes for ("yamaha keyboard", "lego bin"). On small indexes built
here, and on the shipped seed."""

from __future__ import annotations

import pytest

from marketplace import category_search
from marketplace.category_search import CategoryIndex
from tests.test_category_search_reading import index, taxonomy, top

BICYCLES = "Sporting Goods > Outdoor Recreation > Cycling > Bicycles"
BOOKS = "Media > Books"
GUITARS = (
    "Arts & Entertainment > Hobbies & Creative Arts > Musical Instruments > String Instruments > Guitars"
)


def _bicycles_and_books(*strays: str) -> CategoryIndex:
    titles = [("Bicycles", f"{make} kids bike 20 inch") for make in ("trek", "giant", "schwinn", "huffy")]
    titles += [("Bicycles", f"{make} road bike") for make in ("cannondale", "specialized", "bianchi")]
    return index(taxonomy(BICYCLES, BOOKS, GUITARS), titles + [("Bicycles", t) for t in strays])


def test_a_title_part_naming_another_departments_thing_does_not_speak_for_the_category() -> None:
    # One bicycle ad sold the bicycle's receipt and its book: the book is no bicycle, and "kids" is only who a
    # bicycle or a book is for.
    ix = _bicycles_and_books("Raleigh Sports 1975 Bicycle Receipt & Book")
    assert top(ix, "box of kids books") == "Books"
    assert top(ix, "kids bike") == "Bicycles"


def test_a_traded_thing_is_stray_whichever_part_it_is_in() -> None:
    ix = _bicycles_and_books(
        "Parker PM20G electric guitar fs/ft for carbon road bike", "Specialized Bike & Yamaha Guitar for sale"
    )
    bicycles = next(c.id for c in ix.by_id.values() if c.name == "Bicycles")
    traded = [
        (bicycles, "Parker PM20G electric guitar fs/ft for carbon road bike"),
        (bicycles, "Specialized Bike & Yamaha Guitar for sale"),
    ]
    assert ix._without_strays(traded) == [(bicycles, "carbon road bike"), (bicycles, "Specialized Bike sale")]
    assert not ix.model.knows("guitar")  # the title model never learns the bicycles' guitars
    assert top(ix, "yamaha acoustic guitar") == "Guitars"


def test_the_first_part_is_what_a_title_sells_and_a_departments_own_heads_stay() -> None:
    ix = _bicycles_and_books()
    bicycles = next(c.id for c in ix.by_id.values() if c.name == "Bicycles")
    titles = [
        (bicycles, "Bicycle book and bike light"),  # the first part is the thing sold: kept whole
        (bicycles, "road bike & book"),
        (bicycles, "book"),  # another title of Bicycles headed by "book" that is no stray: its own
    ]
    assert ix._without_strays(titles) == titles
    assert ix._without_strays(titles[1:2]) == [(bicycles, "road bike")]


def test_without_stray_parts_switched_off_titles_are_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(category_search, "STRAY_PARTS", 0)
    ix = _bicycles_and_books("Raleigh Sports 1975 Bicycle Receipt & Book")
    assert ix.model.knows("book")


KEYBOARDS = "Electronics > Electronics Accessories > Computer Components > Input Devices > Keyboards"
MUSICAL_KEYBOARDS = (
    "Arts & Entertainment > Hobbies & Creative Arts > Musical Instruments > Electronic Musical Instruments"
    " > Musical Keyboards"
)
ICE_BINS = "Business & Industrial > Food Service > Ice Bins"
LEGO = "Toys & Games > Toys > Building Toys > Construction Set Toys"


def scores(ix: CategoryIndex, query: str) -> dict[str, float]:
    return {e.category.name: e.score for e in ix.explain(query)}


def test_a_maker_of_few_kinds_keeps_the_item_in_its_branches(monkeypatch: pytest.MonkeyPatch) -> None:
    titles = [
        ("Keyboards", f"{make} wireless keyboard") for make in ("logitech", "microsoft", "dell", "apple")
    ]
    ix = index(taxonomy(KEYBOARDS, MUSICAL_KEYBOARDS, ICE_BINS, LEGO), titles)
    assert top(ix, "yamaha keyboard") == "Musical Keyboards"
    assert top(ix, "lego bin") == "Construction Set Toys"
    assert top(ix, "logitech keyboard") == "Keyboards"  # no maker of a few kinds
    said, factor = scores(ix, "yamaha keyboard"), category_search.DOMAIN_FACTOR
    monkeypatch.setattr(category_search, "DOMAIN_FACTOR", 1.0)
    unsaid = scores(ix, "yamaha keyboard")
    # Outside the maker's branches a category named for the item counts DOMAIN_FACTOR of what it would.
    assert said["Keyboards"] == pytest.approx(factor * unsaid["Keyboards"])
    assert said["Musical Keyboards"] == pytest.approx(unsaid["Musical Keyboards"])


def test_a_makers_name_after_the_head_is_no_maker() -> None:
    # "bike fender": the bicycle's fender, whatever a Fender makes; the bicycle is not lowered.
    ix = index(taxonomy(BICYCLES, GUITARS), [("Bicycles", f"{m} bike") for m in ("trek", "giant", "huffy")])
    groups_head = ix._reading("bike fender")[1:]
    assert ix._maker_domain(*groups_head) is None
    guitars = next(c.id for c in ix.by_id.values() if c.name == "Guitars")
    bicycles = next(c.id for c in ix.by_id.values() if c.name == "Bicycles")
    domain = ix._maker_domain(*ix._reading("fender guitar")[1:])
    assert domain is not None and guitars in domain[1]  # what Fender makes
    domain = ix._maker_domain(*ix._reading("fender bike")[1:])
    assert domain is not None and bicycles not in domain[1]


@pytest.fixture(scope="module")
def seed_index() -> CategoryIndex:
    from benchmarks.category_search import build_index
    from benchmarks.heldout_items import Taxonomy, seed_listings

    return build_index(Taxonomy.shipped(), seed_listings())


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("box of kids books", "Media > Books"),
        ("yamaha keyboard", MUSICAL_KEYBOARDS),
        ("lego bin", LEGO),
        ("barbie dreamhouse", "Toys & Games > Toys > Dolls, Playsets & Toy Figures"),
        # a studio audio maker's monitor is a speaker, not a computer's screen
        ("mackie monitor", "Electronics > Audio > Audio Components > Speakers"),
    ],
)
def test_on_the_seed(seed_index: CategoryIndex, query: str, path: str) -> None:
    hits = seed_index.search(query)
    assert hits and hits[0].category.path.startswith(path), (query, hits[0].category.path if hits else None)
