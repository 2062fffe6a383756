"""Web sessions live in the database: a restart or a second `trova serve` on the same database continues
the conversation; page views and polls make no session; sessions end by age, not by count; the database
alone holds no cookie and no token that works."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import web.sessions
from agent.models import resolve_model
from agent.prompts import load_prompt
from marketplace.app import create_app
from settings.environment import RateLimits
from web.feedback import FeedbackStore
from web.site import create_site

from .test_web_api import approve_with, chunks, user


@pytest.fixture
def sessions_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.db'}"


@asynccontextmanager
async def serving(
    db_url: str, sessions_url: str, tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """One `trova serve` process, as far as state goes: its own marketplace app and site objects, sharing
    only the database with any other."""
    app = create_site(
        create_app(db_url),
        resolve_model("offline"),
        load_prompt(),
        feedback=FeedbackStore(tmp_path / "feedback.db"),
        sessions_url=sessions_url,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client,
    ):
        yield app, client


async def seller_listings(client: httpx.AsyncClient, seller_id: str) -> list[dict[str, Any]]:
    page = (await client.get("/api/listings", params={"seller_id": seller_id})).json()
    return list(page["items"])


async def test_a_restart_mid_draft_resumes_it_and_approving_posts_one_listing(
    db_url: str, sessions_url: str, tmp_path: Path
) -> None:
    async with serving(db_url, sessions_url, tmp_path) as (first, client):
        started = await client.post("/chat", json=user("I want to sell my Trek road bike, good condition"))
        assert started.status_code == 200
        cookie = client.cookies["trova_session"]
        before = (await client.get("/chat/state")).json()
        (draft,) = before["pending"]
        seller_id = first.state.sessions.store.find(cookie).seller_id
    # The process is gone (its memory with it); a new one starts on the same database.
    async with serving(db_url, sessions_url, tmp_path) as (_, client):
        client.cookies.set("trova_session", cookie)
        after = (await client.get("/chat/state")).json()
        assert after["conversation_id"] == before["conversation_id"]
        assert after["pending"] == before["pending"] and len(after["messages"]) == len(before["messages"])
        approved = await client.post("/chat", json=approve_with(draft["call_id"], draft["args"]))
        outputs = [c for c in chunks(approved.text) if c["type"] == "tool-output-available"]
        assert approved.status_code == 200 and len(outputs) == 1
        # Posted once, under the seller the browser was before the restart.
        listings = await seller_listings(client, seller_id)
        assert [x["title"] for x in listings] == [draft["args"]["title"]]
        assert (await client.get("/chat/state")).json()["pending"] == []


async def test_two_processes_on_one_database_continue_one_conversation(
    db_url: str, sessions_url: str, tmp_path: Path
) -> None:
    async with (
        serving(db_url, sessions_url, tmp_path) as (a_app, a),
        serving(db_url, sessions_url, tmp_path) as (b_app, b),
    ):
        await a.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
        cookie = a.cookies["trova_session"]
        b.cookies.set("trova_session", cookie)
        assert len((await b.get("/chat/state")).json()["pending"]) == 1
        # While one process runs a turn of this conversation, the other refuses a second one ...
        assert a_app.state.sessions.store.take_turn(a_app.state.sessions.store.find(cookie).key)
        busy = await b.post("/chat", json=user("yes"))
        assert busy.status_code == 409 and (await b.get("/chat/state")).json()["busy"]
        a_app.state.sessions.store.end_turn(a_app.state.sessions.store.find(cookie).key)
        # ... and once it is over, the other answers the draft the first one made.
        done = await b.post("/chat", json=user("make it $55"))
        assert done.status_code == 200
        (revised,) = (await a.get("/chat/state")).json()["pending"]
        assert revised["args"]["price"] == 55
        posted = await a.post("/chat", json=approve_with(revised["call_id"], revised["args"]))
        assert any(c["type"] == "tool-output-available" for c in chunks(posted.text))
        seller_id = b_app.state.sessions.store.find(cookie).seller_id
        assert [x["price"] for x in await seller_listings(b, seller_id)] == [55]


async def test_page_views_and_polls_make_no_session_and_cannot_push_one_out(
    db_url: str, sessions_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The in-memory registry this replaced forgot its oldest session past a count (10,000): a flood of
    # cookieless requests pushed real sellers out. A smaller count shows it without 10,000 requests.
    monkeypatch.setattr(web.sessions, "MAX_SESSIONS", 50, raising=False)
    async with serving(db_url, sessions_url, tmp_path) as (app, client):
        await client.post("/chat", json=user("I want to sell my Trek road bike, good condition"))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as flood:
            for i in range(60):
                path = ("/", "/sell", "/chat/state", "/listings/1")[i % 4]
                answer = await flood.get(path)
                assert "set-cookie" not in answer.headers, path
                flood.cookies.clear()
            posted = await flood.post("/feedback", json={"rating": "up"})
            assert posted.status_code == 409 and "set-cookie" not in posted.headers
        assert app.state.sessions.store.count() == 1
        assert len((await client.get("/chat/state")).json()["pending"]) == 1


async def test_sessions_end_by_idle_age_with_their_conversation(
    db_url: str, sessions_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TROVA_SESSION_IDLE_DAYS", "1")
    async with serving(db_url, sessions_url, tmp_path) as (app, client):
        await client.post("/chat", json=user("I want to sell my Trek road bike, good condition"))
        old_cookie = client.cookies["trova_session"]
        client.cookies.clear()
        await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
        store = app.state.sessions.store
        path = sessions_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as raw:  # the first browser last came two days ago
            raw.execute(
                "UPDATE web_sessions SET last_seen_at = ? WHERE key = ?",
                (time.time() - 2 * 86400, store.find(old_cookie).key),
            )
        assert store.find(old_cookie) is None
        assert store.purge() == 1 and store.count() == 1
        with sqlite3.connect(path) as raw:
            assert raw.execute("SELECT count(*) FROM web_conversations").fetchone() == (1,)
        client.cookies.set("trova_session", old_cookie)
        assert (await client.get("/chat/state")).json()["conversation_id"] is None


async def test_the_cookie_is_set_for_the_idle_age(
    db_url: str, sessions_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TROVA_SESSION_IDLE_DAYS", "2")
    async with serving(db_url, sessions_url, tmp_path) as (_, client):
        answer = await client.post("/chat", json=user("I want to sell my Trek road bike"))
        cookie = answer.headers["set-cookie"].lower()
        assert "max-age=172800" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_the_database_alone_holds_no_cookie_and_no_token(
    db_url: str, sessions_url: str, tmp_path: Path
) -> None:
    async with serving(db_url, sessions_url, tmp_path) as (app, client):
        await client.post("/chat", json=user("I want to sell my Trek road bike, good condition"))
        cookie = client.cookies["trova_session"]
        credentials = app.state.sessions.store.find(cookie).credentials
        assert credentials is not None and credentials.token.startswith("trova_")
    db = Path(sessions_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))  # with any journal beside it
    assert cookie.encode() not in raw and credentials.token.encode() not in raw
    assert credentials.seller_id.encode() in raw  # what is kept in the clear is no secret


async def test_a_rate_limited_new_seller_gets_429_with_when_to_come_back(
    db_url: str, sessions_url: str, tmp_path: Path
) -> None:
    # The marketplace's register limit is the seller's "not now", not an outage: 429 with Retry-After.
    app = create_site(
        create_app(db_url, rate_limits=RateLimits(register=1)),
        resolve_model("offline"),
        load_prompt(),
        feedback=FeedbackStore(tmp_path / "feedback.db"),
        sessions_url=sessions_url,
    )
    async with app.router.lifespan_context(app):
        statuses = []
        for _ in range(2):  # two browsers (no shared cookie) from one address
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://site"
            ) as browser:
                answer = await browser.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
                statuses.append(answer.status_code)
        assert statuses == [200, 429], statuses
        assert int(answer.headers["Retry-After"]) > 0
        assert "try again in" in answer.json()["detail"] and "unavailable" not in answer.json()["detail"]
