"""`trova data build`: derive the marketplace's seed files from the source data.

Reads the Google Product Taxonomy and the CraigslistBargain listings (see ../shared/data/SOURCES.md) and
writes the facts the marketplace needs into `marketplace/seed/`: category ids and paths, and for each
listing its title, price, condition and category. Free-text descriptions are read only to infer a
condition the seller stated there (`condition_rules.py`); they are never written out.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marketplace.category_rules import classify
from marketplace.condition_rules import condition_of
from marketplace.conditions import Condition
from marketplace.taxonomy import TaxonomyNode, parse_taxonomy

TAXONOMY_FILE = "google_product_taxonomy-with-ids.en-US.txt"
LISTING_FILES = ("craigslist_sfbay_2017_goods.jsonl", "craigslist_sfbay_2017_cars.jsonl")
SEED_DIR = Path(__file__).parent / "seed"
CATEGORIES_FILE = "categories.tsv"
LISTINGS_FILE = "listings.csv"
LISTING_COLUMNS = (
    "post_id",
    "source",
    "title",
    "price",
    "currency",
    "condition",
    "condition_basis",
    "category_id",
)
VEHICLES = "Vehicles & Parts > Vehicles > "  # the car section also holds parts and trailers
MIN_REAL_PRICE = 1  # prices at or below this are placeholders ("$1, make an offer")


@dataclass
class SeedListing:
    post_id: str
    source: str
    title: str
    price: int
    condition: Condition
    condition_basis: str  # stated | attribute | title | title_status | description | assumed
    category_id: int
    currency: str = "USD"

    def row(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "source": self.source,
            "title": self.title,
            "price": self.price,
            "currency": self.currency,
            "condition": self.condition.value,
            "condition_basis": self.condition_basis,
            "category_id": self.category_id,
        }


@dataclass
class BuildReport:
    categories: int = 0
    read: int = 0
    written: int = 0
    dropped_placeholder_price: int = 0
    dropped_reposts: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    condition_basis: Counter[str] = field(default_factory=Counter)
    fallback_categories: Counter[str] = field(default_factory=Counter)
    distinct_categories: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "read": self.read,
            "written": self.written,
            "dropped_placeholder_price": self.dropped_placeholder_price,
            "dropped_reposts": self.dropped_reposts,
            "by_source": dict(self.by_source),
            "condition_basis": dict(self.condition_basis),
            "distinct_listing_categories": self.distinct_categories,
        }


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{number}: not JSON ({e.msg})") from e


def _clean_title(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip()


def build(source_dir: Path, out_dir: Path = SEED_DIR) -> BuildReport:
    """Build the seed files from `source_dir` into `out_dir`; returns what was read, kept and dropped."""
    taxonomy_path = source_dir / TAXONOMY_FILE
    missing = [p for p in [taxonomy_path, *(source_dir / f for f in LISTING_FILES)] if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            "missing source files: "
            + ", ".join(str(p) for p in missing)
            + " (where each comes from: marketplace/seed/ATTRIBUTION.md; pass their folder as --source)"
        )
    nodes = parse_taxonomy(taxonomy_path.read_text(encoding="utf-8").splitlines())
    by_path: dict[str, TaxonomyNode] = {n.path: n for n in nodes}
    report = BuildReport(categories=len(nodes))

    listings: list[SeedListing] = []
    seen: set[tuple[str, str, int]] = set()
    for file in LISTING_FILES:
        for raw in _read_jsonl(source_dir / file):
            report.read += 1
            price = int(raw["price"])
            if price <= MIN_REAL_PRICE:
                report.dropped_placeholder_price += 1
                continue
            title = _clean_title(str(raw["title"]))
            key = (raw["category"], title.lower(), price)
            if key in seen:  # the same ad posted again under a new id would count twice in the comps
                report.dropped_reposts += 1
                continue
            seen.add(key)
            path = classify(title, raw["category"])
            if path not in by_path:
                raise ValueError(f"category rule gives {path!r}, which is not in the taxonomy")
            condition, basis = condition_of(raw, vehicle=path.startswith(VEHICLES))
            listings.append(
                SeedListing(
                    str(raw["post_id"]), raw["category"], title, price, condition, basis, by_path[path].id
                )
            )
            report.by_source[raw["category"]] += 1
            report.condition_basis[basis] += 1

    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / CATEGORIES_FILE).open("w", encoding="utf-8", newline="") as f:
        f.write("id\tpath\n")
        for node in nodes:
            f.write(f"{node.id}\t{node.path}\n")
    listings.sort(key=lambda item: (item.source, int(item.post_id)))
    with (out_dir / LISTINGS_FILE).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=LISTING_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in listings:
            writer.writerow(item.row())
    report.written = len(listings)
    report.distinct_categories = len({item.category_id for item in listings})
    (out_dir / "build_report.json").write_text(
        json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8"
    )
    return report


def seed_fingerprint(seed_dir: Path = SEED_DIR) -> str:
    """A short hash of the shipped seed files: a database seeded from other files is rebuilt."""
    digest = hashlib.sha256()
    for name in (CATEGORIES_FILE, LISTINGS_FILE):
        digest.update((seed_dir / name).read_bytes())
    return digest.hexdigest()[:16]
