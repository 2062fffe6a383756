"""What online evaluation costs a seller's turn, and what it costs in the background; prints its figures.

    uv run python benchmarks/online_eval.py [--turns 300]

Runs the same offline conversations (three turns each, to a created listing) with no online evaluation
and with every conversation judged (rate 1, verdicts into the local store), and prints the time per turn
as the seller waits for it: the checks run after the turn returns, so the difference is the capability's
own work on the turn's path (sampling, the span tree pydantic-evals records, attaching the conversation).
Then the background work per judged turn: building the run record from the messages, the five checks,
and writing the verdicts.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TROVA_HOME", tempfile.mkdtemp(prefix="trova-bench-"))
os.environ["TROVA_TRACES"] = "off"  # the turn's own cost, without the trace store's

from pydantic_evals.online import wait_for_evaluations  # noqa: E402

from agent.listing_agent import ListingAgent, build_agent  # noqa: E402
from agent.offline.model import OfflineModel  # noqa: E402
from agent.session import ChatSession  # noqa: E402
from benchmarks.sessions import bench_session  # noqa: E402
from cli.online import online_capabilities  # noqa: E402
from evals.invariants import INVARIANTS  # noqa: E402
from evals.isolation import MarketplaceFactory  # noqa: E402
from evals.online import conversation_record  # noqa: E402
from ops.online import OnlineVerdicts, Verdict  # noqa: E402
from ops.store import OpsStore  # noqa: E402

TURNS = ("I want to sell my old Trek road bike", "good", "yes")


async def conversation(
    factory: MarketplaceFactory, agent: ListingAgent, per_turn: list[float], after: list[float]
) -> ChatSession:
    """One conversation: each turn's time as the seller waits, and the background evaluation it left
    behind (waited for after the turn, so the two are measured apart)."""
    async with bench_session(factory, agent) as session:
        for text in TURNS:
            started = time.perf_counter()
            await session.send(text)
            done = time.perf_counter()
            await wait_for_evaluations()
            per_turn.append(done - started)
            after.append(time.perf_counter() - done)
    return session


async def alternating(
    factory: MarketplaceFactory, count: int
) -> tuple[list[float], list[float], list[float], list[ChatSession]]:
    """Conversations without and with online evaluation in turn, so both see the same machine load."""
    plain = build_agent(OfflineModel())
    judged = build_agent(OfflineModel(), capabilities=online_capabilities(1.0))
    off: list[float] = []
    on: list[float] = []
    after: list[float] = []
    sessions = []
    for _ in range(count):
        await conversation(factory, plain, off, [])
        sessions.append(await conversation(factory, judged, on, after))
    return off, on, after, sessions


def background(sessions: list[ChatSession]) -> tuple[list[float], list[float]]:
    """Per judged turn: the record and the checks; and the store write of its verdicts."""
    judge, write = [], []
    verdicts = OnlineVerdicts(OpsStore())
    for session in sessions:
        messages = session.messages()
        started = time.perf_counter()
        record = conversation_record(messages, conversation_id=session.id, model="offline")
        found: list[Any] = [check(record) for check in INVARIANTS.values()]
        judge.append(time.perf_counter() - started)
        rows = [
            Verdict(session.id, r.name, getattr(r, "passed", None), r.reason) for r in found if r is not None
        ]
        started = time.perf_counter()
        verdicts.record(rows)
        write.append(time.perf_counter() - started)
    return judge, write


def ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:6.2f} ms, mean {statistics.fmean(values) * 1000:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=300, help="turns per setting (three per conversation)")
    args = parser.parse_args()
    count = max(1, args.turns // len(TURNS))
    factory = MarketplaceFactory()
    asyncio.run(alternating(factory, 3))  # warm up
    print(f"Per-turn time as the seller waits, offline model, {count * len(TURNS)} turns per setting")
    off, on, after, sessions = asyncio.run(alternating(factory, count))
    print(f"   no online evaluation        {ms(off)}")
    print(
        f"   every conversation judged   {ms(on)}  "
        f"({(statistics.median(on) - statistics.median(off)) * 1000:+.2f} ms per turn)"
    )
    print("Background work per judged turn, after the turn has returned")
    print(f"   all of it (pydantic-evals)  {ms(after)}")
    judge, write = background(sessions)
    print(f"   run record and five checks  {ms(judge)}  (a whole three-turn conversation)")
    print(f"   verdicts into the store     {ms(write)}")


if __name__ == "__main__":
    main()
