"""Conversations as the trace store holds them: turns, model requests and tool calls, in order; a list
of recent ones; and the first step where two of them part ways."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from traces.kinds import KINDS, OUTCOMES
from traces.store import StoredSpan, TraceStore, parse_json_attr

__all__ = ["KINDS", "OUTCOMES"]  # kept here too: where the list's filters were first defined

TURN_PREFIX = "chat turn"
EVAL_PREFIX = "eval run"
CHECKS_PREFIX = "eval checks"


@dataclass
class ModelStep:
    model: str
    input_tokens: int
    output_tokens: int
    duration_ms: float
    finish_reason: str | None
    text: str
    tool_calls: list[str]
    error: str | None = None
    kind: str = "model"


@dataclass
class ToolStep:
    name: str
    call_id: str
    args: Any
    result: Any
    error: str | None
    duration_ms: float
    kind: str = "tool"

    @property
    def outcome(self) -> str:
        return "error" if self.error else "ok"


@dataclass
class TurnView:
    number: int
    trace_id: str
    seller: str
    agent: str
    approvals: dict[str, str]
    drafts: list[dict[str, Any]]
    created: list[Any]
    outcome: str
    duration_ms: float
    stopped: str | None
    steps: list[ModelStep | ToolStep] = field(default_factory=list)


@dataclass
class ConversationView:
    id: str
    kind: str  # chat | eval
    started: str
    model: str
    prompt: str
    seller_id: str
    scenario: str | None
    trace_ids: list[str]
    turns: list[TurnView]
    verdict: str | None = None  # eval runs: passed | failed
    failed_checks: dict[str, str] = field(default_factory=dict)
    variant: str | None = None  # the variant's short id, its spec, and the experiment arm that served it
    variant_spec: str | None = None
    arm: str | None = None

    @property
    def tokens(self) -> int:
        return sum(
            s.input_tokens + s.output_tokens for t in self.turns for s in t.steps if isinstance(s, ModelStep)
        )

    @property
    def tools(self) -> list[str]:
        return [s.name for t in self.turns for s in t.steps if isinstance(s, ToolStep)]

    @property
    def duration_ms(self) -> float:
        return sum(t.duration_ms for t in self.turns)

    @property
    def outcome(self) -> str:
        if self.verdict:
            return self.verdict
        if any(t.created for t in self.turns):
            return "created"
        return self.turns[-1].outcome if self.turns else "empty"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            tokens=self.tokens, tools=self.tools, duration_ms=round(self.duration_ms, 1), outcome=self.outcome
        )
        return data


def _model_step(span: StoredSpan) -> ModelStep:
    output = parse_json_attr(span.attributes.get("gen_ai.output.messages")) or []
    text, calls = [], []
    for message in output if isinstance(output, list) else []:
        for part in message.get("parts", []):
            if part.get("type") == "text":
                text.append(part.get("content", ""))
            elif part.get("type") == "tool_call":
                calls.append(part.get("name", ""))
    reasons = parse_json_attr(span.attributes.get("gen_ai.response.finish_reasons"))
    finish = (
        reasons[0]
        if isinstance(reasons, list) and reasons
        else (reasons if isinstance(reasons, str) else None)
    )
    if finish is None:
        finish = "tool_call" if calls else "stop" if text else None
    return ModelStep(
        model=str(
            span.attributes.get("gen_ai.response.model") or span.attributes.get("gen_ai.request.model") or ""
        ),
        input_tokens=int(span.attributes.get("gen_ai.usage.input_tokens") or 0),
        output_tokens=int(span.attributes.get("gen_ai.usage.output_tokens") or 0),
        duration_ms=span.duration_ms,
        finish_reason=finish,
        text="\n".join(text),
        tool_calls=calls,
        error=span.status_message if span.status == "ERROR" else None,
    )


# A tool run that ended by asking for the seller's approval (create_listing once its draft is saved): the
# call's outcome is the run after the approval, so this one is not a step of its own.
DEFERRAL = "pydantic_ai.tool.deferral.name"


def _tool_step(span: StoredSpan) -> ToolStep:
    error = span.status_message if span.status == "ERROR" else None
    for event in span.events:
        if event["name"] == "exception" and not error:
            error = str(event["attributes"].get("exception.message", "error"))
    return ToolStep(
        name=str(span.attributes.get("gen_ai.tool.name", span.name)),
        call_id=str(span.attributes.get("gen_ai.tool.call.id", "")),
        args=parse_json_attr(span.attributes.get("gen_ai.tool.call.arguments")),
        result=parse_json_attr(span.attributes.get("gen_ai.tool.call.result")),
        error=error,
        duration_ms=span.duration_ms,
    )


def _descendants(span: StoredSpan, by_parent: dict[str | None, list[StoredSpan]]) -> list[StoredSpan]:
    out, stack = [], list(reversed(by_parent.get(span.span_id, [])))
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(by_parent.get(current.span_id, [])))
    return sorted(out, key=lambda s: s.start_ns)


def build(conversation_id: str, spans: list[StoredSpan]) -> ConversationView:
    by_parent: dict[str | None, list[StoredSpan]] = {}
    for span in spans:
        by_parent.setdefault(span.parent_id, []).append(span)
    turns_spans = sorted((s for s in spans if s.name.startswith(TURN_PREFIX)), key=lambda s: s.start_ns)
    eval_root = next((s for s in spans if s.name.startswith(EVAL_PREFIX)), None)
    checks = next((s for s in spans if s.name.startswith(CHECKS_PREFIX)), None)
    turns = []
    for number, span in enumerate(turns_spans, start=1):
        steps: list[ModelStep | ToolStep] = []
        for child in _descendants(span, by_parent):
            operation = child.attributes.get("gen_ai.operation.name")
            if operation == "chat":
                steps.append(_model_step(child))
            elif operation == "execute_tool" and not child.attributes.get(DEFERRAL):
                steps.append(_tool_step(child))
        a = span.attributes
        turns.append(
            TurnView(
                number=number,
                trace_id=span.trace_id,
                seller=str(a.get("seller_message", "")),
                agent=str(a.get("agent_reply", "")),
                approvals=parse_json_attr(a.get("approvals")) or {},
                drafts=parse_json_attr(a.get("drafts")) or [],
                created=parse_json_attr(a.get("created_listings")) or [],
                outcome=str(a.get("outcome", "")),
                duration_ms=span.duration_ms,
                stopped=a.get("stopped"),
                steps=steps,
            )
        )
    # The session's own turn count, when it reads as one: right even where a store kept only the
    # later turns of a conversation (pruned by an older version).
    recorded = [n for s in turns_spans if isinstance(n := s.attributes.get("turn"), int)]
    if len(recorded) == len(turns) and all(a < b for a, b in pairwise(recorded)):
        for turn, n in zip(turns, recorded, strict=True):
            turn.number = n
    first = turns_spans[0] if turns_spans else eval_root
    attrs = first.attributes if first else {}
    started = (
        datetime.fromtimestamp((eval_root or first).start_ns / 1e9, UTC).isoformat(timespec="seconds")
        if first
        else ""
    )
    verdict = None
    failed: dict[str, str] = {}
    if checks is not None:
        verdict = "passed" if checks.attributes.get("passed") else "failed"
        failed = parse_json_attr(checks.attributes.get("failed_checks")) or {}
    # The last turn's: it carries the model version learnt on the way, and the variant is the same throughout.
    last = turns_spans[-1].attributes if turns_spans else {}
    detail = parse_json_attr(last.get("variant_detail"))
    return ConversationView(
        variant=str(last["variant"]) if last.get("variant") else None,
        variant_spec=str(detail["spec"]) if isinstance(detail, dict) and detail.get("spec") else None,
        arm=str(last["experiment_arm"]) if last.get("experiment_arm") else None,
        id=conversation_id,
        kind="eval" if eval_root else "chat",
        started=started,
        model=str(attrs.get("model", "")),
        prompt=str(attrs.get("prompt_version", "")),
        seller_id=str(attrs.get("seller_id", "")),
        scenario=str(eval_root.attributes.get("scenario_id")) if eval_root else None,
        trace_ids=sorted({s.trace_id for s in spans}),
        turns=turns,
        verdict=verdict,
        failed_checks=failed,
    )


def load(store: TraceStore, ident: str) -> ConversationView:
    """A conversation by its id (or an unambiguous prefix), or the conversation a trace id belongs to."""
    trace_ids = store.resolve(ident)
    if not trace_ids:
        raise LookupError(f"no conversation or trace {ident!r} in {store.path}")
    conversation = store.conversation_named(ident) or store.first_conversation(trace_ids)
    if conversation is None:  # spans of something else than a conversation: show the traces as they are
        return build(ident, store.spans_of(trace_ids))
    return build(conversation, store.conversation_spans(conversation))


def recent(
    store: TraceStore,
    limit: int = 20,
    kind: str | None = None,
    model: str | None = None,
    outcome: str | None = None,
    scenario: str | None = None,
) -> list[ConversationView]:
    """The newest `limit` conversations that match, however far back they are."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    # Eval runs are named eval-<scenario>-<hex>, so those filters narrow the scan in SQL.
    prefix = f"eval-{scenario}-" if scenario else "eval-" if kind == "eval" else ""
    views: list[ConversationView] = []
    page, offset = max(limit * 5, 50), 0
    while len(views) < limit:
        batch = store.conversations(limit=page, offset=offset, prefix=prefix)
        for conversation_id, _started in batch:
            view = build(conversation_id, store.conversation_spans(conversation_id))
            if (kind and view.kind != kind) or (model and model not in view.model):
                continue
            if (outcome and view.outcome != outcome) or (scenario and view.scenario != scenario):
                continue
            views.append(view)
            if len(views) >= limit:
                break
        if len(batch) < page:
            break
        offset += page
    return views


@dataclass
class Step:
    """One thing that happened, for comparing two conversations."""

    turn: int
    kind: str  # seller | model_error | tool | draft | created | outcome | verdict | agent
    text: str

    def agrees_with(self, other: Step) -> bool:
        """Whether the other run did the same here. Listing ids differ between runs by nature and the
        agent's wording is shown, not compared; an outcome or verdict compares its word, not the
        explanation after it."""
        if self.kind != other.kind:
            return False
        if self.kind in ("created", "agent"):
            return True
        if self.kind in ("outcome", "verdict"):
            return self.text.split(":")[0] == other.text.split(":")[0]
        return self.text == other.text


def steps(view: ConversationView) -> list[Step]:
    out: list[Step] = []
    for turn in view.turns:
        out.append(Step(turn.number, "seller", turn.seller))
        for step in turn.steps:
            if isinstance(step, ModelStep):
                if step.error:  # a request the model did not answer: where a failed run parts ways
                    out.append(Step(turn.number, "model_error", step.error))
                continue
            args = json.dumps(step.args, sort_keys=True) if not isinstance(step.args, str) else step.args
            out.append(
                Step(
                    turn.number,
                    "tool",
                    f"{step.name}({args})" + (f" -> error: {step.error}" if step.error else ""),
                )
            )
        for draft in turn.drafts:
            out.append(Step(turn.number, "draft", json.dumps(draft, sort_keys=True)))
        for listing in turn.created:
            out.append(Step(turn.number, "created", f"listing #{listing}"))
        outcome = turn.outcome or "unknown"
        out.append(Step(turn.number, "outcome", f"{outcome}: {turn.stopped}" if turn.stopped else outcome))
        out.append(Step(turn.number, "agent", turn.agent))
    if view.verdict:
        failed = "; ".join(f"{name}: {reason}" for name, reason in view.failed_checks.items())
        last = view.turns[-1].number if view.turns else 0
        out.append(Step(last, "verdict", f"{view.verdict}: {failed}" if failed else view.verdict))
    return out


def first_divergence(a: list[Step], b: list[Step]) -> int | None:
    """Index of the first step where the two differ (agent wording aside), None if they never do."""
    for index in range(max(len(a), len(b))):
        if index >= len(a) or index >= len(b) or not a[index].agrees_with(b[index]):
            return index
    return None


def reply_differences(a: list[Step], b: list[Step]) -> list[int]:
    """Indexes of agent replies worded differently at the same step (before the runs part ways)."""
    end = first_divergence(a, b)
    return [
        i
        for i in range(min(len(a), len(b), end if end is not None else len(a)))
        if a[i].kind == b[i].kind == "agent" and a[i].text != b[i].text
    ]


def mismatch(a: ConversationView, b: ConversationView) -> str | None:
    """Why two runs are not runs of the same scenario or conversation, if they are not."""
    if a.id == b.id:
        return f"both are {a.id}: a run compared with itself"
    if a.scenario != b.scenario:
        what = [f"scenario {v.scenario}" if v.scenario else f"chat {v.id}" for v in (a, b)]
        return f"these are runs of different scenarios ({what[0]} vs {what[1]})"
    first = [v.turns[0].seller if v.turns else "" for v in (a, b)]
    if a.scenario is None and first[0] != first[1]:
        return "the two conversations begin with different seller messages: they may not be the same conversation"
    return None
