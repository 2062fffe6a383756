"""Listings found by the database: a full-text index over title words and category tags, the taxonomy as a
closure table, per-category statistics (listing counts, versions, word frequencies).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import random

import sqlalchemy as sa
from alembic import op

from marketplace.search_index import apply_stats, closure_rows, index_fields, lineages, new_sample

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 5000

# SQLite: an FTS5 table over the listings' own columns (external content), kept by triggers. Only rowids are
# stored (detail=none): the queries match single words and never rank by position.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE listing_fts USING fts5(
        terms, tags, content='listings', content_rowid='id',
        tokenize="unicode61 tokenchars '._'", detail=none, columnsize=0)""",
    """CREATE TRIGGER listings_fts_insert AFTER INSERT ON listings BEGIN
        INSERT INTO listing_fts(rowid, terms, tags) VALUES (new.id, new.terms, new.tags);
    END""",
    """CREATE TRIGGER listings_fts_delete AFTER DELETE ON listings BEGIN
        INSERT INTO listing_fts(listing_fts, rowid, terms, tags) VALUES ('delete', old.id, old.terms, old.tags);
    END""",
    """CREATE TRIGGER listings_fts_update AFTER UPDATE OF terms, tags ON listings BEGIN
        INSERT INTO listing_fts(listing_fts, rowid, terms, tags) VALUES ('delete', old.id, old.terms, old.tags);
        INSERT INTO listing_fts(rowid, terms, tags) VALUES (new.id, new.terms, new.tags);
    END""",
    "INSERT INTO listing_fts(listing_fts) VALUES ('rebuild')",
]
# PostgreSQL: the words are already tokens, so they become lexemes as they are (array_to_tsvector, no
# parser or dictionary), in a generated column with a GIN index.
POSTGRES_FTS = [
    """ALTER TABLE listings ADD COLUMN search tsvector GENERATED ALWAYS AS
        (array_to_tsvector(array_remove(string_to_array(terms || ' ' || tags, ' '), ''))) STORED""",
    "CREATE INDEX ix_listings_search ON listings USING gin (search)",
]


def upgrade() -> None:
    op.create_table(
        "category_tree",
        sa.Column("ancestor_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
        sa.Column("descendant_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
        sa.Column("depth", sa.Integer, nullable=False),
    )
    op.create_index("ix_category_tree_descendant", "category_tree", ["descendant_id"])
    op.create_table(
        "category_stats",
        sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
        sa.Column("listings", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "term_stats",
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
        sa.Column("df", sa.Integer, nullable=False),
    )
    op.add_column("listings", sa.Column("terms", sa.Text, nullable=False, server_default=""))
    op.add_column("listings", sa.Column("tags", sa.Text, nullable=False, server_default=""))
    op.drop_index("ix_listings_seller_id", "listings")
    op.create_index("ix_listings_seller_id_desc", "listings", ["seller_id", "id"])
    _backfill(op.get_bind())
    for statement in SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def _backfill(bind: sa.Connection) -> None:
    """A database made before this revision: its taxonomy's closure, its listings' index fields, statistics."""
    parents = {r.id: r.parent_id for r in bind.execute(sa.text("SELECT id, parent_id FROM categories"))}
    if not parents:
        return
    op.bulk_insert(
        sa.table("category_tree", *map(sa.column, ("ancestor_id", "descendant_id", "depth"))),
        closure_rows(parents),
    )
    lines = lineages(parents)
    rng = random.Random(2)  # samples reproducible for the same database
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, title, category_id FROM listings WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        updates = []
        for r in rows:
            fields = index_fields(r.title, lines[r.category_id], new_sample(rng))
            updates.append({"i": r.id, "terms": fields.terms, "tags": fields.tags})
        bind.execute(sa.text("UPDATE listings SET terms = :terms, tags = :tags WHERE id = :i"), updates)
        apply_stats(bind, ((r.category_id, u["terms"]) for r, u in zip(rows, updates, strict=True)))
        last = rows[-1].id


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("listings_fts_insert", "listings_fts_delete", "listings_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE listing_fts")
    else:
        op.drop_index("ix_listings_search", "listings")
        op.drop_column("listings", "search")
    op.drop_index("ix_listings_seller_id_desc", "listings")
    op.create_index("ix_listings_seller_id", "listings", ["seller_id"])
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("tags")
        batch.drop_column("terms")
    for table in ("term_stats", "category_stats", "category_tree"):
        op.drop_table(table)
