"""A listing's photos, as references: the marketplace keeps which photos (by id) a listing shows and in
what order; the photos themselves are stored and served by whoever took them (the site, `web/photos.py`).

A table of its own, so that the listings table and its queries are unchanged: a listing without photos
has no rows here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketplace.db import Base


class ListingPhotoRow(Base):
    __tablename__ = "listing_photos"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_ref: Mapped[str] = mapped_column(String(64))


def attach_photos(session: Session, listing_id: int, refs: Sequence[str]) -> None:
    """Give a new listing its photos, in the order given (the first is its cover)."""
    session.add_all(
        ListingPhotoRow(listing_id=listing_id, position=i, photo_ref=ref) for i, ref in enumerate(refs)
    )


def photos_of(session: Session, listing_ids: Iterable[int]) -> dict[int, list[str]]:
    """The photo references of these listings, each in order; listings without photos are left out."""
    ids = list(listing_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ListingPhotoRow.listing_id, ListingPhotoRow.photo_ref)
        .where(ListingPhotoRow.listing_id.in_(ids))
        .order_by(ListingPhotoRow.listing_id, ListingPhotoRow.position)
    ).all()
    found: dict[int, list[str]] = {}
    for listing_id, ref in rows:
        found.setdefault(listing_id, []).append(ref)
    return found
