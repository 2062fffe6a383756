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
        (
            {"tool": "search_categories", "field": "matches.idd"},
            "(matches has id, is_leaf, named, path, score)",
        ),
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


@pytest.mark.parametrize(
    ("comparison", "value", "ok"),
    [
        (">= 2", 2, True),
        (">= 2", 1, False),
        ("> 2", 2, False),
        ("> 2", 2.5, True),
        ("<= 2", 2, True),
        ("<= 2", 3, False),
        ("< 2", 2, False),
        ("< 2", -1, True),
        ("== 1", 1.0, True),
        ("== 1", 2, False),
        ("!= 3", 3, False),
        ("!= 3", 4, True),
        (">= 2", "3", True),  # a number written as text
        (">= 0.5", 0.25, False),
    ],
)
def test_compare(comparison: str, value: object, ok: bool) -> None:
    assert check(m({"compare": comparison}), value).ok is ok


def test_compare_reasons_and_validation() -> None:
    assert check(m({"compare": ">=2"}), 1).reason == "1 is not >= 2"
    assert check(m({"compare": "< 10.5"}), 12).reason == "12 is not < 10.50"
    assert check(m({"compare": "> 0"}), "free").reason == "'free' is not a number"
    assert check(m({"compare": "> 0"}), True).reason == "True is not a number"
    assert m({"compare": " >=  2 "}).describe() == ">= 2"
    for bad in ("=> 2", ">= two", "2", ">= 2 3", ""):
        with pytest.raises(ValidationError, match="is not a comparison"):
            m({"compare": bad})


def test_a_misspelt_matcher_key_gets_the_nearest_one() -> None:
    """As a misspelt scenario key does ("did you mean 'description'?")."""
    with pytest.raises(ValidationError, match="got betwen; did you mean 'between'"):
        m({"betwen": [1, 2]})
    with pytest.raises(ValidationError, match=r"got zzz \[type=value_error"):  # nothing near: no guess
        m({"zzz": 1})


def test_a_bare_comparison_is_a_comparison_only_for_a_turn() -> None:
    call = ExpectedCall(tool="create_listing", turn=">= 2", args={"title": ">= 2"})
    assert call.turn is not None and call.turn.kind == "compare"
    assert call.args["title"].kind == "equals" and call.args["title"].equals == ">= 2"
    assert ExpectedCall(tool="create_listing", turn=2).turn == Matcher(equals=2)
    # A turn number is never text: "first" is turn 1 (as a reply check reads it); any other text is refused
    # at load, where it was an expectation no call could meet ("turn (equals 'two'): 2 is not 'two'").
    assert ExpectedCall(tool="create_listing", turn="first").turn == Matcher(equals=1)
    assert ExpectedCall(tool="create_listing", turn="3").turn == Matcher(equals=3)
    for bad in ("two", "~ 2", "last", ">= second"):
        with pytest.raises(ValidationError, match=f"{re.escape(repr(bad))} is not a turn: a number"):
            ExpectedCall(tool="create_listing", turn=bad)


PATHS = {1026: "Sporting Goods > Cycling > Bicycles", 460: "Furniture > Sofas"}


def test_category_path_judges_a_category_id_by_its_path() -> None:
    bikes = m({"category_path": {"contains": "bicycles"}})
    assert check(bikes, 1026, categories=PATHS).ok
    assert check(bikes, "1026", categories=PATHS).ok
    assert check(bikes, 1026.0, categories=PATHS).ok
    assert check(bikes, 460, categories=PATHS).reason == (
        "category 460: 'Furniture > Sofas' does not contain 'bicycles'"
    )
    assert check(bikes, 99, categories=PATHS).reason == "category 99 is not a category the marketplace knows"
    assert check(bikes, 1026).reason == "category 1026 is not a category the marketplace knows"
    assert check(bikes, "bikes", categories=PATHS).reason == "'bikes' is not a category id"
    assert check(bikes, 10.5, categories=PATHS).reason == "10.5 is not a category id"
    assert check(m({"category_path": "Furniture > Sofas"}), 460, categories=PATHS).ok  # bare text: equals
    nested = m({"category_path": {"from": {"tool": "search_categories", "field": "matches.path"}}})
    assert check(nested, 1026, [SEARCH], PATHS).reason == (
        "category 1026: 'Sporting Goods > Cycling > Bicycles' is not among the matches.path of any earlier "
        "search_categories result"
    )
    assert bikes.describe() == "category_path contains 'bicycles'"


def test_values_at_walks_dotted_paths_through_lists() -> None:
    from evals.matchers import values_at

    assert values_at(SEARCH.result, "matches.id") == [1026, 3811]
    assert values_at(COMPS.result, "count") == [30]
    assert values_at(COMPS.result, "examples.title") == ["Trek 520"]
    assert values_at(COMPS.result, "nothing") == []
    assert values_at(COMPS.result, "count.x") == []
    assert values_at([{"a": [{"b": 1}, {"b": 2}]}, {"a": {"b": 3}}], "a.b") == [1, 2, 3]


@pytest.mark.parametrize(
    ("spec", "value", "reason"),
    [
        ("good", "fair", "'fair' is not 'good'"),
        ({"contains": "bike"}, "bicycle", "'bicycle' does not contain 'bike'"),
        ({"regex": "^bike$"}, "road bike", "'road bike' does not match /^bike$/"),
        ({"between": [10, 20]}, 20.5, "20.50 is not between 10 and 20"),
        ({"between": [10, 20]}, 1500, "1,500 is not between 10 and 20"),
        ({"between": [10, 20]}, "cheap", "'cheap' is not a number"),
        ({"one_of": ["good", "excellent"]}, "fair", "'fair' is not one of ['good', 'excellent']"),
        ({"any": False}, "x", "`any: false` matches nothing"),
    ],
)
def test_every_failing_matcher_says_why(spec: object, value: object, reason: str) -> None:
    verdict = check(m(spec), value)
    assert not verdict.ok and verdict.reason == reason


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Good", " good ", True),
        (1, 1.0, True),
        (1, 1.0000000001, True),
        (1, 1.001, False),
        (True, True, True),
        (False, 0, False),
        (0, False, False),
        (None, None, True),
        ([1, 2], [1, 2], True),
        ("1", 1, False),
    ],
)
def test_equals_compares_like_a_person_would(a: object, b: object, same: bool) -> None:
    assert check(m({"equals": a}), b).ok is same


def test_passing_verdicts_carry_no_reason() -> None:
    for spec, value in [
        ("good", "good"),
        ({"contains": "b"}, "abc"),
        ({"regex": "b"}, "abc"),
        ({"between": [1, 2]}, 1.5),
        ({"one_of": [1]}, 1),
        ({"any": True}, 0),
        ({"compare": ">= 1"}, 1),
        ({"from": "search_categories"}, 1026),
        ({"from": "compare_prices"}, 100),
    ]:
        assert check(m(spec), value, [SEARCH, COMPS]).reason == ""


def test_failing_verdicts_are_false_not_just_falsy() -> None:
    for spec, value, prior in [
        ("x", MISSING, []),
        ({"any": False}, 1, []),
        ({"compare": "> 0"}, "free", []),
        ({"category_path": "x"}, "bikes", []),
        ({"category_path": "x"}, 99, []),
        ({"from": "compare_prices"}, 100, []),
        ({"from": "compare_prices"}, "cheap", [COMPS]),
        ({"from": "compare_prices"}, 100, [PriorResult("compare_prices", {"count": 0})]),
    ]:
        verdict = check(m(spec), value, prior)
        assert verdict.ok is False and verdict.reason, (spec, value)


def test_from_a_comparison_uses_either_range_it_returned() -> None:
    suggested = PriorResult("compare_prices", {"suggested_low": 100.0, "suggested_high": 200.0})
    quartiles = PriorResult("compare_prices", {"p25": 300.0, "p75": 400.0})
    both = PriorResult(
        "compare_prices", {"suggested_low": 100.0, "suggested_high": 200.0, "p25": 300.0, "p75": 400.0}
    )
    half = PriorResult("compare_prices", {"suggested_low": 100.0, "suggested_high": None, "p25": 300.0})
    source = m({"from": "compare_prices"})
    assert check(source, 150, [suggested]).ok and check(source, 350, [quartiles]).ok
    assert check(source, 150, [both]).ok and check(source, 350, [both]).ok
    assert check(source, 200, [both]).ok and check(source, 400, [both]).ok  # both ends included
    assert check(source, 100, [both]).ok and check(source, 300, [both]).ok
    outside = check(source, 250, [both])
    assert outside.reason == "250 is outside the range compare_prices returned (100–200, 300–400)"
    assert check(source, 150, [half]).reason == (
        "compare_prices returned no price range (no comparable listings)"
    )
    assert check(source, 150, [suggested, suggested]).reason == ""
    assert check(source, 999, [suggested, suggested]).reason.endswith("(100–200)")  # each range once


def test_values_at_a_path_that_ends_in_a_dict_or_a_list_takes_every_value_below() -> None:
    from evals.matchers import values_at

    assert values_at(SEARCH.result, "matches") == [
        1026,
        "A > Bicycles",
        1.0,
        3811,
        "A > Bicycle Trailers",
        0.4,
    ]
    assert values_at({"a": [[1, 2], {"b": 3}]}, "a") == [1, 2, 3]


def test_numbers_equal_within_a_billionth() -> None:
    assert not check(m({"equals": 0}), 1e-9).ok
    assert check(m({"equals": 0}), 1e-10).ok


def test_a_passing_category_path_has_no_reason_and_a_failing_compare_is_false() -> None:
    assert check(m({"category_path": {"contains": "Bicycles"}}), 1026, categories=PATHS).reason == ""
    assert check(m({"compare": "> 0"}), "free").ok is False
