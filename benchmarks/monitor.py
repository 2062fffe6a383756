"""The monitor's query time with 100k conversations in the store (target: under a second for 24 h).

Fills a store from before the monitor's roll-ups (ops schema 5) with synthetic conversations (three turns
each, some errors, drafts, listings), plus ratings, reviews and online evaluation verdicts (a quarter of the
conversations judged by five checks), upgrades it (the roll-ups are backfilled), then times
`trova monitor --since 24h` (this period and the one before), the admin dashboard's 24 one-hour points, and
the review sampler over 24 h; and what the roll-ups' triggers add to writing turns. Two layouts: the
conversations spread over 14 days (the default retention), and all of them inside the last 24 h.

    uv run python benchmarks/monitor.py [--conversations 100000] [--layout spread|day|both]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ops import store as ops_store
from ops.monitor import Monitor, Window
from ops.review import ReviewQueue
from ops.store import OpsStore
from traces import store as trace_store
from traces import turns as turn_index
from traces.migrations import migrate

DAY_NS = 86400 * 10**9
CHECKS = ("approval", "side_effects", "category_from_lookup", "price_in_range", "errors_explained")


def fill(path: Path, conversations: int, spread_days: float, seed: int = 7, first: int = 0) -> int:
    rng = random.Random(seed)
    now = time.time_ns()
    rows, feedback, reviews, verdicts = [], [], [], []
    for c in range(first, first + conversations):
        cid = f"c{c:07d}"
        start = now - int(rng.random() * spread_days * DAY_NS)
        model = rng.choice(("offline", "openai:gpt-4o-mini"))
        created = rng.random() < 0.6
        for turn in (1, 2, 3):
            error = "rate_limited" if rng.random() < 0.02 else None
            tool_errors = ["compare_prices:unavailable"] if rng.random() < 0.01 else []
            outcome = "created" if created and turn == 3 else "awaiting_approval" if turn == 2 else "replied"
            values = {
                "trace_id": f"{c:028x}{turn:04x}",
                "span_id": f"{turn:016x}",
                "conversation_id": cid,
                "turn": turn,
                "start_ns": start + turn * 20 * 10**9,
                "duration_ms": rng.lognormvariate(0, 0.6) * 1000,
                "model": model,
                "prompt": "listing_agent@0123456789ab",
                "variant": None,
                "marketplace": "web",
                "seller_id": f"s{c}",
                "outcome": outcome,
                "error_kind": error,
                "input_tokens": rng.randint(500, 3000),
                "output_tokens": rng.randint(50, 400),
                "cost_usd": None if model == "offline" else rng.random() / 1000,
                "model_requests": 2,
                "tool_calls": 1,
                "tool_errors": len(tool_errors),
                "tool_error_kinds": json.dumps(tool_errors),
                "drafts": int(turn == 2),
                "approved": int(created and turn == 3),
                "declined": int(not created and turn == 3),
                "revised": 0,
                "created": int(created and turn == 3),
                "price_replaced": 0,
            }
            rows.append([values[k] for k in turn_index.COLUMNS])
        if rng.random() < 0.1:
            feedback.append(("2026-01-01", cid, "rating", rng.choice((1, -1))))
        if rng.random() < 0.01:
            reviews.append((cid, "2026-01-01", "bench", "bad", '["bad_price"]'))
        if rng.random() < 0.25:
            for name in CHECKS:
                verdicts.append((cid, name, int(rng.random() > 0.03), start + 60 * 10**9, model))
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(turn_index.INSERT, rows)
        conn.executemany(
            "INSERT INTO feedback (created_at, conversation_id, kind, rating) VALUES (?,?,?,?)", feedback
        )
        conn.executemany(
            "INSERT INTO reviews (conversation_id, created_at, reviewer, verdict, tags) VALUES (?,?,?,?,?)",
            reviews,
        )
        conn.executemany(
            "INSERT INTO online_checks (conversation_id, name, passed, judged_ns, model) VALUES (?,?,?,?,?)",
            verdicts,
        )
    conn.close()
    return len(rows)


def timed(action: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Median and worst seconds over `repeat` runs (after one warm-up run)."""
    action()
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs), max(runs)


def measure(folder: Path, conversations: int, spread: float) -> None:
    path = folder / "trova.db"
    # A store from before the roll-ups, filled, then upgraded as an existing user's would be.
    migrate(path, trace_store.PART, trace_store.MIGRATIONS)
    migrate(path, ops_store.PART, ops_store.MIGRATIONS[:5])
    began = time.perf_counter()
    turns = fill(path, conversations, spread)
    fill_s = time.perf_counter() - began
    write_before = _write(path, conversations)
    began = time.perf_counter()
    store = OpsStore(path)
    upgrade_s = time.perf_counter() - began
    monitor = Monitor(store)
    day = monitor.report(86400).groups[0].current
    median, worst = timed(lambda: monitor.report(86400))
    by_median, _ = timed(lambda: monitor.report(86400, by="model"))
    chart_median, _ = timed(lambda: monitor.timeline(Window.last(86400), 24), repeat=3)
    queue = ReviewQueue(store, 0.05)
    began = time.perf_counter()
    queued = queue.sample(Window.last(86400))
    first_sample_s = time.perf_counter() - began
    sample_s, _ = timed(lambda: queue.sample(Window.last(86400)), repeat=3)
    size_mb = path.stat().st_size / 1e6
    write_after = _write(path, conversations + 1000)
    print(
        f"{conversations:,} conversations ({turns:,} turns) over {spread:g} days, store "
        f"{size_mb:.0f} MB (filled in {fill_s:.1f} s, upgraded with the roll-ups' backfill in {upgrade_s:.1f} s);"
        f" last 24 h: {day.conversations:,} conversations (with 1,000 written to time the writes);"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  trova monitor --since 24h (this day and the one before): median {median * 1000:.0f} ms, "
        f"worst {worst * 1000:.0f} ms"
    )
    print(f"  same --by model: median {by_median * 1000:.0f} ms")
    print(f"  admin dashboard's 24 hourly points: median {chart_median * 1000:.0f} ms")
    print(
        f"  review sampler over 24 h: {first_sample_s * 1000:.0f} ms the first time (queues {queued:,}),"
        f" then median {sample_s * 1000:.0f} ms (each conversation is queued once)"
    )
    print(
        f"  writing 3,000 turns (1,000 conversations) in one transaction: {write_before * 1000:.0f} ms before"
        f" the roll-ups, {write_after * 1000:.0f} ms with their triggers"
    )


def _write(path: Path, first: int) -> float:
    """Seconds to write 1,000 more conversations' turns (with their feedback and verdicts)."""
    began = time.perf_counter()
    fill(path, 1000, 1.0, seed=first, first=first)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument(
        "--layout",
        choices=("spread", "day", "both"),
        default="both",
        help="spread: over 14 days; day: all inside the last 24 h; both (default)",
    )
    args = parser.parse_args()
    spreads = {"spread": [14.0], "day": [1.0], "both": [14.0, 1.0]}[args.layout]
    for spread in spreads:
        with tempfile.TemporaryDirectory() as folder:
            measure(Path(folder), args.conversations, spread)


if __name__ == "__main__":
    main()
