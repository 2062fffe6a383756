"""The same listing conversation over the OpenAI Chat Completions wire: pydantic-ai's OpenAI chat model
and the real `openai` client talking to `trova model-server` (in-process, so no provider is reached)."""

from __future__ import annotations

import json

import httpx2
import pytest
from openai import AsyncOpenAI
from pydantic_ai.models import override_allow_model_requests
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from agent.listing_agent import build_agent
from agent.model_server import create_model_server
from agent.session import ChatSession
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher


class Recorder(httpx2.AsyncBaseTransport):
    """The model server in-process, recording each request body the OpenAI client sends."""

    def __init__(self) -> None:
        self.inner = httpx2.ASGITransport(app=create_model_server())
        self.bodies: list[dict] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            self.bodies.append(json.loads(await request.aread()))
        return await self.inner.handle_async_request(request)


@pytest.fixture
def wire() -> Recorder:
    return Recorder()


def openai_chat_model(wire: Recorder) -> OpenAIChatModel:
    http_client = httpx2.AsyncClient(transport=wire, base_url="http://model-server/v1")
    provider = OpenAIProvider(
        base_url="http://model-server/v1", api_key="not-needed", http_client=http_client
    )
    return OpenAIChatModel("trova-offline", provider=provider)


async def test_listing_conversation_over_the_openai_wire(wire: Recorder, client: MarketplaceClient) -> None:
    session = ChatSession.start(
        build_agent(openai_chat_model(wire)),
        TrovaDeps(client),
        publisher=Publisher(client),
        model="openai-chat",
        prompt="p",
        marketplace="test",
    )
    with override_allow_model_requests(True):  # the "provider" is our in-process server
        asked = await session.send("I want to sell my old Trek road bike")
        drafted = await session.send("good")
        revised = await session.send("make it 150 instead")
        done = await session.send("yes")
    assert "What condition" in asked.reply
    assert drafted.drafts and drafted.drafts[0].args["category_id"] == 1026
    assert revised.drafts[0].args["price"] == 150 and revised.created == []
    (listing,) = done.created
    assert listing["price"] == 150 and listing["category_path"].endswith("Bicycles")

    first = wire.bodies[0]
    tools = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert set(tools) == {"search_categories", "compare_prices", "create_listing"}
    assert tools["create_listing"]["parameters"]["properties"]["title"]["maxLength"] == 80
    assert first["messages"][0]["role"] == "system" and "listing assistant" in first["messages"][0]["content"]
    roles = [m["role"] for m in wire.bodies[-1]["messages"]]
    assert roles.count("user") == 2 and roles.count("tool") >= 4  # multi-turn history went over the wire
    denial = [
        m
        for b in wire.bodies
        for m in b["messages"]
        if m["role"] == "tool" and "did not approve" in str(m.get("content"))
    ]
    assert denial and "make it 150 instead" in denial[0]["content"]
    calls = [
        c for m in wire.bodies[-1]["messages"] if m["role"] == "assistant" for c in m.get("tool_calls") or []
    ]
    assert json.loads(calls[0]["function"]["arguments"]) == {"query": "Trek road bike"}


async def test_streaming_chat_completions_with_tool_calls(wire: Recorder) -> None:
    openai_client = AsyncOpenAI(
        base_url="http://model-server/v1",
        api_key="x",
        http_client=httpx2.AsyncClient(transport=wire, base_url="http://model-server/v1"),
    )
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("search_categories", "compare_prices", "create_listing")
    ]
    stream = await openai_client.chat.completions.create(
        model="trova-offline",
        stream=True,
        stream_options={"include_usage": True},
        tools=tools,
        messages=[{"role": "user", "content": "I want to sell my couch"}],
    )
    text, name, arguments, finish, usage = "", "", "", None, None
    async for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            for call in choice.delta.tool_calls or []:
                name += call.function.name or ""
                arguments += call.function.arguments or ""
            finish = choice.finish_reason or finish
    assert "couch" in text and name == "search_categories" and json.loads(arguments) == {"query": "couch"}
    assert finish == "tool_calls" and usage is not None and usage.total_tokens > 0


async def test_unknown_model_is_a_clear_404(wire: Recorder) -> None:
    async with httpx2.AsyncClient(transport=wire, base_url="http://m") as http:
        response = await http.post("/v1/chat/completions", json={"model": "gpt-9", "messages": []})
        models = await http.get("/v1/models")
    assert response.status_code == 404 and "trova-offline" in response.json()["detail"]
    assert "trova-offline" in {m["id"] for m in models.json()["data"]}


async def test_a_malformed_request_is_a_400_that_names_the_problem_and_echoes_nothing(wire: Recorder) -> None:
    secret_prompt = "my private prompt text " * 20
    async with httpx2.AsyncClient(transport=wire, base_url="http://m") as http:
        response = await http.post(
            "/v1/chat/completions", json={"model": "trova-offline", "messages": secret_prompt}
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"].startswith("messages:")
    assert "private prompt" not in response.text
