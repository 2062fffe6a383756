"""`trova data build`: derive the marketplace's seed files from the source data.

Reads the Google Product Taxonomy and the CraigslistBargain listings (see ../shared/data/SOURCES.md) and
writes the facts the marketplace needs into `marketplace/seed/`: category ids and paths, and for each
listing its title, price, condition and category. Free-text descriptions are read only to infer a
condition the seller stated there (`condition_rules.py`); they are never written out.

A held-out slice of the listings (`seed_split.py`) goes to `benchmarks/data/heldout.csv` instead of the
seed, with the same facts: the benchmark of listings nothing here was tuned to.
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
from marketplace.seed_split import HELDOUT_SHARE, SPLIT_SEED, split_listings
from marketplace.taxonomy import TaxonomyNode, parse_taxonomy

TAXONOMY_FILE = "google_product_taxonomy-with-ids.en-US.txt"
LISTING_FILES = ("craigslist_sfbay_2017_goods.jsonl", "craigslist_sfbay_2017_cars.jsonl")
SEED_DIR = Path(__file__).parent / "seed"
REPO_DIR = Path(__file__).resolve().parent.parent
HELDOUT_FILE = REPO_DIR / "benchmarks" / "data" / "heldout.csv"
# Listings a person read for the hand-checked samples of docs/DATA.md stay in the seed (see seed_split.py).
REVIEWED_SAMPLES = (REPO_DIR / "docs" / "mapping_sample.csv", REPO_DIR / "docs" / "condition_sample.csv")
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
    repaired_category_paths: int = 0
    heldout: int = 0
    heldout_by_source: dict[str, int] = field(default_factory=dict)
    heldout_sha256: str = ""
    heldout_file: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "repaired_category_paths": self.repaired_category_paths,
            "read": self.read,
            "written": self.written,
            "dropped_placeholder_price": self.dropped_placeholder_price,
            "dropped_reposts": self.dropped_reposts,
            "by_source": dict(self.by_source),
            "condition_basis": dict(self.condition_basis),
            "distinct_listing_categories": self.distinct_categories,
            "heldout": {
                "file": self.heldout_file,
                "listings": self.heldout,
                "by_source": self.heldout_by_source,
                "random_seed": SPLIT_SEED,
                "share": HELDOUT_SHARE,
                "sha256": self.heldout_sha256,
            },
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


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was once decoded as Windows-1251: 'LamГ©s' -> 'Lamés' (the taxonomy copy has
    nine such paths). A run of characters that is not such a misreading is left as it is."""

    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        try:
            return run.encode("cp1251").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return run

    return _NON_ASCII_RUN.sub(fix, text)


def _reviewed_ids(files: tuple[Path, ...]) -> set[str]:
    missing = [str(f) for f in files if not f.is_file()]
    if missing:  # without them the split would differ from the one recorded
        raise FileNotFoundError(f"the hand-checked samples are missing: {', '.join(missing)}")
    ids: set[str] = set()
    for file in files:
        with file.open(encoding="utf-8", newline="") as f:
            ids.update(row["post_id"] for row in csv.DictReader(f))
    return ids


def _write_listings(path: Path, listings: list[SeedListing]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=LISTING_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in listings:
            writer.writerow(item.row())


def build(
    source_dir: Path,
    out_dir: Path = SEED_DIR,
    heldout_file: Path | None = None,
    reviewed_samples: tuple[Path, ...] = REVIEWED_SAMPLES,
) -> BuildReport:
    """Build the seed files from `source_dir` into `out_dir`, and the held-out listings into `heldout_file`
    (default: benchmarks/data/heldout.csv for the shipped seed, else `out_dir`/heldout.csv); returns what
    was read, kept, held out and dropped."""
    if heldout_file is None:
        heldout_file = HELDOUT_FILE if out_dir.resolve() == SEED_DIR.resolve() else out_dir / "heldout.csv"
    taxonomy_path = source_dir / TAXONOMY_FILE
    missing = [p for p in [taxonomy_path, *(source_dir / f for f in LISTING_FILES)] if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            "missing source files: "
            + ", ".join(str(p) for p in missing)
            + " (where each comes from: marketplace/seed/ATTRIBUTION.md; pass their folder as --source)"
        )
    raw_lines = taxonomy_path.read_text(encoding="utf-8").splitlines()
    lines = [repair_mojibake(line) for line in raw_lines]
    nodes = parse_taxonomy(lines)
    by_path: dict[str, TaxonomyNode] = {n.path: n for n in nodes}
    report = BuildReport(categories=len(nodes))
    report.repaired_category_paths = sum(a != b for a, b in zip(raw_lines, lines, strict=True))
    reviewed = _reviewed_ids(reviewed_samples)

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
    split = split_listings(
        listings,
        source=lambda item: item.source,
        title=lambda item: item.title,
        ident=lambda item: item.post_id,
        keep_in_seed=reviewed,
    )
    seed = [listings[i] for i in split.seed]
    heldout = [listings[i] for i in split.heldout]
    _write_listings(out_dir / LISTINGS_FILE, seed)
    _write_listings(heldout_file, heldout)
    for item in heldout:  # the counts describe the seed
        report.by_source[item.source] -= 1
        report.condition_basis[item.condition_basis] -= 1
    report.written = len(seed)
    report.distinct_categories = len({item.category_id for item in seed})
    report.heldout = len(heldout)
    report.heldout_by_source = split.by_source
    report.heldout_sha256 = hashlib.sha256(heldout_file.read_bytes()).hexdigest()
    resolved = heldout_file.resolve()
    report.heldout_file = str(
        resolved.relative_to(REPO_DIR) if resolved.is_relative_to(REPO_DIR) else heldout_file
    )
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
