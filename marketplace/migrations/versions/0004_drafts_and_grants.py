"""Least agency and hostile clients: token scopes (an agent's token saves drafts only), drafts and their
publish grants, registration by idempotency key, and the per-client rate limits' events.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        # Every token made before scopes existed is a seller's own.
        table.add_column(sa.Column("scope", sa.String(10), nullable=False, server_default="seller"))
    with op.batch_alter_table("sellers") as table:
        table.add_column(sa.Column("registration_sha256", sa.String(64)))
    op.create_index("ix_sellers_registration_sha256", "sellers", ["registration_sha256"], unique=True)
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seller_id", sa.String(40), sa.ForeignKey("sellers.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("listing_id", sa.Integer, sa.ForeignKey("listings.id"), unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_drafts_seller_key", "drafts", ["seller_id", "idempotency_key"], unique=True)
    op.create_index("ix_drafts_seller_id", "drafts", ["seller_id", "id"])
    op.create_table(
        "publish_grants",
        sa.Column("grant_sha256", sa.String(64), primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("drafts.id"), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_publish_grants_draft_id", "publish_grants", ["draft_id"])
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_rate_events_client_kind_at", "rate_events", ["client", "kind", "at"])


def downgrade() -> None:
    op.drop_table("rate_events")
    op.drop_table("publish_grants")
    op.drop_table("drafts")
    op.drop_index("ix_sellers_registration_sha256", "sellers")
    with op.batch_alter_table("sellers") as table:
        table.drop_column("registration_sha256")
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("scope")
