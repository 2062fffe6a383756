"""A request sent whose answer never came, from the seller's side: the agent says what really happened
(never "nothing was posted" when it may have been), and a registration whose answer was lost, even by a
process that died waiting, is the same seller when made again."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from cli.connection import _registration_key
from marketplace.db import SellerRow
from tests.conftest import BASE_URL
from tests.helpers import offline_session
from tools.client import MarketplaceClient, MarketplaceError


class _PublishLostThenDown(httpx.AsyncBaseTransport):
    """The marketplace publishes the draft, the answer is lost, and then it cannot be reached at all (so
    whether it was posted cannot be found out)."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/publish"):
            self.down = True
            raise httpx.ReadTimeout("the answer never came", request=request)
        return response


async def test_an_outcome_that_cannot_be_found_out_is_told_as_unknown(market_app: FastAPI) -> None:
    transport = _PublishLostThenDown(market_app)
    async with MarketplaceClient(BASE_URL, transport=transport, backoff=0.0) as client:
        client.token = (await client.register_seller("Ada")).token
        session = offline_session(client)
        drafted = await session.send("I want to sell my Trek road bike, good condition")
        assert drafted.drafts
        lost = await session.send("yes")
    assert transport.down and not lost.created
    reply = lost.reply.lower()
    assert "don't know whether" in reply and "nothing was posted" not in reply
    assert "never posted twice" in reply  # approving again is safe, and the seller is told so
    # It was in fact posted, once: the truth the agent could not see.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=market_app), base_url=BASE_URL) as api:
        page = (await api.get("/listings", params={"source": "seller", "q": "Trek road bike"})).json()
    assert len(page["items"]) == 1


class _RegistrationLost(httpx.AsyncBaseTransport):
    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.inner.handle_async_request(request)
        raise httpx.ReadTimeout("the answer never came", request=request)


async def test_a_registration_lost_by_a_process_that_died_is_the_same_seller_next_time(
    market_app: FastAPI,
) -> None:
    marketplace = "http://marketplace.test"
    # The first process registers, the answer is lost (and lost again on its own retry); it gives up.
    async with MarketplaceClient(BASE_URL, transport=_RegistrationLost(market_app), backoff=0.0) as dying:
        with pytest.raises(MarketplaceError) as lost:
            await dying.register_seller("Ada", idempotency_key=_registration_key(marketplace))
        assert lost.value.kind == "unknown"
    # The next process registers with the key the first one kept, and is that seller.
    async with MarketplaceClient(BASE_URL, transport=httpx.ASGITransport(app=market_app)) as again:
        seller = await again.register_seller("Ada", idempotency_key=_registration_key(marketplace))
    with market_app.state.market.sessions() as db:
        ada = db.scalar(select(func.count()).select_from(SellerRow).where(SellerRow.name == "Ada"))
        assert ada == 1 and db.get(SellerRow, seller.seller_id) is not None
