"""An A/B experiment on simulated traffic: how many conversations until the report detects the worse arm,
and what assignment and recording cost per turn.

Simulated sellers from the scenario set talk to the real site in-process (tests/ops/experiment_traffic.py),
split 50/50 between a careful lister (A, the control) and one that skips the price comparison in a share of
its conversations and guesses a price (B). After every batch the experiment report is read from the store;
the run stops when it calls B worse than A (an interval that excludes no difference, on enough
conversations per arm), and prints which figures said so.

Then the overhead: the same conversations through the site with and without the experiment (turn time
each way, best of rounds), and `LiveExperiment.serve` alone (assignment and its records in the store).

    uv run python benchmarks/experiment.py [--skip-share 0.5] [--batch 20] [--max 600] [--min-per-arm 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pydantic_ai.models

pydantic_ai.models.ALLOW_MODEL_REQUESTS = False


def seeded_database(folder: Path) -> str:
    from marketplace.db import make_engine
    from marketplace.seeding import ensure_seeded

    path = folder / "marketplace.db"
    engine = make_engine(f"sqlite:///{path}")
    ensure_seeded(engine)
    engine.dispose()
    return f"sqlite:///{path}"


async def detect(args: argparse.Namespace, folder: Path) -> None:
    from ops.experiment_report import experiment_report
    from ops.experiments import Experiment
    from tests.ops.experiment_traffic import Lister, Traffic, experiment_site, served_arm, sim_sellers
    from traces.setup import flush

    experiment = Experiment.model_validate(
        {
            "name": "skip-comparison",
            "control": "A",
            "arms": {"A": {"variant": "offline"}, "B": {"variant": "offline,temperature=0.5"}},
            "min_conversations": args.min_per_arm,
        }
    )
    arms = {
        "A": served_arm("A", Lister("careful")),
        "B": served_arm("B", Lister("careless", skip_share=args.skip_share)),
    }
    site, live = experiment_site(seeded_database(folder), folder / "home", experiment, arms)
    traffic = Traffic(site)
    sellers = sim_sellers()
    started = time.perf_counter()
    done = 0
    while done < args.max:
        for i in range(done, done + args.batch):
            await traffic.talk(replace(sellers[i % len(sellers)], id=f"sim-{i}"), i)
        done += args.batch
        flush()
        report = experiment_report(live.store.store, experiment)
        a, b = report.arms
        print(
            f"{done:4d} conversations (A {a.conversations}, B {b.conversations}): B {b.verdict}"
            + (f" on {', '.join(b.worse_on)}" if b.worse_on else ""),
            flush=True,
        )
        if b.verdict == "worse":
            break
    elapsed = time.perf_counter() - started
    print(
        f"\nDetected after {done} conversations ({elapsed:.1f} s, {elapsed / done * 1000:.0f} ms each)."
        if b.verdict == "worse"
        else f"\nNot detected within {done} conversations."
    )
    for m in b.metrics:
        if m.difference is not None:
            print(
                f"  {m.label}: A {m.value if m.value is None else round(m.value - m.difference, 3)} → "
                f"B {round(m.value or 0, 3)}, difference {m.difference:+.3f} (95% CI {m.low:+.3f} to {m.high:+.3f}) "
                f"{m.verdict}"
            )


async def overhead(args: argparse.Namespace, folder: Path) -> None:
    from agent.models import ModelChoice
    from agent.prompts import load_prompt
    from marketplace.app import create_app
    from ops.experiments import Experiment, LiveExperiment
    from ops.store import OpsStore
    from tests.ops.experiment_traffic import Lister, Traffic, experiment_site, served_arm, sim_sellers
    from traces.setup import flush
    from web.feedback import FeedbackStore
    from web.site import create_site

    sellers = sim_sellers()
    db = seeded_database(folder)
    experiment = Experiment.model_validate(
        {
            "name": "overhead",
            "control": "A",
            "arms": {"A": {"variant": "offline"}, "B": {"variant": "offline"}},
        }
    )

    async def turns_per_second(site: object, n: int, offset: int) -> float:
        traffic = Traffic(site)  # type: ignore[arg-type]
        started = time.perf_counter()
        for i in range(n):
            await traffic.talk(replace(sellers[i % len(sellers)], id=f"o-{offset + i}"), 1)  # no rating
        flush()
        return (time.perf_counter() - started) / (2 * n)  # two turns per conversation

    with_times, without_times = [], []
    for round_ in range(args.rounds):
        lister = Lister("careful")
        arm = served_arm("A", lister)
        plain = create_site(
            create_app(db),
            ModelChoice(arm.agent.model, arm.model, ""),  # type: ignore[arg-type]
            load_prompt(),
            feedback=FeedbackStore(folder / f"plain-{round_}.db"),
            admin_token="x",
        )
        plain.state.sessions.agent = arm.agent  # the same scripted lister as the arms
        site, _ = experiment_site(
            db,
            folder / f"exp-{round_}",
            experiment,
            {"A": arm, "B": served_arm("B", Lister("careful"))},
            check_every_s=30,  # as a server does
            refresh_every_s=5,
        )
        without_times.append(await turns_per_second(plain, args.overhead_conversations, round_ * 1000))
        with_times.append(await turns_per_second(site, args.overhead_conversations, round_ * 1000 + 500))
    best_with, best_without = min(with_times), min(without_times)
    print(
        f"\nTurn time through the site, best of {args.rounds} rounds of {args.overhead_conversations} conversations: "
        f"{best_without * 1000:.1f} ms without the experiment, {best_with * 1000:.1f} ms with it "
        f"({(best_with - best_without) * 1000:+.2f} ms per turn; medians {statistics.median(without_times) * 1000:.1f} / "
        f"{statistics.median(with_times) * 1000:.1f} ms)"
    )
    store = OpsStore(folder / "serve.db")
    live = LiveExperiment(
        experiment,
        {"A": served_arm("A", Lister("a")), "B": served_arm("B", Lister("b"))},
        store,
        check_every_s=3600,
        refresh_every_s=3600,
    )
    n = 2000
    started = time.perf_counter()
    for i in range(n):
        live.serve(f"seller-{i % 500}", f"conversation-{i}")
    per = (time.perf_counter() - started) / n
    started = time.perf_counter()
    for _ in range(20):
        live.check_guardrails()
    check = (time.perf_counter() - started) / 20
    print(
        f"LiveExperiment.serve (assignment, the seller's stored arm, the conversation's record): {per * 1e6:.0f} µs "
        f"per conversation; a guardrail check over the store: {check * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--skip-share", type=float, default=0.5, help="B's share of conversations without comparison"
    )
    parser.add_argument("--batch", type=int, default=20, help="conversations between two reads of the report")
    parser.add_argument("--max", type=int, default=600, help="give up after this many conversations")
    parser.add_argument("--min-per-arm", type=int, default=30, help="the experiment's min_conversations")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the overhead measurement")
    parser.add_argument("--overhead-conversations", type=int, default=40)
    parser.add_argument("--only", choices=("detect", "overhead"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["TROVA_HOME"] = str(folder / "home")
        from traces.setup import configure_tracing

        configure_tracing("benchmark")
        if args.only != "overhead":
            asyncio.run(detect(args, folder))
        if args.only != "detect":
            asyncio.run(overhead(args, folder))


if __name__ == "__main__":
    main()
