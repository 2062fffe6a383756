"""The domain checks as pydantic-evals evaluators: one evaluator per check kind, so that pydantic-evals'
report (and `render(baseline=...)`) names each kind's verdict, a check that raises fails only its own kind,
and each can be sampled on its own.

They read nothing but the scenario (the case's inputs) and the run record (the task's output): no state
of the runner. So the same evaluators judge a stored run again (`pydantic_evals.online.run_evaluators`
on a results.json record) and can judge live conversations through pydantic-evals' online evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic_evals.evaluators import EvaluationReason, EvaluationResult, Evaluator, EvaluatorContext
from pydantic_evals.reporting import EvaluationReport, ReportCase

from evals.checks import CHECKS, CheckResult
from evals.driver import RunRecord
from evals.results import EvalResults
from evals.schema import Scenario

CheckFunction = Callable[[Scenario, RunRecord], CheckResult | None]
# Each check kind by its name (the function's, without the underscore): `tools`, `never`, `approval` ...
CHECK_KINDS: dict[str, CheckFunction] = {fn.__name__.lstrip("_"): fn for fn in CHECKS}
Context = EvaluatorContext[Scenario, RunRecord, object]


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


def scenario_evaluators() -> list[Evaluator[Scenario, RunRecord, object]]:
    """Every check kind's evaluator, `completed` first."""
    return [Completed(), *(DomainCheck(kind) for kind in CHECK_KINDS)]


def _source(check: str) -> Evaluator[Scenario, RunRecord, object]:
    return Completed() if check in ("completed", "model") else DomainCheck(check)


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
