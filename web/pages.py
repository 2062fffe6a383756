"""The site's pages (Jinja2, autoescaped): browse and search listings, a page per listing, the sell chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from tools.client import MarketplaceClient, MarketplaceError
from web.sessions import SessionRegistry

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PAGE_SIZE = 24
# Where most listings are: the departments shown as filters (any category id works in the URL).
DEPARTMENTS = [
    (1025, "Bikes"),
    (267, "Phones"),
    (222, "Electronics"),
    (436, "Furniture"),
    (916, "Cars & trucks"),
]


def _money(value: float, currency: str = "USD") -> str:
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{value:,.0f}" if float(value).is_integer() else f"{symbol}{value:,.2f}"


TEMPLATES.env.filters["money"] = _money
TEMPLATES.env.filters["condition_label"] = lambda c: str(c).replace("_", " ")


def create_pages_router(sessions: SessionRegistry, browse: MarketplaceClient) -> APIRouter:
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def listings(
        request: Request,
        q: str | None = None,
        category: int | None = None,
        page: int = 1,
        source: str | None = None,
    ) -> HTMLResponse:
        page = max(1, min(page, 500))
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
        try:
            item = await browse.get_listing(listing_id)
        except MarketplaceError as e:
            raise HTTPException(404 if e.kind == "not_found" else 503, e.message) from e
        return _render(request, sessions, "listing.html", {"item": item, "departments": DEPARTMENTS})

    @router.api_route("/sell", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def sell(request: Request) -> HTMLResponse:
        response = _render(
            request, sessions, "sell.html", {"departments": DEPARTMENTS, "model": sessions.model_name}
        )
        # The page is the browser's own conversation (and may set its session cookie): never a cached copy.
        response.headers["Cache-Control"] = "no-store"
        return response

    return router


def _render(
    request: Request, sessions: SessionRegistry, template: str, context: dict[str, Any]
) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context)
    return response


_HEADINGS = {404: "Not found", 422: "That address does not look right", 503: "The marketplace is unavailable"}


def error_page(request: Request, status: int, detail: Any) -> HTMLResponse:
    """A page, not a JSON body, for a browser that asked for a page."""
    if not isinstance(detail, str):  # validation errors: name the parameter that was wrong
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg', '')}" for e in detail
        )
    context = {
        "departments": DEPARTMENTS,
        "status": status,
        "heading": _HEADINGS.get(status, "Something went wrong"),
        "detail": detail,
    }
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status)
