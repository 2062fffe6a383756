"""How the suggested price is made from the comparables the comparison picked (`marketplace.pricing.
suggest_price`): the titles most like the item decide, listings that share no word with it count only when
nothing closer is there, and condition moves the price in order."""

from __future__ import annotations

import pytest

from marketplace.conditions import Condition
from marketplace.pricing import (
    Candidate,
    Suggestion,
    adjusted_price,
    adjustments,
    suggest_price,
    suggestion_basis,
)


def _comps(rows: list[tuple[str, float, float, int]]) -> list[tuple[Candidate, float]]:
    """(title, price, similarity, how many) -> comparables, each its own listing."""
    out: list[tuple[Candidate, float]] = []
    for title, price, similarity, count in rows:
        out += [(Candidate.of(len(out) + i, title, price, "good"), similarity) for i in range(count)]
    return out


def test_a_few_like_titles_outweigh_a_whole_category_of_unlike_ones() -> None:
    # Three Aeron chairs beside sixty listings of other furniture that share no word with the item: the
    # chairs' price, not the category's.
    comps = _comps([("Herman Miller Aeron chair", 400, 0.8, 3), ("Oak dining table", 120, 0.0, 60)])
    assert suggest_price(
        comps, Condition.GOOD, "Herman Miller Aeron chair"
    ).comparables_price == pytest.approx(400)


def test_unlike_titles_alone_still_price_the_item() -> None:
    # Nothing shares a word with the item (the comparison fell back to the whole category): they count alike.
    comps = _comps([("Oak dining table", 100, 0.0, 3), ("Pine bookcase", 300, 0.0, 4)])
    assert suggest_price(comps, Condition.GOOD, "Zyx chair").comparables_price == pytest.approx(300)


def test_a_worse_condition_is_never_priced_higher() -> None:
    comps = _comps([("Trek road bike", 500, 0.9, 4), ("Trek bike", 300, 0.5, 6), ("bike", 90, 0.0, 20)])
    prices = [suggest_price(comps, c, "Trek road bike", estimate=450.0).price for c in Condition]
    assert prices == sorted(prices, reverse=True) and prices[0] > prices[-1]


def test_the_reason_for_a_price_outside_the_spread_says_one_listing_as_one() -> None:
    below = Suggestion(price=45.0, low=40.0, high=50.0, adjustment_shift=0.7)
    one = [Candidate(id=1, title="north face puffer jacket", price=90.0, condition=Condition.NEW)]
    said = suggestion_basis(below, 90.0, 90.0, Condition.GOOD, one)
    assert (
        said == "It's below what that listing asks because yours is in good condition while that one is new."
    )
    two = [*one, Candidate(id=2, title="puffer jacket", price=80.0, condition=Condition.NEW)]
    assert "most of them ask" in suggestion_basis(below, 80.0, 90.0, Condition.GOOD, two)
    broken = suggestion_basis(below, 80.0, 90.0, Condition.FOR_PARTS, two)
    assert "yours is for parts while" in broken and "for parts condition" not in broken


def test_a_car_many_model_years_newer_is_moved_down_by_the_most_years_counted() -> None:
    # A 2010 car borrowed for a 2003 one (few listings name its year) counts as `max_years` newer, not at its
    # own price; one a year off moves by one year, and an older one moves up alike.
    rules = adjustments()
    newer = Candidate.of(1, "2010 Audi TT 2.0 turbo", 12000, "good")
    assert adjusted_price(newer, Condition.GOOD, 2003) == pytest.approx(
        12000 / (1 + rules.per_year) ** rules.max_years
    )
    near = Candidate.of(2, "2004 Saab 9-3", 5000, "good")
    assert adjusted_price(near, Condition.GOOD, 2003) == pytest.approx(5000 / (1 + rules.per_year))
    older = Candidate.of(3, "1995 Saab 900", 2000, "good")
    assert adjusted_price(older, Condition.GOOD, 2003) == pytest.approx(
        2000 * (1 + rules.per_year) ** rules.max_years
    )
    classic = Candidate.of(4, "1972 Volkswagen Beetle", 9000, "good")
    assert adjusted_price(classic, Condition.GOOD, 2003) == pytest.approx(9000)


class _Model:
    """A stand-in for the learned price model: the same estimate for any item."""

    def __init__(self, estimate: float) -> None:
        self.value = estimate

    def estimate(self, query: str, lineage: object, condition: object) -> float:
        return self.value


def _civics() -> list[tuple[Candidate, float]]:
    # Forty like listings asking $8,500-$11,000 in good condition: by themselves a confident price.
    prices = [8500 + 2500 * i / 39 for i in range(40)]
    return [(Candidate.of(i, "2012 Honda Civic LX", p, "good"), 0.9) for i, p in enumerate(prices)]


def test_confidence_is_low_when_the_price_model_and_the_comparables_disagree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from marketplace import pricing

    monkeypatch.setattr(pricing, "current_model", lambda: _Model(9500.0))
    agreeing = pricing.comparison_stats(_civics(), Condition.GOOD, "2012 honda civic", lineage=(1, 2))
    assert agreeing.confidence_label == "high"
    # The model puts it at half what the listings ask: the suggestion is a compromise between the two.
    monkeypatch.setattr(pricing, "current_model", lambda: _Model(4567.0))
    apart = pricing.comparison_stats(_civics(), Condition.GOOD, "2012 honda civic", lineage=(1, 2))
    assert apart.suggested_price < apart.p25
    assert apart.confidence_label == "low"


def test_a_suggestion_below_the_spread_gives_one_plain_reason() -> None:
    # The model pulled it down most; the condition a little: one reason, the main one, in one sentence.
    below = Suggestion(
        price=5950.0,
        low=5000.0,
        high=7000.0,
        adjustment_shift=0.86,
        model_shift=0.77,
        comparables_price=7750.0,
        model_price=4567.0,
    )
    read = [
        Candidate(id=i, title="2012 honda civic", price=9000.0, condition=Condition.LIKE_NEW)
        for i in range(4)
    ]
    said = suggestion_basis(below, 8500.0, 11000.0, Condition.GOOD, read)
    assert said.startswith("It's below what most of them ask because the price model")
    assert "$4,567" in said and ", and" not in said and said.count(".") == 1
    # The condition moved it most: that is the reason given.
    worn = Suggestion(
        price=5950.0, low=5000.0, high=7000.0, adjustment_shift=0.7, model_shift=0.95, model_price=8000.0
    )
    said = suggestion_basis(worn, 8500.0, 11000.0, Condition.GOOD, read)
    assert (
        said
        == "It's below what most of them ask because yours is in good condition while most of them are like new."
    )


def test_the_condition_reason_names_only_conditions_on_the_side_the_price_moved() -> None:
    # Below the spread for a fair item: the reason is the comparables in better condition, never "yours is
    # fair while most of them are fair". With none better, the condition is no reason at all.
    worn = Suggestion(
        price=9500.0, low=8000.0, high=11000.0, adjustment_shift=0.7, model_shift=0.95, model_price=14000.0
    )
    mixed = [
        Candidate(id=i, title="2015 toyota camry", price=14000.0, condition=c)
        for i, c in enumerate(
            [Condition.FAIR, Condition.FAIR, Condition.FAIR, Condition.EXCELLENT, Condition.GOOD]
        )
    ]
    said = suggestion_basis(worn, 10500.0, 14900.0, Condition.FAIR, mixed)
    assert said.endswith("yours is in fair condition while several are excellent or good.")
    all_fair = [
        Candidate(id=i, title="2015 toyota camry", price=14000.0, condition=Condition.FAIR) for i in range(4)
    ]
    said = suggestion_basis(worn, 10500.0, 14900.0, Condition.FAIR, all_fair)
    assert "condition" not in said
