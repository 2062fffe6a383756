"""The ops part of the local store: feedback, the review queue and reviews, experiments, online evaluation
verdicts, beside the traces and their turn index in the same SQLite file, each part under its own numbered
migrations (traces.migrations)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ops import rollups
from traces import store as trace_store
from traces.migrations import Migration, migrate
from traces.setup import store_path

PART = "ops"
LEGACY_FEEDBACK = "feedback.db"  # where feedback was kept before it joined the one store
LEGACY_COLUMNS = (
    "created_at, conversation_id, trace_id, seller_id, kind, rating, comment, field, old_value, new_value"
)


def _import_feedback(conn: sqlite3.Connection, path: Path) -> None:
    """Feedback from the separate feedback.db of earlier versions, copied in once (the old file is left)."""
    legacy = path.with_name(LEGACY_FEEDBACK)
    if legacy == path or not legacy.is_file():
        return
    old = sqlite3.connect(f"file:{legacy}?mode=ro", uri=True)
    try:
        if old.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='feedback'").fetchone():
            rows = old.execute(f"SELECT {LEGACY_COLUMNS} FROM feedback ORDER BY id").fetchall()
            conn.executemany(f"INSERT INTO feedback ({LEGACY_COLUMNS}) VALUES ({','.join('?' * 10)})", rows)
    finally:
        old.close()


MIGRATIONS = (
    Migration(
        1,
        "feedback",
        (
            """CREATE TABLE IF NOT EXISTS feedback (
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
)""",
            "CREATE INDEX IF NOT EXISTS feedback_conversation ON feedback (conversation_id)",
        ),
        _import_feedback,
    ),
    Migration(
        2,
        "feedback cause",
        (
            # What produced the conversation, so feedback counts against the model and prompt behind it.
            "ALTER TABLE feedback ADD COLUMN model TEXT",
            "ALTER TABLE feedback ADD COLUMN prompt TEXT",
            "ALTER TABLE feedback ADD COLUMN variant TEXT",
            "ALTER TABLE feedback ADD COLUMN source TEXT NOT NULL DEFAULT 'web'",
            "CREATE INDEX IF NOT EXISTS feedback_kind ON feedback (kind, conversation_id)",
        ),
    ),
    Migration(
        3,
        "review queue and reviews",
        (
            """CREATE TABLE review_queue (
    conversation_id TEXT PRIMARY KEY,
    reasons TEXT NOT NULL,           -- JSON list: thumbs_down, edited, declined, error, abandoned, random
    queued_at TEXT NOT NULL,
    last_turn_ns INTEGER NOT NULL
)""",
            "CREATE INDEX review_queue_time ON review_queue (last_turn_ns)",
            """CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    verdict TEXT NOT NULL,           -- good | bad
    tags TEXT NOT NULL,              -- JSON list of failure tags
    note TEXT,
    category TEXT,                   -- the right category (its name), when the agent's was wrong
    price_min REAL,                  -- the acceptable price range, when the agent's price was bad
    price_max REAL,
    scenario TEXT,                   -- the scenario written from it (add to eval set)
    automatic TEXT                   -- the captured scenario's verdict from the checks: passed | failed
)""",
            "CREATE INDEX reviews_conversation ON reviews (conversation_id)",
        ),
    ),
    Migration(
        4,
        "experiments",
        (
            """CREATE TABLE experiment_sellers (
    experiment TEXT NOT NULL,
    seller_id TEXT NOT NULL,
    arm TEXT NOT NULL,               -- the arm the seller was assigned to, once (sticky)
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (experiment, seller_id)
)""",
            """CREATE TABLE experiment_conversations (
    conversation_id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    arm TEXT NOT NULL,               -- the arm that served it
    variant TEXT NOT NULL,           -- that arm's variant id
    seller_id TEXT,
    started_ns INTEGER NOT NULL
)""",
            "CREATE INDEX experiment_conversations_arm ON experiment_conversations (experiment, arm)",
            """CREATE TABLE experiment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,              -- started | arm_stopped | stopped | promoted
    arm TEXT,
    detail TEXT                      -- started: the experiment as served (JSON); otherwise why
)""",
            "CREATE INDEX experiment_events_name ON experiment_events (experiment, id)",
            # Feedback counted against the arm that served the conversation.
            "ALTER TABLE feedback ADD COLUMN arm TEXT",
        ),
    ),
    Migration(
        5,
        "online evaluation verdicts",
        (
            # The latest verdict of each online check on each sampled conversation (ops/online.py).
            """CREATE TABLE online_checks (
    conversation_id TEXT NOT NULL,
    name TEXT NOT NULL,              -- the check (evaluation name), e.g. price_in_range
    passed INTEGER,                  -- 1 or 0; NULL while the evaluator has only failed (raised)
    reason TEXT,
    error TEXT,                      -- the evaluator's failure, when its latest run raised
    evaluator TEXT,                  -- the evaluator that gave it (and its version)
    turn INTEGER,                    -- the turn after which the conversation was judged
    trace_id TEXT,
    span_id TEXT,
    model TEXT,
    prompt TEXT,
    variant TEXT,
    judged_ns INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, name)
)""",
            # Covering: the monitor reads a period's verdicts from the index alone.
            "CREATE INDEX online_checks_time ON online_checks (judged_ns, conversation_id, name, passed, error)",
        ),
    ),
    Migration(
        6,
        "monitor roll-ups",
        # Kept by triggers on the turn index as turns are written (ops/rollups.py); filled from the turns
        # already stored.
        rollups.STATEMENTS,
        lambda conn, _path: rollups.backfill(conn),
    ),
    Migration(
        7,
        "abandoned: any conversation left without a listing",
        rollups.RECOUNT,
        lambda conn, _path: rollups.recount(conn),
    ),
    Migration(
        8,
        "edits per approved draft: revisions of drafts then approved only",
        (
            # Declines join the feedback rows, so a revision followed by one is told apart.
            "CREATE INDEX IF NOT EXISTS feedback_answers ON feedback (conversation_id, kind, id)",
        ),
        lambda conn, _path: rollups.rebuild(conn),
    ),
    Migration(
        9,
        "online checks that could not judge (n/a): counted apart, not as passes",
        (),
        lambda conn, _path: rollups.rebuild(conn),
    ),
)


class OpsStore:
    """The store file, migrated on open (traces' part first: ops reads the turn index)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or store_path()
        migrate(self.path, trace_store.PART, trace_store.MIGRATIONS)
        migrate(self.path, PART, MIGRATIONS)
        self.lock = threading.Lock()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        # The monitor reads a period's turns several times over: keep them in memory between the reads.
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA mmap_size = 268435456")
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()
