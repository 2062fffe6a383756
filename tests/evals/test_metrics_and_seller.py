"""pass^k, the rule-based seller, and the guard on an LLM-simulated seller."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from evals.metrics import pass_hat_k, percentile
from evals.schema import SellerFacts
from evals.seller import NONE_OF_THESE, LLMSeller, RuleSeller, SellerView, invented_facts


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


async def test_offered_categories_that_do_not_hold_the_item_get_none_of_these() -> None:
    # Today's agent offers a list; a colluding simulator would take the first option and let an item be
    # listed in an unrelated category with the run still passing.
    bike = RuleSeller(SellerFacts(item="Trek road bike", condition="good"))
    unrelated = "Which category fits your Trek road bike best? 1. Vehicles > Motorcycles 2. Home & Garden > Kitchen > Cookware Reply with the number, or say 'none of these'."
    assert await bike.next(SellerView(unrelated)) == NONE_OF_THESE
    fitting = "Which category fits best?\n1. Vehicles > Motorcycles\n2. Sporting Goods > Outdoor Recreation > Cycling > Bicycles"
    assert await bike.next(SellerView(fitting)) == "2"
    # With a hint, only the option that has it: not the first one, not a near one.
    table = RuleSeller(SellerFacts(item="wooden table", condition="good", category_hint="Dining"))
    near = (
        "Which category fits your table best? 1. F > Coffee Tables 2. F > End Tables Reply with the number."
    )
    assert await table.next(SellerView(near)) == NONE_OF_THESE
    offered = "Which category fits your table best? 1. F > Coffee Tables 2. F > Kitchen & Dining Room Tables Reply with the number."
    assert await table.next(SellerView(offered)) == "2"


async def test_the_seller_volunteers_the_price_it_has_in_mind() -> None:
    facts = SellerFacts(item="Trek road bike", condition="good", asking_price=250)
    seller = RuleSeller(facts)
    # A draft at another price: a real seller says the price they want, once, rather than approving it.
    assert await seller.next(SellerView("draft", drafts=[{"price": 300}])) == "I was hoping for $250."
    assert await seller.next(SellerView("draft", drafts=[{"price": 250}])) == "yes"
    # Or a price put forward in words.
    said = await RuleSeller(facts).next(SellerView("Similar bikes ask $135 to $500; I'd suggest $300. OK?"))
    assert said == "I was hoping for $250."
    # The same price, or no price in mind: nothing to add.
    assert await RuleSeller(facts).next(SellerView("draft", drafts=[{"price": 250}])) == "yes"
    no_price = RuleSeller(SellerFacts(item="Trek road bike", condition="good"))
    assert await no_price.next(SellerView("draft", drafts=[{"price": 300}])) == "yes"
    # Up front when the scenario says so.
    upfront = RuleSeller(SellerFacts(item="Trek road bike", asking_price=250, price_upfront=True))
    assert upfront.opening() == "I want to sell my Trek road bike, asking $250"
    assert RuleSeller(facts).opening() == "I want to sell my Trek road bike"


async def test_the_seller_understands_an_llms_questions() -> None:
    seller = RuleSeller(SellerFacts(item="Sony headphones", condition="barely used", asking_price=120))
    assert await seller.next(SellerView("Nice! How would you describe their condition?")) == "barely used"
    assert await seller.next(SellerView("Do you have a number in mind?")) == "120"
    assert await seller.next(SellerView("All set. Shall I go ahead and publish it?")) == "post it"
    assert await seller.next(SellerView("The listing service is temporarily unavailable.")) == "try again"


def test_the_seller_does_not_use_the_agents_parser() -> None:
    import ast
    from pathlib import Path

    import evals.seller
    import evals.seller_language

    for module in (evals.seller, evals.seller_language):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        assert not {m for m in imported if m.startswith("agent")}, module.__name__


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
    from evals.results import SuiteMetrics
    from evals.runner import EvalSettings, gate

    nothing = SuiteMetrics(scenarios=1, gated_scenarios=0, runs=1, k=1)
    verdict = gate(nothing, [], EvalSettings(min_pass_rate=0.0))
    assert not verdict.passed
    assert verdict.reasons == [
        "no scenario was gated: every one selected is an expected failure for this model"
    ]
    some = SuiteMetrics(scenarios=3, gated_scenarios=3, runs=3, pass_rate=1.0, pass_k=1.0, k=1)
    assert gate(some, [], EvalSettings()).passed


def test_run_cost_prices_input_and_output_tokens_each_at_their_own_rate() -> None:
    from evals.metrics import run_cost

    # genai-prices (pinned in uv.lock): gpt-4o-mini costs $0.15 per million input tokens, $0.60 per million
    # output tokens. Swapping the two would show here as 0.6 / 0.15.
    assert run_cost("openai:gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert run_cost("openai:gpt-4o-mini", 0, 1_000_000) == pytest.approx(0.60)
    assert run_cost("openai:gpt-4o-mini", 2_000, 1_000) == pytest.approx(0.0009)
    # The provider counts (a model served by several is priced by the one named), and a model id may hold
    # a colon of its own.
    assert run_cost("groq:llama-3.1-8b-instant", 1_000_000, 0) == pytest.approx(0.05)
    assert run_cost("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", 1_000_000, 0) == pytest.approx(0.80)
    # pydantic-ai's provider prefixes name the same price list as genai-prices' providers.
    for prefix in ("openai-chat", "openai-responses"):
        assert run_cost(f"{prefix}:gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    for prefix in ("google-gla", "google-vertex"):
        assert run_cost(f"{prefix}:gemini-1.5-flash", 1_000_000, 0) == run_cost(
            "google:gemini-1.5-flash", 1_000_000, 0
        )
        assert run_cost(f"{prefix}:gemini-1.5-flash", 1_000_000, 0) is not None
    # Unknown to the price list: unknown, never zero.
    assert run_cost("offline", 10, 10) is None
    assert run_cost("tests.evals.misbehaving:correct", 10, 10) is None
    assert run_cost("openai:no-such-model-xyz", 10, 10) is None


def _stats(passed: bool, gated: bool = True, **numbers: float | None) -> Any:
    from evals.metrics import RunStats

    values: dict[str, Any] = {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "order_score": 1.0,
        "arg_accuracy": 1.0,
        "requests": 4,
        "tokens": 100,
        "cost_usd": 0.01,
        "duration_s": 1.0,
        **numbers,
    }
    return RunStats(passed=passed, gated=gated, **values)


def test_suite_metrics_average_gated_runs_and_total_every_run() -> None:
    from evals.metrics import suite_metrics

    runs = {
        "a": [_stats(True, precision=0.5, duration_s=1.0), _stats(False, precision=None, duration_s=3.0)],
        "b": [_stats(True, recall=0.5, requests=6, tokens=300, cost_usd=0.02, duration_s=2.0)] * 2,
        "xfail": [
            _stats(False, gated=False, precision=0.0, requests=10, tokens=1000, cost_usd=None, duration_s=9.0)
        ],
    }
    m = suite_metrics(runs, k=2)
    assert (m["scenarios"], m["gated_scenarios"], m["runs"], m["k"]) == (3, 2, 5, 2)
    assert m["pass_rate"] == pytest.approx(3 / 4)  # gated runs only
    assert m["pass_k"] == pytest.approx((0.0 + 1.0) / 2)  # a: C(1,2)/C(2,2) = 0; b: 1
    assert m["tool_precision"] == pytest.approx((0.5 + 1 + 1) / 3)  # None is left out, xfail too
    assert m["tool_recall"] == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert m["tool_f1"] == m["order_score"] == m["arg_accuracy"] == 1.0
    assert m["model_requests_total"] == 4 + 4 + 6 + 6 + 10 and m["model_requests_mean"] == pytest.approx(
        30 / 5
    )
    assert m["tokens_total"] == 100 + 100 + 300 + 300 + 1000 and m["tokens_mean"] == pytest.approx(1800 / 5)
    assert m["cost_usd"] is None  # one run the prices don't know makes the total unknown
    m2 = suite_metrics({k: v for k, v in runs.items() if k != "xfail"}, k=1)
    assert m2["cost_usd"] == pytest.approx(0.01 + 0.01 + 0.02 + 0.02)
    assert m["latency_p50_s"] == 2.0 and m["latency_p95_s"] == pytest.approx(7.8)


def test_suite_metrics_over_nothing_are_unknown_not_zero() -> None:
    from evals.metrics import suite_metrics

    m = suite_metrics({"x": [_stats(True, gated=False, precision=None)]}, k=1)
    assert m["gated_scenarios"] == 0 and m["pass_rate"] is None and m["pass_k"] is None
    assert m["tool_precision"] is None and m["latency_p50_s"] == 1.0
    empty = suite_metrics({}, k=1)
    assert empty["runs"] == 0 and empty["tokens_mean"] is None and empty["latency_p95_s"] is None
    assert empty["cost_usd"] == 0
    # pass^k is left out for a scenario with fewer than k runs.
    assert suite_metrics({"a": [_stats(True)]}, k=2)["pass_k"] is None


def test_percentile_interpolates() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == pytest.approx(4.8)
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 9.0], 0.0) == 1.0 and percentile([1.0, 9.0], 1.0) == 9.0
    assert math.isnan(pass_hat_k(1, 1, 0))
