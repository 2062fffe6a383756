"""Test helpers: scripted models, conversations on the in-process marketplace."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agent.offline.reading import Context, Question
from agent.session import ChatSession, ToolActivity, TurnResult
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps

Step = Callable[[list[ModelMessage], AgentInfo], ModelResponse]


def last_tool_returns(messages: Sequence[ModelMessage]) -> list[ToolReturnPart]:
    last = messages[-1]
    if not isinstance(last, ModelRequest):
        return []
    return [p for p in last.parts if isinstance(p, ToolReturnPart)]


def call(name: str, **args: Any) -> ModelResponse:
    return ModelResponse(parts=[ToolCallPart(name, args)])


def say(text: str) -> ModelResponse:
    return ModelResponse(parts=[TextPart(text)])


def scripted(*steps: ModelResponse | Step) -> FunctionModel:
    """A model that answers request N with steps[N] (a response, or a function of the messages);
    past the end it says 'done'."""
    position = {"i": 0}

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        i = position["i"]
        position["i"] += 1
        if i >= len(steps):
            return say("done")
        step = steps[i]
        return step(messages, info) if callable(step) else step

    return FunctionModel(respond)


def deps(client: MarketplaceClient) -> TrovaDeps:
    return TrovaDeps(client)


def names(activity: Sequence[ToolActivity]) -> list[str]:
    return [a.name for a in activity]


def asked_at(question: Question, item: str) -> Context:
    """Where a conversation is when `question` was just asked about `item` (for reading one message)."""
    return Context(asked=question, item=item, in_progress=True)


def offline_session(
    client: MarketplaceClient, *, publish: bool = True, save_dir: Path | None = None
) -> ChatSession:
    """A conversation with the offline agent on `client`'s marketplace; `publish`: the seller's side can
    publish approved drafts (as the CLI and the site do); `save_dir`: where it is saved, to resume it."""
    from agent.listing_agent import build_agent
    from agent.offline.model import OfflineModel
    from tools.publishing import Publisher

    return ChatSession.start(
        build_agent(OfflineModel()),
        TrovaDeps(client),
        model="offline",
        prompt="p",
        marketplace="test",
        save_dir=save_dir,
        publisher=Publisher(client) if publish else None,
    )


def tool_results(messages: Sequence[ModelMessage]) -> dict[str, list[Any]]:
    """Successful tool results so far, by tool, in order, as JSON-like data (for scripted models)."""
    out: dict[str, list[Any]] = {}
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, ToolReturnPart) and part.outcome == "success":
                    content = part.content
                    if hasattr(content, "model_dump"):
                        content = content.model_dump(mode="json")
                    out.setdefault(part.tool_name, []).append(content)
    return out


def called_tools(messages: Sequence[ModelMessage]) -> list[str]:
    """The tools the model has called so far, in order."""
    return [
        p.tool_name
        for m in messages
        if isinstance(m, ModelResponse)
        for p in m.parts
        if isinstance(p, ToolCallPart)
    ]


async def say_all(session: ChatSession, *texts: str) -> list[TurnResult]:
    """Each seller message in turn; every turn's result."""
    return [await session.send(text) for text in texts]


def last_draft(turns: list[TurnResult]) -> dict[str, object]:
    """The last draft the turns proposed (fails, showing the replies, when there is none)."""
    drafts = [d.args for t in turns for d in t.drafts]
    assert drafts, [t.reply for t in turns]
    return drafts[-1]
