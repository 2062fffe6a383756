"""Simulated marketplace failures: each kind, on the n-th call of a tool, under the product's own client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from evals.isolation import IsolatedMarketplace, MarketplaceFactory
from evals.outages import AppliedOutage, OutageTransport
from evals.schema import Scenario, ToolOutage
from tools.client import MarketplaceClient, MarketplaceError
from tools.types import Condition, ListingCreate

BIKES = 1026


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> MarketplaceFactory:
    return MarketplaceFactory(tmp_path_factory.mktemp("eval-cache"))


@pytest.fixture
async def market(factory: MarketplaceFactory) -> AsyncIterator[IsolatedMarketplace]:
    market = factory.new()
    yield market
    market.close()


def client_for(
    market: IsolatedMarketplace, *outages: ToolOutage, timeout: httpx.Timeout | None = None
) -> tuple[MarketplaceClient, OutageTransport]:
    transport = OutageTransport(market.transport(), outages)
    _, token = market.register_seller("Eval Seller")
    extra = {"timeout": timeout} if timeout else {}
    return transport.client("http://marketplace.eval", token, backoff=0.0, **extra), transport


def outage(**fields: object) -> ToolOutage:
    return ToolOutage.model_validate(fields)


async def test_refused_on_the_nth_call_only(market: IsolatedMarketplace) -> None:
    client, transport = client_for(market, outage(tool="search_categories", kind="refused", on_call=2))
    assert (await client.search_categories("bike")).matches  # call 1
    with pytest.raises(MarketplaceError) as failed:
        await client.search_categories("bike")  # call 2: every attempt refused (the client retried it)
    assert failed.value.kind == "unavailable" and "connection refused" in failed.value.message
    assert (await client.search_categories("bike")).matches  # call 3
    assert [(a.call, a.attempt) for a in transport.applied] == [(2, 1), (2, 2), (2, 3), (2, 4)]
    assert (await client.compare_prices(BIKES, "bike")).count  # other tools are untouched


async def test_503_and_429_with_retry_after(market: IsolatedMarketplace) -> None:
    client, _ = client_for(
        market,
        outage(tool="compare_prices", kind="unavailable"),
        outage(tool="search_categories", kind="rate_limited", retry_after=7),
    )
    with pytest.raises(MarketplaceError) as unavailable:
        await client.compare_prices(BIKES, "Trek road bike")
    assert unavailable.value.status == 503
    with pytest.raises(MarketplaceError) as limited:
        await client.search_categories("bike")
    assert limited.value.status == 429 and "retry after 7 s" in limited.value.message
    # What the client saw on the wire: the header a well-behaved client waits for.
    transport = OutageTransport(
        market.transport(), [outage(tool="search_categories", kind="rate_limited", retry_after=7)]
    )
    with transport.calling("search_categories"):
        response = await transport.handle_async_request(
            httpx.Request("GET", "http://marketplace.eval/categories/search?q=bike")
        )
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"


async def test_a_failure_on_the_first_attempt_only_is_retried_away(market: IsolatedMarketplace) -> None:
    client, transport = client_for(market, outage(tool="compare_prices", kind="rate_limited", attempts=1))
    comparison = await client.compare_prices(BIKES, "Trek road bike")  # the client's retry gets through
    assert comparison.count > 0
    assert transport.applied == [AppliedOutage("compare_prices", 1, 1, "rate_limited")]


async def test_a_timeout_after_the_request_was_sent_still_creates(market: IsolatedMarketplace) -> None:
    client, _ = client_for(market, outage(tool="create_listing", kind="timeout"))
    listing = ListingCreate(
        title="Trek road bike",
        description="Ridden a little.",
        category_id=BIKES,
        condition=Condition.GOOD,
        price=300,
    )
    # The marketplace made it and the answer was lost: the client asks by the idempotency key, and says so.
    settled = await client.create_listing(listing, "key-1")
    (made,) = market.listings_made()
    assert made.title == "Trek road bike" and settled.id == made.id
    again = await client.create_listing(listing, "key-1")  # the retry, same idempotency key
    assert again.id == made.id and len(market.listings_made()) == 1


async def test_slow_answers_come_late_or_time_out_like_a_real_network(market: IsolatedMarketplace) -> None:
    client, _ = client_for(market, outage(tool="search_categories", kind="slow", delay=0.3))
    started = time.perf_counter()
    assert (await client.search_categories("bike")).matches
    assert time.perf_counter() - started >= 0.3
    impatient, _ = client_for(
        market,
        outage(tool="create_listing", kind="slow", delay=30),
        timeout=httpx.Timeout(5.0, read=0.2),
    )
    listing = ListingCreate(
        title="Slow bike",
        description="Ridden a little.",
        category_id=BIKES,
        condition=Condition.GOOD,
        price=300,
    )
    started = time.perf_counter()
    settled = await impatient.create_listing(listing, "key-2")  # answer lost, outcome asked for
    assert time.perf_counter() - started < 5  # gave up at the client's read timeout, not after 30 s
    assert [x.title for x in market.listings_made()] == ["Slow bike"]  # the server still did the work
    assert settled.title == "Slow bike"


def test_the_outage_shorthand_and_overlaps() -> None:
    base = {"id": "x", "description": "x", "seller": {"item": "bike"}, "expect": {}}
    legacy = Scenario.model_validate({**base, "outage": {"tool": "create_listing", "failures": 2}})
    assert legacy.outage_plan() == [ToolOutage(tool="create_listing", kind="refused", on_call=1, times=2)]
    with pytest.raises(ValueError, match="two outages cover the same call of create_listing"):
        Scenario.model_validate(
            {
                **base,
                "outage": {"tool": "create_listing"},
                "outages": [{"tool": "create_listing", "kind": "timeout"}],
            }
        )


async def test_each_kind_through_a_whole_conversation(factory: MarketplaceFactory, tmp_path: Path) -> None:
    """The offline agent against each kind of failure on its first price comparison: the run records the
    failed call with what the client made of it, and the retry after the seller's "try again" succeeds."""
    from agent.models import resolve_model
    from agent.prompts import load_prompt
    from evals.loader import load_scenarios
    from evals.runner import EvalSettings, run_eval

    expected = {
        "refused": "cannot reach the marketplace",
        "unavailable": "temporarily unavailable",
        "rate_limited": "too many requests; retry after 1 s",
        "timeout": "did not answer in time",
    }
    for kind in expected:
        (tmp_path / f"{kind}.yaml").write_text(
            f"id: speaker-{kind.replace('_', '-')}\ndescription: x\n"
            "seller: {item: JBL bluetooth speaker, condition: good}\n"
            "turns: [\"I'd like to sell my JBL bluetooth speaker, it's in good condition.\"]\n"
            f"outages: [{{tool: compare_prices, kind: {kind}}}]\n"
            "expect: {listing: {created: 1}}\n",
            encoding="utf-8",
        )
    results = await run_eval(
        load_scenarios([tmp_path]),
        resolve_model("offline"),
        load_prompt(),
        EvalSettings(progress=False),
        factory=factory,
    )
    for scenario in results.scenarios:
        kind = scenario.id.removeprefix("speaker-").replace("-", "_")
        record = scenario.runs[0].record
        compares = [c for c in record.calls if c.tool == "compare_prices"]
        assert [c.outcome for c in compares] == ["failed", "success"], (kind, compares)
        assert expected[kind] in str(compares[0].result), (kind, compares[0].result)
        assert scenario.status == "pass", scenario.runs[0].failed_checks
