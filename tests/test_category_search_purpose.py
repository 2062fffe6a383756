"""A short purpose after the item says what kind of it it is, as a word before it would (rules/search/
query_words.yaml, `purposes`): "heavy bag for boxing" is a boxing bag, not the bicycle bag most bags are.
Small indexes built here."""

from __future__ import annotations

import dataclasses

import pytest

from marketplace import item_phrase as phrase_module
from marketplace.category_search import CategoryIndex
from marketplace.item_phrase import item_phrase, query_words
from tests.test_category_search_reading import index, taxonomy, top

ROWS = taxonomy(
    "Sporting Goods > Boxing & Martial Arts > Punching & Training Bags",
    "Sporting Goods > Cycling > Bicycle Accessories > Bicycle Bags & Panniers",
    "Sporting Goods > Cycling > Bicycles",
)
# Many bicycle bags sold, no punching bag.
TITLES = [("Bicycle Bags & Panniers", f"Ortlieb rear pannier {n}") for n in range(3)]
TITLES += [("Bicycles", f"Trek {n} speed bike") for n in range(20)]


@pytest.fixture(scope="module")
def ix() -> CategoryIndex:
    return index(ROWS, TITLES)


@pytest.mark.parametrize(
    "query", ["heavy bag for boxing", "bag for boxing", "Everlast bag for boxing, 70 lb"]
)
def test_a_purpose_after_the_item_says_its_kind(ix: CategoryIndex, query: str) -> None:
    assert top(ix, query) == "Punching & Training Bags"


def test_without_the_purpose_rule_the_popular_bag_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "for" in query_words().purposes, "rules/search/query_words.yaml has no `purposes`"
    monkeypatch.setattr(
        phrase_module, "query_words", lambda: dataclasses.replace(query_words(), purposes=frozenset())
    )
    assert top(index(ROWS, TITLES), "heavy bag for boxing") == "Bicycle Bags & Panniers"


def test_a_purpose_that_names_a_kind_or_runs_long_stays_outside_the_item() -> None:
    kinds = {"bag", "bike", "case", "iphone"}
    # "case for iPhone": the phone is a thing of its own, read after the item as before
    assert item_phrase("case for iphone", lambda w: w in kinds).item == ("case",)
    assert item_phrase("bag for boxing", lambda w: w in kinds).item == ("boxing", "bag")
    assert item_phrase("bag for boxing and running and hiking", lambda w: w in kinds).item == ("bag",)
