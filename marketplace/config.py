"""Where the marketplace keeps its data: `TROVA_HOME` (default: the user's data directory) and `DATABASE_URL`."""

from __future__ import annotations

from pathlib import Path

from settings.environment import current, data_home, unusable_home


def data_dir() -> Path:
    """The project's data directory: `$TROVA_HOME`, else e.g. ~/.local/share/trova; created on first use."""
    root = data_home()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise unusable_home(root, e) from e
    return root


def database_url() -> str:
    """`$DATABASE_URL` (any SQLAlchemy URL), else a SQLite file in the data directory."""
    return current().database_url or f"sqlite:///{data_dir() / 'marketplace.db'}"


def redact_url(url: str) -> str:
    """A database URL with its password hidden, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"
