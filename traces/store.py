"""The local trace store: every finished span, in SQLite under the data directory.

Spans arrive from OpenTelemetry's BatchSpanProcessor, in batches, on its worker thread: a turn never
waits for a write. Old spans are dropped after the retention period (`TROVA_TRACE_RETENTION_DAYS`),
checked again every ten minutes in a long-running process.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import StatusCode

from settings.environment import current
from traces import turns
from traces.migrations import Migration, migrate
from traces.redact import redact

logger = logging.getLogger(__name__)
PRUNE_EVERY_S = 600.0  # how often a long-running process applies the retention and the size cap again
LEGACY_FILE = "traces.db"  # where spans were kept before the store held feedback and reviews too
PART = "traces"


def _import_legacy(conn: sqlite3.Connection, path: Path) -> None:
    """Spans from the separate traces.db of earlier versions, copied in once (the old file is left)."""
    legacy = path.with_name(LEGACY_FILE)
    if legacy == path or not legacy.is_file():
        return
    old = sqlite3.connect(f"file:{legacy}?mode=ro", uri=True)
    try:
        if old.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='spans'").fetchone():
            rows = old.execute("SELECT * FROM spans")
            while batch := rows.fetchmany(1000):
                conn.executemany("INSERT OR IGNORE INTO spans VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
    finally:
        old.close()


MIGRATIONS = (
    Migration(
        1,
        "spans",
        (
            # IF NOT EXISTS: a store from before migrations (the same table, unversioned) is adopted as is.
            """CREATE TABLE IF NOT EXISTS spans (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT,
    conversation_id TEXT,
    attributes TEXT NOT NULL,
    events TEXT NOT NULL,
    PRIMARY KEY (trace_id, span_id)
)""",
            "CREATE INDEX IF NOT EXISTS spans_conversation ON spans (conversation_id, start_ns)",
            "CREATE INDEX IF NOT EXISTS spans_start ON spans (start_ns)",
            "CREATE INDEX IF NOT EXISTS spans_parent ON spans (trace_id, parent_id)",
        ),
        _import_legacy,
    ),
    Migration(2, "turn index", turns.CREATE, lambda conn, _path: turns.backfill(conn)),
    # A variant's label (variant_specs: its latest turn) and the per-variant figures look turns up by
    # variant: without this each lookup read the whole turn index.
    Migration(
        3,
        "turn index by variant",
        ("CREATE INDEX IF NOT EXISTS turns_variant ON turns (variant, start_ns)",),
    ),
)
# Attributes that tie a span to a conversation (ours on turn and eval spans; pydantic-ai's on agent spans).
CONVERSATION_KEYS = ("conversation_id", "gen_ai.conversation.id")


def retention_days() -> float:
    """`TROVA_TRACE_RETENTION_DAYS` (a bad value is a SettingError naming it: nothing is pruned by it)."""
    return current().trace_retention_days


def max_megabytes() -> float:
    """`TROVA_TRACE_MAX_MB`."""
    return current().trace_max_mb


def parse_json_attr(value: Any) -> Any:
    """An attribute that OpenTelemetry stored as a JSON string (lists, dicts), back as data."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _like_prefix(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') for strings that begin with `text`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def read_variant_specs(conn: sqlite3.Connection, variant_ids: Iterable[str]) -> dict[str, str]:
    """Each variant id's spec, from the latest turn it served (through the turn index's variant index), on
    a connection to the store (the ops part reads it on its own); ids no stored turn knows are left out."""
    specs: dict[str, str] = {}
    for variant in dict.fromkeys(variant_ids):
        found = conn.execute(
            "SELECT s.attributes FROM turns t JOIN spans s ON s.trace_id = t.trace_id AND "
            "s.span_id = t.span_id WHERE t.variant = ? ORDER BY t.start_ns DESC LIMIT 1",
            (variant,),
        ).fetchone()
        detail = parse_json_attr(json.loads(found[0]).get("variant_detail")) if found else None
        if isinstance(detail, dict) and isinstance(detail.get("spec"), str):
            specs[variant] = detail["spec"]
    return specs


@dataclass
class StoredSpan:
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ns: int
    end_ns: int
    status: str
    status_message: str | None
    conversation_id: str | None
    attributes: dict[str, Any]
    events: list[dict[str, Any]]
    children: list[StoredSpan] = field(default_factory=list)

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    def attr(self, key: str, default: Any = None) -> Any:
        return parse_json_attr(self.attributes.get(key, default))


class TraceStore:
    """Reads and writes the SQLite file; safe to share between the exporter thread and readers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        migrate(path, PART, MIGRATIONS)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            yield conn
            conn.commit()
        finally:
            conn.close()

    def write(self, spans: Sequence[ReadableSpan]) -> int:
        rows, turn_rows = [], []
        for span in spans:
            attributes = {k: _plain(v) for k, v in (span.attributes or {}).items()}
            if attributes.get("logfire.span_type") == "pending_span":
                continue  # logfire's placeholder for a span still open; the real one comes later
            conversation = next(
                (attributes[k] for k in CONVERSATION_KEYS if isinstance(attributes.get(k), str)), None
            )
            events = [
                {
                    "name": e.name,
                    "time_ns": e.timestamp,
                    "attributes": {k: _plain(v) for k, v in (e.attributes or {}).items()},
                }
                for e in span.events
            ]
            context = span.context
            assert context is not None
            trace_id, span_id = _hex(context.trace_id, 32), _hex(context.span_id, 16)
            start, end = span.start_time or 0, span.end_time or span.start_time or 0
            turn = turns.row(trace_id, span_id, span.name, start, end, attributes)
            if turn is not None:
                turn_rows.append(turn)
            rows.append(
                (
                    trace_id,
                    span_id,
                    _hex(span.parent.span_id, 16) if span.parent else None,
                    span.name,
                    start,
                    end,
                    span.status.status_code.name,
                    redact(span.status.description or "") or None,
                    conversation,
                    redact(json.dumps(attributes, default=str)),
                    redact(json.dumps(events, default=str)),
                )
            )
        if rows:
            with self._lock, self._connect() as conn:
                conn.executemany("INSERT OR REPLACE INTO spans VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                conn.executemany(turns.INSERT, turn_rows)
        return len(rows)

    def prune(self, days: float | None = None, max_mb: float | None = None) -> int:
        """Drop whole conversations, with every trace they are in, and whole traces of no conversation:
        those whose last span is older than the retention, then the least recently active ones while
        the data is over the size cap (freed pages are reused, so the file stops growing rather than
        shrinking). A conversation is kept whole or not at all; a resumed one never loses its first
        turns. Returns the number of spans dropped."""
        days = days if days is not None else retention_days()
        max_mb = max_mb if max_mb is not None else max_megabytes()
        if not (days > 0 and max_mb > 0):
            raise ValueError(f"retention {days} days and cap {max_mb} MB must be positive")
        cutoff = time.time_ns() - int(days * 86400e9)
        cap = max_mb * 1024 * 1024
        with self._lock, self._connect() as conn:
            groups = self._groups(conn)
            old = sum(1 for last, _ in groups if last < cutoff)
            dropped = self._delete(conn, [t for _, traces in groups[:old] for t in traces])
            groups = groups[old:]
            while groups and self._used_bytes(conn) > cap:
                batch, groups = groups[: max(1, len(groups) // 10)], groups[max(1, len(groups) // 10) :]
                dropped += self._delete(conn, [t for _, traces in batch for t in traces])
            return dropped

    @staticmethod
    def _groups(conn: sqlite3.Connection) -> list[tuple[int, list[str]]]:
        """The traces, grouped so that all the traces of a conversation are in one group (a trace that
        holds two conversations joins them), each group with the start of its last span, oldest first."""
        last: dict[str, int] = dict(
            conn.execute("SELECT trace_id, MAX(start_ns) FROM spans GROUP BY trace_id")
        )
        parent = {trace: trace for trace in last}

        def root(trace: str) -> str:
            while parent[trace] != trace:
                parent[trace] = parent[parent[trace]]
                trace = parent[trace]
            return trace

        first_trace: dict[str, str] = {}
        for trace, conversation in conn.execute(
            "SELECT DISTINCT trace_id, conversation_id FROM spans WHERE conversation_id IS NOT NULL"
        ):
            parent[root(trace)] = root(first_trace.setdefault(conversation, trace))
        groups: dict[str, list[str]] = {}
        for trace in last:
            groups.setdefault(root(trace), []).append(trace)
        return sorted(
            ((max(last[t] for t in traces), traces) for traces in groups.values()), key=lambda g: g[0]
        )

    @staticmethod
    def _delete(conn: sqlite3.Connection, trace_ids: list[str]) -> int:
        dropped = 0
        for at in range(0, len(trace_ids), 500):  # well under SQLite's limit on bound parameters
            chunk = trace_ids[at : at + 500]
            marks = ",".join("?" * len(chunk))
            dropped += conn.execute(f"DELETE FROM spans WHERE trace_id IN ({marks})", chunk).rowcount
            conn.execute(f"DELETE FROM turns WHERE trace_id IN ({marks})", chunk)
        return dropped

    @staticmethod
    def _used_bytes(conn: sqlite3.Connection) -> int:
        pages = (
            conn.execute("PRAGMA page_count").fetchone()[0]
            - conn.execute("PRAGMA freelist_count").fetchone()[0]
        )
        return int(pages * conn.execute("PRAGMA page_size").fetchone()[0])

    def _rows(self, where: str, params: Sequence[Any]) -> list[StoredSpan]:
        with self._connect() as conn:
            rows = conn.execute(f"SELECT * FROM spans WHERE {where} ORDER BY start_ns", params).fetchall()
        return [
            StoredSpan(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9]), json.loads(r[10])
            )
            for r in rows
        ]

    def variant_specs(self, variant_ids: Sequence[str]) -> dict[str, str]:
        """Each variant id's spec (the model, prompt and settings that name it again), from the latest turn
        it served; ids no stored turn knows are left out."""
        with self._connect() as conn:
            return read_variant_specs(conn, variant_ids)

    def trace(self, trace_id: str) -> list[StoredSpan]:
        return self._rows("trace_id = ?", (trace_id,))

    def conversation_traces(self, conversation_id: str) -> list[str]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT trace_id, MIN(start_ns) FROM spans WHERE conversation_id = ? GROUP BY trace_id ORDER BY 2",
                (conversation_id,),
            ).fetchall()
        return [r[0] for r in rows]

    def conversation_spans(self, conversation_id: str) -> list[StoredSpan]:
        """The spans tagged with this conversation and everything under them, and nothing else: a
        trace can hold other conversations too (an evaluation's shared trace holds every verdict)."""
        return self._rows(
            "(trace_id, span_id) IN (WITH RECURSIVE own(trace_id, span_id) AS ("
            " SELECT trace_id, span_id FROM spans WHERE conversation_id = ?"
            " UNION SELECT s.trace_id, s.span_id FROM spans s"
            " JOIN own o ON s.trace_id = o.trace_id AND s.parent_id = o.span_id)"
            " SELECT trace_id, span_id FROM own)",
            (conversation_id,),
        )

    def first_conversation(self, trace_ids: Sequence[str]) -> str | None:
        """The first conversation recorded in these traces, if any."""
        marks = ",".join("?" * len(trace_ids))
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT conversation_id FROM spans WHERE trace_id IN ({marks}) AND conversation_id IS NOT NULL "
                "ORDER BY start_ns LIMIT 1",
                list(trace_ids),
            ).fetchone()
        return row[0] if row else None

    def spans_of(self, trace_ids: Sequence[str]) -> list[StoredSpan]:
        if not trace_ids:
            return []
        marks = ",".join("?" * len(trace_ids))
        return self._rows(f"trace_id IN ({marks})", list(trace_ids))

    def conversations(self, limit: int = 20, offset: int = 0, prefix: str = "") -> list[tuple[str, int]]:
        """Recent conversation ids (optionally only those starting with `prefix`), newest first, with
        when they started."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT conversation_id, MIN(start_ns) AS s FROM spans WHERE conversation_id LIKE ? ESCAPE '\\' "
                "GROUP BY conversation_id ORDER BY MAX(start_ns) DESC LIMIT ? OFFSET ?",
                (_like_prefix(prefix), limit, offset),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def conversation_named(self, ident: str, *, prefix: bool = True) -> str | None:
        """The conversation id `ident` is, or (with `prefix`) the one it begins; None if there is none.
        An ambiguous prefix is a LookupError that names some of the candidates."""
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM spans WHERE conversation_id = ? LIMIT 1", (ident,)).fetchone():
                return ident
            if not prefix:
                return None
            convs = conn.execute(
                "SELECT DISTINCT conversation_id FROM spans WHERE conversation_id LIKE ? ESCAPE '\\' LIMIT 6",
                (_like_prefix(ident),),
            ).fetchall()
        if len(convs) > 1:
            shown = ", ".join(c[0] for c in convs[:5])
            raise LookupError(f"{ident!r} matches more than one conversation: {shown}")
        return convs[0][0] if convs else None

    def resolve(self, ident: str) -> list[str]:
        """Trace ids for a conversation id, a trace id, or an unambiguous prefix of either (in that order)."""
        conversation = self.conversation_named(ident, prefix=False)
        if conversation:
            return self.conversation_traces(conversation)
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM spans WHERE trace_id = ? LIMIT 1", (ident,)).fetchone():
                return [ident]
        conversation = self.conversation_named(ident)
        if conversation:
            return self.conversation_traces(conversation)
        with self._connect() as conn:
            tids = conn.execute(
                "SELECT DISTINCT trace_id FROM spans WHERE trace_id LIKE ? ESCAPE '\\' LIMIT 2",
                (_like_prefix(ident),),
            ).fetchall()
        if len(tids) > 1:
            raise LookupError(f"{ident!r} matches more than one trace; give more of the id")
        return [tids[0][0]] if tids else []

    def all_text(self) -> str:
        """Everything stored, as text (for checks that nothing secret got in)."""
        with self._connect() as conn:
            return "\n".join(" ".join(str(c) for c in row) for row in conn.execute("SELECT * FROM spans"))


class SQLiteSpanExporter(SpanExporter):
    """Writes each batch to the store; with `prune`, also applies the retention and the size cap at the
    first export and again at the first export `prune_every_s` seconds after the last pruning, so a
    long-running server keeps to them. Exports run on the batch processor's thread, off the hot path."""

    def __init__(
        self,
        store: TraceStore,
        *,
        prune: bool = True,
        prune_every_s: float = PRUNE_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._prune = prune
        self._prune_every_s = prune_every_s
        self._clock = clock
        self._last_prune: float | None = None
        # Read once, here (where tracing is configured), so a bad value is reported at start-up.
        self._days, self._max_mb = (retention_days(), max_megabytes()) if prune else (0.0, 0.0)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            now = self._clock()
            if self._prune and (self._last_prune is None or now - self._last_prune >= self._prune_every_s):
                self._last_prune = now
                self.store.prune(self._days, self._max_mb)
            self.store.write(spans)
        except sqlite3.Error:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def status_of(span: StoredSpan) -> str:
    return "error" if span.status == StatusCode.ERROR.name else "ok"
