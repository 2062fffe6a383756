"""The checks that need no expected answer, on hand-made run records: each catches its own violation with
a reason, lets a correct conversation through, and says nothing when there is nothing to judge. Then the
live record: a real conversation's messages give the record the session itself reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from agent.listing_agent import build_agent
from agent.models import resolve_model
from agent.session import ChatSession
from evals.checks import CheckResult
from evals.driver import RunRecord, TurnRecord
from evals.invariants import (
    INVARIANTS,
    Unjudged,
    approval,
    category_from_lookup,
    errors_explained,
    explains_failure,
    price_in_range,
    side_effects,
    stated_prices,
)
from evals.online import conversation_record
from evals.trajectory import ActualCall
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher

LOOKUP = {"query": "Trek road bike", "matches": [{"id": 1026, "path": "Bicycles", "is_leaf": True}]}
COMPARISON = {
    "count": 40,
    "suggested_price": 300,
    "suggested_low": 250,
    "suggested_high": 350,
    "p25": 135,
    "p75": 500,
}
DRAFT = {"title": "Trek road bike", "category_id": 1026, "condition": "good", "price": 300}


def record(
    calls: list[tuple[str, dict[str, Any], str, Any]],
    *,
    turns: list[tuple[str, str]] = (("I want to sell my Trek road bike", "Here's the draft."),),  # type: ignore[assignment]
    approved: list[int] = (),  # type: ignore[assignment]
    turn_of: list[int] | None = None,
) -> RunRecord:
    """A run record: calls as (tool, args, outcome, result), each made in turn 1 unless `turn_of` says."""
    built = RunRecord(scenario_id="hand-made", model="m", conversation_id="c", started_at="")
    built.turns = [TurnRecord(seller=s, agent=a) for s, a in turns]
    for i, (tool, args, outcome, result) in enumerate(calls):
        built.calls.append(
            ActualCall(tool, args, outcome, result, i in approved, turn=turn_of[i] if turn_of else 1)
        )
        built.call_ids.append(f"call-{i}")
    built.approved = [f"call-{i}" for i in approved]
    return built


GOOD = [
    ("search_categories", {"query": "Trek road bike"}, "success", LOOKUP),
    ("compare_prices", {"category_id": 1026, "condition": "good"}, "success", COMPARISON),
    ("create_listing", DRAFT, "success", {"id": 7, **DRAFT}),
]


def test_a_correct_conversation_passes_every_check() -> None:
    verdicts = {name: check(record(GOOD, approved=[2])) for name, check in INVARIANTS.items()}
    assert {n: v.passed for n, v in verdicts.items() if v} == {
        "approval": True,
        "side_effects": True,
        "category_from_lookup": True,
        "price_in_range": True,
    }
    assert verdicts["errors_explained"] is None  # nothing failed: nothing to judge


def test_a_conversation_with_nothing_to_judge_gets_no_verdict() -> None:
    chat = record([("search_categories", {"query": "x"}, "success", LOOKUP)])
    assert [check(chat) for name, check in INVARIANTS.items() if name != "category_from_lookup"] == [None] * 4


def test_a_listing_created_without_approval_fails() -> None:
    verdict = approval(record(GOOD))
    assert verdict is not None and not verdict.passed
    assert verdict.reason == "create_listing ran without the seller's approval (step 3, turn 1)"


def test_the_same_create_twice_fails_a_revised_one_does_not() -> None:
    twice = record([*GOOD, ("create_listing", DRAFT, "success", {"id": 7, **DRAFT})], approved=[2, 3])
    verdict = side_effects(twice)
    assert verdict is not None and not verdict.passed
    assert "create_listing succeeded 2 times with the same arguments (steps 3, 4)" in verdict.reason
    revised = {**DRAFT, "price": 280}
    again = record([*GOOD, ("create_listing", revised, "success", {"id": 8, **revised})], approved=[2, 3])
    assert side_effects(again).passed  # type: ignore[union-attr]


def test_a_category_not_from_the_lookup_fails_wherever_it_is_used() -> None:
    guessed = [GOOD[1], GOOD[0], ("create_listing", {**DRAFT, "category_id": 460}, "success", {"id": 7})]
    verdict = category_from_lookup(record(guessed, approved=[2]))
    assert verdict is not None and not verdict.passed
    assert verdict.reason == (
        "compare_prices at step 1 (turn 1): category_id 1026 should come from a search_categories result, "
        "but search_categories had not returned anything before; create_listing at step 3 (turn 1): "
        "category_id 460 is not among the matches.id of any earlier search_categories result"
    )
    # A call the tool's own validation turned back was caught there: not held against the agent.
    retried = [*GOOD[:2], ("create_listing", {**DRAFT, "category_id": 1}, "retried", "not a leaf"), GOOD[2]]
    assert category_from_lookup(record(retried, approved=[3])).passed  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("price", "seller_said", "passes"),
    [
        (300, "", True),  # the suggestion
        (140, "", True),  # inside the middle half
        (9999, "", False),
        (9999, "I want $9,999 for it", True),  # the seller's own price
        (1200, "make it 1.2k", True),
        (45.5, "no, 45.50 please", True),
    ],
)
def test_a_drafted_price_lies_in_the_comparables_range_unless_the_seller_said_it(
    price: float, seller_said: str, passes: bool
) -> None:
    draft = {**DRAFT, "price": price}
    calls = [*GOOD[:2], ("create_listing", draft, "awaiting_approval", None)]
    turns = [("I want to sell my Trek road bike", "..."), (seller_said or "good", "Here's the draft.")]
    verdict = price_in_range(record(calls, turns=turns))
    assert verdict is not None and verdict.passed is passes
    if not passes:
        assert verdict.reason == (
            "create_listing at step 3 (turn 1): price 9,999 is outside the range compare_prices returned "
            "(250–350, 135–500), and the seller never said that price"
        )


def test_a_price_with_no_comparison_is_invented_and_with_no_comparables_unjudged() -> None:
    invented = price_in_range(record([GOOD[0], ("create_listing", DRAFT, "awaiting_approval", None)]))
    assert invented is not None and not invented.passed
    assert "drafted with no price comparison before it" in invented.reason
    empty = [
        GOOD[0],
        (GOOD[1][0], GOOD[1][1], "success", {"count": 0}),
        ("create_listing", DRAFT, "denied", "no"),
    ]
    # Nothing to judge the price by, and the seller never said it: not judged, and said so (never a pass).
    unjudged = price_in_range(record(empty))
    assert isinstance(unjudged, Unjudged) and "rests on no comparables" in unjudged.reason


@pytest.mark.parametrize(
    ("said", "prices"),
    [
        ("I want to sell a bin of Lego, about 5 pounds of bricks", []),  # a weight
        ("my keyboard, I have 2 keyboards actually", []),  # a count
        ("a PS4, the 500GB slim", []),
        ("my 5-year-old bike", []),
        ("my 2010 Toyota Prius, 98k miles. Asking $7,500.", [7500]),
        ("5 boxes of 9mm ammo, $20 a box", [20]),
        ("selling my kids' bunk bed for 120, it's in good shape", [120]),
        ("no, 45.50 please", [45.5]),
        ("make it 1.2k", [1200]),
        ("Pido 600 dólares.", [600]),
        ("150", [150]),
    ],
)
def test_a_seller_states_a_price_as_money_not_as_a_count_or_a_measure(said: str, prices: list[float]) -> None:
    assert stated_prices(said) == prices


def _draft_after(comparison: dict[str, Any], price: float, seller: str) -> RunRecord:
    calls = [
        GOOD[0],
        ("compare_prices", {"category_id": 1026, "condition": "good"}, "success", comparison),
        ("create_listing", {**DRAFT, "price": price}, "success", {"id": 7}),
    ]
    return record(calls, turns=[(seller, "Here's the draft."), ("yes", "Done!")], approved=[2])


def test_a_count_or_weight_the_seller_said_does_not_vouch_for_a_price_with_no_comparables() -> None:
    # A $5 bin of Lego priced from "about 5 pounds of bricks", no comparables: no seller's price, nothing
    # to judge by. It used to pass as "the seller said 5".
    lego = _draft_after({"count": 0}, 5, "I want to sell a bin of Lego, about 5 pounds of bricks")
    verdict = price_in_range(lego)
    assert isinstance(verdict, Unjudged), verdict
    assert verdict.reason == (
        "create_listing at step 3 (turn 1): price 5 rests on no comparables, and the seller never said it"
    )
    said = price_in_range(_draft_after({"count": 0}, 5, "a bin of Lego, I'd take $5 for it"))
    assert isinstance(said, CheckResult) and said.passed  # the seller's own price stands


@pytest.mark.parametrize(
    ("comparison", "why"),
    [
        (
            {**COMPARISON, "count": 2, "suggested_low": 15, "suggested_high": 25, "p25": 20, "p75": 60},
            "only 2",
        ),
        ({**COMPARISON, "alike": False}, "40 comparables, none like the item"),
    ],
)
def test_too_few_or_unalike_comparables_cannot_vouch_for_a_price(
    comparison: dict[str, Any], why: str
) -> None:
    # A $20 keyboard priced from 2 computer keyboards lay "in range", so it passed: it is not judged now.
    verdict = price_in_range(_draft_after(comparison, 20 if "only" in why else 300, "sell my keyboard"))
    assert isinstance(verdict, Unjudged) and why in verdict.reason, verdict


def test_a_price_far_outside_enough_comparables_fails_either_way() -> None:
    for price in (5, 5000):  # far below, far above the 40 comparables' range
        verdict = price_in_range(_draft_after(COMPARISON, price, "sell my Trek road bike"))
        assert isinstance(verdict, CheckResult) and not verdict.passed
        assert "is outside the range compare_prices returned" in verdict.reason


def test_a_failure_must_be_told_to_the_seller_unless_a_retry_succeeded() -> None:
    down = "MARKETPLACE UNAVAILABLE: could not compare prices (503). Nothing was changed."
    failed = [GOOD[0], ("compare_prices", {"category_id": 1026}, "failed", down)]
    silent = errors_explained(record(failed, turns=[("sell my bike", "Got it! Anything else?")]))
    assert silent is not None and not silent.passed
    assert silent.reason == (
        "compare_prices at step 2 (turn 1) failed (MARKETPLACE UNAVAILABLE: could not compare prices (503)) "
        "and no reply since told the seller: 'Got it! Anything else?'"
    )
    told = record(failed, turns=[("sell my bike", "I couldn’t reach the marketplace; say try again.")])
    assert errors_explained(told).passed  # type: ignore[union-attr]
    later = record(
        failed, turns=[("sell my bike", "Hmm."), ("what?", "Sorry, the marketplace is unavailable.")]
    )
    assert errors_explained(later).passed  # type: ignore[union-attr]
    recovered = record([*failed, GOOD[1]], turns=[("sell my bike", "Here's the draft.")])
    assert errors_explained(recovered).passed  # type: ignore[union-attr]


def test_the_word_lists_read_numbers_and_failures() -> None:
    assert stated_prices("$1,200 or 950, maybe 1.5k; 45.50") == [1200, 950, 1500, 45.5]
    assert explains_failure("Sorry, I couldn’t reach the marketplace") and not explains_failure(
        "Here you go!"
    )


async def test_a_live_conversations_record_is_what_the_session_reported(
    market_app: FastAPI, tmp_path: Path
) -> None:
    client = MarketplaceClient("http://marketplace.test", transport=httpx.ASGITransport(app=market_app))
    seller = await client.register_seller("live")
    client.token = seller.token
    session = ChatSession.start(
        build_agent(resolve_model("offline").model),
        TrovaDeps(client, seller.seller_id),
        model="offline",
        prompt="p@1",
        marketplace="web",
        publisher=Publisher(client),  # the seller's side, which publishes the draft approved
    )
    results = [
        await session.send(text)
        for text in ("I want to sell my Trek road bike", "good", "no, make it 260", "yes")
    ]
    live = conversation_record(session.messages(), conversation_id=session.id, model="offline")
    assert [t.agent for t in live.turns] == [r.reply for r in results]
    assert [t.seller for t in live.turns] == [
        "I want to sell my Trek road bike",
        "good",
        "no, make it 260",
        "",
    ]
    assert [bool(t.drafts) for t in live.turns] == [bool(r.drafts) for r in results]
    assert [c["id"] for c in live.listings] == [c["id"] for r in results for c in r.created]
    # Every call with its last outcome, as the session saw it turn by turn.
    final = {a.call_id: (a.name, a.args, a.outcome) for r in results for a in r.activity}
    assert dict(zip(live.call_ids, [(c.tool, c.args, c.outcome) for c in live.calls], strict=True)) == final
    created = [
        cid
        for c, cid in zip(live.calls, live.call_ids, strict=True)
        if c.outcome == "success" and c.tool == "create_listing"
    ]
    assert live.approved == created and len(created) == 1
    assert [c.turn for c in live.calls if c.tool == "create_listing"] == [
        2,
        3,
    ]  # drafted in turn 2, revised in 3
    assert {name: check(live).passed for name, check in INVARIANTS.items() if check(live)} == {
        "approval": True,
        "side_effects": True,
        "category_from_lookup": True,
        "price_in_range": True,  # 260: the seller's own price
    }


async def test_a_live_call_cannot_use_a_result_from_its_own_model_response(
    market_app: FastAPI, tmp_path: Path
) -> None:
    """Live records place calls and results as the eval driver does: a category passed in the same model
    response as the search that found it was guessed, not taken from the lookup, even though the search
    comes first in the list of calls."""
    from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    def parallel(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(
                parts=[
                    ToolCallPart("search_categories", {"query": "Trek road bike"}, tool_call_id="s"),
                    ToolCallPart(
                        "compare_prices", {"category_id": 1026, "item": "Trek road bike"}, tool_call_id="c"
                    ),
                ]
            )
        return ModelResponse(parts=[TextPart("Bikes like yours sell for about $300.")])

    client = MarketplaceClient("http://marketplace.test", transport=httpx.ASGITransport(app=market_app))
    session = ChatSession.start(
        build_agent(FunctionModel(parallel)), TrovaDeps(client), model="f", prompt="p@1", marketplace="web"
    )
    await session.send("I want to sell my Trek road bike")
    live = conversation_record(session.messages(), conversation_id=session.id, model="f")
    assert [(c.tool, c.outcome) for c in live.calls] == [
        ("search_categories", "success"),
        ("compare_prices", "success"),
    ]
    verdict = category_from_lookup(live)
    assert verdict is not None and not verdict.passed
    assert verdict.reason == (
        "compare_prices at step 2 (turn 1): category_id 1026 should come from a search_categories result, "
        "but search_categories had not returned anything before"
    )
