"""Price comparison: which listings are comparable to an item, and what they say about its price."""

from __future__ import annotations

import functools
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from marketplace.cache import BoundedCache
from marketplace.conditions import Condition
from marketplace.text import REVERSE_SYNONYMS, alternatives, content_words, words

MIN_COMPS = 5  # fewer than this and the search widens (similar titles -> whole category -> parent)
MAX_EXAMPLES = 5
WIDE_CONDITION_GAP = 1  # comparables within one grade of the item's condition, when there are enough
NUMBER_WEIGHT = (
    2.0  # a query word with digits (size, model number, year) counts this much more than its rarity
)
COMMON_SHARE = 0.75  # a word in more than this share of a category's titles does not tell comparables apart
# Word tiers, closest first: the weighted share of the item's distinctive words a title must have.
WORD_TIERS = (
    (0.5, "listings whose titles share most of the item's words"),
    (0.2, "listings whose titles share some of the item's words"),
)
NUMBER_LEVELS = (1.0, 0.5)  # the item's numbers exactly, then close ones (sizes within 10%, years within 2)


_CONDITION = {c.value: c for c in Condition}

_RANK = {c: c.rank for c in Condition}  # `Condition.rank` searches the enum each time


def condition_gap(a: Condition, b: Condition) -> int:
    """How many grades apart two conditions are (new and like new: 1)."""
    return abs(_RANK[a] - _RANK[b])


CompsCache = BoundedCache[object]  # the name the category index's (now unused) cache is made by


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    title: str
    price: float
    condition: Condition
    words: frozenset[str] = frozenset()  # the title's stemmed words, computed once

    @classmethod
    def of(cls, ident: int, title: str, price: float, condition: str, terms: str | None = None) -> Candidate:
        """A listing as a candidate; `terms` are its stored title words (the database keeps them), else
        the title is tokenised here."""
        ws = frozenset(terms.split()) if terms is not None else title_words(title)
        return cls(ident, title, float(price), _CONDITION[condition], ws)


@dataclass(frozen=True, slots=True)
class CompResult:
    comps: list[tuple[Candidate, float]]  # with title similarity in 0..1, best first
    basis: str  # how the comps were chosen, in words


@dataclass(frozen=True, slots=True)
class PoolStats:
    """What the comparables are drawn from (a category subtree): how many listings, and in how many of their
    titles each word appears. The database keeps these per category; for a list of candidates in memory
    they are counted from the candidates themselves (`of_titles`)."""

    listings: int
    df: Mapping[str, int]

    @classmethod
    def of_titles(cls, title_sets: Sequence[frozenset[str]]) -> PoolStats:
        return cls(len(title_sets), Counter(w for ws in title_sets for w in ws))


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


_YEAR = re.compile(r"(19[5-9]\d|20[0-3]\d)")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)in")
# A model year one to three years off is a partly comparable car (a 2013 or 2015 Accord for a 2014 one).
YEAR_CREDIT = {1: 0.75, 2: 0.5, 3: 0.25}
NEAR_SIZE = 0.1  # a screen or wheel size within 10% (50" or 60" for 55") counts half
SYNONYM_CREDIT = 0.9


def literal_credit(term: str) -> dict[str, float]:
    """Title tokens that count for the query token `term`, with how much: the token itself fully; the words
    sellers use for it ("tv" for "television") 0.9; for a model year the years around it, for a size in
    inches the sizes near it, partly."""
    credit = {term: 1.0}
    for seller_word in REVERSE_SYNONYMS.get(term, ()):
        credit.setdefault(seller_word, SYNONYM_CREDIT)
    if _YEAR.fullmatch(term):
        year = int(term)
        for gap, share in YEAR_CREDIT.items():
            credit[str(year - gap)] = credit[str(year + gap)] = share
    elif size := _SIZE.fullmatch(term):
        inches = float(size.group(1))
        for near in range(math.ceil(inches * (1 - NEAR_SIZE)), math.floor(inches * (1 + NEAR_SIZE)) + 1):
            if near != inches:
                credit.setdefault(f"{near}in", 0.5)
    return credit


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One word of the item: the title tokens that match it and its synonym phrases, and its weight."""

    term: str
    literal: dict[str, float]
    synonyms: list[tuple[tuple[str, ...], float]]
    weight: float
    common: bool  # in most of the pool's titles ("bike" among bikes, "tv" among televisions)

    @property
    def is_number(self) -> bool:
        return any(ch.isdigit() for ch in self.term)


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    """The item's words as the comparison weighs them against one pool of listings."""

    terms: list[QueryTerm]  # the words some title in the pool matches, weighted
    unmatched: list[str]  # words no title in the pool has
    idf: dict[str, float]  # rarity of every token the terms could match

    @property
    def distinctive(self) -> list[int]:
        """The terms that tell comparables apart by words: not numbers, not in nearly every title."""
        return [i for i, t in enumerate(self.terms) if not t.is_number and not t.common]

    @property
    def numbers(self) -> list[QueryTerm]:
        return [t for t in self.terms if t.is_number]

    def tier_terms(self, require_similar: bool) -> list[int]:
        """The terms whose weighted share places a listing in a word tier (see `select_comps`)."""
        if self.distinctive:
            return self.distinctive
        return list(range(len(self.terms))) if require_similar else []


def _raw_terms(query: str) -> list[tuple[str, dict[str, float], list[tuple[tuple[str, ...], float]]]]:
    raw = []
    for term in content_words(query):
        synonyms = [(phrase, scale) for phrase, scale in alternatives(term) if phrase != (term,)]
        raw.append((term, literal_credit(term), synonyms))
    return raw


def query_vocabulary(query: str) -> set[str]:
    """Every title token the query's words could match (what to look up the rarity of)."""
    vocabulary: set[str] = set()
    for _, literal, synonyms in _raw_terms(query):
        vocabulary.update(literal)
        vocabulary.update(w for phrase, _ in synonyms for w in phrase)
    return vocabulary


def analyse_query(query: str, stats: PoolStats) -> QueryAnalysis:
    """The query's words, each weighted by how rare it is among the pool's titles (a word in nearly every
    title, "bike" among bikes, does not tell comparables apart) and more when it has digits: a size, a model
    number or a model year ("55in", "iphone 8" against "6", "2014 accord") says which item it is. Words no
    title has are left out (they cannot tell the titles apart). A word's titles are counted as the sum of its
    tokens' (a title seldom has two of them: "tv" and "television", two model years)."""
    n = stats.listings
    raw = _raw_terms(query)
    vocabulary = query_vocabulary(query)
    df = {w: stats.df.get(w, 0) for w in vocabulary}
    idf = {w: math.log(1 + n / (df[w] + 0.5)) for w in vocabulary}
    terms: list[QueryTerm] = []
    unmatched: list[str] = []
    for term, literal, synonyms in raw:
        found = min(n, sum(df[token] for token in literal))
        common = found > COMMON_SHARE * n
        if found:
            weight = math.log(1 + n / (found + 0.5))
        else:
            usable = [(phrase, scale) for phrase, scale in synonyms if all(df[w] for w in phrase)]
            if not usable:
                unmatched.append(term)
                continue
            weight = max(scale * sum(idf[w] for w in phrase) / len(phrase) for phrase, scale in usable)
        if any(ch.isdigit() for ch in term):
            weight *= NUMBER_WEIGHT
        terms.append(QueryTerm(term, literal, synonyms, weight, common))
    return QueryAnalysis(terms, unmatched, idf)


def tier_clauses(weights: Sequence[float], threshold: float, cap: int = 8) -> list[tuple[int, ...]]:
    """The smallest sets of terms (indices into `weights`) whose weight reaches `threshold` of the total:
    a title with all the terms of one of them is in the word tier. Only the `cap` heaviest terms are
    combined (a longer query's lightest words decide little)."""
    total = sum(weights)
    if not total:
        return []
    order = sorted(range(len(weights)), key=lambda i: -weights[i])[:cap]
    found: list[tuple[int, ...]] = []
    for size in range(1, len(order) + 1):
        for combo in itertools.combinations(order, size):
            if any(set(smaller) <= set(combo) for smaller in found):
                continue
            if sum(weights[i] for i in combo) >= threshold * total - 1e-9:
                found.append(tuple(sorted(combo)))
    return found


def _credit(term: QueryTerm, ws: frozenset[str], idf: dict[str, float]) -> float:
    """How much of `term` a title with the words `ws` matches, 0..1."""
    best = max((term.literal[token] for token in ws if token in term.literal), default=0.0)
    for phrase, scale in term.synonyms:
        if best >= scale:
            break
        total = sum(idf[w] for w in phrase)
        got = sum(idf[w] for w in phrase if w in ws)
        if total and got:
            best = max(best, scale * got / total)
    return best


def _share(terms: Sequence[QueryTerm], ws: frozenset[str], idf: dict[str, float]) -> float:
    """The weighted share of `terms` a title's words match (1.0 with no terms)."""
    total = sum(t.weight for t in terms)
    return sum(t.weight * _credit(t, ws, idf) for t in terms) / total if total else 1.0


def _with_numbers(
    tiers: list[tuple[list[tuple[Candidate, float]], str]], numbers: list[QueryTerm], idf: dict[str, float]
) -> tuple[list[tuple[Candidate, float]], str] | None:
    """The comparables with the item's numbers: in the closest tier of word matches that has MIN_COMPS of
    them, those with all of its numbers (a 55" TV, a 2014 Accord), else close ones (50-60", 2012-2016); in a
    wider tier when the closest has too few ("LCD TV 55\"": the 55" sets, whether or not they say LCD);
    else the MIN_COMPS closest in the first tier. None when no listing comes close."""
    named = " ".join(t.term for t in numbers)

    def closeness(pair: tuple[Candidate, float]) -> float:
        return _share(numbers, pair[0].words or title_words(pair[0].title), idf)

    for pairs, basis in tiers:
        near = [(pair, closeness(pair)) for pair in pairs]
        for level, label in zip(NUMBER_LEVELS, (f"with {named}", f"with or close to {named}"), strict=True):
            matching = [pair for pair, value in near if value >= level - 1e-9]
            if len(matching) >= MIN_COMPS:
                return matching, f"{basis}, {label}"
    pairs, basis = tiers[0]
    near = [(pair, closeness(pair)) for pair in pairs]
    ranked = sorted((value for _, value in near if value > 0), reverse=True)
    if len(ranked) >= MIN_COMPS:
        return [
            pair for pair, value in near if value >= ranked[MIN_COMPS - 1]
        ], f"{basis}, closest to {named}"
    return None


def select_comps(
    pool: Sequence[Candidate],
    query: str,
    condition: Condition | None,
    require_similar: bool = False,
    stats: PoolStats | None = None,
) -> CompResult:
    """Pick the comparables for `query` from a category's listings: `pool`, all of them or the candidates the
    database retrieved (`marketplace.retrieval`), with `stats` of the whole category (default: of `pool`).

    1. Words: listings whose titles share most of the item's distinctive words (not its numbers, nor words
       in nearly every title of the category, "tv" among televisions), else some of them, whichever first
       gives MIN_COMPS (see `analyse_query` for the weights; a synonym counts 0.9).
    2. Numbers: of those, the ones with the item's size, model number or model year, else close ones,
       when there are MIN_COMPS; in a wider word tier when needed (`_with_numbers`).
    3. Condition: of those, the ones within one grade of the item's, when there are MIN_COMPS.
    Comparables are ordered by overall similarity (all words, numbers weighing NUMBER_WEIGHT times more).
    """
    if not pool:
        return CompResult([], "no listings in this category")
    title_sets = [cand.words or title_words(cand.title) for cand in pool]
    analysis = analyse_query(query, stats or PoolStats.of_titles(title_sets))
    terms, unmatched, idf = analysis.terms, analysis.unmatched, analysis.idf
    query_words = frozenset(w for t in terms for w in t.literal).union(
        w for t in terms for phrase, _ in t.synonyms for w in phrase
    )
    distinctive = analysis.distinctive
    numbers = analysis.numbers
    weights = [t.weight for t in terms]
    total = sum(weights) or 1.0
    distinctive_total = sum(weights[i] for i in distinctive)

    scored: list[tuple[Candidate, float]] = []
    word_share: dict[int, float] = {}
    for cand, ws in zip(pool, title_sets, strict=True):
        similarity = 0.0
        hit = ws & query_words  # most titles share nothing with the query: skip them fast
        if hit:
            credits = [_credit(t, hit, idf) for t in terms]
            similarity = sum(w * c for w, c in zip(weights, credits, strict=True)) / total
            word_share[id(cand)] = (
                sum(weights[i] * credits[i] for i in distinctive) / distinctive_total
                if distinctive
                else similarity
            )
        scored.append((cand, similarity))
    # Best first; among equals, the pool's own order (stable sort, no per-item key tuples).
    scored.sort(key=_score, reverse=True)

    # Word tiers, closest first: most of the item's distinctive words, some of them, any listing (not for
    # listings borrowed from related categories, which must share some words).
    tiers: list[tuple[list[tuple[Candidate, float]], str]] = []
    if distinctive or require_similar:
        for threshold, label in WORD_TIERS:
            similar = [pair for pair in scored if word_share.get(id(pair[0]), 0.0) >= threshold]
            if len(similar) >= MIN_COMPS or (require_similar and similar):
                tiers.append((similar, label))
    if require_similar:
        tiers = tiers[:1] or [([], "no listing in related categories shares the item's words")]
    else:
        tiers.append((scored, "all listings in the category"))
    chosen, basis = tiers[0]
    # Numbers decide among similar titles: the 55" sets, not the 26" ones; the Accords of about that year.
    if numbers and (picked := _with_numbers(tiers, numbers, idf)) is not None:
        chosen, basis = picked
    missing = [t for t in unmatched if any(ch.isdigit() for ch in t)]
    if missing:
        basis += f" (no listing here mentions {' or '.join(missing)})"
    if condition is not None:
        close = [p for p in chosen if condition_gap(p[0].condition, condition) <= WIDE_CONDITION_GAP]
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
