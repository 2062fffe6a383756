"""Simulated production traffic: the scenario set's sellers talking to the real site in-process (each its
own browser session, so its own seller), with model and marketplace failures injected on cue."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI, Request, Response
from pydantic_ai import ModelAPIError, ModelHTTPError
from pydantic_ai.capabilities.abstract import AbstractCapability
from pydantic_ai.models import Model
from pydantic_ai.models.wrapper import WrapperModel

from agent.models import ModelChoice, resolve_model
from agent.prompts import load_prompt
from marketplace.app import create_app
from ops.review import ScenarioWriter
from tools.deps import TrovaDeps
from web.feedback import FeedbackStore
from web.site import create_site

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@dataclass
class Faults:
    """Switched on and off by the traffic between requests; counts what it injected."""

    model: str | None = None  # rate_limited | unreachable: every model request fails while set
    compare_down: bool = False  # the price comparison answers 503 while set
    model_failures: int = 0
    compare_503s: int = 0


class FlakyModel(WrapperModel):
    def __init__(self, wrapped: Model, faults: Faults) -> None:
        super().__init__(wrapped)
        self.faults = faults

    def _maybe_fail(self) -> None:
        if self.faults.model == "rate_limited":
            self.faults.model_failures += 1
            raise ModelHTTPError(429, "offline", {"error": "rate limited (injected)"})
        if self.faults.model == "unreachable":
            self.faults.model_failures += 1
            raise ModelAPIError("offline", "connection refused (injected)")

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        self._maybe_fail()
        return await super().request(*args, **kwargs)

    @asynccontextmanager
    async def request_stream(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        self._maybe_fail()
        async with super().request_stream(*args, **kwargs) as stream:
            yield stream


def flaky_marketplace(db_url: str, faults: Faults) -> FastAPI:
    app = create_app(db_url, rate_limits=None)  # simulated sellers, all from one address

    @app.middleware("http")
    async def outage(request: Request, call_next: Any) -> Response:
        if faults.compare_down and request.url.path.endswith("/prices/compare"):
            faults.compare_503s += 1
            return Response('{"detail": "down (injected)"}', status_code=503, media_type="application/json")
        response: Response = await call_next(request)
        return response

    return app


@dataclass
class Seller:
    id: str
    first: str
    condition: str
    approves: bool


def sellers(limit: int) -> list[Seller]:
    """The scenario set's sellers, as plain data (their first message, condition and decision)."""
    found = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("image") or "offline-limitation" in data.get("tags", []):
            continue
        seller = data["seller"]
        turns = [t for t in data.get("turns", []) if isinstance(t, str)]
        first = turns[0] if turns else f"I want to sell my {seller['item']}"
        found.append(
            Seller(data["id"], first, seller.get("condition") or "good", seller.get("approves", True))
        )
        if len(found) == limit:
            break
    return found


def message(text: str) -> dict[str, Any]:
    return {
        "trigger": "submit-message",
        "id": "chat",
        "messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": text}]}],
    }


@dataclass
class Traffic:
    site: FastAPI
    faults: Faults
    conversations: list[str] = field(default_factory=list)
    ratings: dict[str, str] = field(default_factory=dict)

    async def talk(
        self,
        seller: Seller,
        *,
        model_fault_on_turn: int | None = None,
        model_fault: str = "rate_limited",
        compare_down: bool = False,
        rating: str | None = None,
    ) -> str:
        """One seller's conversation, up to four turns: the first message, then the condition or the
        answer to a draft. Faults are on only where asked."""
        transport = httpx.ASGITransport(app=self.site)
        async with httpx.AsyncClient(transport=transport, base_url="http://site", timeout=60) as client:
            await client.get("/sell")
            conversation = ""
            self.faults.compare_down = compare_down
            for turn in range(1, 5):
                state = (await client.get("/chat/state")).json()
                if state["pending"]:
                    text = "yes" if seller.approves else "no"
                else:
                    text = seller.first if turn == 1 else seller.condition
                self.faults.model = model_fault if turn == model_fault_on_turn else None
                response = await client.post("/chat", json=message(text))
                self.faults.model = None
                assert response.status_code == 200, response.text
                conversation = response.headers["x-trova-conversation"]
                if text in ("yes", "no"):
                    break
            self.faults.compare_down = False
            if rating:
                rated = await client.post("/feedback", json={"rating": rating, "comment": "simulated"})
                assert rated.status_code == 200
                self.ratings[conversation] = rating
        self.conversations.append(conversation)
        return conversation


def build_site(
    db_url: str,
    faults: Faults,
    home: Path,
    scenario_writer: ScenarioWriter | None = None,
    *,
    model: Model | None = None,
    model_name: str = "offline",
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
) -> FastAPI:
    """The real site on a marketplace that fails on cue; the offline model unless `model` is given."""
    offline = resolve_model("offline")
    choice = ModelChoice(FlakyModel(model or offline.model, faults), model_name, offline.notice)
    return create_site(
        flaky_marketplace(db_url, faults),
        choice,
        load_prompt(),
        feedback=FeedbackStore(home / "trova.db"),
        admin_token="test-admin-token",
        scenario_writer=scenario_writer,
        capabilities=capabilities,
    )


def span_attrs(raw: str) -> dict[str, Any]:
    return json.loads(raw)
