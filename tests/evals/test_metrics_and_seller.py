"""pass^k, the rule-based seller, and the guard on an LLM-simulated seller."""

from __future__ import annotations

import math

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from evals.metrics import pass_hat_k, percentile
from evals.schema import SellerFacts
from evals.seller import LLMSeller, RuleSeller, SellerView, choose_option, invented_facts


@pytest.mark.parametrize(
    ("c", "n", "k", "expected"),
    [
        (5, 5, 1, 1.0),
        (5, 5, 5, 1.0),
        (4, 5, 1, 0.8),
        (4, 5, 2, 0.6),
        (4, 5, 5, 0.0),
        (0, 5, 1, 0.0),
        (3, 4, 2, 0.5),
    ],
)
def test_pass_hat_k_is_taus(c: int, n: int, k: int, expected: float) -> None:
    assert pass_hat_k(c, n, k) == pytest.approx(expected)


def test_pass_hat_k_needs_k_runs() -> None:
    assert math.isnan(pass_hat_k(1, 1, 2))
    assert percentile([], 0.5) is None and percentile([1.0, 3.0], 0.5) == 2.0


async def test_rule_seller_answers_from_its_facts_only() -> None:
    seller = RuleSeller(
        SellerFacts(
            item="Trek road bike",
            condition="barely used",
            asking_price=250,
            price_reaction="counter",
            counter_price=200,
            category_hint="Bicycles",
        )
    )
    assert seller.opening() == "I want to sell my Trek road bike"
    assert await seller.next(SellerView("What condition is it in?")) == "barely used"
    assert await seller.next(SellerView("What price would you like to ask?")) == "250"
    described = await seller.next(
        SellerView("What would you like to sell? Tell me the item, its condition, and a price?")
    )
    assert described == "Trek road bike, it's barely used, I'd like $250 for it"
    assert (
        await seller.next(
            SellerView("Which category fits? 1. A > Trailers 2. B > Bicycles Reply with the number.")
        )
        == "2"
    )
    assert await seller.next(SellerView("draft", drafts=[{"price": 300}])) == "make it 200 instead"
    assert await seller.next(SellerView("draft", drafts=[{"price": 200}])) == "yes"
    assert await seller.next(SellerView("Done! Your listing is live.")) is None
    assert await seller.next(SellerView("I couldn't reach the marketplace. Say 'try again'.")) == "try again"


def test_choose_option_by_hint() -> None:
    reply = "Which category fits your table best? 1. F > Coffee Tables 2. F > Kitchen & Dining Room Tables Reply with the number."
    assert choose_option(reply, "dining") == "2" and choose_option(reply, None) == "1"


def test_the_guard_flags_invented_facts() -> None:
    facts = SellerFacts(item="Trek road bike", condition="good", asking_price=250)
    assert invented_facts("It's in good shape, I'd like 250", facts) == []
    problems = invented_facts("It's like new and I want $400 for it", facts)
    assert any("price of 400" in p for p in problems) and any("like new" in p for p in problems)


async def test_llm_seller_phrases_answers_and_is_guarded() -> None:
    said: list[str] = []

    def simulated(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        said.append(str(messages[-1].parts[-1].content))
        # An over-eager simulator that makes up a price the scenario never gave.
        return ModelResponse(parts=[TextPart("It's in good condition, and I'd take $999 for it.")])

    seller = LLMSeller(
        SellerFacts(item="Trek road bike", condition="good", approves=True), FunctionModel(simulated)
    )
    message = await seller.next(SellerView("What condition is it in?", turn=2))
    assert message == "It's in good condition, and I'd take $999 for it."
    assert said == ["The assistant says: What condition is it in?"]
    assert [(f.turn, f.reason) for f in seller.flags] == [
        (2, "states a price of 999, which the scenario does not give")
    ]
    # Drafts are answered by the scenario's rule, never by the model.
    assert await seller.next(SellerView("draft", drafts=[{"price": 100}])) == "yes"


def test_a_gate_over_no_gated_scenario_does_not_pass() -> None:
    from evals.runner import EvalSettings, gate

    nothing = {"gated_scenarios": 0, "pass_rate": None, "pass_k": None, "k": 1}
    verdict = gate(nothing, [], EvalSettings(min_pass_rate=0.0))
    assert not verdict["passed"]
    assert verdict["reasons"] == [
        "no scenario was gated: every one selected is an expected failure for this model"
    ]
    some = {"gated_scenarios": 3, "pass_rate": 1.0, "pass_k": 1.0, "k": 1}
    assert gate(some, [], EvalSettings())["passed"]
