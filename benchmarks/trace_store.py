"""Per-turn cost of tracing and the local trace store; prints its figures.

    uv run python benchmarks/trace_store.py [--turns 300]

Runs the same offline conversations (three turns each, to a created listing) with tracing off, with
logfire spans but no store, and with the SQLite store, and prints the median and mean time per turn.
The store writes in batches on the exporter's thread, so a turn should not wait for it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TROVA_HOME", tempfile.mkdtemp(prefix="trova-bench-"))

from agent.listing_agent import build_agent  # noqa: E402
from agent.offline.model import OfflineModel  # noqa: E402
from benchmarks.sessions import bench_session  # noqa: E402
from evals.isolation import MarketplaceFactory  # noqa: E402
from traces.setup import configure_tracing, disable_tracing, flush  # noqa: E402

TURNS = ("I want to sell my old Trek road bike", "good", "yes")


async def conversations(factory: MarketplaceFactory, count: int) -> list[float]:
    agent = build_agent(OfflineModel())
    per_turn: list[float] = []
    for _ in range(count):
        async with bench_session(factory, agent) as session:
            for text in TURNS:
                started = time.perf_counter()
                await session.send(text)
                per_turn.append(time.perf_counter() - started)
    return per_turn


def report(label: str, times: list[float], base: float | None) -> float:
    median = statistics.median(times)
    extra = "" if base is None else f"  (+{(median - base) * 1000:.2f} ms per turn vs. off)"
    print(
        f"   {label:34s} median {median * 1000:6.2f} ms, mean {statistics.fmean(times) * 1000:6.2f} ms{extra}"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=300, help="turns per setting (three per conversation)")
    args = parser.parse_args()
    count = max(1, args.turns // len(TURNS))
    factory = MarketplaceFactory()
    asyncio.run(conversations(factory, 3))  # warm up
    print(f"Per-turn time, offline model, {count * len(TURNS)} turns per setting")
    os.environ["TROVA_TRACES"] = "off"
    disable_tracing()
    base = report("tracing off", asyncio.run(conversations(factory, count)), None)
    configure_tracing("bench", local_store=False)
    report("spans (logfire), no local store", asyncio.run(conversations(factory, count)), base)
    os.environ["TROVA_TRACES"] = "on"
    store = configure_tracing("bench")
    started = time.perf_counter()
    times = asyncio.run(conversations(factory, count))
    report("spans + local SQLite store", times, base)
    flush_started = time.perf_counter()
    flush()
    assert store is not None
    print(
        f"   store: {len(store.conversations(limit=100000))} conversations written; the final flush took "
        f"{(time.perf_counter() - flush_started) * 1000:.0f} ms after {time.perf_counter() - started:.1f} s of turns"
    )


if __name__ == "__main__":
    main()
