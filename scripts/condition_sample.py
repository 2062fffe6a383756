"""The hand-checked sample behind the condition normalisation's accuracy figure (docs/DATA.md).

    uv run python scripts/condition_sample.py draw    # draw the sample into docs/condition_sample.csv
    uv run python scripts/condition_sample.py score   # accuracy from the verdicts filled in by hand

`draw` picks seed listings at random (fixed seeds), stratified by the derived condition and by how it was
found: `field` (the seller's own condition field: `stated` for goods, `attribute` for cars) or `inferred`
(title or description phrases, a car's title status, or the `good` default). Each of the 12 strata gets its
share of 150 rows and at least 10 (all of a smaller one): inferred conditions are a minority of listings but
where the errors are. The first sample had 10 per stratum; `draw` on an existing file tops it up. A person then reads each listing's source record (title, description,
attributes) and fills `verdict`: `correct` when the condition is what the ad supports, `wrong` otherwise,
with the condition it should have in `should_be`. The CSV holds ids, titles and derived fields only, never
the descriptions.

`score` reports the sample accuracy per stratum, the accuracy over all seed listings (each stratum weighted
by its share of the seed), the share within one grade, and re-checks every row against the current seed (a
row whose condition has changed since it was checked is reported, so the figure never silently describes
other rules).
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketplace.conditions import Condition  # noqa: E402
from marketplace.seed_build import LISTINGS_FILE, SEED_DIR  # noqa: E402

SAMPLE = ROOT / "docs" / "condition_sample.csv"
COLUMNS = (
    "post_id",
    "section",
    "title",
    "price",
    "condition",
    "condition_basis",
    "stratum",
    "verdict",
    "should_be",
    "note",
)
MIN_PER_STRATUM = 10
PROPORTIONAL_BASE = 150
SEED = 2017
FIELD_BASES = ("stated", "attribute")


def credible_range(strata: list[tuple[int, int, int]], draws: int = 20000) -> tuple[float, float]:
    """A 95% range for the population accuracy: each stratum's accuracy drawn from its Beta(correct + 1/2,
    wrong + 1/2) posterior (Jeffreys prior, as in the Jeffreys binomial interval), weighted by the strata's
    sizes.
    `strata`: (seed listings, checked, correct) per stratum."""
    rng = random.Random(SEED)
    total = sum(size for size, _, _ in strata)
    values = sorted(
        sum(size * rng.betavariate(ok + 0.5, n - ok + 0.5) for size, n, ok in strata) / total
        for _ in range(draws)
    )
    return values[int(0.025 * draws)], values[int(0.975 * draws)]


def stratum(row: dict[str, str]) -> str:
    group = "field" if row["condition_basis"] in FIELD_BASES else "inferred"
    return f"{row['condition']}/{group}"


def _seed_rows() -> list[dict[str, str]]:
    with (SEED_DIR / LISTINGS_FILE).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def targets(sizes: Counter[str]) -> dict[str, int]:
    """Rows to check per stratum: its share of PROPORTIONAL_BASE, and at least MIN_PER_STRATUM (all of a
    smaller stratum): small strata of inferred conditions are where the errors are, large ones carry the
    population figure."""
    total = sum(sizes.values())
    return {
        name: min(size, max(MIN_PER_STRATUM, round(PROPORTIONAL_BASE * size / total)))
        for name, size in sizes.items()
    }


def draw() -> None:
    """Draw the sample, or top up an existing one to the current targets (its checked rows are kept; the
    added rows are drawn at random from the rest of each stratum, so each stratum stays a random sample)."""
    existing: list[dict[str, str]] = []
    if SAMPLE.exists():
        with SAMPLE.open(encoding="utf-8", newline="") as f:
            existing = list(csv.DictReader(f))
    by_stratum: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _seed_rows():
        by_stratum[stratum(row)].append(row)
    have = Counter(r["stratum"] for r in existing)
    taken = {r["post_id"] for r in existing}
    want = targets(Counter({name: len(rows) for name, rows in by_stratum.items()}))
    added: list[dict[str, str]] = []
    for name in sorted(by_stratum):
        rest = [r for r in by_stratum[name] if r["post_id"] not in taken]
        random.Random(f"{SEED}/{name}/{have[name]}").shuffle(rest)
        added.extend(rest[: max(0, want[name] - have[name])])
    with SAMPLE.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(existing)
        for row in added:
            writer.writerow(
                {
                    "post_id": row["post_id"],
                    "section": row["source"],
                    "title": row["title"],
                    "price": row["price"],
                    "condition": row["condition"],
                    "condition_basis": row["condition_basis"],
                    "stratum": stratum(row),
                    "verdict": "",
                    "should_be": "",
                    "note": "",
                }
            )
    print(f"{SAMPLE}: kept {len(existing)} rows, added {len(added)}")


def score() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    unchecked = [r for r in rows if r["verdict"] not in ("correct", "wrong")]
    if unchecked:
        raise SystemExit(f"{len(unchecked)} rows have no verdict yet (first: {unchecked[0]['title']!r})")
    seed = {r["post_id"]: r for r in _seed_rows()}
    population = Counter(stratum(r) for r in seed.values())

    def near(r: dict[str, str]) -> bool:
        if r["verdict"] == "correct":
            return True
        return abs(Condition(r["condition"]).rank - Condition(r["should_be"]).rank) <= 1

    print(f"{len(rows)} hand-checked listings, {len(population)} strata (condition / how it was found)")
    print(f"  {'stratum':22s} {'correct':>9s}  {'seed listings':>13s}")
    weighted = weighted_near = 0.0
    checked: list[tuple[int, int, int]] = []
    for name in sorted(population):
        part = [r for r in rows if r["stratum"] == name]
        ok = sum(r["verdict"] == "correct" for r in part)
        if part:
            weighted += population[name] * ok / len(part)
            weighted_near += population[name] * sum(near(r) for r in part) / len(part)
            checked.append((population[name], len(part), ok))
        print(f"  {name:22s} {ok:3d}/{len(part):<3d}  {population[name]:13d}")
    total = sum(population.values())
    ok = sum(r["verdict"] == "correct" for r in rows)
    close = sum(map(near, rows))
    print(f"sample: {ok}/{len(rows)} correct ({ok / len(rows):.1%}); within one grade {close}/{len(rows)}")
    low, high = credible_range(checked)
    print(
        f"all {total} seed listings (strata weighted by size): {weighted / total:.1%} correct "
        f"(95% credible range {low:.0%}-{high:.0%}), {weighted_near / total:.1%} within one grade"
    )
    print("per basis (correct / checked):")
    for basis in sorted({r["condition_basis"] for r in rows}):
        part = [r for r in rows if r["condition_basis"] == basis]
        good = sum(r["verdict"] == "correct" for r in part)
        print(f"  {basis:12s} {good:3d}/{len(part):<3d} {good / len(part):6.1%}")
    wrong = Counter((r["condition"], r["should_be"]) for r in rows if r["verdict"] == "wrong")
    if wrong:
        print(
            "errors (given -> should be): " + ", ".join(f"{a}->{b} x{n}" for (a, b), n in wrong.most_common())
        )
    stale = [r for r in rows if r["post_id"] not in seed or seed[r["post_id"]]["condition"] != r["condition"]]
    if stale:
        print(f"WARNING: {len(stale)} rows now have another condition in the seed; re-check them:")
        for r in stale:
            now = seed[r["post_id"]]["condition"] if r["post_id"] in seed else "(not in the seed)"
            print(f"  {r['post_id']} {r['title']!r}: {r['condition']} -> {now}")


if __name__ == "__main__":
    {"draw": draw, "score": score}[sys.argv[1] if len(sys.argv) > 1 else "score"]()
