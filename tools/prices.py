"""The `compare_prices` tool."""

from __future__ import annotations

from pydantic_ai import RunContext

from tools.client import MarketplaceError
from tools.deps import TrovaDeps
from tools.errors import raise_for_model
from tools.types import Condition, PriceComparison


async def compare_prices(
    ctx: RunContext[TrovaDeps], category_id: int, item: str, condition: Condition | None = None
) -> PriceComparison:
    """Compare the item against similar listings on the marketplace. Call this before proposing a price.

    Returns `count` comparable listings with their `median`, `p25`/`p75` (the middle half of asking prices),
    `min`/`max`, a few `examples`, a `suggested_price` inside `suggested_low`..`suggested_high`, and a
    `confidence` from 0 to 1 (low when comparables are few or their prices scattered). Propose a price in the
    suggested range unless the seller names their own. When `count` is 0 there is no market price: ask the
    seller what they want for it.

    Args:
        category_id: A category id returned by `search_categories`.
        item: The item's title words (brand, model, type), used to find the most similar listings.
        condition: The item's condition if known: new, like_new, excellent, good, fair or for_parts.
    """
    try:
        return await ctx.deps.client.compare_prices(category_id, item, condition)
    except MarketplaceError as e:
        raise_for_model(e, "compare prices")
