"""Alembic's environment for the site's tables: the connection `migrate` hands over, else the database
that `DATABASE_URL` names (the `alembic` command)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from web.migrations import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as own:
        context.configure(connection=own, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
