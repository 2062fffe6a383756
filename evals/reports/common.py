"""Small formatting helpers shared by the reports."""

from __future__ import annotations

from typing import Any

# How the reports rank scenarios: what needs a look first. "error": every run failed in the provider.
STATUS_ORDER = {"error": 0, "fail": 1, "flaky": 2, "xpass": 3, "xfail": 4, "pass": 5}
FAILING = ("error", "fail", "flaky")


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def seconds(value: float | None) -> str:
    return "n/a" if value is None else (f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s")


def cost(value: float | None) -> str:
    return "unknown" if value is None else f"${value:,.4f}"


def failure_reasons(scenario: dict[str, Any], limit: int = 3) -> list[str]:
    """The distinct failed checks of a scenario's runs, 'check: reason', most common first."""
    seen: dict[str, int] = {}
    for run in scenario["runs"]:
        for check in run["checks"]:
            if not check["passed"]:
                key = f"{check['name']}: {check['reason']}"
                seen[key] = seen.get(key, 0) + 1
    return [k for k, _ in sorted(seen.items(), key=lambda kv: -kv[1])][:limit]


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def trace_command(results: dict[str, Any], trace_id: str) -> str:
    """How to open a run's trace: `trova traces show` when the local store kept it, else just its id
    (it may still be in Logfire or an OTLP backend)."""
    if results.get("traces_stored", True):
        return f"trova traces show {trace_id}"
    return f"trace {trace_id} (not in the local store: TROVA_TRACES was off)"


def flagged_runs(results: dict[str, Any]) -> list[str]:
    """'scenario run N' for each run with a simulated-seller turn the guard flagged."""
    return [
        f"{s['id']} run {r['index']}"
        for s in results["scenarios"]
        for r in s["runs"]
        if r["record"].get("simulator_flags")
    ]


def run_notes(results: dict[str, Any]) -> list[str]:
    """What a reader must know before reading the numbers: the run was not of the agent as it ships."""
    settings = results.get("settings", {})
    notes = []
    if settings.get("without_tools"):
        notes.append(
            f"Ablation: the agent ran without {', '.join(settings['without_tools'])}; failures that need it are expected."
        )
    flagged = flagged_runs(results)
    if flagged:
        notes.append(
            f"The simulated seller stated a fact the scenario does not give in {len(flagged)} run(s) "
            f"({', '.join(flagged[:5])}{', …' if len(flagged) > 5 else ''}): their verdicts may test "
            "the simulator, not the agent."
        )
    if settings.get("tags") or settings.get("filters"):
        chosen = ", ".join([*(f"tag {t}" for t in settings.get("tags", [])), *settings.get("filters", [])])
        notes.append(f"A subset of the scenarios: {chosen}.")
    return notes


METRIC_ROWS = [
    ("pass rate", "pass_rate", pct),
    ("pass^k", "pass_k", pct),
    ("tool precision", "tool_precision", pct),
    ("tool recall", "tool_recall", pct),
    ("tool F1", "tool_f1", pct),
    ("order score", "order_score", pct),
    ("argument accuracy", "arg_accuracy", pct),
    ("model requests (mean)", "model_requests_mean", num),
    ("tokens (total)", "tokens_total", num),
    ("cost", "cost_usd", cost),
    ("latency p50", "latency_p50_s", seconds),
    ("latency p95", "latency_p95_s", seconds),
]
