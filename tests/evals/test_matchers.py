"""Every argument matcher, with edge cases."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from evals.matchers import MISSING, PriorResult, check
from evals.schema import ExpectedCall, Matcher

SEARCH = PriorResult(
    "search_categories",
    {
        "query": "bike",
        "matches": [{"id": 1026, "path": "A > Bicycles"}, {"id": 3811, "path": "A > Bicycle Trailers"}],
    },
)
COMPS = PriorResult(
    "compare_prices",
    {
        "count": 30,
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
    assert not foreign.ok and foreign.reason == "460 did not appear in any earlier search_categories result"
    wrong_field = check(m({"from": {"tool": "search_categories", "field": "matches.path"}}), 1026, [SEARCH])
    assert not wrong_field.ok and "(at matches.path)" in wrong_field.reason


def test_from_checks_a_price_against_the_returned_range() -> None:
    assert check(m({"from": "compare_prices"}), 165, [COMPS]).ok
    assert check(m({"from": "compare_prices"}), 90, [COMPS]).ok
    outside = check(m({"from": "compare_prices"}), 9999, [COMPS])
    assert not outside.ok and outside.reason == "9,999 is outside the range compare_prices returned (90–260)"


def test_from_without_an_earlier_result() -> None:
    verdict = check(m({"from": "compare_prices"}), 100, [SEARCH])
    assert not verdict.ok and "had not returned anything before" in verdict.reason


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
