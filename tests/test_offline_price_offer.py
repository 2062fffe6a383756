"""A relative change ('10% less') said while the agent has a start on offer is taken from that start at
once, not remembered for a price the agent has already given."""

from __future__ import annotations

import pytest

from agent.session import ChatSession
from tests.helpers import last_draft, offline_session, say_all
from tools.client import MarketplaceClient


@pytest.fixture
def session(client: MarketplaceClient) -> ChatSession:
    return offline_session(client)


async def test_ten_percent_less_than_the_category_start_on_offer(session: ChatSession) -> None:
    turns = await say_all(
        session, "I want to sell a kitchenaid stand mixer", "good condition", "what would you ask?"
    )
    offer = turns[-1].reply
    assert "say 'ok' and I'll use $" in offer, offer
    start = float(offer.split("say 'ok' and I'll use $", 1)[1].split(";")[0].split(",")[0])
    turns += await say_all(session, "make it 10% less")
    assert "once I've priced it" not in turns[-1].reply, turns[-1].reply
    assert last_draft(turns)["price"] == pytest.approx(round(start * 0.9), abs=1)
