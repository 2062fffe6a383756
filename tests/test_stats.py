"""The intervals and tests behind variant comparisons, against published values."""

from __future__ import annotations

import statistics

import pytest

from agent.stats import (
    Interval,
    binomial_test,
    bootstrap,
    bootstrap_difference,
    newcombe,
    sign_test,
    wilson,
)


# Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
# methods", Statistics in Medicine 17:857-872, Table I, method 3 (score interval without continuity
# correction).
@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombe_1998(successes: int, trials: int, low: float, high: float) -> None:
    found = wilson(successes, trials)
    assert found.low == pytest.approx(low, abs=5e-5)
    assert found.high == pytest.approx(high, abs=5e-5)


# Newcombe RG (1998), "Interval estimation for the difference between independent proportions: comparison
# of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10 (score-based hybrid); the
# paper gives p1 - p2, `newcombe(a..., b...)` gives p_b - p_a.
@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0),
        (10, 10, 0, 10, 0.6075, 1.0),
    ],
)
def test_newcombe_matches_the_published_table(
    x1: int, n1: int, x2: int, n2: int, low: float, high: float
) -> None:
    found = newcombe(x2, n2, x1, n1)
    assert found.low == pytest.approx(low, abs=5e-5)
    assert found.high == pytest.approx(high, abs=5e-5)


def test_exact_binomial_test_matches_r() -> None:
    # R's documentation of binom.test: Mendel's peas, 682 of 925 against p = 3/4: p-value = 0.3825.
    assert binomial_test(682, 925, 0.75) == pytest.approx(0.3825, abs=5e-5)
    # Symmetric case by hand: 1 of 10 discordant pairs: 2 * (1 + 10) / 2^10.
    assert sign_test(1, 9) == pytest.approx(22 / 1024)
    assert sign_test(9, 1) == sign_test(1, 9)
    assert sign_test(0, 0) == 1.0
    assert sign_test(3, 3) == 1.0
    # Large samples stay finite: 2,000 of 4,000 at p = 1/2 is the likeliest outcome.
    assert binomial_test(2000, 4000) == pytest.approx(1.0)
    assert binomial_test(2200, 4000) < 1e-9


def test_intervals_behave_at_the_edges() -> None:
    assert wilson(0, 0) == Interval(0.0, 1.0)
    assert wilson(5, 5).high == 1.0 and wilson(5, 5).low > 0.5
    with pytest.raises(ValueError):
        wilson(3, 2)
    wide, narrow = wilson(5, 10), wilson(500, 1000)
    assert wide.contains(0.5) and narrow.contains(0.5)
    assert narrow.high - narrow.low < wide.high - wide.low


def test_bootstrap_is_seeded_and_covers_the_statistic() -> None:
    data = [float(i % 7) for i in range(200)]
    first = bootstrap(data, statistics.fmean)
    assert first is not None and first == bootstrap(data, statistics.fmean)
    assert first.contains(statistics.fmean(data))
    assert first.high - first.low < 1.0
    assert bootstrap([], statistics.fmean) is None
    assert bootstrap([2.0, 2.0, 2.0], statistics.fmean) == Interval(2.0, 2.0)
    assert bootstrap([1.0], lambda _: None) is None


def test_bootstrap_difference_of_two_groups() -> None:
    control = [float(i % 5) for i in range(300)]  # mean 2
    treatment = [float(i % 5) + 1.0 for i in range(300)]  # mean 3
    found = bootstrap_difference(control, treatment, statistics.fmean)
    assert found is not None and found.contains(1.0) and found.excludes_zero()
    same = bootstrap_difference(control, control, statistics.fmean)
    assert same is not None and same.contains(0.0) and not same.excludes_zero()
    assert bootstrap_difference([], treatment, statistics.fmean) is None
