"""Load the shipped seed files (`marketplace/seed/`) into a database, once per seed version."""

from __future__ import annotations

import csv
import zlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from marketplace.db import CategoryRow, CategoryTreeRow, ListingRow, MetaRow, SellerRow
from marketplace.migrations import migrate
from marketplace.search_index import SAMPLE_RANGE, apply_stats, closure_rows, index_fields, lineages
from marketplace.seed_files import CATEGORIES_FILE, LISTINGS_FILE, SEED_DIR, seed_fingerprint
from marketplace.taxonomy import parse_taxonomy

SEED_SELLER_ID = "craigslist-2017"
# The source gives no posting dates, only that the ads were scraped in spring 2017.
SEED_CREATED_AT = datetime(2017, 4, 1, tzinfo=UTC)
SEED_FINGERPRINT_KEY = "seed_fingerprint"


def _taxonomy_rows(seed_dir: Path) -> list[dict[str, object]]:
    lines = (seed_dir / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()[1:]
    nodes = parse_taxonomy(line.replace("\t", " - ", 1) for line in lines)
    return [
        {"id": n.id, "path": n.path, "name": n.name, "parent_id": n.parent_id, "is_leaf": n.is_leaf}
        for n in nodes
    ]


def category_parents(session: Session) -> dict[int, int | None]:
    return {r.id: r.parent_id for r in session.execute(select(CategoryRow.id, CategoryRow.parent_id))}


def _listing_rows(seed_dir: Path, lines: dict[int, list[int]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with (seed_dir / LISTINGS_FILE).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            category_id = int(row["category_id"])
            # The same seed listing is in the same samples in every database.
            sample = zlib.crc32(row["post_id"].encode()) % SAMPLE_RANGE
            fields = index_fields(row["title"], lines[category_id], sample)
            rows.append(
                {
                    "seller_id": SEED_SELLER_ID,
                    "title": row["title"],
                    "description": "",  # the source's free text is not redistributed
                    "category_id": category_id,
                    "condition": row["condition"],
                    "price": float(row["price"]),
                    "currency": row["currency"],
                    "status": "active",
                    "source": "seed",
                    "source_ref": row["post_id"],
                    "created_at": SEED_CREATED_AT,
                    "terms": fields.terms,
                    "tags": fields.tags,
                }
            )
    return rows


def ensure_seeded(engine: Engine, seed_dir: Path = SEED_DIR) -> bool:
    """Migrate the schema to the newest revision and load the seed data if this database lacks it or has
    an older version. Listings created by sellers are kept. Returns True when seed data was (re)loaded."""
    migrate(engine)
    fingerprint = seed_fingerprint(seed_dir)
    with Session(engine) as session, session.begin():
        current = session.get(MetaRow, SEED_FINGERPRINT_KEY)
        if current is not None and current.value == fingerprint:
            return False
        if session.scalar(select(func.count()).select_from(CategoryRow)) == 0:
            # Parents come before children in the file, so foreign keys hold row by row.
            session.execute(insert(CategoryRow), _taxonomy_rows(seed_dir))
            session.execute(insert(CategoryTreeRow), closure_rows(category_parents(session)))
        if session.get(SellerRow, SEED_SELLER_ID) is None:
            session.add(SellerRow(id=SEED_SELLER_ID, name="CraigslistBargain 2017 (seed data)"))
            session.flush()
        old = session.execute(
            select(ListingRow.category_id, ListingRow.terms).where(ListingRow.source == "seed")
        )
        apply_stats(session, [(r.category_id, r.terms) for r in old], sign=-1)
        session.execute(delete(ListingRow).where(ListingRow.source == "seed"))
        rows = _listing_rows(seed_dir, lineages(category_parents(session)))
        session.execute(insert(ListingRow), rows)
        apply_stats(session, ((int(str(r["category_id"])), str(r["terms"])) for r in rows))
        session.merge(MetaRow(key=SEED_FINGERPRINT_KEY, value=fingerprint))
    return True
