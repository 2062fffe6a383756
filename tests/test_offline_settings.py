"""The offline policy's own choices as model settings: two settings give different conversations, each sensible."""

from __future__ import annotations

import pytest

from agent.listing_agent import build_agent
from agent.offline.model import OfflineModel
from agent.offline.policy import CONDITION_QUESTION
from agent.offline.settings import OfflineModelSettings, PolicySettings, parse_offline_settings
from agent.session import ChatSession, TurnResult
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher


async def conversation(
    client: MarketplaceClient, settings: OfflineModelSettings | None, *messages: str
) -> list[TurnResult]:
    session = ChatSession.start(
        build_agent(OfflineModel(settings)),
        TrovaDeps(client),
        model="offline",
        prompt="p",
        marketplace="test",
        publisher=Publisher(client),  # the seller's side, which publishes what they approve
    )
    return [await session.send(m) for m in messages]


def compared(turns: list[TurnResult]) -> list[dict[str, object]]:
    return [a.result for t in turns for a in t.activity if a.name == "compare_prices" and a.result]


async def test_where_to_price_in_the_comparables_range(client: MarketplaceClient) -> None:
    said = ("I want to sell my Trek road bike, good condition", "yes")
    low = await conversation(client, OfflineModelSettings(offline_price_position=0.0), *said)
    high = await conversation(client, OfflineModelSettings(offline_price_position=1.0), *said)
    default = await conversation(client, None, *said)
    prices = [turns[0].drafts[0].args["price"] for turns in (low, default, high)]
    assert prices[0] < prices[1] < prices[2]  # the low end sells fast, the high end waits for a buyer
    for turns, price in zip((low, default, high), prices, strict=True):
        comps = compared(turns)[0]
        assert comps["suggested_low"] <= price <= comps["suggested_high"]  # each one a market price
        assert turns[1].created[0]["price"] == price
    assert prices[0] == compared(low)[0]["suggested_low"] and prices[2] == compared(high)[0]["suggested_high"]


async def test_a_sellers_own_price_wins_over_the_setting(client: MarketplaceClient) -> None:
    (turn,) = await conversation(
        client,
        OfflineModelSettings(offline_price_position=1.0),
        "I want to sell my Trek road bike, good condition, asking $90",
    )
    assert turn.drafts[0].args["price"] == 90


async def test_ask_for_the_condition_or_assume_it(client: MarketplaceClient) -> None:
    asking = await conversation(
        client, OfflineModelSettings(offline_condition="ask"), "I want to sell my Trek road bike"
    )
    assert CONDITION_QUESTION in asking[0].reply and asking[0].drafts == []
    assuming = await conversation(
        client,
        OfflineModelSettings(offline_condition="assume"),
        "I want to sell my Trek road bike",
        "actually it's in excellent condition",
        "yes",
    )
    first, corrected, posted = assuming
    assert first.drafts[0].args["condition"] == "good" and "assumed good" in first.reply
    assert CONDITION_QUESTION not in first.reply
    assert corrected.drafts[0].args["condition"] == "excellent" and "assumed" not in corrected.reply
    assert posted.created[0]["condition"] == "excellent"


async def test_how_many_categories_to_offer(client: MarketplaceClient) -> None:
    offered = await conversation(
        client, OfflineModelSettings(offline_max_categories=3), "I want to sell my table"
    )
    assert "Which category fits" in offered[0].reply and "2. " in offered[0].reply
    taken = await conversation(
        client, OfflineModelSettings(offline_max_categories=1), "I want to sell my table", "good", "yes"
    )
    assert "Which category fits" not in taken[0].reply and CONDITION_QUESTION in taken[0].reply
    search = next(a.result for a in taken[0].activity if a.name == "search_categories")
    assert taken[2].created[0]["category_id"] == search["matches"][0]["id"]  # the best match


async def test_settings_per_run_override_the_models(client: MarketplaceClient) -> None:
    agent = build_agent(OfflineModel(OfflineModelSettings(offline_price_position=0.0)))
    session = ChatSession.start(agent, TrovaDeps(client), model="offline", prompt="p", marketplace="test")
    low = (await session.send("I want to sell my Trek road bike, good condition")).drafts[0].args["price"]
    result = await agent.run(
        "I want to sell my Trek road bike, good condition",
        deps=TrovaDeps(client),
        model_settings=OfflineModelSettings(offline_price_position=1.0),
    )
    from pydantic_ai import DeferredToolRequests

    assert isinstance(result.output, DeferredToolRequests)
    high = result.output.approvals[0].args_as_dict()["price"]
    assert high > low


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"offline_price_position": 1.5}, "offline_price_position must be a number from 0 to 1"),
        ({"offline_price_position": "high"}, "offline_price_position"),
        ({"offline_condition": "guess"}, "offline_condition must be 'ask' or 'assume'"),
        ({"offline_max_categories": 0}, "offline_max_categories must be a whole number from 1 to 5"),
        ({"offline_max_categories": True}, "offline_max_categories"),
    ],
)
def test_a_bad_setting_fails_before_any_conversation_naming_it(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        OfflineModel(settings)  # type: ignore[arg-type]


def test_settings_from_text() -> None:
    parsed = parse_offline_settings(
        {"price_position": "0.25", "condition": "assume", "offline_max_categories": "2"}
    )
    assert PolicySettings.from_model_settings(parsed) == PolicySettings(0.25, "assume", 2)
    with pytest.raises(ValueError, match="unknown offline model setting 'temperature_ish'"):
        parse_offline_settings({"temperature_ish": "1"})
    with pytest.raises(ValueError, match="'max_categories': 'many' is not a int"):
        parse_offline_settings({"max_categories": "many"})


async def test_a_variant_spec_sets_the_offline_policys_settings(client: MarketplaceClient) -> None:
    from pydantic_ai import DeferredToolRequests

    from agent.variants import parse_variant_spec

    prices = []
    for spec in ("offline,offline_price_position=0", "offline,offline_price_position=1"):
        settings = parse_variant_spec(spec).model_settings()
        result = await build_agent(OfflineModel()).run(
            "I want to sell my Trek road bike, good condition",
            deps=TrovaDeps(client),
            model_settings=settings,
        )
        assert isinstance(result.output, DeferredToolRequests)
        prices.append(result.output.approvals[0].args_as_dict()["price"])
    assert prices[0] < prices[1]
    with pytest.raises(ValueError, match="unknown setting 'offline_mood'"):
        parse_variant_spec("offline,offline_mood=happy")
