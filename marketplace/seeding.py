"""Load the shipped seed files (`marketplace/seed/`) into a database, once per seed version."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from marketplace.db import Base, CategoryRow, ListingRow, MetaRow, SellerRow
from marketplace.seed_build import CATEGORIES_FILE, LISTINGS_FILE, SEED_DIR, seed_fingerprint
from marketplace.taxonomy import parse_taxonomy

SEED_SELLER_ID = "craigslist-2017"
# The source gives no posting dates, only that the ads were scraped in spring 2017.
SEED_CREATED_AT = datetime(2017, 4, 1, tzinfo=UTC)
_FINGERPRINT_KEY = "seed_fingerprint"


def _taxonomy_rows(seed_dir: Path) -> list[dict[str, object]]:
    lines = (seed_dir / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()[1:]
    nodes = parse_taxonomy(line.replace("\t", " - ", 1) for line in lines)
    return [
        {"id": n.id, "path": n.path, "name": n.name, "parent_id": n.parent_id, "is_leaf": n.is_leaf}
        for n in nodes
    ]


def _listing_rows(seed_dir: Path) -> list[dict[str, object]]:
    with (seed_dir / LISTINGS_FILE).open(encoding="utf-8", newline="") as f:
        return [
            {
                "seller_id": SEED_SELLER_ID,
                "title": row["title"],
                "description": "",  # the source's free text is not redistributed
                "category_id": int(row["category_id"]),
                "condition": row["condition"],
                "price": float(row["price"]),
                "currency": row["currency"],
                "status": "active",
                "source": "seed",
                "source_ref": row["post_id"],
                "created_at": SEED_CREATED_AT,
            }
            for row in csv.DictReader(f)
        ]


def ensure_seeded(engine: Engine, seed_dir: Path = SEED_DIR) -> bool:
    """Create the schema and load the seed data if this database lacks it or has an older version.

    Listings created by sellers are kept. Returns True when seed data was (re)loaded.
    """
    Base.metadata.create_all(engine)
    for table in Base.metadata.sorted_tables:  # indexes added since an existing database was made
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    fingerprint = seed_fingerprint(seed_dir)
    with Session(engine) as session, session.begin():
        current = session.get(MetaRow, _FINGERPRINT_KEY)
        if current is not None and current.value == fingerprint:
            return False
        if session.scalar(select(func.count()).select_from(CategoryRow)) == 0:
            # Parents come before children in the file, so foreign keys hold row by row.
            session.execute(insert(CategoryRow), _taxonomy_rows(seed_dir))
        if session.get(SellerRow, SEED_SELLER_ID) is None:
            session.add(SellerRow(id=SEED_SELLER_ID, name="CraigslistBargain 2017 (seed data)"))
            session.flush()
        session.execute(delete(ListingRow).where(ListingRow.source == "seed"))
        session.execute(insert(ListingRow), _listing_rows(seed_dir))
        session.merge(MetaRow(key=_FINGERPRINT_KEY, value=fingerprint))
    return True
