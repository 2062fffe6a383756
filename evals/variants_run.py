"""`trova eval run --variant A=<spec> --variant B=<spec>`: the same scenarios and repeats under each
variant, interleaved, in one pydantic-evals run, then compared (evals/comparison.py).

Interleaved: the cases go round by round (repeat 1 of every scenario under every variant, then repeat 2),
each scenario's variants next to each other, so whatever drifts while the run goes on (a provider's
latency or rate limits, a machine's load) falls on every variant alike rather than on whichever ran last.
Each variant's runs also make an ordinary single run's results (its own folder, every report of a single
run), so `trova eval compare`, `capture` and `--baseline` work on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pydantic_evals import Case, Dataset
from pydantic_evals.reporting import ReportCase, ReportCaseFailure

from agent.costs import costs_nothing
from agent.listing_agent import ListingAgent
from agent.models import ModelChoice
from agent.prompts import Prompt
from agent.variants import SettingValue
from evals.comparison import (
    VariantsRun,
    arm_summary,
    compare_pair,
    scenario_rows,
    variants_gate,
)
from evals.driver import DriverSettings, RunRecord, run_scenario
from evals.evaluators import scenario_evaluators
from evals.isolation import MarketplaceFactory, shared_factory
from evals.loader import LoadedScenario
from evals.results import EvalResults
from evals.runner import (
    CaseMeta,
    CasePlan,
    EvalSettings,
    RunLifecycle,
    driver_settings,
    finalize,
    git_state,
    make_run_id,
    quiet_gc,
    scenario_documents,
    scenario_set_hash,
)
from evals.schema import Scenario


@dataclass(frozen=True)
class Arm:
    """A variant to run: its name on the command line (A, B ...), its spec, and what the spec resolved to."""

    name: str
    spec: str
    choice: ModelChoice
    prompt: Prompt
    settings: dict[str, SettingValue]
    agent: ListingAgent | None = None  # an agent built elsewhere (the harness's tests)


@dataclass(frozen=True)
class ArmCaseMeta(CaseMeta):
    arm: str = ""


_arm: ContextVar[str] = ContextVar("trova_eval_arm", default="")


class ArmLifecycle(RunLifecycle):
    """A case's marketplace, as for a single run; and which variant the case's conversation runs under."""

    async def setup(self) -> None:
        meta = self.case.metadata
        _arm.set(meta.arm if isinstance(meta, ArmCaseMeta) else "")
        await super().setup()


@dataclass
class ArmRun:
    arm: Arm
    results: EvalResults


async def run_variants(
    scenarios: list[LoadedScenario],
    arms: list[Arm],
    settings: EvalSettings,
    *,
    seller_choice: ModelChoice | None = None,
    factory: MarketplaceFactory | None = None,
    on_run_done: Callable[[], None] | None = None,
) -> list[ArmRun]:
    """Every scenario `settings.repeat` times under each arm, interleaved; each arm's results."""
    if len({a.name for a in arms}) != len(arms) or len(arms) < 2:
        raise ValueError("give at least two variants, each its own name")
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    factory = factory or shared_factory()
    base_id = settings.run_id or make_run_id(started_at, "variants")
    arm_settings = {
        a.name: replace(settings, model_settings=dict(a.settings), run_id=f"{base_id}-{a.name}") for a in arms
    }
    drivers: dict[str, DriverSettings] = {
        a.name: driver_settings(
            a.choice, a.prompt, arm_settings[a.name], seller_choice, factory, a.agent, started_at
        )
        for a in arms
    }
    plans = {a.name: CasePlan(factory, a.choice.name, None, costs_nothing(a.choice.model)) for a in arms}
    by_id = {s.id: s for s in scenarios}

    async def conversation(scenario: Scenario) -> RunRecord:
        record = await run_scenario(by_id[scenario.id], drivers[_arm.get()])
        if on_run_done is not None:
            on_run_done()
        return record

    cases: list[Case[Scenario, RunRecord, CaseMeta]] = [
        Case(
            name=f"{s.id} [{a.name}] [{r}/{settings.repeat}]",
            inputs=s.scenario,
            metadata=ArmCaseMeta(str(s.path), s.scenario.tags, arm=a.name),
        )
        for r in range(1, settings.repeat + 1)
        for s in scenarios
        for a in arms
    ]
    dataset: Dataset[Scenario, RunRecord, CaseMeta] = Dataset(
        name="trova-scenarios-variants", cases=cases, evaluators=scenario_evaluators()
    )

    def lifecycle(case: Case[Scenario, RunRecord, CaseMeta]) -> RunLifecycle:
        meta = case.metadata
        return ArmLifecycle(case, plans[meta.arm if isinstance(meta, ArmCaseMeta) else arms[0].name])

    with quiet_gc():
        report = await dataset.evaluate(
            conversation,
            name="trova eval variants " + " ".join(f"{a.name}={a.spec}" for a in arms),
            task_name="listing_conversation",
            max_concurrency=settings.concurrency,
            progress=settings.progress,
            lifecycle=lifecycle,
        )

    def of_arm(
        name: str,
        case: ReportCase[Scenario, RunRecord, CaseMeta] | ReportCaseFailure[Scenario, RunRecord, CaseMeta],
    ) -> bool:
        return isinstance(case.metadata, ArmCaseMeta) and case.metadata.arm == name

    seller = seller_choice.name if seller_choice and not seller_choice.is_offline else "rule-based"
    done = []
    for a in arms:
        documents = scenario_documents(
            scenarios,
            [c for c in report.cases if of_arm(a.name, c)],
            [f for f in report.failures if of_arm(a.name, f)],
            a.choice.name,
            started_at,
        )
        results = finalize(
            documents, scenarios, a.choice.name, seller, a.prompt, arm_settings[a.name], started_at, clock
        )
        done.append(ArmRun(a, results))
    return done


def compare_arms(
    runs: list[ArmRun],
    scenarios: list[LoadedScenario],
    *,
    run_id: str,
    gate: bool,
    started_at: str,
    duration_s: float,
) -> VariantsRun:
    """The side-by-side results: each arm against the first (the control)."""
    control = runs[0]
    named = [(r.arm.name, r.results) for r in runs]
    comparisons = [compare_pair(named[0], pair) for pair in named[1:]]
    repeat = control.results.settings.repeat
    arms = [arm_summary(r.arm.name, r.arm.spec, r.results, folder=r.arm.name) for r in runs]
    return VariantsRun(
        run_id=run_id,
        started_at=started_at,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(duration_s, 3),
        repeat=repeat,
        k=control.results.metrics.k,
        scenario_set_hash=scenario_set_hash(scenarios),
        git_commit=git_state().commit,
        control=control.arm.name,
        arms=arms,
        scenarios=scenario_rows(named),
        comparisons=comparisons,
        gate=variants_gate(comparisons, arms, gate),
    )


def write_variants(run: VariantsRun, arm_runs: list[ArmRun], folder: Path) -> dict[str, Path]:
    """The comparison's reports in `folder`, each variant's single-run reports in `folder/<name>/`."""
    from evals.reports import write_run
    from evals.reports.variants import write_comparison

    for r in arm_runs:
        write_run(r.results, folder / r.arm.name)
    return write_comparison(run, [(r.arm.name, r.results) for r in arm_runs], folder)
