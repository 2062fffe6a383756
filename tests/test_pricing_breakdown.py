"""The pricing benchmark's breakdown of misses by class (benchmarks/pricing_breakdown.py)."""

from __future__ import annotations

import math

import pytest

from benchmarks.heldout_items import Listing
from benchmarks.pricing_breakdown import Miss, by_class, figures, report, same_words_agreement, tier
from marketplace.conditions import Condition
from marketplace.pricing import Candidate, select_comps

FACTORS = {c: 1.0 for c in Condition} | {Condition.NEW: 2.0}


def listing(title: str, price: float, source: str = "bike", category: int = 1, **kw: object) -> Listing:
    condition = kw.get("condition", Condition.GOOD)
    assert isinstance(condition, Condition)
    return Listing(f"{title}-{price}", source, title, price, condition, category)


def message_for(titles: list[str], query: str) -> str:
    """The comparison's message as the API words it, around the basis `select_comps` gives."""
    pool = [Candidate.of(i, t, 100.0, "good") for i, t in enumerate(titles)]
    picked = select_comps(pool, query)
    return f"{len(picked.comps)} comparable listings ({picked.basis}); the middle half ask $90 to $110."


def test_tier_reads_the_basis_select_comps_gives() -> None:
    trek = [f"Trek road bike {n}" for n in range(6)] + [f"Giant mountain bike {n}" for n in range(6)]
    assert tier(message_for(trek, "Trek road bike")) == "most words"
    # Five different 2014 ads (identical titles in one condition would be one ad posted again).
    accords = [f"{year} Honda Accord" for year in (2010, 2012)]
    accords += [f"2014 Honda Accord {trim}" for trim in ("EX", "LX", "Sport", "Touring", "SE")]
    accords += [f"Ford Focus {n}" for n in range(6)]
    assert tier(message_for(accords, "2014 Honda Accord")) == "most words + numbers"
    others = [f"Giant mountain bike {n}" for n in range(8)]
    assert tier(message_for(others, "bike")) == "all listings"


def test_figures_tell_a_bias_from_a_scatter() -> None:
    asked = [listing("Trek road bike", 100.0) for _ in range(4)]
    high = [Miss(item, item.title, 200.0, "") for item in asked]
    scattered = [
        Miss(item, item.title, p, "") for item, p in zip(asked, (200.0, 50.0, 100.0, 120.0), strict=True)
    ]
    assert figures(high).over == 1.0 and figures(high).under == 0.0
    assert figures(high).median_log_error == pytest.approx(math.log(2))
    f = figures(scattered)
    assert (f.within, f.over, f.under) == (0.5, 0.25, 0.25)


def test_small_classes_are_left_out_and_large_ones_come_first() -> None:
    rows = [Miss(listing("Trek bike", 100.0, "bike"), "Trek bike", 100.0, "") for _ in range(9)]
    rows += [Miss(listing("Sofa", 100.0, "furniture"), "Sofa", 100.0, "") for _ in range(10)]
    rows += [Miss(listing("iPhone 6", 100.0, "phone"), "iPhone 6", 100.0, "") for _ in range(3)]
    assert list(by_class(rows, lambda r: r.item.source)) == ["furniture", "bike"]
    lines = report(rows, {"all": 0.5})
    assert any(line.strip().startswith("furniture, other") for line in lines)
    assert lines[-1].endswith("all 50%")


def test_same_words_agreement_compares_alike_titles_moved_to_one_condition() -> None:
    listings = [
        listing("Trek road bike", 100.0),
        listing("trek road bikes", 120.0),  # the same item words (plural stemmed)
        listing("Trek road bike", 200.0, condition=Condition.NEW),  # 100 once moved to "good"
        listing("Trek road bike", 400.0, category=2),  # another category: no pair
        listing("Sofa", 50.0, "furniture"),
        listing("Sofa", 150.0, "furniture"),
    ]
    shares = same_words_agreement(listings, FACTORS)
    assert shares["bike"] == 1.0  # 100, 120 and 100: each pair within 35%, both ways
    assert shares["furniture"] == 0.0
    assert shares["all"] == pytest.approx(6 / 8)
