"""Small formatting helpers shared by the reports."""

from __future__ import annotations

from collections.abc import Callable

from evals.results import EvalResults, RepeatResult, ScenarioResult

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
    """Unknown only for a model genai-prices has no price for; a model that costs nothing is $0.00."""
    if value is None:
        return "unknown"
    return "$0.00" if value == 0 else f"${value:,.4f}"


def ranked(results: EvalResults) -> list[ScenarioResult]:
    """The scenarios, what needs a look first."""
    return sorted(results.scenarios, key=lambda s: (STATUS_ORDER[s.status], s.id))


def failure_reasons(scenario: ScenarioResult, limit: int = 3) -> list[str]:
    """The distinct failed checks of a scenario's runs, 'check: reason', most common first."""
    seen: dict[str, int] = {}
    for run in scenario.runs:
        for check in run.failed_checks:
            key = f"{check.name}: {check.reason}"
            seen[key] = seen.get(key, 0) + 1
    return [k for k, _ in sorted(seen.items(), key=lambda kv: -kv[1])][:limit]


def why_it_ended(run: RepeatResult) -> str | None:
    """For a failed run that ended before any listing was made: why the conversation ended (the seller
    stopped at a reply, the turn limit, the script ran out), which the checks' reasons alone do not say."""
    ended = run.record.ended
    # A script that ran out (or a turn limit) after the listing was made is no reason the run failed.
    if run.passed or ended is None or not ended.early or run.record.listings:
        return None
    return ended.describe()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def trace_command(results: EvalResults, trace_id: str) -> str:
    """How to open a run's trace: `trova traces show` when the local store kept it, else just its id
    (it may still be in Logfire or an OTLP backend)."""
    if results.traces_stored:
        return f"trova traces show {trace_id}"
    return f"trace {trace_id} (not in the local store: TROVA_TRACES was off)"


def flagged_runs(results: EvalResults) -> list[str]:
    """'scenario run N' for each run with a simulated-seller turn the guard flagged."""
    return [f"{s.id} run {r.index}" for s, r in results.runs() if r.record.simulator_flags]


def run_notes(results: EvalResults) -> list[str]:
    """What a reader must know before reading the numbers: the run was not of the agent as it ships."""
    settings = results.settings
    notes = []
    if settings.without_tools:
        notes.append(
            f"Ablation: the agent ran without {', '.join(settings.without_tools)}; failures that need it are expected."
        )
    flagged = flagged_runs(results)
    if flagged:
        notes.append(
            f"The simulated seller stated a fact the scenario does not give in {len(flagged)} run(s) "
            f"({', '.join(flagged[:5])}{', …' if len(flagged) > 5 else ''}): their verdicts may test "
            "the simulator, not the agent."
        )
    if settings.tags or settings.filters:
        chosen = ", ".join([*(f"tag {t}" for t in settings.tags), *settings.filters])
        notes.append(f"A subset of the scenarios: {chosen}.")
    return notes


Formatter = Callable[[float | None], str]
METRIC_ROWS: list[tuple[str, str, Formatter]] = [
    ("pass rate", "pass_rate", pct),
    ("pass^k", "pass_k", pct),
    ("tool precision", "tool_precision", pct),
    ("tool recall", "tool_recall", pct),
    ("tool F1", "tool_f1", pct),
    ("order score", "order_score", pct),
    ("argument accuracy", "arg_accuracy", pct),
    ("model requests (mean)", "model_requests_mean", num),
    ("tokens (total)", "tokens_total", lambda v: num(v, 0)),  # whole tokens (a mean is stored as float)
    ("cost", "cost_usd", cost),
    ("latency p50", "latency_p50_s", seconds),
    ("latency p95", "latency_p95_s", seconds),
]


def metric_rows(results: EvalResults) -> list[tuple[str, str]]:
    """(label, shown value) for the suite metrics every report lists."""
    metrics = results.metrics
    return [(label, fmt(metrics.value(key))) for label, key, fmt in METRIC_ROWS]
