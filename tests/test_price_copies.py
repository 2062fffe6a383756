"""A marketplace whose ads are each posted many times prices an item as the same marketplace with each ad
posted once (the issue "The marketplace at a million listings"): reading stops as it does at any size, and
a category of many listings but few ads borrows its parent's as one of few listings does. On SQLite, and on
PostgreSQL when `TROVA_TEST_POSTGRES_URL` is set (tests/databases.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import marketplace.app as app_module
from marketplace import retrieval
from marketplace.app import create_app
from marketplace.db import CategoryTreeRow, ListingRow, SellerRow
from tests.databases import backend_db_url, postgres_template

db_url = backend_db_url
__all__ = ["db_url", "postgres_template"]

LONG_AGO = datetime(2016, 1, 1, tzinfo=UTC)  # sellers old enough to weigh fully (`marketplace.trust`)


def repost(url: str, category_ids: list[int], times: int, title: str | None = None) -> None:
    """Every listing under these categories (titled `title`, when given) posted `times` more times, word for
    word, each copy by another long-registered seller (so no seller's share is capped: only the ads' count
    tells the copies apart)."""
    app = create_app(url, rate_limits=None)
    market = app.state.market
    try:
        with market.sessions() as session:
            under = select(CategoryTreeRow.descendant_id).where(CategoryTreeRow.ancestor_id.in_(category_ids))
            chosen = select(ListingRow).where(ListingRow.category_id.in_(under))
            if title is not None:
                chosen = chosen.where(ListingRow.title == title)
            originals = session.scalars(chosen).all()
            sellers = [
                SellerRow(id=f"repost-{k}", name="Reposter", created_at=LONG_AGO) for k in range(times)
            ]
            session.add_all(sellers)
            session.flush()
            copies = [
                ListingRow(
                    seller_id=seller.id,
                    title=row.title,
                    description="",
                    category_id=row.category_id,
                    condition=row.condition,
                    price=row.price,
                    created_at=LONG_AGO,
                )
                for row in originals
                for seller in sellers
            ]
            market.add_listings(session, copies)
            session.commit()
    finally:
        market.engine.dispose()


@contextmanager
def client(url: str) -> Iterator[TestClient]:
    app = create_app(url, rate_limits=None)
    try:
        with TestClient(app, base_url="http://marketplace.test") as c:
            yield c
    finally:
        app.state.market.engine.dispose()


def compare(url: str, category_id: int, q: str) -> dict[str, object]:
    with client(url) as c:
        body = c.get("/prices/compare", params={"category_id": category_id, "q": q, "condition": "good"})
        assert body.status_code == 200, body.text
        found: dict[str, object] = body.json()
        return found


AMPLIFIERS, INSTRUMENT_ACCESSORIES, BLANK_MEDIA, CARS = 56, 55, 367, 916


def test_a_category_of_many_listings_but_few_ads_borrows_its_parents_as_one_of_few_listings_does(
    db_url: str,
) -> None:
    # Musical Instrument Amplifiers holds two ads: too few to price from, so an amplifier is compared with
    # the like titles of its parent category. Each ad posted six more times makes 14 listings, still two ads:
    # the comparison borrows the parent's listings the same way, and suggests the same price.
    item = "Fender Champion Amplifier"
    once = compare(db_url, AMPLIFIERS, item)
    assert once["scope_path"].endswith("Musical Instrument & Orchestra Accessories")  # type: ignore[union-attr]
    repost(db_url, [INSTRUMENT_ACCESSORIES], 6)
    again = compare(db_url, AMPLIFIERS, item)
    assert (again["scope_path"], again["suggested_price"]) == (once["scope_path"], once["suggested_price"])
    assert again["count"] == 7 * once["count"]  # the same like titles of the parent, each posted 7 times


def test_reading_that_reaches_the_widest_preference_counts_in_ads(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blank Media holds four ads, one of them a Panasonic: no word tier is enough, so the item is priced from
    # the whole category. Posted seven more times each, every preference read holds more listings than a
    # probe (6 here), so each is judged on a probe; the widening limit (1 here) is reached at the whole
    # category, the last preference: nothing was left unread, so the comparison counts in ads as at the
    # seed's size, not in listings (where the Panasonic ad's copies would make a tier of their own).
    monkeypatch.setattr(retrieval, "PROBE", 6)
    monkeypatch.setattr(retrieval, "WIDENINGS", 1)
    item = "Panasonic Micro"
    once = compare(db_url, BLANK_MEDIA, item)
    assert once["message"].startswith(f"{once['count']} comparable listings (all listings")  # type: ignore[union-attr]
    repost(db_url, [BLANK_MEDIA], 7)
    again = compare(db_url, BLANK_MEDIA, item)
    assert "(all listings in the category)" in again["message"]  # type: ignore[operator]
    assert again["suggested_price"] == pytest.approx(once["suggested_price"], rel=0.1)


def test_a_comparison_that_finds_its_scope_few_ads_reads_each_scopes_statistics_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The amplifiers' ads posted six more times: the first comparison reads Amplifiers, finds it holds two
    # ads however many listings, and goes on to the parent. It goes on from there, within the same snapshot:
    # Amplifiers' counts are not read again on the way (they cost a statement each on PostgreSQL).
    repost(db_url, [INSTRUMENT_ACCESSORIES], 6)
    reads: list[int] = []
    real = app_module.scope_stats

    def counted(
        session: Session, category_id: int, tokens: Iterable[str] | None = None
    ) -> retrieval.ScopeStats:
        reads.append(category_id)
        return real(session, category_id, tokens)

    monkeypatch.setattr(app_module, "scope_stats", counted)
    found = compare(db_url, AMPLIFIERS, "Fender Champion Amplifier")
    assert found["scope_path"].endswith("Musical Instrument & Orchestra Accessories")  # type: ignore[union-attr]
    assert reads == [AMPLIFIERS, INSTRUMENT_ACCESSORIES]


def test_preferences_that_match_only_listings_read_before_spend_no_widening(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One ad, '87 Monte Carlo LS', posted seven more times: its eight listings are every match of the item's
    # words with '87', of some of its words with '87', and of '87' alone, each more than a probe (6 here).
    # The second and third read only the first's listings again: they do not widen the reading, so they do
    # not spend the widening budget (1 here), and reading goes on to the titles of other Monte Carlos, as
    # at the seed's size, instead of stopping and pricing the car from one ad's copies (at 1M listings, $65
    # against the seed's $1,750).
    monkeypatch.setattr(retrieval, "PROBE", 6)
    monkeypatch.setattr(retrieval, "WIDENINGS", 1)
    item = "87 Monte Carlo LS"
    repost(db_url, [CARS], 7, title=item)
    app = create_app(db_url, rate_limits=None)
    try:
        with app.state.market.sessions() as session:
            found = retrieval.comparable_candidates(session, CARS, item, require_similar=False)
    finally:
        app.state.market.engine.dispose()
    others = {c.title for c in found.pool if c.title != item}
    assert any("monte carlo" in t.lower() for t in others), others
