"""One ad posted again counts once when deciding whether comparables are enough (`marketplace.reposts`)."""

from __future__ import annotations

from marketplace.conditions import Condition
from marketplace.pricing import Candidate, select_comps
from marketplace.reposts import distinct_ads


def ad(ident: int, title: str, price: float, condition: str = "good") -> Candidate:
    return Candidate.of(ident, title, price, condition)


def copies(title: str, price: float, times: int, start: int, condition: str = "good") -> list[Candidate]:
    return [ad(start + k, title, price * (0.9 + 0.2 * (k % 5) / 4), condition) for k in range(times)]


def test_ads_posted_once_each_count() -> None:
    titles = ["Trek road bike", "Trek road bike 56cm", "Giant road bike", "Trek bike", "Road bike"]
    assert distinct_ads([ad(i, t, 300) for i, t in enumerate(titles)]) == 5


def test_one_ad_posted_again_with_variants_is_one_ad() -> None:
    # Reposts as sellers make them: the same words, a word dropped, "like new" or "obo" added.
    posted = copies("Specialized Allez road bike", 700, 40, 0)
    posted += copies("Specialized Allez bike", 700, 6, 100) + copies("Specialized road bike", 700, 5, 200)
    posted += copies("Specialized Allez road bike like new", 700, 2, 300)
    posted += copies("Specialized Allez road bike OBO must go", 700, 3, 400)
    assert distinct_ads(posted) == 1


def test_ads_posted_as_often_stay_apart_and_so_do_conditions() -> None:
    two = copies("Queen bed frame", 150, 30, 0) + copies("Queen bed", 120, 30, 100)
    assert distinct_ads(two) == 2
    apart = copies("Queen bed frame", 150, 30, 0) + copies("Queen bed frame", 90, 30, 100, "fair")
    assert distinct_ads(apart) == 2


def test_the_word_tier_chosen_does_not_depend_on_how_often_ads_were_posted() -> None:
    # Two ads share most of the item's words: too few at the seed's size, so the comparison widens to
    # titles sharing some of them. With every ad posted thirty times (as a large marketplace's copies
    # are), those two are still two ads, and the comparison widens the same way.
    close = [("Cannondale CAAD10 105", 900.0), ("Cannondale CAAD10 54cm", 1000.0)]
    wider = [
        ("Cannondale road bike", 500.0),
        ("Cannondale Synapse", 800.0),
        ("Cannondale mountain bike", 400.0),
    ]
    wider += [("Cannondale hybrid", 350.0), ("Cannondale bike 56cm", 450.0), ("Cannondale Trail 5", 420.0)]
    others = [(f"Trek {w} bike", 300.0) for w in ("road", "mountain", "hybrid", "kids", "gravel", "city")]
    listings = close + wider + others
    once = [ad(i, t, p) for i, (t, p) in enumerate(listings)]
    often = [c for i, (t, p) in enumerate(listings) for c in copies(t, p, 30, 100 * i)]
    item = "Cannondale CAAD10 road bike"
    first, again = select_comps(once, item, Condition.GOOD), select_comps(often, item, Condition.GOOD)
    assert "some of the item's words" in first.basis
    assert again.basis == first.basis


def test_a_variant_with_half_its_ads_listings_is_that_ad() -> None:
    # A probe's few listings of one ad: four with its words, two with a word added. Half is not another ad;
    # each of two ads posted once stays an ad whatever their words.
    probe = copies("1998 Dodge Ram 2500 diesel Laramie", 9000, 4, 0, "excellent")
    probe += copies("1998 Dodge Ram 2500 diesel Laramie used", 9000, 2, 10, "excellent")
    assert distinct_ads(probe) == 1
    assert distinct_ads([ad(0, "Dodge Ram 2500", 9000), ad(1, "Dodge Ram 2500 diesel", 9500)]) == 2
