"""Price comparison: which listings are comparable to an item, and what they say about its price."""

from __future__ import annotations

import functools
import itertools
import math
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from marketplace.cache import BoundedCache
from marketplace.conditions import Condition
from marketplace.item_kinds import (
    DATA_FILE,
    counted_words,
    is_bundle,
    item_words,
    other_item,
    plainly_one_item,
)
from marketplace.item_phrase import query_words
from marketplace.price_model import current_model
from marketplace.reposts import distinct_ads
from marketplace.text import REVERSE_SYNONYMS, alternatives, words
from marketplace.trust import (
    effective_count,
    robust_shares,
    trust_rules,
    trust_weights,
    weighted_quantile,
    weighted_quantiles,
)

MIN_COMPS = 5  # fewer than this and the search widens (similar titles -> whole category -> parent)
MAX_EXAMPLES = 5
WIDE_CONDITION_GAP = 1  # the spread reported is of comparables within one grade of the item's condition
MIN_WORDS_FOUND = 1 / 3  # an item fewer of whose words than this any title has is like nothing here
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
ALL_LISTINGS = "all listings in the category"  # the basis when no title shares enough of the item's words


_CONDITION = {c.value: c for c in Condition}

_RANK = {c: c.rank for c in Condition}  # `Condition.rank` searches the enum each time


def condition_gap(a: Condition, b: Condition) -> int:
    """How many grades apart two conditions are (new and like new: 1)."""
    return abs(_RANK[a] - _RANK[b])


CompsCache = BoundedCache[object]  # the name the category index's (now unused) cache is made by


# Not frozen (hashable all the same; nothing assigns to one): a frozen dataclass's __init__ sets each field
# through object.__setattr__, five times the cost, and a comparison makes a few hundred candidates.
@dataclass(slots=True, unsafe_hash=True)
class Candidate:
    id: int
    title: str
    price: float
    condition: Condition
    words: frozenset[str] = frozenset()  # the title's stemmed words, computed once
    # How many listings this one stands for: 1, or 4**k when it was read from the k-th random sample of a
    # larger set (`marketplace.retrieval`), so that a sample weighs what the whole set would.
    weight: float = 1.0
    seller: str = ""  # the seller's id; "" for the seed, whose listings are each a different seller's
    seller_days: float = math.inf  # the age of the seller's account (`marketplace.trust`)

    @classmethod
    def of(
        cls,
        ident: int,
        title: str,
        price: float,
        condition: str,
        terms: str | None = None,
        weight: float = 1.0,
        seller: str = "",
        seller_days: float = math.inf,
    ) -> Candidate:
        """A listing as a candidate; `terms` are its stored title words (the database keeps them), else
        the title is tokenised here."""
        ws = frozenset(terms.split()) if terms is not None else title_words(title)
        return cls(ident, title, float(price), _CONDITION[condition], ws, weight, seller, seller_days)


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
    def found_share(self) -> float:
        """The share of the item's words (not its numbers) that some title in the pool has (1.0 when it has
        none: an item named by numbers alone, or by nothing)."""
        named = [t.term for t in self.terms if not t.is_number]
        missing = [w for w in self.unmatched if not any(ch.isdigit() for ch in w)]
        # A word that says what the item is like ("carbon", "black") is no sign that a title is the same
        # kind of thing: a carbon kayak paddle is not like the carbon bikes. Only when the item has no
        # other word does it count.
        describing = query_words().describing
        kinds = [w for w in named if w not in describing], [w for w in missing if w not in describing]
        if kinds[0] or kinds[1]:
            named, missing = kinds
        return len(named) / (len(named) + len(missing)) if named or missing else 1.0

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
    counted = counted_words(query)
    for term in item_words(query):
        if term in counted:  # how many or how long, not which item (`counted_words`)
            continue
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
    tiers: list[tuple[list[tuple[Candidate, float]], str]],
    numbers: list[QueryTerm],
    idf: dict[str, float],
    in_ads: bool = True,
) -> tuple[list[tuple[Candidate, float]], str] | None:
    """The comparables with the item's numbers: in the closest tier of word matches that has MIN_COMPS of
    them, those with all of its numbers (a 55" TV, a 2014 Accord), else close ones (50-60", 2012-2016); in a
    wider tier when the closest has too few ("LCD TV 55\"": the 55" sets, whether or not they say LCD);
    else the MIN_COMPS closest in the first tier. None when no listing comes close."""
    named = " ".join(t.term for t in numbers)
    # Only these tokens count for the numbers (`_credit`): each set of them a title has is scored once.
    vocabulary = frozenset(w for t in numbers for w in t.literal).union(
        w for t in numbers for phrase, _ in t.synonyms for w in phrase
    )
    shares: dict[frozenset[str], float] = {}

    def closeness(pair: tuple[Candidate, float]) -> float:
        hit = (pair[0].words or title_words(pair[0].title)) & vocabulary
        found = shares.get(hit)
        if found is None:
            found = shares[hit] = _share(numbers, hit, idf)
        return found

    for pairs, basis in tiers:
        near = [(pair, closeness(pair)) for pair in pairs]
        for level, label in zip(NUMBER_LEVELS, (f"with {named}", f"with or close to {named}"), strict=True):
            matching = [pair for pair, value in near if value >= level - 1e-9]
            if enough([c for c, _ in matching], in_ads=in_ads):
                return matching, f"{basis}, {label}"
    pairs, basis = tiers[0]
    near = [(pair, closeness(pair)) for pair in pairs]
    # The closest listings that are enough (worth MIN_COMPS by trust, from as many ads), closest first.
    for value in sorted({v for _, v in near if v > 0}, reverse=True):
        closest = [pair for pair, v in near if v >= value]
        if enough([c for c, _ in closest], in_ads=in_ads):
            return closest, f"{basis}, closest to {named}"
    return None


def enough(comps: Sequence[Candidate], trust: Sequence[float] | None = None, in_ads: bool = True) -> bool:
    """Whether a set of comparables is enough to price from: worth MIN_COMPS once trust is counted (a
    seller's listings at most a few, a new seller's less: `marketplace.trust`; `trust`: their weights, when
    already computed). Counted in ads as well (`in_ads`), so that whether a word tier is enough does not
    depend on how often its ads were posted (`marketplace.reposts`)."""
    if len(comps) < MIN_COMPS:
        return False
    worth = sum(trust) if trust is not None else effective_count(comps)
    if worth < MIN_COMPS - 1e-9:
        return False
    return not in_ads or distinct_ads(comps, MIN_COMPS) >= MIN_COMPS


def comparable_pool(pool: Sequence[Candidate], query: str) -> list[Candidate]:
    """The candidates that are the same kind of thing as the item: not bundles of several things (unless the
    item is one), not accessories or parts it does not name (`marketplace.item_kinds`), and with an asking
    price that is a price, not one typed to fill the field (`placeholder_prices`: $1, $123, $1234)."""
    item = item_words(query)
    bundle = is_bundle(query, item)
    placeholders = trust_rules().placeholder_prices
    kept = []
    for cand in pool:
        if cand.price in placeholders:
            continue
        ws = cand.words or title_words(cand.title)
        if plainly_one_item(cand.title, ws) or other_item(cand.title, item, bundle, ws) is None:
            kept.append(cand)
    return kept


def select_comps(
    pool: Sequence[Candidate],
    query: str,
    condition: Condition | None = None,
    require_similar: bool = False,
    stats: PoolStats | None = None,
    in_ads: bool = True,
) -> CompResult:
    """Pick the comparables for `query` from a category's listings: `pool`, all of them or the candidates the
    database retrieved (`marketplace.retrieval`), with `stats` of the whole category (default: of `pool`).

    0. Kind: bundles and other items (accessories, parts) are left out (`comparable_pool`); an item fewer
       than a third of whose words any title has is like nothing here (no comparables).
    1. Words: listings whose titles share most of the item's distinctive words (not its numbers, nor words
       in nearly every title of the category, "tv" among televisions), else some of them, whichever first
       gives MIN_COMPS (see `analyse_query` for the weights; a synonym counts 0.9). Listings borrowed from
       related categories (`require_similar`) must share most of them.
    2. Numbers: of those, the ones with the item's size, model number or model year, else close ones,
       when there are MIN_COMPS; in a wider word tier when needed (`_with_numbers`).
    Whether a set is enough (MIN_COMPS) is counted by trust and in ads (`enough`; `in_ads=False` when the
    candidates' retrieval stopped short of counting in ads: see `marketplace.retrieval.WIDENINGS`).
    Comparables are ordered by overall similarity (all words, numbers weighing NUMBER_WEIGHT times more).
    The condition does not choose comparables: `suggest_price` moves each one's price to the item's
    condition, so the same comparables price every condition, in order. (`condition` is accepted for
    callers that pass it.)
    """
    del condition
    if not pool:
        return CompResult([], "no listings in this category")
    title_sets = [cand.words or title_words(cand.title) for cand in pool]
    analysis = analyse_query(query, stats or PoolStats.of_titles(title_sets))
    if analysis.found_share < MIN_WORDS_FOUND - 1e-9:
        return CompResult([], "no listing here is like the item (" + ", ".join(analysis.unmatched) + ")")
    kept = comparable_pool(pool, query)
    if len(kept) < len(pool):
        keep = {id(c) for c in kept}
        pairs_in = [(c, ws) for c, ws in zip(pool, title_sets, strict=True) if id(c) in keep]
        pool, title_sets = [c for c, _ in pairs_in], [ws for _, ws in pairs_in]
    if not pool:
        return CompResult([], "no listing here is the same kind of thing as the item")
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
    # A title's scores depend only on which of the query's words it has, and the candidates (copies, a
    # model's many ads) share a few such sets: each set is scored once.
    scores: dict[frozenset[str], tuple[float, float]] = {}
    for cand, ws in zip(pool, title_sets, strict=True):
        hit = ws & query_words  # most titles share nothing with the query: skip them fast
        if not hit:
            scored.append((cand, 0.0))
            continue
        known = scores.get(hit)
        if known is None:
            credits = [_credit(t, hit, idf) for t in terms]
            similarity = sum(w * c for w, c in zip(weights, credits, strict=True)) / total
            share = (
                sum(weights[i] * credits[i] for i in distinctive) / distinctive_total
                if distinctive
                else similarity
            )
            known = scores[hit] = (similarity, share)
        word_share[id(cand)] = known[1]
        scored.append((cand, known[0]))
    # Best first; among equals, the pool's own order (stable sort, no per-item key tuples).
    scored.sort(key=_score, reverse=True)

    # Word tiers, closest first: most of the item's distinctive words, some of them, any listing (not for
    # listings borrowed from related categories, which must share most of them).
    tiers: list[tuple[list[tuple[Candidate, float]], str]] = []
    if distinctive or require_similar:
        for threshold, label in WORD_TIERS[:1] if require_similar else WORD_TIERS:
            similar = [pair for pair in scored if word_share.get(id(pair[0]), 0.0) >= threshold]
            if enough([c for c, _ in similar], in_ads=in_ads) or (require_similar and similar):
                tiers.append((similar, label))
    if require_similar:
        tiers = tiers[:1] or [([], "no listing in related categories shares most of the item's words")]
    else:
        tiers.append((scored, ALL_LISTINGS))
    chosen, basis = tiers[0]
    # Numbers decide among similar titles: the 55" sets, not the 26" ones; the Accords of about that year.
    if numbers and (picked := _with_numbers(tiers, numbers, idf, in_ads)) is not None:
        chosen, basis = picked
    missing = [t for t in unmatched if any(ch.isdigit() for ch in t)]
    if missing:
        basis += f" (no listing here mentions {' or '.join(missing)})"
    return CompResult(chosen, basis)


@dataclass(frozen=True, slots=True)
class PriceStats:
    """What a price comparison reports: the comparables that count (outliers left out), the spread of their
    asking prices weighted by trust, the suggestion for the item, and a few examples."""

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
    examples: tuple[Candidate, ...] = ()
    spread_note: str = (
        ""  # which comparables the spread is of, when not all (" of those in good condition ...")
    )
    basis: str = ""  # why the suggestion is outside the spread, when it is (`suggestion_basis`)
    comparables_price: float | None = None  # the comparables' weighted median, moved to condition and year
    model_price: float | None = None  # the price model's estimate (`marketplace.price_model`), when asked
    method: str = ""  # how the suggestion was reached, in one sentence


# --- the suggestion: comparables moved to the item's condition and model year, their weighted median --------

SIMILARITY_POWER = 2  # a comparable's weight grows with its title's similarity to the item's ...
# ... from this much for one that shares no word (the whole category): next to titles like the item's, such
# listings barely count; alone, they count alike. 0.05 let a category's many unlike listings outweigh a few
# like ones; 0.003-0.01 all did better in every fold of `benchmarks/pricing_dev.py`, with both queries.
SIMILARITY_FLOOR = 0.005
FULL_CONFIDENCE_COMPS = 20  # confidence from the number of comparables saturates near this many
MEDIUM_CONFIDENCE, HIGH_CONFIDENCE = 0.35, 0.6  # where the labels start
# At most this when no comparable is like the item (the category's listings in general): low.
UNLIKE_CONFIDENCE = 0.3
# When the price model's estimate and the comparables' price (moved to the item's condition and year) are
# this many times apart, the suggestion between them is a compromise: low confidence at most. On the seed's
# tuning folds (`benchmarks/pricing_dev.py`, title queries) suggestions labelled high or medium with the two
# 1.5x or more apart were within 35% of the asking price no more often than low ones (36% and 31-50% against
# 31-39%); below 1.5x, high 75% and medium 55%. With the cap the labels read 76% / 55% / 40%.
DISAGREEMENT = 1.5
DISAGREEMENT_CONFIDENCE = UNLIKE_CONFIDENCE


def disagreement(suggestion: Suggestion) -> float:
    """How many times apart the price model's estimate and the comparables' price are (1.0 without one)."""
    if suggestion.model_price is None or suggestion.comparables_price <= 0:
        return 1.0
    return math.exp(abs(math.log(suggestion.model_price / suggestion.comparables_price)))


def confidence_label(confidence: float) -> Literal["low", "medium", "high"]:
    return "high" if confidence >= HIGH_CONFIDENCE else "medium" if confidence >= MEDIUM_CONFIDENCE else "low"


# The suggestion is the weighted geometric mean of the comparables' price and the price model's estimate,
# the model weighing this much: the few titles most like an item ask widely varying prices, and the model
# pools what every seed listing says about its words and category (chosen on the seed's tuning folds,
# `benchmarks/pricing_dev.py`: 0.4-0.6 all did about as well, each better than either alone).
MODEL_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Adjustments:
    """How asking prices move with condition and model year (`marketplace/data/comparables.toml`)."""

    condition: Mapping[Condition, float]
    per_year: float
    max_years: int
    since: int


@functools.cache
def adjustments() -> Adjustments:
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    factors = {Condition(k): float(v) for k, v in data["condition_factors"].items()}
    if set(factors) != set(Condition):
        raise ValueError(f"{DATA_FILE}: condition_factors must name every condition")
    ranked = [factors[c] for c in Condition]
    if any(b >= a for a, b in itertools.pairwise(ranked)):
        raise ValueError(f"{DATA_FILE}: condition_factors must fall from new to for_parts")
    year = data["model_year"]
    return Adjustments(factors, float(year["per_year"]), int(year["max_years"]), int(year["since"]))


def model_years(tokens: frozenset[str] | Sequence[str]) -> list[int]:
    return sorted(int(t) for t in tokens if _YEAR.fullmatch(t))


def adjusted_price(cand: Candidate, condition: Condition | None, item_year: int | None) -> float:
    """A comparable's asking price as it would be for the item: moved by the ratio of the two conditions'
    factors ("like new" at $100 is about $74 for "good"), and by `per_year` for each model year between
    them, counting at most `max_years` of them (both titles name one, neither a classic): a 2010 car is
    no comparable at its own price for a 2003 one, but as if it were `max_years` newer."""
    rules = adjustments()
    price = cand.price
    if condition is not None:
        price *= rules.condition[condition] / rules.condition[cand.condition]
    if item_year is not None and item_year >= rules.since:
        years = [y for y in model_years(cand.words) if y >= rules.since]
        if years:
            gap = item_year - min(years, key=lambda y: abs(y - item_year))
            price *= (1 + rules.per_year) ** max(-rules.max_years, min(rules.max_years, gap))
    return price


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested asking price for the item and the range around it (the middle half of the comparables'
    prices once each is moved to the item's condition and model year)."""

    price: float
    low: float
    high: float
    # How far each step moved the weighted median (as ratios), so a suggestion outside the spread the
    # seller is shown can say why: weighing by title similarity, then moving prices to condition and year.
    similarity_shift: float = 1.0
    adjustment_shift: float = 1.0
    model_shift: float = 1.0
    comparables_price: float = 0.0  # the comparables' weighted median alone (before rounding)
    model_price: float | None = None  # the price model's estimate, when it was weighed in


def suggest_price(
    comps: Sequence[tuple[Candidate, float]],
    condition: Condition | None,
    query: str,
    estimate: float | None = None,
) -> Suggestion:
    """The price to suggest: the weighted median of the comparables' prices, each moved to the item's
    condition and model year (`adjusted_price`), each weighing what it stands for (`Candidate.weight`) times
    its trust (`marketplace.trust`) times how similar its title is; the range is their weighted middle half.
    Taken on log prices, so a $40 and a $4,000 comparable pull alike; the same comparables give a lower
    price for a worse condition. With the price model's `estimate` for the item (in the same condition),
    the suggestion is their weighted geometric mean (`MODEL_SHARE`), and the range moves with it."""
    if not comps:
        raise ValueError("no comparables")
    years = model_years(item_words(query))
    item_year = years[0] if years else None
    logs = [math.log(max(adjusted_price(c, condition, item_year), 1.0)) for c, _ in comps]
    trust = trust_weights([c for c, _ in comps])
    weights = [
        c.weight * t * (SIMILARITY_FLOOR + s**SIMILARITY_POWER)
        for (c, s), t in zip(comps, trust, strict=True)
    ]
    low, middle, high = (math.exp(v) for v in weighted_quantiles(logs, weights, (0.25, 0.5, 0.75)))
    from_comps = middle
    model_shift = 1.0
    if estimate is not None and estimate > 0:
        model_shift = math.exp(MODEL_SHARE * (math.log(estimate) - math.log(middle)))
        low, middle, high = low * model_shift, middle * model_shift, high * model_shift
    price = nice_round(middle)
    raw = [math.log(max(c.price, 1.0)) for c, _ in comps]
    plain = weighted_quantile(raw, [c.weight * t for (c, _), t in zip(comps, trust, strict=True)], 0.5)
    similar = weighted_quantile(raw, weights, 0.5)
    return Suggestion(
        price,
        min(nice_round(low), price),
        max(nice_round(high), price),
        similarity_shift=math.exp(similar - plain),
        adjustment_shift=math.exp(math.log(from_comps) - similar),
        model_shift=model_shift,
        comparables_price=from_comps,
        model_price=estimate if estimate is not None and estimate > 0 else None,
    )


NOTABLE_SHIFT = 1.1  # a step that moved the suggestion by more than 10% is worth a word


def suggestion_basis(
    suggestion: Suggestion,
    p25: float,
    p75: float,
    condition: Condition | None,
    read: Sequence[Candidate],
) -> str:
    """Why the suggestion is outside the middle half the seller is shown, in one plain sentence ("" when
    inside): "It's below what most of them ask because ...", with the one step that moved it most that way
    (the most similar titles weigh most; each price is moved to the item's condition and model year; the
    price model's estimate is weighed in). One reason: a chain of them read as a muddle to sellers."""
    price = suggestion.price
    if p25 <= price <= p75:
        return ""
    side = "above" if price > p75 else "below"
    sign = 1 if side == "above" else -1
    more = "more" if side == "above" else "less"
    reasons: list[tuple[float, str]] = []  # (how far the step moved it the way it went, the reason)
    reasons.append((sign * math.log(suggestion.similarity_shift), f"the listings most like yours ask {more}"))
    if suggestion.model_price is not None:
        reasons.append(
            (
                sign * math.log(suggestion.model_shift),
                "the price model, learned from all the marketplace's listings, puts items like this at "
                f"about ${suggestion.model_price:,.0f}",
            )
        )
    if condition is None:
        said = f"{'newer' if side == 'above' else 'older'} model years ask {more}"
    else:
        # Only the comparables on the side the price moved count as the reason: below, those in better
        # condition than yours; above, worse ("yours is fair while most of them are fair" explains nothing).
        beyond = [
            c
            for c in read
            if c.condition != condition and (c.condition.rank < condition.rank) == (side == "below")
        ]
        usual = Counter(c.condition for c in beyond).most_common(2)
        listed = " or ".join(c.label for c, _ in sorted(usual, key=lambda u: u[0].rank))
        yours = (
            "yours is for parts"
            if condition == Condition.FOR_PARTS
            else f"yours is in {condition.label} condition"
        )
        many = 2 * len(beyond) > len(read)
        whose = "that one is" if len(read) == 1 else "most of them are" if many else "several are"
        said = f"{yours} while {whose} {listed}"
    shift = sign * math.log(suggestion.adjustment_shift)
    reasons.append((shift if condition is None or usual else -math.inf, said))
    push, reason = max(reasons, key=lambda r: r[0])
    if push <= math.log(NOTABLE_SHIFT):
        return ""
    # Said to a seller (the offline agent shows it as it is): plain words, true whatever the agent showed of
    # the spread ("that middle half" reads wrong after "I found only 2 similar listings"; "most of them" after 1).
    them = "that listing asks" if len(read) == 1 else "most of them ask"
    return f"It's {side} what {them} because {reason}."


def examples_of(comps: Sequence[tuple[Candidate, float]], limit: int = MAX_EXAMPLES) -> tuple[Candidate, ...]:
    """The most similar comparables to show, one per seller (the seed's are each a different seller's)."""
    shown: list[Candidate] = []
    sellers: set[str] = set()
    for cand, _ in comps:
        if cand.seller and cand.seller in sellers:
            continue
        sellers.add(cand.seller)
        shown.append(cand)
        if len(shown) == limit:
            break
    return tuple(shown)


def suggestion_method(suggestion: Suggestion, condition: Condition | None) -> str:
    """How the suggestion was reached, in one sentence."""
    moved = f", moved to {condition.label} condition" if condition is not None else ""
    comps = f"the comparables' weighted median{moved} (${suggestion.comparables_price:,.0f})"
    if suggestion.model_price is None:
        return f"The suggestion is {comps}."
    share = round(100 * MODEL_SHARE)
    return (
        f"The suggestion weighs {comps} {100 - share}% and a price model learned from the seed listings' "
        f"title words, categories and conditions (${suggestion.model_price:,.0f}) {share}%, as a geometric mean."
    )


def comparison_stats(
    comps: Sequence[tuple[Candidate, float]],
    condition: Condition | None,
    query: str,
    lineage: Sequence[int] = (),
) -> PriceStats:
    """The figures a price comparison reports, from the comparables that count: weighted by what each stands
    for and by trust (`marketplace.trust`), without prices far from the weighted bulk (`robust_keep`). With
    the item's category `lineage` (root first), the suggestion also weighs the price model's estimate
    (`marketplace.price_model`; bounded work: a lookup per word)."""
    if not comps:
        raise ValueError("no comparables")
    cands = [c for c, _ in comps]
    trust = trust_weights(cands)
    shares = robust_shares(
        [c.price for c in cands], [c.weight * t for c, t in zip(cands, trust, strict=True)]
    )
    if all(share == 1.0 for share in shares):  # no outlier (most comparisons): the same set, the same trust
        kept, kept_cands, kept_trust = list(comps), cands, trust
    else:
        # A listing near the cut weighs its share (a copy, so the pool's own candidates are left as they were).
        kept = [
            (c if share == 1.0 else replace(c, weight=c.weight * share), s)
            for (c, s), share in zip(comps, shares, strict=True)
            if share > 0
        ]
        kept_cands = [c for c, _ in kept]
        kept_trust = trust_weights(kept_cands)
    # The spread describes listings like the item: those within one grade of its condition, when there are
    # enough of them (a used TV is not judged against new-in-box ones); the suggestion reads them all, each
    # moved to the item's condition.
    spread_of, spread_trust, spread_note = kept_cands, kept_trust, ""
    if condition is not None:
        close = {c for c in Condition if condition_gap(c, condition) <= WIDE_CONDITION_GAP}
        near = [c for c in kept_cands if c.condition in close]
        if MIN_COMPS <= len(near) < len(kept_cands):
            near_trust = trust_weights(near)
            if enough(near, near_trust):
                spread_of, spread_trust = near, near_trust
                spread_note = f" of those in {condition.label} condition or within one grade"
    weights = [c.weight * t for c, t in zip(spread_of, spread_trust, strict=True)]
    prices = [c.price for c in spread_of]
    median, p25, p75 = weighted_quantiles(prices, weights, (0.5, 0.25, 0.75))
    # Confidence: more comparables help (saturating near 20, counted by trust), scattered prices hurt.
    size_factor = min(1.0, math.sqrt(sum(kept_trust) / FULL_CONFIDENCE_COMPS))
    dispersion = (p75 - p25) / median if median > 0 else 1.0
    confidence = round(size_factor / (1 + dispersion), 2)
    label = confidence_label(confidence)
    model = current_model() if lineage else None
    estimate = model.estimate(query, lineage, condition) if model is not None else None
    suggestion = suggest_price(kept, condition, query, estimate)
    if disagreement(suggestion) >= DISAGREEMENT:
        confidence = min(confidence, DISAGREEMENT_CONFIDENCE)
        label = confidence_label(confidence)
    return PriceStats(
        len(kept),
        median,
        p25,
        p75,
        min(prices),
        max(prices),
        suggestion.low,
        suggestion.high,
        suggestion.price,
        confidence,
        label,
        examples_of(kept),
        spread_note,
        suggestion_basis(suggestion, p25, p75, condition, kept_cands),
        comparables_price=suggestion.comparables_price,
        model_price=suggestion.model_price,
        method=suggestion_method(suggestion, condition),
    )
