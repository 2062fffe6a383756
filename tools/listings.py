"""The `create_listing` tool: saves the draft on the marketplace (the agent's token can do that and
nothing more) and asks for the seller's approval; the seller's own client publishes it once approved
(tools/publishing.py), and the tool then reports what became of it."""

from __future__ import annotations

import hashlib
import json

from pydantic import ValidationError
from pydantic_ai import ApprovalRequired, ModelRetry, RunContext, ToolFailed

from tools.client import MarketplaceError
from tools.deps import TrovaDeps
from tools.errors import raise_for_model
from tools.publishing import DraftRef, PublishOutcome

# The API's own field types, so a draft the marketplace would refuse is refused before the seller sees it.
from tools.types import SUPPORTED_CURRENCIES, Condition, Description, Listing, ListingCreate, Price, Title


def idempotency_key(conversation_id: str | None, listing: ListingCreate) -> str:
    """The same draft in the same conversation always gets the same key, so a retried or repeated call
    creates one listing."""
    # Photos count only when there are some: a draft without photos keeps the key it always had.
    # What drafted it is not part of the draft: the key stays the one it always had.
    left_out = {"variant"} | (set() if listing.photos else {"photos"})
    canonical = json.dumps(listing.model_dump(mode="json", exclude=left_out), sort_keys=True)
    return "trova-" + hashlib.sha256(f"{conversation_id}|{canonical}".encode()).hexdigest()[:32]


def draft_key(conversation_id: str | None, listing: ListingCreate) -> str:
    """The key a draft is saved under: the same content in the same conversation is one draft."""
    return "draft-" + idempotency_key(conversation_id, listing).removeprefix("trova-")


# Where a seller can see for themselves whether a listing whose answer was lost was posted.
CHECK_HINT = "their listings (`trova listings --mine`, or the site's listings page)"


async def validate_listing(
    ctx: RunContext[TrovaDeps],
    title: str,
    description: str,
    category_id: int,
    condition: Condition,
    price: float,
    currency: str = "USD",
) -> None:
    """Checks that need the marketplace, before the seller is asked to approve: the category must exist and
    be a leaf. If the marketplace cannot be reached the check is left to the create itself."""
    if ctx.tool_call_approved:
        return  # checked before the seller saw the draft; the create itself re-checks everything
    if currency.strip().upper() not in SUPPORTED_CURRENCIES:
        raise ModelRetry(
            f"currency {currency!r} is not supported; use one of {', '.join(SUPPORTED_CURRENCIES)}."
        )
    try:
        category = await ctx.deps.client.get_category(category_id)
    except MarketplaceError as e:
        if e.kind == "not_found":
            raise ModelRetry(
                f"category {category_id} does not exist; use a category id returned by search_categories."
            ) from e
        return
    if not category.is_leaf:
        names = ", ".join(f"{c.id} ({c.name})" for c in category.children[:8])
        raise ModelRetry(
            f"category {category_id} ({category.path}) is not a leaf; use one of its subcategories: {names}."
        )


async def create_listing(
    ctx: RunContext[TrovaDeps],
    title: Title,
    description: Description,
    category_id: int,
    condition: Condition,
    price: Price,
    currency: str = "USD",
) -> Listing:
    """Post the listing: it is saved as a draft, the seller sees exactly these fields, and it is published
    only once they approve it (you then get the listing).

    Call it only when the draft is complete: the category is a leaf from `search_categories`, the seller
    gave the condition, and the price comes from `compare_prices` (or from the seller when there are no
    comparables). If the seller does not approve you get their reply instead of a listing: revise the draft
    and call again if they asked for changes, or stop if they declined. Never call it twice for one item.

    Args:
        title: 5 to 80 characters: what it is, brand and model; no prices, no shouting.
        description: Written as the seller, plainly, in the first person: what it is, its condition and any
            wear, what's included. No marketing language.
        category_id: A leaf category id from `search_categories`.
        condition: new, like_new, excellent, good, fair or for_parts, as the seller said.
        price: The asking price, greater than 0.
        currency: ISO code; USD unless the seller says otherwise.
    """
    if ctx.tool_call_approved:
        # The seller's client published it (or tried to) with the seller's own grant: report that.
        try:
            outcome = PublishOutcome.model_validate(ctx.tool_call_metadata or {})
        except ValidationError:
            outcome = PublishOutcome()
        if outcome.listing is not None:
            return outcome.listing
        failure = outcome.failure()
        if failure is None:
            raise ToolFailed(
                "The listing was not posted: publishing needs the seller's own approval step, which did "
                "not happen. Ask the seller to approve the draft again."
            )
        raise_for_model(failure, "post the listing", check=CHECK_HINT)
    listing = ListingCreate(
        title=title,
        description=description,
        category_id=category_id,
        condition=condition,
        price=price,
        currency=currency,
        photos=list(ctx.deps.photo_ids),
        variant=ctx.deps.variant,
    )
    try:
        draft = await ctx.deps.client.create_draft(listing, draft_key(ctx.conversation_id, listing))
    except MarketplaceError as e:
        raise_for_model(e, "save the draft", check="")
    raise ApprovalRequired(
        metadata=DraftRef(draft_id=draft.id, content_sha256=draft.content_sha256).model_dump()
    )
