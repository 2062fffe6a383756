"""`trova serve` answers its marketplace API (`/api`, `/api/health` included) as soon as the marketplace is
made, while the rest of the site (pydantic-ai, the agent and its tools, the pages, the chat, the admin
pages) is built in a thread beside it: importing pydantic-ai and logfire is most of a start.

A request for the site that arrives before it is built waits for it; it never fails for it (unless the
build itself failed: then 503 with the reason, and the server stops). `/ready` says whether the site is
built: 503 with `Retry-After` until then, 200 after (the site's own route)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AsyncExitStack

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from web.limits import BodyLimits
from web.security import SecurityHeaders

API_PREFIX = "/api"
READY_PATH = "/ready"


class DeferredSite:
    """An ASGI app: the marketplace at /api at once, the site built by `build` (in a thread, started by the
    server's lifespan start-up) for everything else. `on_failure` is told when the build fails."""

    def __init__(
        self,
        marketplace: ASGIApp,
        build: Callable[[], FastAPI],
        on_failure: Callable[[BaseException], None] = lambda _: None,
        on_stop: Callable[[], None] = lambda: None,
    ) -> None:
        self._build = build
        self._on_failure = on_failure
        self._on_stop = on_stop
        self._site: FastAPI | None = None
        self.failure: BaseException | None = None
        self._built = asyncio.Event()
        self._starting: asyncio.Task[None] | None = None
        self._stack = AsyncExitStack()
        early = Starlette(routes=[Route(READY_PATH, self._not_ready), Mount(API_PREFIX, app=marketplace)])
        # The same guards as the site's own, outermost first (web/site.py).
        self._early: ASGIApp = SecurityHeaders(BodyLimits(early))

    @property
    def site(self) -> FastAPI | None:
        """The site once built (None before, or when its build failed)."""
        return self._site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if self._site is not None:
            await self._site(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path == READY_PATH or path.startswith(API_PREFIX + "/"):
            await self._early(scope, receive, send)
            return
        await self.wait_until_built()  # a page or a chat message before the agent exists waits for it
        if self._site is None:  # the build failed: say why (the server is stopping)
            await SecurityHeaders(self._not_ready())(scope, receive, send)
            return
        await self._site(scope, receive, send)

    async def wait_until_built(self) -> None:
        await self._built.wait()

    def _not_ready(self, _: Request | None = None) -> JSONResponse:
        if self.failure is not None:
            detail = f"the site could not start: {type(self.failure).__name__}: {self.failure}"
            return JSONResponse({"ready": False, "detail": detail}, status_code=503)
        return JSONResponse(
            {"ready": False, "detail": "the agent is starting; /api answers already"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    async def _start(self) -> None:
        try:
            site = await asyncio.to_thread(self._build)
            await self._stack.enter_async_context(site.router.lifespan_context(site))
        except Exception as e:  # reported, and waiting requests answered, rather than left hanging
            self.failure = e
            self._on_failure(e)
        else:
            self._site = site
        finally:
            self._built.set()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        self._starting = asyncio.create_task(self._start())
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        # A build still under way is let finish, so that what it opened (the session store) is closed.
        with contextlib.suppress(Exception):
            await self._starting
        await self._stack.aclose()
        # Last words before the server stops: uvicorn then re-raises the signal it stopped on, which ends
        # the process before any exit handler runs.
        await asyncio.to_thread(self._on_stop)
        await send({"type": "lifespan.shutdown.complete"})
