"""Connecting the CLI to a marketplace: the embedded one (in-process, default SQLite) or one at a URL,
with the seller's token kept in the data directory.

Two clients: `client` carries the seller's own token (it publishes what the seller approves, and reads
their listings); `agent_client` carries a token the marketplace issued for the agent, which can save and
revise drafts and nothing else. The agent's tools only ever get the second."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx

from agent.storage import data_dir, write_private
from tools.client import MarketplaceClient, MarketplaceError

EMBEDDED_URL = "http://marketplace.embedded"
EMBEDDED_LABEL = "embedded (SQLite in the data directory)"


@dataclass
class Connection:
    client: MarketplaceClient  # the seller's own token
    label: str
    key: str  # where the seller's credentials are filed
    explicit_token: bool = False  # TROVA_TOKEN: the marketplace says who we are; never re-register
    agent_client: MarketplaceClient | None = None  # drafts only; made by `connect`

    @property
    def agent(self) -> MarketplaceClient:
        assert self.agent_client is not None
        return self.agent_client

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.agent_client is not None:
            await self.agent_client.aclose()

    @property
    def seller_id(self) -> str | None:
        """The stored seller for this marketplace (None with TROVA_TOKEN: ask `whoami`)."""
        if self.explicit_token:
            return None
        return _load_credentials().get(self.key, {}).get("seller_id")

    async def whoami(self, register: bool) -> str | None:
        """The seller this connection acts as: from TROVA_TOKEN (checked with the marketplace), else the
        stored credentials, else (with `register`) a newly registered seller. None when there is none."""
        if self.explicit_token:
            try:
                return await self.client.whoami()
            except MarketplaceError as e:
                if e.kind == "unauthorized":
                    raise MarketplaceError(
                        e.kind, f"the marketplace at {self.label} does not accept TROVA_TOKEN ({e})", e.status
                    ) from e
                raise
        if self.seller_id is None and register:
            try:
                await self.client.ensure_token()
            except MarketplaceError as e:
                if e.kind == "not_found":  # a server, but not the API at this path: likely the site's root
                    raise MarketplaceError(
                        e.kind,
                        f"{self.label} answered {e.message!r}: is it the API's address? trova serve "
                        "serves the API under /api, e.g. http://127.0.0.1:8000/api",
                        e.status,
                    ) from e
                raise
        return self.seller_id


def _credentials_path() -> Path:
    return data_dir() / "credentials.json"


def _load_credentials() -> dict[str, dict[str, str]]:
    path = _credentials_path()
    if not path.is_file():
        return {}
    try:
        data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except ValueError:
        return {}


def _store_credentials(key: str, seller_id: str, token: str) -> None:
    creds = _load_credentials()
    creds[key] = {"seller_id": seller_id, "token": token}
    _write_credentials(creds)


def _store_agent_token(key: str, token: str) -> None:
    creds = _load_credentials()
    creds[key] = {**creds.get(key, {}), "agent_token": token}
    _write_credentials(creds)


def _write_credentials(creds: dict[str, dict[str, str]]) -> None:
    # A bearer token is a secret: written owner-only from the first byte, not chmod-ed afterwards.
    write_private(_credentials_path(), json.dumps(creds, indent=1), redact_secrets=False)


def _registration_key(key: str) -> str:
    """The Idempotency-Key of this marketplace's registration, kept until it succeeds: a registration
    whose answer was lost (even by a process that died waiting) is made again as the same seller, never
    as a second one."""
    creds = _load_credentials()
    pending = creds.get(key, {}).get("registration_key")
    if pending:
        return pending
    pending = "cli-" + secrets.token_urlsafe(24)
    creds[key] = {**creds.get(key, {}), "registration_key": pending}
    _write_credentials(creds)
    return pending


def connect(marketplace_url: str | None = None, database_url: str | None = None) -> Connection:
    """A client for the marketplace at `marketplace_url`, or the embedded one when it is None."""
    if marketplace_url:
        transport = None
        base_url, label, key = marketplace_url, marketplace_url, marketplace_url.rstrip("/")
    else:
        from marketplace import config
        from marketplace.app import create_app

        url = database_url or config.database_url()
        app = create_app(url, inline=True)  # one user, in-process: no thread pool needed
        transport = httpx.ASGITransport(app=app)
        base_url, label, key = EMBEDDED_URL, EMBEDDED_LABEL, "embedded:" + config.redact_url(url)
    explicit = os.environ.get("TROVA_TOKEN") or None
    token = explicit or _load_credentials().get(key, {}).get("token")

    async def register(client: MarketplaceClient) -> str:
        seller = await client.register_seller(
            os.environ.get("USER") or "seller", idempotency_key=_registration_key(key)
        )
        _store_credentials(key, seller.seller_id, seller.token)
        return seller.token

    # A token given explicitly is used as is: a rejected one is an error, not a reason to become
    # someone else (and to overwrite the stored credentials).
    client = MarketplaceClient(
        base_url, token, transport=transport, token_factory=None if explicit else register
    )
    # The agent's token, filed beside the seller's (under the explicit token's hash when one is given).
    agent_key = key + (f"|token:{hashlib.sha256(explicit.encode()).hexdigest()[:12]}" if explicit else "")

    async def agent_token(_agent: MarketplaceClient) -> str:
        await client.ensure_token()
        issued = await client.create_agent_token()
        _store_agent_token(agent_key, issued.token)
        return issued.token

    agent = MarketplaceClient(
        base_url,
        _load_credentials().get(agent_key, {}).get("agent_token"),
        transport=transport,
        token_factory=agent_token,
    )
    return Connection(client, label, key, explicit_token=explicit is not None, agent_client=agent)
