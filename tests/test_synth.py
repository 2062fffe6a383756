"""`trova data synth`: the synthetic marketplace that the scale figures are measured on. Its copies must be
reproducible, replace an earlier build, and be spread over many long-registered sellers as on a real site
(a comparison caps each seller's weight, so copies under one seller would leave the prices to the seed). On
SQLite, and PostgreSQL (its COPY path) when `TROVA_TEST_POSTGRES_URL` is set."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.app import create_app
from marketplace.db import ListingRow, SellerRow, make_engine
from marketplace.synth import SELLERS_SINCE, SYNTH_SELLER_PREFIX, synthesize
from tests.databases import backend_db_url, postgres_template

db_url = backend_db_url
__all__ = ["db_url", "postgres_template"]

COPIES = 3_000
BIKES = 1026


def suggestion(url: str, item: str) -> float:
    app = create_app(url)
    try:
        with TestClient(app, base_url="http://market") as http:
            body = http.get("/prices/compare", params={"category_id": BIKES, "q": item, "condition": "good"})
            assert body.status_code == 200, body.text
            value = body.json()["suggested_price"]
            assert isinstance(value, int | float), body.json()
            return float(value)
    finally:
        app.state.market.engine.dispose()


def test_copies_are_spread_over_aged_sellers_reproducibly_and_keep_the_prices(db_url: str) -> None:
    before = suggestion(db_url, "Trek road bike")
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            seed = session.scalar(select(func.count()).select_from(ListingRow)) or 0
        report = synthesize(engine, seed + COPIES)
        assert (report.synthetic, report.total) == (COPIES, seed + COPIES)
        with Session(engine) as session:
            owners = Counter(
                session.scalars(
                    select(ListingRow.seller_id).where(ListingRow.seller_id.startswith(SYNTH_SELLER_PREFIX))
                )
            )
            first = session.execute(
                select(ListingRow.id, ListingRow.title).order_by(ListingRow.id.desc())
            ).all()
            since = session.scalars(
                select(SellerRow.created_at).where(SellerRow.id.startswith(SYNTH_SELLER_PREFIX))
            ).all()
        assert sum(owners.values()) == COPIES
        assert (
            len(owners) >= COPIES // 8 and max(owners.values()) <= 20
        )  # a few listings each, as on a real site
        assert since and max(since) <= SELLERS_SINCE  # registered long ago: full weight in comparisons

        again = synthesize(engine, seed + COPIES)  # the same build replaces the earlier copies, identically
        with Session(engine) as session:
            total = session.scalar(select(func.count()).select_from(ListingRow))
            second = session.execute(
                select(ListingRow.id, ListingRow.title).order_by(ListingRow.id.desc())
            ).all()
        assert again.synthetic == COPIES and total == seed + COPIES
        assert [title for _, title in second] == [title for _, title in first]
    finally:
        engine.dispose()
    after = suggestion(db_url, "Trek road bike")
    assert abs(after - before) <= 0.1 * before, (before, after)  # copies of the seed ±20%: the same market


def test_the_report_counts_the_sellers_listings_it_keeps(db_url: str) -> None:
    app = create_app(db_url)
    try:
        with TestClient(app, base_url="http://market") as http:
            token = http.post("/sellers", json={"name": "Ada"}).json()["token"]
            listing = {
                "title": "Oak desk lamp",
                "description": "Works.",
                "category_id": BIKES,
                "condition": "good",
                "price": 20,
                "currency": "USD",
            }
            made = http.post("/listings", json=listing, headers={"Authorization": f"Bearer {token}"})
            assert made.status_code == 201, made.text
    finally:
        app.state.market.engine.dispose()
    engine = make_engine(db_url)
    try:
        report = synthesize(engine, 10)  # fewer than there are: no copies, everything kept
        with Session(engine) as session:
            total = session.scalar(select(func.count()).select_from(ListingRow))
        assert (report.total, report.synthetic, report.sellers) == (total, 0, 1)
    finally:
        engine.dispose()
