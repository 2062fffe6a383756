"""Shared fixtures: offline only, a seeded marketplace copied from a template per test, real HTTP
in-process (httpx's ASGI transport)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pydantic_ai.models
import pytest
from fastapi import FastAPI

from marketplace.app import create_app
from marketplace.db import make_engine
from marketplace.seeding import ensure_seeded
from tools.client import MarketplaceClient

pydantic_ai.models.ALLOW_MODEL_REQUESTS = False  # no test reaches a real LLM provider

BASE_URL = "http://marketplace.test"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded SQLite database, built once per test session."""
    path = tmp_path_factory.mktemp("template") / "marketplace.db"
    engine = make_engine(f"sqlite:///{path}")
    ensure_seeded(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def trova_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own data directory and no provider keys from the environment."""
    home = tmp_path / "trova-home"
    monkeypatch.setenv("TROVA_HOME", str(home))
    for var in (
        "OPENAI_API_KEY",
        "TROVA_MODEL",
        "TROVA_BASE_URL",
        "TROVA_MARKETPLACE_URL",
        "TROVA_TOKEN",
        "DATABASE_URL",
        "LOGFIRE_TOKEN",
    ):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    """A fresh copy of the seeded database for this test."""
    path = tmp_path / "marketplace.db"
    shutil.copyfile(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def market_app(db_url: str) -> Iterator[FastAPI]:
    app = create_app(db_url)
    yield app
    app.state.market.engine.dispose()


@pytest.fixture
def http(market_app: FastAPI) -> Iterator[httpx.Client]:
    """A sync client on the app (for API tests)."""
    from fastapi.testclient import TestClient

    with TestClient(market_app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def seller_token(http: httpx.Client) -> str:
    token: str = http.post("/sellers", json={"name": "Ada"}).json()["token"]
    return token


@pytest.fixture
async def client(market_app: FastAPI) -> AsyncIterator[MarketplaceClient]:
    """The tools' client, talking HTTP to the real app in-process, as a registered seller."""
    async with MarketplaceClient(BASE_URL, transport=httpx.ASGITransport(app=market_app), backoff=0.0) as c:
        seller = await c.register_seller("Test Seller")
        c.token = seller.token
        yield c
