"""The marketplace client: timeouts, retries for GETs only, errors by kind."""

from __future__ import annotations

import httpx
import pytest

from tools.client import MarketplaceClient, MarketplaceError
from tools.types import ListingCreate


class Flaky(httpx.AsyncBaseTransport):
    """Answers 503 `failures` times, then passes requests to the real app."""

    def __init__(self, inner: httpx.AsyncBaseTransport, failures: int) -> None:
        self.inner, self.failures, self.seen = inner, failures, []  # type: ignore[var-annotated]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.method)
        if self.failures > 0:
            self.failures -= 1
            return httpx.Response(503, json={"detail": "busy"})
        return await self.inner.handle_async_request(request)


class Down(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("connection refused", request=request)


async def test_get_is_retried_after_503_and_succeeds(market_app) -> None:
    flaky = Flaky(httpx.ASGITransport(app=market_app), failures=2)
    async with MarketplaceClient("http://m", transport=flaky, backoff=0) as client:
        result = await client.search_categories("bike")
    assert result.matches[0].path.endswith("Bicycles")
    assert flaky.seen == ["GET", "GET", "GET"]


async def test_get_gives_up_after_its_retries(market_app) -> None:
    flaky = Flaky(httpx.ASGITransport(app=market_app), failures=10)
    async with MarketplaceClient("http://m", transport=flaky, backoff=0, get_retries=2) as client:
        with pytest.raises(MarketplaceError) as info:
            await client.search_categories("bike")
    assert info.value.kind == "unavailable" and info.value.retryable
    assert len(flaky.seen) == 3


async def test_post_is_never_retried(market_app) -> None:
    flaky = Flaky(httpx.ASGITransport(app=market_app), failures=1)
    async with MarketplaceClient("http://m", "trova_x", transport=flaky, backoff=0) as client:
        listing = ListingCreate(
            title="Trek road bike", description="ok", category_id=1026, condition="good", price=100
        )
        with pytest.raises(MarketplaceError) as info:
            await client.create_listing(listing, "key-1")
    assert info.value.kind == "unavailable"
    assert flaky.seen == ["POST"]


async def test_unreachable_marketplace_is_an_unavailable_error() -> None:
    down = Down()
    async with MarketplaceClient("http://m", transport=down, backoff=0, get_retries=1) as client:
        with pytest.raises(MarketplaceError) as info:
            await client.compare_prices(1026, "bike")
    assert info.value.kind == "unavailable" and "cannot reach" in info.value.message
    assert down.calls == 2


async def test_api_errors_keep_their_reason(client: MarketplaceClient) -> None:
    with pytest.raises(MarketplaceError) as info:
        await client.get_category(123456789)
    assert info.value.kind == "not_found" and "does not exist" in info.value.message
    listing = ListingCreate(
        title="Cycling stuff", description="ok", category_id=1025, condition="good", price=5
    )
    with pytest.raises(MarketplaceError) as invalid:
        await client.create_listing(listing, "k")
    assert invalid.value.kind == "invalid" and "not a leaf" in invalid.value.message


async def test_token_is_obtained_when_first_needed(market_app) -> None:
    registered = []

    async def register(c: MarketplaceClient) -> str:
        seller = await c.register_seller("Lazy")
        registered.append(seller.seller_id)
        return seller.token

    async with MarketplaceClient(
        "http://m", transport=httpx.ASGITransport(app=market_app), token_factory=register
    ) as client:
        await client.search_categories("sofa")
        assert registered == []  # reads need no identity
        listing = ListingCreate(
            title="Grey IKEA sofa", description="ok", category_id=460, condition="good", price=120
        )
        created = await client.create_listing(listing, "k1")
    assert registered == [created.seller_id]


async def test_stale_token_is_replaced_once(market_app) -> None:
    async def register(c: MarketplaceClient) -> str:
        return (await c.register_seller("Again")).token

    async with MarketplaceClient(
        "http://m", "trova_stale", transport=httpx.ASGITransport(app=market_app), token_factory=register
    ) as client:
        listing = ListingCreate(
            title="Grey IKEA sofa", description="ok", category_id=460, condition="good", price=120
        )
        created = await client.create_listing(listing, "k2")
    assert created.id > 0 and client.token != "trova_stale"
