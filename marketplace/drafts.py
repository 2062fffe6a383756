"""Drafts and publish grants: what the agent may write, and what only the seller may release.

A draft is saved (and revised) by the seller's agent or the seller; nobody else sees it. To publish it, the
seller's own token asks for a grant naming the draft and the hash of its content as the seller saw it; the
grant is good for a few minutes, for that draft and that content only (a draft revised after the grant
cannot be published with it). Publishing is exactly-once: a draft becomes at most one listing, however
often, however concurrently, it is published.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import HTTPException
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.auth import hash_token
from marketplace.db import DraftRow, GrantRow, utcnow
from marketplace.schemas import Draft, ListingCreate, PublishGrant, content_sha256

GRANT_TTL = timedelta(minutes=5)
GRANT_PREFIX = "grant_"


def draft_out(row: DraftRow) -> Draft:
    return Draft(
        id=row.id,
        seller_id=row.seller_id,
        status="published" if row.status == "published" else "draft",
        content=ListingCreate.model_validate_json(row.content),
        content_sha256=row.content_sha256,
        listing_id=row.listing_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def create_draft(
    session: Session, seller_id: str, body: ListingCreate, key: str | None
) -> tuple[DraftRow, bool]:
    """A new draft, or (same key, same content) the one saved before; True when it was saved before. The
    same key with other content is a 409."""
    sha256 = content_sha256(body)
    if key:
        existing = session.scalar(
            select(DraftRow).where(DraftRow.seller_id == seller_id, DraftRow.idempotency_key == key)
        )
        if existing is not None:
            if existing.content_sha256 != sha256 and existing.status == "draft":
                raise HTTPException(409, "this Idempotency-Key was already used with a different draft")
            return existing, True
    now = utcnow()
    row = DraftRow(
        seller_id=seller_id,
        idempotency_key=key,
        content=body.model_dump_json(),
        content_sha256=sha256,
        status="draft",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row, False


def owned_draft(session: Session, seller_id: str, draft_id: int) -> DraftRow:
    """The seller's own draft; any other (or none) is a 404, never a 403 that says it exists."""
    row = session.get(DraftRow, draft_id)
    if row is None or row.seller_id != seller_id:
        raise HTTPException(404, f"draft {draft_id} does not exist")
    return row


def revise_draft(row: DraftRow, body: ListingCreate) -> DraftRow:
    if row.status != "draft":
        raise HTTPException(409, f"draft {row.id} is already published (listing {row.listing_id})")
    row.content, row.content_sha256, row.updated_at = body.model_dump_json(), content_sha256(body), utcnow()
    return row


def issue_grant(session: Session, row: DraftRow, sha256: str) -> PublishGrant:
    """A grant to publish `row` as it is now, which must be what the seller saw (`sha256`)."""
    if row.status != "draft":
        raise HTTPException(409, f"draft {row.id} is already published (listing {row.listing_id})")
    if row.content_sha256 != sha256:
        raise HTTPException(
            409, f"draft {row.id} has changed since it was shown (its content is not the one approved)"
        )
    grant = GRANT_PREFIX + secrets.token_urlsafe(24)
    expires = utcnow() + GRANT_TTL
    session.add(
        GrantRow(grant_sha256=hash_token(grant), draft_id=row.id, content_sha256=sha256, expires_at=expires)
    )
    return PublishGrant(grant=grant, draft_id=row.id, content_sha256=sha256, expires_at=expires)


def check_grant(session: Session, row: DraftRow, grant: str | None, *, replay: bool = False) -> None:
    """Refuse a publish without a grant for this draft's current content (403), or with an expired one. A
    replay (the draft is published already) only needs a grant that was issued for it."""
    if not grant:
        raise HTTPException(
            403, "publishing needs a Publish-Grant, which only the seller's own token can obtain"
        )
    found = session.get(GrantRow, hash_token(grant))
    if found is None or found.draft_id != row.id:
        raise HTTPException(403, "this publish grant is not valid for this draft")
    if replay:
        return
    if found.expires_at < utcnow():
        raise HTTPException(403, "this publish grant has expired; approve the draft again")
    if found.content_sha256 != row.content_sha256:
        raise HTTPException(409, "the draft has changed since this grant was issued; approve it again")


def claim(session: Session, row: DraftRow) -> bool:
    """Mark the draft published, if nobody has: the one request that gets True creates its listing (the
    conditional update is what makes a concurrent second publish wait and then find it taken)."""
    result = session.execute(
        update(DraftRow)
        .where(DraftRow.id == row.id, DraftRow.status == "draft")
        .values(status="published", updated_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))
