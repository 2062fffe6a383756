"""One session per browser (a cookie): its own seller identity on the marketplace and its own
conversation, so several sellers can use the site at once without seeing each other's drafts."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

import httpx
from fastapi import Request, Response

from agent.listing_agent import ListingAgent
from agent.session import ChatSession, new_session_id
from agent.storage import conversations_dir
from ops.experiments import LiveExperiment
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps

COOKIE = "trova_session"
MAX_SESSIONS = 10_000


@dataclass
class WebSession:
    id: str
    client: MarketplaceClient
    seller_id: str | None = None  # registered when the browser first chats, not on a page visit
    chat: ChatSession | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one turn at a time per browser
    turn: asyncio.Task[None] | None = None  # the running turn (web/chat.py), read or not


class SessionRegistry:
    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        base_url: str,
        agent: ListingAgent,
        model_name: str,
        prompt_ref: str,
        experiment: LiveExperiment | None = None,
    ) -> None:
        self.experiment = experiment  # when set, each new conversation is served by the seller's arm
        self.transport = transport
        self.base_url = base_url
        self.agent = agent
        self.model_name = model_name
        self.prompt_ref = prompt_ref
        self._sessions: dict[str, WebSession] = {}
        self._creating = asyncio.Lock()

    async def get(self, request: Request, response: Response | None = None) -> WebSession:
        """The browser's session, made on its first request; sets the cookie. Costs no database row:
        crawlers and uptime checks visit pages too."""
        sid = request.cookies.get(COOKIE)
        session = self._sessions.get(sid or "")
        if session is not None:
            return session
        sid = secrets.token_urlsafe(24)
        session = WebSession(sid, MarketplaceClient(self.base_url, transport=self.transport))
        if len(self._sessions) >= MAX_SESSIONS:  # forget the oldest browsers rather than grow forever
            self._sessions.pop(next(iter(self._sessions)))
        self._sessions[sid] = session
        if response is not None:
            set_cookie(response, sid)
        request.state.new_session_id = sid
        return session

    async def seller(self, session: WebSession) -> str:
        """The browser's seller on the marketplace, registered the first time it is needed."""
        if session.seller_id is not None:
            return session.seller_id
        async with self._creating:
            if session.seller_id is None:
                seller = await session.client.register_seller(f"web seller {session.id[:6]}")
                session.client.token, session.seller_id = seller.token, seller.seller_id
        return session.seller_id

    def chat(self, session: WebSession, *, new: bool = False) -> ChatSession:
        """The browser's conversation (after `seller`: it is filed under the seller)."""
        if session.chat is None or new:
            deps = TrovaDeps(session.client, session.seller_id)
            if self.experiment is not None and session.seller_id is not None:
                conversation_id = new_session_id()
                served = self.experiment.serve(session.seller_id, conversation_id)
                session.chat = ChatSession.start(
                    served.arm.agent,
                    deps,
                    model=served.arm.model,
                    prompt=served.arm.prompt,
                    marketplace="web",
                    save_dir=conversations_dir(),
                    session_id=conversation_id,
                    variant=served.arm.variant,
                    experiment=served.label,
                )
                return session.chat
            session.chat = ChatSession.start(
                self.agent,
                deps,
                model=self.model_name,
                prompt=self.prompt_ref,
                marketplace="web",
                save_dir=conversations_dir(),
            )
        return session.chat


def set_cookie(response: Response, sid: str) -> None:
    response.set_cookie(COOKIE, sid, httponly=True, samesite="lax", max_age=30 * 86400, path="/")
