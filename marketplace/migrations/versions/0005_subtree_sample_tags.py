"""A subtree's sample as one index tag: `_c<id>_s<k>` beside `_c<id>` and `_s<k>` (`marketplace.search_index`).

Only listings in a sample (a quarter of them) gain tags; a database of a million listings re-tags about
250,000 rows here, each re-indexed by the database (SQLite's triggers, PostgreSQL's generated column).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from marketplace.search_index import SAMPLE_TAG, with_subtree_samples

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 5000


def _retag(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    last = 0
    while True:
        # Only listings in the first sample level (every sampled listing) have tags to change.
        rows = bind.execute(
            sa.text("SELECT id, tags FROM listings WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        updates = []
        for r in rows:
            if f" {SAMPLE_TAG}1" in f" {r.tags}":
                tags = change(r.tags)
                if tags != r.tags:
                    updates.append({"i": r.id, "tags": tags})
        if updates:
            bind.execute(sa.text("UPDATE listings SET tags = :tags WHERE id = :i"), updates)
        last = rows[-1].id
    if bind.dialect.name == "sqlite":
        # The re-indexed rows leave the full-text index in many small segments: merged once, as a build
        # leaves it (a query reads every segment).
        op.execute("INSERT INTO listing_fts(listing_fts) VALUES ('optimize')")


def upgrade() -> None:
    _retag(with_subtree_samples)


def _without(tags: str) -> str:
    return " ".join(t for t in tags.split() if t.count("_") < 2)


def downgrade() -> None:
    _retag(_without)
