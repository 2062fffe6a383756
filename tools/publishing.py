"""The seller's side of publishing a draft, which the agent never holds.

The agent's tools save drafts with the agent's token, which can do nothing else. When the seller
approves one, their own client (the CLI, the site's session, the eval harness's simulated seller) asks
the marketplace for a short-lived grant bound to the exact content the seller saw (its hash), with the
seller's own token, and publishes the draft with it, once (its idempotency key). What happened is handed
to the agent's tool as the approval's metadata, and the tool reports it to the model.

A publish whose answer is lost is settled by asking for the draft's state (`MarketplaceClient.
publish_draft`): the outcome reported is the truth, or "unknown" when even that cannot be found out.
"""

from __future__ import annotations

import logfire
from pydantic import BaseModel, ValidationError

from tools.client import ErrorKind, MarketplaceClient, MarketplaceError
from tools.types import Listing, ListingCreate, content_sha256


class DraftRef(BaseModel):
    """The marketplace's draft behind an approval request: what the seller's client publishes."""

    draft_id: int
    content_sha256: str


class PublishOutcome(BaseModel):
    """What publishing an approved draft came to: the listing, or the failure (its kind says whether
    anything may have been posted)."""

    listing: Listing | None = None
    error_kind: ErrorKind | None = None
    error: str = ""
    status: int | None = None

    def failure(self) -> MarketplaceError | None:
        if self.listing is not None or self.error_kind is None:
            return None
        return MarketplaceError(self.error_kind, self.error, self.status)


class Publisher:
    """Publishes approved drafts with the seller's own credential (never given to the agent)."""

    def __init__(self, client: MarketplaceClient) -> None:
        self.client = client

    async def publish(self, ref: DraftRef, content: ListingCreate, idempotency_key: str) -> PublishOutcome:
        """Publish `ref`'s draft with exactly `content` (the fields the seller approved, edits included):
        the draft is revised first if the seller edited it, then granted for that content's hash, then
        published."""
        with logfire.span("publish draft {draft_id}", draft_id=ref.draft_id):
            try:
                await self.client.ensure_token()
                sha256 = content_sha256(content)
                if sha256 != ref.content_sha256:
                    sha256 = (await self.client.revise_draft(ref.draft_id, content)).content_sha256
                grant = await self.client.request_grant(ref.draft_id, sha256)
                listing = await self.client.publish_draft(ref.draft_id, grant.grant, idempotency_key)
            except MarketplaceError as e:
                if e.kind == "conflict" and (done := await self._published(ref, content)) is not None:
                    return PublishOutcome(listing=done)  # approved again: it is posted already, once
                return PublishOutcome(error_kind=e.kind, error=e.message, status=e.status)
            return PublishOutcome(listing=listing)

    async def _published(self, ref: DraftRef, content: ListingCreate) -> Listing | None:
        """The listing the draft was published as, if it was, with this content."""
        try:
            draft = await self.client.get_draft(ref.draft_id)
            if draft.listing_id is None or draft.content_sha256 != content_sha256(content):
                return None
            return await self.client.get_listing(draft.listing_id)
        except MarketplaceError:
            return None


def approved_content(
    args: dict[str, object], photos: list[str], variant: str | None = None
) -> ListingCreate | str:
    """The listing the seller approved (the draft's fields, with any edits; what drafted it as the draft
    says, never as an edit says), or why it cannot be one."""
    fields = {
        k: v for k, v in args.items() if k in ListingCreate.model_fields and k not in ("photos", "variant")
    }
    try:
        return ListingCreate.model_validate({**fields, "photos": photos, "variant": variant})
    except ValidationError as e:
        return "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors())
