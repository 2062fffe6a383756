"""The category search index kept on disk: read by the next process instead of built, identical to a built
one, and rebuilt when damaged or when what it is built from changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import marketplace.app
from marketplace import index_cache
from marketplace.app import Marketplace
from marketplace.category_search import CategoryIndex
from marketplace.db import MetaRow, make_engine
from marketplace.seeding import SEED_FINGERPRINT_KEY

QUERIES = ["Trek road bike", "iphone 8 64gb", "ikea desk", "honda civic 2009", "sony headphones", "crib"]


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if in a new process: no index built in this one yet."""
    monkeypatch.setattr(marketplace.app, "_INDEXES", {})


def _seed(engine_url: str) -> str:
    engine = make_engine(engine_url)
    with engine.connect() as c:
        value = c.execute(select(MetaRow.value).where(MetaRow.key == SEED_FINGERPRINT_KEY)).scalar_one()
    engine.dispose()
    return str(value)


def _market(db_url: str) -> Marketplace:
    return Marketplace(make_engine(db_url), rate_limits=None)


def test_a_built_index_is_saved_and_read_by_the_next_process_unchanged(
    db_url: str, trova_home: Path, monkeypatch: pytest.MonkeyPatch, new_process: None
) -> None:
    first = _market(db_url)
    assert first._index is None  # nothing saved yet: built on first use
    built = first.index
    saved = index_cache.cache_path(_seed(db_url))
    assert saved.is_file() and saved.parent == trova_home / "cache"
    assert saved.stat().st_mode & 0o077 == 0  # owner-only, like the database beside it

    monkeypatch.setattr(marketplace.app, "_INDEXES", {})  # the next process

    def no_build(*_args: object, **_kwargs: object) -> CategoryIndex:
        raise AssertionError("the index was built again instead of read")

    monkeypatch.setattr(marketplace.app, "CategoryIndex", no_build)
    second = _market(db_url)
    assert second._index is not None  # read at start, ready before any request
    assert second.taxonomy.by_id.keys() == first.taxonomy.by_id.keys()
    for query in QUERIES:
        assert [(h.category.id, h.score) for h in second.index.search(query)] == [
            (h.category.id, h.score) for h in built.search(query)
        ], query


def test_a_damaged_file_is_rebuilt_over(db_url: str, trova_home: Path, new_process: None) -> None:
    saved = index_cache.cache_path(_seed(db_url))
    saved.parent.mkdir(parents=True)
    saved.write_bytes(b"not a pickle")
    market = _market(db_url)
    assert market._index is None  # not read: built instead
    assert market.index.search("Trek road bike")[0].category.name == "Bicycles"
    assert index_cache.load(_seed(db_url)) is not None  # written over with a good one


def test_an_unwritable_data_directory_costs_only_the_speed(
    db_url: str, trova_home: Path, new_process: None
) -> None:
    trova_home.mkdir(parents=True, exist_ok=True)
    (trova_home / "cache").write_text("a file where the folder would be")
    market = _market(db_url)
    assert market.index.search("Trek road bike")[0].category.name == "Bicycles"
    assert index_cache.load(_seed(db_url)) is None


def test_the_name_changes_with_the_seed_and_with_what_builds_it(tmp_path: Path) -> None:
    assert index_cache.cache_key("seed-a") != index_cache.cache_key("seed-b")
    rules = tmp_path / "rules" / "search"
    rules.mkdir(parents=True)
    (tmp_path / "text.py").write_text("WORDS = 1\n")
    (rules / "plurals.yaml").write_text("bikes: bike\n")
    before = index_cache.cache_key("seed-a", tmp_path)
    (rules / "plurals.yaml").write_text("bikes: bicycle\n")
    after_rules = index_cache.cache_key("seed-a", tmp_path)
    (tmp_path / "text.py").write_text("WORDS = 2\n")
    assert len({before, after_rules, index_cache.cache_key("seed-a", tmp_path)}) == 3


def test_old_files_are_removed_when_a_new_one_is_written(
    db_url: str, trova_home: Path, new_process: None
) -> None:
    old = trova_home / "cache" / f"{index_cache.PREFIX}0123456789abcdef01234567.pickle"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an index for other code")
    _market(db_url).index  # noqa: B018  built and saved
    assert not old.exists()
    assert [p.name for p in old.parent.iterdir()] == [index_cache.cache_path(_seed(db_url)).name]
