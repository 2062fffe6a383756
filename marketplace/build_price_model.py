"""Build `data/price_model.tsv`: the price model (`marketplace/price_model.py`) learned from the seed.

A ridge regression of each seed listing's log asking price, moved to "good" condition by the comparison's
condition factors, on its features (`price_model.features`: category and ancestors, title words and adjacent
word pairs, model year
and mileage under vehicles), solved by conjugate gradients on the normal equations (pure Python, a few
seconds). It reads `marketplace/seed/` only: never the held-out listings (`benchmarks/data/heldout.csv`),
which the seed build keeps out of the seed (a test checks this script opens no other file).

    uv run python -m marketplace.build_price_model
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from marketplace.conditions import Condition
from marketplace.price_model import MODEL_FILE, FeatureSettings, PriceModel, features
from marketplace.seed_files import CATEGORIES_FILE, LISTINGS_FILE, SEED_DIR, seed_fingerprint
from marketplace.taxonomy import Taxonomy, parse_taxonomy

RIDGE = 1.0  # the penalty on every weight but the bias (chosen on the seed's tuning folds)
ITERATIONS = 300
TOLERANCE = 1e-10


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    category_id: int
    condition: Condition
    price: float


def read_seed(seed_dir: Path = SEED_DIR) -> tuple[list[Example], Taxonomy]:
    """The seed's listings and taxonomy (the files `marketplace.seeding` loads)."""
    lines = (seed_dir / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()[1:]
    taxonomy = Taxonomy.of(parse_taxonomy(line.replace("\t", " - ", 1) for line in lines))
    with (seed_dir / LISTINGS_FILE).open(encoding="utf-8", newline="") as handle:
        examples = [
            Example(row["title"], int(row["category_id"]), Condition(row["condition"]), float(row["price"]))
            for row in csv.DictReader(handle)
        ]
    return examples, taxonomy


def _solve(
    rows: Sequence[Sequence[tuple[int, float]]], targets: Sequence[float], penalty: Sequence[float]
) -> list[float]:
    """The weights w minimising |Xw - y|^2 + sum(penalty * w^2), X sparse (rows of (column, value))."""
    size = len(penalty)

    def normal(w: Sequence[float]) -> list[float]:  # (X^T X + diag(penalty)) w
        out = [p * wi for p, wi in zip(penalty, w, strict=True)]
        for row in rows:
            dot = sum(w[i] * v for i, v in row)
            for i, v in row:
                out[i] += dot * v
        return out

    rhs = [0.0] * size
    for row, y in zip(rows, targets, strict=True):
        for i, v in row:
            rhs[i] += y * v
    w = [0.0] * size
    residual = rhs[:]
    direction = residual[:]
    norm = sum(r * r for r in residual)
    for _ in range(ITERATIONS):
        if norm < TOLERANCE:
            break
        step_in = normal(direction)
        alpha = norm / sum(d * s for d, s in zip(direction, step_in, strict=True))
        w = [wi + alpha * d for wi, d in zip(w, direction, strict=True)]
        residual = [r - alpha * s for r, s in zip(residual, step_in, strict=True)]
        new_norm = sum(r * r for r in residual)
        direction = [r + new_norm / norm * d for r, d in zip(residual, direction, strict=True)]
        norm = new_norm
    return w


def train(
    examples: Sequence[Example],
    taxonomy: Taxonomy,
    condition_factors: dict[Condition, float],
    source: str,
    settings: FeatureSettings | None = None,
    ridge: float = RIDGE,
) -> PriceModel:
    """The ridge model of `examples`' log prices at "good" condition."""
    settings = settings or FeatureSettings()
    columns: dict[str, int] = {}
    rows: list[list[tuple[int, float]]] = []
    targets: list[float] = []
    for ex in examples:
        feats = features(ex.title, taxonomy.lineage(ex.category_id), settings)
        rows.append([(columns.setdefault(k, len(columns)), v) for k, v in feats.items()])
        targets.append(math.log(max(ex.price, 1.0)) - math.log(condition_factors[ex.condition]))
    penalty = [ridge] * len(columns)
    penalty[columns["bias"]] = 1e-6  # the overall level is not shrunk
    solved = _solve(rows, targets, penalty)
    weights = {k: solved[i] for k, i in columns.items()}
    return PriceModel(weights, settings, condition_factors, len(examples), source)


def build(seed_dir: Path = SEED_DIR) -> PriceModel:
    from marketplace.pricing import adjustments

    examples, taxonomy = read_seed(seed_dir)
    return train(examples, taxonomy, dict(adjustments().condition), seed_fingerprint(seed_dir))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed-dir", type=Path, default=SEED_DIR, help="the seed files to learn from")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    args = parser.parse_args(argv)
    model = build(args.seed_dir)
    args.out.write_text(model.dumps(), encoding="utf-8")
    print(f"{args.out}: {len(model.weights)} weights from {model.listings} listings", file=sys.stderr)


if __name__ == "__main__":
    main()
