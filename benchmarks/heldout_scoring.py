"""Scoring held-out conversations: was the category acceptable, how far was the price from the asking
price, was the listing created; and the two reference predictors of price.

The category rule, stated before any figure was measured: the category the agent chose is accepted when
it is
- the listing's own category (the one the seed build's rules filed it under), or
- its parent, or
- inside it, when the listing's own category is not a leaf (the rules could only place it generally), or
- a sibling judged equivalent: both are kinds of the same thing, as their shared parent names it (both
  names end with the parent's last word: "Unlocked Mobile Phones" and "Contract Mobile Phones" under
  "Mobile Phones"), or the parent's name is made of the two names ("Headphones" and "Headsets" under
  "Headphones & Headsets").
A listing the rules filed under a whole top-level category ("Electronics", "Furniture": nothing in its
title placed it) has no category to be judged against; it is left out of the category figure.

Price error is |price - asking price| / asking price: its median (MdAPE) and the share within 35%.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from benchmarks.heldout_harness import Conversation
from benchmarks.heldout_items import Listing, Taxonomy

WITHIN = 0.35
MIN_CATEGORY_LISTINGS = (
    3  # a category with fewer seed listings borrows its parent's (as the marketplace does)
)


def _last_word(name: str) -> str:
    found: list[str] = re.findall(r"[a-z]+", name.lower())
    return found[-1].removesuffix("s") if found else ""


def _parts(name: str) -> set[str]:
    return {p.strip().lower() for p in re.split(r"\s*(?:&|,|\band\b)\s*", name) if p.strip()}


def category_verdict(chosen: int | None, own: int, taxonomy: Taxonomy) -> str:
    """'own', 'parent', 'inside', 'sibling', 'unjudged' (own is a top-level category) or 'wrong'."""
    node = taxonomy.by_id[own]
    if node.parent_id is None:
        return "unjudged"
    if chosen is None or chosen not in taxonomy.by_id:
        return "wrong"
    if chosen == own:
        return "own"
    if chosen == node.parent_id:
        return "parent"
    if not node.is_leaf and chosen in taxonomy.subtree(own):
        return "inside"
    other = taxonomy.by_id[chosen]
    if other.parent_id == node.parent_id:
        parent = taxonomy.by_id[node.parent_id]
        head = _last_word(parent.name)
        if _last_word(node.name) == head == _last_word(other.name):
            return "sibling"
        if {node.name.lower(), other.name.lower()} <= _parts(parent.name):
            return "sibling"
    return "wrong"


ACCEPTED = frozenset({"own", "parent", "inside", "sibling"})


def ape(predicted: float | None, asking: float) -> float | None:
    if predicted is None or asking <= 0:
        return None
    return abs(predicted - asking) / asking


@dataclass(frozen=True)
class PriceFigures:
    n: int
    mdape: float | None
    within: float | None  # share with error <= WITHIN

    @classmethod
    def of(cls, errors: Iterable[float | None]) -> PriceFigures:
        values = [e for e in errors if e is not None and math.isfinite(e)]
        if not values:
            return cls(0, None, None)
        return cls(len(values), statistics.median(values), sum(e <= WITHIN for e in values) / len(values))


class CategoryMedian:
    """Reference predictor (the floor): the median asking price of the seed listings in the listing's own
    category, or in its parent's subtree when the category has fewer than three."""

    def __init__(self, seed: Sequence[Listing], taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.prices: dict[int, list[float]] = defaultdict(list)
        for item in seed:
            self.prices[item.category_id].append(item.price)

    def predict(self, item: Listing) -> float | None:
        scope: int | None = item.category_id
        while scope is not None:
            prices = [p for c in self.taxonomy.subtree(scope) for p in self.prices.get(c, ())]
            if len(prices) >= MIN_CATEGORY_LISTINGS:
                return statistics.median(prices)
            scope = self.taxonomy.by_id[scope].parent_id
        return None


class NearestTitle:
    """Reference predictor (a rough ceiling): the asking price of the seed listing whose title is most like
    the item's (tf-idf cosine over words), from any section."""

    def __init__(self, seed: Sequence[Listing]) -> None:
        self.seed = list(seed)
        vectors = [self._words(item.title) for item in self.seed]
        df: Counter[str] = Counter(w for v in vectors for w in v)
        n = len(self.seed)
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
        self.index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.norms: list[float] = []
        for i, v in enumerate(vectors):
            weights = {w: c * self.idf[w] for w, c in v.items()}
            self.norms.append(math.sqrt(sum(x * x for x in weights.values())) or 1.0)
            for w, x in weights.items():
                self.index[w].append((i, x))

    @staticmethod
    def _words(title: str) -> Counter[str]:
        return Counter(re.findall(r"[a-z0-9]+", title.lower()))

    def predict(self, item: Listing) -> float | None:
        query = {w: c * self.idf[w] for w, c in self._words(item.title).items() if w in self.idf}
        norm = math.sqrt(sum(x * x for x in query.values())) or 1.0
        scores: dict[int, float] = defaultdict(float)
        for w, q in query.items():
            for i, x in self.index[w]:
                scores[i] += q * x
        if not scores:
            return None
        best = max(scores, key=lambda i: (scores[i] / (norm * self.norms[i]), -i))
        return self.seed[best].price


@dataclass(frozen=True)
class Scored:
    item: Listing
    conversation: Conversation
    verdict: str
    error: float | None  # the agent's price error
    median_error: float | None
    nearest_error: float | None

    @property
    def accepted(self) -> bool:
        return self.verdict in ACCEPTED

    @property
    def with_comparables(self) -> bool:
        return bool(self.conversation.comparables)


def score(
    items: Sequence[Listing],
    conversations: Sequence[Conversation],
    taxonomy: Taxonomy,
    median: CategoryMedian,
    nearest: NearestTitle,
) -> list[Scored]:
    by_id = {c.post_id: c for c in conversations}
    return [
        Scored(
            item,
            by_id[item.post_id],
            category_verdict(by_id[item.post_id].category_id, item.category_id, taxonomy),
            ape(by_id[item.post_id].price, item.price),
            ape(median.predict(item), item.price),
            ape(nearest.predict(item), item.price),
        )
        for item in items
        if item.post_id in by_id
    ]


@dataclass(frozen=True)
class Summary:
    """The figures for a group of scored conversations."""

    n: int
    judged: int  # with a category to judge against
    category_accepted: float | None
    created: float
    agent: PriceFigures  # on conversations whose comparison found comparables
    agent_all: PriceFigures  # on every conversation that reached a price
    median_same: PriceFigures  # the category-median predictor, on the same items as `agent`
    nearest_same: PriceFigures
    median_all: PriceFigures  # the predictors on every item
    nearest_all: PriceFigures
    turns: float
    tokens: float
    errors: int

    @classmethod
    def of(cls, rows: Sequence[Scored]) -> Summary:
        judged = [r for r in rows if r.verdict != "unjudged"]
        comps = [r for r in rows if r.with_comparables]
        return cls(
            n=len(rows),
            judged=len(judged),
            category_accepted=sum(r.accepted for r in judged) / len(judged) if judged else None,
            created=sum(r.conversation.created for r in rows) / len(rows) if rows else 0.0,
            agent=PriceFigures.of(r.error for r in comps),
            agent_all=PriceFigures.of(r.error for r in rows),
            median_same=PriceFigures.of(r.median_error for r in comps),
            nearest_same=PriceFigures.of(r.nearest_error for r in comps),
            median_all=PriceFigures.of(r.median_error for r in rows),
            nearest_all=PriceFigures.of(r.nearest_error for r in rows),
            turns=statistics.mean(r.conversation.turns for r in rows) if rows else 0.0,
            tokens=statistics.mean(r.conversation.tokens for r in rows) if rows else 0.0,
            errors=sum(r.conversation.error is not None for r in rows),
        )


def grouped(rows: Sequence[Scored], key: Callable[[Scored], str]) -> dict[str, Summary]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return {name: Summary.of(group) for name, group in sorted(groups.items())}


def worst(rows: Sequence[Scored], count: int = 20) -> list[Scored]:
    """The worst conversations: not created first, then a category not accepted, then the largest price
    error."""
    return sorted(
        rows,
        key=lambda r: (
            r.conversation.created,
            r.accepted or r.verdict == "unjudged",
            -(r.error if r.error is not None else math.inf),
        ),
    )[:count]
