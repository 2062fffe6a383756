"""The dev benchmark (benchmarks/category_search.py): its --set option (a tuning constant changed for one
run, and a clear error for anything that is not one), and the everyday items it scores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.category_search import (
    EVERYDAY_DEV_FILE,
    apply_setting,
    build_index,
    everyday_items,
    score_everyday,
)
from benchmarks.heldout_items import Taxonomy
from marketplace import category_search, title_model


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    saved = (category_search.MODEL_WEIGHT, category_search.MODEL_CANDIDATES, title_model.BACKOFF)
    yield
    category_search.MODEL_WEIGHT, category_search.MODEL_CANDIDATES, title_model.BACKOFF = saved


def test_a_setting_changes_the_constant_the_index_reads() -> None:
    assert apply_setting("category_search.MODEL_WEIGHT=0.45") == ""
    assert category_search.MODEL_WEIGHT == 0.45
    assert apply_setting("title_model.BACKOFF=3") == ""  # a whole number for a float constant
    assert title_model.BACKOFF == 3.0 and isinstance(title_model.BACKOFF, float)
    assert apply_setting("category_search.MODEL_CANDIDATES=5") == ""
    assert category_search.MODEL_CANDIDATES == 5


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("category_search.NO_SUCH=1", "MODULE.NAME=VALUE"),
        ("pricing.MODEL_WEIGHT=1", "MODULE.NAME=VALUE"),  # only the search's modules
        ("category_search.MODEL_WEIGHT", "MODULE.NAME=VALUE"),
        ("category_search.MODEL_WEIGHT=abc", "not a number"),
        ("category_search.MODEL_CANDIDATES=2.5", "is int, not float"),
        ("category_search.MODEL_WEIGHT=True", "is float, not bool"),
        ("category_search.BRANCHES_FILE=1", "BRANCHES_FILE is PosixPath"),  # a path, not a number
    ],
)
def test_anything_else_is_refused_and_changes_nothing(setting: str, says: str) -> None:
    before = (category_search.MODEL_WEIGHT, category_search.MODEL_CANDIDATES)
    assert says in apply_setting(setting)
    assert before == (category_search.MODEL_WEIGHT, category_search.MODEL_CANDIDATES)


def test_the_check_items_are_apart_from_the_tuning_items_and_name_real_categories() -> None:
    check = everyday_items(EVERYDAY_DEV_FILE.with_name("everyday_check.yaml"))
    tuning = everyday_items(EVERYDAY_DEV_FILE)
    assert len(check) >= 20
    assert not {i.query for i in check} & {i.query for i in tuning}
    taxonomy = Taxonomy.shipped()
    assert all(c in taxonomy.by_id for i in check for c in i.accept | i.accept_under)


def test_everyday_items_are_scored_as_the_agent_offers_them_too(tmp_path: Path) -> None:
    items = tmp_path / "items.yaml"
    items.write_text(
        "items:\n  - {query: electric guitar, accept: [80]}\n  - {query: zqxj wvut, accept: [80]}\n",
        encoding="utf-8",
    )
    taxonomy = Taxonomy.shipped()
    top1, top3, offered, n = score_everyday(build_index(taxonomy, []), taxonomy, False, items)
    assert (top1, top3, offered, n) == (1, 1, 1, 2)
