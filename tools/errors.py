"""Turning marketplace failures into what the model can act on.

Bad arguments (the API rejected them) go back as a retry with the API's reason (`ModelRetry`); an
unreachable or failing marketplace becomes a failed tool result (`ToolFailed`) that the model reports
to the seller. Nothing here raises past the tool, so a conversation never crashes on a tool error.
"""

from __future__ import annotations

from typing import NoReturn

from pydantic_ai import ModelRetry, ToolFailed

from tools.client import MarketplaceError

UNAVAILABLE_PREFIX = "MARKETPLACE UNAVAILABLE"


def raise_for_model(error: MarketplaceError, action: str) -> NoReturn:
    """Re-raise a marketplace error as a retry (the model's fault) or a failed result (not its fault)."""
    if error.kind in ("invalid", "not_found"):
        raise ModelRetry(f"The marketplace rejected this: {error.message}. Fix the arguments and call again.")
    if error.kind in ("unavailable", "server"):
        raise ToolFailed(
            f"{UNAVAILABLE_PREFIX}: could not {action} ({error.message}). Nothing was changed. Tell the "
            "seller the marketplace is unreachable right now, keep their draft, and offer to try again."
        )
    if error.kind == "unauthorized":
        raise ToolFailed(
            f"The marketplace refused the seller's credentials ({error.message}); tell the seller."
        )
    raise ToolFailed(f"Could not {action}: {error.message}")
