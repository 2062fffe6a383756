"""Errors in the seller's words (the words are in `wording.toml`): what to do, for the field concerned."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from tools.types import TITLE_MAX, TITLE_MIN

_FIGURES = {"min_length": TITLE_MIN, "max_length": TITLE_MAX}  # the title's, for lines without figures


@cache
def _wording() -> Mapping[str, Any]:
    return tomllib.loads((Path(__file__).with_name("wording.toml")).read_text(encoding="utf-8"))


def _fill(template: str, figures: Mapping[str, Any]) -> str:
    try:
        return template.format_map({**_FIGURES, **figures})
    except (KeyError, ValueError, IndexError):
        return template


def field_errors(errors: Iterable[ErrorDetails]) -> dict[str, str]:
    """One message per field, from pydantic's errors for a listing (the first error of a field wins)."""
    fields: Mapping[str, Mapping[str, str]] = _wording()["fields"]
    found: dict[str, str] = {}
    for error in errors:
        name = str(error["loc"][0]) if error["loc"] else ""
        if name in found:
            continue
        lines = fields.get(name)
        if lines is None:
            found[name] = error["msg"]
            continue
        ctx = error.get("ctx") or {}
        template = lines.get(error["type"], lines["default"])
        found[name] = _fill(template, {k: v for k, v in ctx.items() if isinstance(v, int | float | str)})
    return found


def address_error(parameter: str) -> str:
    """What was wrong with a page address's parameter (`page=abc`), said plainly."""
    lines: Mapping[str, str] = _wording()["address"]
    return lines.get(parameter, lines["default"])
