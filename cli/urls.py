"""The URL options (`--marketplace-url`, `--base-url` and their environment variables) checked when they are
read: a value that is no http(s) address is a bad option (exit 2) naming it, not a conversation whose every
turn says the marketplace or the model cannot be reached."""

from __future__ import annotations

from urllib.parse import urlsplit

import typer

# What each option's address looks like: the marketplace's API under trova serve, an OpenAI-compatible /v1.
EXAMPLES = {"marketplace_url": "http://127.0.0.1:8000/api", "base_url": "http://127.0.0.1:8100/v1"}


def http_url(param: typer.CallbackParam, value: str | None) -> str | None:
    """A typer callback: the value as given when it is an http:// or https:// address with a host."""
    if not value:  # not given (an empty environment variable included): the command's default
        return value
    try:
        parts = urlsplit(value.strip())
        port_ok = parts.port is None or parts.port > 0  # reading .port checks that it is a number in range
    except ValueError as e:
        raise typer.BadParameter(f"{value!r} is not a URL ({e})") from e
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise typer.BadParameter(
            f"{value!r} is not an http:// or https:// address, e.g. {EXAMPLES.get(param.name or '', 'https://host/')}"
        )
    return value.strip()
