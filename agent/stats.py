"""Confidence intervals and tests for comparing variants: on the scenario set (the eval harness) and in
production (the experiment report). Here because both the harness and ops import `agent` and nothing else
they share; it imports nothing of ours.

Each is a few lines of textbook arithmetic (scipy would earn its place only for these), checked against
published values in tests/test_stats.py:

- `wilson`: the Wilson score interval for a proportion (Wilson 1927; Newcombe 1998, method 3). Unlike the
  normal ("Wald") interval it stays inside [0, 1] and does not collapse to a point at 0/n or n/n, which
  is what a scenario run 1 to 10 times mostly gives.
- `newcombe`: the difference of two independent proportions, from their Wilson intervals (Newcombe 1998,
  method 10, the "hybrid score" interval).
- `binomial_test`: the exact two-sided binomial test, summing the outcomes no more likely than the one
  observed (as R's `binom.test`); with p = 0.5 on discordant pairs it is McNemar's exact test.
- `bootstrap`, `bootstrap_difference`: percentile bootstrap intervals of any statistic over resampled
  units (of one group, or the difference between two), seeded, so a report says the same thing twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TypeVar

T = TypeVar("T")
CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 4000


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: float, trials: int, confidence: float = CONFIDENCE) -> Interval:
    """The Wilson score interval for successes/trials ([0, 1] when there are no trials). `successes` may be
    fractional: a pooled rate over correlated trials is given with their effective number as `trials`."""
    if trials <= 0:
        return Interval(0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    z = _z(confidence)
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    denominator = 1 + z * z / trials
    # At 0/n and n/n the bound is exactly 0 or 1; the formula gives it up to rounding.
    low = 0.0 if p <= 0 else (centre - spread) / denominator
    high = 1.0 if p >= 1 - 1e-12 else (centre + spread) / denominator
    return Interval(low, high)


def newcombe(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, confidence: float = CONFIDENCE
) -> Interval:
    """An interval for p_b - p_a, two independent proportions (Newcombe's hybrid score interval)."""
    if trials_a <= 0 or trials_b <= 0:
        return Interval(-1.0, 1.0)
    pa, pb = successes_a / trials_a, successes_b / trials_b
    a, b = wilson(successes_a, trials_a, confidence), wilson(successes_b, trials_b, confidence)
    diff = pb - pa
    low = diff - math.sqrt((pb - b.low) ** 2 + (a.high - pa) ** 2)
    high = diff + math.sqrt((b.high - pb) ** 2 + (pa - a.low) ** 2)
    return Interval(low, high)


def binomial_pmf(k: int, n: int, p: float) -> float:
    """P(X = k) for X ~ Binomial(n, p), in log space (C(4000, 2000) is far beyond a float)."""
    if p <= 0 or p >= 1:
        return float(k == (0 if p <= 0 else n))
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return math.exp(log + k * math.log(p) + (n - k) * math.log1p(-p))


def binomial_test(successes: int, trials: int, p: float = 0.5) -> float:
    """The exact two-sided p-value of `successes` in `trials` under probability `p`: the total
    probability of every outcome at most as likely as the one observed (R's binom.test)."""
    if trials == 0:
        return 1.0
    observed = binomial_pmf(successes, trials, p)
    tolerance = 1 + 1e-7  # outcomes as likely as the observed one, up to rounding, count in
    total = sum(q for k in range(trials + 1) if (q := binomial_pmf(k, trials, p)) <= observed * tolerance)
    return min(1.0, total)


def sign_test(improved: int, worsened: int) -> float:
    """The exact two-sided sign test on the units that changed (McNemar's exact test when each unit is
    one pass/fail pair)."""
    return binomial_test(improved, improved + worsened, 0.5)


def bootstrap(
    units: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> Interval | None:
    """The percentile bootstrap interval of `statistic` over `units` resampled with replacement (None when
    there are no units, or the statistic is undefined on every resample)."""
    if not units:
        return None
    draw = random.Random(seed)
    size = len(units)
    values = []
    for _ in range(resamples):
        sample = [units[draw.randrange(size)] for _ in range(size)]
        value = statistic(sample)
        if value is not None and not math.isnan(value):
            values.append(value)
    return _percentile_interval(values, confidence)


def bootstrap_difference(
    control: Sequence[T],
    treatment: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> Interval | None:
    """The percentile bootstrap interval of statistic(treatment) - statistic(control), two independent
    groups each resampled on its own (None when either is empty or the difference is never defined)."""
    if not control or not treatment:
        return None
    draw = random.Random(seed)
    values = []
    for _ in range(resamples):
        a = statistic([control[draw.randrange(len(control))] for _ in control])
        b = statistic([treatment[draw.randrange(len(treatment))] for _ in treatment])
        if a is not None and b is not None and not math.isnan(a) and not math.isnan(b):
            values.append(b - a)
    return _percentile_interval(values, confidence)


def ratio_difference(
    control: Sequence[tuple[float, float]],
    treatment: Sequence[tuple[float, float]],
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> Interval | None:
    """`bootstrap_difference` for a ratio of sums (sum of tops / sum of bottoms, e.g. errors per turn over
    conversations), made fast: units are (top, bottom) pairs and a resample is a list of indexes."""
    if not control or not treatment:
        return None
    draw = random.Random(seed)

    def ratio(tops: list[float], bottoms: list[float], picks: list[int]) -> float | None:
        under = sum(map(bottoms.__getitem__, picks))
        return sum(map(tops.__getitem__, picks)) / under if under else None

    groups = [([t for t, _ in g], [b for _, b in g], range(len(g))) for g in (control, treatment)]
    values = []
    for _ in range(resamples):
        a, b = (ratio(tops, bottoms, draw.choices(units, k=len(units))) for tops, bottoms, units in groups)
        if a is not None and b is not None:
            values.append(b - a)
    return _percentile_interval(values, confidence)


def _percentile_interval(values: list[float], confidence: float) -> Interval | None:
    """The middle `confidence` of the resampled values (None when no resample was defined)."""
    if not values:
        return None
    values.sort()
    tail = (1 - confidence) / 2
    return Interval(_quantile(values, tail), _quantile(values, 1 - tail))


def _quantile(ordered: Sequence[float], q: float) -> float:
    at = (len(ordered) - 1) * q
    low, high = math.floor(at), math.ceil(at)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)
