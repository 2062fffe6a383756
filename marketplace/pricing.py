"""Price comparison: which listings are comparable to an item, and what they say about its price."""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from marketplace.conditions import Condition
from marketplace.text import alternatives, content_words, words

MIN_COMPS = 5  # fewer than this and the search widens (similar titles -> whole category -> parent)
MAX_EXAMPLES = 5
WIDE_CONDITION_GAP = 1  # comparables within one grade of the item's condition, when there are enough


_CONDITION = {c.value: c for c in Condition}


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    title: str
    price: float
    condition: Condition
    words: frozenset[str] = frozenset()  # the title's stemmed words, computed once

    @classmethod
    def of(cls, ident: int, title: str, price: float, condition: str) -> Candidate:
        return cls(ident, title, float(price), _CONDITION[condition], title_words(title))


@dataclass(frozen=True, slots=True)
class CompResult:
    comps: list[tuple[Candidate, float]]  # with title similarity in 0..1, best first
    basis: str  # how the comps were chosen, in words


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..1) of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def nice_round(value: float) -> float:
    """Round a price the way sellers do: $37 -> 35, $243 -> 245, $1,234 -> 1,250."""
    if value < 20:
        step = 1.0
    elif value < 100:
        step = 5.0
    elif value < 1000:
        step = 5.0 if value < 300 else 10.0
    elif value < 10000:
        step = 50.0
    else:
        step = 250.0
    return max(step, round(value / step) * step)


@functools.lru_cache(maxsize=65536)
def title_words(title: str) -> frozenset[str]:
    """A title's stemmed words, cached: the same seed titles are compared again and again."""
    return frozenset(words(title))


def _score(pair: tuple[Candidate, float]) -> float:
    return pair[1]


def select_comps(
    pool: Sequence[Candidate], query: str, condition: Condition | None, require_similar: bool = False
) -> CompResult:
    """Pick the comparables for `query` from a category's listings.

    Title similarity is the idf-weighted share of the query's words found in a listing's title. Listings
    sharing the query's distinctive words are preferred when there are at least MIN_COMPS of them; then
    listings close in condition when there are enough of those.
    """
    if not pool:
        return CompResult([], "no listings in this category")
    groups = [alternatives(t) for t in content_words(query)]
    query_words = {w for g in groups for phrase, _ in g for w in phrase}
    title_sets = [cand.words or title_words(cand.title) for cand in pool]
    # Only the query's words matter for document frequency: count those, not every word of every title.
    df = {w: sum(1 for ws in title_sets if w in ws) for w in query_words}
    n = len(pool)
    # Words in nearly every title of the category ("bike" among bikes) do not tell comparables apart.
    idf = {w: math.log(1 + n / (df[w] + 0.5)) for w in query_words}
    readings = [[(phrase, w / len(phrase)) for phrase, w in g] for g in groups]
    group_weight = [max(scale * sum(idf[x] for x in p) for p, scale in g) for g in readings]
    total_weight = sum(group_weight) or 1.0

    scored: list[tuple[Candidate, float]] = []
    for cand, ws in zip(pool, title_sets, strict=True):
        got = 0.0
        if not ws.isdisjoint(query_words):  # most titles share nothing with the query: skip them fast
            for g in readings:
                best = 0.0
                for phrase, scale in g:
                    value = 0.0
                    for word in phrase:
                        if word in ws:
                            value += idf[word]
                    best = max(best, value * scale)
                got += best
        scored.append((cand, got / total_weight))
    # Best first; among equals, the pool's own order (stable sort, no per-item key tuples).
    scored.sort(key=_score, reverse=True)

    basis = "all listings in the category"
    chosen = scored
    if require_similar:
        chosen = [pair for pair in scored if pair[1] >= 0.2]
        basis = "listings in related categories whose titles share some of the item's words"
    for threshold, label in (
        (0.5, "listings whose titles share most of the item's words"),
        (0.2, "listings whose titles share some of the item's words"),
    ):
        similar = [pair for pair in scored if pair[1] >= threshold]
        if len(similar) >= MIN_COMPS or (require_similar and similar):
            chosen, basis = similar, label
            break
    if condition is not None:
        close = [p for p in chosen if abs(p[0].condition.rank - condition.rank) <= WIDE_CONDITION_GAP]
        if len(close) >= MIN_COMPS:
            chosen = close
            basis += f", in {condition.label} condition or within one grade"
    return CompResult(chosen, basis)


@dataclass(frozen=True, slots=True)
class PriceStats:
    count: int
    median: float
    p25: float
    p75: float
    min: float
    max: float
    suggested_low: float
    suggested_high: float
    suggested_price: float
    confidence: float
    confidence_label: Literal["low", "medium", "high"]


def drop_outliers(prices: list[float]) -> list[float]:
    """Remove prices far outside the bulk: placeholders under a tenth of the median (a $7 truck) and
    values beyond Tukey's far fences (k=3; a $99,999 sofa)."""
    if len(prices) < 4:
        return prices
    ordered = sorted(prices)
    q1, q3 = percentile(ordered, 0.25), percentile(ordered, 0.75)
    spread = q3 - q1
    low = max(q1 - 3 * spread, statistics.median(ordered) / 10)
    high = q3 + 3 * spread
    kept = [p for p in ordered if low <= p <= high]
    return kept or ordered


def price_stats(prices: list[float], condition: Condition | None) -> PriceStats:
    ordered = sorted(drop_outliers(prices))
    median = statistics.median(ordered)
    p25, p75 = percentile(ordered, 0.25), percentile(ordered, 0.75)
    # Confidence: more comparables help (saturating near 20), scattered prices hurt.
    size_factor = min(1.0, math.sqrt(len(ordered) / 20))
    dispersion = (p75 - p25) / median if median > 0 else 1.0
    confidence = round(size_factor / (1 + dispersion), 2)
    label: Literal["low", "medium", "high"] = (
        "high" if confidence >= 0.6 else "medium" if confidence >= 0.35 else "low"
    )
    # Better condition than usual sits toward the top of the range, worse toward the bottom.
    tilt = 0.5
    if condition is not None:
        tilt = {0: 0.75, 1: 0.65, 2: 0.55, 3: 0.45, 4: 0.3, 5: 0.15}[condition.rank]
    suggested = nice_round(p25 + (p75 - p25) * tilt)
    low, high = nice_round(p25), nice_round(p75)
    suggested = min(max(suggested, low), high)
    return PriceStats(
        len(ordered), median, p25, p75, ordered[0], ordered[-1], low, high, suggested, confidence, label
    )
