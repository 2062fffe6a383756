"""A listing's photos, by reference (`marketplace/photos.py`).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before migrations by code that already had photos has the table.
    if sa.inspect(op.get_bind()).has_table("listing_photos"):
        return
    op.create_table(
        "listing_photos",
        sa.Column("listing_id", sa.Integer, sa.ForeignKey("listings.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("photo_ref", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("listing_photos")
