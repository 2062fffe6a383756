"""The five match modes, their reasons, and the trajectory metrics, with edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from evals.schema import ExpectedCall
from evals.trajectory import ActualCall, compare

SEARCH_RESULT = {"matches": [{"id": 1026, "path": "Bicycles", "is_leaf": True, "score": 1.0}]}
COMPARE_RESULT = {"count": 20, "suggested_low": 100.0, "suggested_high": 250.0, "p25": 100.0, "p75": 250.0}


def exp(tool: str, **args: Any) -> ExpectedCall:
    return ExpectedCall(tool=tool, args=args)


def act(tool: str, outcome: str = "success", result: Any = None, **args: Any) -> ActualCall:
    return ActualCall(tool=tool, args=args, outcome=outcome, result=result)


S, C, L = "search_categories", "compare_prices", "create_listing"
EXPECTED = [exp(S), exp(C, category_id={"from": S}), exp(L, price={"from": C})]


def good() -> list[ActualCall]:
    return [act(S, result=SEARCH_RESULT), act(C, result=COMPARE_RESULT, category_id=1026), act(L, price=150)]


@pytest.mark.parametrize("mode", ["strict", "in_order", "unordered", "subset", "superset"])
def test_the_expected_trajectory_passes_every_mode(mode: str) -> None:
    result = compare(mode, EXPECTED, good())  # type: ignore[arg-type]
    assert result.passed, result.reasons
    assert (result.precision, result.recall, result.f1, result.order_score, result.arg_accuracy) == (
        1,
        1,
        1,
        1,
        1,
    )


def test_strict_names_the_first_divergence() -> None:
    calls = [act(S, result=SEARCH_RESULT), act(L, price=150)]
    result = compare("strict", EXPECTED, calls)
    assert not result.passed and result.first_divergence == 2
    assert result.reasons[0] == "step 2: expected compare_prices, got create_listing"
    assert (
        result.reasons[-1]
        == "expected: search_categories → compare_prices → create_listing; actual: search_categories → create_listing"
    )


def test_strict_rejects_extra_and_missing_calls() -> None:
    extra = compare("strict", EXPECTED, [*good(), act(S)])
    assert not extra.passed and extra.reasons[0] == "step 4: unexpected extra call search_categories"
    short = compare("strict", EXPECTED, good()[:2])
    assert (
        not short.passed
        and short.reasons[0] == "step 3: expected create_listing, but the agent made no more calls"
    )


def test_in_order_allows_calls_between_but_not_reordering() -> None:
    between = [
        act(S, result=SEARCH_RESULT),
        act(S, result=SEARCH_RESULT),
        act(C, result=COMPARE_RESULT, category_id=1026),
        act(L, price=150),
    ]
    assert compare("in_order", EXPECTED, between).passed
    reordered = [
        act(L, price=150),
        act(S, result=SEARCH_RESULT),
        act(C, result=COMPARE_RESULT, category_id=1026),
    ]
    result = compare("in_order", EXPECTED, reordered)
    assert not result.passed
    assert result.reasons[0] == (
        "expected call 3, create_listing, was made out of order: at step 1, before the calls expected ahead of it"
    )
    assert result.first_divergence == 1


def test_in_order_reports_a_skipped_call() -> None:
    calls = [act(S, result=SEARCH_RESULT), act(L, price=150)]
    result = compare("in_order", EXPECTED, calls)
    assert not result.passed
    assert (
        result.reasons[0]
        == "expected call 2, compare_prices, was never made after the previous expected call (step 2 was create_listing)"
    )
    assert result.recall == pytest.approx(2 / 3) and result.precision == 1.0
    assert result.order_score == pytest.approx(2 / 3)


def test_argument_mismatch_is_explained() -> None:
    calls = [act(S, result=SEARCH_RESULT), act(C, result=COMPARE_RESULT, category_id=460), act(L, price=9999)]
    result = compare("in_order", EXPECTED, calls)
    assert (
        "step 2: compare_prices was called but argument category_id (from 'search_categories'): 460 is not among the matches.id of any earlier search_categories result"
        in result.reasons
    )
    assert any(
        "price (from 'compare_prices'): 9,999 is outside the range compare_prices returned (100–250)" in r
        for r in result.reasons
    )
    assert result.arg_accuracy == 0.0 and result.first_divergence == 2


def test_unordered_needs_exactly_the_expected_calls() -> None:
    shuffled = [
        act(S, result=SEARCH_RESULT),
        act(L, price=150),
        act(C, result=COMPARE_RESULT, category_id=1026),
    ]
    expected = [exp(S), exp(C), exp(L)]
    assert compare("unordered", expected, shuffled).passed
    extra = compare("unordered", expected, [*shuffled, act(S)])
    assert not extra.passed and "step 4: search_categories is not one of the expected calls" in extra.reasons


def test_subset_allows_missing_calls_but_not_others() -> None:
    expected = [exp(S), exp(C)]
    assert compare("subset", expected, [act(S)]).passed
    assert compare("subset", expected, []).passed  # an empty trajectory is a subset of anything
    result = compare("subset", expected, [act(S), act(L)])
    assert (
        not result.passed and result.reasons[0] == "step 2: create_listing is not one of the expected calls"
    )


def test_superset_allows_extras_but_needs_every_expected_call() -> None:
    expected = [exp(C), exp(S)]
    assert compare("superset", expected, [act(S), act(L), act(C)]).passed
    result = compare("superset", expected, [act(S), act(S)])
    assert not result.passed and result.reasons[0].startswith(
        "expected call 1, compare_prices, was never made"
    )


def test_repeated_tools_are_matched_one_to_one() -> None:
    expected = [exp(L, price=40), exp(L, price=35)]
    assert compare("in_order", expected, [act(L, "denied", price=40), act(L, price=35)]).passed
    result = compare("in_order", expected, [act(L, price=40)])
    assert not result.passed and "expected call 2, create_listing, was never made" in result.reasons[0]


def test_retried_attempts_are_not_steps() -> None:
    calls = [
        act(S, result=SEARCH_RESULT),
        act(C, "retried", category_id=1),
        act(C, result=COMPARE_RESULT, category_id=1026),
        act(L, price=150),
    ]
    assert compare("strict", EXPECTED, calls).passed


def test_empty_trajectories() -> None:
    nothing = compare("strict", [], [])
    assert nothing.passed and nothing.precision == nothing.recall == nothing.order_score == 1.0
    assert nothing.arg_accuracy is None
    called = compare("strict", [], [act(S)])
    assert not called.passed and called.precision == 0.0
    missing = compare("in_order", EXPECTED, [])
    assert not missing.passed and missing.recall == 0.0 and missing.first_divergence == 1
    assert all(not c.verdict.ok for c in missing.arg_checks)


def test_missing_argument_in_a_call() -> None:
    result = compare("in_order", [exp(C, condition="good")], [act(C)])
    assert not result.passed and "condition (equals 'good'): the argument is missing" in result.reasons[0]


def test_a_draft_the_seller_turned_down_and_the_agent_revised_is_not_an_extra_call() -> None:
    revised = [*good()[:2], act(L, outcome="denied", price=240), act(L, price=150)]
    result = compare("in_order", EXPECTED, revised)
    assert result.passed and result.precision == 1.0 and result.order_score == 1.0
    # A second listing after one was created is an extra call.
    twice = [*good(), act(L, price=150)]
    assert compare("in_order", EXPECTED, twice).precision == pytest.approx(3 / 4)
    # A draft turned down at the end (a decline) is still the call it was.
    declined = [*good()[:2], act(L, outcome="denied", price=150)]
    assert compare("in_order", EXPECTED, declined).precision == 1.0


def test_argument_accuracy_covers_the_calls_made_only() -> None:
    calls = [act(S, result=SEARCH_RESULT), act(C, result=COMPARE_RESULT, category_id=1026)]
    result = compare("in_order", EXPECTED, calls)  # create_listing never made: recall's business
    assert result.recall == pytest.approx(2 / 3) and result.arg_accuracy == 1.0


def test_a_call_can_be_held_to_a_turn() -> None:
    later = ExpectedCall(tool=C, turn={"between": [2, 12]})
    asked_first = [ActualCall(S, {}, "success", SEARCH_RESULT, turn=1), ActualCall(C, {}, "success", turn=2)]
    guessed = [ActualCall(S, {}, "success", SEARCH_RESULT, turn=1), ActualCall(C, {}, "success", turn=1)]
    assert compare("in_order", [later], asked_first).passed
    result = compare("in_order", [later], guessed)
    assert not result.passed
    assert (
        result.reasons[0]
        == "step 2: compare_prices was called but turn (between (2.0, 12.0)): 1 is not between 2 and 12"
    )
