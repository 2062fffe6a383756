"""Human review: a sampler that queues doubtful conversations (each once), the reviews reviewers record,
their export, and how far the automatic checks agree with the reviewers (Cohen's kappa)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ops.monitor import ABANDON_AFTER_S, EVAL_MARKETPLACE, Monitor, Window, is_abandoned
from ops.online import failing_conversations
from ops.problems import plain
from ops.review_terms import DEFAULT_RANDOM_SHARE, Tag
from ops.rollups import COUNTABLE
from ops.store import OpsStore

REASONS = (
    "thumbs_down",
    "check_failed",  # an online check's latest verdict on it is a failure (ops/online.py)
    "edited",
    "declined",
    "started_over",
    "error",
    "abandoned",
    "random",
)
ORDER = (  # the order a conversation's reasons are listed in
    "thumbs_down",
    "check_failed",
    "declined",
    "edited",
    "error",
    "abandoned",
    "random",
    "started_over",
)


class Review(BaseModel):
    """A reviewer's verdict on a conversation, with the correction a scenario can expect."""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["good", "bad"]
    tags: list[Tag] = Field(default_factory=list)
    note: str | None = Field(None, max_length=4000)
    category: str | None = Field(None, max_length=200, description="the right category's name")
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    reviewer: str = Field("reviewer", min_length=1, max_length=100)

    @model_validator(mode="after")
    def _range(self) -> Review:
        if (self.price_min is None) != (self.price_max is None):
            raise ValueError("give both ends of the acceptable price range, or neither")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("the price range's low end is above its high end")
        self.tags = list(dict.fromkeys(self.tags))
        self.note = (self.note or "").strip() or None
        self.category = (self.category or "").strip() or None
        return self


def review_problems(error: ValidationError, labels: Mapping[str, str]) -> str:
    """A review's validation problems in a reviewer's words: each field by the label it was entered under
    (`labels`: field -> option or form label; "" for the price range as a whole), a tag by its value, and
    pydantic's message without its "Value error, "."""
    problems = []
    for err in error.errors():
        loc, message = err["loc"], plain(err)
        where = labels.get(str(loc[0]), str(loc[0])) if loc else labels.get("", "price range")
        if loc and loc[0] == "tags" and len(loc) > 1:
            where += f" {err['input']!r}"
        problems.append(f"{where}: {message}")
    return "; ".join(problems)


class StoredReview(Review):
    id: int
    conversation_id: str
    created_at: str
    scenario: str | None = None
    automatic: Literal["passed", "failed"] | None = None


@dataclass(frozen=True)
class QueueItem:
    conversation_id: str
    reasons: list[str]
    queued_at: str
    last_turn_ns: int
    reviewed: bool


class ScenarioWriter(Protocol):
    """Writes a scenario from a reviewed conversation ("add to eval set"); given by the caller, because the
    harness's capture code (evals) and the category taxonomy (marketplace) live where the site may not
    import them."""

    def __call__(self, conversation_id: str, review: Review) -> Path: ...

    def unknown_category(self, name: str) -> str | None:
        """Why no scenario could expect `name` as the right category (no category's name or path holds
        it, as `category_path: {contains: ...}` reads it), with the close ones; None when some does."""
        ...


def in_random_share(conversation_id: str, share: float) -> bool:
    """A stable draw: the same conversation is in or out of the random share every time it is asked."""
    digest = hashlib.sha256(conversation_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


class ReviewQueue:
    def __init__(self, store: OpsStore, random_share: float = DEFAULT_RANDOM_SHARE) -> None:
        if not 0 <= random_share <= 1:
            raise ValueError(f"the random share must be between 0 and 1, not {random_share}")
        self.store = store
        self.random_share = random_share

    def candidates(self, conn: sqlite3.Connection, window: Window) -> dict[str, list[str]]:
        """Conversations active in the window and why each deserves a look."""
        return {c: reasons for c, (reasons, _) in self._candidates(conn, window).items()}

    def _candidates(
        self, conn: sqlite3.Connection, window: Window, *, unqueued: bool = False
    ) -> dict[str, tuple[list[str], int]]:
        """Each doubtful conversation active in the window (with `unqueued`, of those not queued yet): why,
        and its last turn in the window. Those wholly inside it are judged from their roll-up rows
        (ops/rollups.py); the few others (straddling an edge, mixed, judged early) from their turns."""
        abandoned_before = time.time_ns() - int(ABANDON_AFTER_S * 1e9)
        found: dict[str, tuple[list[str], int]] = {}
        new = " AND NOT EXISTS (SELECT 1 FROM review_queue q WHERE q.conversation_id = r.conversation_id)"
        for row in conn.execute(
            "SELECT conversation_id, declined, revised, model_errors + tool_errors, created, last_ns, edits,"
            " started_over, rating, failed FROM conversation_rollup r WHERE last_ns >= ? AND last_ns < ?"
            f" AND first_ns >= ? AND {COUNTABLE.format(r='r')}{new if unqueued else ''}",
            (window.start_ns, window.end_ns, window.start_ns),
        ):
            conversation, declined, revised, errors, created, last_ns, edits, started_over, rating, failed = (
                row
            )
            reasons = {
                "thumbs_down": rating < 0,
                "check_failed": bool(failed),
                "declined": bool(declined),
                "edited": bool(revised or edits),
                "error": bool(errors),
                "abandoned": is_abandoned(created, last_ns, abandoned_before),
                "random": in_random_share(conversation, self.random_share),
                "started_over": bool(started_over),
            }
            if any(reasons.values()):
                found[conversation] = ([r for r in ORDER if reasons[r]], last_ns)
        others = Monitor._others(conn, window)
        if others:
            found.update(self._raw_candidates(conn, window, others, abandoned_before))
        return found

    def _raw_candidates(
        self, conn: sqlite3.Connection, window: Window, only: list[str], abandoned_before: int
    ) -> dict[str, tuple[list[str], int]]:
        among = json.dumps(only)
        reasons: dict[str, set[str]] = {}
        last: dict[str, int] = {}
        for conversation, errors, declined, revised, created, last_ns in conn.execute(
            "SELECT conversation_id, SUM(error_kind IS NOT NULL OR tool_errors > 0), SUM(declined),"
            " SUM(revised),"
            " (SELECT SUM(created) FROM turns t WHERE t.conversation_id = w.conversation_id), MAX(start_ns)"
            " FROM turns w WHERE start_ns >= ? AND start_ns < ? AND (marketplace IS NULL OR marketplace != ?)"
            " AND conversation_id IN (SELECT value FROM json_each(?)) GROUP BY conversation_id",
            (window.start_ns, window.end_ns, EVAL_MARKETPLACE, among),
        ):
            found = reasons[conversation] = set()
            last[conversation] = last_ns
            if declined:
                found.add("declined")
            if revised:
                found.add("edited")
            if errors:
                found.add("error")
            if is_abandoned(created, last_ns, abandoned_before):
                found.add("abandoned")
            if in_random_share(conversation, self.random_share):
                found.add("random")
        if not reasons:
            return {}
        for conversation, kind, rating in conn.execute(
            "SELECT conversation_id, kind, rating FROM feedback WHERE conversation_id IN (SELECT value FROM"
            " json_each(?)) AND kind IN ('rating', 'edit', 'start_over') ORDER BY id",
            (json.dumps(list(reasons)),),
        ):
            found = reasons[conversation]
            if kind == "edit":
                found.add("edited")
            if kind == "start_over":
                found.add("started_over")
            if kind == "rating":
                # The latest rating counts: a thumbs-down taken back is no reason.
                (found.add if rating < 0 else found.discard)("thumbs_down")
        for conversation in failing_conversations(conn, reasons.keys(), window.start_ns):
            reasons[conversation].add("check_failed")
        return {c: ([r for r in ORDER if r in found], last[c]) for c, found in reasons.items() if found}

    def sample(self, window: Window) -> int:
        """Queue the window's doubtful conversations not queued before; returns how many were added."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.store.lock, self.store.connect() as conn:
            found = self._candidates(conn, window, unqueued=True)
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO review_queue VALUES (?, ?, ?, ?)",
                [(c, json.dumps(r), now, last) for c, (r, last) in found.items()],
            )
            return conn.total_changes - before

    def items(self, *, pending: bool = True, limit: int = 200) -> list[QueueItem]:
        """The queue, most recently active first; `pending`: only conversations nobody has reviewed."""
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT q.conversation_id, q.reasons, q.queued_at, q.last_turn_ns,"
                " EXISTS(SELECT 1 FROM reviews r WHERE r.conversation_id = q.conversation_id)"
                " FROM review_queue q"
                + (
                    " WHERE NOT EXISTS(SELECT 1 FROM reviews r WHERE r.conversation_id = q.conversation_id)"
                    if pending
                    else ""
                )
                + " ORDER BY q.last_turn_ns DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [QueueItem(r[0], json.loads(r[1]), r[2], r[3], bool(r[4])) for r in rows]

    def queued(self, conversation_id: str) -> QueueItem | None:
        return next(
            (i for i in self.items(pending=False, limit=10**9) if i.conversation_id == conversation_id), None
        )

    def record(self, conversation_id: str, review: Review) -> StoredReview:
        with self.store.lock, self.store.connect() as conn:
            cursor = conn.execute(
                "INSERT INTO reviews (conversation_id, created_at, reviewer, verdict, tags, note, category,"
                " price_min, price_max) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    review.reviewer,
                    review.verdict,
                    json.dumps(review.tags),
                    review.note,
                    review.category,
                    review.price_min,
                    review.price_max,
                ),
            )
            review_id = cursor.lastrowid
        assert review_id is not None
        stored = self.review(review_id)
        assert stored is not None
        return stored

    def set_scenario(self, review_id: int, path: Path) -> None:
        with self.store.lock, self.store.connect() as conn:
            conn.execute("UPDATE reviews SET scenario = ? WHERE id = ?", (str(path), review_id))

    def set_automatic(self, review_id: int, passed: bool) -> None:
        with self.store.lock, self.store.connect() as conn:
            conn.execute(
                "UPDATE reviews SET automatic = ? WHERE id = ?", ("passed" if passed else "failed", review_id)
            )

    def _select(self, where: str = "", params: Iterable[object] = ()) -> list[StoredReview]:
        with self.store.connect() as conn:
            conn.row_factory = sqlite3.Row
            rows = conn.execute(f"SELECT * FROM reviews {where} ORDER BY id", list(params)).fetchall()
        return [StoredReview.model_validate({**dict(r), "tags": json.loads(r["tags"])}) for r in rows]

    def review(self, review_id: int) -> StoredReview | None:
        found = self._select("WHERE id = ?", (review_id,))
        return found[0] if found else None

    def reviews(self, conversation_id: str | None = None) -> list[StoredReview]:
        return (
            self._select("WHERE conversation_id = ?", (conversation_id,))
            if conversation_id
            else self._select()
        )

    def export_jsonl(self) -> Iterable[str]:
        for review in self.reviews():
            yield review.model_dump_json() + "\n"


class Agreement(BaseModel):
    """Human verdicts (good/bad) against the automatic checks on the captured scenarios (passed/failed)."""

    compared: int
    agree: int
    kappa: float | None = Field(description="Cohen's kappa; None when it is undefined (one class only)")
    disagreements: list[StoredReview]


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa for two raters' yes/no labels (here: the reviewer says good, the checks pass)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    a_yes = sum(1 for a, _ in pairs if a) / n
    b_yes = sum(1 for _, b in pairs if b) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(reviews: list[StoredReview]) -> Agreement:
    judged = [r for r in reviews if r.automatic is not None]
    pairs = [(r.verdict == "good", r.automatic == "passed") for r in judged]
    return Agreement(
        compared=len(pairs),
        agree=sum(1 for a, b in pairs if a == b),
        kappa=cohen_kappa(pairs),
        disagreements=[r for r, (a, b) in zip(judged, pairs, strict=True) if a != b],
    )
