"""Numbered migrations for the local store (one SQLite file holds traces, feedback and reviews).

Each part of the store (`traces`, `ops`) keeps its own numbered list; the applied ones are recorded in
`schema_migrations`, one row per part and number, so a part's code only ever applies its own and an
upgrade moves a store forward without losing a row. A store that has a migration this code does not
know was written by a newer Trova: opening it is a clear error, never a silent downgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TABLE = "schema_migrations"


class StoreTooNew(RuntimeError):
    """The store was migrated by a newer version of Trova than this one."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    statements: tuple[str, ...] = ()
    # Data moves that SQL alone can't say (backfills, imports from an older file); runs after the statements.
    run: Callable[[sqlite3.Connection, Path], object] | None = None


def _check_numbers(part: str, migrations: Sequence[Migration]) -> None:
    numbers = [m.number for m in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"{part} migrations must be numbered 1..n in order, got {numbers}")


def applied(conn: sqlite3.Connection, part: str) -> list[int]:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (part TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL, PRIMARY KEY (part, number))"
    )
    return [r[0] for r in conn.execute(f"SELECT number FROM {TABLE} WHERE part = ? ORDER BY number", (part,))]


def migrate(path: Path, part: str, migrations: Sequence[Migration]) -> list[int]:
    """Apply `part`'s migrations that `path` lacks, each in its own transaction, under SQLite's write
    lock (two processes opening a new store at once apply each migration once). Returns those applied."""
    _check_numbers(part, migrations)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    done: list[int] = []
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        known = len(migrations)
        have = applied(conn, part)
        if have and max(have) > known:
            raise StoreTooNew(
                f"{path} was written by a newer version of Trova ({part} schema {max(have)}, this version "
                f"knows up to {known}). Upgrade Trova, or point TROVA_HOME at another folder."
            )
        if len(have) == known:
            return done
        for migration in migrations:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if migration.number in applied(conn, part):
                    conn.execute("COMMIT")
                    continue
                for statement in migration.statements:
                    conn.execute(statement)
                if migration.run is not None:
                    migration.run(conn, path)
                conn.execute(
                    f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)",
                    (part, migration.number, migration.name, datetime.now(UTC).isoformat(timespec="seconds")),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            done.append(migration.number)
        return done
    finally:
        conn.close()


def version(path: Path, part: str) -> int:
    """The newest migration of `part` applied to the store at `path` (0: none, or no store)."""
    if not path.is_file():
        return 0
    conn = sqlite3.connect(path, timeout=30)
    try:
        have = applied(conn, part)
    finally:
        conn.close()
    return max(have, default=0)
