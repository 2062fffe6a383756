"""The site's own tables (web sessions and their conversations), migrated with Alembic in whichever
database they live in (the marketplace's, by default), under a version table of their own so the
marketplace's migrations and these never meet."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

HERE = Path(__file__).parent
VERSION_TABLE = "web_alembic_version"
HEAD = "w0001"  # the newest revision (a test checks it against Alembic's own reading of versions/)


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def migrate(engine: Engine) -> bool:
    """Bring the site's tables to HEAD; True when anything was migrated. Concurrent starts on PostgreSQL
    take turns (an advisory lock); on SQLite the write lock does the same."""
    with engine.connect() as probe:
        if current_revision(probe) == HEAD:
            return False
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(7405262)"))
        if current_revision(connection) == HEAD:
            return False
        config = Config()
        config.set_main_option("script_location", str(HERE))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True
