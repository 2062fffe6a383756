"""How asking prices move with condition, measured on the seed: the figures behind `[condition_factors]` in
`marketplace/data/comparables.toml`.

    uv run python benchmarks/price_factors.py
    uv run python benchmarks/price_factors.py --similarity 0.8

Pairs of seed listings in the same category whose titles share nearly all their words (Jaccard similarity
of their stemmed title words at least --similarity) and whose conditions differ give one log-price
difference each; a factor per condition ("good" = 1) is fitted to all of them by least absolute deviations
(coordinate descent on weighted medians: robust to the odd pair that is not the same item). Never the
held-out listings (they are not in the seed).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.heldout_items import seed_listings  # noqa: E402
from marketplace.conditions import Condition  # noqa: E402
from marketplace.item_kinds import item_words  # noqa: E402
from marketplace.trust import weighted_quantile  # noqa: E402

Pair = tuple[Condition, Condition, float]  # conditions a and b, log(price a / price b)


def pairs(similarity: float) -> list[Pair]:
    by_category: dict[int, list[tuple[frozenset[str], Condition, float]]] = defaultdict(list)
    for item in seed_listings():
        ws = frozenset(item_words(item.title))
        if len(ws) >= 2 and item.price >= 5:
            by_category[item.category_id].append((ws, item.condition, item.price))
    found: list[Pair] = []
    for items in by_category.values():
        for i, (wa, ca, pa) in enumerate(items):
            for wb, cb, pb in items[i + 1 :]:
                if ca != cb and len(wa & wb) / len(wa | wb) >= similarity:
                    found.append((ca, cb, math.log(pa / pb)))
    return found


def fit(found: list[Pair], rounds: int = 100) -> dict[Condition, float]:
    """Log-price offsets per condition, "good" fixed at 0, minimising the sum of absolute residuals."""
    offset = dict.fromkeys(Condition, 0.0)
    for _ in range(rounds):
        for c in Condition:
            if c is Condition.GOOD:
                continue
            # Each pair with c on one side says what c's offset would be, given the other's.
            implied = [d + offset[b] for a, b, d in found if a is c and b is not c]
            implied += [offset[a] - d for a, b, d in found if b is c and a is not c]
            if implied:
                offset[c] = weighted_quantile(implied, [1.0] * len(implied), 0.5)
    return offset


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--similarity", type=float, default=0.5)
    args = parser.parse_args()
    found = pairs(args.similarity)
    counts: dict[Condition, int] = defaultdict(int)
    for a, b, _ in found:
        counts[a] += 1
        counts[b] += 1
    offsets = fit(found)
    print(f"{len(found)} pairs of near-identical seed listings in different conditions")
    for c in Condition:
        print(f"  {c.value:10} factor {math.exp(offsets[c]):5.2f}  ({counts[c]} pairs)")


if __name__ == "__main__":
    main()
