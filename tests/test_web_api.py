"""The site's endpoints without a browser: sessions, chat protocol errors, feedback, pages."""

from __future__ import annotations

import html
import json
import re
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
from agent.session import MAX_MESSAGE_CHARS
from cli.main import app as cli_app
from marketplace.app import create_app
from marketplace.seed_build import LISTINGS_FILE, SEED_DIR
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


async def test_pages_make_no_session_and_escape(site) -> None:
    client, _ = site
    home = await client.get("/")
    assert home.status_code == 200 and "set-cookie" not in home.headers
    seed_count = len((SEED_DIR / LISTINGS_FILE).read_text(encoding="utf-8").splitlines()) - 1
    assert "All listings" in home.text and f"{seed_count:,}" in home.text
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
        (user("x" * (MAX_MESSAGE_CHARS + 1)), 400, f"{MAX_MESSAGE_CHARS + 1:,} characters"),
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
        # Where the problem is, as the client wrote the body (not pydantic's union names).
        ({"trigger": "submit-message", "messages": []}, 422, "not a chat request: id: Field required"),
        (
            {
                "trigger": "submit-message",
                "id": "c",
                "messages": [{"id": "u", "role": "user", "parts": [{"type": "text"}]}],
            },
            422,
            "not a chat request: messages.0.parts.0.text: Field required",
        ),
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
    assert summary.thumbs_down == 1 and summary.recent_comments[0].comment == "slow"
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
    # FastAPI's other docs page (ReDoc) loads its script and fonts from CDNs, which the site's policy blocks:
    # a blank page, so none.
    assert (await client.get("/api/redoc")).status_code == 404


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
        assert refused.status_code == 400 and list(refused.json()["fields"]) == [field], refused.text
    assert (await client.get("/chat/state")).json()["pending"] == [draft]  # still the seller's to answer
    assert store.summary().approvals == 0  # a refused edit is not an approval
    good = await client.post("/chat", json=approve_with(draft["call_id"], {**draft["args"], "price": 40}))
    created = [c for c in chunks(good.text) if c["type"] == "tool-output-available"]
    assert created and created[-1]["output"]["price"] == 40


async def test_a_drafts_answer_sent_in_a_user_message_is_read_as_the_answer(site) -> None:
    client, _ = site
    await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
    (draft,) = (await client.get("/chat/state")).json()["pending"]
    body = approve_with(draft["call_id"], draft["args"])
    body["messages"][0]["role"] = "user"  # some clients send it so; the seller's answer is the same
    answered = await client.post("/chat", json=body)
    assert answered.status_code == 200, answered.text
    created = [c for c in chunks(answered.text) if c["type"] == "tool-output-available"]
    assert created and created[-1]["output"]["price"] == draft["args"]["price"]
    assert (await client.get("/chat/state")).json()["pending"] == []


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
    await client.post("/chat/new", json={})
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
        assert "trova_session" not in client.cookies  # a page view makes no session
        body = json.dumps(user("I want to sell my Trek road bike, good condition")).encode()
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as raw:
            raw.sendall(
                b"POST /chat HTTP/1.1\r\nHost: site\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = raw.recv(4096)
            assert b"200 OK" in head  # the reply has begun (and the first message made the session) ...
            cookie = re.search(rb"trova_session=([^;]+)", head).group(1).decode()  # type: ignore[union-attr]
            client.cookies.set("trova_session", cookie)
        # ... and the browser left (a reload). The turn still finishes on the server, and frees the chat.
        for _ in range(200):
            state = client.get("/chat/state").json()
            if not state["busy"]:
                break
            time.sleep(0.05)
        assert not app.state.sessions.store.find(cookie).busy
        # The conversation is whole: the draft the turn made waits for the seller, as a reload shows it.
        assert len(state["pending"]) == 1
        assert any(p.get("type") == "tool-create_listing" for m in state["messages"] for p in m["parts"])
        follow = client.post("/chat", json=user("make it $150"))
        assert follow.status_code == 200 and "150" in follow.text
        assert client.post("/chat/new", json={}).status_code == 200


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
    assert (summary.thumbs_up, summary.thumbs_down) == (0, 1)
    assert [c.comment for c in summary.recent_comments] == ["asked twice"]


def test_the_summary_counts_a_conversations_latest_rating_once(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.db")
    # Rows as an older site stored them: one per click.
    store._add("rating", "c1", None, None, rating=1, comment="nice")
    store._add("rating", "c1", None, None, rating=-1, comment="nice")
    store.rate("c2", 1)
    summary = store.summary()
    assert (summary.thumbs_up, summary.thumbs_down, summary.conversations) == (1, 1, 2)
    store.rate("c1", 1, "better now")
    summary = store.summary()
    assert (summary.thumbs_up, summary.thumbs_down) == (2, 0)
    assert [c.comment for c in summary.recent_comments] == ["better now"]


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
        sessions = app.state.sessions.store
        stored = sessions.find(client.cookies["trova_session"])
        broken = stored.credentials.model_copy(update={"token": "not-a-token"})  # the agent's still works
        sessions.set_credentials(stored, broken)
        failed = await client.post(
            "/chat", json=approve_with(draft["call_id"], {**draft["args"], "price": 41})
        )
        assert failed.status_code == 200
        assert not [c for c in chunks(failed.text) if c["type"] == "tool-output-available"]
        assert store.rows() == []
        # Approved by typing, created: an approval with no edits.
        sessions.set_credentials(stored, stored.credentials)
        left = stored.conversation_id
        # Leaving a conversation with a draft waiting: a signal of its own.
        await client.post("/chat/new", json={})
        await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
        done = await client.post("/chat", json=user("yes"))
        assert any(c["type"] == "tool-output-available" for c in chunks(done.text))
        assert [(r["kind"], r["conversation_id"]) for r in store.rows()] == [
            ("start_over", left),
            ("approval", sessions.find(client.cookies["trova_session"]).conversation_id),
        ]
        assert store.rows()[0]["comment"] == "1 draft left unanswered"


def test_the_edit_rates_are_for_the_fields_a_seller_can_edit(tmp_path: Path) -> None:
    from web.feedback import Edit

    store = FeedbackStore(tmp_path / "feedback.db")
    store.approval("c1", [Edit("price", 175.0, 150)])
    store.approval("c2", [])
    # The category too: a seller changes it in words at the draft ("wrong category").
    rates = {"title": 0, "description": 0, "price": 0.5, "condition": 0, "category_id": 0}
    assert store.summary().edit_rate == rates


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


def _jpeg(size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "#3a7").save(out, "JPEG", **save)
    return out.getvalue()


async def test_every_response_carries_the_security_headers(site) -> None:
    client, _ = site
    for path in ("/", "/sell", "/api/health", "/static/site.css", "/listings/999999"):
        headers = (await client.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
    # The API's docs page has inline scripts of its own: exactly those are allowed, by hash.
    docs = await client.get("/api/docs")
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", docs.headers["content-security-policy"])


# A form or text/plain post needs no CORS preflight, so only JSON is taken; a browser names the origin.
REFUSED_ACROSS_ORIGINS = [
    ("/chat", {"content-type": "text/plain"}, 415),
    ("/chat", {"content-type": "application/json", "origin": "http://127.0.0.1:9999"}, 403),
    ("/chat", {"content-type": "application/json", "sec-fetch-site": "cross-site"}, 403),
    ("/chat/new", {"content-type": "text/plain"}, 415),
    ("/chat/new", {"content-type": "application/json", "origin": "http://evil.example"}, 403),
    ("/feedback", {"content-type": "application/x-www-form-urlencoded"}, 415),
    ("/photos", {"content-type": "image/jpeg", "origin": "http://site:8001"}, 403),
]


async def test_state_changing_endpoints_refuse_other_origins_and_non_json(site) -> None:
    client, _ = site
    for path, headers, status in REFUSED_ACROSS_ORIGINS:
        body = json.dumps(user("yes")) if path == "/chat" else _jpeg() if path == "/photos" else "{}"
        response = await client.post(path, content=body, headers=headers)
        assert response.status_code == status, (path, headers, response.text)
        if "origin" in headers:  # the same request from the site's own origin goes through
            same = {**headers, "origin": "http://site"}
            assert (await client.post(path, content=body, headers=same)).status_code < 400, (path, headers)


async def test_photos_are_stored_private_until_listed_and_go_with_the_listing(site, tmp_path: Path) -> None:
    client, _ = site
    await client.get("/sell")
    uploaded = await client.post(
        "/photos", content=_jpeg((3000, 2000)), headers={"content-type": "image/jpeg"}
    )
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    assert (photo["width"], photo["height"]) == (2048, 1365)  # re-encoded at most 2048 px on its long side
    assert (await client.get(photo["url"])).headers["content-type"] == "image/jpeg"
    async with httpx.AsyncClient(transport=client._transport, base_url="http://site") as stranger:
        assert (await stranger.get(photo["url"])).status_code == 404  # not listed yet: the seller's alone
        assert (await stranger.delete(f"/photos/{photo['id']}")).status_code == 404
    message = user("I want to sell my Trek road bike, good condition")
    message["messages"][0]["parts"].append(
        {"type": "file", "mediaType": "image/jpeg", "url": photo["url"], "filename": "bike.jpg"}
    )
    await client.post("/chat", json=message)
    state = (await client.get("/chat/state")).json()
    assert [p["id"] for p in state["photos"]] == [photo["id"]]  # waiting for the draft
    sent = [p for m in state["messages"] for p in m["parts"] if p["type"] == "file"]
    assert [p["url"] for p in sent] == [photo["url"]]  # the site's URL, not megabytes of data URL
    done = await client.post("/chat", json=user("yes"))
    (listing,) = [c["output"] for c in chunks(done.text) if c["type"] == "tool-output-available"]
    assert listing["photos"] == [photo["id"]]
    assert (await client.get(f"/api/listings/{listing['id']}")).json()["photos"] == [photo["id"]]
    assert (await client.get("/chat/state")).json()["photos"] == []  # the listing's now
    async with httpx.AsyncClient(transport=client._transport, base_url="http://site") as stranger:
        public = await stranger.get(photo["url"])
        assert public.status_code == 200 and "immutable" in public.headers["cache-control"]
    page = await client.get(f"/listings/{listing['id']}")
    assert f'src="{photo["url"]}"' in page.text
    assert (await client.delete(f"/photos/{photo['id']}")).status_code == 404  # a listed photo stays


async def test_a_photo_can_be_taken_back_before_it_is_sent(site) -> None:
    client, _ = site
    photo = (await client.post("/photos", content=_jpeg(), headers={"content-type": "image/jpeg"})).json()
    assert (await client.delete(f"/photos/{photo['id']}")).status_code == 200
    assert (await client.get(photo["url"])).status_code == 404
    message = user("my bike")
    message["messages"][0]["parts"].append({"type": "file", "mediaType": "image/jpeg", "url": photo["url"]})
    refused = await client.post("/chat", json=message)
    assert refused.status_code == 400 and "no longer there" in refused.json()["detail"]


async def test_an_upload_that_is_not_a_photo_is_refused_in_words(site) -> None:
    client, _ = site
    for body, kind, status, detail in [
        (b"%PDF-1.4 not a photo", "image/png", 415, "not a photo we can read"),
        (b"", "image/png", 400, "empty"),
        (b"x" * (10 * 1024 * 1024 + 1), "image/jpeg", 413, "at most 10 MB"),
        (b"{}", "application/json", 415, "image type"),
    ]:
        response = await client.post("/photos", content=body, headers={"content-type": kind})
        assert response.status_code == status and detail in response.json()["detail"], (kind, response.text)


async def test_a_huge_listing_number_is_not_found_and_a_bad_address_is_explained(site) -> None:
    client, _ = site
    page = {"accept": "text/html"}
    huge = await client.get("/listings/99999999999999999999999", headers=page)
    assert huge.status_code == 404 and "Not found" in huge.text
    for number in ("-1", "0", "9223372036854775808"):  # numbers, but no category's: not "unavailable"
        category = await client.get("/", params={"category": number}, headers=page)
        assert category.status_code == 404 and f"There is no category {number}." in category.text
    word = await client.get("/listings/abc", headers=page)
    assert word.status_code == 404 and "Listing addresses end in the listing&#39;s number" in word.text
    assert "Input should be" not in word.text


async def test_a_listing_page_shows_its_category_path_and_similar_listings(site) -> None:
    client, _ = site
    found = await client.get("/", params={"q": "trek", "source": "seed"})
    listing_id = re.search(r'data-listing-id="(\d+)"', found.text).group(1)  # type: ignore[union-attr]
    page = (await client.get(f"/listings/{listing_id}")).text
    crumbs = re.findall(r'<li><a href="/\?category=(\d+)"[^>]*>([^<]+)</a>', page)
    assert [name for _, name in crumbs][:3] == ["Sporting Goods", "Outdoor Recreation", "Cycling"]
    similar = page.split('id="similar"', 1)[1]
    assert 1 <= similar.count('class="card"') <= 4 and f'data-listing-id="{listing_id}"' not in similar
    assert "/static/no-photo.svg" in page and "<time datetime=" in page


async def test_the_message_box_takes_what_the_agent_accepts(site) -> None:
    from agent.session import MAX_MESSAGE_CHARS

    client, _ = site
    page = (await client.get("/sell")).text
    assert f'maxlength="{MAX_MESSAGE_CHARS}"' in page


async def test_a_script_that_slipped_into_a_page_is_not_allowed_by_hash() -> None:
    """Only the docs page's own inline scripts are allowed: any other page that somehow carries one (a
    seller's text rendered unescaped by mistake) gets the plain policy, so the browser refuses to run it."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from web.security import DEFAULT_POLICY, SecurityHeaders

    async def page(request: object) -> HTMLResponse:
        return HTMLResponse("<p>Lamp</p><script>alert(document.cookie)</script>")

    app = SecurityHeaders(Starlette(routes=[Route("/listings/1", page), Route("/api/docs", page)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client:
        listing = await client.get("/listings/1")
        docs = await client.get("/api/docs")
    assert listing.headers["content-security-policy"] == DEFAULT_POLICY
    assert "sha256-" not in listing.headers["content-security-policy"]
    assert "sha256-" in docs.headers["content-security-policy"]


async def test_sell_something_like_it_starts_the_message_from_that_listing(site) -> None:
    client, _ = site
    found = await client.get("/", params={"q": "trek", "source": "seed"})
    listing_id = re.search(r'data-listing-id="(\d+)"', found.text).group(1)  # type: ignore[union-attr]
    listing = (await client.get(f"/api/listings/{listing_id}")).json()
    page = (await client.get(f"/listings/{listing_id}")).text
    assert f'href="/sell?like={listing_id}"' in page
    sell = (await client.get("/sell", params={"like": listing_id})).text
    box = re.search(r'<textarea id="message"[^>]*>([^<]*)</textarea>', sell).group(1)  # type: ignore[union-attr]
    assert html.unescape(box) == f"I want to sell my {listing['title']}, condition: "
    assert (await client.get("/sell")).text.count("</textarea>") == 1
    assert re.search(r'<textarea id="message"[^>]*></textarea>', (await client.get("/sell")).text)
    gone = await client.get("/sell", params={"like": 99999999})
    assert gone.status_code == 200 and "not on the site any more" in gone.text
    word = await client.get("/sell", params={"like": "abc"}, headers={"accept": "text/html"})
    assert word.status_code == 422 and "like /sell?like=123" in word.text


async def test_a_listing_title_is_escaped_in_the_message_box(site) -> None:
    client, _ = site
    await client.post("/chat", json=user("I want to sell my IKEA desk, good condition"))
    (draft,) = (await client.get("/chat/state")).json()["pending"]
    hostile = "Desk lamp </textarea><script>alert(1)</script>"
    done = await client.post(
        "/chat", json=approve_with(draft["call_id"], {**draft["args"], "title": hostile})
    )
    (listing,) = [c["output"] for c in chunks(done.text) if c["type"] == "tool-output-available"]
    assert listing["title"] == hostile
    listing_id = listing["id"]
    sell = (await client.get("/sell", params={"like": listing_id})).text
    assert "<script>alert(1)" not in sell and "&lt;/textarea&gt;&lt;script&gt;" in sell
