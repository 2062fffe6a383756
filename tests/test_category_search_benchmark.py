"""The dev benchmark's --set option (benchmarks/category_search.py): a tuning constant changed for one run,
and a clear error for anything that is not one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.category_search import apply_setting
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
