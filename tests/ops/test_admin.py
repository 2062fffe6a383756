"""/admin without a browser: the token (401 without it), sign-in, forms that need the page's own form
key, the dashboard's figures and links, the review form and "add to eval set", sellers' words escaped."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml

from cli.review import scenario_writer
from tests.ops.traffic import Faults, Traffic, build_site, sellers
from traces.setup import configure_tracing, disable_tracing, flush
from web.admin import admin_token

TOKEN = "test-admin-token"  # build_site's
HTML = {"accept": "text/html"}


@pytest.fixture
async def admin(
    db_url: str, trova_home: Path, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    configure_tracing("test")
    faults = Faults()
    site = build_site(db_url, faults, trova_home, scenario_writer=scenario_writer(tmp_path / "scenarios"))
    traffic = Traffic(site, faults)
    seller = sellers(1)[0]
    # Whole tags are dropped from a message at the session boundary; an unclosed one is words, which every
    # page must escape.
    seller.first = "I want to sell my Trek road bike <3 <b onmouseover=alert(1) x"
    seller.approves = False
    conversation = await traffic.talk(seller, rating="down")
    flush()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://site") as client:
        yield client, conversation
    disable_tracing()


async def test_admin_pages_need_the_token(admin) -> None:
    client, conversation = admin
    for path in (
        "/admin",
        "/admin/review",
        f"/admin/review/{conversation}",
        "/admin/conversations?start=0&end=1",
    ):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 401 and "Admin sign-in" in page.text, path
        api = await client.get(path)
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        assert (await client.get(path, headers={"authorization": "Bearer wrong"})).status_code == 401
    assert (
        await client.post(f"/admin/review/{conversation}", data={"verdict": "bad", "csrf": "x"})
    ).status_code == 401
    assert (await client.get("/admin", headers={"authorization": f"Bearer {TOKEN}"})).status_code == 200
    wrong = await client.post("/admin/login", data={"token": "nope", "next": "/admin"})
    assert wrong.status_code == 401 and "not the admin token" in wrong.text
    signed = await client.post("/admin/login", data={"token": TOKEN, "next": "//evil.example/"})
    assert signed.status_code == 303 and signed.headers["location"] == "/admin"  # never off the site
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and TOKEN not in cookie
    assert (await client.get("/admin")).status_code == 200


def test_a_token_is_generated_when_none_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TROVA_ADMIN_TOKEN", raising=False)
    first, generated = admin_token()
    assert generated and len(first) >= 32 and admin_token()[0] != first
    monkeypatch.setenv("TROVA_ADMIN_TOKEN", "chosen-and-long-enough")
    assert admin_token() == ("chosen-and-long-enough", False)


async def test_dashboard_review_and_add_to_eval_set(admin, tmp_path: Path) -> None:
    client, conversation = admin
    await client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    dashboard = await client.get("/admin", params={"period": "1h"})
    assert dashboard.status_code == 200
    assert dashboard.text.count('<svg class="chart"') == 6
    links = re.findall(r'href="(/admin/conversations\?[^"]+)"', dashboard.text)
    assert links
    behind = await client.get(links[-1].replace("&amp;", "&"))  # the latest bar: this conversation
    assert conversation in behind.text
    assert (await client.get("/admin", params={"period": "1y"})).status_code == 422
    filtered = await client.get("/admin", params={"period": "1h", "model": "nothing-like-it"})
    assert '<div class="value">–</div>' in filtered.text or ">0<" in filtered.text
    assert "No turns of model &#39;nothing-like-it&#39; in the store; its models: offline" in filtered.text
    assert "No turns of" not in dashboard.text

    queue = await client.get("/admin/review")
    assert conversation in queue.text and "thumbs down" in queue.text
    form = await client.get(f"/admin/review/{conversation}")
    assert "<b onmouseover" not in form.text and "&lt;b onmouseover=alert(1) x" in form.text
    assert "search_categories" in form.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
    assert csrf
    fields = {
        "verdict": "bad",
        "tags": ["bad_price"],
        "price_min": "100",
        "price_max": "200",
        "note": "too high",
    }
    stale = await client.post(f"/admin/review/{conversation}", data={**fields, "csrf": "0" * 64})
    assert stale.status_code == 403
    invalid = await client.post(
        f"/admin/review/{conversation}", data={**fields, "price_max": "50", "csrf": csrf.group(1)}
    )
    assert invalid.status_code == 422 and "low end is above" in invalid.text
    # Named by the form's label, in plain words: not pydantic's "review: Value error, ..."
    assert "Acceptable price: the price range" in invalid.text and "Value error" not in invalid.text
    added = await client.post(
        f"/admin/review/{conversation}", data={**fields, "action": "add", "csrf": csrf.group(1)}
    )
    assert added.status_code == 200 and "Scenario written" in added.text
    (path,) = (tmp_path / "scenarios").glob("*.yaml")
    assert yaml.safe_load(path.read_text())["expect"]["listing"]["price"] == {"between": [100.0, 200.0]}
    assert str(path) in added.text
    assert conversation not in (await client.get("/admin/review")).text  # reviewed: off the queue


def test_tool_arguments_read_as_written_and_deceptive_characters_as_escapes() -> None:
    from web.readable import readable_json

    shown = readable_json({"path": "Sporting Goods > Cycling", "title": "Kid's 🚲 אופניים", "n": 3})
    assert shown == '{"path": "Sporting Goods > Cycling", "title": "Kid\'s 🚲 אופניים", "n": 3}'
    # What would reorder or hide text on the page, or cannot be sent as UTF-8 at all, stays visible.
    hostile = readable_json({"title": "Trek \u202eekib\u202c\u200b\ud800\x85\n"})
    assert hostile == '{"title": "Trek \\u202eekib\\u202c\\u200b\\ud800\\u0085\\n"}'
    hostile.encode("utf-8")


async def test_a_category_no_path_holds_is_refused_before_anything_is_kept(admin, tmp_path: Path) -> None:
    """As `trova review record --category` refuses it: a scenario expecting it could never pass."""
    client, conversation = admin
    await client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    form = await client.get(f"/admin/review/{conversation}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
    assert csrf
    fields = {"verdict": "bad", "tags": ["wrong_category"], "csrf": csrf.group(1)}
    refused = await client.post(
        f"/admin/review/{conversation}", data={**fields, "category": "Bicycels", "action": "add"}
    )
    assert refused.status_code == 422
    assert "Right category: &#39;Bicycels&#39; is in no category&#39;s name or path" in refused.text
    assert "did you mean &#39;Bicycles&#39;" in refused.text
    assert not list((tmp_path / "scenarios").glob("*.yaml"))
    assert conversation in (await client.get("/admin/review")).text  # nothing kept: still to review
    added = await client.post(
        f"/admin/review/{conversation}", data={**fields, "category": "Bicycles", "action": "add"}
    )
    assert added.status_code == 200 and "Scenario written" in added.text
    (path,) = (tmp_path / "scenarios").glob("*.yaml")
    assert yaml.safe_load(path.read_text())["expect"]["listing"]["category_path"] == {"contains": "Bicycles"}


async def test_the_reviewer_reads_what_the_seller_said(admin, trova_home: Path) -> None:
    """A thumbs-down is queued for its comment: the review page and `trova review list` show it (and the
    fields the seller changed, and a start-over), the seller's words as text."""
    from typer.testing import CliRunner

    from agent.draft_changes import FieldChange
    from cli.main import app
    from ops.feedback import FeedbackStore

    client, conversation = admin
    feedback = FeedbackStore(trova_home / "trova.db")
    feedback.rate(conversation, -1, "<img src=x onerror=alert(1)> priced at double the others")
    feedback.revision(conversation, [FieldChange("price", 220.0, 95), FieldChange("category_id", 1026, 1025)])
    feedback.start_over(conversation, pending_drafts=1)
    await client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    page = (await client.get(f"/admin/review/{conversation}")).text
    said = page[page.index("What the seller said") : page.index("Transcript")]
    assert "Thumbs down" in said and "&lt;img src=x onerror=alert(1)&gt; priced at double the others" in said
    assert "<img" not in said
    # A price as the site prints money, a category by its name: not "220.0 → 95", not bare ids.
    assert 'Changed in words: price <q dir="auto">$220</q> → <q dir="auto">$95</q>' in said
    assert 'Changed in words: category <q dir="auto">Bicycles</q> → <q dir="auto">Cycling</q>' in said
    assert "Started over (1 draft left unanswered)" in said

    listed = CliRunner().invoke(app, ["review", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if conversation in line)
    assert "👎 “<img src=x onerror=alert(1)> priced at double the others”; price $220 → $95" in row
    assert "category Bicycles → Cycling" in " ".join(listed.output.split()), listed.output


async def test_control_characters_a_seller_or_reviewer_typed_reach_no_page_as_themselves(
    admin, trova_home: Path
) -> None:
    """A comment or a note with an escape sequence or a bell (`trova feedback add -c`, `trova review record
    --note` take any text) was put into the review page raw: `curl` of the page cleared a terminal. Every
    value a page shows now has its control characters as visible escapes, as the terminal does."""
    from ops.feedback import FeedbackStore
    from ops.review import Review, ReviewQueue
    from ops.store import OpsStore

    client, conversation = admin
    FeedbackStore(trova_home / "trova.db").rate(conversation, -1, "bad \x1b[2J\x07 price \u202eevil")
    note = Review.model_validate({"verdict": "bad", "note": "cheap \x1b]0;owned\x07 <script>"})
    ReviewQueue(OpsStore(trova_home / "trova.db")).record(conversation, note)
    await client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    page = (await client.get(f"/admin/review/{conversation}")).text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", page)
    assert "bad \\x1b[2J\\x07 price \\u202eevil" in page
    assert "cheap \\x1b]0;owned\\x07 &lt;script&gt;" in page


async def test_the_conversations_page_opened_by_hand_shows_the_last_day(admin) -> None:
    # Opened without a chart bar's period it was the site's "that address does not look right" page, its
    # sentence said twice (once per missing parameter).
    client, conversation = admin
    await client.post("/admin/login", data={"token": TOKEN, "next": "/admin"})
    plain = await client.get("/admin/conversations", headers=HTML)
    assert plain.status_code == 200 and conversation in plain.text
    bad = await client.get("/admin/conversations?start=abc&end=xyz", headers=HTML)
    assert bad.status_code == 422
    assert bad.text.count("Part of this address doesn&#39;t look right.") == 1, bad.text
    half = await client.get("/admin/conversations?start=5", headers=HTML)
    assert half.status_code == 422 and "start and end" in half.text, half.text
