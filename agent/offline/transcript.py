"""A conversation's messages as a flat list of events the offline policy can reason about.

Works the same on an in-process history (tool results are Python objects) and on one rebuilt from the
OpenAI wire format (tool results are JSON strings), so the policy behaves identically on both paths.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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

from agent.approvals import parse_denial
from agent.content import as_data
from tools.errors import UNAVAILABLE_PREFIX, UNKNOWN_PREFIX

Outcome = Literal["success", "failed", "denied", "retried"]
_OUTCOMES: dict[str, Outcome] = {
    "success": "success",
    "failed": "failed",
    "denied": "denied",
    "retried": "retried",
}


@dataclass
class SellerSaid:
    text: str
    images: int = 0  # attachments the seller sent (the offline policy cannot look at them)


@dataclass
class AgentTurn:
    """The start of one of the agent's responses (its text and tool calls follow)."""


@dataclass
class AgentSaid:
    text: str


@dataclass
class ToolCalled:
    name: str
    args: dict[str, Any]
    call_id: str


@dataclass
class ToolAnswered:
    name: str
    call_id: str
    outcome: Outcome
    data: Any = None  # the result as JSON-like data when it succeeded
    message: str = ""  # the failure, retry reason or the seller's reply to a denied draft
    unavailable: bool = False
    unknown: bool = False  # sent, and its answer lost: whether it took effect is not known


Event = SellerSaid | AgentTurn | AgentSaid | ToolCalled | ToolAnswered


def _user_text(part: UserPromptPart) -> str:
    if isinstance(part.content, str):
        return part.content
    return " ".join(c for c in part.content if isinstance(c, str))


def _answer(part: ToolReturnPart | RetryPromptPart) -> ToolAnswered:
    name = part.tool_name or ""
    if isinstance(part, RetryPromptPart):
        message = part.content if isinstance(part.content, str) else json.dumps(part.content, default=str)
        return ToolAnswered(name, part.tool_call_id, "retried", message=message)
    outcome: Outcome = _OUTCOMES.get(str(getattr(part, "outcome", "success")), "success")
    data = as_data(part.content)
    text = data if isinstance(data, str) else ""
    if isinstance(data, dict) and set(data) == {"error"}:  # failures as framed on the OpenAI wire
        text, outcome = str(data["error"]), "failed"
    denial = parse_denial(text) if text else None
    if outcome == "denied" or denial is not None:
        return ToolAnswered(name, part.tool_call_id, "denied", message=denial if denial is not None else text)
    if outcome in ("failed", "retried"):
        return ToolAnswered(
            name,
            part.tool_call_id,
            outcome,
            message=text or str(data),
            unavailable=UNAVAILABLE_PREFIX in (text or ""),
            unknown=UNKNOWN_PREFIX in (text or ""),
        )
    if isinstance(data, str) and data.startswith(UNAVAILABLE_PREFIX):
        return ToolAnswered(name, part.tool_call_id, "failed", message=data, unavailable=True)
    return ToolAnswered(name, part.tool_call_id, "success", data=data)


@dataclass
class Transcript:
    events: list[Event] = field(default_factory=list)

    @classmethod
    def from_messages(cls, messages: Sequence[ModelMessage]) -> Transcript:
        events: list[Event] = []
        for message in messages:
            if isinstance(message, ModelRequest):
                for part in message.parts:
                    if isinstance(part, UserPromptPart):
                        attachments = (
                            0
                            if isinstance(part.content, str)
                            else sum(1 for c in part.content if not isinstance(c, str))
                        )
                        events.append(SellerSaid(_user_text(part), attachments))
                    elif isinstance(part, ToolReturnPart | RetryPromptPart):
                        if isinstance(part, RetryPromptPart) and not part.tool_name:
                            continue
                        events.append(_answer(part))
            elif isinstance(message, ModelResponse):
                events.append(AgentTurn())
                for rpart in message.parts:
                    if isinstance(rpart, TextPart) and rpart.content.strip():
                        events.append(AgentSaid(rpart.content))
                    elif isinstance(rpart, ToolCallPart):
                        events.append(ToolCalled(rpart.tool_name, rpart.args_as_dict(), rpart.tool_call_id))
        return cls(events)
