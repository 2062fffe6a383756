"""Turning marketplace failures into what the model can act on.

Bad arguments (the API rejected them) go back as a retry with the API's reason (`ModelRetry`); an
unreachable or failing marketplace becomes a failed tool result (`ToolFailed`) that the model reports
to the seller. Nothing here raises past the tool, so a conversation never crashes on a tool error.

Two failures read alike and must not be told alike: a request refused before it took effect ("nothing
was changed", `UNAVAILABLE_PREFIX`), and one that was sent and whose outcome nobody knows
(`UNKNOWN_PREFIX`): telling the seller "nothing was posted" then may be a lie.
"""

from __future__ import annotations

from typing import NoReturn

from pydantic_ai import ModelRetry, ToolFailed

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
