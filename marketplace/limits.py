"""Per-client rate limits on what anyone can do without being anyone yet: registering sellers, and
creating drafts and listings. A client is the address a request comes from (or, for the site's in-process
calls, the browser's address it passes in the request scope); only a hash of it is kept, in the database,
so the limits hold across restarts and across every process serving one database.

`TROVA_RATE_LIMITS`: `off`, or e.g. `register=20,create=120` (per client per hour)."""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from fastapi import HTTPException, Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from marketplace.db import RateEventRow, utcnow
from marketplace.schemas import CLIENT_SCOPE_KEY
from settings.environment import RateLimits, current

WINDOW = timedelta(hours=1)


def configured() -> RateLimits | None:
    """The limits `TROVA_RATE_LIMITS` sets (None: `off`); unset, the defaults."""
    return current().rate_limits


def client_of(request: Request) -> str:
    """A short hash of where the request comes from."""
    address = request.scope.get(CLIENT_SCOPE_KEY) or (request.client.host if request.client else "") or "?"
    return hashlib.sha256(f"trova client|{address}".encode()).hexdigest()[:32]


def check(session: Session, client: str, kind: str, limit: int) -> None:
    """429 with Retry-After when `client` has used up its `limit` of `kind` in the last hour; otherwise the
    event is counted (in the caller's transaction: a refused or failed request counts nothing)."""
    now = utcnow()
    since = now - WINDOW
    used, oldest = session.execute(
        select(func.count(), func.min(RateEventRow.at)).where(
            RateEventRow.client == client, RateEventRow.kind == kind, RateEventRow.at > since
        )
    ).one()
    if used >= limit:
        wait = max(1, math.ceil(((oldest or now) + WINDOW - now).total_seconds()))
        what = "registrations" if kind == "register" else "new drafts and listings"
        raise HTTPException(
            429,
            f"too many {what} from this address ({limit} an hour); try again in {math.ceil(wait / 60)} min",
            headers={"Retry-After": str(wait)},
        )
    session.execute(
        delete(RateEventRow).where(
            RateEventRow.client == client, RateEventRow.kind == kind, RateEventRow.at <= since
        )
    )
    session.add(RateEventRow(client=client, kind=kind, at=now))
