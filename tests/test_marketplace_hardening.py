"""The marketplace against a misbehaving agent, a lost answer, a flood and hostile input: the agent's token
saves drafts and publishes nothing; a publish needs the seller's grant for the exact content, and happens
once; a lost answer is settled by asking; registrations and creates are limited per client; every hostile
request is a documented 4xx. Each test runs on SQLite, and on PostgreSQL when one is configured."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from marketplace.app import create_app
from marketplace.guards import MAX_BODY
from marketplace.schemas import ErrorBody, ListingCreate, content_sha256
from settings.environment import RateLimits
from tests.conftest import BASE_URL
from tests.databases import backend_db_url, postgres_template
from tools.client import MarketplaceClient, MarketplaceError
from tools.publishing import DraftRef, Publisher

db_url = backend_db_url
__all__ = ["postgres_template"]

BIKE: dict[str, Any] = {
    "title": "Trek road bike",
    "description": "Trek FX 2, 2019, serviced last spring.",
    "category_id": 1026,  # Bicycles, a leaf
    "condition": "good",
    "price": 240,
}
HUGE = "99999999999999999999999"  # beyond 64 bits


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    app = create_app(db_url, rate_limits=None)
    yield app
    app.state.market.engine.dispose()


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(api: TestClient, name: str = "Ada") -> str:
    answer = api.post("/sellers", json={"name": name})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def agent_token_of(api: TestClient, seller: str) -> str:
    answer = api.post("/sellers/me/agent-tokens", headers=bearer(seller))
    assert answer.status_code == 201 and answer.json()["scope"] == "agent"
    return str(answer.json()["token"])


def sha_of(fields: dict[str, Any]) -> str:
    return content_sha256(ListingCreate.model_validate(fields))


def my_listings(api: TestClient, seller: str) -> list[dict[str, Any]]:
    seller_id = api.get("/sellers/me", headers=bearer(seller)).json()["seller_id"]
    return list(api.get("/listings", params={"seller_id": seller_id}).json()["items"])


def documented(api: TestClient, answer: httpx.Response, path: str, method: str) -> None:
    """The answer's status is in the OpenAPI document for this operation, and its body is `ErrorBody`."""
    operation = api.get("/openapi.json").json()["paths"][path][method]
    assert str(answer.status_code) in operation["responses"], (path, method, answer.status_code)
    ErrorBody.model_validate(answer.json())


# 1. Least agency: the agent drafts, the seller publishes.


def test_the_agents_token_saves_drafts_and_can_publish_nothing(api: TestClient) -> None:
    seller = register(api)
    agent = bearer(agent_token_of(api, seller))
    refused = api.post("/listings", json=BIKE, headers=agent)
    assert refused.status_code == 403
    documented(api, refused, "/listings", "post")
    saved = api.post("/drafts", json=BIKE, headers={**agent, "Idempotency-Key": "k1"})
    assert saved.status_code == 201 and saved.json()["status"] == "draft"
    draft_id, sha256 = saved.json()["id"], saved.json()["content_sha256"]
    assert (
        api.post(f"/drafts/{draft_id}/grants", json={"content_sha256": sha256}, headers=agent).status_code
        == 403
    )
    assert api.post(f"/drafts/{draft_id}/publish", headers=agent).status_code == 403
    assert (
        api.post(f"/drafts/{draft_id}/publish", headers={**agent, "Publish-Grant": "grant_x"}).status_code
        == 403
    )
    assert (
        api.post("/sellers/me/agent-tokens", headers=agent).status_code == 403
    )  # no token of its own making
    assert my_listings(api, seller) == []
    # The same key and content again is the same draft, not a second one.
    again = api.post("/drafts", json=BIKE, headers={**agent, "Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json()["id"] == draft_id


def test_a_grant_publishes_the_approved_content_exactly_once(api: TestClient) -> None:
    seller = register(api)
    agent = bearer(agent_token_of(api, seller))
    draft = api.post("/drafts", json=BIKE, headers=agent).json()
    grants = f"/drafts/{draft['id']}/grants"
    assert draft["content_sha256"] == sha_of(BIKE)  # the client computes the same hash
    # A grant names the content the seller saw: another hash is refused.
    assert (
        api.post(
            grants, json={"content_sha256": sha_of({**BIKE, "price": 1})}, headers=bearer(seller)
        ).status_code
        == 409
    )
    grant = api.post(grants, json={"content_sha256": draft["content_sha256"]}, headers=bearer(seller)).json()[
        "grant"
    ]
    # The agent changes the draft after the seller approved it: that grant no longer publishes it.
    revised = api.put(f"/drafts/{draft['id']}", json={**BIKE, "price": 20}, headers=agent)
    assert revised.status_code == 200
    stale = api.post(f"/drafts/{draft['id']}/publish", headers={**bearer(seller), "Publish-Grant": grant})
    assert stale.status_code == 409 and my_listings(api, seller) == []
    # Approved as it is now: published, once, however often the publish is sent.
    fresh = api.post(
        grants, json={"content_sha256": revised.json()["content_sha256"]}, headers=bearer(seller)
    )
    publish = {**bearer(seller), "Publish-Grant": fresh.json()["grant"], "Idempotency-Key": "pub-1"}
    first = api.post(f"/drafts/{draft['id']}/publish", headers=publish)
    assert first.status_code == 201 and first.json()["price"] == 20
    second = api.post(f"/drafts/{draft['id']}/publish", headers=publish)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert [x["id"] for x in my_listings(api, seller)] == [first.json()["id"]]
    assert api.get(f"/drafts/{draft['id']}", headers=agent).json()["listing_id"] == first.json()["id"]
    assert api.put(f"/drafts/{draft['id']}", json=BIKE, headers=agent).status_code == 409  # published: frozen


def test_a_draft_is_seen_by_its_seller_only(api: TestClient) -> None:
    ada, bob = register(api, "Ada"), register(api, "Bob")
    draft = api.post("/drafts", json=BIKE, headers=bearer(ada)).json()
    assert api.get(f"/drafts/{draft['id']}", headers=bearer(bob)).status_code == 404
    sha = {"content_sha256": draft["content_sha256"]}
    assert api.post(f"/drafts/{draft['id']}/grants", json=sha, headers=bearer(bob)).status_code == 404
    assert api.get(f"/drafts/{draft['id']}").status_code == 401
    assert api.get("/listings", params={"q": "Trek road bike", "source": "seller"}).json()["items"] == []


async def test_concurrent_publishes_of_one_draft_make_one_listing(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as api:
        seller = (await api.post("/sellers", json={"name": "Ada"})).json()["token"]
        draft = (await api.post("/drafts", json=BIKE, headers=bearer(seller))).json()
        grant = (
            await api.post(
                f"/drafts/{draft['id']}/grants",
                json={"content_sha256": draft["content_sha256"]},
                headers=bearer(seller),
            )
        ).json()["grant"]
        headers = {**bearer(seller), "Publish-Grant": grant}
        answers = await asyncio.gather(
            *(api.post(f"/drafts/{draft['id']}/publish", headers=headers) for _ in range(8))
        )
        made = {a.json()["id"] for a in answers if a.status_code in (200, 201)}
        assert [a.status_code for a in answers].count(201) == 1 and len(made) == 1
        assert all(a.status_code in (200, 201, 409) for a in answers)
        seller_id = (await api.get("/sellers/me", headers=bearer(seller))).json()["seller_id"]
        page = (await api.get("/listings", params={"seller_id": seller_id})).json()
        assert [x["id"] for x in page["items"]] == list(made)


# 2. A timeout is not a "no".


class _AnswerLost(httpx.AsyncBaseTransport):
    """The marketplace does the request, then its answer is lost (a read timeout) for the first `lose`
    requests whose path ends with `suffix`."""

    def __init__(self, app: FastAPI, suffix: str, lose: int = 1) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.suffix, self.lose = suffix, lose

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" and request.url.path.endswith(self.suffix) and self.lose:
            self.lose -= 1
            raise httpx.ReadTimeout("the answer never came", request=request)
        return response


def test_the_seller_asks_what_became_of_an_idempotency_key(api: TestClient) -> None:
    ada, bob = register(api, "Ada"), register(api, "Bob")
    made = api.post("/listings", json=BIKE, headers={**bearer(ada), "Idempotency-Key": "lost-1"}).json()
    found = api.get("/listings", params={"idempotency_key": "lost-1"}, headers=bearer(ada)).json()
    assert [x["id"] for x in found["items"]] == [made["id"]]
    assert (
        api.get("/listings", params={"idempotency_key": "other"}, headers=bearer(ada)).json()["items"] == []
    )
    assert (
        api.get("/listings", params={"idempotency_key": "lost-1"}, headers=bearer(bob)).json()["items"] == []
    )
    assert api.get("/listings", params={"idempotency_key": "lost-1"}).status_code == 401


def test_a_registration_sent_again_is_the_same_seller(api: TestClient) -> None:
    first = api.post("/sellers", json={"name": "Ada"}, headers={"Idempotency-Key": "reg-1"})
    again = api.post("/sellers", json={"name": "Ada"}, headers={"Idempotency-Key": "reg-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["seller_id"] == first.json()["seller_id"]
    assert api.get("/sellers/me", headers=bearer(again.json()["token"])).status_code == 200
    assert api.get("/sellers/me", headers=bearer(first.json()["token"])).status_code == 401  # the unseen one


async def test_a_create_whose_answer_was_lost_is_reported_as_posted(app: FastAPI) -> None:
    transport = _AnswerLost(app, "/listings")
    async with MarketplaceClient(BASE_URL, transport=transport, backoff=0.0) as client:
        client.token = (await client.register_seller("Ada")).token
        listing = await client.create_listing(ListingCreate.model_validate(BIKE), "create-1")
        assert transport.lose == 0  # the answer really was lost, and the listing found by its key
        page = await client.list_listings(seller_id=await client.whoami())
        assert [x.id for x in page.items] == [listing.id]


async def test_a_publish_whose_answer_was_lost_is_reported_as_posted(app: FastAPI) -> None:
    transport = _AnswerLost(app, "/publish")
    async with MarketplaceClient(BASE_URL, transport=transport, backoff=0.0) as client:
        client.token = (await client.register_seller("Ada")).token
        content = ListingCreate.model_validate(BIKE)
        draft = await client.create_draft(content, "draft-1")
        ref = DraftRef(draft_id=draft.id, content_sha256=draft.content_sha256)
        outcome = await Publisher(client).publish(ref, content, "publish-1")
        assert transport.lose == 0 and outcome.listing is not None and outcome.failure() is None
        page = await client.list_listings(seller_id=await client.whoami())
        assert [x.id for x in page.items] == [outcome.listing.id]


async def test_a_lost_answer_that_cannot_be_checked_is_unknown_not_a_no(app: FastAPI) -> None:
    class _Gone(_AnswerLost):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and not self.lose:
                raise httpx.ConnectError("down", request=request)  # the check cannot be made either
            return await super().handle_async_request(request)

    async with MarketplaceClient(BASE_URL, transport=_Gone(app, "/listings"), backoff=0.0) as client:
        client.token = (await client.register_seller("Ada")).token
        with pytest.raises(MarketplaceError) as lost:
            await client.create_listing(ListingCreate.model_validate(BIKE), "create-2")
        assert lost.value.kind == "unknown"


# 4. Registrations and creates are limited per client (the comparables' own robustness is pricing's).


def test_registrations_and_creates_are_limited_per_client_across_processes(db_url: str) -> None:
    limits = RateLimits(register=2, create=3)
    first, second = create_app(db_url, rate_limits=limits), create_app(db_url, rate_limits=limits)
    try:
        with (
            TestClient(first, base_url=BASE_URL, client=("203.0.113.7", 5000)) as a,
            TestClient(second, base_url=BASE_URL, client=("203.0.113.7", 5001)) as a_again,
            TestClient(first, base_url=BASE_URL, client=("198.51.100.9", 5000)) as b,
        ):
            token = register(a)
            register(a)
            refused = a_again.post("/sellers", json={"name": "Flood"})  # the other process knows
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
            documented(a, refused, "/sellers", "post")
            register(b)  # another client is not held back
            made = [a.post("/drafts", json=BIKE, headers=bearer(token)) for _ in range(3)]
            assert [m.status_code for m in made] == [201] * 3
            assert a_again.post("/listings", json=BIKE, headers=bearer(token)).status_code == 429
            # A retry of a draft saved before is an answer, not a new draft: not counted.
            key = {**bearer(token), "Idempotency-Key": "saved"}
            assert b.post("/drafts", json=BIKE, headers=key).status_code == 201
            assert a.post("/drafts", json=BIKE, headers=key).status_code == 200
    finally:
        first.state.market.engine.dispose()
        second.state.market.engine.dispose()


# 5. Hostile input gets a documented 4xx, never a 500 or a reset.


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (f"/listings/{HUGE}", {}),
        (f"/categories/{HUGE}", {}),
        ("/listings", {"offset": str(2**63)}),
        ("/listings", {"after": HUGE}),
        ("/listings", {"category_id": HUGE}),
        ("/prices/compare", {"category_id": HUGE, "item": "bike"}),
    ],
)
def test_integers_beyond_64_bits_are_a_422(api: TestClient, path: str, params: dict[str, str]) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 422, answer.text
    ErrorBody.model_validate(answer.json())


def test_ids_beyond_64_bits_in_drafts_are_a_4xx(api: TestClient) -> None:
    token = register(api)
    assert api.get(f"/drafts/{HUGE}", headers=bearer(token)).status_code == 422
    assert api.post(f"/drafts/{HUGE}/publish", headers=bearer(token)).status_code == 422


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/listings",
            '{"title": "Bike \\ud800", "category_id": 1026, "condition": "good", "price": 5}',
            "title",
        ),
        (
            "/drafts",
            '{"title": "Bike", "description": "\\udfff", "category_id": 1026, "condition": "good", "price": 5}',
            "description",
        ),
        ("/sellers", '{"name": "Ada \\ud83d"}', "name"),
    ],
)
def test_half_a_character_is_a_422_naming_the_field(
    api: TestClient, path: str, body: str, field: str
) -> None:
    token = register(api)
    answer = api.post(path, content=body, headers={**bearer(token), "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", field]
    documented(api, answer, path, "post")


def test_a_title_of_invisible_characters_is_refused_like_an_empty_one(api: TestClient) -> None:
    token = register(api)
    for title in ("\u200b\u200b\u200b", "\u2060\ufeff"):
        answer = api.post("/listings", json={**BIKE, "title": title}, headers=bearer(token))
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "title"]


def test_a_large_body_is_refused_before_it_is_parsed_and_never_echoed(api: TestClient) -> None:
    token = register(api)
    big = '{"title": "' + "x" * (MAX_BODY * 4) + '"}'
    for headers in ({}, bearer(token)):
        answer = api.post("/listings", content=big, headers={**headers, "Content-Type": "application/json"})
        assert answer.status_code == 413 and len(answer.content) < 500
    # No token, no parsing: a small bad body without a token is a 401, not a 422 about the body.
    unauthenticated = api.post(
        "/listings", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert unauthenticated.status_code == 401
    documented(api, unauthenticated, "/listings", "post")
    # A bad body with a token is a 422 that lists the problem and does not repeat what was sent.
    bad = api.post("/listings", json={**BIKE, "price": "x" * 5000}, headers=bearer(token))
    assert bad.status_code == 422 and "x" * 100 not in bad.text
    documented(api, bad, "/listings", "post")


def test_the_documented_price_bound_is_the_servers(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()["components"]["schemas"]["ListingCreate"]["properties"]["price"]
    bound = next(v for k, v in schema.items() if k in ("maximum", "exclusiveMaximum"))
    token = register(api)
    over = api.post("/listings", json={**BIKE, "price": bound + 1}, headers=bearer(token))
    assert over.status_code == 422
    at = api.post("/listings", json={**BIKE, "price": bound - 1}, headers=bearer(token))
    assert at.status_code == 201, at.text


def test_behind_a_trusted_proxy_each_seller_is_limited_by_their_own_address(db_url: str) -> None:
    """`trova serve` runs uvicorn with proxy headers from `--forwarded-allow-ips`: behind that proxy every
    request comes from one address, yet the limit applies to each seller's forwarded address; a proxy that
    is not trusted cannot pick addresses to escape the limit."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    app = create_app(db_url, rate_limits=RateLimits(register=1, create=3))
    served = ProxyHeadersMiddleware(app, trusted_hosts="10.0.0.2")
    try:
        with (
            TestClient(served, base_url=BASE_URL, client=("10.0.0.2", 4000)) as proxy,
            TestClient(served, base_url=BASE_URL, client=("192.0.2.50", 4000)) as stranger,
        ):

            def via_proxy(seller: str) -> int:
                sent = proxy.post("/sellers", json={"name": "Ada"}, headers={"X-Forwarded-For": seller})
                return sent.status_code

            assert via_proxy("203.0.113.7") == 201
            assert via_proxy("203.0.113.7") == 429  # the same seller behind the proxy: limited
            assert via_proxy("198.51.100.9") == 201  # another seller behind the same proxy: not
            spoofed = [
                stranger.post(
                    "/sellers", json={"name": "Flood"}, headers={"X-Forwarded-For": f"198.18.0.{i}"}
                )
                for i in range(2)
            ]
            assert [s.status_code for s in spoofed] == [201, 429]  # its header is ignored: its own address
    finally:
        app.state.market.engine.dispose()
