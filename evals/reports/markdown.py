"""A Markdown summary, for a CI job summary ($GITHUB_STEP_SUMMARY and the like)."""

from __future__ import annotations

from typing import Any

from evals.reports.common import METRIC_ROWS, STATUS_ORDER, failure_reasons, run_notes, shorten

_ICON = {"pass": "✅", "error": "🛑", "fail": "❌", "flaky": "⚠️", "xfail": "➖", "xpass": "❕"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(results: dict[str, Any]) -> str:
    gate = results["gate"]
    metrics = results["metrics"]
    lines = [
        f"## Trova scenario eval: {'passed' if gate['passed'] else 'FAILED'}",
        "",
        f"Model `{results['model']}` · prompt `{results['prompt']['name']}@{results['prompt']['version']}` · "
        f"tools `{results['tool_schema_hash']}` · scenarios `{results['scenario_set_hash']}` · "
        f"commit `{(results['git'].get('commit') or 'unknown')[:10]}` · repeat {results['settings']['repeat']}",
        "",
    ]
    notes = run_notes(results)
    lines += [*(f"> **{note}**" for note in notes), ""] if notes else []
    if not gate["passed"]:
        lines += ["**Gate:**", *[f"- {r}" for r in gate["reasons"]], ""]
    lines += ["| metric | value |", "| --- | --- |"]
    lines += [f"| {label} | {fmt(metrics.get(key))} |" for label, key, fmt in METRIC_ROWS]
    lines += [
        f"| expected failures | {metrics.get('expected_failures', 0)} |",
        f"| runs the model failed | {metrics.get('errored_runs', 0)} |",
        "",
    ]
    lines += ["| scenario | status | passed | pass^k | first failure |", "| --- | --- | --- | --- | --- |"]
    for s in sorted(results["scenarios"], key=lambda s: (STATUS_ORDER[s["status"]], s["id"])):
        reasons = failure_reasons(s, limit=1)
        pk = "n/a" if s["pass_k"] is None else f"{s['pass_k']:.0%}"
        lines.append(
            f"| `{s['id']}` | {_ICON[s['status']]} {s['status']} | {s['passes']}/{s['runs_count']} | {pk} | "
            f"{_cell(shorten(reasons[0], 300)) if reasons else ''} |"
        )
    lines.append("")
    return "\n".join(lines)
