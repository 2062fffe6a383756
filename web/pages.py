"""The site's pages (Jinja2, autoescaped): browse and search listings, a page per listing (photos, the
category path, similar listings), the sell chat."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from agent.session import MAX_MESSAGE_CHARS
from ops.counts import counted
from ops.shown import money
from tools.client import MarketplaceClient, MarketplaceError
from tools.types import Listing
from web.photos import photo_url
from web.readable import readable_text
from web.sessions import SessionRegistry
from web.wording import address_error

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.finalize = readable_text  # no control character reaches a page as itself
PAGE_SIZE = 24
MAX_ID = 2**63 - 1  # ids are 64-bit in the database: a larger number names no listing
SIMILAR = 4
# Where most listings are: the departments shown as filters (any category id works in the URL).
DEPARTMENTS = [
    (1025, "Bikes"),
    (267, "Phones"),
    (222, "Electronics"),
    (436, "Furniture"),
    (916, "Cars & trucks"),
]


def _day(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"


TEMPLATES.env.filters["money"] = money  # as the terminal and the admin pages print prices
TEMPLATES.env.filters["counted"] = counted
TEMPLATES.env.filters["condition_label"] = lambda c: str(c).replace("_", " ").capitalize()
TEMPLATES.env.filters["day"] = _day
TEMPLATES.env.filters["photo"] = lambda ref: photo_url(str(ref))
TEMPLATES.env.filters["thumb"] = lambda ref: photo_url(str(ref), thumb=True)


def create_pages_router(sessions: SessionRegistry, browse: MarketplaceClient) -> APIRouter:
    router = APIRouter()
    trails: dict[int, list[tuple[int, str]]] = {}  # category id -> its path as (id, name); never changes

    async def trail(category_id: int) -> list[tuple[int, str]]:
        """The category and its ancestors, top first, each with its id (for links)."""
        if category_id not in trails:
            path: list[tuple[int, str]] = []
            current: int | None = category_id
            while current is not None and len(path) < 12:
                category = await browse.get_category(current)
                path.insert(0, (category.id, category.name))
                current = category.parent_id
            trails[category_id] = path
        return trails[category_id]

    async def similar(item: Listing) -> list[Listing]:
        """Listings like this one: the comparables the price check picks for it (the agent's own)."""
        try:
            comps = await browse.compare_prices(item.category_id, item.title, item.condition)
            ids = [c.id for c in comps.examples if c.id != item.id][:SIMILAR]
            return list(await asyncio.gather(*(browse.get_listing(i) for i in ids)))
        except MarketplaceError:
            return []  # the page is still worth showing without them

    @router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def listings(
        request: Request,
        q: str | None = None,
        category: int | None = None,
        page: int = 1,
        source: str | None = None,
    ) -> HTMLResponse:
        page = max(1, min(page, 500))
        if category is not None and not 1 <= category <= MAX_ID:  # a number, but no category's
            raise HTTPException(404, f"There is no category {category}.")
        q = (q or "").strip()[:200] or None
        source = source if source in ("seller", "seed") else None
        try:
            result = await browse.list_listings(
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                q=q,
                category_id=category,
                source=source,
            )
            category_info = await browse.get_category(category) if category else None
        except MarketplaceError as e:
            if e.kind == "not_found":
                raise HTTPException(404, str(e.message)) from e
            if e.kind == "invalid":  # the address asked for something the marketplace cannot answer
                raise HTTPException(422, address_error("default")) from e
            raise HTTPException(503, f"the marketplace is unavailable: {e.message}") from e
        pages = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
        filters = {k: v for k, v in (("q", q), ("category", category), ("source", source)) if v}

        def page_url(number: int) -> str:
            return "/?" + urlencode({**filters, "page": number})

        if pages and page > pages:  # past the end (an old link, a typed number): the last page
            return RedirectResponse(page_url(pages), status_code=303)  # type: ignore[return-value]
        context: dict[str, Any] = {
            "page": page,
            "pages": pages,
            "prev_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if page < pages else None,
            "q": q or "",
            "category": category_info,
            "departments": DEPARTMENTS,
            "result": result,
            "source": source,
        }
        return _render(request, sessions, "listings.html", context)

    @router.api_route("/listings/{listing_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def listing(request: Request, listing_id: int) -> HTMLResponse:
        if not 1 <= listing_id <= MAX_ID:
            raise HTTPException(404, f"There is no listing {listing_id}.")
        try:
            item = await browse.get_listing(listing_id)
            path = await trail(item.category_id)
        except MarketplaceError as e:
            raise HTTPException(404 if e.kind == "not_found" else 503, e.message) from e
        context = {
            "item": item,
            "trail": path,
            "similar": await similar(item),
            "departments": DEPARTMENTS,
        }
        return _render(request, sessions, "listing.html", context)

    @router.api_route("/sell", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def sell(request: Request, like: int | None = None) -> HTMLResponse:
        context: dict[str, Any] = {
            "departments": DEPARTMENTS,
            "model": sessions.model_name,
            "max_message": MAX_MESSAGE_CHARS,
        }
        if like is not None:  # "Sell something like it": the message box starts with that item, to edit
            context.update(await _like(browse, like))
        response = _render(request, sessions, "sell.html", context)
        # The page is the browser's own conversation (and may set its session cookie): never a cached copy.
        response.headers["Cache-Control"] = "no-store"
        return response

    return router


async def _like(browse: MarketplaceClient, listing_id: int) -> dict[str, str]:
    """The opening a seller starts from when they came from a listing's page, or why there is none.

    Only the title is offered, never sent: the seller's own item differs, and they say how."""
    if not 1 <= listing_id <= MAX_ID:
        return {"like_note": "That listing is not on the site, so the message box starts empty."}
    try:
        item = await browse.get_listing(listing_id)
    except MarketplaceError as e:
        if e.kind != "not_found":
            return {"like_note": "The listing could not be read just now, so the message box starts empty."}
        return {"like_note": "That listing is not on the site any more, so the message box starts empty."}
    return {"prefill": f"I want to sell my {item.title}, condition: "}


def _render(
    request: Request, sessions: SessionRegistry, template: str, context: dict[str, Any]
) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context)
    return response


_HEADINGS = {404: "Not found", 422: "That address does not look right", 503: "The marketplace is unavailable"}


def address_problems(errors: Sequence[Any]) -> str:
    """What was wrong with a page's address, plainly, from its validation errors (never what was sent)."""
    names = dict.fromkeys(str(e.get("loc", ["", ""])[-1]) for e in errors)
    return " ".join(dict.fromkeys(address_error(name) for name in names))  # each sentence once


def error_page(request: Request, status: int, detail: Any) -> HTMLResponse:
    """A page, not a JSON body, for a browser that asked for a page."""
    if not isinstance(detail, str):  # validation errors: what was wrong with the address, plainly
        detail = address_problems(detail)
    context = {
        "departments": DEPARTMENTS,
        "status": status,
        "heading": _HEADINGS.get(status, "Something went wrong"),
        "detail": detail,
    }
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status)
