"""An eval run's results, typed end to end: run → scenario → repeat → checks, calls, metrics, trace id.

`results.json` in a run's folder is this model as JSON, with a schema version; every report, `trova eval
compare`, `--baseline` and the CLI read it through `load_results`. A file written by an older trova is
migrated on reading; one of an unknown or newer version is refused with a message saying which.

Versions: 1 (format 'trova-eval-results/1') plain dictionaries; 2 the typed model; 3 the run's variant
inside it (version 2 runs kept it in `variant.json` beside the file, read in when there); 4 why each
conversation ended (`record.ended`) and a run that could not be configured (`gate.configuration_error`),
both absent from older files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.variants import Variant
from evals.driver import RunRecord

RESULTS_FORMAT: Final = "trova-eval-results"
SCHEMA_VERSION: Final = 4
_V1_FORMAT = "trova-eval-results/1"  # before the schema version: plain dictionaries, call ids inside calls

Status = Literal["pass", "fail", "flaky", "xfail", "xpass", "error"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckOutcome(_Model):
    """One check kind's verdict on one run (one pydantic-evals assertion)."""

    name: str
    passed: bool
    reason: str = ""


class RunMetrics(_Model):
    """One run's numbers (pydantic-evals case metrics). The trajectory scores are None when the run made
    no trajectory worth scoring (it crashed, or the provider failed) or the scenario expects no calls."""

    tool_precision: float | None = None
    tool_recall: float | None = None
    tool_f1: float | None = None
    order_score: float | None = None
    arg_accuracy: float | None = None
    model_requests: int = 0
    tokens: int = 0
    cost_usd: float | None = None
    duration_s: float = 0.0
    model_time_s: float = 0.0
    first_divergence: int | None = None

    @classmethod
    def from_case(cls, metrics: dict[str, int | float]) -> RunMetrics:
        """From a pydantic-evals case's metrics (keys it does not know, such as ones pydantic-evals adds, are left)."""
        return cls.model_validate({k: v for k, v in metrics.items() if k in cls.model_fields})

    def as_case_metrics(self) -> dict[str, int | float]:
        """As pydantic-evals case metrics: numbers only, an unknown one left out."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class RepeatResult(_Model):
    """One run (one repeat) of a scenario."""

    index: int = Field(ge=1)
    passed: bool
    errored: bool = False  # the provider failed a model request: the run tested the provider, not the agent
    checks: list[CheckOutcome]
    metrics: RunMetrics
    trace_id: str | None = None
    record: RunRecord  # the conversation, its tool calls, the marketplace's end state

    @property
    def failed_checks(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed]


class ScenarioResult(_Model):
    id: str
    description: str
    tags: list[str] = Field(default_factory=list)
    file: str
    file_sha: str
    expected_failure: bool = False
    status: Status
    errored: int = 0
    passes: int
    runs_count: int
    pass_rate: float
    pass_k: float | None = None
    runs: list[RepeatResult]


class SuiteMetrics(_Model):
    """Across the suite: rates over gated scenarios (expected failures are reported, not averaged in)."""

    scenarios: int
    gated_scenarios: int
    runs: int
    pass_rate: float | None = None
    pass_k: float | None = None
    k: int
    tool_precision: float | None = None
    tool_recall: float | None = None
    tool_f1: float | None = None
    order_score: float | None = None
    arg_accuracy: float | None = None
    model_requests_mean: float | None = None
    model_requests_total: int = 0
    tokens_total: int = 0
    tokens_mean: float | None = None
    cost_usd: float | None = None
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None
    expected_failures: int = 0
    errored_runs: int = 0

    def value(self, key: str) -> float | None:
        """A metric by its name (the reports' metric rows)."""
        number = getattr(self, key)
        if number is not None and not isinstance(number, int | float):
            raise KeyError(f"{key} is not a suite metric")
        return number


class Regression(_Model):
    id: str
    before: float
    after: float


class GateVerdict(_Model):
    passed: bool
    reasons: list[str] = Field(default_factory=list)
    regressions: list[Regression] = Field(default_factory=list)
    # The run could not be configured (recordings that do not answer it, a model failing every request):
    # nothing was judged, and the reports say this instead of a verdict.
    configuration_error: str | None = None


class PromptRef(_Model):
    name: str
    version: str


class GitState(_Model):
    commit: str | None = None
    dirty: bool | None = None


class RunSettings(_Model):
    repeat: int = 1
    concurrency: int = 1
    workers: int = 1
    tags: list[str] = Field(default_factory=list)
    filters: list[str] = Field(default_factory=list)
    min_pass_rate: float = 1.0
    min_pass_k: float | None = None
    k: int = 1
    without_tools: list[str] = Field(default_factory=list)
    baseline: str | None = None  # the baseline run's id


class EvalResults(_Model):
    """A whole eval run, as `results.json` holds it."""

    format: Literal["trova-eval-results"] = RESULTS_FORMAT
    schema_version: Literal[4] = SCHEMA_VERSION
    run_id: str
    model: str
    # What drove the run: prompt version, model, its settings, the tools as the model saw them (None only in
    # runs migrated from before variants were recorded).
    variant: Variant | None = None
    seller: str
    prompt: PromptRef
    tool_schema_hash: str
    tools: list[str] = Field(default_factory=list)
    git: GitState = Field(default_factory=GitState)
    scenario_set_hash: str
    traces_stored: bool = True
    started_at: str
    finished_at: str
    duration_s: float
    settings: RunSettings
    metrics: SuiteMetrics
    gate: GateVerdict
    scenarios: list[ScenarioResult]

    def runs(self) -> list[tuple[ScenarioResult, RepeatResult]]:
        return [(s, r) for s in self.scenarios for r in s.runs]

    def to_json(self) -> str:
        return self.model_dump_json(indent=1) + "\n"

    def write(self, path: Path) -> Path:
        path.write_text(self.to_json(), encoding="utf-8")
        return path


class ResultsError(ValueError):
    """A file that is not an eval run's results, or of a version this trova cannot read."""


def load_results(path: Path) -> EvalResults:
    """A run's results from its folder or its results.json (an older file is migrated)."""
    file = path / "results.json" if path.is_dir() else path
    if not file.is_file() and path.is_dir() and (path / "comparison.json").is_file():
        # `eval run --variant ...` writes each variant's own run in a folder beside its comparison.
        runs = sorted(str(d) for d in path.iterdir() if (d / "results.json").is_file())
        raise FileNotFoundError(
            f"{path} holds a comparison of variants, not one run: give a variant's run ({', '.join(runs)})"
        )
    if not file.is_file():
        raise FileNotFoundError(f"no eval results at {path} (expected a run folder or its results.json)")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ResultsError(f"{file} is not a results document (not JSON: {e})") from e
    return parse_results(data, str(file), beside=file.parent)


def parse_results(data: object, source: str = "results", beside: Path | None = None) -> EvalResults:
    """`beside`: the folder the document was read from (an older run kept its variant there)."""
    if not isinstance(data, dict):
        raise ResultsError(f"{source} is not a results document (not a JSON object)")
    data = _migrated(data, source, beside)
    try:
        return EvalResults.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ResultsError(
            f"{source} is not a valid schema-version-{SCHEMA_VERSION} results document: {where}: "
            f"{first['msg']} ({e.error_count()} problem(s))"
        ) from e


def _migrated(data: dict[str, Any], source: str, beside: Path | None = None) -> dict[str, Any]:
    """The document in the current schema (files from older trova versions are upgraded)."""
    form = data.get("format")
    if form == _V1_FORMAT:
        return _from_v3(_from_v2(_from_v1(data), beside))
    if form != RESULTS_FORMAT:
        raise ResultsError(
            f"{source} is not a results document (format {form!r}, expected {RESULTS_FORMAT!r})"
        )
    version = data.get("schema_version")
    if version == 2:
        return _from_v3(_from_v2(data, beside))
    if version == 3:
        return _from_v3(data)
    if version != SCHEMA_VERSION:
        newer = isinstance(version, int) and version > SCHEMA_VERSION
        raise ResultsError(
            f"{source} has results schema version {version!r}; this trova reads version {SCHEMA_VERSION}"
            + (" (the file is newer: update trova to read it)" if newer else "")
        )
    return data


def _from_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (format 'trova-eval-results/1'): each call carried its id, and a run had no trace id of its own."""
    upgraded = {**data, "format": RESULTS_FORMAT, "schema_version": 2}
    scenarios = []
    for scenario in data.get("scenarios", []):
        runs = []
        for run in scenario.get("runs", []):
            record = dict(run.get("record", {}))
            calls = [dict(c) for c in record.get("calls", [])]
            ids = [str(c.pop("call_id", "")) for c in calls]
            record.update(calls=calls, call_ids=record.get("call_ids") or ids)
            runs.append({**run, "record": record, "trace_id": record.get("trace_id")})
        scenarios.append({**scenario, "runs": runs})
    upgraded["scenarios"] = scenarios
    return upgraded


def _from_v2(data: dict[str, Any], beside: Path | None) -> dict[str, Any]:
    """Version 2: the variant was written to `variant.json` beside the results (with its id, derived)."""
    variant: object = None
    file = beside / "variant.json" if beside is not None else None
    if file is not None and file.is_file():
        try:
            kept = json.loads(file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            kept = None
        if isinstance(kept, dict):
            variant = {k: v for k, v in kept.items() if k in Variant.model_fields}
    return {**data, "schema_version": 3, "variant": variant}


def _from_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3: what version 4 adds is optional (no ending recorded, no configuration error)."""
    return {**data, "schema_version": SCHEMA_VERSION}
