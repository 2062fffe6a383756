"""The five match modes, their reasons, and the trajectory metrics, with edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from evals.matchers import PriorResult
from evals.schema import ExpectedCall
from evals.trajectory import ActualCall, compare, max_matching, prior_results

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


# --- maximum matching (the verdict never depends on the order of the calls) ------------------------------


def test_subset_passes_when_an_absent_expected_call_s_tool_was_called_with_other_arguments() -> None:
    expected = [exp(S, query="bike"), exp(S, query="sofa")]
    result = compare("subset", expected, [act(S, query="sofa")])
    assert result.passed, result.reasons
    assert result.first_divergence is None


def test_subset_explains_a_call_no_expected_call_matches() -> None:
    expected = [exp(S, query="bike"), exp(S, query="sofa")]
    result = compare("subset", expected, [act(S, query="sofa"), act(S, query="lamp")])
    assert not result.passed and result.first_divergence == 2
    assert (
        result.reasons[0]
        == "step 2: search_categories was called but argument query (equals 'bike'): 'lamp' is not 'bike'"
    )
    # One expected call covers one call made: the same search twice is one too many.
    twice = compare("subset", expected, [act(S, query="sofa"), act(S, query="sofa")])
    assert not twice.passed and twice.reasons[0].startswith(
        "step 2: search_categories was called but argument query"
    )


@pytest.mark.parametrize("mode", ["unordered", "superset", "subset"])
def test_the_unordered_modes_find_a_matching_whatever_the_order(mode: str) -> None:
    expected = [exp(C), exp(C, condition="good")]
    calls = [act(C, condition="good"), act(C, condition="fair")]
    assert compare(mode, expected, calls).passed  # type: ignore[arg-type]
    assert compare(mode, expected, list(reversed(calls))).passed  # type: ignore[arg-type]


def test_max_matching_reassigns_an_earlier_choice() -> None:
    # The first expected call could take call 0 or 1; the second only call 0: a first-fit would fail.
    assert max_matching([[0, 1], [0]]) == {0: 1, 1: 0}
    assert max_matching([[0], [0]]) == {0: 0}  # a call is never taken from the one that holds it in vain
    assert max_matching([[0], [0], [1]]) == {0: 0, 2: 1}
    assert max_matching([[], [2], [1, 2]]) == {1: 2, 2: 1}
    assert max_matching([]) == {}
    # A longer chain of reassignments.
    assert max_matching([[0, 1, 2], [0, 1], [0]]) == {0: 2, 1: 1, 2: 0}


def test_unordered_reasons_for_missing_and_extra_calls() -> None:
    expected = [exp(S), exp(C, condition="good"), exp(L)]
    result = compare("unordered", expected, [act(S), act(C, condition="fair"), act(S)])
    assert not result.passed
    assert result.reasons[:3] == [
        "step 2: compare_prices was called but argument condition (equals 'good'): 'fair' is not 'good'",
        "expected call 3, create_listing, was never made",
        "step 3: search_categories is not one of the expected calls",
    ]
    assert result.first_divergence == 2
    taken = compare("superset", [exp(L, price=40), exp(L, price=35)], [act(L, price=40)])
    assert taken.reasons[0] == (
        "expected call 2, create_listing, was never made (the 1 create_listing call(s) made match other "
        "expected calls)"
    )
    assert taken.first_divergence == 2


def test_superset_ignores_extra_calls_but_names_the_near_miss() -> None:
    result = compare("superset", [exp(C, condition="good")], [act(S), act(C, condition="fair"), act(L)])
    assert not result.passed and result.first_divergence == 2
    assert (
        result.reasons[0]
        == "step 2: compare_prices was called but argument condition (equals 'good'): 'fair' is not 'good'"
    )


# --- from: only results returned before the call --------------------------------------------------------


def test_from_ignores_a_result_returned_after_the_call() -> None:
    expected = [exp(C, category_id={"from": S})]
    # search and compare in one model response (made at message 1): the search result came back after.
    same_response = [
        ActualCall(S, {}, "success", SEARCH_RESULT, made_at=1, returned_at=2),
        ActualCall(C, {"category_id": 1026}, "success", COMPARE_RESULT, made_at=1, returned_at=2),
    ]
    result = compare("superset", expected, same_response)
    assert not result.passed
    assert "search_categories had not returned anything before" in result.reasons[0]
    after = [
        ActualCall(S, {}, "success", SEARCH_RESULT, made_at=1, returned_at=2),
        ActualCall(C, {"category_id": 1026}, "success", COMPARE_RESULT, made_at=3, returned_at=4),
    ]
    assert compare("superset", expected, after).passed
    # A result returned later in the conversation does not count either, wherever its call is listed.
    later = [
        ActualCall(C, {"category_id": 1026}, "success", COMPARE_RESULT, made_at=1, returned_at=2),
        ActualCall(S, {}, "success", SEARCH_RESULT, made_at=3, returned_at=4),
    ]
    assert not compare("superset", expected, later).passed


def test_without_positions_the_list_order_stands_for_time() -> None:
    expected = [exp(C, category_id={"from": S})]
    assert compare("superset", expected, [act(S, result=SEARCH_RESULT), act(C, category_id=1026)]).passed
    result = compare("superset", expected, [act(C, category_id=1026), act(S, result=SEARCH_RESULT)])
    assert not result.passed and "had not returned anything before" in result.reasons[0]
    # The call's own result is not a source for its own arguments.
    own = compare(
        "superset", [exp(S, query={"from": S})], [act(S, result={"matches": [{"id": "x"}]}, query="x")]
    )
    assert not own.passed


def test_prior_results_are_only_successful_ones_returned_before() -> None:
    calls = [
        ActualCall(S, {}, "success", SEARCH_RESULT, made_at=1, returned_at=2),
        ActualCall(C, {}, "failed", "refused", made_at=3, returned_at=4),
        ActualCall(L, {}, "success", {"id": 1}, made_at=5, returned_at=6),
        ActualCall(S, {}, "success", {"matches": []}, made_at=5, returned_at=6),
    ]
    assert prior_results(calls, 2) == [PriorResult(S, SEARCH_RESULT)]
    assert prior_results(calls, 0) == []
    unpositioned = [act(S, result=SEARCH_RESULT), act(C, "failed"), act(L)]
    assert prior_results(unpositioned, 2) == [PriorResult(S, SEARCH_RESULT)]
    assert prior_results(unpositioned, 0) == []


# --- what a tool returned, and turns --------------------------------------------------------------------


def test_a_call_can_be_held_to_what_it_returned() -> None:
    no_comps = ExpectedCall(tool=C, returned={"count": 0})
    empty = act(C, result={"count": 0, "suggested_low": None})
    assert compare("in_order", [no_comps], [empty]).passed
    result = compare("in_order", [no_comps], [act(C, result=COMPARE_RESULT)])
    assert not result.passed
    assert (
        result.reasons[0]
        == "step 1: compare_prices was called but its result's count (equals 0): 20 is not 0"
    )
    failed = compare("in_order", [no_comps], [act(C, "failed", result="marketplace down")])
    assert failed.reasons[0] == (
        "step 1: compare_prices was called but its result's count (equals 0): the call returned no result "
        "(its outcome: failed)"
    )
    nothing = compare("in_order", [no_comps], [act(C, result={"message": "x"})])
    assert nothing.reasons[0].endswith("its result's count (equals 0): the result has no count")
    # Through a list, any item will do.
    bicycles = ExpectedCall(tool=S, returned={"matches.path": {"contains": "Bicycles"}})
    assert compare("in_order", [bicycles], [act(S, result=SEARCH_RESULT)]).passed
    trailers = ExpectedCall(tool=S, returned={"matches.path": {"contains": "Trailers"}})
    assert (
        "'Bicycles' does not contain 'Trailers'"
        in compare("in_order", [trailers], [act(S, result=SEARCH_RESULT)]).reasons[0]
    )


def test_a_comparison_on_the_turn() -> None:
    later = ExpectedCall(tool=L, turn=">= 2")
    assert later.turn is not None and later.turn.describe() == ">= 2"
    assert compare("in_order", [later], [ActualCall(L, {}, "success", turn=2)]).passed
    same_turn = compare("in_order", [later], [ActualCall(L, {}, "success", turn=1)])
    assert same_turn.reasons[0] == "step 1: create_listing was called but turn (>= 2): 1 is not >= 2"


def test_category_paths_are_looked_up_for_category_matchers() -> None:
    bikes = ExpectedCall(tool=L, args={"category_id": {"category_path": {"regex": "Bicycles$"}}})
    paths = {1026: "Sporting Goods > Bicycles", 460: "Furniture > Sofas"}
    assert compare("in_order", [bikes], [act(L, category_id=1026)], paths).passed
    sofa = compare("in_order", [bikes], [act(L, category_id=460)], paths)
    assert (
        "argument category_id (category_path regex 'Bicycles$'): category 460: 'Furniture > Sofas' does not match /Bicycles$/"
        in sofa.reasons[0]
    )
    assert not compare("in_order", [bikes], [act(L, category_id=1026)]).passed  # no paths known


def test_argument_accuracy_aligns_an_unmatched_expected_call_with_a_call_of_its_tool() -> None:
    expected = [exp(S, query="bike"), exp(C, condition="good")]
    result = compare("unordered", expected, [act(C, condition="fair"), act(S, query="bike")])
    assert [(c.expected_index, c.arg, c.verdict.ok) for c in result.arg_checks] == [
        (0, "query", True),
        (1, "condition", False),
    ]
    assert result.arg_accuracy == 0.5
    # A call never made is left to recall.
    missing = compare("superset", [exp(L, price=1)], [act(S)])
    assert missing.arg_checks == [] and missing.arg_accuracy is None and missing.recall == 0.0


# --- what the reasons and metrics say, exactly ----------------------------------------------------------


def test_reasons_name_every_failing_matcher_of_a_call() -> None:
    result = compare(
        "in_order", [exp(C, condition="good", item="bike")], [act(C, condition="fair", item="sofa")]
    )
    assert result.reasons[0] == (
        "step 1: compare_prices was called but argument condition (equals 'good'): 'fair' is not 'good'; "
        "argument item (equals 'bike'): 'sofa' is not 'bike'"
    )


def test_in_order_says_what_came_instead_of_a_missing_call() -> None:
    first = compare("in_order", [exp(S), exp(C)], [act(C)])
    assert (
        first.reasons[0] == "expected call 1, search_categories, was never made (step 1 was compare_prices)"
    )
    end = compare("in_order", [exp(S), exp(L)], [act(S)])
    assert (
        end.reasons[0] == "expected call 2, create_listing, was never made after the previous expected call"
    )
    nothing = compare("in_order", [exp(S)], [])
    assert nothing.reasons[0] == "expected call 1, search_categories, was never made"


def test_unordered_names_a_second_unmatched_call_as_an_extra() -> None:
    result = compare(
        "unordered", [exp(C, condition="good")], [act(C, condition="fair"), act(C, condition="new")]
    )
    assert result.reasons[:2] == [
        "step 1: compare_prices was called but argument condition (equals 'good'): 'fair' is not 'good'",
        "step 2: compare_prices is not one of the expected calls",
    ]


def test_in_order_aligns_arguments_with_the_call_it_matched() -> None:
    result = compare("in_order", [exp(S, query="b")], [act(S, query="a"), act(S, query="b")])
    assert result.passed and result.arg_accuracy == 1.0


def test_argument_checks_record_what_was_checked() -> None:
    result = compare("in_order", [exp(C, condition="good")], [act(C, condition="fair")])
    ((check_,),) = [result.arg_checks]
    assert (check_.expected_index, check_.tool, check_.arg, check_.matcher) == (
        0,
        C,
        "condition",
        "equals 'good'",
    )
    assert check_.verdict.ok is False and check_.verdict.reason == "'fair' is not 'good'"


def test_argument_accuracy_aligns_unmatched_expected_calls_one_to_one() -> None:
    expected = [exp(C, item="x", condition="good"), exp(C, item="y", condition="new")]
    result = compare(
        "unordered", expected, [act(C, item="x", condition="fair"), act(C, item="y", condition="fair")]
    )
    assert result.arg_accuracy == 0.5  # each expected call against its own call: the items agree
    skipped = compare("superset", [exp(L, price=1), exp(S, query="a")], [act(S, query="a")])
    assert skipped.arg_accuracy == 1.0  # the missing create is left to recall; the search still counts


def test_precision_and_order_score_edge_cases() -> None:
    assert compare("in_order", [exp(S)], [act(S), act(C)]).precision == 0.5
    assert compare("in_order", [exp(S)], []).precision == 0.0
    assert compare("strict", [], [act(S)]).order_score == 0.0
    # A draft turned down at the end that the scenario does not list is an extra call.
    assert compare(
        "in_order", [exp(S), exp(C)], [act(S), act(C), act(L, "denied")]
    ).precision == pytest.approx(2 / 3)
    assert compare("in_order", [exp(S), exp(C), exp(L)], [act(L), act(S)]).order_score == pytest.approx(1 / 3)


def test_lcs() -> None:
    from evals.trajectory import _lcs

    assert _lcs(list("ABCBDAB"), list("BDCABA")) == 4
    assert _lcs(list("ABC"), list("CBA")) == 1
    assert _lcs(list("AAA"), list("BAB")) == 1
    assert _lcs([], list("AB")) == 0 and _lcs(list("AB"), list("AB")) == 2


def test_describe_calls() -> None:
    from evals.trajectory import describe

    assert describe([]) == "(no tool calls)"
    assert describe([act(S), act(C)]) == "search_categories → compare_prices"


def test_a_result_of_the_same_message_is_not_before_the_call() -> None:
    calls = [
        ActualCall(S, {}, "success", SEARCH_RESULT, made_at=1, returned_at=3),
        ActualCall(C, {}, "success", COMPARE_RESULT, made_at=3, returned_at=4),
    ]
    assert prior_results(calls, 1) == []


PATHS = {1026: "Sporting Goods > Bicycles", 460: "Furniture > Sofas"}
BIKES = {"category_id": {"category_path": {"contains": "Bicycles"}}}


@pytest.mark.parametrize("mode", ["strict", "in_order", "unordered", "superset", "subset"])
def test_every_mode_looks_categories_up(mode: str) -> None:
    expected = [ExpectedCall(tool=L, args=BIKES)]
    result = compare(mode, expected, [act(L, category_id=1026)], PATHS)  # type: ignore[arg-type]
    assert result.passed and result.arg_accuracy == 1.0, result.reasons
    wrong = compare(mode, expected, [act(L, category_id=460)], PATHS)  # type: ignore[arg-type]
    assert "category 460: 'Furniture > Sofas' does not contain 'Bicycles'" in wrong.reasons[0]


def test_a_result_matcher_sees_earlier_results_and_category_paths() -> None:
    same_category = ExpectedCall(tool=C, returned={"category_id": {"from": S}})
    calls = [act(S, result=SEARCH_RESULT), act(C, result={"category_id": 1026, "count": 3})]
    assert compare("in_order", [same_category], calls).passed
    in_bikes = ExpectedCall(tool=C, returned={"category_id": {"category_path": {"contains": "Bicycles"}}})
    assert compare("in_order", [in_bikes], calls, PATHS).passed
    assert not compare("in_order", [in_bikes], calls).passed
    failed = compare("in_order", [same_category], [act(C, "failed")])
    assert failed.arg_checks[0].verdict.ok is False
    missing = compare("in_order", [ExpectedCall(tool=C, returned={"count": 0})], [act(C, result={})])
    assert missing.arg_checks[0].verdict.ok is False
    assert "(its outcome: none)" in compare("in_order", [same_category], [act(C, None)]).reasons[0]
