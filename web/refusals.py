"""What the site answers when the marketplace would not serve a seller's request: a rate limit is the
seller's own "not now" (429, when to come back), anything else the marketplace being down (503)."""

from __future__ import annotations

import math

from tools.client import MarketplaceError

UNAVAILABLE = "The marketplace is unavailable right now; try again in a moment."


def refusal(error: MarketplaceError) -> tuple[int, str, dict[str, str]]:
    """The status, the seller-facing words and the headers for a failed marketplace call."""
    if not error.rate_limited:
        return 503, UNAVAILABLE, {}
    if error.retry_after is None:
        return 429, "Too many new conversations from your address this hour; try again later.", {}
    minutes = max(1, math.ceil(error.retry_after / 60))
    return (
        429,
        f"Too many new conversations from your address this hour; try again in {minutes} min.",
        {"Retry-After": str(error.retry_after)},
    )
