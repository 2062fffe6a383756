"""What the API checks of a request before any endpoint reads its body: the body's size (413 as soon as it
says or shows it is larger than any request needs), the bearer token of the endpoints that need one (401
before a byte of the body is read: nobody unknown gets a large body parsed), and, for JSON, that every
string is valid Unicode (a `\\ud800` escape decodes to half a character, which no database or answer can
hold: 422 naming the field, never a 500 or a dropped connection)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from marketplace.auth import caller_for_token
from marketplace.bodies import BodyTooLarge, read_body, replay, surrogate_in_json

MAX_BODY = 64 * 1024  # a listing is at most ~5 KB of text and 10 photo ids
# Bodies that change a seller's things: their token is checked before the body is read.
NEEDS_TOKEN = re.compile(r"/(?:listings|drafts(?:/.*)?|sellers/me/.+)")


def _error(status: int, detail: object, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)


class RequestGuard:
    """ASGI middleware in front of the API's routes. `market_of` finds the request's marketplace (its
    database), for the token check."""

    def __init__(self, app: ASGIApp, market_of: Callable[[Scope], Any]) -> None:
        self.app = app
        self.market_of = market_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_BODY:
            await _error(413, f"the body is too large (at most {MAX_BODY // 1024} KB)")(scope, receive, send)
            return
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if NEEDS_TOKEN.fullmatch(path):
            refusal = await self._refuse_token(scope, headers.get(b"authorization", b""))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        try:
            body = await read_body(receive, MAX_BODY)
        except BodyTooLarge:
            await _error(413, f"the body is too large (at most {MAX_BODY // 1024} KB)")(scope, receive, send)
            return
        if body is None:
            return
        found = surrogate_in_json(body)
        if found is not None:
            issue = {
                "type": "unicode",
                "loc": ["body", *found],
                "msg": "text with half a character (an unpaired surrogate) is not valid Unicode",
            }
            await _error(422, [issue])(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    async def _refuse_token(self, scope: Scope, authorization: bytes) -> JSONResponse | None:
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        challenge = {"WWW-Authenticate": "Bearer"}
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "a bearer token is required", **challenge)
        market = self.market_of(scope)

        def known() -> bool:
            with market.sessions() as session:
                return caller_for_token(session, token.strip()) is not None

        found = known() if market.inline else await run_in_threadpool(known)
        return None if found else _error(401, "unknown or revoked token", **challenge)


def known_query_parameters(request: Request) -> None:
    """A query parameter the endpoint does not take is a 422 naming the ones it does: silently ignored, a
    guessed name (`item=` for `q=`) would answer a different question (the whole category) as if asked."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    taken = _query_names(route.dependant)  # a walk over a few parameter lists: microseconds
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        takes = ", ".join(sorted(taken)) or "none"
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": f"unknown query parameter; this endpoint takes: {takes}",
                }
                for name in unknown
            ]
        )


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an endpoint and its dependencies read."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
