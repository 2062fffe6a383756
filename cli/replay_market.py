"""A chat replayed on the marketplace as its recording found it.

A recorded chat changes the marketplace it talks to: the listing it posts joins the comparables (and takes
the next listing id), so the same conversation replayed on the same data directory gets other tool results
and misses. `trova chat --record` notes the last listing id the embedded SQLite marketplace held when it
began; `trova chat --replay` then talks to a throwaway copy of that marketplace with every listing posted
since taken out (its statistics too), so a replay depends on neither what the recording posted nor what came
after, and posts nothing to the seller's own marketplace. A PostgreSQL database or a marketplace at a URL is
replayed as it is now (a miss there says so)."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cli.connection import Connection


def sqlite_file(database_url: str) -> Path | None:
    """The file a SQLite URL names; None for any other database, or SQLite in memory."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(database_url)
    except Exception:  # a bad URL is reported where the marketplace starts
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def last_listing(database_url: str) -> int | None:
    """The highest listing id in the (started) embedded SQLite marketplace; None for another database."""
    path = sqlite_file(database_url)
    if path is None or not path.is_file():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM listings").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def as_recorded(database_url: str, up_to: int) -> str | None:
    """A copy of the SQLite marketplace at `database_url` holding only listings up to id `up_to` (those
    after it out of the statistics too, with their drafts and idempotency keys): the marketplace as the
    recording began. Its URL, or None when the marketplace is no SQLite file. Deleted at exit."""
    source = sqlite_file(database_url)
    if source is None or not source.is_file():
        return None
    folder = Path(tempfile.mkdtemp(prefix="trova-replay-market-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / "marketplace.db"
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as old, sqlite3.connect(copy) as new:
        old.backup(new)  # a consistent snapshot, WAL included
    old.close()
    new.close()
    url = f"sqlite:///{copy}"
    _remove_after(url, up_to)
    return url


def _remove_after(url: str, up_to: int) -> None:
    from sqlalchemy import delete, select
    from sqlalchemy.orm import Session

    from marketplace.db import DraftRow, GrantRow, IdempotencyRow, ListingRow, make_engine
    from marketplace.search_index import apply_stats

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            later = ListingRow.id > up_to
            gone = session.execute(select(ListingRow.category_id, ListingRow.terms).where(later)).all()
            apply_stats(session, [(r.category_id, r.terms) for r in gone], sign=-1)
            drafts = select(DraftRow.id).where(DraftRow.listing_id > up_to)
            session.execute(delete(GrantRow).where(GrantRow.draft_id.in_(drafts)))
            session.execute(delete(DraftRow).where(DraftRow.listing_id > up_to))
            session.execute(delete(IdempotencyRow).where(IdempotencyRow.listing_id > up_to))
            session.execute(delete(ListingRow).where(later))
            session.commit()
    finally:
        engine.dispose()


def chat_connection(marketplace_url: str | None, record: Path | None, replay: Path | None) -> Connection:
    """`trova chat`'s marketplace: with --replay, the embedded one as the recording found it (when the
    recordings say where it stood and it is a SQLite file); with --record, the embedded one, where it stands
    noted in the recordings first. Raises MarketplaceStartError (recording: the marketplace must start to
    say where it stands) and RecordingError (replay: no recordings folder)."""
    from agent.replay import note_chat_marketplace, read_manifest
    from cli.connection import connect
    from cli.output import stdout
    from marketplace import config

    if marketplace_url is None and replay is not None:
        points = read_manifest(replay).chat_listings_up_to
        original = config.database_url()
        try:
            copy = as_recorded(original, points[0]) if len(points) == 1 else None
        except sqlite3.Error:  # a marketplace file it cannot read: replayed on it as it is, as before
            copy = None
        if copy is not None:
            stdout().print(
                f"[dim]Replaying on a copy of the marketplace as the recording found it (listings up to "
                f"#{points[0]}); nothing this replay posts reaches yours.[/dim]",
                soft_wrap=True,
            )
            return connect(database_url=copy, copy_of=original)
    connection = connect(marketplace_url)
    if record is not None and connection.embedded is not None:
        connection.embedded.start()
        up_to = last_listing(connection.embedded.database_url)
        if up_to is not None:
            note_chat_marketplace(record, up_to)
    return connection
