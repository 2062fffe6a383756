"""Two `trova serve`s on one database, each a real HTTP server on its own port and thread with its own
marketplace and site objects (nothing shared but the database, sessions included, as `trova serve` keeps
them): a draft made through one is approved through the other, even through both at once, and exactly one
listing is posted; a server stopped mid-draft and started again resumes the draft from the cookie. On
SQLite, and on PostgreSQL when one is configured."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from agent.models import resolve_model
from agent.prompts import load_prompt
from marketplace.app import create_app
from tests.databases import backend_db_url, postgres_template
from web.feedback import FeedbackStore
from web.site import create_site

from .test_web_api import approve_with, chunks, user

db_url = backend_db_url
__all__ = ["postgres_template"]


@contextmanager
def trova_serve(db_url: str, tmp_path: Path, name: str) -> Iterator[str]:
    """One `trova serve` (as far as state goes) on `db_url`, listening on a free port; its URL."""
    app = create_site(
        create_app(db_url, rate_limits=None),
        resolve_model("offline"),
        load_prompt(),
        feedback=FeedbackStore(tmp_path / f"feedback-{name}.db"),
        sessions_url=db_url,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"trova-serve-{name}", daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        assert not thread.is_alive()


def browser(url: str, cookie: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    if cookie is not None:
        client.cookies.set("trova_session", cookie)
    return client


def seller_listings(url: str, title: str) -> list[dict[str, Any]]:
    page = httpx.get(f"{url}/api/listings", params={"q": title, "source": "seller"}, timeout=30).json()
    return [x for x in page["items"] if x["title"] == title]


def test_a_draft_made_through_one_server_is_approved_through_the_other_once(
    db_url: str, tmp_path: Path
) -> None:
    with trova_serve(db_url, tmp_path, "a") as a_url, trova_serve(db_url, tmp_path, "b") as b_url:
        with browser(a_url) as a:
            started = a.post("/chat", json=user("I want to sell my Trek road bike, good condition"))
            assert started.status_code == 200
            cookie = a.cookies["trova_session"]
            (draft,) = a.get("/chat/state").json()["pending"]
        with browser(b_url, cookie) as b:
            assert b.get("/chat/state").json()["pending"] == [draft]  # the other server sees the draft
        # The seller approves it through both servers at once (two tabs, a load balancer's retry).
        approval = approve_with(draft["call_id"], draft["args"])

        def approve(url: str) -> httpx.Response:
            with browser(url, cookie) as tab:
                return tab.post("/chat", json=approval)

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(approve, [a_url, b_url]))
        assert 200 in [x.status_code for x in answers]
        assert all(x.status_code in (200, 400, 409) for x in answers), [x.text for x in answers]
        outputs = [c for x in answers for c in chunks(x.text) if c["type"] == "tool-output-available"]
        assert len(outputs) == 1
        # Sent once more after the fact: still one listing.
        with browser(a_url, cookie) as a:
            a.post("/chat", json=approval)
            assert a.get("/chat/state").json()["pending"] == []
        for url in (a_url, b_url):
            assert len(seller_listings(url, draft["args"]["title"])) == 1


def test_a_server_stopped_mid_draft_and_started_again_resumes_it(db_url: str, tmp_path: Path) -> None:
    with trova_serve(db_url, tmp_path, "first") as url, browser(url) as first:
        first.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
        cookie = first.cookies["trova_session"]
        before = first.get("/chat/state").json()
        (draft,) = before["pending"]
    # The process is gone; another starts on the same database.
    with trova_serve(db_url, tmp_path, "second") as url, browser(url, cookie) as again:
        after = again.get("/chat/state").json()
        assert after["conversation_id"] == before["conversation_id"] and after["pending"] == [draft]
        done = again.post("/chat", json=approve_with(draft["call_id"], draft["args"]))
        assert done.status_code == 200
        assert [c for c in chunks(done.text) if c["type"] == "tool-output-available"]
        assert len(seller_listings(url, draft["args"]["title"])) == 1
