"""What the site reads of a request body, before any endpoint parses it: no more than the endpoint can use
(413 as soon as the body says or shows it is larger), and, for JSON, only text that is valid Unicode (a
`\\ud800` escape decodes to half a character, which no database, file or page can hold: 422 naming the
field, never a 500 or a dropped connection).

The API under /api is the marketplace's own app, which checks its requests itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB, MB = 1024, 1024 * 1024
DEFAULT_LIMIT = 64 * KB  # a rating, a comment, "start over", an admin form
# A chat request carries a photo as a data URL (base64: 4/3 of its size) and the history; a photo upload
# is the image itself. Both endpoints check their own limits, a little lower, in the seller's words.
LIMITS = (("/chat", 16 * MB + 64 * KB), ("/photos", 10 * MB + 64 * KB))
UNCHECKED = ("/api",)  # the marketplace app, with its own limits
# A JSON escape of a UTF-16 surrogate: paired ones make one character (an emoji), a lone one is an error.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def limit_for(path: str) -> int:
    for prefix, limit in LIMITS:
        if path == prefix or path.startswith(prefix + "/"):
            return limit
    return DEFAULT_LIMIT


def lone_surrogate(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a parsed JSON value a string (or a key) holds half a character, if anywhere."""
    if isinstance(value, str):
        return None if _valid(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if not _valid(key):
                return (*path, key.encode("utf-8", "backslashreplace").decode())
            found = lone_surrogate(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = lone_surrogate(item, (*path, i))
            if found is not None:
                return found
    return None


def _valid(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def field_name(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path) or "body"


class BodyLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if any(path == p or path.startswith(p + "/") for p in UNCHECKED):
            await self.app(scope, receive, send)
            return
        limit = limit_for(path)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit, scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _too_large(limit, scope, receive, send)
                return
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind == b"application/json" and _SURROGATE_ESCAPE.search(body):
            problem = _surrogate_problem(bytes(body))
            if problem is not None:
                reason = "text with half a character (an unpaired surrogate) is not valid Unicode"
                await JSONResponse(
                    {"detail": f"{problem}: {reason}", "fields": {problem: reason}}, status_code=422
                )(scope, receive, send)
                return
        await self.app(scope, _replay(bytes(body), receive), send)


def _surrogate_problem(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # not JSON at all: the endpoint says so
    found = lone_surrogate(parsed)
    return None if found is None else field_name(found)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read already, then whatever the connection says next (a streamed answer listens for
    the browser going away)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // KB} KB"
    await JSONResponse({"detail": f"the request is too large (at most {size} here)"}, status_code=413)(
        scope, receive, send
    )
