"""Eval harness benchmarks; prints its figures (run: uv run python benchmarks/eval_harness.py).

1. Harness overhead per scenario run with the offline model: the run's wall time minus the time inside
   the agent's turns (the system under test: model, tools, marketplace), plus the checks. Printed side by
   side with pydantic-evals running the equivalent cases directly (the same seller messages replayed on one
   shared marketplace, a trivial evaluator, no isolation or domain checks). Target: median <= 50 ms.
2. Concurrency: with a model that sleeps 200 ms per request, 40 scenarios x 5 repeats at concurrency 20
   should finish within 1.25x the ideal time (total model time / concurrency), measured in one process
   and with the conversations shared by two processes (--workers 2, one per core here).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from pydantic_ai.messages import ModelMessage, ModelResponse  # noqa: E402
from pydantic_ai.models import ModelRequestParameters  # noqa: E402
from pydantic_ai.models.wrapper import WrapperModel  # noqa: E402
from pydantic_ai.settings import ModelSettings  # noqa: E402
from pydantic_evals import Case, Dataset  # noqa: E402
from pydantic_evals.evaluators import Evaluator, EvaluatorContext  # noqa: E402

from agent.listing_agent import build_agent  # noqa: E402
from agent.models import ModelChoice, resolve_model  # noqa: E402
from agent.offline.model import OfflineModel  # noqa: E402
from agent.prompts import load_prompt  # noqa: E402
from agent.session import ChatSession  # noqa: E402
from evals.checks import run_checks  # noqa: E402
from evals.driver import DriverSettings, TimedModel, run_scenario  # noqa: E402
from evals.isolation import MarketplaceFactory, shared_factory  # noqa: E402
from evals.loader import load_scenarios  # noqa: E402
from evals.parallel import EvalJob, run_parallel  # noqa: E402
from evals.runner import EvalSettings, run_eval  # noqa: E402
from tools.client import MarketplaceClient  # noqa: E402
from tools.deps import TrovaDeps  # noqa: E402
from tools.publishing import Publisher  # noqa: E402


class SleepyModel(WrapperModel):
    """The offline policy behind a 200 ms pause per request, like a remote model's latency."""

    def __init__(self, delay: float) -> None:
        super().__init__(OfflineModel())
        self.delay = delay

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        # The time is accounted by the harness's own TimedModel wrapper, as for any model.
        await asyncio.sleep(self.delay)
        return await super().request(messages, model_settings, model_request_parameters)


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.1f} ms, p95 {sorted(values)[int(0.95 * (len(values) - 1))] * 1000:6.1f} ms"


async def harness_overhead(rounds: int) -> None:
    """Both sides measured the same way: per run, wall time minus the time inside the agent's turns."""
    scenarios = load_scenarios()
    factory = MarketplaceFactory()
    settings = DriverSettings(build_agent(TimedModel(OfflineModel())), "offline", "p", factory)
    await run_scenario(scenarios[0], settings)  # warm up imports and caches
    ours: list[float] = []
    replay: dict[str, list[str]] = {}
    for _ in range(rounds):
        for loaded in scenarios:
            record = await run_scenario(loaded, settings)
            started = time.perf_counter()
            run_checks(loaded.scenario, record)
            checks = time.perf_counter() - started
            ours.append(record.duration_s - record.agent_time_s + checks)
            replay[loaded.id] = [t.seller for t in record.turns]
    # The whole pipeline too: pydantic-evals' own machinery plus ours, per run.
    started = time.perf_counter()
    results = await run_eval(
        scenarios,
        resolve_model("offline"),
        load_prompt(),
        EvalSettings(repeat=rounds, concurrency=1, progress=False, min_pass_rate=0),
        factory=factory,
    )
    wall = time.perf_counter() - started
    runs = [r for _, r in results.runs()]
    pipeline = (wall - sum(r.record.agent_time_s for r in runs)) / len(runs)

    # The same conversations as plain pydantic-evals cases: replayed messages, one shared marketplace.
    market = factory.new()
    client = MarketplaceClient("http://m", transport=market.transport(), backoff=0)
    client.token = (await client.register_seller("bench")).token
    agent = build_agent(OfflineModel())
    inside: list[float] = []

    async def task(scenario_id: str) -> dict[str, Any]:
        session = ChatSession.start(
            agent,
            TrovaDeps(client),
            model="offline",
            prompt="p",
            marketplace="shared",
            publisher=Publisher(client),
        )
        created = 0
        for message in replay[scenario_id]:
            turn = time.perf_counter()
            result = await session.send(message)
            inside.append(time.perf_counter() - turn)
            created += len(result.created)
        return {"created": created}

    class Created(Evaluator[str, dict[str, Any], None]):
        def evaluate(self, ctx: EvaluatorContext[str, dict[str, Any], None]) -> bool:
            return ctx.output["created"] >= 0

    dataset = Dataset[str, dict[str, Any], None](
        name="direct", cases=[Case(name=s.id, inputs=s.id) for s in scenarios], evaluators=[Created()]
    )
    started = time.perf_counter()
    report = await dataset.evaluate(task, max_concurrency=1, progress=False, repeat=rounds)
    direct_wall = time.perf_counter() - started
    direct_runs = len(report.cases)
    direct = (direct_wall - sum(inside)) / direct_runs
    direct_cases = [c.task_duration for c in report.cases]
    await client.aclose()
    print(
        f"1. Harness overhead per scenario run, offline model, {len(ours)} runs of {len(scenarios)} scenarios"
    )
    print(f"   trova driver + checks (isolated marketplace, seller simulation, end state): {ms(ours)}")
    print(
        f"   trova eval pipeline per run (pydantic-evals + driver + checks + metrics):  mean {pipeline * 1000:6.1f} ms"
    )
    print(
        f"   pydantic-evals running the same conversations directly, per run:          mean {direct * 1000:6.1f} ms"
    )
    print(f"   (direct task time incl. the agent: {ms(direct_cases)})")
    print(f"   target: median <= 50 ms -> {'met' if statistics.median(ours) <= 0.05 else 'NOT met'}")


def sleepy_choice() -> ModelChoice:
    """The model for benchmark 2 (importable by worker processes as benchmarks.eval_harness:sleepy_choice)."""
    return ModelChoice(
        SleepyModel(float(os.environ.get("TROVA_BENCH_DELAY", "0.2"))), "offline", "sleepy offline"
    )


def concurrency(scenario_count: int, repeat: int, workers: int, concurrency_: int, delay: float) -> None:
    os.environ["TROVA_BENCH_DELAY"] = str(delay)
    scenarios = load_scenarios()
    if scenario_count > len(scenarios):
        raise SystemExit(f"only {len(scenarios)} scenarios exist; ask for at most that many")
    scenarios = scenarios[:scenario_count]
    settings = EvalSettings(
        repeat=repeat, concurrency=concurrency_, progress=False, min_pass_rate=0, workers=workers
    )
    # The set-up (seeded template, category index, app: the same for any eval run) is timed on its own: the
    # target is about running conversations side by side. Workers fork from this process and inherit it.
    setup = time.perf_counter()
    factory = shared_factory()
    setup = time.perf_counter() - setup
    started, cpu = time.perf_counter(), time.process_time()
    if workers > 1:
        job = EvalJob(
            files=tuple(sorted({str(s.path) for s in scenarios})),
            model=None,
            base_url=None,
            prompt="listing_agent",
            settings=settings,
            model_factory="benchmarks.eval_harness:sleepy_choice",
            tracing=False,
        )
        results = run_parallel(job, scenarios, workers)
    else:
        results = asyncio.run(run_eval(scenarios, sleepy_choice(), load_prompt(), settings, factory=factory))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    runs = [r for _, r in results.runs()]
    model_time = sum(r.metrics.model_time_s for r in runs)
    ideal = model_time / concurrency_
    print(
        f"2. {len(scenarios)} scenarios x {repeat} repeats at concurrency {concurrency_}, {workers} process(es), "
        f"model sleeping {delay * 1000:.0f} ms/request"
    )
    print(
        f"   model requests {results.metrics.model_requests_total}, total model time {model_time:.1f} s, "
        f"ideal {ideal:.1f} s, wall {wall:.1f} s, ratio {wall / ideal:.2f} (target <= 1.25 -> "
        f"{'met' if wall / ideal <= 1.25 else 'NOT met'}); set-up before it {setup:.2f} s"
    )
    if workers == 1:
        print(f"   CPU used {cpu:.1f} s ({cpu / len(runs) * 1000:.0f} ms per run)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes over the scenario set for benchmark 1")
    parser.add_argument("--scenarios", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="process counts to measure")
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--only", choices=["overhead", "concurrency"])
    args = parser.parse_args()
    if args.only != "concurrency":
        asyncio.run(harness_overhead(args.rounds))
    if args.only != "overhead":
        for workers in args.workers:
            concurrency(args.scenarios, args.repeat, workers, args.concurrency, args.delay)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    _ = (httpx, resolve_model)
    main()
