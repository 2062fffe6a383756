"""The held-out listings, the taxonomy they are filed in, and the seller's opening message for each.

Everything here reads files shipped in the repository (benchmarks/data/, marketplace/seed/), so the
benchmark runs from a clean clone.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from marketplace.conditions import Condition
from marketplace.seed_build import CATEGORIES_FILE, HELDOUT_FILE, LISTINGS_FILE, SEED_DIR
from marketplace.taxonomy import TaxonomyNode, parse_taxonomy

OPENINGS_FILE = Path(__file__).resolve().parent / "data" / "heldout_openings.yaml"
SAMPLE_SEED = 7  # --sample N draws the same N listings every time


@dataclass(frozen=True, slots=True)
class Listing:
    """A listing's facts, as in marketplace/seed/listings.csv and benchmarks/data/heldout.csv."""

    post_id: str
    source: str  # the Craigslist section: bike, car, electronics, furniture, phone
    title: str
    price: float  # the seller's asking price, USD
    condition: Condition
    category_id: int  # filed there by the category rules

    @classmethod
    def read_all(cls, path: Path) -> list[Listing]:
        with path.open(encoding="utf-8", newline="") as f:
            return [
                cls(
                    row["post_id"],
                    row["source"],
                    row["title"],
                    float(row["price"]),
                    Condition(row["condition"]),
                    int(row["category_id"]),
                )
                for row in csv.DictReader(f)
            ]


def heldout_listings(path: Path = HELDOUT_FILE) -> list[Listing]:
    if not path.is_file():
        raise FileNotFoundError(f"no held-out listings at {path} (`trova data build` writes them)")
    return Listing.read_all(path)


def seed_listings(seed_dir: Path = SEED_DIR) -> list[Listing]:
    return Listing.read_all(seed_dir / LISTINGS_FILE)


def sample(items: list[Listing], size: int | None, seed: int = SAMPLE_SEED) -> list[Listing]:
    """`size` of the items, drawn at random with a fixed seed (all of them when size is None), in file order."""
    if size is None or size >= len(items):
        return list(items)
    picked = set(random.Random(seed).sample(range(len(items)), size))
    return [item for i, item in enumerate(items) if i in picked]


class Taxonomy:
    """The marketplace's categories, for judging a chosen category against a listing's own."""

    def __init__(self, nodes: list[TaxonomyNode]) -> None:
        self.by_id = {n.id: n for n in nodes}
        self.children: dict[int, list[int]] = {}
        for n in nodes:
            if n.parent_id is not None:
                self.children.setdefault(n.parent_id, []).append(n.id)

    @classmethod
    def shipped(cls, seed_dir: Path = SEED_DIR) -> Taxonomy:
        lines = (seed_dir / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()[1:]
        return cls(parse_taxonomy(line.replace("\t", " - ", 1) for line in lines))

    def top(self, category_id: int) -> str:
        return self.by_id[category_id].path.split(" > ")[0]

    def name(self, category_id: int | None) -> str:
        return self.by_id[category_id].name if category_id in self.by_id else "—"

    def ancestors(self, category_id: int) -> list[int]:
        out, current = [], self.by_id[category_id].parent_id
        while current is not None:
            out.append(current)
            current = self.by_id[current].parent_id
        return out

    def subtree(self, category_id: int) -> list[int]:
        out, stack = [], [category_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(self.children.get(current, ()))
        return out


@dataclass(frozen=True)
class Openings:
    templates: dict[str, str]
    conditions: dict[Condition, str]

    @classmethod
    def load(cls, path: Path = OPENINGS_FILE) -> Openings:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        conditions = {Condition(k): str(v) for k, v in data["conditions"].items()}
        missing = set(Condition) - set(conditions)
        if missing:
            raise ValueError(f"{path}: no words for {', '.join(sorted(c.value for c in missing))}")
        return cls({str(k): str(v) for k, v in data["templates"].items()}, conditions)

    @cached_property
    def names(self) -> list[str]:
        return sorted(self.templates)

    def template_for(self, item: Listing) -> str:
        """The template a listing gets: by a hash of its post id, so the choice never depends on the sample."""
        digest = int(hashlib.sha256(item.post_id.encode()).hexdigest(), 16)
        return self.names[digest % len(self.names)]

    def opening(self, item: Listing) -> str:
        return self.templates[self.template_for(item)].format(
            item=item.title, condition=self.conditions[item.condition]
        )
