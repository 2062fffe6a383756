"""One store with numbered migrations: a new store gets every part, an old store is upgraded without
losing a row (the separate traces.db and feedback.db of earlier versions are imported), a store newer than
the code is a clear error, and a failing migration leaves nothing half done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ops import store as ops_store
from ops.feedback import FeedbackStore
from ops.store import OpsStore
from traces import store as trace_store
from traces.migrations import Migration, StoreTooNew, migrate, version
from traces.store import TraceStore

OLD_SPANS = """
CREATE TABLE spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT, name TEXT NOT NULL,
 start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, status TEXT NOT NULL, status_message TEXT,
 conversation_id TEXT, attributes TEXT NOT NULL, events TEXT NOT NULL, PRIMARY KEY (trace_id, span_id));
INSERT INTO spans VALUES ('t1', 's1', NULL, 'chat turn {turn}', 1000, 2001000, 'UNSET', NULL, 'c-old',
 '{"conversation_id": "c-old", "turn": 1, "model": "offline", "prompt_version": "listing_agent@abc",
   "outcome": "created", "created_listings": [7], "drafts": "[]", "tools": ["search_categories"]}', '[]');
"""
OLD_FEEDBACK = """
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
 conversation_id TEXT NOT NULL, trace_id TEXT, seller_id TEXT, kind TEXT NOT NULL, rating INTEGER,
 comment TEXT, field TEXT, old_value TEXT, new_value TEXT);
INSERT INTO feedback (created_at, conversation_id, kind, rating, comment)
 VALUES ('2026-01-01T00:00:00+00:00', 'c-old', 'rating', -1, 'too slow');
INSERT INTO feedback (created_at, conversation_id, kind, field, old_value, new_value)
 VALUES ('2026-01-01T00:00:00+00:00', 'c-old', 'edit', 'price', '165', '150');
"""


def _make(path: Path, script: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()


def test_a_new_store_gets_every_part_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "trova.db"
    OpsStore(path)
    assert version(path, "traces") == len(trace_store.MIGRATIONS)
    assert version(path, "ops") == len(ops_store.MIGRATIONS)
    tables = {
        r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"spans", "turns", "feedback", "review_queue", "reviews", "schema_migrations"} <= tables
    OpsStore(path)  # opening again applies nothing twice
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(
        trace_store.MIGRATIONS
    ) + len(ops_store.MIGRATIONS)


def test_an_upgrade_imports_the_old_separate_files_once(tmp_path: Path) -> None:
    _make(tmp_path / "traces.db", OLD_SPANS)
    _make(tmp_path / "feedback.db", OLD_FEEDBACK)
    path = tmp_path / "trova.db"
    feedback = FeedbackStore(path)
    store = TraceStore(path)
    assert [c for c, _ in store.conversations()] == ["c-old"]
    # The old turn span is in the turn index too (backfilled), so the monitor and the sampler see it.
    row = (
        sqlite3.connect(path)
        .execute("SELECT conversation_id, outcome, created, duration_ms FROM turns")
        .fetchall()
    )
    assert row == [("c-old", "created", 1, 2.0)]
    rows = feedback.rows()
    assert [(r["kind"], r["rating"], r["field"]) for r in rows] == [
        ("rating", -1, None),
        ("edit", None, "price"),
    ]
    assert feedback.summary().thumbs_down == 1
    FeedbackStore(path)  # a second open imports nothing again
    assert len(FeedbackStore(path).rows()) == 2
    assert (tmp_path / "traces.db").is_file() and (tmp_path / "feedback.db").is_file()  # left as they were


def test_an_unversioned_store_at_the_same_path_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "trova.db"
    _make(path, OLD_SPANS)
    TraceStore(path)
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM spans").fetchone()[0] == 1
    assert version(path, "traces") == len(trace_store.MIGRATIONS)


def test_a_store_newer_than_the_code_is_a_clear_error(tmp_path: Path, trova_home: Path) -> None:
    path = trova_home / "trova.db"
    OpsStore(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES ('ops', 99, 'from the future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreTooNew, match=r"newer version of Trova \(ops schema 99"):
        OpsStore(path)
    result = CliRunner().invoke(cli, ["monitor"])
    assert result.exit_code == 2 and "newer version of Trova" in result.output


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.db"

    def boom(conn: sqlite3.Connection, _: Path) -> None:
        raise RuntimeError("disk on fire")

    steps = (
        Migration(1, "one", ("CREATE TABLE one (x)",)),
        Migration(2, "two", ("CREATE TABLE two (x)",), boom),
    )
    with pytest.raises(RuntimeError, match="disk on fire"):
        migrate(path, "test", steps)
    tables = {
        r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert "one" in tables and "two" not in tables
    assert version(path, "test") == 1
    assert migrate(path, "test", steps[:1]) == []
    with pytest.raises(ValueError, match=r"numbered 1\.\.n"):
        migrate(path, "test", (steps[1],))


def test_an_old_store_gets_the_variant_index_and_label_lookups_use_it(tmp_path: Path) -> None:
    # A store migrated before the variant index existed (traces at schema 2) gains it on the next open,
    # and a variant's label (its latest turn) is then found through it rather than by reading every turn.
    path = tmp_path / "trova.db"
    _make(path, OLD_SPANS)
    migrate(path, trace_store.PART, trace_store.MIGRATIONS[:2])
    conn = sqlite3.connect(path)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert "turns_variant" not in indexes and version(path, "traces") == 2
    TraceStore(path)
    assert version(path, "traces") == len(trace_store.MIGRATIONS)
    conn = sqlite3.connect(path)
    columns = [r[2] for r in conn.execute("PRAGMA index_info('turns_variant')")]
    plan = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT trace_id FROM turns WHERE variant = ? ORDER BY start_ns DESC LIMIT 1",
            ("v1",),
        )
    )
    conn.close()
    assert columns == ["variant", "start_ns"]
    assert "turns_variant" in plan
