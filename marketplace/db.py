"""Storage: SQLAlchemy 2 tables and engine, on SQLite (the embedded default) or PostgreSQL (`DATABASE_URL`).

The schema is made and changed by the migrations in `marketplace/migrations/` (Alembic), which also add
what SQLAlchemy's table definitions cannot say on both databases: the full-text index over listings
(SQLite FTS5 kept by triggers; PostgreSQL a generated `tsvector` column with a GIN index)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware times only")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class CategoryRow(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    is_leaf: Mapped[bool] = mapped_column(Boolean)


class CategoryTreeRow(Base):
    """The taxonomy as a closure table: a row per (ancestor, descendant) pair, a category being its own
    ancestor at depth 0. A category's subtree is one indexed lookup, in SQL as in Python."""

    __tablename__ = "category_tree"

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_category_tree_descendant", "descendant_id"),)


class CategoryStatsRow(Base):
    """Per category: its active listings, and a version that every change to them increments (the key that
    tells a cached price comparison it is stale)."""

    __tablename__ = "category_stats"

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    listings: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)


class TermStatsRow(Base):
    """In how many active listings' titles of a category each title word appears (its document frequency):
    the rarity of a query's words within a category subtree, without reading the listings."""

    __tablename__ = "term_stats"

    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    df: Mapped[int] = mapped_column(Integer)


class SellerRow(Base):
    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The hash of the registration's Idempotency-Key: a retried registration is the same seller.
    registration_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class TokenRow(Base):
    __tablename__ = "api_tokens"

    # Only a hash is stored: a leaked database does not leak working tokens.
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scope: Mapped[str] = mapped_column(  # seller | agent (marketplace.auth)
        String(10), default="seller", server_default="seller"
    )


class ListingRow(Base):
    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    condition: Mapped[str] = mapped_column(String(20))
    price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(20), default="active")
    source: Mapped[str] = mapped_column(String(20), default="seller")  # seller | seed
    source_ref: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # What the full-text index holds (see `marketplace/retrieval.py`): the title's words as the price
    # comparison reads them, and tags no title word can be (`_c<id>` for the category and each ancestor,
    # `_s<k>` for the random samples the listing belongs to, `_c<id>_s<k>` for each pair).
    terms: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_listings_category_status", "category_id", "status"),
        Index("ix_listings_source_status_created", "source", "status", "created_at"),
        Index("ix_listings_seller_id_desc", "seller_id", "id"),
    )


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"

    seller_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DraftRow(Base):
    """A listing not yet published: visible to its seller only. The agent's token may save and revise it;
    publishing it takes a grant (`GrantRow`) for its exact content."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # the ListingCreate, as JSON
    content_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_drafts_seller_key", "seller_id", "idempotency_key", unique=True),
        Index("ix_drafts_seller_id", "seller_id", "id"),
    )


class GrantRow(Base):
    """A short-lived grant to publish one draft with one content hash; only its hash is stored."""

    __tablename__ = "publish_grants"

    grant_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateEventRow(Base):
    """One registration or create by a client (a hash of its address), for the per-client rate limits."""

    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # register | create
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_rate_events_client_kind_at", "client", "kind", "at"),)


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def schema_fingerprint() -> str:
    """A short hash of the table definitions and the migrations: a copy of a database made with other
    tables is stale."""
    import hashlib
    from pathlib import Path

    from sqlalchemy.schema import CreateIndex, CreateTable

    versions = Path(__file__).parent / "migrations" / "versions"
    parts = sorted(p.name for p in versions.glob("*.py"))
    for table in Base.metadata.sorted_tables:
        parts.append(str(CreateTable(table)))
        parts.extend(sorted(str(CreateIndex(index)) for index in table.indexes))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and foreign keys, and may be shared across request threads."""
    from settings.environment import database_url_problem

    is_sqlite = url.startswith("sqlite")
    problem = database_url_problem(url)
    if problem:
        # ArgumentError is an SQLAlchemyError: every caller says "cannot use the database" with this reason.
        raise ArgumentError(f"this URL {problem}")
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3, the `postgres` extra
    engine = create_engine(url, connect_args={"check_same_thread": False} if is_sqlite else {})
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
                # 16 MB of pages per connection (the default is 2 MB): the index's and the category tags'
                # pages that every price comparison reads stay in memory.
                cursor.execute("PRAGMA cache_size=-16384")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
