"""Metrics over runs: per scenario (pass rate, pass^k) and across the suite."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def pass_hat_k(successes: int, trials: int, k: int) -> float:
    """tau-bench's pass^k for one task: the chance that k runs drawn from the n made all succeed,
    C(c, k) / C(n, k). Undefined (nan) when fewer than k runs were made."""
    if k < 1 or trials < k:
        return math.nan
    return math.comb(successes, k) / math.comb(trials, k)


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


@dataclass
class RunStats:
    """What the suite metrics need of one run."""

    passed: bool
    gated: bool  # counted by the gate (not an expected failure of this model)
    precision: float | None
    recall: float | None
    f1: float | None
    order_score: float | None
    arg_accuracy: float | None
    requests: int
    tokens: int
    cost_usd: float | None
    duration_s: float


def suite_metrics(runs_by_scenario: dict[str, list[RunStats]], k: int) -> dict[str, Any]:
    """Suite metrics over gated scenarios (expected failures are reported, not averaged in)."""
    gated = {sid: runs for sid, runs in runs_by_scenario.items() if runs and runs[0].gated}
    runs = [r for rs in gated.values() for r in rs]
    everything = [r for rs in runs_by_scenario.values() for r in rs]
    per_task = [pass_hat_k(sum(r.passed for r in rs), len(rs), k) for rs in gated.values()]
    per_task = [p for p in per_task if not math.isnan(p)]
    costs = [r.cost_usd for r in everything]
    durations = [r.duration_s for r in everything]
    return {
        "scenarios": len(runs_by_scenario),
        "gated_scenarios": len(gated),
        "runs": len(everything),
        "pass_rate": sum(r.passed for r in runs) / len(runs) if runs else None,
        "pass_k": _mean(per_task),
        "k": k,
        "tool_precision": _mean([r.precision for r in runs if r.precision is not None]),
        "tool_recall": _mean([r.recall for r in runs if r.recall is not None]),
        "tool_f1": _mean([r.f1 for r in runs if r.f1 is not None]),
        "order_score": _mean([r.order_score for r in runs if r.order_score is not None]),
        "arg_accuracy": _mean([r.arg_accuracy for r in runs if r.arg_accuracy is not None]),
        "model_requests_mean": _mean([float(r.requests) for r in everything]),
        "model_requests_total": sum(r.requests for r in everything),
        "tokens_total": sum(r.tokens for r in everything),
        "tokens_mean": _mean([float(r.tokens) for r in everything]),
        # One run the prices don't know makes the total unknown, rather than silently too low.
        "cost_usd": None if any(c is None for c in costs) else sum(c for c in costs if c is not None),
        "latency_p50_s": percentile(durations, 0.5),
        "latency_p95_s": percentile(durations, 0.95),
    }


def run_cost(model_name: str, input_tokens: int, output_tokens: int) -> float | None:
    """Cost in USD from genai-prices, or None when the model is unknown to it (the offline model)."""
    if ":" not in model_name:
        return None
    from genai_prices import Usage, calc_price

    # genai-prices knows pydantic-ai's provider names (openai-chat, google-gla, ...) as aliases.
    provider, _, model = model_name.partition(":")
    try:
        price = calc_price(
            Usage(input_tokens=input_tokens, output_tokens=output_tokens),
            model_ref=model,
            provider_id=provider,
        )
    except LookupError:
        return None
    return float(price.total_price)
