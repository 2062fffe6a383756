"""A conversation with the listing agent: one seller turn at a time, drafts awaiting approval, saved
after every turn so it can be resumed, and never lost to a failing model or marketplace."""

from __future__ import annotations

import copy
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import logfire
from pydantic import BaseModel, Field, ValidationError
from pydantic_ai import (
    Agent,
    AgentRunError,
    AgentRunResultEvent,
    BinaryContent,
    Conversation,
    ConversationTypeAdapter,
    DeferredToolRequests,
    DeferredToolResults,
    ModelAPIError,
    ToolApproved,
    ToolDenied,
    UsageLimitExceeded,
    UsageLimits,
    capture_run_messages,
)
from pydantic_ai.messages import (
    AgentStreamEvent,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
)

from agent import metrics
from agent.approvals import denial_message, is_approval, parse_denial
from agent.content import as_data
from agent.costs import costs_nothing
from agent.draft_changes import FieldChange, draft_changes
from agent.listing_agent import ListingAgent, agent_variant, turn_limits
from agent.replay import ReplayModel
from agent.storage import conversations_dir, write_private
from agent.variants import Variant
from tools.deps import TrovaDeps
from tools.listings import idempotency_key
from tools.publishing import DraftRef, Publisher, PublishOutcome, approved_content
from tools.toolset import CREATE_LISTING, side_effect_tools

# About 5,000 words: a seller's whole story fits (the offline policy finds the item in it); far more is a paste by
# mistake, refused with the reason before anything is sent.
MAX_MESSAGE_CHARS = 30_000
# Invisible characters the marketplace refuses in a title or a description (C0 and C1 controls other than
# line breaks and tabs, bidirectional overrides and isolates, lone surrogates) are taken out of what the
# seller says: a draft quoting them could never be posted, and the agent would retry it in vain.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_SEPARATORS = re.compile("[\u2028\u2029]")
# Markup pasted or typed into a message (<b>, <img src=x onerror=...>) is no part of the item: it would go
# into the draft's title and the comparables' query. A tag starts with a letter or "/" right after "<", so
# "<3" and "size < 10" stay words.
_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^<>]*)?>")
# Markdown typed or pasted into a message (**bold**, __bold__, *it*, _it_, ~~struck~~, `code`, "# " headings,
# "- " or "* " bullets, ``` fences) is emphasis, not words: "**barely used**" is "barely used", and a mark left
# alone ("speaker **") is no part of the item either. The words inside are kept (struck-out ones go); a
# bullet's line stays a line.
_MD_PAIRED = (
    re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w])_(?=[^\s_])([^_\n]*?)(?<=[^\s_])_(?![\w])"),
    re.compile(r"(?<!`)`([^`\n]+)`(?!`)"),
)
_MD_STRUCK = re.compile(
    r"~~(?=\S)[^~\n]+?(?<=\S)~~"
)  # struck out: words the seller took back ("~~$90~~ $70")
_MD_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|[-*+•][ \t]+|>[ \t]+|`{3,}[\w-]*[ \t]*$)", re.M)
_MD_LEFT = re.compile(
    r"(?<!\S)(?:\*{2,}|_{2,}|~~|`+)(?!\S)|(?<=\S)(?:\*\*|__|~~)(?!\S)|(?<!\S)(?:\*\*|__|~~)(?=\S)"
)


def without_markdown(text: str) -> str:
    """The seller's words without markdown's marks ("**barely used**" -> "barely used", "## selling my lamp"
    -> "selling my lamp", "- works fine" -> "works fine")."""
    text = _MD_STRUCK.sub("", _MD_LINE.sub("", text))
    for pattern in _MD_PAIRED:
        text = pattern.sub(lambda m: m.group(m.lastindex or 0), text)
    return _MD_LEFT.sub("", text)


# A script's or style's content is code, not the seller's words: it goes with its tags.
_CODE = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# A terminal's escape sequence pasted into a message (colour, title, cursor: CSI, OSC, or ESC and one
# character) goes whole; removing only its ESC would leave "[31m" in the seller's words and the item's name.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]"
)

Outcome = Literal["success", "failed", "retried", "denied", "awaiting_approval"]


class InputError(ValueError):
    """A seller message the agent should not get (empty, far too long); nothing was changed."""


def new_session_id() -> str:
    # 48 random bits after the second: a busy site starts hundreds of conversations a second, and two with
    # one id would share a transcript (24 bits collided in a test of 300).
    return datetime.now(UTC).strftime("c%Y%m%d-%H%M%S-") + secrets.token_hex(6)


@dataclass
class ToolActivity:
    call_id: str
    name: str
    args: dict[str, Any]
    outcome: Outcome | None = None
    result: Any = None
    message: str = ""
    approved: bool = False  # the seller approved this call (it runs now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "name": self.name,
            "args": self.args,
            "outcome": self.outcome,
            "result": self.result,
            "message": self.message,
            "approved": self.approved,
        }


class Draft(BaseModel):
    call_id: str
    args: dict[str, Any]
    ref: DraftRef | None = None  # the marketplace's draft behind it, which the seller's client publishes


@dataclass
class TurnResult:
    reply: str
    drafts: list[Draft] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    activity: list[ToolActivity] = field(default_factory=list)
    stopped: str | None = None  # why the turn ended early (a limit, a model error), in words
    requests: int = 0
    approved: list[str] = field(default_factory=list)  # drafts (call ids) the seller approved this turn
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # None: a model genai-prices does not know (the offline one)
    first_listing: bool = False  # this turn created the conversation's first listing
    price_replaced: int = 0  # listings created at another price than the comparison suggested
    # Each draft the seller answered with a change in words, and the fields the draft that replaced it
    # changed (empty when the agent asked something instead of drafting again).
    revisions: list[list[FieldChange]] = field(default_factory=list)
    # The fields a draft shown this turn changed from one the seller revised in words in an earlier turn,
    # when the agent asked something first ("wrong category" → "which of these?" → "2" → the new draft):
    # the rest of that revision, recorded as its changes when the replacement comes.
    redrafted: list[list[FieldChange]] = field(default_factory=list)
    declined: int = 0  # drafts the seller said no to this turn
    error_kind: str | None = (
        None  # why the model failed the turn (agent.metrics' kinds), None when it answered
    )


def _draft_ref(metadata: dict[str, dict[str, Any]], call_id: str) -> DraftRef | None:
    try:
        return DraftRef.model_validate(metadata.get(call_id) or {})
    except ValidationError:
        return None


class TurnStopped(Exception):
    """A streamed turn that ended early (a usage limit, a model error); the message says why."""


@dataclass
class _Turn:
    """One agent run: the conversation going in, and what came out."""

    conversation: Conversation | None
    before: int
    limits: UsageLimits
    approved: set[str]
    output: Any = None
    stopped: str | None = None
    error_kind: str | None = None  # why the model failed the turn (agent.metrics' kinds)
    started: float = field(default_factory=time.perf_counter)
    declined: int = 0  # drafts the seller just said no to
    revised: int = 0  # drafts the seller answered in words, neither yes nor no (a change or a question)
    revising: list[dict[str, Any]] = field(default_factory=list)  # the args of those drafts


class RecordStore(Protocol):
    """Where a conversation is kept other than a file (the site keeps its sellers' in the database)."""

    def save(self, record: SessionRecord) -> None: ...


class TurnObserver(Protocol):
    """Live view of a turn (the CLI prints it; tests and evals may ignore it)."""

    def on_text(self, text: str) -> None: ...
    def on_tool_call(self, activity: ToolActivity) -> None: ...
    def on_tool_result(self, activity: ToolActivity) -> None: ...


_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


class SessionRecord(BaseModel):
    """What is saved of a conversation: enough to resume it, and to read it back."""

    id: str
    created_at: datetime
    updated_at: datetime
    model: str
    prompt: str
    marketplace: str
    seller_id: str | None = None
    variant: Variant | None = None  # what drove it (None in conversations saved before variants existed)
    experiment: str | None = None  # "<experiment>/<arm>" when an experiment served it
    turns: int = 0
    pending: list[Draft] = Field(default_factory=list)
    # The args of drafts the seller revised in words that no draft has replaced yet (the agent asked
    # something first): the next draft shown is compared with them (TurnResult.redrafted).
    awaiting_redraft: list[dict[str, Any]] = Field(default_factory=list)
    listings: list[dict[str, Any]] = Field(default_factory=list)
    conversation: dict[str, Any] | None = None  # a pydantic-ai Conversation, as JSON
    last_trace_id: str | None = None  # the latest turn's trace (feedback on it is filed under it)

    def load_conversation(self) -> Conversation | None:
        if self.conversation is None:
            return None
        return ConversationTypeAdapter.validate_python(self.conversation)

    def messages(self) -> list[ModelMessage]:
        conversation = self.load_conversation()
        return [] if conversation is None else list(conversation.messages)


def activity_from_messages(messages: Sequence[ModelMessage]) -> list[ToolActivity]:
    """Every tool call in `messages` with its outcome, in order."""
    calls: dict[str, ToolActivity] = {}
    for message in messages:
        if isinstance(message, ModelResponse):
            for part in message.parts:
                if isinstance(part, ToolCallPart):
                    calls[part.tool_call_id] = ToolActivity(
                        part.tool_call_id, part.tool_name, part.args_as_dict()
                    )
        elif isinstance(message, ModelRequest):
            for rpart in message.parts:
                if isinstance(rpart, ToolReturnPart | RetryPromptPart) and rpart.tool_call_id in calls:
                    activity = calls[rpart.tool_call_id]
                    _settle(activity, rpart)
    return list(calls.values())


@dataclass
class _Usage:
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    first_listing: bool
    price_replaced: int


def _cost(responses: Sequence[ModelResponse], free: bool = False) -> float | None:
    """The responses' cost from genai-prices; None when any is unpriced (a model it does not know), $0 from
    a model that costs nothing (`agent.costs`: the offline model, `test`, a function model)."""
    if free:
        return 0.0 if responses else None
    total = 0.0
    for response in responses:
        try:
            total += float(response.cost().total_price)
        except (LookupError, ValueError, AssertionError):
            return None
    return total if responses else None


def _settle(activity: ToolActivity, part: ToolReturnPart | RetryPromptPart) -> None:
    if isinstance(part, RetryPromptPart):
        activity.outcome, activity.message = "retried", str(part.content)
        return
    outcome = getattr(part, "outcome", "success") or "success"
    activity.outcome = "success"
    for known in ("failed", "retried", "denied"):
        if outcome == known:
            activity.outcome = known
    if activity.outcome == "success":
        activity.result = as_data(part.content)
    else:
        activity.message = (
            part.content if isinstance(part.content, str) else json.dumps(as_data(part.content))
        )


class ChatSession:
    def __init__(
        self,
        agent: ListingAgent,
        deps: TrovaDeps,
        record: SessionRecord,
        *,
        save_dir: Path | None = None,
        store: RecordStore | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        """`publisher` publishes the drafts the seller approves, with the seller's own credential (the
        agent's tools, through `deps`, can only save drafts)."""
        self.agent = agent
        self.deps = deps
        self.publisher = publisher
        self.record = record
        # The listings it creates say what drafted them: the experiment arm, else the variant.
        deps.variant = record.experiment or (record.variant.id if record.variant else None)
        self.save_dir = save_dir
        self.store = store
        self.last_result: TurnResult | None = None
        self._live: Conversation | None = None  # the conversation as objects (the record holds it as JSON)
        self._tool_started: dict[str, float] = {}  # tool call id -> when it began (tool latency)

    @classmethod
    def start(
        cls,
        agent: ListingAgent,
        deps: TrovaDeps,
        *,
        model: str,
        prompt: str,
        marketplace: str,
        save_dir: Path | None = None,
        session_id: str | None = None,
        store: RecordStore | None = None,
        publisher: Publisher | None = None,
        variant: Variant | None = None,
        experiment: str | None = None,
    ) -> ChatSession:
        now = datetime.now(UTC)
        record = SessionRecord(
            id=session_id or new_session_id(),
            created_at=now,
            updated_at=now,
            model=model,
            prompt=prompt,
            marketplace=marketplace,
            seller_id=deps.seller_id,
            variant=variant or agent_variant(agent, model),
            experiment=experiment,
        )
        return cls(agent, deps, record, save_dir=save_dir, store=store, publisher=publisher)

    @classmethod
    def resume(
        cls,
        agent: ListingAgent,
        deps: TrovaDeps,
        session_id: str,
        save_dir: Path | None = None,
        publisher: Publisher | None = None,
    ) -> ChatSession:
        directory = save_dir or conversations_dir()
        # An id is a file name in the conversations folder, never a path out of it.
        if not _SESSION_ID.fullmatch(session_id):
            raise InputError(f"{session_id!r} is not a conversation id (like c20261126-043218-245945)")
        path = directory / f"{session_id}.json"
        if not path.is_file():
            # Newest first, by when each was last saved (ids from other sources need not sort by time).
            saved = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            known = [p.stem for p in saved[:5]]
            raise InputError(
                f"no saved conversation {session_id!r} in {directory}"
                + (f" (recent: {', '.join(known)})" if known else "")
            )
        try:
            record = SessionRecord.model_validate_json(path.read_text(encoding="utf-8"))
        except (ValidationError, OSError, UnicodeDecodeError) as e:
            raise InputError(
                f"the saved conversation {path} cannot be read ({type(e).__name__}); it may be damaged"
            ) from None
        if record.seller_id and deps.seller_id and record.seller_id != deps.seller_id:
            # Approving here would create the listing under someone else's identity.
            raise InputError(
                f"conversation {session_id} belongs to seller {record.seller_id} on {record.marketplace}, "
                f"not to this seller ({deps.seller_id}); resume it where it started"
            )
        record.variant = record.variant or agent_variant(agent, record.model)
        return cls(agent, deps, record, save_dir=directory, publisher=publisher)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def last_trace_id(self) -> str | None:
        """The latest turn's trace (for feedback and links), kept with the conversation."""
        return self.record.last_trace_id

    def conversation(self) -> Conversation | None:
        if self._live is None:
            self._live = self.record.load_conversation()
        return self._live

    def messages(self) -> list[ModelMessage]:
        conversation = self.conversation()
        return [] if conversation is None else list(conversation.messages)

    @property
    def pending(self) -> list[Draft]:
        return self.record.pending

    @staticmethod
    def check_message(text: str) -> str:
        cleaned = _LINE_SEPARATORS.sub("\n", _INVISIBLE.sub("", _ESCAPE_SEQUENCES.sub("", text)))
        cleaned = without_markdown(_MARKUP.sub(" ", _CODE.sub(" ", cleaned)))
        cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
        if not cleaned:
            raise InputError("Your message is empty. Tell me what you'd like to sell.")
        if len(cleaned) > MAX_MESSAGE_CHARS:
            raise InputError(
                f"Your message is {len(cleaned):,} characters; please keep it under {MAX_MESSAGE_CHARS:,} "
                "(a few paragraphs about the item is plenty). Nothing was sent."
            )
        return cleaned

    async def send(
        self, text: str, observer: TurnObserver | None = None, images: Sequence[BinaryContent] = ()
    ) -> TurnResult:
        """The seller's next message (with any photos). While drafts await approval it answers them: a plain
        yes approves, anything else goes back to the agent as the seller's reply."""
        cleaned = self.check_message(text)
        if self.record.pending:
            approve = is_approval(cleaned)
            return await self.decide(
                {d.call_id: (True if approve else cleaned) for d in self.record.pending},
                observer,
                said=cleaned,
            )
        prompt: str | list[UserContent] = [cleaned, *images] if images else cleaned
        return await self._run(prompt, None, observer, said=cleaned)

    async def decide(
        self,
        decisions: dict[str, bool | str],
        observer: TurnObserver | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
        said: str | None = None,
    ) -> TurnResult:
        """Answer pending drafts: True approves, a string is the seller's reply (a decline or a change);
        `overrides` approves a draft with fields the seller edited."""
        results = await self._deferred_results(decisions, overrides)
        result = await self._run(
            None, results, observer, said=said if said is not None else self._said_for(decisions)
        )
        result.approved = [k for k, v in decisions.items() if v is True]
        return result

    async def _deferred_results(
        self, decisions: dict[str, bool | str], overrides: dict[str, dict[str, Any]] | None
    ) -> DeferredToolResults:
        """The seller's answers for the agent; each approved draft is published first, by the seller's
        side (`publisher`), and what came of it goes to the agent's tool as the approval's metadata."""
        unknown = set(decisions) - {d.call_id for d in self.record.pending}
        if unknown:
            raise InputError(f"no pending draft with id {', '.join(sorted(unknown))}")
        self._check_replay([d.call_id for d in self.record.pending if decisions.get(d.call_id) is True])
        results = DeferredToolResults()
        for draft in self.record.pending:
            decision = decisions.get(draft.call_id, "")
            if decision is True:
                edited = (overrides or {}).get(draft.call_id)
                results.approvals[draft.call_id] = ToolApproved(override_args=edited) if edited else True
                outcome = await self._publish(draft, edited)
                if outcome is not None:
                    results.metadata[draft.call_id] = outcome.model_dump(mode="json")
            else:
                results.approvals[draft.call_id] = ToolDenied(
                    denial_message(str(decision) if decision else None)
                )
        return results

    def _check_replay(self, approved: list[str]) -> None:
        """A replayed conversation (agent.replay) must still be the recorded one before an approval runs a
        side-effecting tool: the model request that would show it diverged comes only after the tool ran
        (a listing posted). Raises ReplayDiverged."""
        model = self.agent.model
        if not approved or not isinstance(model, ReplayModel):
            return
        messages = self.messages()
        tools = {
            part.tool_call_id: part.tool_name
            for message in messages
            if isinstance(message, ModelResponse)
            for part in message.parts
            if isinstance(part, ToolCallPart)
        }
        effects = side_effect_tools()
        for call_id in approved:
            tool = tools.get(call_id, CREATE_LISTING)  # a draft is a create_listing call
            if tool in effects:
                model.check_approval(messages, call_id, tool)

    async def _publish(self, draft: Draft, edited: dict[str, Any] | None) -> PublishOutcome | None:
        """Publish an approved draft as the seller approved it (edits included); None when this session
        cannot publish (no seller-side publisher, or a draft saved before drafts existed)."""
        if self.publisher is None or draft.ref is None:
            return None
        content = approved_content(
            {**draft.args, **(edited or {})}, list(self.deps.photo_ids), self.deps.variant
        )
        if isinstance(content, str):
            return PublishOutcome(error_kind="invalid", error=content)
        return await self.publisher.publish(draft.ref, content, idempotency_key(self.record.id, content))

    @staticmethod
    def _said_for(decisions: dict[str, bool | str]) -> str:
        """A decision made in a UI, recorded as the seller would have typed it."""
        if all(v is True for v in decisions.values()):
            return "yes"
        return next((str(v) for v in decisions.values() if v is not True and v), "no")

    def _note_trace(self, span: Any) -> None:
        context = span.get_span_context()
        self.record.last_trace_id = format(context.trace_id, "032x") if context and context.trace_id else None

    def _turn_span(
        self, prompt: str | list[UserContent] | None, results: DeferredToolResults | None, said: str
    ) -> Any:
        answers = {
            k: ("approved" if not isinstance(v, ToolDenied) else v.message)
            for k, v in (results.approvals.items() if results else [])
        }
        images = (
            0
            if isinstance(prompt, str) or prompt is None
            else sum(1 for p in prompt if not isinstance(p, str))
        )
        return logfire.span(
            "chat turn {turn}",
            turn=self.record.turns + 1,
            conversation_id=self.record.id,
            seller_id=self.deps.seller_id or "",
            model=self.record.model,
            prompt_version=self.record.prompt,
            **self._variant_attributes(),
            seller_message=said,
            images=images,
            approvals=answers,
        )

    def _variant_attributes(self) -> dict[str, Any]:
        """`variant`: its short id (what the monitor groups by); `variant_detail`: what it is."""
        variant = self.record.variant
        arm = {"experiment_arm": self.record.experiment} if self.record.experiment else {}
        if variant is None:
            return arm
        return {
            "variant": variant.id,
            "variant_detail": {"spec": variant.spec, **variant.model_dump(mode="json")},
            **arm,
        }

    def _annotate(self, span: Any, result: TurnResult, turn: _Turn) -> None:
        outcome = (
            "stopped"
            if result.stopped
            else "created"
            if result.created
            else "awaiting_approval"
            if result.drafts
            else "replied"
        )
        span.set_attributes(
            {
                "agent_reply": result.reply,
                "drafts": [d.args for d in result.drafts],
                "created_listings": [c.get("id") for c in result.created],
                "tools": [a.name for a in result.activity],
                "outcome": outcome,
                **self._variant_attributes(),  # now with the model version the provider reported
            }
        )
        if result.stopped:
            span.set_level("warn")
            span.set_attribute("stopped", result.stopped)
        facts = self._facts(result, turn, outcome)
        span.set_attributes(facts.span_attributes())
        metrics.record(facts)

    def _facts(self, result: TurnResult, turn: _Turn, outcome: str) -> metrics.TurnFacts:
        empty = outcome == "replied" and not result.reply.strip()
        return metrics.TurnFacts(
            model=self.record.model,
            prompt=self.record.prompt,
            turn=self.record.turns,
            duration_s=time.perf_counter() - turn.started,
            marketplace=self.record.marketplace,
            variant=self.record.variant.id if self.record.variant else None,
            arm=self.record.experiment,
            outcome=outcome,
            error_kind=turn.error_kind or (metrics.EMPTY_REPLY if empty else None),
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
            cost_usd=result.cost_usd,
            model_requests=result.requests,
            tool_errors=[
                (a.name, kind)
                for a in result.activity
                if (kind := metrics.tool_error_kind(a.outcome, a.message)) is not None
            ],
            drafts=len(result.drafts),
            approved=len(turn.approved),
            declined=turn.declined,
            # A reply to a draft that changed nothing (a question answered, the same draft shown again) is
            # no revision: the same count as the feedback's "revised in words".
            revised=len(result.revisions),
            asked=max(0, turn.revised - len(result.revisions)),
            created=len(result.created),
            first_listing=result.first_listing,
            price_replaced=result.price_replaced,
        )

    def _time_tool(self, event: Any) -> None:
        """Tool latency, from a call's event to its result's."""
        if isinstance(event, FunctionToolCallEvent):
            self._tool_started[event.part.tool_call_id] = time.perf_counter()
        elif isinstance(event, FunctionToolResultEvent):
            began = self._tool_started.pop(event.part.tool_call_id, None)
            if began is not None:
                metrics.record_tool(
                    event.part.tool_name or "",
                    time.perf_counter() - began,
                    metrics.labels(
                        self.record.model,
                        self.record.prompt,
                        self.record.variant.id if self.record.variant else None,
                        self.record.experiment,
                    ),
                )

    def _begin(self, results: DeferredToolResults | None) -> _Turn:
        conversation = self.conversation()
        used = conversation.usage if conversation else None
        denied = {
            k: parse_denial(v.message)
            for k, v in (results.approvals.items() if results else [])
            if isinstance(v, ToolDenied)
        }
        replies = list(denied.values())
        return _Turn(
            revising=[
                d.args
                for d in self.record.pending
                if (r := denied.get(d.call_id)) is not None and not metrics.is_decline(r)
            ],
            declined=sum(1 for r in replies if r is not None and metrics.is_decline(r)),
            revised=sum(1 for r in replies if r is not None and not metrics.is_decline(r)),
            conversation=conversation,
            before=len(conversation.messages) if conversation else 0,
            limits=turn_limits(used.requests if used else 0, used.tool_calls if used else 0),
            approved={
                k for k, v in (results.approvals if results else {}).items() if not isinstance(v, ToolDenied)
            },
        )

    def _run_options(self, turn: _Turn, results: DeferredToolResults | None) -> dict[str, Any]:
        return {
            "deps": self.deps,
            "conversation": turn.conversation,
            "conversation_id": None if turn.conversation else self.record.id,
            "deferred_tool_results": results,
            "usage_limits": turn.limits,
            # What produced this turn, for whatever watches the run (online evaluation stores it with
            # its verdicts): the same names the turn's span and metrics use.
            "metadata": {
                "conversation_id": self.record.id,
                "model": self.record.model,
                "prompt_ref": self.record.prompt,
                "marketplace": self.record.marketplace,
                "turn": self.record.turns + 1,
                "variant": self.record.variant.id if self.record.variant else None,
            },
        }

    def _fail(self, turn: _Turn, error: Exception, captured: list[ModelMessage]) -> None:
        reason = str(error).split(". Consider")[0]  # without the library's pointer to its docs
        turn.error_kind = metrics.model_error_kind(error)
        if isinstance(error, UsageLimitExceeded):
            turn.stopped = (
                f"I stopped this turn because it hit the conversation's usage limit ({reason}). "
                "Your conversation is saved."
            )
        elif isinstance(error, ModelAPIError):
            # The provider failed (unreachable, rate-limited, a bad key): rewording would not help.
            turn.stopped = (
                f"The model could not answer ({reason}). Your conversation is saved; try again in a "
                "moment, or check the model name, its API key and the base URL."
            )
        else:
            turn.stopped = (
                f"The agent could not finish this turn ({reason}). Your conversation is saved; "
                "try saying it another way."
            )
        turn.conversation = self._salvage(turn.conversation, captured)

    async def _run(
        self,
        prompt: str | list[UserContent] | None,
        results: DeferredToolResults | None,
        observer: TurnObserver | None,
        said: str = "",
    ) -> TurnResult:
        with self._turn_span(prompt, results, said) as span:
            self._note_trace(span)
            turn = self._begin(results)
            live: dict[str, ToolActivity] = {}
            with capture_run_messages() as captured:
                try:
                    async with self.agent.iter(prompt, **self._run_options(turn, results)) as run:
                        replayed = results is not None  # the first tools node re-runs the paused response
                        async for node in run:
                            if Agent.is_call_tools_node(node):
                                for part in node.model_response.parts:
                                    if (
                                        isinstance(part, TextPart)
                                        and part.content.strip()
                                        and observer
                                        and not replayed
                                    ):
                                        observer.on_text(part.content)
                                replayed = False
                                async with node.stream(run.ctx) as events:
                                    async for event in events:
                                        self._time_tool(event)
                                        self._observe(event, live, observer, turn.approved)
                    assert run.result is not None
                    turn.output, turn.conversation = run.result.output, run.result.conversation
                except (UsageLimitExceeded, AgentRunError) as e:
                    self._fail(turn, e, captured)
            result = self._finish(turn)
            self._annotate(span, result, turn)
            return result

    async def stream(
        self,
        text: str | None = None,
        *,
        images: Sequence[BinaryContent] = (),
        decisions: dict[str, bool | str] | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> AsyncIterator[AgentStreamEvent | AgentRunResultEvent[Any]]:
        """Like `send`/`decide`, but yields pydantic-ai's events as they happen (model text streamed), for
        a UI adapter to encode. The turn's result is in `last_result` when the stream ends."""
        if decisions is not None:
            results, said = await self._deferred_results(decisions, overrides), self._said_for(decisions)
            prompt: str | list[UserContent] | None = None
        else:
            said = self.check_message(text or "")
            if self.record.pending:
                approve = is_approval(said)
                results = await self._deferred_results(
                    {d.call_id: (True if approve else said) for d in self.record.pending}, None
                )
                prompt = None
            else:
                results, prompt = None, ([said, *images] if images else said)
        with self._turn_span(prompt, results, said) as span:
            self._note_trace(span)
            turn = self._begin(results)
            failure: Exception | None = None
            finished = False
            with capture_run_messages() as captured:
                try:
                    async with self.agent.run_stream_events(
                        prompt, **self._run_options(turn, results)
                    ) as events:
                        async for event in events:
                            self._time_tool(event)
                            if isinstance(event, AgentRunResultEvent):
                                turn.output, turn.conversation = (
                                    event.result.output,
                                    event.result.conversation,
                                )
                            yield event
                    finished = True
                except (UsageLimitExceeded, AgentRunError) as e:
                    self._fail(turn, e, captured)
                    failure = e
                    finished = True
                finally:
                    if (
                        not finished
                    ):  # the reader went away mid-turn (a closed browser tab): keep what was done
                        turn.stopped = (
                            "The connection closed before the turn finished; the conversation is kept."
                        )
                        turn.conversation = self._salvage(turn.conversation, captured)
                        self.last_result = self._finish(turn)
                        self._annotate(span, self.last_result, turn)  # the code after this block won't run
            result = self._finish(turn)
            result.approved = [k for k, v in (decisions or {}).items() if v is True] or sorted(turn.approved)
            self._annotate(span, result, turn)
            self.last_result = result
        if failure is not None and turn.stopped:
            raise TurnStopped(turn.stopped) from failure

    def _finish(self, turn: _Turn) -> TurnResult:
        """Record what a run did (drafts awaiting approval, listings created, the reply) and save it."""
        conversation, output, stopped = turn.conversation, turn.output, turn.stopped
        new = list(conversation.messages[turn.before :]) if conversation else []
        everything = activity_from_messages(conversation.messages if conversation else [])
        new_ids = {
            p.tool_call_id for m in new for p in m.parts if isinstance(p, ToolCallPart | ToolReturnPart)
        }
        activity = [a for a in everything if a.call_id in new_ids]
        for a in activity:
            a.approved = a.call_id in turn.approved
        drafts = []
        if isinstance(output, DeferredToolRequests):
            drafts = [
                Draft(
                    call_id=c.tool_call_id,
                    args=c.args_as_dict(),
                    ref=_draft_ref(output.metadata, c.tool_call_id),
                )
                for c in output.approvals
            ]
            for draft in drafts:
                for a in activity:
                    if a.call_id == draft.call_id:
                        a.outcome = "awaiting_approval"
        created = [
            a.result
            for a in activity
            if a.name == CREATE_LISTING and a.outcome == "success" and isinstance(a.result, dict)
        ]
        reply = "\n".join(
            p.content
            for m in new
            if isinstance(m, ModelResponse)
            for p in m.parts
            if isinstance(p, TextPart) and p.content.strip()
        )
        if stopped:
            reply = (reply + "\n" if reply else "") + stopped
        if self.record.variant is not None:
            # The model version the provider reports (e.g. gpt-4o-mini-2024-07-18), once it has answered.
            reported = [m.model_name for m in new if isinstance(m, ModelResponse) and m.model_name]
            self.record.variant = self.record.variant.with_model_version(reported[-1] if reported else None)
        responses = [m for m in new if isinstance(m, ModelResponse)]
        suggested = metrics.suggested_prices([a.result for a in everything if a.name == "compare_prices"])
        usage = _Usage(
            input_tokens=sum(m.usage.input_tokens for m in responses),
            output_tokens=sum(m.usage.output_tokens for m in responses),
            cost_usd=_cost(responses, costs_nothing(self.agent.model)),
            first_listing=bool(created) and not self.record.listings,
            price_replaced=sum(
                1 for c in created if suggested and c.get("price") not in (None, suggested[-1])
            ),
        )
        redrafted = self._redrafted(turn, drafts)
        self.record.pending = drafts
        self.record.listings.extend(created)
        self.record.turns += 1
        self.record.updated_at = datetime.now(UTC)
        self._live = conversation
        self.save()
        requests = sum(1 for m in new if isinstance(m, ModelResponse))
        return TurnResult(
            reply=reply,
            drafts=drafts,
            created=created,
            activity=activity,
            stopped=stopped,
            error_kind=turn.error_kind,
            requests=requests,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
            first_listing=usage.first_listing,
            price_replaced=usage.price_replaced,
            declined=turn.declined,
            # The drafts shown this turn replace the ones revised, in order; the same draft shown again
            # unchanged (a "good" at the approval prompt) revised nothing and is no revision.
            revisions=[
                changes
                for i, old in enumerate(turn.revising)
                for changes in [
                    draft_changes(old, drafts[i].args, only_given=False) if i < len(drafts) else []
                ]
                if changes or i >= len(drafts)
            ],
            redrafted=redrafted,
        )

    def _redrafted(self, turn: _Turn, drafts: list[Draft]) -> list[list[FieldChange]]:
        """What the drafts shown this turn changed from those revised in words in an earlier turn and not
        replaced then; keeps this turn's revisions that no draft replaced for a later turn."""
        waiting = self.record.awaiting_redraft if not turn.revising else []
        found = [
            changes
            for i, old in enumerate(waiting)
            if i < len(drafts)
            for changes in [draft_changes(old, drafts[i].args, only_given=False)]
            if changes
        ]
        if drafts or turn.revising:
            # A new draft answers those waiting; a new revision supersedes them.
            self.record.awaiting_redraft = waiting[len(drafts) :] + turn.revising[len(drafts) :]
        return found

    def _salvage(
        self, conversation: Conversation | None, captured: list[ModelMessage]
    ) -> Conversation | None:
        """Keep what a failed run did (its messages), so resuming doesn't repeat or lose it."""
        if not captured:
            return conversation
        base = conversation or Conversation(conversation_id=self.record.id)
        # The failed run's own usage counts too: the conversation's budget must not reset on a failure.
        usage = copy.copy(base.usage)
        for message in captured[len(base.messages) :]:
            if isinstance(message, ModelResponse):
                usage.incr(message.usage)
                usage.requests += 1
                usage.tool_calls += sum(1 for p in message.parts if isinstance(p, ToolCallPart))
        # Drafts a failed run was waiting on can't be answered any more; the agent re-proposes them.
        return Conversation(messages=list(captured), usage=usage, conversation_id=base.conversation_id)

    @staticmethod
    def _observe(
        event: Any, live: dict[str, ToolActivity], observer: TurnObserver | None, approved: set[str]
    ) -> None:
        if isinstance(event, FunctionToolCallEvent):
            part = event.part
            activity = ToolActivity(
                part.tool_call_id, part.tool_name, part.args_as_dict(), approved=part.tool_call_id in approved
            )
            live[part.tool_call_id] = activity
            if observer:
                observer.on_tool_call(activity)
        elif isinstance(event, FunctionToolResultEvent):
            result_part = event.part
            activity = live.get(result_part.tool_call_id) or ToolActivity(
                result_part.tool_call_id, result_part.tool_name or "", {}
            )
            _settle(activity, result_part)
            if observer:
                observer.on_tool_result(activity)

    def save(self) -> Path | None:
        """Write the conversation to its store, or to its file (atomically); without either, nothing is
        written."""
        if self._live is not None and (self.save_dir is not None or self.store is not None):
            self.record.conversation = ConversationTypeAdapter.dump_python(self._live, mode="json")
        if self.store is not None:
            self.store.save(self.record)
        if self.save_dir is None:
            return None
        path = self.save_dir / f"{self.record.id}.json"
        write_private(path, self.record.model_dump_json(indent=1))  # atomic, owner-only, keys redacted
        return path
