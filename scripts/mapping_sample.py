"""The hand-checked sample behind the category mapping's accuracy figure (docs/DATA.md).

    uv run python scripts/mapping_sample.py draw    # draw the sample into docs/mapping_sample.csv
    uv run python scripts/mapping_sample.py score   # accuracy from the verdicts filled in by hand

`draw` picks 150 seed listings at random (fixed seed), stratified by Craigslist section, with the category
the rules give. A person then fills `verdict` for each row: `correct` (the category is right and as
specific as the title allows), `too_general` (right branch, but a more specific category fits) or `wrong`,
with `correct_path` for the last two. `score` reports the share of each, overall and per section, and
re-checks every row against the current rules (a row whose category changed since it was checked is
reported, so the figure never silently describes other rules).
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketplace.category_rules import classify  # noqa: E402
from marketplace.seed_build import CATEGORIES_FILE, LISTINGS_FILE, SEED_DIR  # noqa: E402

SAMPLE = ROOT / "docs" / "mapping_sample.csv"
COLUMNS = ("post_id", "section", "title", "assigned_path", "verdict", "correct_path", "note")
SIZE = 150
SEED = 2017


def _seed_rows() -> tuple[list[dict[str, str]], dict[str, str]]:
    paths = dict(
        line.rstrip("\n").split("\t")
        for line in (SEED_DIR / CATEGORIES_FILE).open(encoding="utf-8").readlines()[1:]
    )
    with (SEED_DIR / LISTINGS_FILE).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f)), paths


def draw() -> None:
    if SAMPLE.exists():
        raise SystemExit(f"{SAMPLE} exists; delete it to draw a new sample (its verdicts would be lost)")
    rows, paths = _seed_rows()
    by_section: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_section[row["source"]].append(row)
    rng = random.Random(SEED)
    picked: list[dict[str, str]] = []
    for section in sorted(by_section):
        share = round(SIZE * len(by_section[section]) / len(rows))
        picked.extend(rng.sample(by_section[section], share))
    with SAMPLE.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in picked:
            writer.writerow(
                {
                    "post_id": row["post_id"],
                    "section": row["source"],
                    "title": row["title"],
                    "assigned_path": paths[row["category_id"]],
                    "verdict": "",
                    "correct_path": "",
                    "note": "",
                }
            )
    print(f"wrote {len(picked)} rows to {SAMPLE}")


def score() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    stale = [r for r in rows if classify(r["title"], r["section"]) != r["assigned_path"]]
    unchecked = [r for r in rows if r["verdict"] not in ("correct", "too_general", "wrong")]
    if unchecked:
        raise SystemExit(f"{len(unchecked)} rows have no verdict yet (first: {unchecked[0]['title']!r})")
    totals = Counter(r["verdict"] for r in rows)
    print(f"{len(rows)} hand-checked listings")
    for verdict in ("correct", "too_general", "wrong"):
        print(f"  {verdict:12s} {totals[verdict]:4d}  {totals[verdict] / len(rows):6.1%}")
    print("per section (correct / checked):")
    for section in sorted({r["section"] for r in rows}):
        part = [r for r in rows if r["section"] == section]
        ok = sum(r["verdict"] == "correct" for r in part)
        print(f"  {section:12s} {ok:3d}/{len(part):<3d} {ok / len(part):6.1%}")
    if stale:
        print(f"WARNING: {len(stale)} rows now get another category from the rules; re-check them:")
        for r in stale:
            print(
                f"  {r['post_id']} {r['title']!r}: {r['assigned_path']} -> {classify(r['title'], r['section'])}"
            )


if __name__ == "__main__":
    {"draw": draw, "score": score}[sys.argv[1] if len(sys.argv) > 1 else "score"]()
