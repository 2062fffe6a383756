"""Running a scenario set on pydantic-evals (Dataset, repeat, max_concurrency), then the gate.

pydantic-evals runs the cases: the scenario is each case's inputs, the conversation driver its task, one
evaluator per check kind (evals/evaluators.py) its evaluators, a case lifecycle sets each run's own
marketplace up (and its fixtures) and tears it down, and the run's numbers are the case's metrics. Ours is
turning its report into the typed results (evals/results.py), the suite metrics and the gate.
"""

from __future__ import annotations

import gc
import hashlib
import math
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

import logfire
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pydantic_ai.settings import ModelSettings
from pydantic_evals import Case, Dataset
from pydantic_evals.evaluators import EvaluatorContext
from pydantic_evals.lifecycle import CaseLifecycle
from pydantic_evals.reporting import ReportCase, ReportCaseFailure

from agent.costs import costs_nothing
from agent.listing_agent import ListingAgent, build_agent, variant_for
from agent.models import ModelChoice
from agent.prompts import Prompt
from agent.variants import SettingValue
from evals.checks import trajectory_of
from evals.driver import DriverSettings, RunRecord, TimedModel, run_scenario
from evals.evaluators import scenario_evaluators
from evals.isolation import IsolatedMarketplace, MarketplaceFactory, hand_over, shared_factory
from evals.loader import LoadedScenario
from evals.metrics import RunStats, pass_hat_k, run_cost, suite_metrics
from evals.results import (
    CheckOutcome,
    EvalResults,
    GateVerdict,
    GitState,
    PromptRef,
    Regression,
    RepeatResult,
    RunMetrics,
    RunSettings,
    ScenarioResult,
    Status,
    SuiteMetrics,
)
from evals.schema import Scenario
from tools.toolset import marketplace_tools
from traces.setup import tracing_enabled

OFFLINE_LIMITATION = "offline-limitation"  # tag: the offline policy cannot pass this by design
KNOWN_BUG = "known-bug"  # tag: the product gets this wrong today (the scenario says what is wrong)


@dataclass
class EvalSettings:
    repeat: int = 1
    concurrency: int = 8
    min_pass_rate: float = 1.0
    min_pass_k: float | None = None
    pass_k: int | None = None  # k for pass^k; default: repeat
    baseline: EvalResults | None = None
    without_tools: frozenset[str] = frozenset()
    tags: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    progress: bool = True
    workers: int = 1  # processes (see evals/parallel.py); this process runs the conversations when 1
    run_id: str | None = None  # set by the parent process, so worker processes' traces name the same run
    model_settings: dict[str, SettingValue] = field(default_factory=dict)  # the variant's (temperature ...)


@dataclass(frozen=True)
class CaseMeta:
    """A case's metadata in pydantic-evals: where the scenario came from."""

    file: str
    tags: list[str]


# Whether this case's run belongs to another worker process (the lifecycle's set-up says so).
_not_ours: ContextVar[bool] = ContextVar("trova_eval_not_ours", default=False)


@dataclass
class CasePlan:
    """What every case's lifecycle needs."""

    factory: MarketplaceFactory
    model_name: str
    claim: Callable[[str], bool] | None
    free: bool = False  # the model costs nothing (agent.costs): its runs cost $0, not "unknown"


class RunLifecycle(CaseLifecycle[Scenario, RunRecord, CaseMeta]):
    """A case's marketplace: a fresh copy with the scenario's fixtures before the conversation, closed after
    the checks; the run's numbers as the case's metrics once it has run."""

    def __init__(self, case: Case[Scenario, RunRecord, CaseMeta], plan: CasePlan) -> None:
        super().__init__(case)
        self.plan = plan
        self.market: IsolatedMarketplace | None = None

    async def setup(self) -> None:
        scenario = self.case.inputs
        if self.plan.claim is not None and not self.plan.claim(scenario.id):
            _not_ours.set(True)  # another worker runs it: no marketplace to build
            return
        self.market = self.plan.factory.new(scenario.marketplace)
        hand_over(self.market)

    async def prepare_context(
        self, ctx: EvaluatorContext[Scenario, RunRecord, CaseMeta]
    ) -> EvaluatorContext[Scenario, RunRecord, CaseMeta]:
        if not ctx.output.skipped:
            ctx.metrics.update(
                run_numbers(ctx.inputs, ctx.output, self.plan.model_name, self.plan.free).as_case_metrics()
            )
        return ctx

    async def teardown(
        self,
        result: ReportCase[Scenario, RunRecord, CaseMeta]
        | ReportCaseFailure[Scenario, RunRecord, CaseMeta]
        | None,
    ) -> None:
        hand_over(None)
        if self.market is not None:
            self.market.close()


@contextmanager
def _under(record: RunRecord) -> Iterator[None]:
    if not (record.trace_id and record.span_id):
        yield
        return
    parent = SpanContext(
        int(record.trace_id, 16), int(record.span_id, 16), is_remote=True, trace_flags=TraceFlags(1)
    )
    token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(parent)))
    try:
        yield
    finally:
        otel_context.detach(token)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def scenario_set_hash(scenarios: list[LoadedScenario]) -> str:
    return _sha(
        "\n".join(
            f"{s.id}:{_sha(s.path.read_text(encoding='utf-8'))}"
            for s in sorted(scenarios, key=lambda s: s.id)
        )
    )


def git_state() -> GitState:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return GitState(commit=commit, dirty=bool(status) if status is not None else None)


def make_run_id(started_at: datetime, model: str) -> str:
    """The run's id, which is also its report folder's name."""
    return started_at.strftime("%Y%m%d-%H%M%S-") + model.replace(":", "_").replace("/", "_")


def expected_failure(scenario: Scenario, model_name: str) -> bool:
    """Reported as xfail, not gated: a known bug of the product (any model), or what the offline policy
    cannot do by design (the offline model)."""
    return KNOWN_BUG in scenario.tags or (model_name == "offline" and OFFLINE_LIMITATION in scenario.tags)


def run_numbers(scenario: Scenario, record: RunRecord, model_name: str, free: bool = False) -> RunMetrics:
    """One run's numbers. A crashed run, a refused message or one the provider failed made no trajectory
    worth scoring."""
    scored = record.error is None and record.model_error is None and record.refused is None
    trajectory = trajectory_of(scenario, record) if scored else None
    input_tokens, output_tokens = record.usage.get("input_tokens", 0), record.usage.get("output_tokens", 0)
    return RunMetrics(
        tool_precision=trajectory.precision if trajectory else None,
        tool_recall=trajectory.recall if trajectory else None,
        tool_f1=trajectory.f1 if trajectory else None,
        order_score=trajectory.order_score if trajectory else None,
        arg_accuracy=trajectory.arg_accuracy if trajectory else None,
        model_requests=record.usage.get("requests", 0),
        tokens=input_tokens + output_tokens,
        cost_usd=0.0 if free else run_cost(model_name, input_tokens, output_tokens),
        duration_s=round(record.duration_s, 4),
        model_time_s=round(record.model_time_s, 4),
        first_divergence=trajectory.first_divergence if trajectory else None,
    )


def _stats(run: RepeatResult, gated: bool) -> RunStats:
    m = run.metrics
    return RunStats(
        passed=run.passed,
        gated=gated,
        precision=m.tool_precision,
        recall=m.tool_recall,
        f1=m.tool_f1,
        order_score=m.order_score,
        arg_accuracy=m.arg_accuracy,
        requests=m.model_requests,
        tokens=m.tokens,
        cost_usd=m.cost_usd,
        duration_s=m.duration_s,
    )


def gate(metrics: SuiteMetrics, scenarios: list[ScenarioResult], settings: EvalSettings) -> GateVerdict:
    reasons: list[str] = []
    if not metrics.gated_scenarios:
        # A gate over nothing would pass any agent: say so instead of "passed".
        reasons.append("no scenario was gated: every one selected is an expected failure for this model")
    pass_rate = metrics.pass_rate
    if pass_rate is not None and pass_rate + 1e-9 < settings.min_pass_rate:
        reasons.append(f"pass rate {pass_rate:.1%} is below --min-pass-rate {settings.min_pass_rate:.1%}")
    if settings.min_pass_k is not None:
        pass_k = metrics.pass_k
        if pass_k is None or pass_k + 1e-9 < settings.min_pass_k:
            shown = "n/a" if pass_k is None else f"{pass_k:.1%}"
            reasons.append(f"pass^{metrics.k} {shown} is below --min-pass-k {settings.min_pass_k:.1%}")
    regressions: list[Regression] = []
    if settings.baseline is not None:
        before = {s.id: s for s in settings.baseline.scenarios}
        for scenario in scenarios:
            old = before.get(scenario.id)
            if old is None or scenario.expected_failure:
                continue
            if scenario.pass_rate + 1e-9 < old.pass_rate:
                regressions.append(Regression(id=scenario.id, before=old.pass_rate, after=scenario.pass_rate))
        if regressions:
            names = ", ".join(f"{r.id} ({r.before:.0%} → {r.after:.0%})" for r in regressions)
            reasons.append(f"{len(regressions)} scenario(s) regressed against the baseline: {names}")
    return GateVerdict(passed=not reasons, reasons=reasons, regressions=regressions)


async def run_eval(
    scenarios: list[LoadedScenario],
    choice: ModelChoice,
    prompt: Prompt,
    settings: EvalSettings,
    *,
    seller_choice: ModelChoice | None = None,
    factory: MarketplaceFactory | None = None,
    agent: ListingAgent | None = None,
    on_run_done: Callable[[], None] | None = None,
    claim: Callable[[str], bool] | None = None,
) -> EvalResults:
    """Run every scenario `settings.repeat` times and return the run's results.

    `claim(scenario_id)`, when given, says whether this process runs the next run of that scenario (worker
    processes share the runs that way; see evals/parallel.py); runs it does not claim are left out.

    `agent` replaces the listing agent built from `choice` (the harness's own tests use broken ones)."""
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    factory = factory or shared_factory()
    with quiet_gc():
        return await _run_eval(
            scenarios,
            choice,
            prompt,
            settings,
            seller_choice,
            factory,
            agent,
            started_at,
            clock,
            on_run_done,
            claim,
        )


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Fewer, shorter garbage-collector pauses while conversations run side by side on one event loop: the
    long-lived objects (category index, seed listings, modules) are frozen out of collection, and young
    collections run less often. A pause blocks every conversation at once (measured: 1.6 s of pauses in a
    40 x 5 run before, 0.15 s after)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _checks(case: ReportCase[Scenario, RunRecord, CaseMeta]) -> list[CheckOutcome]:
    checks = [
        CheckOutcome(name=name, passed=bool(result.value), reason=result.reason or "")
        for name, result in case.assertions.items()
    ]
    # A check that raised is a failed check, never a silent pass (an empty list is `all()`-true).
    checks += [
        CheckOutcome(name=f.name, passed=False, reason=f"the check raised {f.error_message}")
        for f in case.evaluator_failures
    ]
    return checks or [CheckOutcome(name="checks", passed=False, reason="no check ran")]


async def _run_eval(
    scenarios: list[LoadedScenario],
    choice: ModelChoice,
    prompt: Prompt,
    settings: EvalSettings,
    seller_choice: ModelChoice | None,
    factory: MarketplaceFactory,
    agent: ListingAgent | None,
    started_at: datetime,
    clock: float,
    on_run_done: Callable[[], None] | None = None,
    claim: Callable[[str], bool] | None = None,
) -> EvalResults:
    driver = driver_settings(choice, prompt, settings, seller_choice, factory, agent, started_at)
    by_id = {s.id: s for s in scenarios}

    async def conversation(scenario: Scenario) -> RunRecord:
        if _not_ours.get():
            return RunRecord(scenario.id, choice.name, "", "", skipped=True)
        record = await run_scenario(by_id[scenario.id], driver)
        if on_run_done is not None:
            on_run_done()
        return record

    dataset: Dataset[Scenario, RunRecord, CaseMeta] = Dataset(
        name="trova-scenarios",
        cases=[
            Case(name=s.id, inputs=s.scenario, metadata=CaseMeta(str(s.path), s.scenario.tags))
            for s in scenarios
        ],
        evaluators=scenario_evaluators(),
    )
    plan = CasePlan(factory, choice.name, claim, costs_nothing(choice.model))
    report = await dataset.evaluate(
        conversation,
        name=f"trova eval {choice.name}",
        task_name="listing_conversation",
        max_concurrency=settings.concurrency,
        repeat=settings.repeat,
        progress=settings.progress,
        lifecycle=lambda case: RunLifecycle(case, plan),
    )
    documents = scenario_documents(scenarios, report.cases, report.failures, choice.name, started_at)
    seller = seller_choice.name if seller_choice and not seller_choice.is_offline else "rule-based"
    return finalize(documents, scenarios, choice.name, seller, prompt, settings, started_at, clock)


def driver_settings(
    choice: ModelChoice,
    prompt: Prompt,
    settings: EvalSettings,
    seller_choice: ModelChoice | None,
    factory: MarketplaceFactory,
    agent: ListingAgent | None,
    started_at: datetime,
) -> DriverSettings:
    """What the driver needs to run conversations with this model, prompt and settings."""
    if agent is None:
        agent = build_agent(
            TimedModel(choice.model), prompt, settings.without_tools, _model_settings(settings)
        )
    return DriverSettings(
        agent=agent,
        model_name=choice.name,
        prompt_ref=prompt.ref,
        factory=factory,
        seller_model=seller_choice.model if seller_choice and not seller_choice.is_offline else None,
        run_id=settings.run_id or make_run_id(started_at, choice.name),
        without_tools=settings.without_tools,
    )


def _model_settings(settings: EvalSettings) -> ModelSettings | None:
    return cast(ModelSettings, dict(settings.model_settings)) if settings.model_settings else None


def scenario_documents(
    scenarios: list[LoadedScenario],
    cases: Iterable[ReportCase[Scenario, RunRecord, CaseMeta]],
    failures: Iterable[ReportCaseFailure[Scenario, RunRecord, CaseMeta]],
    model_name: str,
    started_at: datetime,
) -> list[ScenarioResult]:
    """Each scenario's runs from pydantic-evals' report cases (unscored: `finalize` scores them)."""
    runs: dict[str, list[tuple[RunRecord, list[CheckOutcome], RunMetrics]]] = {s.id: [] for s in scenarios}
    for case in cases:
        if case.output.skipped:
            continue
        runs[case.inputs.id].append((case.output, _checks(case), RunMetrics.from_case(case.metrics)))
    for failure in failures:  # the task or the set-up raised (the driver records errors, so rarely)
        record = RunRecord(
            failure.inputs.id, model_name, "", started_at.isoformat(), error=failure.error_message
        )
        check = CheckOutcome(name="completed", passed=False, reason=failure.error_message)
        runs[failure.inputs.id].append((record, [check], RunMetrics()))

    documents = []
    for loaded in scenarios:
        scenario_runs = []
        for index, (record, checks, numbers) in enumerate(runs[loaded.id], start=1):
            passed = all(c.passed for c in checks)
            # The verdict is recorded under the run's own root span (same trace, same conversation id),
            # so the run's trace ends with it wherever it is viewed; workers' runs too.
            with _under(record):
                logfire.info(
                    "eval checks {scenario_id}: {verdict}",
                    scenario_id=loaded.id,
                    verdict="passed" if passed else "failed",
                    conversation_id=record.conversation_id,
                    passed=passed,
                    failed_checks={c.name: c.reason for c in checks if not c.passed},
                )
            scenario_runs.append(
                RepeatResult(
                    index=index,
                    passed=passed,
                    errored=record.model_error is not None,
                    checks=checks,
                    metrics=numbers,
                    trace_id=record.trace_id,
                    record=record,
                )
            )
        documents.append(
            ScenarioResult(
                id=loaded.id,
                description=loaded.scenario.description,
                tags=loaded.scenario.tags,
                file=str(loaded.path),
                file_sha=_sha(loaded.path.read_text(encoding="utf-8")),
                expected_failure=expected_failure(loaded.scenario, model_name),
                status="fail",  # scored by `finalize`, once every run is in
                passes=0,
                runs_count=0,
                pass_rate=0.0,
                runs=scenario_runs,
            )
        )
    return documents


def scored(document: ScenarioResult, k: int) -> ScenarioResult:
    """The scenario with its rates and status from its runs."""
    runs = document.runs
    passes = sum(1 for r in runs if r.passed)
    total = len(runs)
    errored = sum(1 for r in runs if r.errored)
    pk = pass_hat_k(passes, total, k)
    status: Status = (
        "error" if total and errored == total else _status(passes, total, document.expected_failure)
    )
    return document.model_copy(
        update={
            "status": status,
            "errored": errored,
            "passes": passes,
            "runs_count": total,
            "pass_rate": passes / total if total else 0.0,
            "pass_k": None if math.isnan(pk) else pk,
        }
    )


def finalize(
    documents: list[ScenarioResult],
    scenarios: list[LoadedScenario],
    model: str,
    seller: str,
    prompt: Prompt,
    settings: EvalSettings,
    started_at: datetime,
    clock: float,
) -> EvalResults:
    """The run's results from its scenarios' runs: per-scenario rates, suite metrics, the gate.

    Works on runs from several worker processes alike (see evals/parallel.py)."""
    k = settings.pass_k or settings.repeat
    documents = [scored(d, k) for d in documents]
    stats = {d.id: [_stats(r, not d.expected_failure) for r in d.runs] for d in documents}
    metrics = SuiteMetrics.model_validate(
        {
            **suite_metrics(stats, k),
            "expected_failures": sum(1 for d in documents if d.expected_failure),
            "errored_runs": sum(d.errored for d in documents),
        }
    )
    finished_at = datetime.now(UTC)
    variant = variant_for(model, prompt, settings.without_tools, _model_settings(settings))
    return EvalResults(
        run_id=settings.run_id or make_run_id(started_at, model),
        model=model,
        variant=variant,
        seller=seller,
        prompt=PromptRef(name=prompt.name, version=prompt.version),
        # One definition of the tools' version: the variant's (agent.variants.toolset_version).
        tool_schema_hash=variant.toolset,
        tools=sorted(marketplace_tools(settings.without_tools).tools),
        git=git_state(),
        scenario_set_hash=scenario_set_hash(scenarios),
        traces_stored=tracing_enabled(),
        started_at=started_at.isoformat(timespec="seconds"),
        finished_at=finished_at.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - clock, 3),
        settings=RunSettings(
            repeat=settings.repeat,
            concurrency=settings.concurrency,
            workers=settings.workers,
            tags=settings.tags,
            filters=settings.filters,
            min_pass_rate=settings.min_pass_rate,
            min_pass_k=settings.min_pass_k,
            k=k,
            without_tools=sorted(settings.without_tools),
            baseline=settings.baseline.run_id if settings.baseline else None,
        ),
        metrics=metrics,
        gate=gate(metrics, documents, settings),
        scenarios=documents,
    )


def _status(passes: int, total: int, xfail: bool) -> Status:
    if xfail:
        return "xpass" if total and passes == total else "xfail"
    if total and passes == total:
        return "pass"
    return "flaky" if passes else "fail"
