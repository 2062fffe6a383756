"""Turning marketplace failures into what the model can act on.

Bad arguments (the API rejected them) go back as a retry with the API's reason (`ModelRetry`); an
unreachable or failing marketplace becomes a failed tool result (`ToolFailed`) that the model reports
to the seller. Nothing here raises past the tool, so a conversation never crashes on a tool error.

Two failures read alike and must not be told alike: a request refused before it took effect ("nothing
was changed", `UNAVAILABLE_PREFIX`), and one that was sent and whose outcome nobody knows
(`UNKNOWN_PREFIX`): telling the seller "nothing was posted" then may be a lie.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NoReturn

from pydantic import ValidationError
from pydantic_ai import ModelRetry, ToolFailed
from pydantic_core import ErrorDetails

from tools.client import MarketplaceError

UNAVAILABLE_PREFIX = "MARKETPLACE UNAVAILABLE"
UNKNOWN_PREFIX = "OUTCOME UNKNOWN"


def refused_before_sending(error: MarketplaceError) -> bool:
    """The request did not take effect: saying that nothing changed is the truth."""
    return error.kind in ("unavailable", "server")


def outcome_unknown(error: MarketplaceError) -> bool:
    """The request was sent and its answer lost; asking the marketplace could not settle it either."""
    return error.kind == "unknown"


def raise_for_model(error: MarketplaceError, action: str, *, check: str = "") -> NoReturn:
    """Re-raise a marketplace error as a retry (the model's fault) or a failed result (not its fault).
    `check` says where the seller can see for themselves whether an unknown outcome took effect."""
    if error.kind in ("invalid", "not_found"):
        raise ModelRetry(f"The marketplace rejected this: {error.message}. Fix the arguments and call again.")
    if outcome_unknown(error):
        raise ToolFailed(
            f"{UNKNOWN_PREFIX}: the request to {action} was sent but its answer was lost ({error.message}). "
            f"Whether it took effect is not known. Do NOT tell the seller that nothing happened: tell them "
            f"you don't know whether it went through{f', that they can check {check}' if check else ''}, "
            "and that trying again is safe (the same draft is never posted twice)."
        )
    if refused_before_sending(error):
        raise ToolFailed(
            f"{UNAVAILABLE_PREFIX}: could not {action} ({error.message}). Nothing was changed. Tell the "
            "seller the marketplace is unreachable right now, keep their draft, and offer to try again."
        )
    if error.kind in ("unauthorized", "forbidden"):
        raise ToolFailed(
            f"The marketplace refused the seller's credentials ({error.message}); tell the seller."
        )
    raise ToolFailed(f"Could not {action}: {error.message}")


# A tool argument the schema refuses goes back to the model as short plain words, one sentence per field,
# never pydantic's JSON: a model reads it more easily, and whoever shows it to a seller shows words.
_LIMITS: dict[str, str] = {
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "string_too_short": "must be at least {min_length} characters long",
    "string_too_long": "must be at most {max_length} characters long",
    "too_short": "needs at least {min_length} items",
    "too_long": "takes at most {max_length} items",
    "missing": "is required",
    "finite_number": "must be a finite number",
    "enum": "must be one of: {expected}",
    "literal_error": "must be one of: {expected}",
    "float_parsing": "must be a number",
    "int_parsing": "must be a whole number",
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "string_type": "must be text",
    "extra_forbidden": "is not an argument of this tool",
}


def _figure(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def plain_words(error: ValidationError) -> str:
    """What is wrong with a tool's arguments, in a sentence or two ('price must be less than 1,000,000')."""
    sentences: list[str] = []
    for detail in error.errors(include_url=False, include_input=False)[:5]:
        sentences.append(_sentence(detail))
    more = error.error_count() - len(sentences)
    tail = f" ({more} more problems)" if more > 0 else ""
    return f"{'; '.join(sentences)}{tail}. Fix the arguments and call again."


def _sentence(detail: ErrorDetails) -> str:
    field = ".".join(str(part) for part in detail["loc"]) or "the value"
    ctx: Mapping[str, Any] = detail.get("ctx") or {}
    template = _LIMITS.get(detail["type"])
    if template is not None:
        try:
            return f"{field} {template.format(**{k: _figure(v) for k, v in ctx.items()})}"
        except (KeyError, IndexError):
            pass
    return f"{field}: {detail['msg'][:1].lower()}{detail['msg'][1:]}"


class PlainWordsValidator:
    """A tool's argument validator whose refusals are plain words (`plain_words`), sent back as a retry."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def validate_python(
        self,
        input: Any,
        *,
        allow_partial: bool | Literal["off", "on", "trailing-strings"] = False,
        **kwargs: Any,
    ) -> Any:
        try:
            return self._inner.validate_python(input, allow_partial=allow_partial, **kwargs)
        except ValidationError as e:
            raise ModelRetry(plain_words(e)) from e

    def validate_json(
        self,
        input: str | bytes | bytearray,
        *,
        allow_partial: bool | Literal["off", "on", "trailing-strings"] = False,
        **kwargs: Any,
    ) -> Any:
        try:
            return self._inner.validate_json(input, allow_partial=allow_partial, **kwargs)
        except ValidationError as e:
            raise ModelRetry(plain_words(e)) from e
