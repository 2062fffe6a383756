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
from evals.runner import EvalSettings, finalize, run_eval

# Fork where the platform has it: a worker then starts with everything imported and built (about four
# seconds of imports and index building per spawned worker, which a short run would not win back). The
# parent forks before starting any event loop; OpenTelemetry re-creates its exporter thread in the child.
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


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


def _shard(job: EvalJob, concurrency: int, progress: Any, claims: Any, lock: Any) -> list[dict[str, Any]]:
    """A worker process: run the runs it claims, report each finished one, return the scenario documents.

    Every worker walks the whole list and claims runs as it gets to them, so the work balances itself: a
    worker that drew long conversations simply claims fewer."""
    if job.tracing:
        from traces.setup import configure_tracing

        configure_tracing("eval")
    repeat = job.settings.repeat

    def claim(scenario_id: str) -> bool:
        with lock:
            taken = claims.get(scenario_id, 0)
            if taken >= repeat:
                return False
            claims[scenario_id] = taken + 1
            return True

    scenarios = load_scenarios([Path(f) for f in job.files])
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
                on_run_done=lambda: progress.put(1),
                claim=claim,
            )
        )
    finally:
        if job.tracing:
            from traces.setup import flush

            flush()
    documents: list[dict[str, Any]] = results["scenarios"]
    return documents


def run_parallel(
    job: EvalJob,
    scenarios: list[LoadedScenario],
    workers: int,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Run `scenarios` in `workers` processes and return one results document, as `run_eval` would."""
    started_at, clock = datetime.now(UTC), time.perf_counter()
    shared_factory()  # built once here; forked workers inherit it instead of each building their own
    per_worker = max(1, math.ceil(job.settings.concurrency / workers))
    context = multiprocessing.get_context(START_METHOD)
    with context.Manager() as manager, ProcessPoolExecutor(workers, mp_context=context) as pool:
        progress, claims, lock = manager.Queue(), manager.dict(), manager.Lock()
        with warnings.catch_warnings():
            # logfire offers to send its configuration to child processes; ours configure themselves.
            warnings.filterwarnings("ignore", message="The Logfire configuration cannot be pickled")
            futures = [pool.submit(_shard, job, per_worker, progress, claims, lock) for _ in range(workers)]
        while not all(f.done() for f in futures):
            time.sleep(0.1)
            done = 0
            while not progress.empty():
                done += progress.get()
            if done and on_progress:
                on_progress(done)
        parts = [f.result() for f in futures]
    # Each worker reports every scenario with the runs it claimed: put each scenario's runs together.
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for document in part:
            into = merged.setdefault(document["id"], {**document, "runs": []})
            into["runs"].extend(document["runs"])
    documents = list(merged.values())
    for document in documents:
        for index, run in enumerate(document["runs"], start=1):
            run["index"] = index
    order = {s.id: i for i, s in enumerate(scenarios)}
    documents = sorted((d for d in documents if d["id"] in order), key=lambda d: order[d["id"]])
    choice_name = choice_for(job).name
    seller = job.seller_model or "rule-based"
    return finalize(
        documents, scenarios, choice_name, seller, load_prompt(job.prompt), job.settings, started_at, clock
    )
