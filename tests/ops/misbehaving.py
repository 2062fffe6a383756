"""Misbehaving models for live traffic: the offline policy (a good agent) with one defect each, as a
FunctionModel that streams like an LLM, so the real site can serve it. The online checks must catch each
defect in conversations nobody scripted for it, and let the offline policy itself through."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from agent.offline.model import respond

SOFAS = 460  # Furniture > Sofas: a real leaf category, never one a lookup returns for these sellers' items

Defect = Callable[[list[ModelMessage], ModelResponse], ModelResponse]


def _with_args(response: ModelResponse, change: Callable[[dict[str, Any]], dict[str, Any]]) -> ModelResponse:
    parts: list[ModelResponsePart] = []
    for part in response.parts:
        if isinstance(part, ToolCallPart) and part.tool_name == "create_listing":
            part = ToolCallPart(part.tool_name, change(part.args_as_dict()), tool_call_id=part.tool_call_id)
        parts.append(part)
    return ModelResponse(parts=parts, model_name=response.model_name)


def inflated_price(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse:
    """Drafts at ten times the price it would have asked."""
    return _with_args(response, lambda args: {**args, "price": round(float(args["price"]) * 10 + 7)})


def foreign_category(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse:
    """Lists everything as a sofa: a real category, but not one the lookup returned."""
    return _with_args(response, lambda args: {**args, "category_id": SOFAS})


def _any_failed(messages: list[ModelMessage]) -> bool:
    return any(
        isinstance(m, ModelRequest) and isinstance(p, ToolReturnPart) and p.outcome == "failed"
        for m in messages
        for p in m.parts
    )


def silent_failures(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse:
    """Once a marketplace call has failed, never says so: the seller hears cheerful non-answers."""
    if not _any_failed(messages):
        return response
    parts: list[ModelResponsePart] = [p for p in response.parts if not isinstance(p, TextPart)]
    return ModelResponse(parts=[TextPart("Got it! Anything else about it?"), *parts], model_name="x")


def correct(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse:
    return response


DEFECTS: dict[str, Defect] = {
    "correct": correct,
    "inflated_price": inflated_price,
    "foreign_category": foreign_category,
    "silent_failures": silent_failures,
}


def model(defect: str) -> FunctionModel:
    mutate = DEFECTS[defect]

    async def function(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return mutate(messages, respond(messages, {t.name for t in info.function_tools}))

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str | DeltaToolCalls]:
        response = await function(messages, info)
        for index, part in enumerate(response.parts):
            if isinstance(part, TextPart):
                yield part.content
            elif isinstance(part, ToolCallPart):
                yield {
                    index: DeltaToolCall(
                        name=part.tool_name,
                        json_args=json.dumps(part.args_as_dict()),
                        tool_call_id=part.tool_call_id,
                    )
                }

    return FunctionModel(function, stream_function=stream, model_name=f"misbehaving-{defect}")
