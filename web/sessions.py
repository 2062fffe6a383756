"""One session per browser (a cookie): its own seller identity on the marketplace and its own
conversation, so several sellers can use the site at once without seeing each other's drafts.

Sessions are kept in the database (`web/session_store.py`), not in this process: a restart, or another
`trova serve` process on the same database, picks the conversation up where it was, draft and all. A
session is made on a browser's first chat message (or photo), never on a page view or a poll, and ends
when it has been idle too long."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from agent.listing_agent import ListingAgent
from agent.session import ChatSession, SessionRecord, new_session_id
from ops.experiments import LiveExperiment
from settings.environment import current
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher
from web.session_store import (
    LEASE_SECONDS,
    Credentials,
    SessionStore,
    StoredSession,
    registration_key,
)

COOKIE = "trova_session"


def idle_seconds() -> float:
    """How long a session may sit unused: `TROVA_SESSION_IDLE_DAYS` (default 30)."""
    return current().session_idle_days * 86400


@dataclass
class WebSession:
    stored: StoredSession
    client: MarketplaceClient  # with the seller's own token: publishing, photos, their listings
    agent_client: MarketplaceClient  # what the agent's tools get
    fresh: bool = False  # made by this request: its response sets the cookie

    @property
    def key(self) -> str:
        return self.stored.key

    @property
    def seller_id(self) -> str | None:
        return self.stored.seller_id

    @property
    def busy(self) -> bool:
        return self.stored.busy


class _Store:
    """A conversation's saves, into the session's row in the database."""

    def __init__(self, sessions: SessionStore, key: str) -> None:
        self.sessions, self.key = sessions, key

    def save(self, record: SessionRecord) -> None:
        self.sessions.save_conversation(self.key, record.id, record.model_dump_json())


class SessionRegistry:
    def __init__(
        self,
        store: SessionStore,
        transport: httpx.AsyncBaseTransport,
        base_url: str,
        agent: ListingAgent,
        model_name: str,
        prompt_ref: str,
        experiment: LiveExperiment | None = None,
    ) -> None:
        self.store = store
        self.experiment = experiment  # when set, each new conversation is served by the seller's arm
        self.transport = transport
        self.base_url = base_url
        self.agent = agent
        self.model_name = model_name
        self.prompt_ref = prompt_ref
        self._running: dict[str, asyncio.Task[None]] = {}  # turns this process runs, by session key

    def _session(self, stored: StoredSession, *, fresh: bool = False) -> WebSession:
        creds = stored.credentials
        token = creds.token if creds else None
        agent_token = creds.agent_token if creds else None  # never the seller's own
        return WebSession(
            stored,
            MarketplaceClient(self.base_url, token, transport=self.transport),
            MarketplaceClient(self.base_url, agent_token, transport=self.transport),
            fresh=fresh,
        )

    async def find(self, request: Request) -> WebSession | None:
        """The browser's session, if it has one (page views and polls never make one)."""
        cookie = request.cookies.get(COOKIE)
        if not cookie or len(cookie) > 128:
            return None
        stored = await run_in_threadpool(self.store.find, cookie)
        return None if stored is None else self._session(stored)

    async def open(self, request: Request) -> WebSession:
        """The browser's session, made now if it has none (its first chat message or photo); the response
        must then set the cookie (`set_cookie`)."""
        session = await self.find(request)
        if session is not None:
            return session
        stored = await run_in_threadpool(self.store.create)
        request.state.new_session_cookie = stored.cookie
        return self._session(stored, fresh=True)

    async def seller(self, session: WebSession) -> str:
        """The browser's seller on the marketplace, registered the first time it is needed, and the agent's
        drafts-only token. A registration whose answer is lost is asked again with the same key: the same
        seller, never a second one."""
        credentials = session.stored.credentials
        if credentials is None:
            seller = await session.client.register_seller(
                f"web seller {session.key[:6]}", idempotency_key=registration_key(session.stored.cookie)
            )
            credentials = Credentials(seller_id=seller.seller_id, token=seller.token)
            session.stored = await run_in_threadpool(self.store.set_credentials, session.stored, credentials)
            session.client.token = seller.token
        if credentials.agent_token is None:
            issued = await session.client.create_agent_token()
            credentials = credentials.model_copy(update={"agent_token": issued.token})
            session.stored = await run_in_threadpool(self.store.set_credentials, session.stored, credentials)
            session.agent_client.token = issued.token
        return credentials.seller_id

    async def chat(self, session: WebSession, *, new: bool = False) -> ChatSession:
        """The browser's conversation as it was last saved (after `seller`: it is filed under the seller);
        `new`, or none saved yet, starts another."""
        if not new:
            saved = await self.saved_chat(session)
            if saved is not None:
                return saved
        # A conversation started but not saved yet (nothing said in it) keeps its id.
        conversation_id = (None if new else session.stored.conversation_id) or new_session_id()
        agent, model, prompt, variant, label = self.agent, self.model_name, self.prompt_ref, None, None
        if self.experiment is not None and session.seller_id is not None:
            served = self.experiment.serve(session.seller_id, conversation_id)
            agent, model, prompt = served.arm.agent, served.arm.model, served.arm.prompt
            variant, label = served.arm.variant, served.label
        chat = ChatSession.start(
            agent,
            TrovaDeps(session.agent_client, session.seller_id),
            publisher=Publisher(session.client),
            model=model,
            prompt=prompt,
            marketplace="web",
            session_id=conversation_id,
            store=_Store(self.store, session.key),
            variant=variant,
            experiment=label,
        )
        if chat.id != session.stored.conversation_id:
            session.stored = await run_in_threadpool(self.store.set_conversation, session.stored, chat.id)
        return chat

    async def saved_chat(self, session: WebSession) -> ChatSession | None:
        """The browser's conversation if it has one saved (never starts one)."""
        if not session.stored.conversation_id:
            return None
        saved = await run_in_threadpool(
            self.store.load_conversation, session.key, session.stored.conversation_id
        )
        if saved is None:
            return None
        try:
            record = SessionRecord.model_validate_json(saved)
        except ValidationError:
            return None  # a damaged row: a new conversation rather than a broken page
        deps = TrovaDeps(session.agent_client, session.seller_id)
        return ChatSession(
            self._agent_of(record),
            deps,
            record,
            store=_Store(self.store, session.key),
            publisher=Publisher(session.client),
        )

    def _agent_of(self, record: SessionRecord) -> ListingAgent:
        """The agent a saved conversation was served by: its experiment arm's (`<experiment>/<arm>`),
        else the site's."""
        if self.experiment is not None and record.experiment:
            arm = self.experiment.arms.get(record.experiment.split("/", 1)[-1])
            if arm is not None:
                return arm.agent
        return self.agent

    # One turn at a time per session, whichever process runs it.
    async def take_turn(self, session: WebSession) -> bool:
        return await run_in_threadpool(self.store.take_turn, session.key)

    async def end_turn(self, session: WebSession) -> None:
        await run_in_threadpool(self.store.end_turn, session.key)

    @contextlib.asynccontextmanager
    async def holding(self, session: WebSession) -> AsyncIterator[None]:
        """Keep the turn's lease while the block runs (renewed), and give it back at the end."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(LEASE_SECONDS / 3)
                await run_in_threadpool(self.store.renew_turn, session.key)

        renewing = asyncio.create_task(renew())
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await self.end_turn(session)

    def note_running(self, session: WebSession, task: asyncio.Task[None] | None) -> None:
        """The turn task this process runs for a session (held: a task only weakly referenced may vanish)."""
        if task is None:
            self._running.pop(session.key, None)
        else:
            self._running[session.key] = task

    def running(self, session: WebSession) -> asyncio.Task[None] | None:
        return self._running.get(session.key)


def set_cookie(response: Response, cookie: str) -> None:
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="lax", max_age=int(idle_seconds()), path="/")


def new_cookie(request: Request) -> str | None:
    """The cookie of a session this request made, which its response must set."""
    cookie: str | None = getattr(request.state, "new_session_cookie", None)
    return cookie
