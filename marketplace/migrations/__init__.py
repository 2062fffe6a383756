"""Versioned schema migrations (Alembic), run on start on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

HERE = Path(__file__).parent
HEAD = "0005"  # the newest revision (a test checks it against Alembic's own reading of versions/)


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> bool:
    """Bring the database's schema to HEAD. A database made before migrations existed (it has listings but
    no revision) is taken to be at the first revision. Returns True when anything was migrated.

    On PostgreSQL an advisory lock makes concurrent starts migrate one at a time."""
    with engine.connect() as probe:
        if current_revision(probe) == HEAD:
            return False
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(7405261)"))
        revision = current_revision(connection)
        if revision == HEAD:
            return False
        config = Config()
        config.set_main_option("script_location", str(HERE))
        config.attributes["connection"] = connection
        if revision is None and inspect(connection).has_table("listings"):
            command.stamp(config, "0001")
        command.upgrade(config, "head")
    return True
