"""Sellers' feedback in the store: a thumbs up or down with a comment per conversation, and the fields
they edited in a draft before approving it; each row tied to the conversation, its trace, and the model
and prompt version that produced it (read from the turn index when the caller does not say)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ops.store import OpsStore

EDITABLE_FIELDS = ("title", "description", "price", "condition")  # what the draft card lets a seller edit
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Edit:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Cause:
    """What produced a conversation: its model, prompt version and (with experiments) variant."""

    model: str | None = None
    prompt: str | None = None
    variant: str | None = None
    arm: str | None = None  # "<experiment>/<arm>" when an experiment served it


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    def __init__(self, path: Path | None = None, *, source: str = "web") -> None:
        self.store = OpsStore(path)
        self.path = self.store.path
        self.source = source

    def cause(self, conn: sqlite3.Connection, conversation_id: str) -> Cause:
        row = conn.execute(
            "SELECT model, prompt, variant FROM turns WHERE conversation_id = ? ORDER BY start_ns DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        served = conn.execute(
            "SELECT experiment || '/' || arm, variant FROM experiment_conversations WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        cause = Cause(*row) if row else Cause()
        if served is None:
            return cause
        # Recorded as the conversation began: the arm even before the turn's span reaches the store.
        return Cause(cause.model, cause.prompt, cause.variant or served[1], served[0])

    def _add(
        self, kind: str, conversation_id: str, trace_id: str | None, seller_id: str | None, **values: Any
    ) -> None:
        """One feedback row, as is (no rating replaced)."""
        with self.store.lock, self.store.connect() as conn:
            self._insert(conn, kind, conversation_id, trace_id, seller_id, **values)

    def _insert(
        self,
        conn: sqlite3.Connection,
        kind: str,
        conversation_id: str,
        trace_id: str | None,
        seller_id: str | None,
        **values: Any,
    ) -> None:
        cause = self.cause(conn, conversation_id)
        row = {"rating": None, "comment": None, "field": None, "old_value": None, "new_value": None, **values}
        conn.execute(
            "INSERT INTO feedback (created_at, conversation_id, trace_id, seller_id, kind, rating, comment, field,"
            " old_value, new_value, model, prompt, variant, source, arm) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                _now(),
                conversation_id,
                trace_id,
                seller_id,
                kind,
                row["rating"],
                row["comment"],
                row["field"],
                row["old_value"],
                row["new_value"],
                cause.model,
                cause.prompt,
                cause.variant,
                self.source,
                cause.arm,
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
        with self.store.lock, self.store.connect() as conn:
            row = conn.execute(
                "SELECT id FROM feedback WHERE conversation_id = ? AND kind = 'rating' ORDER BY id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            if row is None:
                self._insert(
                    conn, "rating", conversation_id, trace_id, seller_id, rating=rating, comment=text
                )
                return
            conn.execute(
                "UPDATE feedback SET created_at = ?, trace_id = ?, seller_id = ?, rating = ?, comment = ?"
                " WHERE id = ?",
                (_now(), trace_id, seller_id, rating, text, row[0]),
            )

    def rating(self, conversation_id: str) -> int | None:
        """The conversation's current rating (+1, -1), if it has one."""
        with self.store.connect() as conn:
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
        with self.store.lock, self.store.connect() as conn:
            self._insert(
                conn,
                "approval",
                conversation_id,
                trace_id,
                seller_id,
                comment=f"{len(edits)} field(s) edited",
            )
            for edit in edits:
                self._insert(
                    conn,
                    "edit",
                    conversation_id,
                    trace_id,
                    seller_id,
                    field=edit.field,
                    old_value=str(edit.old),
                    new_value=str(edit.new),
                )

    def rows(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        with self.store.connect() as conn:
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
                    "model": r["model"],
                    "prompt": r["prompt"],
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
