"""The site answers hostile bodies with a 4xx: half a character (a lone surrogate) in any JSON field is a
422 naming the field; a body larger than the endpoint can use is refused before it is parsed (and, on
the feedback endpoint, without a session it is not read at all)."""

from __future__ import annotations

import json

import httpx
import pytest

from .test_web_api import site, user  # noqa: F401  (the fixture)

JSON = {"content-type": "application/json"}


async def _with_a_turn(client: httpx.AsyncClient) -> None:
    assert (await client.post("/chat", json=user("I want to sell my Trek road bike"))).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"rating": "up", "comment": "great \\ud800 agent"}', "comment"),
        (b'{"rating": "\\udfff"}', "rating"),
        (b'{"rating": "up", "comment": "ok", "conversation_id": "\\ud83d"}', "conversation_id"),
    ],
)
async def test_a_lone_surrogate_in_feedback_is_a_422_naming_the_field(site, body: bytes, field: str) -> None:  # noqa: F811
    client, store = site
    await _with_a_turn(client)
    answer = await client.post("/feedback", content=body, headers=JSON)
    assert answer.status_code == 422 and answer.json()["fields"] == {field: answer.json()["fields"][field]}
    assert field in answer.json()["detail"] and "surrogate" in answer.json()["detail"]
    assert store.rows() == []


async def test_a_lone_surrogate_in_a_chat_message_is_a_422_and_the_chat_goes_on(site) -> None:  # noqa: F811
    client, _ = site
    body = json.dumps(user("sell my bike \ud800")).encode()  # json.dumps writes it as the \ud800 escape
    answer = await client.post("/chat", content=body, headers=JSON)
    assert answer.status_code == 422 and "messages.0.parts.0.text" in answer.json()["fields"]
    # A pair is one character (an emoji): fine.
    fine = await client.post(
        "/chat", content=json.dumps(user("sell my bike \U0001f6b2")).encode(), headers=JSON
    )
    assert fine.status_code == 200


async def test_a_body_too_large_is_refused_before_it_is_read(site) -> None:  # noqa: F811
    client, _ = site
    await _with_a_turn(client)
    big = b'{"rating": "up", "comment": "' + b"x" * (200 * 1024) + b'"}'
    declared = await client.post("/feedback", content=big, headers=JSON)
    assert declared.status_code == 413 and "too large" in declared.json()["detail"]

    async def chunked():  # no Content-Length: counted as it comes
        for i in range(0, len(big), 8192):
            yield big[i : i + 8192]

    streamed = await client.post("/feedback", content=chunked(), headers=JSON)
    assert streamed.status_code == 413


async def test_feedback_without_a_session_is_refused_before_its_body_is_read(site) -> None:  # noqa: F811
    client, _ = site
    # Not JSON at all, and not small: were it parsed, this would be a 422 describing it.
    answer = await client.post("/feedback", content=b"{" * 60_000, headers=JSON)
    assert answer.status_code == 409 and answer.json() == {"detail": "no conversation to rate yet"}
