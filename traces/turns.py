"""The turn index: one narrow row per seller turn, written with the turn's span.

The session puts what a turn did on its span (model, prompt version, outcome, model error kind, tokens,
cost, tool calls and their errors, drafts approved, declined or revised); the store copies those
attributes into this table as it writes the span, so the monitor, the review sampler and the admin
charts aggregate columns instead of parsing span JSON. The spans stay the source: the table can be
rebuilt from them (`backfill`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

TURN_PREFIX = "chat turn"

COLUMNS = (
    "trace_id",
    "span_id",
    "conversation_id",
    "turn",
    "start_ns",
    "duration_ms",
    "model",
    "prompt",
    "variant",
    "marketplace",
    "seller_id",
    "outcome",
    "error_kind",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "model_requests",
    "tool_calls",
    "tool_errors",
    "tool_error_kinds",
    "drafts",
    "approved",
    "declined",
    "revised",
    "created",
    "price_replaced",
)

CREATE = (
    """CREATE TABLE IF NOT EXISTS turns (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    variant TEXT,
    marketplace TEXT,
    seller_id TEXT,
    outcome TEXT NOT NULL,
    error_kind TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL,
    model_requests INTEGER NOT NULL DEFAULT 0,
    tool_calls INTEGER NOT NULL DEFAULT 0,
    tool_errors INTEGER NOT NULL DEFAULT 0,
    tool_error_kinds TEXT NOT NULL DEFAULT '[]',
    drafts INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    declined INTEGER NOT NULL DEFAULT 0,
    revised INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    price_replaced INTEGER NOT NULL DEFAULT 0,
    -- Kept in time order (the monitor reads a period's turns as one run of pages), one row per span.
    PRIMARY KEY (start_ns, trace_id, span_id)
) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX IF NOT EXISTS turns_span ON turns (trace_id, span_id)",
    "CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation_id, start_ns)",
)
INSERT = f"INSERT OR REPLACE INTO turns ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def _list(value: Any) -> list[Any]:
    """A list attribute (OpenTelemetry keeps lists of plain values; logfire sends others as JSON)."""
    if isinstance(value, str) and value[:1] == "[":
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, list | tuple) else []


def _int(value: Any) -> int:
    """A count: a number as is, a list by its length."""
    if isinstance(value, bool | int | float):
        return int(value)
    return len(_list(value))


def row(
    trace_id: str, span_id: str, name: str, start_ns: int, end_ns: int, attributes: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The index row for a turn span (None for any other span)."""
    conversation = attributes.get("conversation_id")
    if not name.startswith(TURN_PREFIX) or not isinstance(conversation, str) or "outcome" not in attributes:
        return None
    cost = attributes.get("cost_usd")
    kinds = _list(attributes.get("tool_errors"))
    return (
        trace_id,
        span_id,
        conversation,
        _int(attributes.get("turn")),
        start_ns,
        (end_ns - start_ns) / 1e6,
        str(attributes.get("model", "")),
        str(attributes.get("prompt_version", "")),
        attributes.get("variant") or None,
        attributes.get("marketplace") or None,
        attributes.get("seller_id") or None,
        str(attributes.get("outcome")),
        attributes.get("error_kind") or None,
        _int(attributes.get("input_tokens")),
        _int(attributes.get("output_tokens")),
        float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
        _int(attributes.get("model_requests")),
        _int(attributes.get("tools")),
        len(kinds),
        json.dumps([str(k) for k in kinds]),
        _int(attributes.get("drafts")),
        _int(attributes.get("approved")),
        _int(attributes.get("declined")),
        _int(attributes.get("revised")),
        _int(attributes.get("created_listings")),
        _int(attributes.get("price_replaced")),
    )


def backfill(conn: sqlite3.Connection) -> int:
    """Index every turn span already in the store (a store from before the index existed)."""
    rows = []
    for trace_id, span_id, name, start_ns, end_ns, attributes in conn.execute(
        "SELECT trace_id, span_id, name, start_ns, end_ns, attributes FROM spans WHERE name LIKE 'chat turn%'"
    ):
        found = row(trace_id, span_id, name, start_ns, end_ns, json.loads(attributes))
        if found is not None:
            rows.append(found)
    conn.executemany(INSERT, rows)
    return len(rows)
