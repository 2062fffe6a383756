"""Price comparison on its own, for tuning: seed listings priced from the rest of the seed.

    uv run python benchmarks/pricing_dev.py                   # 3 folds of the seed's tuning split
    uv run python benchmarks/pricing_dev.py --folds 1 -v      # one fold, each miss listed
    uv run python benchmarks/pricing_dev.py --query opening   # the item as the offline agent reads it
    uv run python benchmarks/pricing_dev.py --set pricing.MIN_COMPS=8   # a variant of a tuning constant
    uv run python benchmarks/pricing_dev.py --breakdown       # the misses by class (`pricing_breakdown.py`)
    uv run python benchmarks/pricing_dev.py --seeds 61        # a validation split: totals only

Which splits to tune on: the three folds (random seeds 11, 12, 13), tuned on for many rounds, and 71, 72, 73
(first read in the fourth pricing study; they score as the three folds do, 44.6% against 44.7%). Validation
splits are read as totals only (never with -v or --breakdown), and a change is kept only if it does not lose
there: 61 (read once, as a baseline: 41.0% / MdAPE 47.5% of 542) and 121, 122 (read in the round that sent a
phone's storage to the comparison, as a baseline and once after, both queries; see docs/MEASUREMENTS.md).
Both are spent for tuning: a new round draws fresh ones. The sixth round tuned on 141, 142 and 143 (with -v and
--breakdown; titles 42.4% / MdAPE 43.9% of 1,578, openings 42.2% / 43.8% of 1,584) and validated on 151 and 152
(totals only, read as a baseline and once after: titles 43.5% / 41.7% of 1,063); see docs/MEASUREMENTS.md.
The seventh round tuned on 161, 162 and 163 (with -v and --breakdown; titles 42.5% / MdAPE 44.1% of 1,578,
openings 41.9% / 44.0% of 1,577 before it) and validated on 171 and 172 (totals only, read as a baseline and
once after, both queries: titles 44.2% / 40.9% of 1,061, openings 44.4% / 40.9% of 1,058 before it).
All of these are spent now: the next round tunes on 181, 182, 183 and validates on 191, 192.

Never the held-out listings (`benchmarks/heldout.py` reports on those). A fold takes 8% of the seed's
listings out (`marketplace.seed_split`, the same draw as `benchmarks/category_search.py --dev` for fold 1,
other random seeds for the next folds), builds a marketplace of the rest, and asks `GET /prices/compare` for
each taken-out listing: its category, its title (or the item the offline agent reads in an opening
message) and its condition. Printed, as the held-out benchmark prints them: how many found comparables,
the suggestion's error against the listing's asking price (MdAPE and the share within ±35%) beside the two
reference predictors on the same items (the category's median, the nearest seed title's price), per
section; and how often a worse condition was priced higher than a better one for the same item.

The price model the suggestion weighs (`marketplace/price_model.py`) is learned afresh in each fold from the
fold's training listings only (`--without-model`: the comparables alone), so no priced listing is in it.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks import pricing_breakdown, tuning  # noqa: E402
from benchmarks.heldout_items import Listing, Openings, Taxonomy, seed_listings  # noqa: E402
from benchmarks.heldout_scoring import CategoryMedian, NearestTitle, PriceFigures, ape  # noqa: E402
from marketplace import build_price_model, price_model, pricing  # noqa: E402
from marketplace.app import create_app  # noqa: E402
from marketplace.build_price_model import Example, read_seed, train  # noqa: E402
from marketplace.conditions import Condition  # noqa: E402
from marketplace.db import ListingRow  # noqa: E402
from marketplace.pricing import adjustments  # noqa: E402
from marketplace.search_index import apply_stats  # noqa: E402
from marketplace.seed_split import split_listings  # noqa: E402

DEV_SEED = 11  # fold 1: the category search's tuning split; fold k: DEV_SEED + k - 1
ORDER_CONDITIONS = (Condition.LIKE_NEW, Condition.GOOD, Condition.FAIR, Condition.FOR_PARTS)
TUNABLE = {"pricing": pricing, "build_price_model": build_price_model}


def apply_setting(setting: str) -> str:
    """Set one of this benchmark's tuning constants (`benchmarks/tuning.py`); an error message, or ""."""
    return tuning.apply_setting(setting, TUNABLE)


@dataclass(frozen=True)
class Priced:
    item: Listing
    query: str
    count: int
    suggested: float | None
    basis: str
    error: float | None
    median_error: float | None
    nearest_error: float | None


def fold(seed: list[Listing], split_seed: int) -> tuple[list[Listing], list[Listing]]:
    split = split_listings(
        seed,
        source=lambda i: i.source,
        title=lambda i: i.title,
        ident=lambda i: i.post_id,
        seed=split_seed,
    )
    return [seed[i] for i in split.seed], [seed[i] for i in split.heldout]


def without(client: TestClient, dev: list[Listing]) -> None:
    """Take the dev listings out of the app's database and its statistics."""
    market = client.app.state.market  # type: ignore[attr-defined]
    refs = [item.post_id for item in dev]
    with Session(market.engine) as session, session.begin():
        where = (ListingRow.source == "seed") & ListingRow.source_ref.in_(refs)
        gone = session.execute(select(ListingRow.category_id, ListingRow.terms).where(where)).all()
        apply_stats(session, [(r.category_id, r.terms) for r in gone], sign=-1)
        session.execute(delete(ListingRow).where(where))


def item_query(item: Listing, how: str, openings: Openings) -> str:
    if how == "title":
        return item.title
    # only this benchmark mode reads the offline agent
    from agent.offline.details import compared_item, read_details
    from agent.offline.items import extract_items

    opening = openings.opening(item)
    found = extract_items(opening)
    if not found:
        return item.title
    # what the agent asks the comparison for: the name it read and the details that move a price
    return compared_item(found[0], read_details(opening, found[0]))


def compare(client: TestClient, category_id: int, q: str, condition: Condition | None) -> dict[str, object]:
    params: dict[str, str | int] = {"category_id": category_id, "q": q[:200]}
    if condition is not None:
        params["condition"] = condition.value
    response = client.get("/prices/compare", params=params)
    response.raise_for_status()
    body: dict[str, object] = response.json()
    return body


def fold_model(train_items: list[Listing]) -> price_model.PriceModel:
    """The price model learned from a fold's training listings alone."""
    _, categories = read_seed()
    examples = [Example(i.title, i.category_id, i.condition, i.price) for i in train_items]
    return train(
        examples,
        categories,
        dict(adjustments().condition),
        f"dev fold of {len(examples)}",
        ridge=build_price_model.RIDGE,  # read now: `--set build_price_model.RIDGE=...` may have changed it
    )


def run_fold(
    split_seed: int, seed: list[Listing], taxonomy: Taxonomy, how: str, order: bool, with_model: bool = True
) -> tuple[list[Priced], int, int]:
    train_items, dev = fold(seed, split_seed)
    openings = Openings.load()
    median, nearest = CategoryMedian(train_items, taxonomy), NearestTitle(train_items)
    model = fold_model(train_items) if with_model else None
    with tempfile.TemporaryDirectory() as home, price_model.using(model):
        app = create_app(f"sqlite:///{home}/dev.db", inline=True)
        with TestClient(app) as client:
            without(client, dev)
            rows = []
            inversions = pairs = 0
            for item in dev:
                q = item_query(item, how, openings)
                body = compare(client, item.category_id, q, item.condition)
                count = int(body["count"])  # type: ignore[call-overload]
                suggested = body.get("suggested_price")
                price = float(suggested) if isinstance(suggested, int | float) else None
                rows.append(
                    Priced(
                        item,
                        q,
                        count,
                        price,
                        str(body["message"]),
                        ape(price, item.price),
                        ape(median.predict(item), item.price),
                        ape(nearest.predict(item), item.price),
                    )
                )
                if order and count:
                    asked = [
                        compare(client, item.category_id, q, c).get("suggested_price")
                        for c in ORDER_CONDITIONS
                    ]
                    got = [float(p) for p in asked if isinstance(p, int | float)]
                    if len(got) == len(ORDER_CONDITIONS):
                        pairs += 1
                        inversions += any(b > a for a, b in itertools.pairwise(got))
    return rows, inversions, pairs


def split_seeds(seeds: str, folds: int) -> list[int] | None:
    """The random seeds of the splits to run: those `--seeds` names, else the first `folds` folds' (11, 12,
    ...); None when `seeds` is not whole numbers separated by commas."""
    try:
        named = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        return None
    return named or [DEV_SEED + k for k in range(folds)]


def fold_label(k: int, split_seed: int) -> str:
    """'fold k' for the k-th tuning fold, 'split <seed>' for any other split."""
    return f"fold {k}" if split_seed == DEV_SEED + k - 1 else f"split {split_seed}"


def summary(label: str, rows: list[Priced]) -> str:
    comps = [r for r in rows if r.count]
    agent = PriceFigures.of(r.error for r in comps)
    med = PriceFigures.of(r.median_error for r in comps)
    near = PriceFigures.of(r.nearest_error for r in comps)
    med_all = PriceFigures.of(r.median_error for r in rows)

    def f(p: PriceFigures) -> str:
        return "n/a" if p.n == 0 else f"{p.within:6.1%} / {p.mdape:5.1%}"

    return (
        f"{label:12} n={len(rows):4} with comps {len(comps):4} ({len(comps) / max(1, len(rows)):.0%})  "
        f"suggestion ±35%/MdAPE {f(agent)}  category median {f(med)}  nearest title {f(near)}  "
        f"(category median on all {f(med_all)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=3, help="the first N folds (seeds 11, 12, ...)")
    parser.add_argument(
        "--seeds",
        default="",
        help="the random seeds of the splits instead, comma-separated (e.g. 61: a validation split)",
    )
    parser.add_argument("--query", choices=("title", "opening"), default="title")
    parser.add_argument("--order", action="store_true", help="also price each item in four conditions")
    parser.add_argument(
        "--without-model", action="store_true", help="the comparables alone, without the price model"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list the worst misses")
    parser.add_argument(
        "--breakdown", action="store_true", help="the misses by class: over or under, per section and tier"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="MODULE.NAME=VALUE",
        help="run with a tuning constant of marketplace.pricing or marketplace.build_price_model changed "
        "(repeatable), e.g. --set pricing.MODEL_SHARE=0.6",
    )
    args = parser.parse_args()
    for setting in args.set:
        if problem := apply_setting(setting):
            parser.error(problem)
    seeds = split_seeds(args.seeds, args.folds)
    if seeds is None:
        parser.error(f"--seeds takes whole numbers separated by commas, not {args.seeds!r}")
    taxonomy = Taxonomy.shipped()
    seed = seed_listings()
    started = time.perf_counter()
    everything: list[Priced] = []
    inversions = pairs = 0
    for k, split_seed in enumerate(seeds, start=1):
        rows, inv, n = run_fold(split_seed, seed, taxonomy, args.query, args.order, not args.without_model)
        everything += rows
        inversions, pairs = inversions + inv, pairs + n
        print(summary(fold_label(k, split_seed), rows), flush=True)
    by_source: dict[str, list[Priced]] = defaultdict(list)
    for r in everything:
        by_source[r.item.source].append(r)
    for source, rows in sorted(by_source.items()):
        print(summary(source, rows))
    print(summary("all", everything))
    if pairs:
        print(f"condition order: {inversions}/{pairs} items priced higher in a worse condition")
    zero = [r for r in everything if not r.count]
    print(f"no comparables: {len(zero)}; {time.perf_counter() - started:.0f} s")
    if args.verbose:
        worst = sorted((r for r in everything if r.error is not None), key=lambda r: -(r.error or 0))[:40]
        for r in worst:
            print(
                f"  {r.error:6.0%} ask ${r.item.price:>8,.0f} got ${r.suggested or 0:>8,.0f} "
                f"[{r.item.condition.value}] {r.query[:50]!r} :: {r.basis[:110]}"
            )
        if zero:
            print("no comparables:")
            for r in zero[:30]:
                print(f"  {r.query[:60]!r} in {taxonomy.name(r.item.category_id)}")
    if args.breakdown:
        priced = [
            pricing_breakdown.Miss(r.item, r.query, r.suggested, r.basis)
            for r in everything
            if r.count and r.suggested is not None
        ]
        reference = pricing_breakdown.same_words_agreement(seed, dict(adjustments().condition))
        print("\n".join(pricing_breakdown.report(priced, reference)))
    print(
        f"median error of suggestion on all with comps: {statistics.median([r.error for r in everything if r.error is not None]):.1%}"
    )


if __name__ == "__main__":
    main()
