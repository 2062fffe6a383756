"""Where the suggested price misses, by class: `benchmarks/pricing_dev.py --breakdown`.

For each class of item (its section and the word tier that chose its comparables, its condition, whether its
title has a number) the share within ±35% of the asking price, the shares priced more than 35% over and
under it, and the median error in log price, so a class with a bias (one side) is told from one that is only
scattered (both sides). Beside it, a reference for what titles can tell: seed listings of one category with
the same item words, moved to one condition, against each other (`same_words_agreement`).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from benchmarks.heldout_items import Listing
from benchmarks.heldout_scoring import WITHIN
from marketplace.conditions import Condition
from marketplace.item_kinds import item_words
from marketplace.pricing import ALL_LISTINGS, WORD_TIERS

TIER_NAMES = ("most words", "some words")  # WORD_TIERS, closest first
MIN_CLASS = 8  # classes with fewer items are not printed (their shares say nothing)


@dataclass(frozen=True, slots=True)
class Miss:
    """One priced item as the breakdown reads it."""

    item: Listing
    query: str
    suggested: float
    message: str  # the comparison's message, which names the basis ("N comparable listings (basis) ...")


def tier(message: str) -> str:
    """The word tier that chose the comparables, from the comparison's message, with "+ numbers" when the
    item's numbers (a size, a model, a year) then narrowed them."""
    names = [(label, name) for (_, label), name in zip(WORD_TIERS, TIER_NAMES, strict=True)]
    found = next((name for label, name in names if f"({label}" in message), None)
    if found is None:
        found = "all listings" if f"({ALL_LISTINGS}" in message else "other"
    numbered = any(f", {how} " in message for how in ("with", "with or close to", "closest to"))
    return f"{found} + numbers" if numbered else found


@dataclass(frozen=True, slots=True)
class ClassFigures:
    n: int
    within: float
    over: float  # suggested more than 35% above the asking price
    under: float  # more than 35% below
    median_log_error: float  # log(suggested / asked): > 0 priced high


def figures(rows: Sequence[Miss]) -> ClassFigures:
    errors = [math.log(r.suggested / max(r.item.price, 1.0)) for r in rows]
    n = len(rows)
    within = sum(abs(r.suggested - r.item.price) <= WITHIN * r.item.price for r in rows)
    over = sum(r.suggested > (1 + WITHIN) * r.item.price for r in rows)
    under = sum(r.suggested < (1 - WITHIN) * r.item.price for r in rows)
    return ClassFigures(n, within / n, over / n, under / n, statistics.median(errors))


def by_class(rows: Iterable[Miss], key: Callable[[Miss], str]) -> dict[str, ClassFigures]:
    """Figures per class, largest class first, classes under MIN_CLASS items left out."""
    groups: dict[str, list[Miss]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    return {name: figures(group) for name, group in ordered if len(group) >= MIN_CLASS}


def same_words_agreement(listings: Sequence[Listing], factors: dict[Condition, float]) -> dict[str, float]:
    """Per section (and "all"): of pairs of listings in one category with the same item words, each moved to
    "good" by the condition factors, the share in which one's price is within ±35% of the other's (each
    pair counted both ways). What the titles alone can tell, at best, where two say the same."""
    groups: dict[tuple[int, frozenset[str]], list[Listing]] = defaultdict(list)
    for listing in listings:
        ws = frozenset(item_words(listing.title))
        if ws:
            groups[(listing.category_id, ws)].append(listing)
    hits: dict[str, list[bool]] = defaultdict(list)
    for group in groups.values():
        for a, b in itertools.combinations(group, 2):
            pa, pb = a.price / factors[a.condition], b.price / factors[b.condition]
            for x, y in ((pa, pb), (pb, pa)):
                for section in (a.source, "all"):
                    hits[section].append(abs(x - y) <= WITHIN * y)
    return {section: sum(h) / len(h) for section, h in sorted(hits.items())}


def report(rows: Sequence[Miss], reference: dict[str, float]) -> list[str]:
    """The breakdown's printed lines."""
    classes: list[tuple[str, Callable[[Miss], str]]] = [
        ("section and word tier", lambda r: f"{r.item.source}, {tier(r.message)}"),
        ("condition", lambda r: r.item.condition.value),
        ("a number in the item", lambda r: "yes" if any(ch.isdigit() for ch in r.query) else "no"),
    ]
    lines = []
    for title, key in classes:
        lines.append(f"by {title}:")
        for name, f in by_class(rows, key).items():
            lines.append(
                f"  {name:36} n={f.n:4}  within {f.within:6.1%}  over {f.over:6.1%}  under {f.under:6.1%}  "
                f"median log error {f.median_log_error:+.2f}"
            )
    shares = ", ".join(f"{section} {share:.0%}" for section, share in reference.items())
    lines.append(f"same item words, same category, one condition: within ±35% of each other: {shares}")
    return lines
