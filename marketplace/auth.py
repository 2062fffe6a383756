"""Seller identity: opaque bearer tokens, stored hashed, each with a scope.

A seller's own token (scope `seller`) can do everything the seller can, publishing included. An agent
token (scope `agent`), which a seller's client makes for the agent it runs, can save and revise the
seller's drafts and read them, nothing else: an agent that misbehaves, or whose process is compromised,
cannot publish what the seller has not approved (publishing takes a grant only the seller's token gets).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from marketplace.db import SellerRow, TokenRow

TOKEN_PREFIX = "trova_"
SELLER_SCOPE, AGENT_SCOPE = "seller", "agent"


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: the seller, and with which kind of token."""

    seller: SellerRow
    scope: str

    @property
    def is_seller(self) -> bool:
        return self.scope == SELLER_SCOPE


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def create_seller(session: Session, name: str) -> tuple[SellerRow, str]:
    """A new seller and a fresh token for them (the token is returned once, only its hash is kept)."""
    seller = SellerRow(id="seller_" + secrets.token_hex(6), name=name)
    token = new_token()
    session.add(seller)
    session.flush()
    session.add(TokenRow(token_sha256=hash_token(token), seller_id=seller.id, scope=SELLER_SCOPE))
    return seller, token


def reissue_seller_token(session: Session, seller_id: str) -> str:
    """A fresh token for a seller whose registration is being repeated (its answer was lost): the tokens
    issued before, which nobody saw, stop working."""
    session.execute(delete(TokenRow).where(TokenRow.seller_id == seller_id, TokenRow.scope == SELLER_SCOPE))
    token = new_token()
    session.add(TokenRow(token_sha256=hash_token(token), seller_id=seller_id, scope=SELLER_SCOPE))
    return token


def create_agent_token(session: Session, seller_id: str) -> str:
    """A drafts-only token for the seller's agent (returned once, only its hash is kept)."""
    token = new_token()
    session.add(TokenRow(token_sha256=hash_token(token), seller_id=seller_id, scope=AGENT_SCOPE))
    return token


def caller_for_token(session: Session, token: str) -> Caller | None:
    row = session.get(TokenRow, hash_token(token))
    if row is None:
        return None
    seller = session.get(SellerRow, row.seller_id)
    return None if seller is None else Caller(seller, row.scope or SELLER_SCOPE)


def seller_for_token(session: Session, token: str) -> SellerRow | None:
    caller = caller_for_token(session, token)
    return None if caller is None else caller.seller
