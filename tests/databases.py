"""The marketplace's databases for tests: a copy of a seeded SQLite template, and, when
`TROVA_TEST_POSTGRES_URL` names a PostgreSQL server (`.ci/run` starts a throwaway one; locally
`eval "$(scripts/postgres start)"`), a fresh database copied from a seeded PostgreSQL template.

A module's tests run on every configured backend by overriding the `db_url` fixture:

    db_url = backend_db_url   # in the module: each test runs on SQLite, and on PostgreSQL when configured
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from marketplace.db import make_engine
from marketplace.seeding import ensure_seeded

POSTGRES_ENV = "TROVA_TEST_POSTGRES_URL"
_counter = itertools.count()


def backends() -> list[str]:
    """SQLite always; PostgreSQL when a server is configured (then its tests are not optional: they run)."""
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def _server_url(database: str) -> str:
    base = os.environ[POSTGRES_ENV]
    return base.rsplit("/", 1)[0] + "/" + database


def _admin(statement: str) -> None:
    engine = make_engine(_server_url("postgres"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))
    engine.dispose()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A seeded PostgreSQL database to copy (one per test worker), dropped at the end of the session."""
    name = f"trova_template_{_worker()}_{os.getpid()}"
    _admin(f"DROP DATABASE IF EXISTS {name}")
    _admin(f"CREATE DATABASE {name}")
    engine = make_engine(_server_url(name))
    ensure_seeded(engine)
    engine.dispose()
    yield name
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=backends())
def backend_db_url(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh seeded marketplace database on each configured backend."""
    if request.param == "sqlite":
        path = tmp_path / "marketplace.db"
        shutil.copyfile(template_db, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"trova_test_{_worker()}_{os.getpid()}_{next(_counter)}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _server_url(name)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
