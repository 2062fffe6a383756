"""`trova serve`: the marketplace API under /api, and the site (pages, sell chat, photos, feedback) beside it."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel, Field, ValidationError
from pydantic_ai.capabilities.abstract import AbstractCapability
from pydantic_ai.settings import ModelSettings
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.listing_agent import build_agent
from agent.models import ModelChoice
from agent.prompts import Prompt
from agent.storage import data_dir
from marketplace.validation import validation_body
from ops.experiments import LiveExperiment
from ops.review import ScenarioWriter
from tools.client import MarketplaceClient, MarketplaceError
from tools.deps import TrovaDeps
from web.admin import install_admin
from web.chat import create_chat_router
from web.feedback import FeedbackStore, cause_of
from web.limits import BodyLimits
from web.pages import address_problems, create_pages_router, error_page
from web.photo_routes import create_photo_router
from web.photos import PhotoStore
from web.security import SecurityHeaders, json_only, same_origin
from web.session_store import SessionStore
from web.sessions import SessionRegistry, idle_seconds
from web.startup import API_PREFIX, READY_PATH

INTERNAL_URL = "http://marketplace.internal"
STATIC = Path(__file__).parent / "static"
SHUTDOWN_WAIT_S = 5.0  # how long a stopping server waits for online evaluations still running

# Each request's server span only (as the marketplace's own app, `marketplace/app.py`: no second span per
# endpoint, no HTTP metrics or log records that nothing reads; about 1.3 ms of CPU per request).
TELEMETRY: TelemetryConfig = {"operation_spans": False, "metrics": False, "logs": False}


class Rating(BaseModel):
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)
    conversation_id: str | None = None


def create_site(
    marketplace: FastAPI,
    choice: ModelChoice,
    prompt: Prompt,
    *,
    feedback: FeedbackStore | None = None,
    admin_token: str | None = None,
    scenario_writer: ScenarioWriter | None = None,
    photos: PhotoStore | None = None,
    sessions_url: str | None = None,
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
    experiment: LiveExperiment | None = None,
    model_settings: ModelSettings | None = None,
) -> FastAPI:
    """The site around `marketplace` (mounted at /api); the agent talks to it in-process over HTTP.
    Photos are kept in `photos` (default: `$TROVA_HOME/photos`); sellers' sessions in the database at
    `sessions_url` (`trova serve`: the marketplace's own; default: `$TROVA_HOME/sessions.db`); with
    `experiment`, each seller's conversations are served by their arm (ops/experiments.py). `capabilities`
    go to the agent: `trova serve` gives it online evaluation (built by the CLI, since the site may not
    import the harness)."""
    transport = httpx.ASGITransport(app=marketplace)
    agent = build_agent(choice.model, prompt, model_settings=model_settings, capabilities=capabilities)
    session_store = SessionStore(
        sessions_url or f"sqlite:///{data_dir() / 'sessions.db'}", idle_seconds=idle_seconds()
    )
    sessions = SessionRegistry(
        session_store, transport, INTERNAL_URL, agent, choice.name, prompt.ref, experiment
    )
    browse = MarketplaceClient(INTERNAL_URL, transport=transport)
    store = feedback or FeedbackStore()
    photo_store = photos or PhotoStore()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # Verdicts still being worked out in the background are written before the process ends (none
        # when no conversation was judged: the harness is imported by the first judged one).
        if "pydantic_evals.online" in sys.modules:
            from pydantic_evals.online import wait_for_evaluations

            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wait_for_evaluations(), SHUTDOWN_WAIT_S)
        session_store.close()

    site = FastAPI(
        title="Trova", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan, telemetry=TELEMETRY
    )
    site.mount(API_PREFIX, marketplace)
    site.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    site.include_router(create_pages_router(sessions, browse))
    site.include_router(create_chat_router(sessions, store, photo_store))
    site.include_router(create_photo_router(sessions, photo_store))
    site.state.sessions = sessions
    site.state.feedback = store

    async def category_name(category_id: int) -> str | None:
        try:
            return (await browse.get_category(category_id)).name
        except MarketplaceError:  # a category the marketplace does not know: shown by its id
            return None

    install_admin(site, store.store, admin_token, scenario_writer, category_name)
    site.state.photos = photo_store

    @site.get(READY_PATH, include_in_schema=False)
    async def ready() -> JSONResponse:
        """The site and its agent are made (`trova serve` answers 503 here until then: web/startup.py)."""
        return JSONResponse({"ready": True})

    @site.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        """For clients that ask the old address rather than read the page's <link rel=icon>."""
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    @site.post("/feedback", dependencies=[Depends(same_origin), Depends(json_only)], response_model=None)
    async def rate(request: Request) -> Response:
        """Thumbs up or down, with an optional comment, on the browser's current conversation. The
        session is checked before the body is read: without a conversation there is nothing to parse."""
        session = await sessions.find(request)
        chat = None if session is None else await sessions.saved_chat(session)
        if session is None or chat is None or not chat.record.turns:
            return JSONResponse({"detail": "no conversation to rate yet"}, status_code=409)
        try:
            body = Rating.model_validate_json(await request.body())
        except ValidationError as e:
            fields = {".".join(str(p) for p in err["loc"]) or "body": err["msg"] for err in e.errors()}
            detail = "; ".join(f"{name}: {msg}" for name, msg in fields.items())
            return JSONResponse({"detail": detail, "fields": fields}, status_code=422)
        if body.conversation_id and body.conversation_id != chat.id:
            return JSONResponse({"detail": "no conversation to rate yet"}, status_code=409)
        store.rate(
            chat.id,
            1 if body.rating == "up" else -1,
            body.comment,
            trace_id=chat.last_trace_id,
            seller_id=session.seller_id,
            cause=cause_of(chat),
        )
        return JSONResponse({"ok": True, "conversation_id": chat.id})

    def is_page(request: Request) -> bool:
        """The address is one of the site's pages (a route answering HTML), whatever came of the request."""
        route = request.scope.get("route")
        return isinstance(route, APIRoute) and route.response_class is HTMLResponse

    def wants_page(request: Request) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        accept = request.headers.get("accept", "")
        # A page's address answers with a page unless the client asked for JSON alone (curl sends */*).
        return "text/html" in accept or (is_page(request) and "application/json" not in accept)

    @site.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_page(request):
            return error_page(request, exc.status_code, exc.detail)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @site.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        # A page's address whose path names nothing (/listings/abc) is a page that does not exist: a 404,
        # as /listings/999999 is. Either way what was sent is never repeated (`validation_body`).
        if is_page(request) and any(e.get("loc", ("",))[0] == "path" for e in errors):
            if wants_page(request):
                return error_page(request, 404, errors)
            return JSONResponse({"detail": address_problems(errors)}, status_code=404)
        if wants_page(request):
            return error_page(request, 422, errors)
        return JSONResponse(validation_body(exc).model_dump(mode="json"), status_code=422)

    site.add_middleware(BodyLimits)  # before any endpoint parses a body
    site.add_middleware(SecurityHeaders)  # outermost: error pages and the API get the headers too
    return site
