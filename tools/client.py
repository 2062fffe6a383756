"""One typed async client for the marketplace API.

Timeouts on every call; GETs are retried with exponential backoff on connection errors, timeouts and
5xx/429 answers; POSTs are never retried blindly (a create carries an Idempotency-Key so that a caller
that does retry cannot create two listings). Failures are `MarketplaceError`s that say what kind of
failure it was, so a tool can turn each into something the model can act on.

A failed POST is one of two things, and they must not be confused: refused before it took effect (the
connection was never made, or the marketplace answered 503/429: kind `unavailable`, nothing changed), or
sent with its outcome unknown (the answer never came: a read timeout, a dropped connection, a gateway's
502/504, a 500; kind `unknown`). After the second, a create asks the marketplace what became of its
idempotency key and answers with the truth; only when that cannot be found out either is `unknown`
raised.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel

from tools.types import (
    AgentToken,
    CategoryDetail,
    CategorySearchResult,
    Condition,
    Draft,
    Listing,
    ListingCreate,
    ListingPage,
    PriceComparison,
    PublishGrant,
    SellerIdentity,
    SellerToken,
)

ErrorKind = Literal[
    "unavailable",  # refused before it took effect: nothing changed
    "unknown",  # sent, but no answer came: it may or may not have taken effect
    "invalid",
    "not_found",
    "conflict",
    "unauthorized",
    "forbidden",
    "server",
]
T = TypeVar("T", bound=BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REFUSED_STATUSES = frozenset({429, 503})  # the marketplace said "not now": nothing was done
# Errors raised before a byte of the request left: it cannot have taken effect.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class MarketplaceError(Exception):
    """A marketplace call that failed, with the kind of failure and the API's own explanation."""

    def __init__(
        self, kind: ErrorKind, message: str, status: int | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, when the marketplace said when to come back

    @property
    def rate_limited(self) -> bool:
        return self.status == 429

    @property
    def retryable(self) -> bool:
        return self.kind in ("unavailable", "server", "unknown")

    @property
    def maybe_done(self) -> bool:
        """The request may have taken effect although it failed (its answer was lost)."""
        return self.kind == "unknown"

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}" + (f" (HTTP {self.status})" if self.status else "")


_KINDS: dict[int, ErrorKind] = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "invalid",
    422: "invalid",
}


def _lost(method: str, message: str) -> MarketplaceError:
    """A request that was sent but whose answer never came: harmless for a GET (it is retried), an
    unknown outcome for anything that changes something."""
    if method == "GET":
        return MarketplaceError("unavailable", message)
    return MarketplaceError("unknown", f"{message}; the request was sent, its outcome is not known")


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
            except NOT_SENT as e:
                last = MarketplaceError(
                    "unavailable",
                    f"cannot reach the marketplace at {self.base_url} ({e or type(e).__name__})",
                )
                continue
            except httpx.TimeoutException as e:
                last = _lost(method, f"the marketplace did not answer in time ({type(e).__name__})")
                continue
            except httpx.TransportError as e:
                last = _lost(method, f"the connection to the marketplace broke ({type(e).__name__}: {e})")
                continue
            status = response.status_code
            if status in RETRY_STATUSES or status >= 500:
                detail = _detail(response)
                if status in REFUSED_STATUSES:
                    wait = response.headers.get("Retry-After", "")
                    last = MarketplaceError(
                        "unavailable", detail, status, int(wait) if wait.isdigit() else None
                    )
                elif method != "GET":
                    # A gateway's 502/504 or the server's own 500: the request got there, what became of
                    # it is not known.
                    last = MarketplaceError("unknown", detail, status)
                else:
                    last = MarketplaceError(
                        "unavailable" if status in RETRY_STATUSES else "server", detail, status
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
        kind = _KINDS.get(status, "server")
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

    async def _authed(self, model: type[T], method: str, path: str, **kwargs: Any) -> T:
        """A call as the token's seller. A stored token the marketplace no longer knows (its database was
        reset) is replaced through `token_factory` once, and the call made again: a 401 changed nothing."""
        await self.ensure_token()
        try:
            return await self._call(model, method, path, **dict(kwargs))
        except MarketplaceError as e:
            if e.kind != "unauthorized" or self.token_factory is None:
                raise
        self.token = None
        await self.ensure_token()
        return await self._call(model, method, path, **kwargs)

    async def create_listing(self, listing: ListingCreate, idempotency_key: str) -> Listing:
        """Create a listing, once per key. When the answer is lost, the marketplace is asked what became of
        the key: the listing it made is returned, a create that did not happen is `unavailable` (nothing
        was posted), and what cannot be found out is `unknown`."""
        body, headers = listing.model_dump(mode="json"), {"Idempotency-Key": idempotency_key}
        try:
            return await self._authed(Listing, "POST", "/listings", json=body, headers=headers)
        except MarketplaceError as e:
            if not e.maybe_done:
                raise
            return await self._settle_create(idempotency_key, e)

    async def _settle_create(self, idempotency_key: str, lost: MarketplaceError) -> Listing:
        try:
            made = await self.listing_for_key(idempotency_key)
        except MarketplaceError as check:
            raise MarketplaceError(
                "unknown",
                f"{lost.message}; asking the marketplace whether it was posted failed too ({check.message})",
                lost.status,
            ) from check
        if made is None:
            raise MarketplaceError(
                "unavailable",
                f"{lost.message}; the marketplace was asked and has no listing for it: it was not posted",
                lost.status,
            )
        return made

    async def listing_for_key(self, idempotency_key: str) -> Listing | None:
        """The listing this seller created with `idempotency_key`, if any (how a lost answer is settled)."""
        page = await self._call(
            ListingPage,
            "GET",
            "/listings",
            params={"idempotency_key": idempotency_key, "limit": 1},
            headers=self._headers(),
        )
        return page.items[0] if page.items else None

    # Drafts: the agent's token creates and revises them; publishing one takes a grant that only the
    # seller's own token can get (`request_grant`), for the content the seller approved.
    async def create_draft(self, listing: ListingCreate, idempotency_key: str) -> Draft:
        """Save a draft, once per key (a repeated call returns the same draft). A lost answer is settled by
        sending it again with the same key."""
        body, headers = listing.model_dump(mode="json"), {"Idempotency-Key": idempotency_key}
        try:
            return await self._authed(Draft, "POST", "/drafts", json=body, headers=headers)
        except MarketplaceError as e:
            if not e.maybe_done:
                raise
        return await self._authed(Draft, "POST", "/drafts", json=body, headers=headers)

    async def get_draft(self, draft_id: int) -> Draft:
        return await self._authed(Draft, "GET", f"/drafts/{draft_id}")

    async def revise_draft(self, draft_id: int, listing: ListingCreate) -> Draft:
        """Replace a draft's content (a revision or the seller's edits): any grant for the old content is
        void. Sending it twice is harmless, so a lost answer is settled by sending it again."""
        body = listing.model_dump(mode="json")
        try:
            return await self._authed(Draft, "PUT", f"/drafts/{draft_id}", json=body)
        except MarketplaceError as e:
            if not e.maybe_done:
                raise
        return await self._authed(Draft, "PUT", f"/drafts/{draft_id}", json=body)

    async def request_grant(self, draft_id: int, sha256: str) -> PublishGrant:
        """A short-lived grant to publish the draft as it is now (its content must hash to `sha256`); only
        the seller's own token gets one."""
        return await self._authed(
            PublishGrant, "POST", f"/drafts/{draft_id}/grants", json={"content_sha256": sha256}
        )

    async def publish_draft(self, draft_id: int, grant: str, idempotency_key: str) -> Listing:
        """Publish a draft with its grant, once. A lost answer is settled by asking for the draft's state:
        published (its listing is returned), still a draft (`unavailable`: it was not posted), or not
        known (`unknown`)."""
        headers = {"Publish-Grant": grant, "Idempotency-Key": idempotency_key}
        try:
            return await self._authed(Listing, "POST", f"/drafts/{draft_id}/publish", headers=headers)
        except MarketplaceError as e:
            if not e.maybe_done:
                raise
            lost = e
        try:
            draft = await self.get_draft(draft_id)
            listing = await self.get_listing(draft.listing_id) if draft.listing_id is not None else None
        except MarketplaceError as check:
            raise MarketplaceError(
                "unknown",
                f"{lost.message}; asking the marketplace whether it was posted failed too ({check.message})",
                lost.status,
            ) from check
        if listing is None:
            raise MarketplaceError(
                "unavailable",
                f"{lost.message}; the marketplace was asked and the draft is not published: it was not posted",
                lost.status,
            )
        return listing

    async def create_agent_token(self) -> AgentToken:
        """A token for the agent: drafts only (this client's token must be the seller's own)."""
        return await self._authed(AgentToken, "POST", "/sellers/me/agent-tokens")

    async def list_listings(self, **filters: Any) -> ListingPage:
        params = {k: v for k, v in filters.items() if v is not None}
        return await self._call(ListingPage, "GET", "/listings", params=params)

    async def get_listing(self, listing_id: int) -> Listing:
        return await self._call(Listing, "GET", f"/listings/{listing_id}")

    async def whoami(self) -> str:
        """The seller id the current token belongs to."""
        return (await self._call(SellerIdentity, "GET", "/sellers/me")).seller_id

    async def register_seller(self, name: str, idempotency_key: str | None = None) -> SellerToken:
        """Register a seller. With `idempotency_key`, a registration whose answer was lost is sent again
        with the same key, and the marketplace answers with the same seller (and a fresh token): never a
        second, orphaned seller."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        try:
            return await self._call(SellerToken, "POST", "/sellers", json={"name": name}, headers=headers)
        except MarketplaceError as e:
            if not (e.maybe_done and idempotency_key):
                raise
        return await self._call(SellerToken, "POST", "/sellers", json={"name": name}, headers=headers)

    async def health(self) -> dict[str, Any]:
        response = await self._send("GET", "/health", headers=self._headers())
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data
