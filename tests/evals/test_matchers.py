"""Every argument matcher, with edge cases."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from evals.matchers import MISSING, PriorResult, check
from evals.schema import ExpectedCall, Matcher

SEARCH = PriorResult(
    "search_categories",
    {
        "query": "bike",
        "matches": [
            {"id": 1026, "path": "A > Bicycles", "score": 1.0},
            {"id": 3811, "path": "A > Bicycle Trailers", "score": 0.4},
        ],
    },
)
COMPS = PriorResult(
    "compare_prices",
    {
        "count": 30,
        "category_id": 1026,
        "min": 15.0,
        "max": 550.0,
        "examples": [{"id": 77, "title": "Trek 520", "price": 545.0}],
        "p25": 90.0,
        "p75": 260.0,
        "suggested_low": 90.0,
        "suggested_high": 260.0,
        "suggested_price": 165.0,
    },
)


def m(spec: object) -> Matcher:
    return ExpectedCall(tool="compare_prices", args={"item": spec}).args["item"]


@pytest.mark.parametrize(
    ("spec", "value", "ok"),
    [
        ("good", "good", True),
        ("good", "Good ", True),  # strings compare case- and space-insensitively
        ("good", "fair", False),
        (5, 5.0, True),
        (True, 1, False),  # a bool is not a number
        ({"equals": None}, None, True),
        ({"contains": "bike"}, "Trek Road BIKE", True),
        ({"contains": "bike"}, "bicycle", False),
        ({"regex": "bike|bicycle"}, "Bicycles", True),
        ({"regex": "^bike$"}, "road bike", False),
        ({"between": [10, 20]}, 10, True),
        ({"between": [10, 20]}, 20.0, True),
        ({"between": [10, 20]}, 20.01, False),
        ({"between": [10, 20]}, "15", True),
        ({"between": [10, 20]}, "cheap", False),
        ({"one_of": ["good", "excellent"]}, "excellent", True),
        ({"one_of": ["good", "excellent"]}, "fair", False),
        ({"any": True}, None, True),
    ],
)
def test_matchers(spec: object, value: object, ok: bool) -> None:
    assert check(m(spec), value).ok is ok


def test_missing_argument_fails_every_matcher() -> None:
    for spec in ("x", {"any": True}, {"contains": "a"}, {"from": "search_categories"}):
        verdict = check(m(spec), MISSING, [SEARCH])
        assert not verdict.ok and verdict.reason == "the argument is missing"


def test_from_finds_values_in_earlier_results() -> None:
    assert check(m({"from": "search_categories"}), 1026, [SEARCH]).ok
    assert check(m({"from": {"tool": "search_categories", "field": "matches.id"}}), 3811, [SEARCH]).ok
    foreign = check(m({"from": "search_categories"}), 460, [SEARCH])
    assert not foreign.ok
    assert foreign.reason == "460 is not among the matches.id of any earlier search_categories result"
    wrong_field = check(m({"from": {"tool": "search_categories", "field": "matches.path"}}), 1026, [SEARCH])
    assert not wrong_field.ok and "matches.path" in wrong_field.reason


def test_from_a_lookup_means_one_of_its_matches_not_any_number_in_it() -> None:
    # 1 is a match's score, and "bike" the query: neither is a category the lookup returned.
    assert not check(m({"from": "search_categories"}), 1, [SEARCH]).ok
    assert not check(m({"from": "search_categories"}), "bike", [SEARCH]).ok


@pytest.mark.parametrize("price", [550, 15, 30, 1026, 545])  # max, min, count, category id, a comp's price
def test_from_a_comparison_means_inside_its_range_not_any_number_in_it(price: float) -> None:
    verdict = check(m({"from": "compare_prices"}), price, [COMPS])
    assert not verdict.ok and "outside the range compare_prices returned (90–260)" in verdict.reason


def test_from_a_named_field_matches_that_field_exactly() -> None:
    exact = {"from": {"tool": "compare_prices", "field": "suggested_price"}}
    assert check(m(exact), 165, [COMPS]).ok
    assert not check(m(exact), 164, [COMPS]).ok
    assert check(m({"from": {"tool": "compare_prices", "field": "examples.price"}}), 545, [COMPS]).ok


def test_from_checks_a_price_against_the_returned_range() -> None:
    assert check(m({"from": "compare_prices"}), 165, [COMPS]).ok
    assert check(m({"from": "compare_prices"}), 90, [COMPS]).ok
    outside = check(m({"from": "compare_prices"}), 9999, [COMPS])
    assert not outside.ok and outside.reason == "9,999 is outside the range compare_prices returned (90–260)"
    words = check(m({"from": "compare_prices"}), "cheap", [COMPS])
    assert not words.ok and "not a number" in words.reason
    none = check(m({"from": "compare_prices"}), 100, [PriorResult("compare_prices", {"count": 0})])
    assert not none.ok and none.reason == "compare_prices returned no price range (no comparable listings)"


def test_from_without_an_earlier_result() -> None:
    verdict = check(m({"from": "compare_prices"}), 100, [SEARCH])
    assert not verdict.ok and "had not returned anything before" in verdict.reason


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"tool": "search_categories", "field": "matchez.id"}, "has no field 'matchez.id' (the result has"),
        ({"tool": "search_categories", "field": "matches.idd"}, "(matches has id, is_leaf, path, score)"),
        ({"tool": "compare_prices", "field": "count.x"}, "count has none: it is a single value"),
    ],
)
def test_from_names_only_fields_the_result_has(source: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        m({"from": source})


@pytest.mark.parametrize("spec", [{"contains": "a", "regex": "b"}, {}, {"startswith": "x"}])
def test_a_matcher_has_exactly_one_known_key(spec: dict) -> None:
    with pytest.raises(ValidationError):
        m(spec)


def test_describe() -> None:
    assert m({"between": [1, 2]}).describe() == "between (1.0, 2.0)"
    assert (
        m({"from": {"tool": "search_categories", "field": "matches.id"}}).describe()
        == "from 'search_categories.matches.id'"
    )
