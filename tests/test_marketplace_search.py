"""The marketplace's database side: the full-text index and statistics kept on every write, candidates for
comparables read from the index (bounded, sampled), title search and keyset pages, migrations. On SQLite,
and on PostgreSQL when `TROVA_TEST_POSTGRES_URL` is set (tests/databases.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text

from marketplace import retrieval
from marketplace.app import create_app
from marketplace.cache import BoundedCache
from marketplace.conditions import Condition
from marketplace.db import CategoryStatsRow, CategoryTreeRow, ListingRow, TermStatsRow, make_engine
from marketplace.migrations import HEAD, current_revision, migrate
from marketplace.pricing import Candidate, select_comps
from marketplace.search_index import title_terms
from marketplace.seeding import ensure_seeded
from tests.databases import backend_db_url, postgres_template

db_url = backend_db_url
__all__ = ["db_url", "postgres_template"]

BIKES, CYCLING, SPORTING_GOODS, CARS = 1026, 1025, 988, 916


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _create(http: httpx.Client, token: str, title: str, price: float = 150, category_id: int = BIKES) -> dict:
    body = {
        "title": title,
        "description": "Ridden on weekends.",
        "category_id": category_id,
        "condition": "good",
        "price": price,
    }
    response = http.post("/listings", json=body, headers=auth(token))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def engine(market_app: FastAPI) -> Engine:
    return market_app.state.market.engine  # type: ignore[no-any-return]


def test_a_new_listing_is_indexed_and_counted_in_its_own_transaction(
    http: httpx.Client, seller_token: str, engine: Engine
) -> None:
    with engine.connect() as c:
        before = c.execute(select(CategoryStatsRow).where(CategoryStatsRow.category_id == BIKES)).one()
        df = c.scalar(
            select(TermStatsRow.df).where(TermStatsRow.term == "zyxwv", TermStatsRow.category_id == BIKES)
        )
    assert df is None
    made = _create(http, seller_token, "Zyxwv gravel bikes")
    with engine.connect() as c:
        after = c.execute(select(CategoryStatsRow).where(CategoryStatsRow.category_id == BIKES)).one()
        terms = c.scalar(select(ListingRow.terms).where(ListingRow.id == made["id"]))
        df = c.scalar(
            select(TermStatsRow.df).where(TermStatsRow.term == "zyxwv", TermStatsRow.category_id == BIKES)
        )
    assert (after.listings, after.version) == (before.listings + 1, before.version + 1)
    assert terms == "bike gravel zyxwv" and df == 1  # stemmed, as the comparison reads titles
    found = http.get("/listings", params={"q": "zyxwv"}).json()
    assert [i["id"] for i in found["items"]] == [made["id"]] and found["total"] == 1
    assert http.get("/health").json()["listings"] == http.get("/listings").json()["total"]


def test_rows_written_outside_the_app_are_indexed_by_the_database(engine: Engine, http: httpx.Client) -> None:
    # The index is the database's own (FTS5 triggers, a generated tsvector): any writer keeps it.
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO listings (seller_id, title, description, category_id, condition, price, currency, "
                "status, source, created_at, terms, tags) VALUES ('craigslist-2017', 'Qwertz tandem', '', :c, "
                "'good', 300, 'USD', 'active', 'seed', CURRENT_TIMESTAMP, 'qwertz tandem', '_c988 _c1011 _c1025 _c1026')"
            ),
            {"c": BIKES},
        )
    assert http.get("/listings", params={"q": "qwertz"}).json()["items"][0]["title"] == "Qwertz tandem"


def test_title_search_matches_words_and_their_starts(http: httpx.Client, seller_token: str) -> None:
    made = _create(http, seller_token, "Specialized Allez road bike")
    for q in ("allez specialized", "Spec allez", "ALLEZ", "allez bikes"):
        ids = [i["id"] for i in http.get("/listings", params={"q": q, "source": "seller"}).json()["items"]]
        assert ids == [made["id"]], q
    assert http.get("/listings", params={"q": "allez zzzz"}).json()["total"] == 0
    assert http.get("/listings", params={"q": "%_!!"}).json() == {
        "total": 0,
        "limit": 20,
        "offset": 0,
        "items": [],
        "next_after": None,
    }
    hostile = http.get("/listings", params={"q": "\" OR 1=1 -- 'x' ) NEAR("})
    assert hostile.status_code == 200


def test_keyset_pages_cover_a_category_once_each_newest_first(http: httpx.Client) -> None:
    first = http.get("/listings", params={"category_id": CYCLING, "limit": 200}).json()
    seen: list[int] = []
    page = first
    while True:
        seen += [item["id"] for item in page["items"]]
        if page["next_after"] is None:
            break
        page = http.get(
            "/listings", params={"category_id": CYCLING, "limit": 200, "after": page["next_after"]}
        ).json()
    assert len(seen) == len(set(seen)) == first["total"] > 200
    assert seen == sorted(seen, reverse=True)
    by_offset = http.get("/listings", params={"category_id": CYCLING, "limit": 50, "offset": 200}).json()
    assert [i["id"] for i in by_offset["items"]] == seen[200:250]
    assert http.get("/listings", params={"after": 5, "offset": 5}).status_code == 422


def test_the_closure_table_is_the_taxonomy(engine: Engine, market_app: FastAPI) -> None:
    taxonomy = market_app.state.market.taxonomy
    with engine.connect() as c:
        below = set(
            c.scalars(
                select(CategoryTreeRow.descendant_id).where(CategoryTreeRow.ancestor_id == SPORTING_GOODS)
            )
        )
        pairs = c.scalar(select(func.count()).select_from(CategoryTreeRow))
    walked, stack = set(), [SPORTING_GOODS]
    while stack:
        walked.add(stack[-1])
        stack.extend(taxonomy.children.get(stack.pop(), ()))
    assert below == walked
    assert pairs == sum(len(taxonomy.lineage(c)) for c in taxonomy.by_id)


def test_comparable_candidates_are_a_bounded_sample_of_the_best_preference(
    market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    market = market_app.state.market
    monkeypatch.setattr(retrieval, "MAX_READ", 80)
    monkeypatch.setattr(retrieval, "ID_SCAN", 256)  # the 1,000+ matches: counted in a sample
    monkeypatch.setattr(retrieval, "SAMPLE_TARGET", 150)
    with market.sessions() as session:
        everything = session.execute(
            select(
                ListingRow.id, ListingRow.title, ListingRow.price, ListingRow.condition, ListingRow.terms
            ).where(ListingRow.category_id == BIKES)
        ).all()
        # "bike" (or "bicycle") is in about half the bicycle titles: more than a sample's worth.
        broad = retrieval.comparable_candidates(session, BIKES, "bike", require_similar=False)
        # "trek": its own tier, all of it (about 70 listings: fewer than a sample's worth at level 1).
        narrow = retrieval.comparable_candidates(session, BIKES, "Trek", require_similar=False)
    assert len(everything) > 1000
    assert len(broad.pool) == 80 and broad.queries == 1
    # Each stands for its share of the titles that say "bike" (or "bicycle"): their matches counted within
    # the densest of the index's nested samples that has fewer than ID_SCAN of them.
    said = retrieval.any_of([retrieval.Token("bike"), retrieval.Token("bicycle")])
    with market.sessions() as session:
        in_samples = {
            level: retrieval.count_matches(
                session,
                retrieval.all_of([retrieval.category_tag(BIKES), said, retrieval.Token(f"_s{level}")]),
            )
            for level in (1, 2)
        }
    level = 1 if in_samples[1] < 256 else 2
    assert sum(c.weight for c in broad.pool) == pytest.approx(4**level * in_samples[level])
    assert broad.stats.listings == len(everything)
    trek = [r for r in everything if "trek" in r.terms.split()]
    assert {c.id for c in narrow.pool} == {r.id for r in trek}
    # Scored on the candidates with the whole category's statistics, the comparables are the same as when
    # every listing of the category is scored.
    pool = [Candidate.of(r.id, r.title, r.price, r.condition, r.terms) for r in everything]
    exhaustive = select_comps(pool, "Trek", Condition("good"))
    bounded = select_comps(narrow.pool, "Trek", Condition("good"), stats=narrow.stats)
    assert {c.id for c, _ in bounded.comps} == {c.id for c, _ in exhaustive.comps}
    assert bounded.basis == exhaustive.basis


def test_samples_of_nested_sets_agree() -> None:
    # The sample of a larger set, restricted to a smaller set inside it, is part of the smaller's sample.
    larger = list(range(1, 5000))
    smaller = larger[::3]
    small, large = set(retrieval.bottom(smaller, 100)), set(retrieval.bottom(larger, 100))
    assert len(small) == 100 and large & set(smaller) <= small
    assert retrieval.bottom([3, 1, 2], 10) == sorted([3, 1, 2], key=retrieval._mix)  # all, in the same order


def test_a_model_year_and_a_sparse_tier_are_asked_in_order(market_app: FastAPI) -> None:
    market = market_app.state.market
    with market.sessions() as session:
        found = retrieval.comparable_candidates(session, CARS, "2014 Honda Accord", require_similar=False)
    titles = [c.title.lower() for c in found.pool]
    assert titles and all("accord" in t or "honda" in t for t in titles)
    assert found.queries >= 1


def test_index_expressions_render_for_both_databases() -> None:
    expr = retrieval.all_of(
        [
            retrieval.category_tag(BIKES),
            retrieval.any_of([retrieval.Token("tv"), retrieval.Token("55in", prefix=True)]),
        ]
    )
    assert retrieval.render_fts5(expr) == '("_c1026" AND ("tv" OR "55in"*))'
    assert retrieval.render_tsquery(expr) == "('_c1026' & ('tv' | '55in':*))"
    assert retrieval.title_search_expr("the") == retrieval.Token("the", prefix=True)  # only stop words: kept
    assert retrieval.title_search_expr("!!!") is None


def test_on_postgresql_each_required_part_of_a_query_is_its_own_index_condition() -> None:
    # One tsquery is one GIN key, walked by its rarest entries (five model years: every listing of each);
    # separate conditions are separate keys, intersected by skipping ahead to each other's next listing.
    years = retrieval.any_of([retrieval.Token("2003"), retrieval.Token("2004")])
    item = retrieval.all_of([retrieval.Token("toyota"), years])
    expr = retrieval.in_sample(retrieval.all_of([retrieval.category_tag(CARS), item]), 2)
    sql, params = retrieval._pg_match(expr)
    assert params == {"q0": "'_c916_s2'", "q1": "'toyota'", "q2": "('2003' | '2004')"}
    assert sql.count("search @@") == 3
    assert retrieval._pg_match(retrieval.Token("toyota"))[1] == {"q0": "'toyota'"}


def test_the_comparison_cache_is_bounded_in_bytes() -> None:
    cache: BoundedCache[str] = BoundedCache(max_bytes=100, size_of=len)
    for i in range(10):
        cache.put(i, "x" * 30)
    assert cache.bytes <= 100 and len(cache) == 3
    assert cache.get(9) is not None and cache.get(0) is None
    cache.put("huge", "x" * 101)
    assert cache.get("huge") is None


def test_a_cached_comparison_is_dropped_when_the_category_changes(
    http: httpx.Client, seller_token: str
) -> None:
    query = {"category_id": BIKES, "q": "Zyxwv gravel bike"}
    http.get("/prices/compare", params=query)
    market = http.app.state.market  # type: ignore[attr-defined]
    assert market.comparisons.hits == 0
    http.get("/prices/compare", params=query)
    assert market.comparisons.hits == 1
    _create(http, seller_token, "Zyxwv gravel bike", price=999)
    assert http.get("/prices/compare", params=query).json()["count"] >= 1
    assert market.comparisons.hits == 1  # the category's version moved on: asked anew


@pytest.fixture
def old_database(tmp_path) -> Iterator[Engine]:
    """A database made by the first schema (before the search index), with a seller listing in it."""
    from alembic import command
    from alembic.config import Config

    from marketplace.migrations import HERE

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(HERE))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO categories VALUES (1, 'Things', 'Things', NULL, 0)"))
        connection.execute(text("INSERT INTO categories VALUES (2, 'Things > Bikes', 'Bikes', 1, 1)"))
        connection.execute(text("INSERT INTO sellers VALUES ('s1', 'Ada', CURRENT_TIMESTAMP)"))
        connection.execute(
            text(
                "INSERT INTO listings (seller_id, title, description, category_id, condition, price, currency, "
                "status, source, created_at) VALUES ('s1', 'Old Trek bikes', 'x', 2, 'good', 90, 'USD', 'active', "
                "'seller', CURRENT_TIMESTAMP)"
            )
        )
    yield engine
    engine.dispose()


def test_an_older_database_is_migrated_with_its_listings_indexed(old_database: Engine) -> None:
    assert migrate(old_database) is True
    assert migrate(old_database) is False  # at the head already: nothing to do
    with old_database.connect() as c:
        assert current_revision(c) == HEAD
        row = c.execute(select(ListingRow.terms, ListingRow.tags)).one()
        assert row.terms == title_terms("Old Trek bikes") and row.tags.startswith("_c1 _c2")
        assert c.scalar(select(CategoryStatsRow.listings).where(CategoryStatsRow.category_id == 2)) == 1
        hits = c.execute(
            text('SELECT rowid FROM listing_fts WHERE listing_fts MATCH \'"_c1" AND "trek"\'')
        ).all()
        assert len(hits) == 1


def test_a_database_made_before_subtree_sample_tags_gains_them(old_database: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    from marketplace.migrations import HERE

    config = Config()
    config.set_main_option("script_location", str(HERE))
    with old_database.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        # A listing in the first two sample levels, as the index tagged it before.
        connection.execute(text("UPDATE listings SET tags = '_c1 _c2 _s1 _s2'"))
    assert migrate(old_database) is True
    with old_database.connect() as c:
        tags = c.scalar(select(ListingRow.tags))
        assert tags is not None
        assert set(tags.split()) == {"_c1", "_c2", "_s1", "_s2", "_c1_s1", "_c2_s1", "_c1_s2", "_c2_s2"}
        hits = c.execute(text("SELECT rowid FROM listing_fts WHERE listing_fts MATCH '\"_c2_s2\"'")).all()
        assert len(hits) == 1


def test_head_is_alembics_newest_revision() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from marketplace.migrations import HERE

    config = Config()
    config.set_main_option("script_location", str(HERE))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_two_apps_on_one_database_see_each_others_listings(db_url: str) -> None:
    # Nothing about listings is kept per process: counts, comparables and search come from the database.
    from fastapi.testclient import TestClient

    one, two = create_app(db_url), create_app(db_url)
    with TestClient(one) as a, TestClient(two) as b:
        token = a.post("/sellers", json={"name": "Ada"}).json()["token"]
        query = {"category_id": BIKES, "q": "Plmokn bike"}
        assert b.get("/prices/compare", params=query).json()["count"] > 0
        before = b.get("/prices/compare", params=query).json()
        made = _create(a, token, "Plmokn bike", price=4444)
        after = b.get("/prices/compare", params=query).json()
        assert after != before and any(e["id"] == made["id"] for e in after["examples"])
        assert b.get("/listings", params={"q": "plmokn"}).json()["items"][0]["id"] == made["id"]
        assert (
            b.get(f"/categories/{BIKES}").json()["listing_count"]
            == a.get(f"/categories/{BIKES}").json()["listing_count"]
        )
    for app in (one, two):
        app.state.market.engine.dispose()


def test_seeding_twice_keeps_statistics_exact(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as c:  # a new seed version: the seed listings are reloaded
        c.execute(text("UPDATE meta SET value = 'older' WHERE key = 'seed_fingerprint'"))
    assert ensure_seeded(engine) is True
    with engine.connect() as c:
        counted = c.scalar(select(func.sum(CategoryStatsRow.listings)))
        rows = c.scalar(select(func.count()).select_from(ListingRow))
        bike_df = c.scalar(
            select(TermStatsRow.df).where(TermStatsRow.term == "trek", TermStatsRow.category_id == BIKES)
        )
        trek_rows = c.scalar(
            select(func.count()).where(
                ListingRow.category_id == BIKES, (" " + ListingRow.terms + " ").like("% trek %")
            )
        )
    engine.dispose()
    assert counted == rows
    assert bike_df == trek_rows


def test_the_seed_files_are_named_and_fingerprinted_as_the_seed_build_writes_them() -> None:
    from marketplace import seed_build, seed_files

    assert (seed_files.SEED_DIR, seed_files.CATEGORIES_FILE, seed_files.LISTINGS_FILE) == (
        seed_build.SEED_DIR,
        seed_build.CATEGORIES_FILE,
        seed_build.LISTINGS_FILE,
    )
    assert seed_files.seed_fingerprint() == seed_build.seed_fingerprint()


def test_a_large_set_is_sampled_at_once_without_reading_a_full_scan(
    market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading ID_SCAN matches only to learn that a set is large is the slowest path on PostgreSQL (a row
    # visit per match): when the words' frequencies expect many, a sample level is asked first.
    market = market_app.state.market
    monkeypatch.setattr(retrieval, "MAX_READ", 40)
    monkeypatch.setattr(retrieval, "ID_SCAN", 128)
    monkeypatch.setattr(retrieval, "SAMPLE_TARGET", 100)
    monkeypatch.setattr(retrieval, "SAMPLE_FROM", 200)
    read: list[int] = []
    count_and_sample = retrieval.count_and_sample

    def counting(session: object, expr: retrieval.Expr, limit: int, last: bool) -> retrieval.Counted:
        found = count_and_sample(session, expr, limit, last)  # type: ignore[arg-type]
        read.append(found.count)
        return found

    monkeypatch.setattr(retrieval, "count_and_sample", counting)
    with market.sessions() as session:
        broad = retrieval.comparable_candidates(session, BIKES, "bike", require_similar=False)
        said = retrieval.any_of([retrieval.Token("bike"), retrieval.Token("bicycle")])
        total = retrieval.count_matches(session, retrieval.all_of([retrieval.category_tag(BIKES), said]))
    assert total > 4 * 128  # a set worth sampling
    assert read and max(read) < 128  # never a capped read
    assert 40 // 2 <= len(broad.pool) <= 40  # a sample's worth
    # The weights still stand for the whole set (a random sample of it: within a third).
    assert sum(c.weight for c in broad.pool) == pytest.approx(total, rel=0.35)


def test_a_subtree_sample_is_read_as_one_index_tag(
    market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A category's sample is one tag (one short list in the index), holding exactly the category's listings
    # in that sample; a comparison that samples a category asks it, not the category and the sample apart.
    market = market_app.state.market
    monkeypatch.setattr(retrieval, "MAX_READ", 40)
    monkeypatch.setattr(retrieval, "ID_SCAN", 128)
    monkeypatch.setattr(retrieval, "SAMPLE_TARGET", 100)
    monkeypatch.setattr(retrieval, "SAMPLE_FROM", 200)
    asked: list[retrieval.Expr] = []
    count_and_sample = retrieval.count_and_sample

    def recording(session: object, expr: retrieval.Expr, limit: int, last: bool) -> retrieval.Counted:
        asked.append(expr)
        return count_and_sample(session, expr, limit, last)  # type: ignore[arg-type]

    monkeypatch.setattr(retrieval, "count_and_sample", recording)
    with market.sessions() as session:
        for level in (1, 2):
            apart = retrieval.all_of([retrieval.category_tag(BIKES), retrieval.Token(f"_s{level}")])
            one = retrieval.Token(f"_c{BIKES}_s{level}")
            assert retrieval.count_matches(session, one) == retrieval.count_matches(session, apart) > 0
        retrieval.comparable_candidates(session, BIKES, "bike", require_similar=False)
    tokens = [{t.value for t in retrieval._tokens(e)} for e in asked]
    assert any(f"_c{BIKES}_s1" in t or f"_c{BIKES}_s2" in t for t in tokens)
    assert not any(f"_c{BIKES}" in t and ("_s1" in t or "_s2" in t) for t in tokens)


def test_expected_matches_lie_between_independent_words_and_the_upper_bound() -> None:
    expr = retrieval.all_of([retrieval.Token("honda"), retrieval.Token("accord")])
    df, listings = {"honda": 40_000, "accord": 8_000}, 100_000
    independent = retrieval.likely(expr, df, listings)
    upper = retrieval.estimate(expr, df, listings)
    expected = retrieval.expected_matches(expr, df, listings)
    assert independent == pytest.approx(3_200)
    assert upper == 8_000
    assert independent < expected < upper
    assert expected == pytest.approx((independent * upper) ** 0.5)


def test_an_items_numbers_count_as_going_with_its_words_no_more_than_with_any_title() -> None:
    # A model year is about as common among BMWs as among all cars: the words' geometric mean (which
    # assumes words go together) expects about four times the 2004 BMWs there are; with the numbers also
    # taken as independent of the words the estimate lies between the two.
    listings, df = 275_000, {"bmw": 4_000, "2004": 16_000}
    word, year = retrieval.Token("bmw"), retrieval.Token("2004")
    close_years = retrieval.any_of([year, retrieval.Token("2003"), retrieval.Token("2005")])
    for numbers in (year, close_years):
        expr = retrieval.all_of([word, numbers])
        words_only = (retrieval.likely(expr, df, listings) * retrieval.estimate(expr, df, listings)) ** 0.5
        independent = retrieval.likely(expr, df, listings)
        expected = retrieval.expected_matches(expr, df, listings)
        assert independent <= expected < 0.6 * words_only
    # Words alone, or numbers alone, are estimated as before.
    alone = retrieval.all_of([retrieval.Token("2004"), retrieval.Token("55in")])
    df["55in"] = 1_000
    assert retrieval.expected_matches(alone, df, listings) == pytest.approx(
        (retrieval.likely(alone, df, listings) * retrieval.estimate(alone, df, listings)) ** 0.5
    )


def test_the_sample_is_the_same_whichever_database_draws_it(
    market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL draws the sample in SQL with the count (the id's hash in numeric arithmetic), SQLite in
    # Python from the ids (`bottom`): the same listings either way, so both databases price alike.
    monkeypatch.setattr(retrieval, "MAX_READ", 50)
    expr = retrieval.all_of([retrieval.category_tag(BIKES), retrieval.Token("bike")])
    with market_app.state.market.sessions() as session:
        every = retrieval._match_ids(session, expr, 100_000)
        found = retrieval.count_and_sample(session, expr, 100_000, last=False)
        capped = retrieval.count_and_sample(session, expr, 60, last=False)
        sample = (
            [r[0] for r in found.rows] if found.rows is not None else retrieval.bottom(found.ids or [], 50)
        )
    assert len(every) > 100 and found.count == len(every) and found.reached == max(every)
    assert sorted(sample) == sorted(retrieval.bottom(every, 50))
    assert capped.count == 60 and not capped.rows  # a capped count reads no rows (its level is not used)


# Items whose word tiers in Bikes hold more than a probe's worth of the seed's listings.
PROBED_ITEMS = ["Trek road bike", "mountain bike 26", "kids bike", "Specialized bike", "bike"]


def _comparisons(url: str, reverse_rows: bool, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each of PROBED_ITEMS' candidates (ids, weights) and suggested price on the marketplace at `url`,
    judging a preference on its first 4 listings, fewer than are ever enough (so every one with more
    matches is kept as those 4); with `reverse_rows`, the database's rows come in the opposite order."""
    driver_rows = retrieval._driver_rows
    with monkeypatch.context() as patch:
        patch.setattr(retrieval, "PROBE", 4)
        if reverse_rows:
            patch.setattr(retrieval, "_driver_rows", lambda *args: driver_rows(*args)[::-1])
        app = create_app(url, rate_limits=None)
        found: list[object] = []
        try:
            with TestClient(app, base_url="http://marketplace.test") as client:
                for q in PROBED_ITEMS:
                    with app.state.market.sessions() as session:
                        pool = retrieval.comparable_candidates(session, BIKES, q, require_similar=False).pool
                    params = {"category_id": BIKES, "q": q, "condition": "good"}
                    body = client.get("/prices/compare", params=params).json()
                    found.append(([(c.id, round(c.weight, 6)) for c in pool], body["suggested_price"]))
        finally:
            app.state.market.engine.dispose()
    return found


def test_a_probe_judges_the_samples_first_listings_whatever_order_the_database_gives(
    market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A preference of more than PROBE matches is judged on the sample's first PROBE in the id hash's order
    # (`bottom`), read in that order, whichever database read them and in whatever order it returned them.
    monkeypatch.setattr(retrieval, "PROBE", 5)
    monkeypatch.setattr(retrieval, "MAX_READ", 1000)  # every match read (the index gives them by id)
    expr = retrieval.all_of([retrieval.category_tag(BIKES), retrieval.Token("bike")])
    judged: list[list[int]] = []

    def wanted(rows: list[Candidate]) -> bool:
        judged.append([r.id for r in rows])
        return len(judged) == 2  # the first read is not enough, the second is

    with market_app.state.market.sessions() as session:
        every = retrieval._match_ids(session, expr, 100_000)
        first = retrieval.sampled(session, expr, lambda: retrieval._last_id(session), 0.0, wanted)
        whole = retrieval.sampled(session, expr, lambda: retrieval._last_id(session), 0.0, wanted)
    sample = sorted(every, key=retrieval._mix)  # `bottom`'s order: a random sample from its start
    assert retrieval.PROBE < len(every) <= retrieval.MAX_READ  # every match read, judged on a probe
    assert judged == [sample[:5], sample[:5]]
    assert [r.id for r in first] == sample[:5] and [r.id for r in whole] == sample


def test_a_comparison_does_not_depend_on_the_order_the_database_returns_rows_in(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite returns a sample's rows by id, PostgreSQL in its statement's order: what a comparison judges
    # on its first rows must be the same listings either way.
    as_given = _comparisons(db_url, False, monkeypatch)
    assert as_given == _comparisons(db_url, True, monkeypatch)
    assert any(len(pool) >= 8 for pool, _ in as_given)  # probes kept, more than one preference read


def test_the_same_marketplace_gives_the_same_comparison_on_sqlite_and_on_this_database(
    db_url: str, template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same seed marketplace on SQLite and on this test's database (PostgreSQL too, when configured):
    # the same candidates, weights and suggested prices.
    reference = tmp_path / "reference.db"
    shutil.copyfile(template_db, reference)
    assert _comparisons(db_url, False, monkeypatch) == _comparisons(
        f"sqlite:///{reference}", False, monkeypatch
    )


def test_a_read_only_session_leaves_the_next_one_transactional(market_app: FastAPI) -> None:
    # A price comparison reads without a transaction; the pooled connection it used must write in one again.
    market = market_app.state.market
    with market.sessions() as session:
        retrieval.read_only(session)
        before = retrieval.scope_stats(session, BIKES, ["trek", "bike"])
    assert before.df and before.df["trek"] > 0 and before.listings > 0
    with market.sessions() as session:
        session.execute(
            text("UPDATE category_stats SET listings = listings + 1000 WHERE category_id = :c"), {"c": BIKES}
        )
        session.rollback()
    with market.sessions() as session:
        assert retrieval.scope_stats(session, BIKES).listings == before.listings


def test_a_model_years_exact_and_close_years_are_one_index_query(
    market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 2016 Elantra's preferences: the Elantras of 2016, then of 2014-2018, the Hyundais of 2016, then of
    # 2014-2018, then every car of 2016. Each word tier's exact and close years are one index query (the
    # wider), so a chain that each widening costs at a million listings reaches twice as far; the
    # candidates are those of asking each preference alone.
    market = market_app.state.market
    grouped = retrieval.preference_groups

    def candidates(q: str) -> retrieval.Candidates:
        with market.sessions() as session:
            return retrieval.comparable_candidates(session, CARS, q, require_similar=False)

    items = ["2016 Hyundai Elantra", "Chevy SSR 2004", "2005 Saturn VUE", "55 inch Samsung TV"]
    together = [candidates(q) for q in items]
    monkeypatch.setattr(retrieval, "preference_groups", lambda *a: [(p,) for g in grouped(*a) for p in g])
    alone = [candidates(q) for q in items]
    assert [sorted(c.id for c in found.pool) for found in together] == [
        sorted(c.id for c in found.pool) for found in alone
    ]
    assert together[0].queries == 3 and alone[0].queries == 5
    assert all(t.queries <= a.queries for t, a in zip(together, alone, strict=True))


def test_a_comparison_reads_one_snapshot_while_a_listing_is_posted(
    http: httpx.Client, seller_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A comparison reads the subtree's counts and version first, then its candidates: a listing posted
    # between those statements must be in all of its reads or in none (here none: it came after the first).
    import marketplace.app as app_module

    earlier = {_create(http, seller_token, f"Zyxwv gravel bike {n}", 300 + n)["id"] for n in range(3)}
    posted: list[int] = []
    pools: list[set[int]] = []
    counted, candidates = app_module.scope_stats, app_module.comparable_candidates

    def then_a_listing_is_posted(*args: object, **kwargs: object) -> retrieval.ScopeStats:
        found = counted(*args, **kwargs)  # type: ignore[arg-type]
        if not posted:
            posted.append(_create(http, seller_token, "Zyxwv gravel bike 9", 309)["id"])
        return found

    def recording(*args: object, **kwargs: object) -> retrieval.Candidates:
        found = candidates(*args, **kwargs)  # type: ignore[arg-type]
        pools.append({c.id for c in found.pool})
        return found

    monkeypatch.setattr(app_module, "scope_stats", then_a_listing_is_posted)
    monkeypatch.setattr(app_module, "comparable_candidates", recording)
    response = http.get("/prices/compare", params={"category_id": BIKES, "q": "zyxwv gravel bike"})
    assert response.status_code == 200 and posted and pools
    assert earlier <= pools[0] and posted[0] not in pools[0]
    # The next comparison is keyed by the version that counts the new listing, and reads it.
    pools.clear()
    http.get("/prices/compare", params={"category_id": BIKES, "q": "zyxwv gravel bike"})
    assert pools and posted[0] in pools[0]


def test_a_word_found_only_in_the_category_is_asked_without_the_category_tag(
    http: httpx.Client, seller_token: str, market_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The category tag is a long list of listings (every bike): a preference whose words occur only in the
    # category's subtree is asked without it, and finds the same listings; once the word is in a listing
    # elsewhere too, the tag is asked again and that listing is never a candidate.
    asked: list[str] = []
    counted = retrieval.count_and_sample

    def recording(session: object, expr: retrieval.Expr, limit: int, last: bool) -> retrieval.Counted:
        asked.append(retrieval.render_fts5(expr))
        return counted(session, expr, limit, last)  # type: ignore[arg-type]

    monkeypatch.setattr(retrieval, "count_and_sample", recording)
    bikes = {_create(http, seller_token, f"Zyxwv gravel bike {n}", 300 + n)["id"] for n in range(3)}
    market = market_app.state.market

    def candidates() -> set[int]:
        asked.clear()
        with market.sessions() as session:
            scope = retrieval.scope_stats(session, BIKES, ["zyxwv", "gravel", "bike"])
            found = retrieval.comparable_candidates(session, BIKES, "Zyxwv gravel", False, scope)
        return {c.id for c in found.pool}

    alone = candidates()
    assert bikes <= alone and any("zyxwv" in q and "_c" not in q for q in asked)
    car = _create(http, seller_token, "Zyxwv hatchback", 4000, category_id=CARS)["id"]
    shared = candidates()
    assert all("_c1026" in q for q in asked if "zyxwv" in q)
    assert car not in shared and bikes <= shared


_TOKENS = st.sampled_from(["bike", "road", "2016", "2015", "trek", "_c1"]).map(retrieval.Token)
_EXPRS = st.recursive(
    _TOKENS,
    lambda inner: st.lists(inner, min_size=1, max_size=4).flatmap(
        lambda parts: st.sampled_from([retrieval.all_of(parts), retrieval.any_of(parts)])
    ),
    max_leaves=10,
)


@given(_EXPRS, st.frozensets(st.sampled_from(["bike", "road", "2016", "2015", "trek", "shimano"])))
def test_a_built_matcher_agrees_with_matching_the_expression(
    expr: retrieval.Expr, terms: frozenset[str]
) -> None:
    # The comparison tests its preferences against each row with `matcher`, built once per preference.
    assert retrieval.matcher(expr)(terms) == retrieval.matches(expr, terms)
