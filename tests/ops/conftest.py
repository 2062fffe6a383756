"""Helpers for the ops tests: a store, and turns written straight into its index."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from ops.store import OpsStore
from traces import turns as turn_index

NOW = time.time_ns()
MINUTE = 60 * 10**9


@pytest.fixture
def ops(tmp_path: Path) -> OpsStore:
    return OpsStore(tmp_path / "trova.db")


def add_turn(store: OpsStore, conversation: str, turn: int = 1, *, ago_min: float = 5, **values: Any) -> None:
    """One turn in the index, `ago_min` minutes ago; any column can be given."""
    row: dict[str, Any] = {
        "trace_id": f"t-{conversation}-{turn}",
        "span_id": f"s{turn}",
        "conversation_id": conversation,
        "turn": turn,
        "start_ns": NOW - int(ago_min * MINUTE),
        "duration_ms": 1000.0,
        "model": "offline",
        "prompt": "listing_agent@v1",
        "variant": None,
        "marketplace": "web",
        "seller_id": "s",
        "outcome": "replied",
        "error_kind": None,
        "input_tokens": 100,
        "output_tokens": 50,
        "cost_usd": None,
        "model_requests": 1,
        "tool_calls": 1,
        "tool_errors": 0,
        "tool_error_kinds": "[]",
        "drafts": 0,
        "approved": 0,
        "declined": 0,
        "revised": 0,
        "created": 0,
        "price_replaced": 0,
        **values,
    }
    if isinstance(row["tool_error_kinds"], list):
        row["tool_error_kinds"] = json.dumps(row["tool_error_kinds"])
    with store.connect() as conn:
        conn.execute(turn_index.INSERT, [row[c] for c in turn_index.COLUMNS])
