"""What every tool gets at run time."""

from __future__ import annotations

from dataclasses import dataclass

from tools.client import MarketplaceClient


@dataclass
class TrovaDeps:
    client: MarketplaceClient
    seller_id: str | None = None
