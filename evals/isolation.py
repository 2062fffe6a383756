"""A fresh, isolated marketplace per eval run, in milliseconds: an in-memory copy of a seeded template
database (SQLite's backup API) and a shared, read-only category index."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.pool import StaticPool
from sqlalchemy.util import LRUCache

from marketplace.app import MARKET_SCOPE_KEY, Marketplace, create_app, listing_out
from marketplace.auth import create_seller
from marketplace.category_search import CategoryIndex
from marketplace.db import ListingRow, make_engine, schema_fingerprint
from marketplace.seed_build import seed_fingerprint
from marketplace.seeding import ensure_seeded


@dataclass
class IsolatedMarketplace:
    app: FastAPI  # shared by all runs; `market` is this run's own database and listing counts
    market: Marketplace

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        await self.app({**scope, MARKET_SCOPE_KEY: self.market}, receive, send)

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self)

    # The harness's own access, straight to this run's database (the agent goes through HTTP).
    def register_seller(self, name: str) -> tuple[str, str]:
        """A new seller: (seller id, bearer token)."""
        with self.market.sessions() as session:
            seller, token = create_seller(session, name)
            session.commit()
            return seller.id, token

    def seller_listings(self) -> list[dict[str, Any]]:
        """The listings sellers created in this run (the end state the checks look at), oldest first."""
        with self.market.sessions() as session:
            rows = session.scalars(
                select(ListingRow).where(ListingRow.source == "seller").order_by(ListingRow.id)
            ).all()
            return [listing_out(row, self.market.index).model_dump(mode="json") for row in rows]

    def close(self) -> None:
        self.market.engine.dispose()


class MarketplaceFactory:
    """Seeds a template once (cached per seed version), then hands out copies."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        directory = cache_dir or Path(tempfile.gettempdir()) / "trova-eval"
        directory.mkdir(parents=True, exist_ok=True)
        self.template = directory / f"template-{seed_fingerprint()}-{schema_fingerprint()}.db"
        if not self.template.exists():
            partial = self.template.with_suffix(".partial")
            engine = make_engine(f"sqlite:///{partial}")
            ensure_seeded(engine)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            partial.replace(self.template)  # atomic: concurrent runs never see half a template
        self._pid = os.getpid()
        self._source = self._open_template()
        self._compiled: LRUCache[Any, Any] = LRUCache(1000)
        template_engine = create_engine("sqlite://", creator=lambda: self._source, poolclass=StaticPool)
        with template_engine.connect():  # initialises the dialect, which every run's engine then shares
            pass
        self._dialect, self._url = template_engine.dialect, template_engine.url
        self.index: CategoryIndex = Marketplace(template_engine).index
        # One app for every run (building a FastAPI app costs more than a whole run's checks).
        self.app = create_app(engine=template_engine, seed=False, index=self.index, inline=True)

    def _engine_from(self, connection: sqlite3.Connection) -> Engine:
        connection.execute("PRAGMA foreign_keys=ON")
        # Every run gets its own engine on its own database, but all share one dialect and one cache of
        # compiled SQL: SQLAlchemy keys that cache by dialect, and compiling each statement again in every
        # run was a third of a run's database time.
        engine = Engine(StaticPool(lambda: connection), self._dialect, self._url)  # type: ignore[arg-type]
        return engine.execution_options(compiled_cache=self._compiled)

    def _open_template(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.template}?mode=ro", uri=True, check_same_thread=False)

    def new(self) -> IsolatedMarketplace:
        if os.getpid() != self._pid:  # in a forked worker: a SQLite connection must not cross a fork
            self._pid, self._source = os.getpid(), self._open_template()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        self._source.backup(copy)
        engine = self._engine_from(copy)
        return IsolatedMarketplace(self.app, Marketplace(engine, self.index.clone(), inline=True))

    def close(self) -> None:
        self._source.close()


_shared: MarketplaceFactory | None = None


def shared_factory() -> MarketplaceFactory:
    """This process's factory, built once (a forked worker inherits its parent's, index and all)."""
    global _shared
    if _shared is None:
        _shared = MarketplaceFactory()
    return _shared
