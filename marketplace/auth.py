"""Seller identity: opaque bearer tokens, stored hashed."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from marketplace.db import SellerRow, TokenRow

TOKEN_PREFIX = "trova_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_seller(session: Session, name: str) -> tuple[SellerRow, str]:
    """A new seller and a fresh token for them (the token is returned once, only its hash is kept)."""
    seller = SellerRow(id="seller_" + secrets.token_hex(6), name=name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    session.add(seller)
    session.flush()
    session.add(TokenRow(token_sha256=hash_token(token), seller_id=seller.id))
    return seller, token


def seller_for_token(session: Session, token: str) -> SellerRow | None:
    row = session.get(TokenRow, hash_token(token))
    return None if row is None else session.get(SellerRow, row.seller_id)
