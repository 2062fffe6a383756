"""Sellers' feedback: thumbs up/down with a comment per conversation, and implicit feedback from the
fields they edit in a draft before approving it. Stored with the conversation and its trace id."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from agent.storage import data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    trace_id TEXT,
    seller_id TEXT,
    kind TEXT NOT NULL,          -- rating | edit | approval
    rating INTEGER,              -- +1 or -1 (rating)
    comment TEXT,
    field TEXT,                  -- the draft field edited (edit)
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX IF NOT EXISTS feedback_conversation ON feedback (conversation_id);
"""
DRAFT_FIELDS = ("title", "description", "price", "condition", "category_id", "currency")
EDITABLE_FIELDS = ("title", "description", "price", "condition")  # what the draft card lets a seller edit
MAX_COMMENT = 2000


def feedback_path() -> Path:
    return data_dir() / "feedback.db"


@dataclass(frozen=True)
class Edit:
    field: str
    old: Any
    new: Any


def draft_edits(draft: dict[str, Any], edited: dict[str, Any]) -> list[Edit]:
    """The fields a seller changed in a draft ('price' 165 -> 150); numbers compare as numbers."""
    edits = []
    for name in DRAFT_FIELDS:
        if name not in edited:
            continue
        old, new = draft.get(name), edited[name]
        same = old == new or str(old).strip() == str(new).strip()
        if not same and isinstance(old, int | float) and isinstance(new, int | float | str):
            try:
                same = float(old) == float(new)
            except ValueError:
                same = False
        if not same:
            edits.append(Edit(name, old, new))
    return edits


class FeedbackStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or feedback_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()

    def _add(
        self, kind: str, conversation_id: str, trace_id: str | None, seller_id: str | None, **values: Any
    ) -> None:
        row = {"rating": None, "comment": None, "field": None, "old_value": None, "new_value": None, **values}
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT INTO feedback (created_at, conversation_id, trace_id, seller_id, kind, rating, comment, field,"
                " old_value, new_value) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    conversation_id,
                    trace_id,
                    seller_id,
                    kind,
                    row["rating"],
                    row["comment"],
                    row["field"],
                    row["old_value"],
                    row["new_value"],
                ),
            )

    def rate(
        self,
        conversation_id: str,
        rating: Literal[1, -1],
        comment: str | None = None,
        trace_id: str | None = None,
        seller_id: str | None = None,
    ) -> None:
        """The conversation's rating: one per conversation, which a later one replaces."""
        text = (comment or "").strip()[:MAX_COMMENT] or None
        with self._lock, self._connect() as conn:
            row = conn.execute(
                "SELECT id FROM feedback WHERE conversation_id = ? AND kind = 'rating' ORDER BY id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE feedback SET created_at = ?, trace_id = ?, seller_id = ?, rating = ?, comment = ?"
                    " WHERE id = ?",
                    (
                        datetime.now(UTC).isoformat(timespec="seconds"),
                        trace_id,
                        seller_id,
                        rating,
                        text,
                        row[0],
                    ),
                )
                return
        self._add("rating", conversation_id, trace_id, seller_id, rating=rating, comment=text)

    def rating(self, conversation_id: str) -> int | None:
        """The conversation's current rating (+1, -1), if it has one."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT rating FROM feedback WHERE conversation_id = ? AND kind = 'rating' ORDER BY id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
        return None if row is None else int(row[0])

    def approval(
        self,
        conversation_id: str,
        edits: list[Edit],
        trace_id: str | None = None,
        seller_id: str | None = None,
    ) -> None:
        """A draft the seller approved, and each field they changed before approving (implicit feedback)."""
        self._add("approval", conversation_id, trace_id, seller_id, comment=f"{len(edits)} field(s) edited")
        for edit in edits:
            self._add(
                "edit",
                conversation_id,
                trace_id,
                seller_id,
                field=edit.field,
                old_value=str(edit.old),
                new_value=str(edit.new),
            )

    def rows(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            query = (
                "SELECT * FROM feedback"
                + (" WHERE conversation_id = ?" if conversation_id else "")
                + " ORDER BY id"
            )
            return [dict(r) for r in conn.execute(query, (conversation_id,) if conversation_id else ())]

    def summary(self) -> dict[str, Any]:
        rows = self.rows()
        # A conversation's latest rating only (stores from before ratings were replaced have one per click).
        latest = {r["conversation_id"]: r for r in rows if r["kind"] == "rating"}
        ratings = sorted(latest.values(), key=lambda r: r["id"])
        approvals = sum(1 for r in rows if r["kind"] == "approval")
        edits = Counter(r["field"] for r in rows if r["kind"] == "edit")
        # The fields the card can edit, and any other that was edited all the same (never hidden).
        fields = [*EDITABLE_FIELDS, *sorted(f for f in edits if f not in EDITABLE_FIELDS)]
        return {
            "conversations": len({r["conversation_id"] for r in rows}),
            "thumbs_up": sum(1 for r in ratings if r["rating"] > 0),
            "thumbs_down": sum(1 for r in ratings if r["rating"] < 0),
            "approvals": approvals,
            "edits": dict(edits),
            "edit_rate": {field: edits[field] / approvals for field in fields} if approvals else {},
            "recent_comments": [
                {
                    "conversation_id": r["conversation_id"],
                    "rating": r["rating"],
                    "comment": r["comment"],
                    "trace_id": r["trace_id"],
                    "at": r["created_at"],
                }
                for r in reversed(ratings)
                if r["comment"]
            ][:10],
            "recent_edits": [
                {
                    "conversation_id": r["conversation_id"],
                    "field": r["field"],
                    "from": r["old_value"],
                    "to": r["new_value"],
                }
                for r in reversed(rows)
                if r["kind"] == "edit"
            ][:10],
        }
