"""The site's endpoints without a browser: sessions, chat protocol errors, feedback, pages."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from agent.models import resolve_model
from agent.prompts import load_prompt
from cli.main import app as cli_app
from marketplace.app import create_app
from web.feedback import FeedbackStore, draft_edits
from web.site import create_site


@pytest.fixture
async def site(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, FeedbackStore]]:
    feedback = FeedbackStore(tmp_path / "feedback.db")
    app = create_site(create_app(db_url), resolve_model("offline"), load_prompt(), feedback=feedback)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client:
        yield client, feedback


def user(text: str, **extra: object) -> dict:
    return {
        "trigger": "submit-message",
        "id": "chat-1",
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
        **extra,
    }


def chunks(body: str) -> list[dict]:
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: {")]


async def test_pages_set_a_session_cookie_and_escape(site) -> None:
    client, _ = site
    home = await client.get("/")
    assert home.status_code == 200 and "trova_session" in home.headers["set-cookie"]
    assert "All listings" in home.text and "7,7" in home.text
    search = await client.get("/", params={"q": "<script>x</script>"})
    assert "<script>x</script>" not in search.text and "&lt;script&gt;" in search.text
    assert (await client.get("/listings/99999999")).status_code == 404
    assert (await client.get("/?category=99999999")).status_code == 404
    assert (await client.get("/api/health")).json()["categories"] == 5595


async def test_chat_streams_the_vercel_ai_protocol_and_keeps_state(site) -> None:
    client, _ = site
    await client.get("/sell")
    response = await client.post("/chat", json=user("I want to sell my Trek road bike, good condition"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    kinds = [c["type"] for c in chunks(response.text)]
    assert (
        kinds[0] == "start"
        and "text-delta" in kinds
        and "tool-approval-request" in kinds
        and kinds[-1] == "finish"
    )
    tools = [c["toolName"] for c in chunks(response.text) if c["type"] == "tool-input-available"]
    assert tools == ["search_categories", "compare_prices", "create_listing"]
    state = (await client.get("/chat/state")).json()
    assert len(state["pending"]) == 1 and state["conversation_id"] == response.headers["x-trova-conversation"]
    call_id = state["pending"][0]["call_id"]
    answer = {
        "trigger": "submit-message",
        "id": "chat-1",
        "messages": [
            {
                "id": "m2",
                "role": "assistant",
                "parts": [
                    {
                        "type": "tool-create_listing",
                        "toolCallId": call_id,
                        "state": "approval-responded",
                        "input": state["pending"][0]["args"],
                        "approval": {"id": call_id, "approved": False, "reason": "cancel"},
                    }
                ],
            }
        ],
    }
    declined = await client.post("/chat", json=answer)
    said = "".join(c["delta"] for c in chunks(declined.text) if c["type"] == "text-delta")
    assert declined.status_code == 200 and "won't post" in said
    assert (await client.get("/chat/state")).json()["pending"] == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (user("   "), 400, "empty"),
        (user("x" * 4001), 400, "4,001 characters"),
        (
            {
                "trigger": "submit-message",
                "id": "c",
                "messages": [
                    {
                        "id": "a",
                        "role": "assistant",
                        "parts": [
                            {
                                "type": "tool-create_listing",
                                "toolCallId": "nope",
                                "state": "approval-responded",
                                "approval": {"id": "nope", "approved": True},
                            }
                        ],
                    }
                ],
            },
            400,
            "no longer waiting",
        ),
        ({"messages": "nonsense"}, 422, "not a chat request"),
        (
            {
                "trigger": "submit-message",
                "id": "c",
                "messages": [
                    {
                        "id": "u",
                        "role": "user",
                        "parts": [
                            {
                                "type": "file",
                                "mediaType": "application/pdf",
                                "url": "data:application/pdf;base64,JVBERi0=",
                                "filename": "a.pdf",
                            }
                        ],
                    }
                ],
            },
            400,
            "not an image we accept",
        ),
    ],
)
async def test_chat_rejects_bad_requests_clearly(site, body: dict, status: int, detail: str) -> None:
    client, _ = site
    response = await client.post("/chat", json=body)
    assert response.status_code == status and detail in response.json()["detail"]


async def test_a_huge_upload_is_refused_before_it_is_read(site) -> None:
    client, _ = site
    response = await client.post(
        "/chat",
        content=b"{}",
        headers={"content-length": str(50 * 1024 * 1024), "content-type": "application/json"},
    )
    assert response.status_code == 413 and "too large" in response.json()["detail"]


async def test_feedback_needs_a_conversation_and_is_summarised(site, tmp_path: Path, monkeypatch) -> None:
    client, store = site
    nothing = await client.post("/feedback", json={"rating": "up"})
    assert nothing.status_code == 409
    await client.post("/chat", json=user("I want to sell my Trek road bike"))
    rated = await client.post("/feedback", json={"rating": "down", "comment": "slow"})
    assert rated.status_code == 200
    assert (await client.post("/feedback", json={"rating": "meh"})).status_code == 422
    summary = store.summary()
    assert summary["thumbs_down"] == 1 and summary["recent_comments"][0]["comment"] == "slow"
    monkeypatch.setenv("TROVA_HOME", str(tmp_path))  # where the site's store is (tmp_path/feedback.db)
    printed = CliRunner().invoke(cli_app, ["feedback", "--json"])
    assert printed.exit_code == 0 and json.loads(printed.output)["thumbs_down"] == 1


def test_draft_edits() -> None:
    draft = {"title": "Trek road bike", "price": 175.0, "condition": "good"}
    assert draft_edits(draft, {"title": "Trek road bike", "price": 175, "condition": "good"}) == []
    edits = draft_edits(draft, {"title": "Trek 1.2 road bike", "price": "150", "condition": "good"})
    assert [(e.field, e.old, e.new) for e in edits] == [
        ("title", "Trek road bike", "Trek 1.2 road bike"),
        ("price", 175.0, "150"),
    ]


async def test_a_browser_gets_error_pages_and_scripts_get_json(site) -> None:
    client, _ = site
    page = {"accept": "text/html,application/xhtml+xml"}
    missing = await client.get("/listings/999999", headers=page)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Not found" in missing.text and "999999" in missing.text and 'href="/"' in missing.text
    bad = await client.get("/?page=abc", headers=page)
    assert bad.status_code == 422 and "page" in bad.text and "<html" in bad.text
    as_json = await client.get("/listings/999999", headers={"accept": "application/json"})
    assert as_json.status_code == 404 and "999999" in as_json.json()["detail"]
    api = await client.get("/api/listings/999999", headers=page)  # the API always answers in JSON
    assert api.status_code == 404 and api.json()["detail"]


async def test_api_docs_are_served_without_a_cdn(site) -> None:
    client, _ = site
    docs = await client.get("/api/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text
    assert '"/api/openapi.json"' in docs.text or "'/api/openapi.json'" in docs.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/docs-assets/{asset}" in docs.text
        fetched = await client.get(f"/api/docs-assets/{asset}")
        assert fetched.status_code == 200 and len(fetched.content) > 100_000
    assert (await client.get("/api/openapi.json")).json()["info"]["title"] == "Trova marketplace"


def approve_with(call_id: str, args: dict) -> dict:
    part = {
        "type": "tool-create_listing",
        "toolCallId": call_id,
        "state": "approval-responded",
        "input": args,
        "approval": {"id": call_id, "approved": True},
    }
    return {
        "trigger": "submit-message",
        "id": "chat-1",
        "messages": [{"id": "m2", "role": "assistant", "parts": [part]}],
    }


async def test_an_invalid_edit_is_refused_with_its_field_and_the_draft_keeps_waiting(site) -> None:
    client, store = site
    await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
    (draft,) = (await client.get("/chat/state")).json()["pending"]
    for bad, field in (({"title": "Desk"}, "title"), ({"price": 0}, "price"), ({"price": 1e9}, "price")):
        refused = await client.post("/chat", json=approve_with(draft["call_id"], {**draft["args"], **bad}))
        assert refused.status_code == 400 and f"{field}:" in refused.json()["detail"], refused.text
    assert (await client.get("/chat/state")).json()["pending"] == [draft]  # still the seller's to answer
    assert store.summary()["approvals"] == 0  # a refused edit is not an approval
    good = await client.post("/chat", json=approve_with(draft["call_id"], {**draft["args"], "price": 40}))
    created = [c for c in chunks(good.text) if c["type"] == "tool-output-available"]
    assert created and created[-1]["output"]["price"] == 40


async def test_page_visits_cost_no_seller_and_rating_needs_a_turn(site, db_url: str) -> None:
    from sqlalchemy import create_engine, func, select

    from marketplace.db import SellerRow

    client, _ = site

    def sellers() -> int:
        with create_engine(db_url).connect() as conn:
            return int(conn.execute(select(func.count()).select_from(SellerRow)).scalar_one())

    before = sellers()
    for path in ("/", "/sell", "/?q=bike"):
        assert (
            await httpx.AsyncClient(transport=client._transport, base_url="http://site").get(path)
        ).status_code == 200
    assert (await client.head("/")).status_code == 200
    assert sellers() == before
    await client.post("/chat/new")
    assert (await client.post("/feedback", json={"rating": "up"})).status_code == 409  # nothing said yet
    await client.post("/chat", json=user("I want to sell my Trek road bike"))
    assert sellers() == before + 1
    assert (await client.post("/feedback", json={"rating": "up"})).status_code == 200


async def test_paging_keeps_the_filters_and_stops_at_the_last_page(site) -> None:
    client, _ = site
    first = await client.get("/?q=bike")
    assert 'href="/?q=bike&amp;page=2"' in first.text
    seed = await client.get("/?source=seed&page=2")
    assert 'href="/?source=seed&amp;page=3"' in seed.text and 'href="/?source=seed&amp;page=1"' in seed.text
    past = await client.get("/?q=bike&page=400")
    assert past.status_code == 303 and past.headers["location"].startswith("/?q=bike&page=")


@pytest.fixture
def served_site(db_url: str, tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    """The site under a real uvicorn (in a thread): only a real server cuts a stream off as a closed tab does."""
    app = create_site(
        create_app(db_url), resolve_model("offline"), load_prompt(), feedback=FeedbackStore(tmp_path / "f.db")
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield url, app
    server.should_exit = True
    thread.join(timeout=10)


def test_a_browser_leaving_mid_reply_does_not_lock_its_chat(served_site: tuple[str, FastAPI]) -> None:
    url, app = served_site
    with httpx.Client(base_url=url, timeout=10) as client:
        client.get("/sell")
        cookie = client.cookies["trova_session"]
        body = json.dumps(user("I want to sell my Trek road bike, good condition")).encode()
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as raw:
            raw.sendall(
                b"POST /chat HTTP/1.1\r\nHost: site\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\nCookie: trova_session={cookie}\r\n\r\n".encode()
                + body
            )
            assert b"200 OK" in raw.recv(4096)  # the reply has begun ...
        # ... and the browser left (a reload). The turn still finishes on the server, and frees the chat.
        for _ in range(200):
            state = client.get("/chat/state").json()
            if not state["busy"]:
                break
            time.sleep(0.05)
        assert not app.state.sessions._sessions[cookie].lock.locked()
        # The conversation is whole: the draft the turn made waits for the seller, as a reload shows it.
        assert len(state["pending"]) == 1
        assert any(p.get("type") == "tool-create_listing" for m in state["messages"] for p in m["parts"])
        follow = client.post("/chat", json=user("make it $150"))
        assert follow.status_code == 200 and "150" in follow.text
        assert client.post("/chat/new").status_code == 200


async def test_the_conversation_is_never_served_from_a_cache(site) -> None:
    client, _ = site
    for path in ("/sell", "/chat/state"):
        assert (await client.get(path)).headers.get("cache-control") == "no-store", path
    await client.post("/chat", json=user("I want to sell my Trek road bike"))
    assert (await client.get("/chat/state")).headers.get("cache-control") == "no-store"


async def test_a_conversation_has_one_rating_and_a_later_click_replaces_it(site) -> None:
    client, store = site
    await client.post("/chat", json=user("I want to sell my Trek road bike"))
    assert (await client.get("/chat/state")).json()["rating"] is None
    await client.post("/feedback", json={"rating": "up", "comment": "quick"})
    await client.post("/feedback", json={"rating": "down", "comment": "asked twice"})
    state = (await client.get("/chat/state")).json()
    assert state["rating"] == "down"
    (row,) = [r for r in store.rows(state["conversation_id"]) if r["kind"] == "rating"]
    assert row["rating"] == -1 and row["comment"] == "asked twice"
    summary = store.summary()
    assert (summary["thumbs_up"], summary["thumbs_down"]) == (0, 1)
    assert [c["comment"] for c in summary["recent_comments"]] == ["asked twice"]


def test_the_summary_counts_a_conversations_latest_rating_once(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.db")
    # Rows as an older site stored them: one per click.
    store._add("rating", "c1", None, None, rating=1, comment="nice")
    store._add("rating", "c1", None, None, rating=-1, comment="nice")
    store.rate("c2", 1)
    summary = store.summary()
    assert (summary["thumbs_up"], summary["thumbs_down"], summary["conversations"]) == (1, 1, 2)
    store.rate("c1", 1, "better now")
    summary = store.summary()
    assert (summary["thumbs_up"], summary["thumbs_down"]) == (2, 0)
    assert [c["comment"] for c in summary["recent_comments"]] == ["better now"]


async def test_approvals_and_edits_are_recorded_only_for_listings_created(
    db_url: str, tmp_path: Path
) -> None:
    store = FeedbackStore(tmp_path / "feedback.db")
    app = create_site(create_app(db_url), resolve_model("offline"), load_prompt(), feedback=store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client:
        await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
        (draft,) = (await client.get("/chat/state")).json()["pending"]
        # A field the card cannot edit is refused, and nothing is recorded.
        crafted = await client.post(
            "/chat", json=approve_with(draft["call_id"], {**draft["args"], "category_id": 99999999})
        )
        assert crafted.status_code == 400 and "category_id" in crafted.json()["detail"]
        # An edit the marketplace then refuses (here: the seller's token no longer works) is no approval.
        session = next(iter(app.state.sessions._sessions.values()))
        token, session.client.token = session.client.token, "not-a-token"
        failed = await client.post(
            "/chat", json=approve_with(draft["call_id"], {**draft["args"], "price": 41})
        )
        assert failed.status_code == 200
        assert not [c for c in chunks(failed.text) if c["type"] == "tool-output-available"]
        assert store.rows() == []
        # Approved by typing, created: an approval with no edits.
        session.client.token = token
        left = session.chat.id
        await client.post("/chat/new")  # leaving a conversation with a draft waiting: a signal of its own
        await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
        done = await client.post("/chat", json=user("yes"))
        assert any(c["type"] == "tool-output-available" for c in chunks(done.text))
        assert [(r["kind"], r["conversation_id"]) for r in store.rows()] == [
            ("start_over", left),
            ("approval", session.chat.id),
        ]
        assert store.rows()[0]["comment"] == "1 draft(s) left unanswered"


def test_the_edit_rates_are_for_the_fields_a_seller_can_edit(tmp_path: Path) -> None:
    from web.feedback import Edit

    store = FeedbackStore(tmp_path / "feedback.db")
    store.approval("c1", [Edit("price", 175.0, 150)])
    store.approval("c2", [])
    assert store.summary()["edit_rate"] == {"title": 0, "description": 0, "price": 0.5, "condition": 0}


async def test_searching_from_a_category_page_stays_in_the_category(site) -> None:
    client, _ = site
    bikes = await client.get("/", params={"category": 1025})
    assert '<input type="hidden" name="category" value="1025">' in bikes.text
    assert '<input type="hidden" name="category"' not in (await client.get("/")).text
    found = await client.get("/", params={"category": 1025, "q": "trek"})
    heading = found.text.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "trek" in heading and "Cycling" in heading
    assert 'href="/?q=trek"' in found.text  # the way out of the category, keeping the words


async def test_the_site_has_an_icon_of_its_own(site) -> None:
    client, _ = site
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon" href="/static/favicon.svg"' in (await client.get("/")).text
    assert (await client.get("/static/favicon.svg")).content == icon.content
