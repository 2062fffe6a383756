"""The domain checks as pydantic-evals evaluators: one evaluator per check kind, so that pydantic-evals'
report (and `render(baseline=...)`) names each kind's verdict, a check that raises fails only its own kind,
and each can be sampled on its own.

They read nothing but the scenario (the case's inputs) and the run record (the task's output): no state
of the runner. So the same evaluators judge a stored run again (`pydantic_evals.online.run_evaluators`
on a results.json record). The checks that need no expected answer (evals/invariants.py) have an
evaluator each too (`Invariant`): a scenario run is judged by them beside its scenario's checks, and a
live conversation by them alone, through pydantic-evals' online evaluation (evals/online.py), where the
run record comes as an attribute of the evaluated agent run instead of as its output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pydantic_evals.evaluators import EvaluationReason, EvaluationResult, Evaluator, EvaluatorContext
from pydantic_evals.reporting import EvaluationReport, ReportCase

from evals.checks import CHECKS, CheckResult
from evals.driver import RunRecord
from evals.invariants import INVARIANTS, Unjudged
from evals.results import EvalResults
from evals.schema import Scenario

CheckFunction = Callable[[Scenario, RunRecord], CheckResult | None]
# Each check kind by its name (the function's, without the underscore): `tools`, `never`, `approval` ...
CHECK_KINDS: dict[str, CheckFunction] = {fn.__name__.lstrip("_"): fn for fn in CHECKS}
Context = EvaluatorContext[Scenario, RunRecord, object]
# Where a live agent run carries its conversation's run record (evals/online.py sets it).
RECORD_ATTRIBUTE = "trova_run_record"
# The value of a verdict the check could not give (ops/online.py stores it as n/a: neither pass nor fail).
NOT_JUDGED = "n/a"


@runtime_checkable
class RecordSource(Protocol):
    """A live conversation whose run record is built on first use (by the first evaluator, off the turn)."""

    def run_record(self) -> RunRecord: ...


def run_record(ctx: EvaluatorContext[Any, Any, Any]) -> RunRecord | None:
    """The run record to judge: a scenario run's output, or the conversation a live agent run belongs to."""
    if isinstance(ctx.output, RunRecord):
        return ctx.output
    found = ctx.attributes.get(RECORD_ATTRIBUTE)
    if isinstance(found, RecordSource):
        found = found.run_record()
    return found if isinstance(found, RunRecord) else None


def first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


@dataclass(repr=False)
class Completed(Evaluator[Scenario, RunRecord, object]):
    """Whether the conversation ran to its end: not crashed, no seller message refused by the product, no
    model request failed by the provider (then the run tested the provider, and says so under `model`)."""

    def evaluate(self, ctx: Context) -> dict[str, EvaluationReason]:
        record = ctx.output
        if record.skipped:
            return {}
        if record.error is not None:
            return {"completed": EvaluationReason(False, f"the run crashed: {first_line(record.error)}")}
        if record.refused is not None:
            return {"completed": EvaluationReason(False, f"the product refused {record.refused}")}
        if record.model_error is not None:
            return {
                "model": EvaluationReason(
                    False,
                    f"the model request failed ({first_line(record.model_error)}); "
                    "this run tested the provider, not the agent",
                )
            }
        return {"completed": EvaluationReason(True)}

    def get_default_evaluation_name(self) -> str:
        return "completed"


@dataclass(repr=False)
class DomainCheck(Evaluator[Scenario, RunRecord, object]):
    """One kind of domain check (`kind`, a name in CHECK_KINDS) on a run that completed; no verdict when
    the scenario expects nothing of that kind."""

    kind: str

    def evaluate(self, ctx: Context) -> dict[str, EvaluationReason]:
        record = ctx.output
        if record.skipped or record.error or record.refused or record.model_error:
            return {}  # `completed` (or `model`) has the verdict; nothing else can be judged
        result = CHECK_KINDS[self.kind](ctx.inputs, record)
        if result is None:
            return {}
        return {result.name: EvaluationReason(result.passed, result.reason or None)}

    def get_default_evaluation_name(self) -> str:
        return self.kind


@dataclass(repr=False)
class Invariant(Evaluator[object, object, object]):
    """One check that needs no expected answer (`kind`, a name in evals.invariants.INVARIANTS), on a run that
    completed: a scenario run, or a live conversation so far. No verdict when there is nothing to judge;
    one it could not judge is `NOT_JUDGED` with its reason when `report_unjudged` (online: counted apart,
    never a pass), else no verdict (a scenario's own checks judge it against what it expects)."""

    kind: str
    report_unjudged: bool = False

    def evaluate(self, ctx: EvaluatorContext[object, object, object]) -> dict[str, EvaluationReason]:
        record = run_record(ctx)
        if record is None or record.skipped or record.error or record.refused or record.model_error:
            return {}
        result = INVARIANTS[self.kind](record)
        if isinstance(result, Unjudged):
            return {result.name: EvaluationReason(NOT_JUDGED, result.reason)} if self.report_unjudged else {}
        if result is None:
            return {}
        return {result.name: EvaluationReason(result.passed, result.reason or None)}

    def get_default_evaluation_name(self) -> str:
        return self.kind


def online_evaluators() -> list[Evaluator[object, object, object]]:
    """The evaluators live conversations are judged by: every expectation-free check kind."""
    return [Invariant(kind, report_unjudged=True) for kind in INVARIANTS]


def scenario_evaluators() -> list[Evaluator[Scenario, RunRecord, object]]:
    """Every check kind's evaluator, `completed` first, then the expectation-free ones the scenario's own
    checks do not already make (`approval` is both: the scenario check asks the same question, with the
    same code, when the scenario requires approval)."""
    return [
        Completed(),
        *(DomainCheck(kind) for kind in CHECK_KINDS),
        *(Invariant(kind) for kind in INVARIANTS if kind not in CHECK_KINDS),
    ]


def _source(check: str) -> Evaluator[Scenario, RunRecord, object]:
    if check in ("completed", "model"):
        return Completed()
    return DomainCheck(check) if check in CHECK_KINDS else Invariant(check)


def evaluation_report(results: EvalResults) -> EvaluationReport[str, RunRecord, None]:
    """A stored run as pydantic-evals' own report (one named assertion per check kind, the run's numbers
    as metrics), so that `report.render(baseline=evaluation_report(earlier))` compares two runs case by
    case, as it compares any two pydantic-evals experiments."""
    repeat = results.settings.repeat
    cases = []
    for scenario, run in results.runs():
        assertions = {
            c.name: EvaluationResult(
                name=c.name, value=c.passed, reason=c.reason or None, source=_source(c.name).as_spec()
            )
            for c in run.checks
        }
        cases.append(
            ReportCase[str, RunRecord, None](
                name=f"{scenario.id} [{run.index}/{repeat}]" if repeat > 1 else scenario.id,
                inputs=scenario.id,
                metadata=None,
                expected_output=None,
                output=run.record,
                metrics=run.metrics.as_case_metrics(),
                attributes={},
                scores={},
                labels={},
                assertions=assertions,
                task_duration=run.metrics.duration_s,
                total_duration=run.metrics.duration_s,
                source_case_name=scenario.id if repeat > 1 else None,
                trace_id=run.trace_id,
            )
        )
    return EvaluationReport(name=results.run_id, cases=cases)
