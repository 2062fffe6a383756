"""The monitor's query time with 100k conversations in the store (target: under a second for 24 h).

Fills a fresh store's turn index with synthetic conversations (three turns each, some errors, drafts,
listings), plus ratings, edits, reviews and online evaluation verdicts (a quarter of the conversations
judged by five checks), then times `trova monitor --since 24h` (this period and the
one before), the admin dashboard's 24 one-hour points, and the review sampler over 24 h. Two layouts:
the conversations spread over 14 days (the default retention), and all of them inside the last 24 h.

    uv run python benchmarks/monitor.py [--conversations 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ops.monitor import Monitor, Window
from ops.review import ReviewQueue
from ops.store import OpsStore
from traces import turns as turn_index

DAY_NS = 86400 * 10**9
CHECKS = ("approval", "side_effects", "category_from_lookup", "price_in_range", "errors_explained")


def fill(store: OpsStore, conversations: int, spread_days: float, seed: int = 7) -> int:
    rng = random.Random(seed)
    now = time.time_ns()
    rows, feedback, reviews, verdicts = [], [], [], []
    for c in range(conversations):
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
    with store.connect() as conn:
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
    store = OpsStore(folder / "trova.db")
    began = time.perf_counter()
    turns = fill(store, conversations, spread)
    fill_s = time.perf_counter() - began
    monitor = Monitor(store)
    day = monitor.report(86400).groups[0].current
    median, worst = timed(lambda: monitor.report(86400))
    by_median, _ = timed(lambda: monitor.report(86400, by="model"))
    chart_median, _ = timed(lambda: monitor.timeline(Window.last(86400), 24), repeat=3)
    queue = ReviewQueue(store, 0.05)
    sample_s, _ = timed(lambda: queue.sample(Window.last(86400)), repeat=1)
    size_mb = (folder / "trova.db").stat().st_size / 1e6
    print(
        f"{conversations:,} conversations ({turns:,} turns) over {spread:g} days, store "
        f"{size_mb:.0f} MB (filled in {fill_s:.1f} s); last 24 h: {day.conversations:,} conversations"
    )
    print(
        f"  trova monitor --since 24h (this day and the one before): median {median * 1000:.0f} ms, "
        f"worst {worst * 1000:.0f} ms"
    )
    print(f"  same --by model: median {by_median * 1000:.0f} ms")
    print(f"  admin dashboard's 24 hourly points: median {chart_median * 1000:.0f} ms")
    print(f"  review sampler over 24 h: {sample_s * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    for spread in (14.0, 1.0):
        with tempfile.TemporaryDirectory() as folder:
            measure(Path(folder), args.conversations, spread)


if __name__ == "__main__":
    main()
