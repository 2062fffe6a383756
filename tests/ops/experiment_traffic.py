"""Simulated sellers for an A/B experiment, through the real site in-process (each its own browser, so its
own seller and its own arm), and two listers that differ in a known way: one skips the price comparison in
a share of its conversations and guesses a price instead.

The sellers come from the scenario set (item, condition, whether they approve). Each knows what its item
sells for (it looked at similar listings: the marketplace's comparison, asked by the simulation, never by the
lister), and a draft priced far from that disappoints it: it fixes the price on the draft card and approves,
or declines; and it rates the conversation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from agent.listing_agent import build_agent, variant_for
from agent.prompts import load_prompt
from ops.experiments import Experiment, LiveExperiment, ServedArm
from ops.store import OpsStore
from tests.helpers import called_tools, tool_results
from web.feedback import FeedbackStore
from web.site import create_site

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
OPENING = "I want to sell my "
_CONDITION = re.compile(r", condition: (\w+)$")
TOO_FAR = 0.35  # a draft price this far from what the item sells for disappoints the seller


def guessed_price(item: str) -> float:
    """What the careless lister asks when it does not compare: a number from the item's name, unrelated to
    what the item sells for."""
    return float(20 + int(hashlib.sha256(item.encode()).hexdigest()[:6], 16) % 900)


@dataclass
class Lister:
    """A scripted listing agent: look the category up, compare prices (unless it skips), draft at the
    suggested price, create on approval. `skip_share` of its conversations, spread evenly in the order they
    start, skip the comparison."""

    name: str
    skip_share: float = 0.0
    started: int = 0
    skips: dict[str, bool] = field(default_factory=dict)  # conversation (its first message's time) -> skipped

    def skipping(self, messages: Sequence[ModelMessage]) -> bool:
        first = messages[0]
        key = f"{first.timestamp.isoformat() if isinstance(first, ModelRequest) else ''}"
        if key not in self.skips:
            n = self.started
            self.started += 1
            self.skips[key] = int((n + 1) * self.skip_share) > int(n * self.skip_share)
        return self.skips[key]

    def respond(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        said = next(
            str(p.content)
            for m in messages
            if isinstance(m, ModelRequest)
            for p in m.parts
            if isinstance(p, UserPromptPart)
        )
        text = said.removeprefix(OPENING)
        condition_match = _CONDITION.search(text)
        condition = condition_match.group(1) if condition_match else "good"
        item = _CONDITION.sub("", text)
        results, called = {k: v[-1] for k, v in tool_results(messages).items()}, called_tools(messages)
        if "create_listing" in results:
            return ModelResponse(parts=[TextPart("Your listing is live.")])
        if "create_listing" in called:  # declined: the seller's reply came back instead of a listing
            return ModelResponse(parts=[TextPart("Understood, I won't post it.")])
        if "search_categories" not in results:
            return ModelResponse(parts=[ToolCallPart("search_categories", {"query": item})])
        matches = results["search_categories"].get("matches") or []
        if not matches:
            return ModelResponse(parts=[TextPart("I could not find a category for that.")])
        category = matches[0]["id"]
        skip = self.skipping(messages)
        if not skip and "compare_prices" not in results:
            return ModelResponse(
                parts=[
                    ToolCallPart(
                        "compare_prices", {"category_id": category, "item": item, "condition": condition}
                    )
                ]
            )
        comparison = results.get("compare_prices") or {}
        price = (
            guessed_price(item)
            if skip
            else comparison.get("suggested_price") or comparison.get("median") or 100.0
        )
        draft = {
            "title": item[:80] if len(item) >= 5 else f"{item} for sale",
            "description": f"Selling my {item}, in {condition.replace('_', ' ')} condition.",
            "category_id": category,
            "condition": condition,
            "price": round(float(price), 2),
        }
        return ModelResponse(parts=[TextPart("Here's the draft."), ToolCallPart("create_listing", draft)])

    async def stream(
        self, messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        """The same answer, streamed (the site streams every turn)."""
        for index, part in enumerate(self.respond(messages, info).parts):
            if isinstance(part, TextPart):
                yield part.content
            elif isinstance(part, ToolCallPart):
                yield {
                    index: DeltaToolCall(
                        part.tool_name, part.args_as_json_str(), tool_call_id=part.tool_call_id
                    )
                }

    def model(self) -> FunctionModel:
        return FunctionModel(self.respond, stream_function=self.stream, model_name=f"scripted:{self.name}")


def served_arm(name: str, lister: Lister) -> ServedArm:
    prompt = load_prompt()
    model = lister.model()
    settings = {"skip_share": lister.skip_share}  # what the variant is (the scripted model reads it itself)
    variant = variant_for(f"scripted:{lister.name}", prompt).model_copy(update={"settings": settings})
    return ServedArm(name, build_agent(model, prompt), f"scripted:{lister.name}", prompt.ref, variant)


@dataclass(frozen=True)
class SimSeller:
    id: str
    item: str
    condition: str
    approves: bool


def sim_sellers() -> list[SimSeller]:
    """The scenario set's sellers with an item in words (no photo-only, no prohibited, no multi-item)."""
    found = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        tags = set(data.get("tags", []))
        if (
            data.get("image")
            or tags & {"prohibited", "offline-limitation", "refusal"}
            or "two-items" in data["id"]
        ):
            continue
        seller = data["seller"]
        condition = (seller.get("condition") or "good").replace(" ", "_")
        if condition not in ("new", "like_new", "excellent", "good", "fair", "for_parts"):
            condition = "good"
        found.append(SimSeller(data["id"], seller["item"], condition, bool(seller.get("approves", True))))
    return found


def _message(text: str) -> dict[str, Any]:
    return {
        "trigger": "submit-message",
        "id": "chat",
        "messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": text}]}],
    }


def _answer(call_id: str, args: dict[str, Any] | None, approved: bool) -> dict[str, Any]:
    part: dict[str, Any] = {
        "type": "tool-create_listing",
        "toolCallId": call_id,
        "state": "approval-responded",
        "approval": {"id": call_id, "approved": approved, **({} if approved else {"reason": "no"})},
    }
    if args is not None:
        part["input"] = args
    return {
        "trigger": "submit-message",
        "id": "chat",
        "messages": [{"id": "a", "role": "assistant", "parts": [part]}],
    }


@dataclass
class Traffic:
    site: FastAPI
    fair: dict[str, float] = field(default_factory=dict)  # what each item sells for, as sellers see it
    conversations: list[str] = field(default_factory=list)

    async def fair_price(self, client: httpx.AsyncClient, seller: SimSeller) -> float | None:
        """What the item sells for: the seller looks at similar listings (the marketplace's comparison)."""
        if seller.item not in self.fair:
            found = (await client.get("/api/categories/search", params={"q": seller.item})).json()
            matches = found.get("matches") or []
            if not matches:
                return None
            compared = (
                await client.get(
                    "/api/prices/compare",
                    params={"category_id": matches[0]["id"], "q": seller.item, "condition": seller.condition},
                )
            ).json()
            price = compared.get("suggested_price") or compared.get("median")
            if price is None:
                return None
            self.fair[seller.item] = float(price)
        return self.fair[seller.item]

    async def talk(self, seller: SimSeller, index: int) -> str:
        """One seller's conversation: the item and its condition, then an answer to the draft; a rating from
        every other seller."""
        transport = httpx.ASGITransport(app=self.site)
        async with httpx.AsyncClient(transport=transport, base_url="http://site", timeout=60) as client:
            await client.get("/sell")
            response = await client.post(
                "/chat", json=_message(f"{OPENING}{seller.item}, condition: {seller.condition}")
            )
            assert response.status_code == 200, response.text
            conversation = response.headers["x-trova-conversation"]
            pending = (await client.get("/chat/state")).json()["pending"]
            happy = True
            if pending:
                (draft,) = pending
                fair = await self.fair_price(client, seller)
                price = float(draft["args"]["price"])
                happy = fair is None or abs(price - fair) <= TOO_FAR * fair
                if not seller.approves or (not happy and index % 2):
                    answer = _answer(draft["call_id"], None, approved=False)  # declines
                elif not happy:
                    assert fair is not None
                    answer = _answer(
                        draft["call_id"], {**draft["args"], "price": round(fair, 2)}, approved=True
                    )
                else:
                    answer = _answer(draft["call_id"], None, approved=True)
                answered = await client.post("/chat", json=answer)
                assert answered.status_code == 200, answered.text
            if index % 2 == 0:
                rated = await client.post("/feedback", json={"rating": "up" if happy else "down"})
                assert rated.status_code == 200, rated.text
        self.conversations.append(conversation)
        return conversation


def experiment_site(
    db_url: str,
    home: Path,
    experiment: Experiment,
    arms: dict[str, ServedArm],
    *,
    check_every_s: float = 0,
    refresh_every_s: float = 0,
) -> tuple[FastAPI, LiveExperiment]:
    """The site serving `experiment`; by default the guardrails are checked and the store read again at every
    new conversation (a server does so every 30 s and 5 s)."""
    from agent.models import resolve_model
    from marketplace.app import create_app

    store = OpsStore(home / "trova.db")
    live = LiveExperiment(
        experiment, arms, store, check_every_s=check_every_s, refresh_every_s=refresh_every_s
    )
    site = create_site(
        create_app(db_url, rate_limits=None),  # simulated sellers, all from one address
        resolve_model("offline"),
        load_prompt(),
        feedback=FeedbackStore(home / "trova.db"),
        admin_token="test-admin-token",
        experiment=live,
    )
    return site, live
