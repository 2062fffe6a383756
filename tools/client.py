"""One typed async client for the marketplace API.

Timeouts on every call; GETs are retried with exponential backoff on connection errors, timeouts and
5xx/429 answers; POSTs are never retried here (a create carries an Idempotency-Key so that a caller
that does retry cannot create two listings). Failures are `MarketplaceError`s that say what kind of
failure it was, so a tool can turn each into something the model can act on.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel

from tools.types import (
    CategoryDetail,
    CategorySearchResult,
    Condition,
    Listing,
    ListingCreate,
    ListingPage,
    PriceComparison,
    SellerIdentity,
    SellerToken,
)

ErrorKind = Literal["unavailable", "invalid", "not_found", "conflict", "unauthorized", "server"]
T = TypeVar("T", bound=BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class MarketplaceError(Exception):
    """A marketplace call that failed, with the kind of failure and the API's own explanation."""

    def __init__(self, kind: ErrorKind, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind in ("unavailable", "server")

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}" + (f" (HTTP {self.status})" if self.status else "")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):  # FastAPI validation errors
        parts = []
        for err in detail:
            loc = ".".join(str(p) for p in err.get("loc", []) if p != "body")
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        return "; ".join(parts)
    return str(detail)


class MarketplaceClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        get_retries: int = 3,
        backoff: float = 0.2,
        token_factory: Callable[[MarketplaceClient], Awaitable[str]] | None = None,
    ) -> None:
        """`token_factory` gets a token the first time a call needs one (e.g. registers the seller), so a
        client can be made while the marketplace is still unreachable."""
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.token_factory = token_factory
        self.get_retries = get_retries
        self.backoff = backoff
        self._http = httpx.AsyncClient(base_url=self.base_url, transport=transport, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> MarketplaceClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        attempts = 1 + (self.get_retries if method == "GET" else 0)
        last: MarketplaceError | None = None
        for attempt in range(attempts):
            if attempt:
                # Exponential backoff with jitter, so that clients retrying together do not stampede.
                await asyncio.sleep(self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.TimeoutException as e:
                last = MarketplaceError(
                    "unavailable", f"the marketplace did not answer in time ({type(e).__name__})"
                )
                continue
            except httpx.TransportError as e:
                last = MarketplaceError(
                    "unavailable", f"cannot reach the marketplace at {self.base_url} ({e})"
                )
                continue
            if response.status_code in RETRY_STATUSES or response.status_code >= 500:
                last = MarketplaceError(
                    "unavailable" if response.status_code in RETRY_STATUSES else "server",
                    _detail(response),
                    response.status_code,
                )
                continue
            return response
        assert last is not None
        raise last

    async def _call(self, model: type[T], method: str, path: str, **kwargs: Any) -> T:
        kwargs["headers"] = self._headers(kwargs.pop("headers", None))
        response = await self._send(method, path, **kwargs)
        if response.is_success:
            return model.model_validate(response.json())
        status = response.status_code
        kind: ErrorKind = (
            "not_found"
            if status == 404
            else "invalid"
            if status in (400, 422)
            else "conflict"
            if status == 409
            else "unauthorized"
            if status in (401, 403)
            else "server"
        )
        raise MarketplaceError(kind, _detail(response), status)

    async def search_categories(
        self, query: str, limit: int = 5, leaf_only: bool = False
    ) -> CategorySearchResult:
        params = {"q": query, "limit": limit, "leaf_only": str(leaf_only).lower()}
        return await self._call(CategorySearchResult, "GET", "/categories/search", params=params)

    async def get_category(self, category_id: int) -> CategoryDetail:
        return await self._call(CategoryDetail, "GET", f"/categories/{category_id}")

    async def compare_prices(
        self, category_id: int, query: str, condition: Condition | None = None
    ) -> PriceComparison:
        params: dict[str, Any] = {"category_id": category_id, "q": query}
        if condition is not None:
            params["condition"] = condition.value
        return await self._call(PriceComparison, "GET", "/prices/compare", params=params)

    async def ensure_token(self) -> None:
        if self.token is None and self.token_factory is not None:
            self.token = await self.token_factory(self)

    async def create_listing(self, listing: ListingCreate, idempotency_key: str) -> Listing:
        body, headers = listing.model_dump(mode="json"), {"Idempotency-Key": idempotency_key}
        await self.ensure_token()
        try:
            return await self._call(Listing, "POST", "/listings", json=body, headers=headers)
        except MarketplaceError as e:
            if e.kind != "unauthorized" or self.token_factory is None:
                raise
        # A stored token the marketplace no longer knows (its database was reset): register again, once.
        self.token = None
        await self.ensure_token()
        return await self._call(Listing, "POST", "/listings", json=body, headers=headers)

    async def list_listings(self, **filters: Any) -> ListingPage:
        params = {k: v for k, v in filters.items() if v is not None}
        return await self._call(ListingPage, "GET", "/listings", params=params)

    async def get_listing(self, listing_id: int) -> Listing:
        return await self._call(Listing, "GET", f"/listings/{listing_id}")

    async def whoami(self) -> str:
        """The seller id the current token belongs to."""
        return (await self._call(SellerIdentity, "GET", "/sellers/me")).seller_id

    async def register_seller(self, name: str) -> SellerToken:
        return await self._call(SellerToken, "POST", "/sellers", json={"name": name})

    async def health(self) -> dict[str, Any]:
        response = await self._send("GET", "/health", headers=self._headers())
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data
