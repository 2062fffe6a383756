"""A mistyped or mangled address: a page's bad path parameter is the site's 404 page whoever asks (a browser,
curl), and no error, page or JSON, site or API, repeats what was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from agent.models import resolve_model
from agent.prompts import load_prompt
from marketplace.app import create_app
from web.feedback import FeedbackStore
from web.site import create_site

MARK = "zzqxmark"  # sent in every bad address below; no answer may contain it


@pytest.fixture
async def client(db_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    feedback = FeedbackStore(tmp_path / "feedback.db")
    app = create_site(
        create_app(db_url), resolve_model("offline"), load_prompt(), feedback=feedback, admin_token="t0ken"
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as c:
        yield c


@pytest.mark.parametrize("accept", [None, "*/*", "text/html", "text/html,application/xhtml+xml"])
async def test_a_page_address_with_a_bad_id_is_the_sites_404_page(client, accept: str | None) -> None:
    headers = {"accept": accept} if accept else {}
    for path in (f"/listings/{MARK}", "/listings/1.5", f"/listings/{MARK}?x=1"):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 404, (path, accept, answer.text)
        assert answer.headers["content-type"].startswith("text/html") and "<html" in answer.text
        assert "Not found" in answer.text and "Listing addresses end in the listing" in answer.text
        assert MARK not in answer.text and '"input"' not in answer.text
    head = await client.head(f"/listings/{MARK}")
    assert head.status_code == 404


async def test_a_script_asking_for_json_gets_a_json_404_without_the_input(client) -> None:
    answer = await client.get(f"/listings/{MARK}", headers={"accept": "application/json"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/json")
    assert MARK not in answer.text and answer.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"/?page={MARK}",
        f"/?category={MARK}",
        f"/sell?like={MARK}",
        f"/api/listings/{MARK}",
        f"/api/listings?limit={MARK}",
        f"/api/categories/{MARK}",
    ],
)
@pytest.mark.parametrize("accept", [None, "application/json", "text/html"])
async def test_no_validation_error_repeats_what_was_sent(client, path: str, accept: str | None) -> None:
    headers = {"accept": accept} if accept else {}
    answer = await client.get(path, headers=headers)
    assert answer.status_code in (404, 422), (path, answer.status_code, answer.text)
    assert MARK not in answer.text and '"input"' not in answer.text, (path, accept, answer.text)


async def test_admin_pages_do_not_repeat_a_bad_address(client) -> None:
    auth = {"authorization": "Bearer t0ken"}
    for path in (f"/admin/review/{MARK}", f"/admin/experiments/{MARK}"):
        for accept in (None, "text/html", "application/json"):
            headers = auth | ({"accept": accept} if accept else {})
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 404 and MARK not in answer.text, (path, accept, answer.text)
    query = await client.get(f"/admin/conversations?start={MARK}&end=1", headers=auth)
    assert query.status_code == 422 and MARK not in query.text and '"input"' not in query.text
