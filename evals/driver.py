"""Driving one scenario conversation: a fresh marketplace, the agent, and a seller (scripted turns, then
the simulated seller), recorded step by step for the checks and the reports."""

from __future__ import annotations

import json
import secrets
import time
import traceback
from bisect import bisect_right
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import logfire
from opentelemetry import context as otel_context
from opentelemetry import trace
from pydantic_ai import BinaryContent
from pydantic_ai.exceptions import ModelAPIError
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    RetryPromptPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

from agent.content import as_data
from agent.listing_agent import ListingAgent
from agent.session import ChatSession, InputError
from evals.ending import ConversationEnd
from evals.loader import IMAGE_TYPES, LoadedScenario
from evals.numbering import shown
from evals.outages import OutageTransport
from evals.schema import Scenario
from evals.seller import LLMSeller, RuleSeller, Seller, SellerView, SimulatorFlag
from evals.trajectory import ActualCall
from tools.deps import TrovaDeps
from tools.publishing import Publisher

if TYPE_CHECKING:  # the online checks read run records without a marketplace (FastAPI, SQLAlchemy)
    from evals.isolation import IsolatedMarketplace, MarketplaceFactory

BASE_URL = "http://marketplace.eval"


@dataclass
class _ModelAccount:
    """One run's dealings with the model: time spent in it, and requests the provider failed."""

    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_account: ContextVar[_ModelAccount | None] = ContextVar("trova_eval_model_account", default=None)


class TimedModel(WrapperModel):
    """Adds the time spent in the model to the current run's account (runs share one model), and notes a
    request the provider failed (unreachable, rate-limited, bad key): such a run measured the provider,
    not the agent."""

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        started = time.perf_counter()
        account = _account.get()
        try:
            return await super().request(messages, model_settings, model_request_parameters)
        except ModelAPIError as e:
            if account is not None:
                account.errors.append(f"{type(e).__name__}: {e}")
            raise
        finally:
            if account is not None:
                account.times.append(time.perf_counter() - started)


@dataclass
class TurnRecord:
    seller: str
    agent: str
    drafts: list[dict[str, Any]] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None
    simulated: bool = False  # the simulated seller wrote this message (not one of the scenario's turns)


@dataclass
class RunRecord:
    scenario_id: str
    model: str
    conversation_id: str
    started_at: str
    turns: list[TurnRecord] = field(default_factory=list)
    calls: list[ActualCall] = field(default_factory=list)
    listings: list[dict[str, Any]] = field(default_factory=list)  # the marketplace's end state
    approved: list[str] = field(default_factory=list)  # call ids of drafts the seller approved
    call_ids: list[str] = field(default_factory=list)  # parallel to `calls`
    usage: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    agent_time_s: float = 0.0  # inside the agent's turns (model, tools, marketplace): the system under test
    model_time_s: float = 0.0
    error: str | None = None  # the run crashed
    model_error: str | None = None  # the provider failed a model request: the run says nothing of the agent
    refused: str | None = None  # the product refused a seller message (InputError), with its reason
    skipped: bool = False  # another worker process took this run (see evals/parallel.py)
    simulator_flags: list[SimulatorFlag] = field(default_factory=list)
    ended: ConversationEnd | None = None  # why no seller message followed the last turn
    categories: dict[int, str] = field(default_factory=dict)  # path of every category id the calls name
    trace_id: str | None = None
    span_id: str | None = None  # the run's root span: its verdict is recorded under it

    @property
    def replies(self) -> list[str]:
        return [t.agent for t in self.turns]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["calls"] = [
            dict(asdict(c), call_id=cid) for c, cid in zip(self.calls, self.call_ids, strict=True)
        ]
        return data


@dataclass
class DriverSettings:
    agent: ListingAgent
    model_name: str
    prompt_ref: str
    factory: MarketplaceFactory
    seller_model: Model | None = None  # a real model phrases the seller's answers; None: rule-based
    run_id: str = ""  # the eval run (its report folder), recorded on each conversation's trace
    without_tools: frozenset[str] = frozenset()  # an ablation, recorded on the trace too


def _seller(scenario: Scenario, settings: DriverSettings) -> Seller:
    if settings.seller_model is not None:
        return LLMSeller(scenario.seller, settings.seller_model)
    return RuleSeller(scenario.seller)


def _image(loaded: LoadedScenario) -> BinaryContent | None:
    if not loaded.scenario.image:
        return None
    path = loaded.path.parent / loaded.scenario.image  # the loader checked it exists and its type
    return BinaryContent(data=path.read_bytes(), media_type=IMAGE_TYPES[path.suffix.lower()])


@asynccontextmanager
async def _marketplace(
    settings: DriverSettings, scenario: Scenario
) -> AsyncIterator[tuple[TrovaDeps, Publisher, IsolatedMarketplace]]:
    """The run's marketplace, the agent's client (a drafts-only token) and the simulated seller's own
    client, which publishes what the seller approves, as the CLI and the site do."""
    from evals.isolation import scenario_marketplace

    async with scenario_marketplace(settings.factory, scenario) as market:
        outages = OutageTransport(market.transport(), scenario.outage_plan())
        seller_id, token = market.register_seller("Eval Seller")
        client = outages.client(BASE_URL, market.agent_token(seller_id), backoff=0.0)
        seller_client = outages.client(BASE_URL, token, backoff=0.0)
        try:
            yield TrovaDeps(client, seller_id), Publisher(seller_client), market
        finally:
            await client.aclose()
            await seller_client.aclose()


async def run_scenario(loaded: LoadedScenario, settings: DriverSettings) -> RunRecord:
    """Run one conversation of a scenario to its end (or its turn limit) and record everything."""
    scenario = loaded.scenario
    record = RunRecord(
        scenario_id=scenario.id,
        model=settings.model_name,
        conversation_id=f"eval-{scenario.id}-{secrets.token_hex(4)}",
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    account = _ModelAccount()
    token = _account.set(account)
    started = time.perf_counter()
    # Each run is a trace of its own, so `trova traces show <trace id>` names exactly one conversation;
    # the pydantic-evals case span it ran under is kept as a link.
    parent = trace.get_current_span().get_span_context()
    links = [(parent, {"relation": "evaluated_by"})] if parent.is_valid else []
    root = otel_context.attach(otel_context.Context())
    try:
        with logfire.span(
            "eval run {scenario_id}",
            scenario_id=scenario.id,
            conversation_id=record.conversation_id,
            model=settings.model_name,
            prompt_version=settings.prompt_ref,
            kind="eval",
            eval_run_id=settings.run_id,
            without_tools=sorted(settings.without_tools),
            _links=links,
        ) as span:
            context = span.get_span_context()
            record.trace_id = format(context.trace_id, "032x") if context else None
            record.span_id = format(context.span_id, "016x") if context else None
            await _drive(loaded, settings, record)
    finally:
        otel_context.detach(root)
    _account.reset(token)
    record.duration_s = time.perf_counter() - started
    record.model_time_s = sum(account.times)
    record.model_error = account.errors[0] if account.errors else None
    return record


async def _drive(loaded: LoadedScenario, settings: DriverSettings, record: RunRecord) -> None:
    scenario = loaded.scenario
    try:
        async with _marketplace(settings, scenario) as (deps, publisher, market):
            session = ChatSession.start(
                settings.agent,
                deps,
                publisher=publisher,
                model=settings.model_name,
                prompt=settings.prompt_ref,
                marketplace="isolated",
                session_id=record.conversation_id,
            )
            seller = _seller(scenario, settings)
            turn_starts: list[int] = []  # where each turn's messages begin in the conversation
            scripted = list(scenario.turns)
            message: str | None = scripted.pop(0) if scripted else seller.opening()
            simulated = not scenario.turns
            image = _image(loaded)
            while message is not None and len(record.turns) < scenario.max_turns:
                turn_started = time.perf_counter()
                first_message = len(session.messages())
                try:
                    result = await session.send(message, images=[image] if image is not None else ())
                except InputError as e:  # the product refused the message: a failed run, with its reason
                    record.refused = f"seller message {shown(len(record.turns))}: {e}"
                    break
                turn_starts.append(first_message)
                record.agent_time_s += time.perf_counter() - turn_started
                image = None
                record.turns.append(
                    TurnRecord(
                        seller=message,
                        agent=result.reply,
                        drafts=[d.args for d in result.drafts],
                        approved=result.approved,
                        created=result.created,
                        stopped=result.stopped,
                        simulated=simulated,
                    )
                )
                record.approved.extend(result.approved)
                if scripted:
                    message = scripted.pop(0)
                elif scenario.simulate:
                    simulated = True
                    view = SellerView(
                        result.reply, [d.args for d in result.drafts], result.created, len(record.turns)
                    )
                    message = await seller.next(view)
                else:
                    message = None
            record.simulator_flags = list(seller.flags)
            record.ended = _ending(record, scenario, seller, message)
            _collect_calls(record, session.messages(), turn_starts)
            record.categories = _category_paths(record.calls, market)
            record.listings = market.seller_listings()
            conversation = session.conversation()
            if conversation is not None:
                usage = conversation.usage
                record.usage = {
                    "requests": usage.requests,
                    "input_tokens": usage.input_tokens or 0,
                    "output_tokens": usage.output_tokens or 0,
                    "tool_calls": usage.tool_calls,
                }
    except Exception as e:  # a crashing run is a failed run with its reason, not a crashed eval
        record.error = f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}"
        logfire.exception("eval run crashed", conversation_id=record.conversation_id)


def _ending(
    record: RunRecord, scenario: Scenario, seller: Seller, unsent: str | None
) -> ConversationEnd | None:
    """Why the conversation ended after its last turn (None when the product refused a message: that
    has its own reason, `refused`)."""
    if record.refused is not None or not record.turns:
        return None
    turn, reply = len(record.turns), record.turns[-1].agent
    if unsent is not None:  # a seller message was ready, the scenario's turn limit stopped it
        return ConversationEnd.at(turn, "turn_limit", reply)
    if not scenario.simulate:
        return ConversationEnd.at(turn, "script_ended", reply)
    return ConversationEnd.at(turn, seller.stopped, reply) if seller.stopped else None


def _collect_calls(record: RunRecord, messages: list[ModelMessage], turn_starts: list[int]) -> None:
    """Every tool call the model made, in order, with its outcome, the turn that made it, and where it and
    its result sit among the messages (for `from`: only results returned before a call).

    A turn is every seller message, a reply to a draft included (it goes back to the model as a
    deferred-tool result, with no user prompt): one agent run, numbered as the session numbers its spans.
    A call belongs to the turn whose run made it (an approved draft runs a turn later). Each call the model
    made counts, found by its place in the conversation: a model that reuses a tool call id for a second
    call still made two calls (a result answers the earliest call of its id still waiting for one)."""
    waiting: dict[str, list[int]] = {}  # call id -> indexes in `found` of its calls with no result yet
    found: list[tuple[ToolCallPart, int, int | None, ToolReturnPart | RetryPromptPart | None]] = []
    for index, message in enumerate(messages):
        for part in message.parts:
            if isinstance(part, ToolCallPart):
                waiting.setdefault(part.tool_call_id, []).append(len(found))
                found.append((part, index, None, None))
            elif isinstance(part, ToolReturnPart | RetryPromptPart) and waiting.get(part.tool_call_id):
                at = waiting[part.tool_call_id].pop(0)
                found[at] = (found[at][0], found[at][1], index, part)
    approved = set(record.approved)
    for call, made_at, returned_at, answer in found:
        outcome, result = _outcome(answer)
        record.calls.append(
            ActualCall(
                tool=call.tool_name,
                args=call.args_as_dict(),
                outcome=outcome,
                result=result,
                approved=call.tool_call_id in approved,
                turn=bisect_right(turn_starts, made_at),
                made_at=made_at,
                returned_at=returned_at,
            )
        )
        record.call_ids.append(call.tool_call_id)


def _outcome(answer: ToolReturnPart | RetryPromptPart | None) -> tuple[str | None, Any]:
    """A call's outcome and result (its data when it succeeded, else what the model was told); no answer
    yet: a draft still awaiting the seller (None)."""
    if answer is None:
        return None, None
    if isinstance(answer, RetryPromptPart):
        return "retried", str(answer.content)
    if answer.outcome == "success":
        return "success", as_data(answer.content)
    # A call cut short ("interrupted") did not succeed: it counts as failed.
    outcome = answer.outcome if answer.outcome in ("failed", "denied", "retried") else "failed"
    content = answer.content
    return outcome, (content if isinstance(content, str) else json.dumps(as_data(content))) or None


def _category_paths(calls: list[ActualCall], market: IsolatedMarketplace) -> dict[int, str]:
    """The marketplace's path for every category id in the calls' arguments (for `category_path` matchers:
    a category is judged by where it sits, not only by its id)."""
    known = market.market.index.by_id
    ids = {
        value
        for call in calls
        for name, value in call.args.items()
        if name == "category_id" and isinstance(value, int) and not isinstance(value, bool)
    }
    return {ident: known[ident].path for ident in sorted(ids) if ident in known}
