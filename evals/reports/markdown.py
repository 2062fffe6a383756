"""A Markdown summary, for a CI job summary ($GITHUB_STEP_SUMMARY and the like)."""

from __future__ import annotations

from evals.reports.common import failure_reasons, metric_rows, ranked, run_notes, shorten
from evals.results import EvalResults

_ICON = {"pass": "✅", "error": "🛑", "fail": "❌", "flaky": "⚠️", "xfail": "➖", "xpass": "❕"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _headline(results: EvalResults) -> str:
    gate = results.gate
    if gate.configuration_error:
        return "not judged (configuration error)"
    return "passed" if gate.passed else "FAILED"


def render_markdown(results: EvalResults) -> str:
    gate = results.gate
    metrics = results.metrics
    lines = [
        f"## Trova scenario eval: {_headline(results)}",
        "",
        f"Model `{results.model}` · prompt `{results.prompt.name}@{results.prompt.version}` · "
        f"tools `{results.tool_schema_hash}` · scenarios `{results.scenario_set_hash}` · "
        f"commit `{(results.git.commit or 'unknown')[:10]}` · repeat {results.settings.repeat}",
        "",
    ]
    notes = run_notes(results)
    lines += [*(f"> **{note}**" for note in notes), ""] if notes else []
    if gate.configuration_error:
        lines += [f"**Configuration error:** {gate.configuration_error}", ""]
    elif not gate.passed:
        lines += ["**Gate:**", *[f"- {r}" for r in gate.reasons], ""]
    lines += ["| metric | value |", "| --- | --- |"]
    lines += [f"| {label} | {shown} |" for label, shown in metric_rows(results)]
    lines += [
        f"| expected failures | {metrics.expected_failures} |",
        f"| runs the model failed | {metrics.errored_runs} |",
        "",
    ]
    lines += ["| scenario | status | passed | pass^k | first failure |", "| --- | --- | --- | --- | --- |"]
    for s in ranked(results):
        reasons = failure_reasons(s, limit=1)
        pk = "n/a" if s.pass_k is None else f"{s.pass_k:.0%}"
        lines.append(
            f"| `{s.id}` | {_ICON[s.status]} {s.status} | {s.passes}/{s.runs_count} | {pk} | "
            f"{_cell(shorten(reasons[0], 300)) if reasons else ''} |"
        )
    lines.append("")
    return "\n".join(lines)
