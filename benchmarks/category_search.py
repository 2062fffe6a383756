"""Category search on its own, without the agent: how often the top match is an acceptable category.

    uv run python benchmarks/category_search.py            # everyday items and held-out titles
    uv run python benchmarks/category_search.py --dev      # the tuning set (seed listings only)

- everyday: benchmarks/data/everyday_items.yaml, 44 items a seller might name that the rules, synonym
  tables and tests never mention, with the categories a reviewer accepts; written before tuning.
- held-out: each held-out listing's title as the query, judged by the held-out benchmark's category rule
  (benchmarks/heldout_scoring.py). A measure, never a tuning set.
- dev (--dev): for tuning. 8% of the seed's listings (another random seed than the held-out split) are
  taken out of the index, which is built from the rest, and their titles are searched.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks.heldout_items import Listing, Taxonomy, heldout_listings, seed_listings  # noqa: E402
from benchmarks.heldout_scoring import ACCEPTED, category_verdict  # noqa: E402
from marketplace.category_search import CategoryIndex  # noqa: E402
from marketplace.seed_split import split_listings  # noqa: E402

EVERYDAY_FILE = ROOT / "benchmarks" / "data" / "everyday_items.yaml"
DEV_SEED = 11


@dataclass(frozen=True)
class Everyday:
    query: str
    accept: frozenset[int]


def everyday_items(path: Path = EVERYDAY_FILE) -> list[Everyday]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Everyday(str(i["query"]), frozenset(int(a) for a in i["accept"])) for i in data["items"]]


def build_index(taxonomy: Taxonomy, listings: list[Listing]) -> CategoryIndex:
    cats = [(n.id, n.path, n.name, n.parent_id, n.is_leaf) for n in taxonomy.by_id.values()]
    return CategoryIndex(cats, [(item.category_id, item.title) for item in listings])


def score_everyday(index: CategoryIndex, taxonomy: Taxonomy, verbose: bool) -> tuple[int, int, int]:
    items = everyday_items()
    top1 = top3 = 0
    for item in items:
        hits = [h.category.id for h in index.search(item.query, limit=3)]
        ok = bool(hits) and hits[0] in item.accept
        top1 += ok
        top3 += bool(item.accept & set(hits))
        if verbose:
            got = taxonomy.by_id[hits[0]].path if hits else "(nothing)"
            print(f"  {'ok ' if ok else 'NO '} {item.query!r:34} -> {got}")
    return top1, top3, len(items)


def score_titles(
    index: CategoryIndex, taxonomy: Taxonomy, items: list[Listing], verbose: bool = False
) -> tuple[Counter[str], Counter[str]]:
    """Verdicts overall and 'accepted/judged' counts per section."""
    verdicts: Counter[str] = Counter()
    per_source: Counter[str] = Counter()
    for item in items:
        hits = index.search(item.title, limit=1)
        verdict = category_verdict(hits[0].category.id if hits else None, item.category_id, taxonomy)
        verdicts[verdict] += 1
        if verdict != "unjudged":
            per_source[f"{item.source} judged"] += 1
            per_source[f"{item.source} accepted"] += verdict in ACCEPTED
        if verbose and verdict == "wrong":
            got = taxonomy.by_id[hits[0].category.id].name if hits else "(nothing)"
            print(f"  NO  {item.title[:60]!r:64} own {taxonomy.name(item.category_id)!r} got {got!r}")
    return verdicts, per_source


def _print_titles(label: str, verdicts: Counter[str], per_source: Counter[str]) -> None:
    judged = sum(n for v, n in verdicts.items() if v != "unjudged")
    accepted = sum(verdicts[v] for v in ACCEPTED)
    print(f"{label}: top match accepted {accepted}/{judged} = {accepted / judged:.1%} ({dict(verdicts)})")
    sources = sorted({k.split()[0] for k in per_source})
    print(
        "  per section: "
        + ", ".join(f"{s} {per_source[f'{s} accepted'] / per_source[f'{s} judged']:.1%}" for s in sources)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", action="store_true", help="score the tuning set (seed listings) only")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each everyday item / dev miss")
    args = parser.parse_args()
    taxonomy = Taxonomy.shipped()
    seed = seed_listings()
    if args.dev:
        split = split_listings(
            seed,
            source=lambda i: i.source,
            title=lambda i: i.title,
            ident=lambda i: i.post_id,
            seed=DEV_SEED,
        )
        started = time.perf_counter()
        index = build_index(taxonomy, [seed[i] for i in split.seed])
        dev = [seed[i] for i in split.heldout]
        verdicts, per_source = score_titles(index, taxonomy, dev, args.verbose)
        _print_titles(f"dev ({len(dev)} seed titles, index without them)", verdicts, per_source)
        print(f"  ({time.perf_counter() - started:.1f} s)")
        return
    index = build_index(taxonomy, seed)
    top1, top3, n = score_everyday(index, taxonomy, args.verbose)
    print(f"everyday items: top match acceptable {top1}/{n} = {top1 / n:.1%}; in the top 3 {top3}/{n}")
    verdicts, per_source = score_titles(index, taxonomy, heldout_listings())
    _print_titles("held-out titles", verdicts, per_source)


if __name__ == "__main__":
    main()
