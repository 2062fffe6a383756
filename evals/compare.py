"""`trova eval compare A B`: what changed between two runs, regressions first."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from agent.prompts import PromptRefError, find_version
from agent.stats import wilson
from evals.comparison import PairedComparison, compare_pair
from evals.reports.common import METRIC_ROWS, failure_reasons
from evals.results import EvalResults, ScenarioResult, Status

_PERCENT_KEYS = {
    "pass_rate",
    "pass_k",
    "tool_precision",
    "tool_recall",
    "tool_f1",
    "order_score",
    "arg_accuracy",
}
Change = Literal["regressed", "removed", "improved", "added", "unchanged"]
_ORDER: dict[Change, int] = {"regressed": 0, "removed": 1, "improved": 2, "added": 3, "unchanged": 4}


class SettingChange(BaseModel):
    """Something about the runs themselves that differs (model, prompt, tools, scenario set ...)."""

    what: str
    before: str
    after: str
    detail: str | None = None


class MetricDelta(BaseModel):
    metric: str
    key: str
    before: float | None
    after: float | None
    delta: float | None


class ScenarioChange(BaseModel):
    id: str
    change: Change
    before: float | None  # pass rates
    after: float | None
    status_before: Status | None = None
    status_after: Status | None = None
    edited: bool = False
    reasons: list[str] = []
    # The pass rates' 95% Wilson intervals.
    before_low: float | None = None
    before_high: float | None = None
    after_low: float | None = None
    after_high: float | None = None


class RunDiff(BaseModel):
    a: str
    b: str
    changed: list[SettingChange]
    metrics: list[MetricDelta]
    scenarios: list[ScenarioChange]
    regressions: int
    paired: PairedComparison  # b against a over the scenarios (evals/comparison.py)
    prompt_diff: str | None = None  # a unified diff, when the prompt versions differ
    prompt_note: str | None = None  # why there is no diff although they differ


_SETTINGS: list[tuple[str, Callable[[EvalResults], str]]] = [
    ("model", lambda r: r.model),
    ("prompt version", lambda r: f"{r.prompt.name}@{r.prompt.version}"),
    ("tool schemas", lambda r: r.tool_schema_hash),
    ("tools", lambda r: ", ".join(r.tools)),
    (
        "model settings",
        # "none" rather than an empty string: "changed: model settings:  → temperature=0" read as a typo.
        lambda r: (
            ", ".join(f"{k}={v}" for k, v in sorted(r.variant.settings.items() if r.variant else []))
            or "none"
        ),
    ),
    ("scenario set", lambda r: r.scenario_set_hash),
    ("git commit", lambda r: (r.git.commit or "unknown")[:12]),
    ("repeat", lambda r: str(r.settings.repeat)),
]


def _scenario_change(sid: str, before: ScenarioResult | None, after: ScenarioResult | None) -> ScenarioChange:
    if before is None or after is None:
        only = after or before
        assert only is not None
        return ScenarioChange(
            id=sid,
            change="added" if before is None else "removed",
            before=None if before is None else only.pass_rate,
            after=None if after is None else only.pass_rate,
        )
    delta = after.pass_rate - before.pass_rate
    kind: Change = "regressed" if delta < -1e-9 else "improved" if delta > 1e-9 else "unchanged"
    # An edited scenario file can change a verdict as much as the agent can: say so next to it.
    edited = bool(before.file_sha and after.file_sha and before.file_sha != after.file_sha)
    reasons = ["the scenario file was edited between the runs"] if edited else []
    if kind == "regressed":
        reasons += failure_reasons(after, limit=3)
    old, new = wilson(before.passes, before.runs_count), wilson(after.passes, after.runs_count)
    return ScenarioChange(
        id=sid,
        change=kind,
        before=before.pass_rate,
        after=after.pass_rate,
        status_before=before.status,
        status_after=after.status,
        edited=edited,
        reasons=reasons,
        before_low=old.low if before.runs_count else None,
        before_high=old.high if before.runs_count else None,
        after_low=new.low if after.runs_count else None,
        after_high=new.high if after.runs_count else None,
    )


def compare_runs(a: EvalResults, b: EvalResults) -> RunDiff:
    """How run `b` differs from run `a` (the earlier or baseline run)."""
    changed = [
        SettingChange(what=label, before=get(a), after=get(b)) for label, get in _SETTINGS if get(a) != get(b)
    ]
    metrics = []
    for label, key, _fmt in METRIC_ROWS:
        before, after = a.metrics.value(key), b.metrics.value(key)
        delta = after - before if before is not None and after is not None else None
        metrics.append(MetricDelta(metric=label, key=key, before=before, after=after, delta=delta))
    old = {s.id: s for s in a.scenarios}
    new = {s.id: s for s in b.scenarios}
    scenarios = [_scenario_change(sid, old.get(sid), new.get(sid)) for sid in sorted(set(old) | set(new))]
    scenarios.sort(key=lambda s: (_ORDER[s.change], s.id))
    for entry in changed:
        if entry.what == "scenario set":
            groups = {
                "edited": [s.id for s in scenarios if s.edited],
                "added": [s.id for s in scenarios if s.change == "added"],
                "removed": [s.id for s in scenarios if s.change == "removed"],
            }
            entry.detail = "; ".join(f"{label}: {', '.join(ids)}" for label, ids in groups.items() if ids)
    diff, note = prompt_diff(f"{a.prompt.name}@{a.prompt.version}", f"{b.prompt.name}@{b.prompt.version}")
    return RunDiff(
        a=a.run_id,
        b=b.run_id,
        changed=changed,
        metrics=metrics,
        scenarios=scenarios,
        regressions=sum(1 for s in scenarios if s.change == "regressed"),
        paired=compare_pair(("A", a), ("B", b)),
        prompt_diff=diff,
        prompt_note=note,
    )


def prompt_diff(a: str, b: str, context: int = 3) -> tuple[str | None, str | None]:
    """A unified diff of two prompt versions (NAME@VERSION), or why there is none: (diff, note)."""
    if a == b:
        return None, None
    texts = []
    for ref in (a, b):
        name, _, version = ref.partition("@")
        try:
            texts.append(find_version(name, version).text)
        except PromptRefError as e:
            return None, f"the text of {ref} is not known here, so no diff ({e})"
    lines = difflib.unified_diff(
        texts[0].splitlines(keepends=True),
        texts[1].splitlines(keepends=True),
        fromfile=a,
        tofile=b,
        n=context,
    )
    return "".join(lines), None


def format_delta(key: str, delta: float | None) -> str:
    """A metric's change, in the unit its values are shown in (points for rates, ms for latency ...)."""
    if delta is None:
        return ""
    if key in _PERCENT_KEYS:
        return f"{delta * 100:+.1f} pts"
    shown = {k: f for _label, k, f in METRIC_ROWS}.get(key)
    if shown is None:
        return f"{delta:+,.3f}" if isinstance(delta, float) else f"{delta:+,}"
    return ("+" if delta >= 0 else "-") + shown(abs(delta))
