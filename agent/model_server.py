"""The offline policy behind an OpenAI-compatible Chat Completions endpoint (`trova model-server`).

Any OpenAI client can talk to it, tool calls included: it is how the production path (pydantic-ai's
OpenAI chat model, the `openai` SDK, tool schemas and tool-call JSON over the wire, multi-turn history
and approvals) is exercised end to end without reaching a provider.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from agent.offline.model import OFFLINE_MODEL_NAME, respond

MODEL_IDS = (OFFLINE_MODEL_NAME, "offline")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    stream: bool = False
    stream_options: dict[str, Any] | None = None


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content)


def to_model_messages(messages: list[dict[str, Any]]) -> list[ModelMessage]:
    """OpenAI chat messages -> pydantic-ai messages (system prompts are the policy's own business)."""
    out: list[ModelMessage] = []
    tool_names: dict[str, str] = {}
    pending: list[ModelRequestPart] = []

    def flush() -> None:
        if pending:
            out.append(ModelRequest(parts=list(pending)))
            pending.clear()

    for number, message in enumerate(messages):
        role = message.get("role")
        if role in ("system", "developer"):
            continue
        if role == "user":
            pending.append(UserPromptPart(_text(message.get("content"))))
        elif role == "tool":
            call_id = str(message.get("tool_call_id", ""))
            pending.append(
                ToolReturnPart(tool_names.get(call_id, ""), _text(message.get("content")), call_id)
            )
        elif role == "assistant":
            flush()
            parts: list[ModelResponsePart] = []
            if _text(message.get("content")):
                parts.append(TextPart(_text(message.get("content"))))
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                tool_names[call["id"]] = function.get("name", "")
                parts.append(
                    ToolCallPart(function.get("name", ""), function.get("arguments") or "{}", call["id"])
                )
            out.append(ModelResponse(parts=parts))
        else:
            raise HTTPException(400, f"messages[{number}]: unsupported role {role!r}")
    flush()
    return out


def _tool_names(tools: list[dict[str, Any]] | None) -> set[str]:
    return {
        t.get("function", {}).get("name", "") for t in tools or [] if t.get("type", "function") == "function"
    }


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)  # the usual rule of thumb; the policy has no tokenizer


async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """400 in the shape OpenAI clients read (`error.message`), naming each problem and where it is; what was
    sent is never echoed back (FastAPI's default repeats the whole input, prompts and all)."""
    problems = [
        f"{'.'.join(str(p) for p in error.get('loc', ()) if p != 'body') or 'body'}: {error.get('msg', 'invalid')}"
        for error in exc.errors()
    ]
    return JSONResponse(
        {"error": {"message": "; ".join(problems), "type": "invalid_request_error", "code": None}},
        status_code=400,
    )


def create_model_server() -> FastAPI:
    app = FastAPI(title="Trova offline model (OpenAI-compatible)", version="1.0")
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]

    @app.get("/v1/models")
    def list_models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": m, "object": "model", "owned_by": "trova"} for m in MODEL_IDS],
        }

    @app.post("/v1/chat/completions", response_model=None)
    def chat_completions(body: ChatRequest) -> dict[str, Any] | StreamingResponse:
        if body.model not in MODEL_IDS:
            raise HTTPException(
                404, f"model {body.model!r} not found; this server has {', '.join(MODEL_IDS)}"
            )
        response = respond(to_model_messages(body.messages), _tool_names(body.tools))
        text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
        calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
        prompt_tokens = _estimate_tokens(json.dumps(body.messages))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": _estimate_tokens(text + str(calls)),
            "total_tokens": 0,
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        completion_id, created = "chatcmpl-" + secrets.token_hex(12), int(time.time())
        tool_calls = [
            {
                "id": "call_" + secrets.token_hex(8),
                "type": "function",
                "function": {"name": c.tool_name, "arguments": json.dumps(c.args_as_dict())},
            }
            for c in calls
        ]
        finish = "tool_calls" if tool_calls else "stop"
        if body.stream:
            include_usage = bool((body.stream_options or {}).get("include_usage"))
            return StreamingResponse(
                _sse(
                    completion_id,
                    created,
                    body.model,
                    text,
                    tool_calls,
                    finish,
                    usage if include_usage else None,
                ),
                media_type="text/event-stream",
            )
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if tool_calls:
            message["tool_calls"] = tool_calls
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage,
        }

    return app


async def _sse(
    completion_id: str,
    created: int,
    model: str,
    text: str,
    tool_calls: list[dict[str, Any]],
    finish: str,
    usage: dict[str, int] | None,
) -> AsyncIterator[str]:
    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    words = text.split(" ") if text else []
    for i, word in enumerate(words):
        yield chunk({"content": word if i == 0 else " " + word})
    for index, call in enumerate(tool_calls):
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ]
            }
        )
        yield chunk(
            {"tool_calls": [{"index": index, "function": {"arguments": call["function"]["arguments"]}}]}
        )
    yield chunk({}, finish)
    if usage is not None:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [],
            "usage": usage,
        }
        yield f"data: {json.dumps(body)}\n\n"
    yield "data: [DONE]\n\n"
