"""The `search_categories` tool."""

from __future__ import annotations

from pydantic_ai import ModelRetry, RunContext

from tools.client import MarketplaceError
from tools.deps import TrovaDeps
from tools.errors import raise_for_model
from tools.types import CategorySearchResult

MAX_QUERY = 200


async def search_categories(ctx: RunContext[TrovaDeps], query: str, limit: int = 5) -> CategorySearchResult:
    """Find the marketplace category for an item. Call this first for every item the seller wants to sell.

    Returns up to `limit` categories, best first, each with `id`, its full `path`, `is_leaf` and a `score`
    (1.0 for the best match, lower for worse ones). A listing needs a leaf category (`is_leaf: true`): use
    the best leaf. When two leaves are both plausible for the item and close in score, ask the seller which
    fits; likewise when the best has `named: false` (its name does not match the item's words). When
    `matches` is empty, ask the seller to describe the item another way.

    Args:
        query: The item in a few words: type, brand, model (e.g. "Trek road bike", "Sony WH-1000XM4
            headphones", "IKEA sofa"). Not a sentence, no price or condition.
        limit: How many categories to return, 1 to 10.
    """
    query = " ".join(query.split())
    if not query:
        raise ModelRetry("query is empty: pass the item's type, brand or model, e.g. 'road bike'.")
    if len(query) > MAX_QUERY:
        raise ModelRetry(
            f"query is {len(query)} characters; use a few words (at most {MAX_QUERY} characters)."
        )
    try:
        return await ctx.deps.client.search_categories(query, limit=max(1, min(limit, 10)))
    except MarketplaceError as e:
        raise_for_model(e, "search categories")
