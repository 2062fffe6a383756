"""Properties of the match modes over random trajectories (hypothesis), and an independent oracle: a
brute-force search over every assignment of calls, against which the maximum matching is checked."""

from __future__ import annotations

from itertools import permutations
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from evals.schema import ExpectedCall
from evals.trajectory import ActualCall, compare, matches

S, C, L = "search_categories", "compare_prices", "create_listing"
ARG = {S: "query", C: "condition", L: "condition"}  # one argument per tool is enough to tell calls apart
VALUES = ("a", "b", "c")

tools = st.sampled_from((S, C, L))


@st.composite
def expected_calls(draw: st.DrawFn) -> ExpectedCall:
    tool = draw(tools)
    matcher: Any = draw(
        st.one_of(
            st.none(),
            st.sampled_from(VALUES),
            st.lists(st.sampled_from(VALUES), min_size=1, max_size=2).map(lambda vs: {"one_of": vs}),
            st.just({"any": True}),
        )
    )
    turn = draw(st.one_of(st.none(), st.sampled_from((">= 2", "<= 2", "== 1"))))
    return ExpectedCall(tool=tool, args={} if matcher is None else {ARG[tool]: matcher}, turn=turn)


@st.composite
def actual_calls(draw: st.DrawFn) -> ActualCall:
    tool = draw(tools)
    value = draw(st.one_of(st.none(), st.sampled_from(VALUES)))
    return ActualCall(
        tool, {} if value is None else {ARG[tool]: value}, "success", turn=draw(st.integers(1, 3))
    )


expected_lists = st.lists(expected_calls(), max_size=4)
actual_lists = st.lists(actual_calls(), max_size=5)


def passes(mode: str, expected: list[ExpectedCall], calls: list[ActualCall]) -> bool:
    return compare(mode, expected, calls).passed  # type: ignore[arg-type]


@given(expected_lists, actual_lists, st.randoms(use_true_random=False))
def test_permuting_the_calls_never_changes_an_unordered_verdict(
    expected: list[ExpectedCall], calls: list[ActualCall], random: Any
) -> None:
    shuffled = list(calls)
    random.shuffle(shuffled)
    for mode in ("unordered", "superset", "subset"):
        assert passes(mode, expected, calls) == passes(mode, expected, shuffled), mode


@given(expected_lists, actual_lists)
def test_the_modes_nest(expected: list[ExpectedCall], calls: list[ActualCall]) -> None:
    strict, in_order = passes("strict", expected, calls), passes("in_order", expected, calls)
    unordered = passes("unordered", expected, calls)
    superset, subset = passes("superset", expected, calls), passes("subset", expected, calls)
    assert not strict or in_order  # strict ⊂ in_order
    assert not strict or unordered  # strict ⊂ unordered
    assert not in_order or superset  # in_order ⊂ superset (extra calls are allowed in both)
    # in_order ⊂ unordered when no extra call was made (in_order alone allows them)
    assert not (in_order and len(expected) == len(calls)) or unordered
    assert (superset and subset) == unordered  # superset ∧ subset ⇔ unordered...
    assert not unordered or len(expected) == len(calls)  # ...which needs as many calls as expected


def _one_to_one(pairs: list[list[bool]], rows: int, cols: int) -> bool:
    """Brute force: can every row get its own column? (the oracle: no matching algorithm)"""
    if rows > cols:
        return False
    return any(all(pairs[r][c] for r, c in enumerate(cols_)) for cols_ in permutations(range(cols), rows))


@given(expected_lists, actual_lists)
def test_the_matching_agrees_with_a_brute_force_search(
    expected: list[ExpectedCall], calls: list[ActualCall]
) -> None:
    fits = [[matches(e, calls, i) for i in range(len(calls))] for e in expected]
    transposed = [[fits[j][i] for j in range(len(expected))] for i in range(len(calls))]
    every_expected = _one_to_one(fits, len(expected), len(calls))
    every_call = _one_to_one(transposed, len(calls), len(expected))
    assert passes("superset", expected, calls) == every_expected
    assert passes("subset", expected, calls) == every_call
    assert passes("unordered", expected, calls) == (every_expected and len(expected) == len(calls))


@given(expected_lists, actual_lists)
def test_in_order_agrees_with_a_brute_force_search(
    expected: list[ExpectedCall], calls: list[ActualCall]
) -> None:
    from itertools import combinations

    def embeds() -> bool:
        return any(
            all(matches(e, calls, i) for e, i in zip(expected, chosen, strict=True))
            for chosen in combinations(range(len(calls)), len(expected))
        )

    assert passes("in_order", expected, calls) == embeds()
    assert passes("strict", expected, calls) == (
        len(expected) == len(calls) and all(matches(e, calls, i) for i, e in enumerate(expected))
    )


@given(expected_lists, actual_lists)
def test_a_failing_verdict_always_says_why_and_where(
    expected: list[ExpectedCall], calls: list[ActualCall]
) -> None:
    for mode in ("strict", "in_order", "unordered", "superset", "subset"):
        result = compare(mode, expected, calls)  # type: ignore[arg-type]
        if result.passed:
            assert result.reasons == [] and result.first_divergence is None
        else:
            # The sequences side by side when they differ; not the same names twice when only arguments do.
            differ = [e.tool for e in expected] != [c.tool for c in calls]
            assert result.reasons and result.reasons[-1].startswith("expected: ") == differ
            assert len(result.reasons) >= 1 + differ
            assert result.first_divergence is not None and 1 <= result.first_divergence <= len(calls) + 1
