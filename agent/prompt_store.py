"""The run store's prompt versions: the text of every prompt version ever evaluated, chatted with or served,
kept under `$TROVA_HOME`, so an old version can be shown and compared after its file changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from agent.storage import data_dir

Use = Literal["chat", "eval", "serve", "label"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS prompt_versions (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    text TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_used TEXT NOT NULL,
    uses TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (name, version)
)
"""


@dataclass(frozen=True)
class StoredPrompt:
    name: str
    version: str
    text: str
    first_seen: datetime
    last_used: datetime
    uses: tuple[str, ...]


class PromptStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "prompts.db"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute(_SCHEMA)
            with db:  # one transaction
                yield db

    def remember(self, name: str, version: str, text: str, use: Use) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            row = db.execute(
                "SELECT uses FROM prompt_versions WHERE name = ? AND version = ?", (name, version)
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO prompt_versions VALUES (?, ?, ?, ?, ?, ?)",
                    (name, version, text, now, now, use),
                )
            else:
                uses = sorted({*filter(None, str(row[0]).split(",")), use})
                db.execute(
                    "UPDATE prompt_versions SET last_used = ?, uses = ? WHERE name = ? AND version = ?",
                    (now, ",".join(uses), name, version),
                )

    def versions(self, name: str | None = None) -> list[StoredPrompt]:
        """Newest use first."""
        if not self.path.is_file():
            return []
        query = "SELECT name, version, text, first_seen, last_used, uses FROM prompt_versions"
        args: tuple[str, ...] = ()
        if name is not None:
            query, args = query + " WHERE name = ?", (name,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY last_used DESC", args).fetchall()
        return [
            StoredPrompt(
                name=r[0],
                version=r[1],
                text=r[2],
                first_seen=datetime.fromisoformat(r[3]),
                last_used=datetime.fromisoformat(r[4]),
                uses=tuple(u for u in str(r[5]).split(",") if u),
            )
            for r in rows
        ]
