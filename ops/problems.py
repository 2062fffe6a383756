"""Pydantic's validation errors in the words of whoever wrote the file or form: each problem where it is,
all at once, without pydantic's "Value error, " prefix (our validators' messages are whole sentences)."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails


def plain(err: ErrorDetails) -> str:
    """One problem's message as our validators wrote it."""
    return err["msg"].removeprefix("Value error, ")


def located(error: ValidationError, top: str = "(top level)") -> str:
    """Every problem as `path.to.field: message`, joined by "; " (`top` names the document as a whole)."""
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or top}: {plain(err)}" for err in error.errors())
