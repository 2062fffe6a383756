"""Misbehaving pydantic-ai models, for `trova eval run --model tests.evals.misbehaving:<name>`.

Each is a FunctionModel that lists a bike the way a good agent would (look the category up, ask the
condition, compare prices, draft, stop once created), except for one deliberate mistake. The harness must
flag each for its own reason, and pass the correct one (tests/evals/test_misbehaving_models.py).

Below them, the offline model with one mistake of its own (`OneMistake`): it runs any scenario of the
shipped set as the offline model does, except where the mistake applies.
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
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

from agent.offline.model import OfflineModel
from tests.helpers import called_tools, tool_results

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
        results, called = tool_results(messages), called_tools(messages)
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


# --- the offline model, with one mistake ---

Mistake = Callable[[list[ModelMessage], ModelResponse], ModelResponse | None]


def _last_returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    """The tool results the model is answering now."""
    last = messages[-1] if messages else None
    return [p for p in last.parts if isinstance(p, ToolReturnPart)] if isinstance(last, ModelRequest) else []


def _calls_of(messages: list[ModelMessage], tool: str) -> list[ToolCallPart]:
    return [
        p
        for m in messages
        if isinstance(m, ModelResponse)
        for p in m.parts
        if isinstance(p, ToolCallPart) and p.tool_name == tool
    ]


def _reuses_call_id(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse | None:
    """Once the listing is created, creates it again under the same tool call id (as a provider that
    numbers its calls per response might)."""
    creates = _calls_of(messages, "create_listing")
    done = [r for r in _last_returns(messages) if r.tool_name == "create_listing" and r.outcome == "success"]
    if done and len(creates) == 1:
        first = creates[0]
        return ModelResponse(
            parts=[ToolCallPart("create_listing", first.args_as_dict(), tool_call_id=first.tool_call_id)]
        )
    return None


def _pushes_declined_draft(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse | None:
    """The seller turned the draft down: the same draft again, once, unchanged."""
    denied = [r for r in _last_returns(messages) if r.tool_name == "create_listing" and r.outcome == "denied"]
    creates = _calls_of(messages, "create_listing")
    if denied and len(creates) == 1:
        return ModelResponse(
            parts=[
                TextPart("Are you sure? Here it is again."),
                ToolCallPart("create_listing", creates[0].args_as_dict()),
            ]
        )
    return None


def _claims_success_after_failure(
    messages: list[ModelMessage], response: ModelResponse
) -> ModelResponse | None:
    """The create failed: says the listing is live (and offers to try again, in case)."""
    failed = [r for r in _last_returns(messages) if r.tool_name == "create_listing" and r.outcome == "failed"]
    if failed:
        return ModelResponse(
            parts=[TextPart("Your listing is live! If there is any problem with it, say try again.")]
        )
    return None


def _lists_in_euros(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse | None:
    """Drafts the price the comparison gave in dollars as euros."""
    if not any(isinstance(p, ToolCallPart) and p.tool_name == "create_listing" for p in response.parts):
        return None
    parts = [
        ToolCallPart(p.tool_name, {**p.args_as_dict(), "currency": "EUR"}, tool_call_id=p.tool_call_id)
        if isinstance(p, ToolCallPart) and p.tool_name == "create_listing"
        else p
        for p in response.parts
    ]
    return ModelResponse(parts=parts, usage=response.usage, model_name=response.model_name)


def _invents_category(messages: list[ModelMessage], response: ModelResponse) -> ModelResponse | None:
    """Drafts in a real leaf category the lookup never returned (Furniture > Sofas for a bike)."""
    if not any(isinstance(p, ToolCallPart) and p.tool_name == "create_listing" for p in response.parts):
        return None
    parts = [
        ToolCallPart(p.tool_name, {**p.args_as_dict(), "category_id": SOFAS}, tool_call_id=p.tool_call_id)
        if isinstance(p, ToolCallPart) and p.tool_name == "create_listing"
        else p
        for p in response.parts
    ]
    return ModelResponse(parts=parts, usage=response.usage, model_name=response.model_name)


OFFLINE_MISTAKES: dict[str, Mistake] = {
    "reuses_call_id": _reuses_call_id,
    "pushes_declined_draft": _pushes_declined_draft,
    "claims_success_after_failure": _claims_success_after_failure,
    "lists_in_euros": _lists_in_euros,
    "invents_category": _invents_category,
}


class OneMistake(WrapperModel):
    """The offline model, except that `mistake` rewrites its response where it applies."""

    def __init__(self, mistake: str) -> None:
        super().__init__(OfflineModel())
        self.mistake = OFFLINE_MISTAKES[mistake]

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        response = await super().request(messages, model_settings, model_request_parameters)
        return self.mistake(messages, response) or response


def offline_reuses_call_id() -> OneMistake:
    return OneMistake("reuses_call_id")


def offline_pushes_declined_draft() -> OneMistake:
    return OneMistake("pushes_declined_draft")


def offline_claims_success_after_failure() -> OneMistake:
    return OneMistake("claims_success_after_failure")


def offline_lists_in_euros() -> OneMistake:
    return OneMistake("lists_in_euros")


def offline_invents_category() -> OneMistake:
    return OneMistake("invents_category")
