"""Misbehaving pydantic-ai models, for `trova eval run --model tests.evals.misbehaving:<name>`.

Each is a FunctionModel that lists a bike the way a good agent would (look the category up, ask the
condition, compare prices, draft, stop once created), except for one deliberate mistake. The harness must
flag each for its own reason, and pass the correct one (tests/evals/test_misbehaving_models.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

ITEM = "Trek road bike"
SOFAS = 460  # Furniture > Sofas: a real leaf category, but not one the lookup returned for a bike
_CONDITION = re.compile(r"\b(like new|new|excellent|good|fair)\b", re.I)

MISTAKES = (
    "correct",
    "skips_price_comparison",
    "creates_before_lookup",
    "foreign_category",
    "creates_twice",
    "price_outside_comparables",
    "loops_on_search",
    "creates_without_asking",
)


def _results(messages: list[ModelMessage]) -> dict[str, list[Any]]:
    """Successful tool results so far, by tool, as JSON-like data."""
    out: dict[str, list[Any]] = {}
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, ToolReturnPart) and part.outcome == "success":
                    content = part.content
                    if hasattr(content, "model_dump"):
                        content = content.model_dump(mode="json")
                    out.setdefault(part.tool_name, []).append(content)
    return out


def _called(messages: list[ModelMessage]) -> list[str]:
    return [
        p.tool_name
        for m in messages
        if isinstance(m, ModelResponse)
        for p in m.parts
        if isinstance(p, ToolCallPart)
    ]


def _condition(messages: list[ModelMessage]) -> str | None:
    """The condition, if the seller has said one."""
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, UserPromptPart) and isinstance(part.content, str):
                    found = _CONDITION.search(part.content)
                    if found:
                        return found.group(1).lower().replace(" ", "_")
    return None


def _call(tool: str, args: dict[str, Any], text: str = "") -> ModelResponse:
    parts: list[TextPart | ToolCallPart] = [TextPart(text)] if text else []
    return ModelResponse(parts=[*parts, ToolCallPart(tool, args)])


def _say(text: str) -> ModelResponse:
    return ModelResponse(parts=[TextPart(text)])


def policy(mistake: str) -> Callable[[list[ModelMessage], AgentInfo], ModelResponse]:
    if mistake not in MISTAKES:
        raise ValueError(f"unknown mistake {mistake!r}")

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        results, called = _results(messages), _called(messages)
        condition = _condition(messages)
        if mistake == "creates_without_asking":
            condition = condition or "good"  # "Assuming good condition, here is the draft"
        created = results.get("create_listing", [])
        if created:
            if mistake == "creates_twice" and called.count("create_listing") == 1:
                return _call("create_listing", _draft(results, mistake, condition or "good"))
            return _say(f"Your listing #{created[-1]['id']} is live.")
        if mistake == "loops_on_search":
            return _call("search_categories", {"query": ITEM})
        if "search_categories" not in results and mistake != "creates_before_lookup":
            return _call("search_categories", {"query": ITEM})
        if condition is None:
            return _say("What condition is it in: new, like new, excellent, good or fair?")
        if (
            "compare_prices" not in results
            and mistake not in ("skips_price_comparison", "creates_before_lookup")
            and "search_categories" in results
        ):
            category = results["search_categories"][0]["matches"][0]["id"]
            return _call("compare_prices", {"category_id": category, "item": ITEM, "condition": condition})
        if "create_listing" not in called:
            text = "Assuming good condition, here is the draft." if _condition(messages) is None else ""
            return _call("create_listing", _draft(results, mistake, condition), text or "Here's the draft.")
        return _say("Nothing was posted.")

    return respond


def _draft(results: dict[str, list[Any]], mistake: str, condition: str) -> dict[str, Any]:
    comparison = results.get("compare_prices", [{}])[0]
    price = 9999 if mistake == "price_outside_comparables" else comparison.get("suggested_price") or 150
    if mistake == "foreign_category":
        category = SOFAS
    elif "search_categories" in results:
        category = results["search_categories"][0]["matches"][0]["id"]
    else:
        category = 1026  # the right id, but known before any lookup: guessed, not looked up
    return {
        "title": ITEM,
        "description": "Selling my Trek, ridden on weekends.",
        "category_id": category,
        "condition": condition,
        "price": price,
    }


def _model(mistake: str) -> FunctionModel:
    return FunctionModel(policy(mistake), model_name=f"misbehaving-{mistake}")


# Zero-argument factories, one per mistake (what `--model tests.evals.misbehaving:<name>` calls).
def correct() -> FunctionModel:
    return _model("correct")


def skips_price_comparison() -> FunctionModel:
    return _model("skips_price_comparison")


def creates_before_lookup() -> FunctionModel:
    return _model("creates_before_lookup")


def foreign_category() -> FunctionModel:
    return _model("foreign_category")


def creates_twice() -> FunctionModel:
    return _model("creates_twice")


def price_outside_comparables() -> FunctionModel:
    return _model("price_outside_comparables")


def loops_on_search() -> FunctionModel:
    return _model("loops_on_search")


def creates_without_asking() -> FunctionModel:
    return _model("creates_without_asking")


# A model object rather than a factory: `--model` takes either.
correct_model = correct()

# Not models, for the error messages.
not_a_model = 42


def needs_an_argument(mistake: str) -> FunctionModel:
    return _model(mistake)


def returns_a_string() -> str:
    return "openai:gpt-4o-mini"
