"""Web sessions in the database: who the browser is on the marketplace, its conversation, and whether
a turn of it is running, so that a restart of `trova serve` loses nothing and several `trova serve`
processes on one database can take turns in the same conversation.

The cookie is the only key. The database keeps a hash of it (a copy of the database names no cookie
that works) and the seller's tokens encrypted with a key derived from it (a copy of the database holds
no token that works either): only the browser that holds the cookie can unlock its own session.

Sessions end by age: one idle for longer than `idle` is gone (its conversation with it), however many
others there are, so no flood of new sessions can push a seller's out.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, replace

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel
from sqlalchemy import (
    Engine,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from agent.secrets import redact
from web.migrations import migrate

IDLE_SECONDS = 30 * 86400  # a session unused for this long is gone
LEASE_SECONDS = 60.0  # a running turn holds its session this long, renewed while it runs
TOUCH_SECONDS = 3600.0  # "last seen" is written at most this often by reads (state polls)


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "web_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie
    created_at: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[float] = mapped_column(Float, index=True)
    seller_id: Mapped[str | None] = mapped_column(String(40))
    credentials: Mapped[bytes | None] = mapped_column(LargeBinary)  # Fernet, keyed by the cookie
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    busy_until: Mapped[float | None] = mapped_column(Float)  # a turn's lease: until then, one turn runs
    busy_by: Mapped[str | None] = mapped_column(String(32))


class ConversationRow(Base):
    __tablename__ = "web_conversations"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    session_key: Mapped[str] = mapped_column(ForeignKey("web_sessions.key", ondelete="CASCADE"), index=True)
    record: Mapped[str] = mapped_column(Text)  # agent.session.SessionRecord as JSON, secrets redacted
    updated_at: Mapped[float] = mapped_column(Float)


class Credentials(BaseModel):
    """The seller's tokens: `token` is the seller's own (publishing), `agent_token` what the agent gets."""

    seller_id: str
    token: str
    agent_token: str | None = None


@dataclass(frozen=True)
class StoredSession:
    key: str
    cookie: str
    seller_id: str | None
    credentials: Credentials | None
    conversation_id: str | None
    busy: bool
    created_at: float


def session_key(cookie: str) -> str:
    return hashlib.sha256(b"trova web session|" + cookie.encode()).hexdigest()


def _fernet(cookie: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trova web session credentials").derive(
        cookie.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def registration_key(cookie: str) -> str:
    """The Idempotency-Key of this browser's seller registration: a retry after a lost answer gets the
    same seller, and only the cookie's holder can make it."""
    digest = hashlib.sha256(b"trova seller registration|" + cookie.encode()).hexdigest()
    return "web-" + digest[:40]


def _engine(url: str) -> Engine:
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"check_same_thread": False} if is_sqlite else {})
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


class SessionStore:
    def __init__(self, url: str, *, idle_seconds: float = IDLE_SECONDS) -> None:
        self.engine = _engine(url)
        migrate(self.engine)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self.idle_seconds = idle_seconds
        self.owner = secrets.token_hex(8)  # this process, as the holder of a turn's lease

    def close(self) -> None:
        self.engine.dispose()

    def _live(self, row: SessionRow | None, now: float) -> bool:
        return row is not None and row.last_seen_at >= now - self.idle_seconds

    def find(self, cookie: str) -> StoredSession | None:
        """The session this cookie names, unless there is none or it has been idle too long."""
        now = time.time()
        key = session_key(cookie)
        with self.sessions() as db:
            row = db.get(SessionRow, key)
            if row is None or not self._live(row, now):
                return None
            if row.last_seen_at < now - TOUCH_SECONDS:
                row.last_seen_at = now
                db.commit()
            return self._stored(row, cookie, now)

    def _stored(self, row: SessionRow, cookie: str, now: float) -> StoredSession:
        credentials = None
        if row.credentials is not None:
            try:
                credentials = Credentials.model_validate_json(_fernet(cookie).decrypt(row.credentials))
            except (InvalidToken, ValueError):
                credentials = None  # not this cookie's (cannot happen by the key) or damaged: a new seller
        return StoredSession(
            key=row.key,
            cookie=cookie,
            seller_id=row.seller_id if credentials is not None else None,
            credentials=credentials,
            conversation_id=row.conversation_id,
            busy=row.busy_until is not None and row.busy_until > now,
            created_at=row.created_at,
        )

    def create(self) -> StoredSession:
        """A new session with a new cookie (on a browser's first chat message, never on a page view).
        Sessions idle too long are removed on the way."""
        now = time.time()
        cookie = secrets.token_urlsafe(32)
        row = SessionRow(key=session_key(cookie), created_at=now, last_seen_at=now)
        with self.sessions() as db:
            self._purge(db, now)
            db.add(row)
            db.commit()
        return self._stored(row, cookie, now)

    def _purge(self, db: Session, now: float) -> int:
        cutoff = now - self.idle_seconds
        old = select(SessionRow.key).where(SessionRow.last_seen_at < cutoff)
        db.execute(delete(ConversationRow).where(ConversationRow.session_key.in_(old)))
        result = db.execute(delete(SessionRow).where(SessionRow.last_seen_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    def purge(self) -> int:
        """Remove the sessions idle too long (and their conversations); how many went."""
        with self.sessions() as db:
            gone = self._purge(db, time.time())
            db.commit()
            return gone

    def set_credentials(self, session: StoredSession, credentials: Credentials) -> StoredSession:
        blob = _fernet(session.cookie).encrypt(credentials.model_dump_json().encode())
        with self.sessions() as db:
            db.execute(
                update(SessionRow)
                .where(SessionRow.key == session.key)
                .values(seller_id=credentials.seller_id, credentials=blob, last_seen_at=time.time())
            )
            db.commit()
        return replace(session, seller_id=credentials.seller_id, credentials=credentials)

    def set_conversation(self, session: StoredSession, conversation_id: str) -> StoredSession:
        with self.sessions() as db:
            db.execute(
                update(SessionRow)
                .where(SessionRow.key == session.key)
                .values(conversation_id=conversation_id)
            )
            db.commit()
        return replace(session, conversation_id=conversation_id)

    # A turn's lease: one turn at a time per session, across processes. Taken atomically (an UPDATE that
    # only matches a free or expired lease), renewed while the turn runs, given back when it ends; a
    # process that dies mid-turn frees it by expiry.
    def take_turn(self, key: str) -> bool:
        now = time.time()
        with self.sessions() as db:
            result = db.execute(
                update(SessionRow)
                .where(
                    SessionRow.key == key,
                    (SessionRow.busy_until.is_(None)) | (SessionRow.busy_until <= now),
                )
                .values(busy_until=now + LEASE_SECONDS, busy_by=self.owner, last_seen_at=now)
            )
            db.commit()
            return bool(getattr(result, "rowcount", 0))

    def renew_turn(self, key: str) -> None:
        with self.sessions() as db:
            db.execute(
                update(SessionRow)
                .where(SessionRow.key == key, SessionRow.busy_by == self.owner)
                .values(busy_until=time.time() + LEASE_SECONDS)
            )
            db.commit()

    def end_turn(self, key: str) -> None:
        with self.sessions() as db:
            db.execute(
                update(SessionRow)
                .where(SessionRow.key == key, SessionRow.busy_by == self.owner)
                .values(busy_until=None, busy_by=None, last_seen_at=time.time())
            )
            db.commit()

    def load_conversation(self, key: str, conversation_id: str) -> str | None:
        """The saved conversation (SessionRecord JSON), if it is this session's."""
        with self.sessions() as db:
            row = db.get(ConversationRow, conversation_id)
            return row.record if row is not None and row.session_key == key else None

    def save_conversation(self, key: str, conversation_id: str, record_json: str) -> None:
        """Keep the conversation (secrets in it redacted, as in every file the project writes)."""
        text = redact(record_json)
        now = time.time()
        with self.sessions() as db:
            row = db.get(ConversationRow, conversation_id)
            if row is None:
                db.add(ConversationRow(id=conversation_id, session_key=key, record=text, updated_at=now))
            elif row.session_key == key:
                row.record, row.updated_at = text, now
            else:  # an id is random: never another session's, but never overwrite one either
                raise ValueError(f"conversation {conversation_id} belongs to another session")
            db.commit()

    def count(self) -> int:
        with self.sessions() as db:
            return int(db.scalar(select(func.count()).select_from(SessionRow)) or 0)
