"""Sellers' feedback in the store: a thumbs up or down with a comment per conversation (from the site or
the CLI), the fields they edited in a draft's card before approving it, the drafts they revised in words
(and the fields that changed), and a conversation they left with "start
over"; each row tied to the conversation, its trace, and the model, prompt version and variant that
produced it (read from the turn index, else from what the caller knows)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.draft_changes import FieldChange
from ops.counts import counted
from ops.edits import CHANGEABLE_FIELDS, EDITABLE_FIELDS, MAX_COMMENT, edits_per_draft, on_approved_draft
from ops.shown import CategoryName, category_id
from ops.store import OpsStore
from traces.store import read_variant_specs

__all__ = ["EDITABLE_FIELDS", "MAX_COMMENT"]  # where their users import them from

# A field a seller changed (on a draft's card, or by a change typed in words): the comparison's own type.
Edit = FieldChange


@dataclass(frozen=True)
class Cause:
    """What produced a conversation: its model, prompt version and (with experiments) variant."""

    model: str | None = None
    prompt: str | None = None
    variant: str | None = None
    arm: str | None = None  # "<experiment>/<arm>" when an experiment served it


@dataclass(frozen=True)
class FieldEdit:
    """A draft field the seller changed: on the card before approving (`card`), or by a change typed in
    words that the next draft made (`typed`)."""

    how: Literal["card", "typed"]
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class SellerFeedback:
    """What the seller said about one conversation, for the reviewer reading it: the latest rating and its
    comment, the fields they changed, how often they started over from it (and what they left waiting)."""

    rating: int | None = None
    comment: str | None = None
    source: str | None = None  # where the rating came from: web or cli
    edits: tuple[FieldEdit, ...] = ()
    start_overs: tuple[str, ...] = ()  # each start-over's note ("1 draft left unanswered"), or ""
    revisions: int = 0  # drafts revised in words (their changed fields are among `edits` once redrafted)

    def __bool__(self) -> bool:
        return self.rating is not None or bool(self.edits) or bool(self.start_overs) or bool(self.revisions)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    def __init__(self, path: Path | None = None, *, source: str = "web") -> None:
        self.store = OpsStore(path)
        self.path = self.store.path
        self.source = source

    def cause(self, conn: sqlite3.Connection, conversation_id: str, known: Cause | None = None) -> Cause:
        """What produced the conversation, from its latest indexed turn; what the turn index lacks (a turn
        not yet written out, tracing off) from `known`, the caller's own record of it."""
        row = conn.execute(
            "SELECT model, prompt, variant FROM turns WHERE conversation_id = ? ORDER BY start_ns DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        served = conn.execute(
            "SELECT experiment || '/' || arm, variant FROM experiment_conversations WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        found = Cause(*row) if row else Cause()
        if served is not None:
            # Recorded as the conversation began: the arm even before the turn's span reaches the store.
            found = Cause(found.model, found.prompt, found.variant or served[1], served[0])
        if known is None:
            return found
        return Cause(
            found.model or known.model,
            found.prompt or known.prompt,
            found.variant or known.variant,
            found.arm or known.arm,
        )

    def last_trace(self, conversation_id: str) -> str | None:
        """The trace of the conversation's latest indexed turn."""
        with self.store.connect() as conn:
            row = conn.execute(
                "SELECT trace_id FROM turns WHERE conversation_id = ? ORDER BY start_ns DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
        return None if row is None else str(row[0])

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
        known: Cause | None = None,
        **values: Any,
    ) -> None:
        cause = self.cause(conn, conversation_id, known)
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
        cause: Cause | None = None,
    ) -> None:
        """The conversation's rating: one per conversation, which a later one replaces (from wherever it
        comes: the site or the CLI). `cause`: what produced it, when the caller knows."""
        text = (comment or "").strip()[:MAX_COMMENT] or None
        with self.store.lock, self.store.connect() as conn:
            row = conn.execute(
                "SELECT id FROM feedback WHERE conversation_id = ? AND kind = 'rating' ORDER BY id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            if row is None:
                self._insert(
                    conn, "rating", conversation_id, trace_id, seller_id, cause, rating=rating, comment=text
                )
                return
            now = self.cause(conn, conversation_id, cause)
            conn.execute(
                "UPDATE feedback SET created_at = ?, trace_id = ?, seller_id = ?, rating = ?, comment = ?,"
                " model = COALESCE(?, model), prompt = COALESCE(?, prompt), variant = COALESCE(?, variant),"
                " source = ? WHERE id = ?",
                (
                    _now(),
                    trace_id,
                    seller_id,
                    rating,
                    text,
                    now.model,
                    now.prompt,
                    now.variant,
                    self.source,
                    row[0],
                ),
            )

    def start_over(
        self,
        conversation_id: str,
        *,
        pending_drafts: int = 0,
        trace_id: str | None = None,
        seller_id: str | None = None,
        cause: Cause | None = None,
    ) -> None:
        """The seller left this conversation with "start over" (implicit feedback), maybe with a draft
        still waiting for an answer."""
        with self.store.lock, self.store.connect() as conn:
            self._insert(
                conn,
                "start_over",
                conversation_id,
                trace_id,
                seller_id,
                cause,
                comment=f"{counted(pending_drafts, 'draft')} left unanswered" if pending_drafts else None,
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
        cause: Cause | None = None,
    ) -> None:
        """A draft the seller approved, and each field they changed before approving (implicit feedback)."""
        self._with_fields("approval", "edit", "edited", conversation_id, edits, trace_id, seller_id, cause)

    def decline(
        self,
        conversation_id: str,
        trace_id: str | None = None,
        seller_id: str | None = None,
        cause: Cause | None = None,
    ) -> None:
        """A draft the seller said no to: the revisions in words that led to it were not edits of an
        approved draft (`on_approved_draft`)."""
        self._add("decline", conversation_id, trace_id, seller_id, known=cause)

    def revision(
        self,
        conversation_id: str,
        changes: list[Edit],
        trace_id: str | None = None,
        seller_id: str | None = None,
        cause: Cause | None = None,
    ) -> None:
        """A draft the seller answered with a change in words ("make it 350"), and each field the draft that
        replaced it changed (none when the agent asked something instead of drafting again)."""
        self._with_fields(
            "revision", "typed_edit", "changed", conversation_id, changes, trace_id, seller_id, cause
        )

    def redraft(
        self,
        conversation_id: str,
        changes: list[Edit],
        trace_id: str | None = None,
        seller_id: str | None = None,
        cause: Cause | None = None,
    ) -> None:
        """The fields a draft changed from one revised in words in an earlier turn, which the agent answered
        with a question first ("wrong category" → "which of these?" → the new draft): that revision's
        changes, written when they are known (its `revision` row is already there)."""
        if not changes:
            return
        with self.store.lock, self.store.connect() as conn:
            for change in changes:
                self._insert(
                    conn,
                    "typed_edit",
                    conversation_id,
                    trace_id,
                    seller_id,
                    cause,
                    field=change.field,
                    old_value=str(change.old),
                    new_value=str(change.new),
                )

    def _with_fields(
        self,
        kind: str,
        field_kind: str,
        done: str,
        conversation_id: str,
        changes: list[Edit],
        trace_id: str | None,
        seller_id: str | None,
        cause: Cause | None,
    ) -> None:
        """One row for the draft (`kind`), then one (`field_kind`) for each field changed, in one transaction."""
        with self.store.lock, self.store.connect() as conn:
            self._insert(
                conn,
                kind,
                conversation_id,
                trace_id,
                seller_id,
                cause,
                comment=f"{len(changes)} field(s) {done}",
            )
            for change in changes:
                self._insert(
                    conn,
                    field_kind,
                    conversation_id,
                    trace_id,
                    seller_id,
                    cause,
                    field=change.field,
                    old_value=str(change.old),
                    new_value=str(change.new),
                )

    def of(self, conversation_id: str) -> SellerFeedback:
        """The seller's feedback on one conversation (the latest rating only: a later one replaces it)."""
        return _seller_feedback(self.rows(conversation_id))

    def of_each(self, conversation_ids: list[str]) -> dict[str, SellerFeedback]:
        """Each conversation's feedback, as `of` gives it, from one read of the store (a list of them)."""
        grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in conversation_ids}
        for row in self.rows():
            if row["conversation_id"] in grouped:
                grouped[row["conversation_id"]].append(row)
        return {conversation: _seller_feedback(rows) for conversation, rows in grouped.items()}

    def rows(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        with self.store.connect() as conn:
            conn.row_factory = sqlite3.Row
            query = (
                "SELECT * FROM feedback"
                + (" WHERE conversation_id = ?" if conversation_id is not None else "")
                + " ORDER BY id"
            )
            params = () if conversation_id is None else (conversation_id,)
            return [dict(r) for r in conn.execute(query, params)]

    def summary(self, category_name: CategoryName | None = None) -> FeedbackSummary:
        """The store's feedback counted; a changed category is named by `category_name` beside its id."""
        rows = self.rows()
        # A conversation's latest rating only (stores from before ratings were replaced have one per click).
        latest = {r["conversation_id"]: r for r in rows if r["kind"] == "rating"}
        ratings = sorted(latest.values(), key=lambda r: r["id"])
        approvals = sum(1 for r in rows if r["kind"] == "approval")
        with self.store.connect() as conn:
            # The revisions and typed edits of drafts that were then approved (the monitor's test too).
            kept = conn.execute(
                f"SELECT r.kind, r.field, COUNT(*) FROM feedback r WHERE {on_approved_draft('r')}"
                " AND r.kind IN ('revision', 'typed_edit') GROUP BY 1, 2"
            ).fetchall()
            revised_by = {
                (str(v), str(a)): int(n)
                for v, a, n in conn.execute(
                    "SELECT COALESCE(r.variant, 'unknown'), COALESCE(r.arm, ''), COUNT(*) FROM feedback r"
                    f" WHERE {on_approved_draft('r')} AND r.kind = 'revision' GROUP BY 1, 2"
                )
            }
            by_variant = _by_variant(rows, ratings, revised_by)
            specs = read_variant_specs(conn, [v["variant"] for v in by_variant if v["variant"] != "unknown"])
        for v in by_variant:
            v["spec"] = specs.get(v["variant"])
            v["label"] = f"{v['spec']} · {v['variant']}" if v["spec"] else v["variant"]
        approved_revisions = sum(n for kind, _, n in kept if kind == "revision")
        approved_typed = Counter({f: n for kind, f, n in kept if kind == "typed_edit"})
        start_overs = sum(1 for r in rows if r["kind"] == "start_over")
        edits = Counter(r["field"] for r in rows if r["kind"] == "edit")
        revisions = sum(1 for r in rows if r["kind"] == "revision")
        typed = Counter(r["field"] for r in rows if r["kind"] == "typed_edit")
        # The fields a seller changes (on the card or in words), and any other changed all the same.
        fields = [*CHANGEABLE_FIELDS, *sorted(f for f in {*edits, *typed} if f not in CHANGEABLE_FIELDS)]
        return FeedbackSummary.model_validate(
            {
                # Conversations with feedback of any kind (a rating, an approval, an edit, a start-over) ...
                "conversations": len({r["conversation_id"] for r in rows}),
                "rated": len(ratings),  # ... and those a seller rated: what the thumbs are out of
                "changed": len(
                    {r["conversation_id"] for r in rows if r["kind"] in ("edit", "typed_edit", "revision")}
                ),
                "thumbs_up": sum(1 for r in ratings if r["rating"] > 0),
                "thumbs_down": sum(1 for r in ratings if r["rating"] < 0),
                "approvals": approvals,
                "start_overs": start_overs,
                "ratings_by_source": dict(Counter(r["source"] for r in ratings)),
                "edits": dict(edits),
                "revisions": revisions,
                "typed_edits": dict(typed),
                "approved_revisions": approved_revisions,  # revisions of drafts the seller then approved
                # Changes per approved draft: fields edited on the card plus drafts revised in words on the way
                # to an approved draft, as the monitor's edits_per_draft counts them.
                "edits_per_draft": edits_per_draft(sum(edits.values()), approved_revisions, approvals),
                "edit_rate": {field: (edits[field] + approved_typed[field]) / approvals for field in fields}
                if approvals
                else {},
                "recent_comments": [
                    {
                        "conversation_id": r["conversation_id"],
                        "rating": r["rating"],
                        "comment": r["comment"],
                        "trace_id": r["trace_id"],
                        "model": r["model"],
                        "prompt": r["prompt"],
                        "variant": r["variant"],
                        "arm": r["arm"],
                        "at": r["created_at"],
                    }
                    for r in reversed(ratings)
                    if r["comment"]
                ][:10],
                "by_variant": by_variant,
                "recent_edits": [
                    {
                        "conversation_id": r["conversation_id"],
                        "field": r["field"],
                        "how": "card" if r["kind"] == "edit" else "typed",
                        "from": r["old_value"],
                        "to": r["new_value"],
                        "from_name": _category_name(r["field"], r["old_value"], category_name),
                        "to_name": _category_name(r["field"], r["new_value"], category_name),
                        "variant": r["variant"],
                        "arm": r["arm"],
                    }
                    for r in reversed(rows)
                    if r["kind"] in ("edit", "typed_edit")
                ][:10],
            }
        )


class VariantFeedback(BaseModel):
    """Feedback on the conversations one variant (and experiment arm) served, named as a person reads it
    beside its id (the id alone says nothing of what served them)."""

    variant: str  # its short id; "unknown" for rows from before variants were recorded
    # The spec that names it again (`--variant SPEC`: model, prompt, settings), from its latest stored turn;
    # None when no turn of it is kept (pruned, tracing off, or "unknown").
    spec: str | None
    model: str | None  # the model and prompt version its feedback rows record
    prompt: str | None
    label: str  # what `trova feedback` prints: "<spec> · <id>", or the id alone without a spec
    arm: str | None
    conversations: int
    thumbs_up: int
    thumbs_down: int
    approvals: int
    declines: int
    start_overs: int
    edits: int  # card edits plus revisions in words of drafts then approved (ops.edits)
    edits_per_draft: float | None


class RecentComment(BaseModel):
    conversation_id: str
    rating: int
    comment: str
    trace_id: str | None
    model: str | None
    prompt: str | None
    variant: str | None
    arm: str | None
    at: str


class RecentEdit(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    conversation_id: str
    field: str | None
    how: Literal["card", "typed"]
    old: str | None = Field(alias="from")
    new: str | None = Field(alias="to")
    # A changed category's names (its ids are `from` and `to`); None for other fields or an unknown id.
    old_name: str | None = Field(None, alias="from_name")
    new_name: str | None = Field(None, alias="to_name")
    variant: str | None
    arm: str | None


class FeedbackSummary(BaseModel):
    """What `trova feedback` shows (and prints with --json): the store's feedback, counted."""

    conversations: (
        int  # with feedback of any kind: a rating, a draft approved, declined or changed, a start-over
    )
    rated: int  # of which a seller rated: what the thumbs are out of
    changed: int  # of which a seller changed a draft (on its card or in words)
    thumbs_up: int
    thumbs_down: int
    approvals: int
    start_overs: int
    ratings_by_source: dict[str, int]
    edits: dict[str, int]  # card edits per field
    revisions: int
    typed_edits: dict[str, int]  # changes typed in words, per field
    approved_revisions: int  # revisions of drafts the seller then approved
    edits_per_draft: float | None
    edit_rate: dict[str, float]  # per field: changed before approval, per approved draft
    recent_comments: list[RecentComment]
    by_variant: list[VariantFeedback]
    recent_edits: list[RecentEdit]


def _category_name(field: str | None, value: str | None, category_name: CategoryName | None) -> str | None:
    ident = category_id(value) if field == "category_id" and value is not None else None
    return category_name(ident) if category_name is not None and ident is not None else None


def _seller_feedback(rows: list[dict[str, Any]]) -> SellerFeedback:
    """A conversation's feedback from its rows in the order written (the latest rating only)."""
    rating: dict[str, Any] | None = None
    edits: list[FieldEdit] = []
    start_overs: list[str] = []
    revisions = 0
    for row in rows:
        if row["kind"] == "rating":
            rating = row
        elif row["kind"] in ("edit", "typed_edit"):
            how: Literal["card", "typed"] = "card" if row["kind"] == "edit" else "typed"
            edits.append(FieldEdit(how, row["field"], row["old_value"], row["new_value"]))
        elif row["kind"] == "start_over":
            start_overs.append(row["comment"] or "")
        elif row["kind"] == "revision":
            revisions += 1
    return SellerFeedback(
        rating=None if rating is None else int(rating["rating"]),
        comment=None if rating is None else rating["comment"],
        source=None if rating is None else rating["source"],
        edits=tuple(edits),
        start_overs=tuple(start_overs),
        revisions=revisions,
    )


def _by_variant(
    rows: list[dict[str, Any]], ratings: list[dict[str, Any]], revised: dict[tuple[str, str], int]
) -> list[dict[str, Any]]:
    """Explicit and implicit feedback per variant that produced it (the arm too, when an experiment served
    it), so a change's effect on sellers reads off one table; rows with no known variant under "unknown".
    `edits` and `edits_per_draft` as the headline counts them (ops.edits): card edits plus the revisions
    in words of drafts then approved (`revised`, by variant and arm)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}

    def group(row: dict[str, Any]) -> dict[str, Any]:
        key = (row["variant"] or "unknown", row["arm"] or "")
        return groups.setdefault(
            key,
            {
                "variant": key[0],
                "model": None,
                "prompt": None,
                "arm": key[1] or None,
                "conversations": set(),
                "thumbs_up": 0,
                "thumbs_down": 0,
                "approvals": 0,
                "declines": 0,
                "start_overs": 0,
                "edits": 0,
            },
        )

    for r in rows:
        g = group(r)
        g["conversations"].add(r["conversation_id"])
        # The latest row that records them (rows come in the order written).
        g["model"] = r["model"] or g["model"]
        g["prompt"] = r["prompt"] or g["prompt"]
        kind = r["kind"]
        if kind == "approval":
            g["approvals"] += 1
        elif kind == "decline":
            g["declines"] += 1
        elif kind == "start_over":
            g["start_overs"] += 1
        elif kind == "edit":
            g["edits"] += 1
    for r in ratings:  # each conversation's latest rating only
        g = group(r)
        g["thumbs_up" if r["rating"] > 0 else "thumbs_down"] += 1
    for (variant, arm), n in revised.items():
        if (variant, arm) in groups:
            groups[(variant, arm)]["edits"] += n
    return [
        {
            **g,
            "conversations": len(g["conversations"]),
            "edits_per_draft": edits_per_draft(g["edits"], 0, g["approvals"]),
        }
        for _, g in sorted(groups.items(), key=lambda kv: (-len(kv[1]["conversations"]), kv[0]))
    ]
