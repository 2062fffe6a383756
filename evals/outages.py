"""Simulated marketplace failures (a scenario's `outages`): on a tool's n-th call, the connection is
refused, the marketplace answers 503 or 429 with Retry-After, the answer never comes although the request
took effect (a timeout after sending), or it comes late.

The failures happen at the HTTP layer, under the product's own client, so its retries, its error mapping
and what the agent then tells the seller are what gets tested. Calls are counted per tool as they reach
the marketplace: the run's client marks each tool call (a context variable), and every HTTP attempt made
within it (the client retries a GET) belongs to that call.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
import logfire

from evals.schema import OutageKind, ToolOutage
from tools.client import MarketplaceClient
from tools.types import CategorySearchResult, Condition, Listing, ListingCreate, PriceComparison

# The request each tool makes (other requests, such as the category check before a draft, pass through).
# A listing is created when the seller's client publishes the approved draft: that request is the one
# that fails for `create_listing` (saving the draft, before approval, is not).
ENDPOINTS: dict[str, tuple[str, re.Pattern[str]]] = {
    "search_categories": ("GET", re.compile(r"/categories/search")),
    "compare_prices": ("GET", re.compile(r"/prices/compare")),
    "create_listing": ("POST", re.compile(r"/drafts/\d+/publish|/listings")),
}


@dataclass
class _Call:
    tool: str
    number: int  # the tool's n-th call in the run, 1-based
    attempts: int = 0  # HTTP attempts made so far within it


_current: ContextVar[_Call | None] = ContextVar("trova_eval_tool_call", default=None)


@dataclass(frozen=True)
class AppliedOutage:
    """One failure the harness caused: which call, which attempt, what it did."""

    tool: str
    call: int
    attempt: int
    kind: OutageKind


@dataclass
class OutageTransport(httpx.AsyncBaseTransport):
    """The marketplace's transport with the scenario's failures in front of it."""

    inner: httpx.AsyncBaseTransport
    outages: Sequence[ToolOutage] = ()
    calls: Counter[str] = field(default_factory=Counter)
    applied: list[AppliedOutage] = field(default_factory=list)

    def client(self, base_url: str, token: str | None, **kwargs: Any) -> MarketplaceClient:
        """The product's client, on this transport, counting its tool calls."""
        return CountingClient(self, base_url, token, transport=self, **kwargs)

    @contextmanager
    def calling(self, tool: str) -> Iterator[None]:
        self.calls[tool] += 1
        token = _current.set(_Call(tool, self.calls[tool]))
        try:
            yield
        finally:
            _current.reset(token)

    def _rule(self, request: httpx.Request) -> tuple[ToolOutage, _Call] | None:
        call = _current.get()
        endpoint = ENDPOINTS.get(call.tool) if call is not None else None
        if (
            call is None
            or endpoint is None
            or endpoint[0] != request.method
            or not endpoint[1].fullmatch(request.url.path)
        ):
            return None
        call.attempts += 1
        for rule in self.outages:
            if (
                rule.tool == call.tool
                and rule.covers(call.number)
                and (rule.attempts is None or call.attempts <= rule.attempts)
            ):
                return rule, call
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        found = self._rule(request)
        if found is None:
            return await self.inner.handle_async_request(request)
        rule, call = found
        self.applied.append(AppliedOutage(rule.tool, call.number, call.attempts, rule.kind))
        logfire.info(
            "simulated outage: {kind} on {tool} call {call} (attempt {attempt})",
            kind=rule.kind,
            tool=rule.tool,
            call=call.number,
            attempt=call.attempts,
        )
        return await _fail(rule, request, self.inner)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _answer(status: int, detail: str, request: httpx.Request, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"detail": detail}, headers=headers, request=request)


async def _through(inner: httpx.AsyncBaseTransport, request: httpx.Request) -> None:
    """Let the request reach the marketplace (it takes effect), and drop its answer."""
    response = await inner.handle_async_request(request)
    await response.aread()
    await response.aclose()


async def _fail(rule: ToolOutage, request: httpx.Request, inner: httpx.AsyncBaseTransport) -> httpx.Response:
    kind = rule.kind
    if kind == "refused":
        raise httpx.ConnectError("connection refused (simulated outage)", request=request)
    if kind == "unavailable":
        return _answer(503, "the marketplace is temporarily unavailable (simulated outage)", request)
    if kind == "rate_limited":
        return _answer(
            429,
            f"too many requests; retry after {rule.retry_after} s (simulated outage)",
            request,
            **{"Retry-After": str(rule.retry_after)},
        )
    if kind == "timeout":
        await _through(inner, request)
        raise httpx.ReadTimeout("no answer in time (simulated: the request was sent)", request=request)
    assert kind == "slow"
    timeouts = request.extensions.get("timeout") or {}
    read = timeouts.get("read")
    if isinstance(read, int | float) and rule.delay >= read:
        # A real connection gives up at the client's read timeout; the server still did the work.
        await asyncio.sleep(read)
        await _through(inner, request)
        raise httpx.ReadTimeout(f"no answer within {read:g} s (simulated slow answer)", request=request)
    await asyncio.sleep(rule.delay)
    return await inner.handle_async_request(request)


class CountingClient(MarketplaceClient):
    """The product's client, each tool's call marked so that the transport knows which call it serves."""

    def __init__(self, outages: OutageTransport, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outages = outages

    async def search_categories(
        self, query: str, limit: int = 5, leaf_only: bool = False
    ) -> CategorySearchResult:
        with self.outages.calling("search_categories"):
            return await super().search_categories(query, limit, leaf_only)

    async def compare_prices(
        self, category_id: int, query: str, condition: Condition | None = None
    ) -> PriceComparison:
        with self.outages.calling("compare_prices"):
            return await super().compare_prices(category_id, query, condition)

    async def create_listing(self, listing: ListingCreate, idempotency_key: str) -> Listing:
        with self.outages.calling("create_listing"):
            return await super().create_listing(listing, idempotency_key)

    async def publish_draft(self, draft_id: int, grant: str, idempotency_key: str) -> Listing:
        with self.outages.calling("create_listing"):
            return await super().publish_draft(draft_id, grant, idempotency_key)
