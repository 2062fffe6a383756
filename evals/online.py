"""Online evaluation: the checks that need no expected answer (evals/invariants.py) judge a sampled share of
live conversations in the background, through pydantic-evals' online evaluation.

`ConversationEvaluation` is pydantic-evals' `OnlineEvaluation` capability for the listing agent. After each
agent run (a seller's turn) of a sampled conversation it attaches the conversation so far (its messages)
to the run as an evaluation attribute, and pydantic-evals dispatches the evaluators as a background task:
the turn returns at once, and whatever an evaluator or a sink does (raise, hang) never reaches the seller.
The evaluators (`evals.evaluators.online_evaluators`, the same ones scenario runs use) build the run record
from those messages on first use, off the turn, and judge it. pydantic-evals emits each verdict as a
`gen_ai.evaluation.result` OpenTelemetry event under the turn's span; a sink given by the caller (the local
store's, ops/online.py) keeps them for `trova monitor`, the alert rules and the review sampler.

Sampling is per conversation (a stable draw on its id), so a sampled conversation is judged at every turn
and its latest verdicts are the conversation's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from pydantic_ai.capabilities.abstract import WrapRunHandler
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.run import AgentRunResult
from pydantic_ai.tools import RunContext
from pydantic_evals.dataset import set_eval_attribute
from pydantic_evals.evaluators import Evaluator, EvaluatorContext
from pydantic_evals.online import (
    EvaluationSink,
    OnErrorLocation,
    OnlineEvalConfig,
    OnlineEvaluator,
    SamplingContext,
)
from pydantic_evals.online_capability import OnlineEvaluation

from agent.approvals import parse_denial
from agent.session import activity_from_messages
from evals.driver import RunRecord, TurnRecord
from evals.evaluators import RECORD_ATTRIBUTE, online_evaluators
from evals.sampling import in_sample
from evals.trajectory import ActualCall
from tools.deps import TrovaDeps
from tools.toolset import CREATE_LISTING

logger = logging.getLogger(__name__)
DEFAULT_RATE = 0.25
LIVE_SCENARIO = "live"  # a live conversation's record has no scenario
# Evaluations of one check kind at once; beyond it pydantic-evals drops them (and we log it).
MAX_CONCURRENCY = 64


def _turns(messages: Sequence[ModelMessage]) -> list[list[ModelMessage]]:
    """The messages cut into turns: one agent run each (messages carry their run's id); messages from
    before run ids are cut where a seller's prompt begins."""
    turns: list[list[ModelMessage]] = []
    current: str | None = None
    for message in messages:
        if message.run_id is not None:
            starts = message.run_id != current
        else:
            starts = isinstance(message, ModelRequest) and any(
                isinstance(p, UserPromptPart) for p in message.parts
            )
        if starts or not turns:
            turns.append([])
        current = message.run_id
        turns[-1].append(message)
    return turns


def _seller_said(turn: Sequence[ModelMessage]) -> str:
    """What the seller said in a turn: their prompt, or their reply to a draft ('' for a plain approval)."""
    said: list[str] = []
    for message in turn:
        if not isinstance(message, ModelRequest):
            continue
        for part in message.parts:
            if isinstance(part, UserPromptPart):
                content = part.content
                said.extend(
                    [content] if isinstance(content, str) else [c for c in content if isinstance(c, str)]
                )
            elif isinstance(part, ToolReturnPart) and isinstance(part.content, str):
                reply = parse_denial(part.content)
                if reply:
                    said.append(reply)
        if said:
            break  # the turn's first request holds what the seller said; later ones are tool results
    return "\n".join(said)


def conversation_record(
    messages: Sequence[ModelMessage], *, conversation_id: str, model: str = ""
) -> RunRecord:
    """A live conversation's messages as the run record the checks judge (what the eval driver records
    of a scenario run): its turns, every tool call with its outcome and the turn that made it, the drafts
    the seller approved (a create that ran in a later turn than the one that drafted it: only the seller's
    answer resumes a deferred call), and the listings it created."""
    turns = _turns(messages)
    # Call id -> the turn that made it and the one its answer came in; and where the call and its result
    # sit among the messages, as the eval driver records them (`from` uses only results returned before).
    made_in: dict[str, int] = {}
    returned_in: dict[str, int] = {}
    made_at: dict[str, int] = {}
    returned_at: dict[str, int] = {}
    index = 0
    for number, turn in enumerate(turns, start=1):
        for message in turn:
            for part in message.parts:
                if isinstance(part, ToolCallPart):
                    made_in.setdefault(part.tool_call_id, number)
                    made_at.setdefault(part.tool_call_id, index)
                elif isinstance(part, ToolReturnPart | RetryPromptPart) and part.tool_call_id:
                    returned_at[part.tool_call_id] = index
                    if isinstance(part, ToolReturnPart):
                        returned_in[part.tool_call_id] = number
            index += 1
    activity = activity_from_messages(messages)
    approved = [
        a.call_id
        for a in activity
        if a.name == CREATE_LISTING
        and a.outcome == "success"
        and returned_in.get(a.call_id, 0) > made_in.get(a.call_id, 0)
    ]
    began = messages[0].timestamp if messages else None
    record = RunRecord(
        scenario_id=LIVE_SCENARIO,
        model=model,
        conversation_id=conversation_id,
        started_at=began.astimezone(UTC).isoformat(timespec="seconds") if began else "",
        approved=approved,
    )
    for number, turn in enumerate(turns, start=1):
        reply = "\n".join(
            p.content
            for m in turn
            if isinstance(m, ModelResponse)
            for p in m.parts
            if isinstance(p, TextPart) and p.content.strip()
        )
        # Drafts the turn ended on: creates it made whose answer came in a later turn, or has not come.
        pending = [
            a
            for a in activity
            if a.name == CREATE_LISTING
            and made_in.get(a.call_id) == number
            and returned_in.get(a.call_id, number + 1) > number
        ]
        created = [
            a.result
            for a in activity
            if a.name == CREATE_LISTING
            and a.outcome == "success"
            and returned_in.get(a.call_id) == number
            and isinstance(a.result, dict)
        ]
        record.turns.append(
            TurnRecord(
                seller=_seller_said(turn),
                agent=reply,
                drafts=[a.args for a in pending],
                approved=[cid for cid in approved if returned_in.get(cid) == number],
                created=created,
            )
        )
        record.listings.extend(created)
    for a in activity:
        outcome = a.outcome or ("awaiting_approval" if a.name == CREATE_LISTING else None)
        record.calls.append(
            ActualCall(
                tool=a.name,
                args=a.args,
                outcome=outcome,
                result=a.result if outcome == "success" else a.message or None,
                approved=a.call_id in approved,
                turn=made_in.get(a.call_id, 0),
                made_at=made_at.get(a.call_id),
                returned_at=returned_at.get(a.call_id),
            )
        )
        record.call_ids.append(a.call_id)
    responses = [m for m in messages if isinstance(m, ModelResponse)]
    record.usage = {
        "requests": len(responses),
        "input_tokens": sum(m.usage.input_tokens for m in responses),
        "output_tokens": sum(m.usage.output_tokens for m in responses),
        "tool_calls": len(record.calls),
    }
    return record


@dataclass
class LiveConversation:
    """What a judged agent run carries for the evaluators: the conversation so far. Its run record is
    built once, by the first evaluator that asks, in the background."""

    messages: list[ModelMessage]
    conversation_id: str
    model: str = ""
    _record: RunRecord | None = field(default=None, repr=False)

    def run_record(self) -> RunRecord:
        if self._record is None:
            self._record = conversation_record(
                self.messages, conversation_id=self.conversation_id, model=self.model
            )
        return self._record


# Whether the run being started belongs to a sampled conversation (set by the capability, read by the
# sampler pydantic-evals calls for each evaluator).
_sampled: ContextVar[bool] = ContextVar("trova_online_sampled", default=False)


def _sample(context: SamplingContext) -> bool:
    return _sampled.get()


def _log_error(
    exc: Exception, context: EvaluatorContext[Any, Any, Any], evaluator: Evaluator, where: OnErrorLocation
) -> None:
    logger.warning(
        "online evaluation %s failed in its %s: %s: %s",
        evaluator.get_default_evaluation_name(),
        where,
        type(exc).__name__,
        exc,
    )


def _log_sampling_error(exc: Exception, evaluator: Evaluator) -> None:
    logger.warning("sampling for %s failed (%s); not evaluated", evaluator.get_default_evaluation_name(), exc)


def _log_dropped(context: EvaluatorContext[Any, Any, Any]) -> None:
    logger.warning("online evaluation dropped: more than %d at once", MAX_CONCURRENCY)


@dataclass
class _Attempt:
    called: bool = False
    result: AgentRunResult[Any] | None = None


@dataclass(kw_only=True)
class ConversationEvaluation(OnlineEvaluation[TrovaDeps]):
    """pydantic-evals' `OnlineEvaluation`, judging the conversation so far (not only the run's output) on
    a sampled share of conversations (`rate`), and never in the way of the turn it watches."""

    rate: float = DEFAULT_RATE

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"the online evaluation rate must be between 0 and 1, not {self.rate}")
        super().__post_init__()

    async def wrap_run(self, ctx: RunContext[TrovaDeps], *, handler: WrapRunHandler) -> AgentRunResult[Any]:
        conversation = ctx.conversation_id or ctx.run_id or ""
        if not self._resolved_config.should_evaluate() or not in_sample(conversation, self.rate):
            return await handler()
        metadata = ctx.metadata or {}
        attempt = _Attempt()

        async def run_and_attach() -> AgentRunResult[Any]:
            attempt.called = True
            attempt.result = result = await handler()
            try:
                set_eval_attribute(
                    RECORD_ATTRIBUTE,
                    LiveConversation(result.all_messages(), conversation, str(metadata.get("model", ""))),
                )
            except Exception as e:  # the turn is done; only its evaluation is lost
                logger.warning("online evaluation skipped: %s: %s", type(e).__name__, e)
            return result

        token = _sampled.set(True)
        try:
            return await super().wrap_run(ctx, handler=run_and_attach)
        except Exception as e:
            if attempt.result is not None:  # the evaluation machinery failed after the turn: the turn stands
                logger.warning("online evaluation failed after the turn: %s: %s", type(e).__name__, e)
                return attempt.result
            if not attempt.called:  # it failed before the turn began: run the turn without it
                logger.warning("online evaluation failed before the turn: %s: %s", type(e).__name__, e)
                return await handler()
            raise  # the agent run's own error, as without evaluation
        finally:
            _sampled.reset(token)


def live_evaluation(
    rate: float = DEFAULT_RATE,
    sink: EvaluationSink | Sequence[EvaluationSink] | None = None,
    *,
    evaluators: Sequence[Evaluator[Any, Any, Any]] | None = None,
    emit_otel_events: bool = True,
) -> ConversationEvaluation:
    """The capability `trova serve` and `trova chat` give the agent: the expectation-free checks on `rate`
    of conversations, results as OpenTelemetry events and into `sink`."""
    config = OnlineEvalConfig(
        default_sink=list(sink) if isinstance(sink, Sequence) else sink,
        default_sample_rate=_sample,
        emit_otel_events=emit_otel_events,
        on_error=_log_error,
        on_sampling_error=_log_sampling_error,
        on_max_concurrency=_log_dropped,
    )
    chosen = online_evaluators() if evaluators is None else list(evaluators)
    return ConversationEvaluation(
        evaluators=[OnlineEvaluator(evaluator=e, max_concurrency=MAX_CONCURRENCY) for e in chosen],
        config=config,
        rate=rate,
    )
