"""What each turn did, as OpenTelemetry metrics (logfire's metrics API) and as the turn span's attributes.

The session builds one `TurnFacts` per turn and calls `record`: counters and histograms go to whatever
metric exporters tracing set up (Logfire with a token, any OTLP backend), and the same facts go on the
turn's span, from which the local store indexes turns for `trova monitor`. Every point is labelled with
the model and the prompt version, and with the variant's short id and the experiment arm when known
(`labels`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import logfire
from pydantic_ai import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UsageLimitExceeded

# Model error kinds, as the monitor and the alert rules name them.
UNREACHABLE, RATE_LIMITED, BAD_OUTPUT, EMPTY_REPLY, USAGE_LIMIT = (
    "unreachable",
    "rate_limited",
    "bad_output",
    "empty_reply",
    "usage_limit",
)
MODEL_ERROR_KINDS = (UNREACHABLE, RATE_LIMITED, BAD_OUTPUT, EMPTY_REPLY, USAGE_LIMIT)
UNAVAILABLE_PREFIX = "MARKETPLACE UNAVAILABLE"  # how the tools word an unreachable marketplace
# A reply to a draft that only says no (a decline); any other words ask for a change (a revision).
_DECLINE = re.compile(r"^\s*(?:no|nope|nah|cancel|stop|don'?t|do not|no thanks|never mind)?[\s,!.]*$", re.I)

turns = logfire.metric_counter("trova.turns", unit="{turn}", description="Seller turns answered")
conversations_started = logfire.metric_counter(
    "trova.conversations.started", unit="{conversation}", description="Conversations begun (first turn)"
)
conversations_completed = logfire.metric_counter(
    "trova.conversations.completed",
    unit="{conversation}",
    description="Conversations that created their first listing",
)
listings_created = logfire.metric_counter(
    "trova.listings.created", unit="{listing}", description="Listings created after approval"
)
drafts_proposed = logfire.metric_counter(
    "trova.drafts.proposed", unit="{draft}", description="Drafts shown for approval"
)
drafts_answered = logfire.metric_counter(
    "trova.drafts.answered",
    unit="{draft}",
    description="Seller answers to drafts, by answer (approved, declined, revised, asked)",
)
model_errors = logfire.metric_counter(
    "trova.model.errors", unit="{error}", description="Turns the model failed, by kind"
)
tool_errors = logfire.metric_counter(
    "trova.tool.errors", unit="{error}", description="Tool calls that failed, by tool and kind"
)
turn_duration = logfire.metric_histogram("trova.turn.duration", unit="s", description="Turn latency")
tool_duration = logfire.metric_histogram("trova.tool.duration", unit="s", description="Tool call latency")
turn_tokens = logfire.metric_histogram(
    "trova.turn.tokens", unit="{token}", description="Tokens per turn, by type"
)
turn_cost = logfire.metric_histogram(
    "trova.turn.cost", unit="USD", description="Model cost per turn (where prices are known)"
)


def labels(model: str, prompt: str, variant: str | None = None, arm: str | None = None) -> dict[str, str]:
    """The labels every point carries (`arm`: "<experiment>/<arm>" while an experiment serves it)."""
    found = {"model": model, "prompt_version": prompt}
    if variant:
        found["variant"] = variant
    if arm:
        found["experiment_arm"] = arm
    return found


def model_error_kind(error: BaseException) -> str:
    """The kind of a failed turn: the provider unreachable or rate-limited, its output unusable, or the
    conversation's usage limit hit."""
    if isinstance(error, UsageLimitExceeded):
        return USAGE_LIMIT
    if isinstance(error, ModelHTTPError) and error.status_code == 429:
        return RATE_LIMITED
    if isinstance(error, ModelAPIError):
        return UNREACHABLE
    if isinstance(error, UnexpectedModelBehavior):
        return BAD_OUTPUT
    return BAD_OUTPUT


def tool_error_kind(outcome: str | None, message: str) -> str | None:
    """The kind of a tool call's failure (None when it did not fail)."""
    if outcome == "retried":
        return "invalid_args"
    if outcome == "failed":
        if message.startswith(UNAVAILABLE_PREFIX):
            return "unavailable"
        if "refused the seller's credentials" in message:
            return "unauthorized"
        return "failed"
    return None


def is_decline(reply: str) -> bool:
    return bool(_DECLINE.match(reply))


@dataclass
class TurnFacts:
    model: str
    prompt: str
    turn: int
    duration_s: float
    marketplace: str = ""
    variant: str | None = None
    arm: str | None = None  # "<experiment>/<arm>"
    outcome: str = "replied"
    error_kind: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    model_requests: int = 0
    tool_errors: list[tuple[str, str]] = field(default_factory=list)  # (tool, kind)
    drafts: int = 0
    approved: int = 0
    declined: int = 0
    revised: int = 0  # drafts answered with a change (replaced, or asked about before drafting again)
    asked: int = 0  # drafts answered with a question or words that changed nothing, shown again as they were
    created: int = 0
    first_listing: bool = False  # this turn created the conversation's first listing
    price_replaced: int = 0  # created listings whose price is not the one the comparison suggested

    def span_attributes(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "marketplace": self.marketplace,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "model_requests": self.model_requests,
            "tool_errors": [f"{tool}:{kind}" for tool, kind in self.tool_errors],
            "approved": self.approved,
            "declined": self.declined,
            "revised": self.revised,
            "price_replaced": self.price_replaced,
        }
        if self.error_kind:
            found["error_kind"] = self.error_kind
        if self.cost_usd is not None:
            found["cost_usd"] = self.cost_usd
        if self.variant:
            found["variant"] = self.variant
        if self.arm:
            found["experiment_arm"] = self.arm
        return found


def record(facts: TurnFacts) -> None:
    """Emit the turn's metric points."""
    base = labels(facts.model, facts.prompt, facts.variant, facts.arm)
    turns.add(1, {**base, "outcome": facts.outcome})
    if facts.turn == 1:
        conversations_started.add(1, base)
    if facts.first_listing:
        conversations_completed.add(1, base)
    if facts.created:
        listings_created.add(facts.created, base)
    if facts.drafts:
        drafts_proposed.add(facts.drafts, base)
    for answer, count in (
        ("approved", facts.approved),
        ("declined", facts.declined),
        ("revised", facts.revised),
        ("asked", facts.asked),
    ):
        if count:
            drafts_answered.add(count, {**base, "answer": answer})
    if facts.error_kind:
        model_errors.add(1, {**base, "kind": facts.error_kind})
    for tool, kind in facts.tool_errors:
        tool_errors.add(1, {**base, "tool": tool, "kind": kind})
    turn_duration.record(facts.duration_s, base)
    turn_tokens.record(facts.input_tokens, {**base, "type": "input"})
    turn_tokens.record(facts.output_tokens, {**base, "type": "output"})
    if facts.cost_usd is not None:
        turn_cost.record(facts.cost_usd, base)


def record_tool(tool: str, seconds: float, base: dict[str, str]) -> None:
    tool_duration.record(seconds, {**base, "tool": tool})


def suggested_prices(results: Sequence[Any]) -> list[float]:
    """The prices the comparisons suggested (from compare_prices results as data)."""
    return [
        float(r["suggested_price"])
        for r in results
        if isinstance(r, dict) and isinstance(r.get("suggested_price"), int | float)
    ]
