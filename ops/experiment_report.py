"""`trova experiment report`: each arm's figures from the store, each against the control with a 95%
confidence interval, and a warning while the samples are too small to tell.

The unit is the conversation (what the experiment assigns). Rates whose unit is a conversation (completion,
first-draft approval, thumbs-up) get Newcombe's interval for a difference of two proportions; figures made of
sums over conversations (error rates over turns and calls, edits per approved draft, tokens and cost per
listing, turns and time to a listing) get a bootstrap over conversations, which keeps a conversation's turns
together (they are not independent of each other).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from agent.stats import Interval, newcombe, ratio_difference
from ops.counts import counted
from ops.edits import on_approved_draft
from ops.experiments import Experiment, ExperimentStore, Guardrails, Status, arm_health
from ops.feedback import EDITABLE_FIELDS
from ops.monitor import EVAL_MARKETPLACE
from ops.store import OpsStore

RESAMPLES = 2000  # bootstrap resamples per figure (the report is read on a page: keep it quick)
Verdict = Literal["better", "worse", "no detectable difference", "too few", "n/a"]


@dataclass
class Outcome:
    """One conversation, as the report counts it."""

    arm: str
    turns: int = 0
    named_item: bool = False  # the agent looked something up: the seller named something to sell
    created: int = 0
    turns_to_listing: int | None = None
    seconds_to_listing: float | None = None
    first_answer: str | None = None  # approved | declined | revised: the seller's answer to the first draft
    model_errors: int = 0
    tool_calls: int = 0
    tool_errors: int = 0
    tokens: int = 0
    cost: float | None = 0.0  # None: a turn's model has no known price
    rating: int | None = None
    approvals: int = 0
    edits: Counter[str] = field(default_factory=Counter)
    started_ns: int = 0


def outcomes(store: OpsStore, name: str) -> dict[str, list[Outcome]]:
    """Each arm's conversations that have at least one turn in the store."""
    found: dict[str, Outcome] = {}
    with store.connect() as conn:
        for row in conn.execute(
            "SELECT c.arm, t.conversation_id, t.start_ns, t.duration_ms, t.error_kind, t.tool_calls,"
            " t.tool_errors, t.approved, t.declined, t.revised, t.created, t.input_tokens, t.output_tokens,"
            " t.cost_usd FROM experiment_conversations c JOIN turns t ON t.conversation_id = c.conversation_id"
            " WHERE c.experiment = ? AND (t.marketplace IS NULL OR t.marketplace != ?)"
            " ORDER BY t.conversation_id, t.start_ns",
            (name, EVAL_MARKETPLACE),
        ):
            arm, conversation, start, ms, error, calls, failed, approved, declined, revised, created = row[
                :11
            ]
            tokens_in, tokens_out, cost = row[11:]
            o = found.setdefault(conversation, Outcome(arm, started_ns=start))
            o.turns += 1
            o.named_item = o.named_item or calls > 0
            o.model_errors += error is not None
            o.tool_calls += calls
            o.tool_errors += failed
            o.tokens += tokens_in + tokens_out
            o.cost = None if o.cost is None or cost is None else o.cost + cost
            if o.first_answer is None and (approved or declined or revised):
                o.first_answer = "approved" if approved else "declined" if declined else "revised"
            if created and not o.created:
                o.turns_to_listing = o.turns
                o.seconds_to_listing = (start + ms * 1e6 - o.started_ns) / 1e9
            o.created += created
        for conversation, kind, rating, edited, kept in conn.execute(
            f"SELECT f.conversation_id, f.kind, f.rating, f.field, {on_approved_draft('f')} FROM feedback f"
            " JOIN experiment_conversations c ON c.conversation_id = f.conversation_id WHERE c.experiment = ?"
            " ORDER BY f.id",
            (name,),
        ):
            rated = found.get(conversation)
            if rated is None:
                continue
            if kind == "rating":
                rated.rating = rating
            elif kind == "approval":
                rated.approvals += 1
            elif kind == "edit" or (kind == "typed_edit" and kept):
                # On the card, or typed in words ("make it 10 dollars more") on a draft then approved: the
                # same changes `trova feedback`'s change rate counts (ops.edits).
                rated.edits[edited] += 1
    by_arm: dict[str, list[Outcome]] = {}
    for o in found.values():
        by_arm.setdefault(o.arm, []).append(o)
    return by_arm


Pair = tuple[float, float]  # (top, bottom) of a ratio of sums over conversations


@dataclass(frozen=True)
class MetricDef:
    key: str
    label: str
    unit: str  # % n s $ f (as the admin pages format)
    higher_is_better: bool
    units: Callable[[Outcome], bool]  # the conversations it is measured on
    share: Callable[[Outcome], bool] | None = None  # a proportion of them: Newcombe's interval
    pair: Callable[[Outcome], Pair | None] | None = None  # else a ratio of sums: a bootstrap interval


def _edits(name: str) -> MetricDef:
    return MetricDef(
        f"edits_per_draft.{name}",
        f"edits of {name} per approved draft",
        "f",
        False,
        lambda o: o.approvals > 0,
        pair=lambda o: (float(o.edits[name]), float(o.approvals)),
    )


def _once(value: float | None) -> Pair | None:
    return None if value is None else (value, 1.0)


METRICS: list[MetricDef] = [
    MetricDef(
        "completion_rate",
        "completion rate (a listing per conversation that named an item)",
        "%",
        True,
        lambda o: o.named_item,
        share=lambda o: o.created > 0,
    ),
    MetricDef(
        "first_draft_approval_rate",
        "first-draft approval rate",
        "%",
        True,
        lambda o: o.first_answer is not None,
        share=lambda o: o.first_answer == "approved",
    ),
    *(_edits(f) for f in EDITABLE_FIELDS),
    MetricDef(
        "turns_to_listing",
        "turns to a listing",
        "f",
        False,
        lambda o: o.created > 0,
        pair=lambda o: _once(o.turns_to_listing),
    ),
    MetricDef(
        "seconds_to_listing",
        "wall time to a listing",
        "s",
        False,
        lambda o: o.created > 0,
        pair=lambda o: _once(o.seconds_to_listing),
    ),
    MetricDef(
        "model_error_rate",
        "model error rate (per turn)",
        "%",
        False,
        lambda o: o.turns > 0,
        pair=lambda o: (float(o.model_errors), float(o.turns)),
    ),
    MetricDef(
        "tool_error_rate",
        "tool error rate (per call)",
        "%",
        False,
        lambda o: o.tool_calls > 0,
        pair=lambda o: (float(o.tool_errors), float(o.tool_calls)),
    ),
    MetricDef(
        "tokens_per_listing",
        "tokens per listing",
        "n",
        False,
        lambda o: o.turns > 0,
        pair=lambda o: (float(o.tokens), float(o.created)),
    ),
    MetricDef(
        "cost_per_listing",
        "cost per listing",
        "$",
        False,
        lambda o: o.turns > 0,
        pair=lambda o: None if o.cost is None else (o.cost, float(o.created)),
    ),
    MetricDef(
        "thumbs_up_rate",
        "thumbs-up rate",
        "%",
        True,
        lambda o: o.rating is not None,
        share=lambda o: (o.rating or 0) > 0,
    ),
]


def _pairs(metric: MetricDef, units: Sequence[Outcome]) -> list[Pair] | None:
    """The metric's (top, bottom) per conversation; None when one is unknown (a model with no price)."""
    assert metric.pair is not None
    pairs = [metric.pair(o) for o in units]
    return None if any(p is None for p in pairs) else [p for p in pairs if p is not None]


def _ratio(pairs: Sequence[Pair] | None) -> float | None:
    if not pairs:
        return None
    under = sum(b for _, b in pairs)
    return sum(t for t, _ in pairs) / under if under else None


class MetricRow(BaseModel):
    key: str
    label: str
    unit: str
    higher_is_better: bool
    value: float | None
    n: int  # conversations it is measured on
    difference: float | None = None  # against the control (this arm's value minus the control's)
    low: float | None = None  # its 95% interval
    high: float | None = None
    method: str | None = None  # newcombe | bootstrap
    verdict: Verdict = "n/a"


class ArmReport(BaseModel):
    name: str
    label: str
    variant: str  # the spec
    variant_id: str | None
    weight: float
    control: bool
    state: Literal["control", "not started", "running", "stopped", "ended"]
    stopped_reason: str | None = None
    sellers: int
    conversations: int
    too_few: bool
    turns: int
    p95_turn_latency_s: float | None
    verdict: Verdict
    worse_on: list[str]
    better_on: list[str]
    metrics: list[MetricRow]


class EventRow(BaseModel):
    at: str
    kind: str
    arm: str | None
    detail: str | None


class ExperimentReport(BaseModel):
    name: str
    description: str
    status: Status
    control: str
    promoted: str | None
    min_conversations: int
    guardrails: Guardrails
    arms: list[ArmReport]
    events: list[EventRow]
    warnings: list[str]
    methods: str = (
        "95% intervals against the control: Newcombe's for rates per conversation, a bootstrap over "
        "conversations for the others; 'better'/'worse' when the interval excludes no difference"
    )


def _row(
    metric: MetricDef, arm: Sequence[Outcome], control: Sequence[Outcome] | None, too_few: bool
) -> MetricRow:
    units = [o for o in arm if metric.units(o)]
    base = [o for o in control if metric.units(o)] if control is not None else None
    interval: Interval | None = None
    base_value: float | None = None
    if metric.share is not None:
        hits = sum(1 for o in units if metric.share(o))
        value = hits / len(units) if units else None
        if base:
            base_hits = sum(1 for o in base if metric.share(o))
            base_value = base_hits / len(base)
            if units:
                interval = newcombe(base_hits, len(base), hits, len(units))
    else:
        pairs = _pairs(metric, units)
        value = _ratio(pairs)
        if base:
            base_pairs = _pairs(metric, base)
            base_value = _ratio(base_pairs)
            if pairs and base_pairs:
                interval = ratio_difference(base_pairs, pairs, resamples=RESAMPLES)
    row = MetricRow(
        key=metric.key,
        label=metric.label,
        unit=metric.unit,
        higher_is_better=metric.higher_is_better,
        value=value,
        n=len(units),
        method=None if control is None else "newcombe" if metric.share is not None else "bootstrap",
    )
    if value is None or base_value is None or interval is None:
        return row
    row.difference, row.low, row.high = value - base_value, interval.low, interval.high
    if too_few:
        row.verdict = "too few"
    elif interval.excludes_zero():
        up = interval.low > 0
        row.verdict = "better" if up == metric.higher_is_better else "worse"
    else:
        row.verdict = "no detectable difference"
    return row


def experiment_report(store: OpsStore, experiment: Experiment) -> ExperimentReport:
    name = experiment.name
    experiments = ExperimentStore(store)
    served = experiments.definition(name) or experiment  # the experiment as it was served
    state = experiments.state(name)
    by_arm = outcomes(store, name)
    served_arms = experiments.served(name)
    with store.connect() as conn:
        health = arm_health(conn, name)
    control = by_arm.get(served.control, [])
    warnings = []
    arms = []
    for arm, config in served.arms.items():
        mine = by_arm.get(arm, [])
        is_control = arm == served.control
        too_few = len(mine) < served.min_conversations or len(control) < served.min_conversations
        rows = [_row(m, mine, None if is_control else control, too_few) for m in METRICS]
        worse = [r.label for r in rows if r.verdict == "worse"]
        better = [r.label for r in rows if r.verdict == "better"]
        verdict: Verdict = (
            "n/a"
            if is_control
            else "too few"
            if too_few
            else "worse"
            if worse
            else "better"
            if better
            else "no detectable difference"
        )
        if too_few and not is_control:
            warnings.append(
                f"{arm}: {counted(len(mine), 'conversation')} against the control's {len(control)}; the report calls a "
                f"difference from {served.min_conversations} each (too few to tell yet)"
            )
        stopped = state.stopped_arms.get(arm)
        figures = health.get(arm)
        arms.append(
            ArmReport(
                name=arm,
                label=served.label(arm),
                variant=config.variant,
                variant_id=served_arms[arm].variant if arm in served_arms else None,
                weight=config.weight,
                control=is_control,
                state="control"
                if is_control
                else "stopped"
                if stopped
                else "running"
                if state.status == "running"
                else "not started"
                if state.status == "not started"
                else "ended",
                stopped_reason=stopped,
                sellers=served_arms[arm].sellers if arm in served_arms else 0,
                conversations=len(mine),
                too_few=too_few,
                turns=figures.turns if figures else 0,
                p95_turn_latency_s=figures.p95_turn_latency_s if figures else None,
                verdict=verdict,
                worse_on=worse,
                better_on=better,
                metrics=rows,
            )
        )
    if state.status == "not started":
        warnings.insert(0, f"{name} has not been served yet (trova serve --experiment {name})")
    return ExperimentReport(
        name=name,
        description=served.description,
        status=state.status,
        control=served.control,
        promoted=state.promoted,
        min_conversations=served.min_conversations,
        guardrails=served.guardrails,
        arms=arms,
        events=[
            EventRow(at=e.at, kind=e.kind, arm=e.arm, detail=e.detail if e.kind != "started" else None)
            for e in experiments.events(name)
        ],
        warnings=warnings,
    )
