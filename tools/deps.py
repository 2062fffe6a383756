"""What every tool gets at run time."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.client import MarketplaceClient


@dataclass
class TrovaDeps:
    client: MarketplaceClient
    seller_id: str | None = None
    # Photos the seller added for the item (ids in the site's photo store): the listing created shows them.
    photo_ids: list[str] = field(default_factory=list)
    # What drafts its listings (the agent variant's id, or "<experiment>/<arm>"), recorded on each one.
    variant: str | None = None
