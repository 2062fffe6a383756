"""The offline policy as a pydantic-ai model, so it drives the real agent, tools and approvals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelResponse, ModelResponsePart, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters, StreamedResponse
from pydantic_ai.models.function import (
    AgentInfo,
    DeltaToolCall,
    DeltaToolCalls,
    FunctionModel,
    _estimate_usage,
)
from pydantic_ai.settings import ModelSettings

from agent.offline.policy import next_action
from agent.offline.settings import OfflineModelSettings, PolicySettings
from agent.offline.transcript import Transcript

OFFLINE_MODEL_NAME = "trova-offline"


def respond(
    messages: list[ModelMessage], available_tools: set[str], settings: Mapping[str, Any] | None = None
) -> ModelResponse:
    """The policy's next response to a conversation: text, a tool call, or both."""
    action = next_action(
        Transcript.from_messages(messages), available_tools, PolicySettings.from_model_settings(settings)
    )
    parts: list[ModelResponsePart] = []
    if action.text:
        parts.append(TextPart(action.text))
    if action.tool:
        parts.append(ToolCallPart(action.tool, action.args))
    if not parts:
        parts.append(TextPart("What would you like to sell?"))
    return ModelResponse(parts=parts, model_name=OFFLINE_MODEL_NAME)


async def _request(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    # Async on purpose: the policy takes about a millisecond, less than a hop to a worker thread.
    settings: Mapping[str, Any] | None = info.model_settings
    return respond(messages, {t.name for t in info.function_tools}, settings)


async def _stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str | DeltaToolCalls]:
    response = await _request(messages, info)
    for index, part in enumerate(response.parts):
        if isinstance(part, TextPart):
            words = part.content.split(" ")
            for i, word in enumerate(words):  # word by word, as an LLM streams
                yield word if i == 0 else " " + word
        elif isinstance(part, ToolCallPart):
            yield {
                index: DeltaToolCall(
                    name=part.tool_name,
                    json_args=json.dumps(part.args_as_dict()),
                    tool_call_id=part.tool_call_id,
                )
            }


class OfflineModel(FunctionModel):
    """Trova's rule-based stand-in for an LLM: deterministic, needs no key and no network.

    `settings` (OfflineModelSettings) are the policy's own choices: where to price, whether to ask for the
    condition, how many categories to offer; checked here, so a bad value fails before any conversation."""

    def __init__(self, settings: OfflineModelSettings | None = None) -> None:
        PolicySettings.from_model_settings(settings)
        super().__init__(_request, stream_function=_stream, model_name=OFFLINE_MODEL_NAME, settings=settings)

    @property
    def system(self) -> str:
        return "trova"

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: Any = None,
    ) -> AsyncIterator[StreamedResponse]:
        async with super().request_stream(
            messages, model_settings, model_request_parameters, run_context
        ) as streamed:
            # FunctionModel estimates a streamed request's input from no messages (a flat 50 tokens); count
            # the conversation as its non-streamed path does, so a web chat's usage matches the CLI's.
            streamed._usage.input_tokens = _estimate_usage(messages).input_tokens
            yield streamed
