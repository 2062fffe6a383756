"""The 422 body for a request FastAPI could not read, shared by the API (`marketplace/app.py`) and the site
(`web/site.py`), so both answer alike. Only the API's schema types: the site may use this module."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError

from marketplace.schemas import ErrorBody, ValidationIssue


def _safe_text(value: object) -> str | int:
    """A location part or message as JSON can carry it: half a character (a lone surrogate, from a `\\ud800`
    escape) written as its escape rather than failing the whole answer."""
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def validation_body(exc: RequestValidationError) -> ErrorBody:
    """The 422 body the API documents (`ErrorBody`): each problem's type, where it is and what is wrong. What
    was sent is never echoed back: it may be large (a body at the size limit) or not even encodable."""
    issues = [
        ValidationIssue(
            type=str(error.get("type", "invalid")),
            loc=[_safe_text(p) for p in error.get("loc", ())],
            msg=str(_safe_text(error.get("msg", "invalid"))),
        )
        for error in exc.errors()
    ]
    return ErrorBody(detail=issues)
