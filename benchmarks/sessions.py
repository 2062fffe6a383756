"""A conversation with an agent on a fresh isolated marketplace, for the benchmarks that time turns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agent.listing_agent import ListingAgent
from agent.session import ChatSession
from evals.isolation import MarketplaceFactory
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher


@asynccontextmanager
async def bench_session(factory: MarketplaceFactory, agent: ListingAgent) -> AsyncIterator[ChatSession]:
    """A registered seller's conversation with `agent`, its marketplace closed afterwards."""
    market = factory.new()
    client = MarketplaceClient("http://m", transport=market.transport(), backoff=0)
    try:
        client.token = (await client.register_seller("bench")).token
        yield ChatSession.start(
            agent,
            TrovaDeps(client),
            model="offline",
            prompt="p",
            marketplace="bench",
            publisher=Publisher(client),
        )
    finally:
        await client.aclose()
        market.close()
