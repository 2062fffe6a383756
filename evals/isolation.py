"""A fresh, isolated marketplace per eval run, in milliseconds: an in-memory copy of a seeded template
database (SQLite's backup API) and a shared, read-only category index."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.pool import StaticPool
from sqlalchemy.util import LRUCache

from evals.schema import MarketplaceFixtures, Scenario, category_id
from marketplace.app import MARKET_SCOPE_KEY, Marketplace, create_app, listing_out
from marketplace.auth import create_agent_token, create_seller
from marketplace.category_search import CategoryIndex
from marketplace.db import ListingRow, make_engine, schema_fingerprint
from marketplace.seed_build import seed_fingerprint
from marketplace.seeding import ensure_seeded
from tools.types import Listing


@dataclass
class IsolatedMarketplace:
    app: FastAPI  # shared by all runs; `market` is this run's own database and listing counts
    market: Marketplace
    fixture_ids: set[int] = field(default_factory=set)  # listings the scenario put there, not the agent

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

    def agent_token(self, seller_id: str) -> str:
        """A drafts-only token for the seller's agent."""
        with self.market.sessions() as session:
            token = create_agent_token(session, seller_id)
            session.commit()
            return token

    def listings_made(self) -> list[Listing]:
        """The listings the conversation created in this run (the end state the checks look at), oldest
        first; the scenario's fixtures are not among them."""
        with self.market.sessions() as session:
            rows = session.scalars(
                select(ListingRow).where(ListingRow.source == "seller").order_by(ListingRow.id)
            ).all()
            return [listing_out(row, self.market.index) for row in rows if row.id not in self.fixture_ids]

    def seller_listings(self) -> list[dict[str, Any]]:
        """`listings_made` as JSON data, as the run record keeps them."""
        return [listing.model_dump(mode="json") for listing in self.listings_made()]

    def apply(self, fixtures: MarketplaceFixtures) -> None:
        """Set the scenario's fixtures up: categories emptied first, then other sellers' listings added."""
        index = self.market.index
        with self.market.sessions() as session:
            for category in fixtures.empty_categories:
                emptied = set(index.subtree(category_id(category)))
                self.market.remove_listings(session, emptied)  # and from the statistics
                for c in emptied:  # this run's index only (it is a clone)
                    index.listing_count[c] = 0
            sellers: dict[str, str] = {}
            rows: list[ListingRow] = []
            for fixture in fixtures.listings:
                if fixture.seller not in sellers:
                    sellers[fixture.seller] = create_seller(session, fixture.seller)[0].id
                category = category_id(fixture.category)
                for _ in range(fixture.copies):
                    rows.append(
                        ListingRow(
                            seller_id=sellers[fixture.seller],
                            title=fixture.title,
                            description=fixture.description,
                            category_id=category,
                            condition=fixture.condition,
                            price=fixture.price,
                            currency="USD",
                            source="seller",
                        )
                    )
            self.market.add_listings(session, rows)  # indexed and counted as the API's own
            session.commit()
            self.fixture_ids.update(row.id for row in rows)

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

    def new(self, fixtures: MarketplaceFixtures | None = None) -> IsolatedMarketplace:
        if os.getpid() != self._pid:  # in a forked worker: a SQLite connection must not cross a fork
            self._pid, self._source = os.getpid(), self._open_template()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        self._source.backup(copy)
        engine = self._engine_from(copy)
        market = IsolatedMarketplace(self.app, Marketplace(engine, self.index.clone(), inline=True))
        if fixtures is not None:
            try:
                market.apply(fixtures)
            except BaseException:
                market.close()
                raise
        return market

    def close(self) -> None:
        self._source.close()


_shared: MarketplaceFactory | None = None


def shared_factory() -> MarketplaceFactory:
    """This process's factory, built once (a forked worker inherits its parent's, index and all)."""
    global _shared
    if _shared is None:
        _shared = MarketplaceFactory()
    return _shared


# A marketplace set up for the current case ahead of its conversation (pydantic-evals' case lifecycle does
# it in evals/runner.py); the driver takes it from here, or makes its own when run on its own.
_prepared: ContextVar[IsolatedMarketplace | None] = ContextVar("trova_eval_marketplace", default=None)


@contextmanager
def prepared(market: IsolatedMarketplace) -> Iterator[None]:
    """Hand `market` to the conversation run in this context."""
    token = _prepared.set(market)
    try:
        yield
    finally:
        _prepared.reset(token)


def hand_over(market: IsolatedMarketplace | None) -> None:
    """Like `prepared`, for set-up and teardown hooks that are separate calls in the same context."""
    _prepared.set(market)


@asynccontextmanager
async def scenario_marketplace(
    factory: MarketplaceFactory, scenario: Scenario
) -> AsyncIterator[IsolatedMarketplace]:
    """The run's marketplace with the scenario's fixtures: the one prepared for it, or a new one (closed
    after the run; a prepared one is closed by whoever prepared it)."""
    market = _prepared.get()
    if market is not None:
        yield market
        return
    market = factory.new(scenario.marketplace)
    try:
        yield market
    finally:
        market.close()
