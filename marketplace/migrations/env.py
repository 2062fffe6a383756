"""Alembic's environment: the connection the app hands over (`migrate`), else the database that
`DATABASE_URL` names (the `alembic` command)."""

from __future__ import annotations

from alembic import context

from marketplace import config
from marketplace.db import make_engine

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(config.database_url())
    with engine.begin() as own:
        context.configure(connection=own)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
