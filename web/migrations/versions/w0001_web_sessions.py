"""Web sessions and their conversations, in the database rather than in one process's memory.

Revision ID: w0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
        sa.Column("seller_id", sa.String(40)),
        sa.Column("credentials", sa.LargeBinary),
        sa.Column("conversation_id", sa.String(128)),
        sa.Column("busy_until", sa.Float),
        sa.Column("busy_by", sa.String(32)),
    )
    op.create_index("ix_web_sessions_last_seen_at", "web_sessions", ["last_seen_at"])
    op.create_table(
        "web_conversations",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column(
            "session_key",
            sa.String(64),
            sa.ForeignKey("web_sessions.key", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_web_conversations_session_key", "web_conversations", ["session_key"])


def downgrade() -> None:
    op.drop_table("web_conversations")
    op.drop_table("web_sessions")
