"""The agent with FunctionModel scripts, including ones that misbehave: every failure becomes something
the model can act on, nothing crashes, nothing is created without approval."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic_ai.exceptions import ModelConnectionError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agent.listing_agent import CONVERSATION_REQUEST_LIMIT, build_agent
from agent.session import MAX_MESSAGE_CHARS, ChatSession, InputError
from tests.conftest import BASE_URL
from tests.helpers import call, say, scripted
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher

GOOD_DRAFT = {
    "title": "Trek road bike",
    "description": "Selling my Trek, ridden on weekends.",
    "category_id": 1026,
    "condition": "good",
    "price": 180.0,
}


class Switch(httpx.AsyncBaseTransport):
    """The real app, until `down` is set."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def switch(market_app: FastAPI) -> Switch:
    return Switch(market_app)


@pytest.fixture
async def switched_client(switch: Switch):
    async with MarketplaceClient(BASE_URL, transport=switch, backoff=0, get_retries=1) as c:
        c.token = (await c.register_seller("Switchy")).token
        yield c


def session_for(model, client: MarketplaceClient, tmp_path=None) -> ChatSession:
    """A conversation whose tools and seller-side publisher share the test seller's client."""
    return ChatSession.start(
        build_agent(model),
        TrovaDeps(client),
        model="test",
        prompt="p",
        marketplace="test",
        save_dir=tmp_path,
        publisher=Publisher(client),
    )


def returned(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    last = messages[-1]
    assert isinstance(last, ModelRequest)
    return [p for p in last.parts if isinstance(p, ToolReturnPart)]


async def listing_count(client: MarketplaceClient) -> int:
    return (await client.list_listings(source="seller")).total


async def test_correct_script_creates_only_after_approval(client: MarketplaceClient) -> None:
    model = scripted(
        call("search_categories", query="Trek road bike"),
        call("compare_prices", category_id=1026, item="Trek road bike", condition="good"),
        call("create_listing", **GOOD_DRAFT),
        say("Listed!"),
    )
    session = session_for(model, client)
    first = await session.send("I want to sell my Trek road bike, good condition")
    assert [a.name for a in first.activity] == ["search_categories", "compare_prices", "create_listing"]
    assert first.activity[-1].outcome == "awaiting_approval"
    assert [d.args for d in first.drafts] == [GOOD_DRAFT]
    assert await listing_count(client) == 0  # proposed, not created
    second = await session.send("yes")
    assert second.created and second.created[0]["title"] == "Trek road bike"
    assert await listing_count(client) == 1
    assert session.pending == []


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"title": "x" * 120}, "title must be at most 80 characters long"),
        ({"title": "Bike"}, "title must be at least 5 characters long"),
        ({"price": -5}, "price must be more than 0"),
        ({"price": 9_999_999}, "price must be less than 1,000,000"),
        ({"price": 1e20}, "price must be less than 1,000,000"),
        (
            {"condition": "used"},
            "condition must be one of: 'new', 'like_new', 'excellent', 'good', 'fair' or 'for_parts'",
        ),
        ({"category_id": 987654321}, "does not exist"),
        ({"category_id": 1025}, "not a leaf"),
        ({"currency": "DOGE"}, "not supported"),
    ],
)
async def test_invalid_draft_goes_back_to_the_model_with_the_reason(
    client: MarketplaceClient, bad: dict, reason: str
) -> None:
    seen: dict[str, str] = {}

    def after_retry(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        assert isinstance(last, ModelRequest)
        seen["retry"] = " ".join(str(getattr(p, "content", "")) for p in last.parts)
        return call("create_listing", **GOOD_DRAFT)

    session = session_for(scripted(call("create_listing", **{**GOOD_DRAFT, **bad}), after_retry), client)
    result = await session.send("sell my bike for 180, good condition")
    assert reason in seen["retry"]
    # Plain words, never pydantic's JSON (which a model or a seller would have to decode).
    assert '"type"' not in seen["retry"] and "[{" not in seen["retry"]
    # The seller is only ever asked about the corrected draft.
    assert [d.args for d in result.drafts] == [GOOD_DRAFT]
    assert result.activity[0].outcome == "retried"


async def test_a_looping_model_is_stopped_and_nothing_is_lost(client: MarketplaceClient, tmp_path) -> None:
    def loop(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return call("search_categories", query="bike")

    session = session_for(scripted(*[loop] * 100), client, tmp_path)
    result = await session.send("sell my bike")
    assert result.stopped and "usage limit" in result.stopped
    assert 0 < len([a for a in result.activity if a.name == "search_categories"]) < CONVERSATION_REQUEST_LIMIT
    saved = ChatSession.resume(session.agent, session.deps, session.id, tmp_path)
    assert saved.record.messages(), "the turn's messages were kept"
    assert any(
        "sell my bike" in str(getattr(p, "content", "")) for m in saved.record.messages() for p in m.parts
    )


async def test_a_provider_failure_says_so_rather_than_asking_to_rephrase(client: MarketplaceClient) -> None:
    def down(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ModelConnectionError("gpt-test", "Connection error.")

    result = await session_for(FunctionModel(down), client).send("sell my bike")
    assert result.stopped is not None
    assert result.stopped.startswith("The model could not answer (Connection error.)")
    assert "another way" not in result.stopped


async def test_unreachable_marketplace_is_told_and_the_draft_is_kept(
    switch: Switch, switched_client: MarketplaceClient
) -> None:
    failures: list[str] = []

    def report(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        failures.extend(p.content for p in returned(messages) if p.outcome == "failed")
        return say("The marketplace is down; your draft is kept. Say 'try again'.")

    model = scripted(
        call("create_listing", **GOOD_DRAFT), report, call("create_listing", **GOOD_DRAFT), say("Posted.")
    )
    session = session_for(model, switched_client)
    first = await session.send("sell my Trek road bike for 180, good")
    assert first.drafts
    switch.down = True
    second = await session.send("yes")
    assert second.created == [] and "MARKETPLACE UNAVAILABLE" in failures[0]
    assert second.activity[0].outcome == "failed" and second.activity[0].args == GOOD_DRAFT  # the draft, kept
    assert "draft is kept" in second.reply
    switch.down = False
    third = await session.send("try again")
    assert third.drafts and third.drafts[0].args == GOOD_DRAFT
    fourth = await session.send("yes")
    assert len(fourth.created) == 1
    assert await listing_count(switched_client) == 1


async def test_search_failure_does_not_crash_the_conversation(
    switch: Switch, switched_client: MarketplaceClient
) -> None:
    outcomes: list[str] = []

    def report(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        outcomes.extend(str(p.outcome) for p in returned(messages))
        return say("I can't reach the marketplace right now.")

    switch.down = True
    session = session_for(scripted(call("search_categories", query="sofa"), report), switched_client)
    result = await session.send("sell my sofa")
    assert outcomes == ["failed"] and result.reply.endswith("right now.") and result.stopped is None


async def test_the_same_draft_approved_twice_creates_one_listing(client: MarketplaceClient) -> None:
    model = scripted(
        call("create_listing", **GOOD_DRAFT), say("ok"), call("create_listing", **GOOD_DRAFT), say("ok again")
    )
    session = session_for(model, client)
    await session.send("sell my bike")
    one = await session.send("yes")
    await session.send("post it again please")
    two = await session.send("yes")
    assert one.created[0]["id"] == two.created[0]["id"]  # same idempotency key: one listing
    assert await listing_count(client) == 1


async def test_a_reply_other_than_yes_is_passed_to_the_model(client: MarketplaceClient) -> None:
    seen: list[str] = []

    def revise(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.extend(f"{p.outcome}: {p.content}" for p in returned(messages))
        return call("create_listing", **{**GOOD_DRAFT, "price": 40.0})

    session = session_for(scripted(call("create_listing", **GOOD_DRAFT), revise), client)
    await session.send("sell my bike")
    result = await session.send("make it 40 instead")
    assert seen and seen[0].startswith("denied:") and 'Their reply: "make it 40 instead"' in seen[0]
    assert result.drafts[0].args["price"] == 40.0 and result.created == []
    assert await listing_count(client) == 0


async def test_bad_seller_messages_are_refused_without_changing_anything(client: MarketplaceClient) -> None:
    session = session_for(scripted(say("hi")), client)
    for text in ["", "   \n ", "x" * (MAX_MESSAGE_CHARS + 1)]:
        with pytest.raises(InputError):
            await session.send(text)
    assert session.record.turns == 0 and session.record.conversation is None
