"""Connecting the CLI to a marketplace: the embedded one (in-process, default SQLite) or one at a URL,
with the seller's token kept in the data directory.

Two clients: `client` carries the seller's own token (it publishes what the seller approves, and reads
their listings); `agent_client` carries a token the marketplace issued for the agent, which can save and
revise drafts and nothing else. The agent's tools only ever get the second."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from agent.storage import data_dir, write_private
from settings.environment import current
from tools.client import MarketplaceClient, MarketplaceError

if TYPE_CHECKING:
    from fastapi import FastAPI

EMBEDDED_URL = "http://marketplace.embedded"
EMBEDDED_LABEL = "embedded (SQLite in the data directory)"


class MarketplaceStartError(RuntimeError):
    """The embedded marketplace could not start (its database unreachable or unusable, a driver missing):
    a configuration error, raised where the marketplace is first needed rather than told to the agent as
    an outage to retry."""


class EmbeddedMarketplace(httpx.AsyncBaseTransport):
    """The in-process marketplace as an httpx transport, started on its first request (or by `warm_up`):
    importing the FastAPI app and SQLAlchemy and opening the database cost about a second that a
    conversation's first reply, which needs no tool, need not wait for. Started, it has its category index
    ready (built, the first time, with the database's seed)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._transport: httpx.ASGITransport | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._transport is not None

    @property
    def first_run(self) -> bool:
        """Whether its SQLite database does not exist yet: starting it seeds the database and builds the
        category index (seconds, once), which a command says rather than seem to hang."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return False
        path = self.database_url.removeprefix(prefix).split("?", 1)[0]
        return path not in ("", ":memory:") and not Path(path).exists()

    def start(self) -> httpx.ASGITransport:
        """The running app's transport, the app made (migrated and seeded) if it is not yet; a failure is
        a `MarketplaceStartError` naming the database, and the next call tries again."""
        with self._lock:
            if self._transport is None:
                app = self._create()
                # The category index, read from the data directory's cache, or built and saved there now
                # when there is none (a fresh TROVA_HOME, new marketplace code): as the marketplace starts
                # (by a first run's registration before any turn, or while the seller types), not inside a
                # conversation's first search, whose turn it held up for seconds.
                app.state.market.index  # noqa: B018 (the property builds it)
                self._transport = httpx.ASGITransport(app=app)
            return self._transport

    def _create(self) -> FastAPI:
        from sqlalchemy.exc import SQLAlchemyError

        from marketplace import config
        from marketplace.app import create_app

        failed = "the embedded marketplace could not start"
        try:
            return create_app(self.database_url, inline=True)  # one user, in-process: no thread pool
        except ModuleNotFoundError as e:  # a database driver that is an extra
            hint = " (PostgreSQL: uv sync --extra postgres)" if "psycopg" in str(e) else ""
            raise MarketplaceStartError(f"{failed}: the database driver is not installed: {e}{hint}") from e
        except SQLAlchemyError as e:
            where = config.redact_url(self.database_url)
            raise MarketplaceStartError(f"{failed}: cannot use the database {where}: {e}") from e

    def warm_up(self) -> None:
        """Start the marketplace in a background thread (while the seller types: Python threads share one
        interpreter lock, so not while a reply is being worked out). On a failure the first request
        tries again and reports it."""

        def run() -> None:
            try:
                self.start()
            except Exception:  # the first request starts it again and reports what fails
                return

        if self._transport is None and self._warming is None:
            self._warming = threading.Thread(target=run, name="embedded-marketplace", daemon=True)
            self._warming.start()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.start().handle_async_request(request)

    async def aclose(self) -> None:
        if self._warming is not None:  # not left half-way through seeding the database at exit
            self._warming.join()
        if self._transport is not None:
            await self._transport.aclose()


@dataclass
class Connection:
    client: MarketplaceClient  # the seller's own token
    label: str
    key: str  # where the seller's credentials are filed
    explicit_token: bool = False  # TROVA_TOKEN: the marketplace says who we are; never re-register
    agent_client: MarketplaceClient | None = None  # drafts only; made by `connect`
    embedded: EmbeddedMarketplace | None = None  # the in-process marketplace, started on first use

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
                        e.kind,
                        f"the marketplace at {self.label} does not accept TROVA_TOKEN ({e.message})",
                        e.status,
                    ) from e
                raise
        if self.seller_id is None and register:
            try:
                await self.client.ensure_token()
            except MarketplaceError as e:
                raise self.explained(e) from e
        return self.seller_id

    def explained(self, error: MarketplaceError) -> MarketplaceError:
        """A 404 where the API's own paths should answer: a server, but not the API at this address (likely
        the site's root), said as such; any other error as it is."""
        if error.kind != "not_found" or self.embedded is not None:
            return error
        return MarketplaceError(
            error.kind,
            f"{self.label} answered {error.message!r}: is it the API's address? trova serve "
            "serves the API under /api, e.g. http://127.0.0.1:8000/api",
            error.status,
        )


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


# A SQLite path of these characters reads back unchanged from SQLAlchemy's URL (percent-quoting leaves them
# as they are, and there is no password to hide); others go through it.
_PLAIN_SQLITE = re.compile(r"sqlite:///[A-Za-z0-9_./ +~-]+")


def embedded_key(database_url: str) -> str:
    """Where the embedded marketplace's credentials are filed: its database URL with any password hidden,
    as `marketplace.config.redact_url` renders it. The default (a SQLite file in the data directory) is
    recognised without importing SQLAlchemy, which the first reply does not otherwise need."""
    if _PLAIN_SQLITE.fullmatch(database_url):
        return "embedded:" + database_url
    from marketplace import config

    return "embedded:" + config.redact_url(database_url)


def connect(
    marketplace_url: str | None = None, database_url: str | None = None, copy_of: str | None = None
) -> Connection:
    """A client for the marketplace at `marketplace_url`, or the embedded one when it is None (on
    `database_url`, else the configured one). `copy_of`: the database `database_url` copies (a replay's
    marketplace as recorded), whose seller credentials it holds and under whose key they stay filed."""
    embedded: EmbeddedMarketplace | None = None
    if marketplace_url:
        base_url, label, key = marketplace_url, marketplace_url, marketplace_url.rstrip("/")
    else:
        from marketplace import config

        url = database_url or config.database_url()
        embedded = EmbeddedMarketplace(url)
        base_url, label, key = EMBEDDED_URL, EMBEDDED_LABEL, embedded_key(copy_of or url)
    transport = embedded
    configured = current().token
    explicit = configured.get_secret_value() if configured else None
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
    return Connection(
        client, label, key, explicit_token=explicit is not None, agent_client=agent, embedded=embedded
    )
