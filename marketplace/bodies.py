"""Reading a request's body before an endpoint does, for the ASGI guards in front of the API
(`marketplace/guards.py`) and the site (`web/limits.py`): at most a limit's worth of bytes, then handed on
unchanged; and, in JSON, where a string holds half a character (a lone `\\ud800` escape, which no database,
file or page can hold). Only Starlette's types: the site may use this module."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import Message, Receive

# A JSON escape of a UTF-16 surrogate: paired ones make one character (an emoji), a lone one is an error.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class BodyTooLarge(Exception):
    """The body went past the limit while it was read."""


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when the client went away; BodyTooLarge past `limit` bytes (no more is read)."""
    body = bytearray()
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def replay(body: bytes, receive: Receive) -> Receive:
    """The body read already, then whatever the connection says next (a streamed answer listens for the
    client going away)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def surrogate_in_json(body: bytes) -> tuple[str | int, ...] | None:
    """Where in a JSON body a string holds half a character; None when none does or it is not JSON (the
    endpoint says what is wrong with it then)."""
    if not SURROGATE_ESCAPE.search(body):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return lone_surrogate(parsed)


def lone_surrogate(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a parsed JSON value a string (or a key) holds half a character, if anywhere."""
    if isinstance(value, str):
        return None if _encodable(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if not _encodable(key):
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


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
