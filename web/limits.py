"""What the site reads of a request body, before any endpoint parses it: no more than the endpoint can use
(413 as soon as the body says or shows it is larger), and, for JSON, only text that is valid Unicode (a
`\\ud800` escape decodes to half a character, which no database, file or page can hold: 422 naming the
field, never a 500 or a dropped connection).

The API under /api is the marketplace's own app, which checks its requests itself."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from marketplace.bodies import BodyTooLarge, read_body, replay, surrogate_in_json

KB, MB = 1024, 1024 * 1024
DEFAULT_LIMIT = 64 * KB  # a rating, a comment, "start over", an admin form
# A chat request carries a photo as a data URL (base64: 4/3 of its size) and the history; a photo upload
# is the image itself. Both endpoints check their own limits, a little lower, in the seller's words.
LIMITS = (("/chat", 16 * MB + 64 * KB), ("/photos", 10 * MB + 64 * KB))
UNCHECKED = ("/api",)  # the marketplace app, with its own limits


def limit_for(path: str) -> int:
    for prefix, limit in LIMITS:
        if path == prefix or path.startswith(prefix + "/"):
            return limit
    return DEFAULT_LIMIT


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
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge:
            await _too_large(limit, scope, receive, send)
            return
        if body is None:
            return
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        found = surrogate_in_json(body) if kind == b"application/json" else None
        if found is not None:
            problem = field_name(found)
            reason = "text with half a character (an unpaired surrogate) is not valid Unicode"
            await JSONResponse(
                {"detail": f"{problem}: {reason}", "fields": {problem: reason}}, status_code=422
            )(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // KB} KB"
    await JSONResponse({"detail": f"the request is too large (at most {size} here)"}, status_code=413)(
        scope, receive, send
    )
