"""Running the scenario set in several processes (`trova eval run --workers N`).

One event loop runs many conversations side by side, but each conversation's steps are many small
callbacks (agent graph, HTTP to the in-process marketplace), and with enough of them queued the loop
becomes the bottleneck before the model is. Worker processes each take a share of the scenarios (all
repeats of a scenario stay together, so pass^k is computed as usual), run them with pydantic-evals at
their share of the concurrency, and send back their runs; the parent merges them and computes the
metrics and the gate once. With a remote LLM the model's latency dominates and one process is enough.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import math
import multiprocessing
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.models import ModelChoice, resolve_model
from agent.prompts import load_prompt
from evals.isolation import shared_factory
from evals.loader import LoadedScenario, load_scenarios
from evals.results import EvalResults, RepeatResult, ScenarioResult
from evals.runner import EvalSettings, finalize, make_run_id, run_eval

# Fork where the platform has it: a worker then starts with everything imported and built (about four
# seconds of imports and index building per spawned worker, which a short run would not win back). The
# parent forks before starting any event loop; OpenTelemetry re-creates its exporter thread in the child.
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


_INHERITED: dict[tuple[str, ...], list[LoadedScenario]] = {}


@dataclass(frozen=True)
class EvalJob:
    """Everything a worker needs, in a form that crosses process boundaries."""

    files: tuple[str, ...]
    model: str | None
    base_url: str | None
    prompt: str
    settings: EvalSettings
    seller_model: str | None = None
    model_factory: str | None = None  # "module:function" returning a ModelChoice (benchmarks, custom models)
    tracing: bool = True


def choice_for(job: EvalJob) -> ModelChoice:
    if job.model_factory:
        module, _, name = job.model_factory.partition(":")
        factory: Callable[[], ModelChoice] = getattr(importlib.import_module(module), name)
        return factory()
    return resolve_model(job.model, job.base_url)


@dataclass
class _Shared:
    """What the workers share, handed over when each process starts (no manager process to start):
    how many runs of each scenario are claimed, and a counter of finished runs for the progress bar."""

    index: dict[str, int]  # scenario id -> slot in `claims`
    claims: Any  # multiprocessing Array of ints
    finished: Any  # multiprocessing Value
    lock: Any


_SHARED: _Shared | None = None


def _start_worker(shared: _Shared) -> None:
    global _SHARED
    _SHARED = shared


def _shard(job: EvalJob, concurrency: int) -> list[ScenarioResult]:
    """A worker process: run the runs it claims, count each finished one, return the scenario documents.

    Every worker walks the whole list and claims runs as it gets to them, so the work balances itself: a
    worker that drew long conversations simply claims fewer."""
    shared = _SHARED
    assert shared is not None, "the pool's initializer hands over the shared state"
    if job.tracing:
        from traces.setup import configure_tracing

        configure_tracing("eval", prune=False)  # the parent prunes the store, once
    repeat = job.settings.repeat

    def claim(scenario_id: str) -> bool:
        slot = shared.index.get(scenario_id)
        if slot is None:  # not among the scenarios the parent chose
            return False
        with shared.lock:
            if shared.claims[slot] >= repeat:
                return False
            shared.claims[slot] += 1
            return True

    def done() -> None:
        with shared.finished.get_lock():
            shared.finished.value += 1

    # Forked workers inherit the parent's parsed scenarios; spawned ones parse the files again (and keep
    # only the scenarios the parent chose: --tag and --filter apply to what the files hold).
    scenarios = _INHERITED.get(job.files) or [
        s for s in load_scenarios([Path(f) for f in job.files]) if s.id in shared.index
    ]
    seller = resolve_model(job.seller_model) if job.seller_model else None
    settings = replace(job.settings, concurrency=concurrency, progress=False, workers=1, baseline=None)
    try:
        results = asyncio.run(
            run_eval(
                scenarios,
                choice_for(job),
                load_prompt(job.prompt),
                settings,
                seller_choice=seller,
                on_run_done=done,
                claim=claim,
            )
        )
    finally:
        if job.tracing:
            from traces.setup import flush

            flush()
    return results.scenarios


def run_parallel(
    job: EvalJob,
    scenarios: list[LoadedScenario],
    workers: int,
    on_progress: Callable[[int], None] | None = None,
) -> EvalResults:
    """Run `scenarios` in `workers` processes and return one run's results, as `run_eval` would."""
    started_at, clock = datetime.now(UTC), time.perf_counter()
    # Built once here, before forking, so that workers inherit them instead of each building their own:
    # the marketplace template and the model (the offline policy loads its vocabulary on first use).
    shared_factory()
    choice_name = choice_for(job).name
    # One run id for every worker's traces: the run the parent reports.
    job = replace(job, settings=replace(job.settings, run_id=make_run_id(started_at, choice_name)))
    _INHERITED.clear()
    _INHERITED[job.files] = scenarios
    per_worker = max(1, math.ceil(job.settings.concurrency / workers))
    context = multiprocessing.get_context(START_METHOD)
    slots = {s.id: i for i, s in enumerate(scenarios)}
    shared = _Shared(slots, context.Array("i", len(slots), lock=False), context.Value("i", 0), context.Lock())
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(shared,))
    try:
        with warnings.catch_warnings():
            # logfire offers to send its configuration to child processes; ours configure themselves.
            warnings.filterwarnings("ignore", message="The Logfire configuration cannot be pickled")
            futures = [pool.submit(_shard, job, per_worker) for _ in range(workers)]
        reported = 0
        while not all(f.done() for f in futures):
            concurrent.futures.wait(futures, timeout=0.05, return_when=concurrent.futures.FIRST_EXCEPTION)
            if any(f.done() and f.exception() for f in futures):
                break  # a worker failed: report it now (f.result() raises it), not after the others finish
            finished = shared.finished.value
            if finished > reported and on_progress:
                on_progress(finished - reported)
            reported = finished
        parts = [f.result() for f in futures]
    finally:
        # The runs are back; the worker processes wind down (tracing flushes, interpreter exit) while
        # the parent merges, rather than before.
        pool.shutdown(wait=False, cancel_futures=True)
    # Each worker reports every scenario with the runs it claimed: put each scenario's runs together.
    runs: dict[str, list[RepeatResult]] = {}
    first: dict[str, ScenarioResult] = {}
    for part in parts:
        for document in part:
            first.setdefault(document.id, document)
            runs.setdefault(document.id, []).extend(document.runs)
    order = {s.id: i for i, s in enumerate(scenarios)}
    documents = [
        first[sid].model_copy(
            update={"runs": [r.model_copy(update={"index": i}) for i, r in enumerate(runs[sid], start=1)]}
        )
        for sid in sorted((sid for sid in first if sid in order), key=order.__getitem__)
    ]
    seller = job.seller_model or "rule-based"
    return finalize(
        documents, scenarios, choice_name, seller, load_prompt(job.prompt), job.settings, started_at, clock
    )
