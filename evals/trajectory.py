"""Comparing the tools an agent called with the tools a scenario expects.

Five match modes (the same names as agentevals' trajectory match):
- strict: exactly the expected calls, in the expected order, nothing else;
- in_order: the expected calls in the expected order; other calls may come between;
- unordered: exactly the expected calls, in any order;
- subset: every call made is one of the expected ones (some expected calls may be missing);
- superset: every expected call is made, in any order (other calls are allowed).
A call matches an expected one when the tool is the same and every matcher holds (its arguments, its
turn, what it returned). Each expected call is matched to its own actual call: the unordered modes find a
maximum bipartite matching (so the verdict never depends on the order of the calls), in_order the
earliest calls in order (which finds an order-keeping match whenever there is one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.matchers import MISSING, PriorResult, Verdict, check, values_at
from evals.numbering import shown
from evals.schema import ExpectedCall, MatchMode


@dataclass(frozen=True)
class ActualCall:
    tool: str
    args: dict[str, Any]
    outcome: str | None = None  # success | failed | retried | denied | awaiting_approval
    result: Any = None
    approved: bool = False
    turn: int = 0  # the seller message (1-based) whose agent turn made the call
    # Where the call and its result sit in the conversation's messages. `from` may only use a result
    # returned before the call was made: not one of the same model response, nor a later one. Without
    # positions (calls built by hand), the order of the list stands for time.
    made_at: int | None = None
    returned_at: int | None = None


@dataclass
class ArgCheck:
    expected_index: int
    tool: str
    arg: str
    matcher: str
    verdict: Verdict


@dataclass
class TrajectoryResult:
    mode: MatchMode
    passed: bool
    reasons: list[str] = field(default_factory=list)
    first_divergence: int | None = None  # 1-based step where expected and actual part ways
    arg_checks: list[ArgCheck] = field(default_factory=list)
    precision: float = 1.0
    recall: float = 1.0
    order_score: float = 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def arg_accuracy(self) -> float | None:
        if not self.arg_checks:
            return None
        return sum(c.verdict.ok for c in self.arg_checks) / len(self.arg_checks)


def prior_results(calls: Sequence[ActualCall], index: int) -> list[PriorResult]:
    """The results the call at `index` could have used: successful results returned before it was made."""
    call = calls[index]
    if call.made_at is None:
        earlier = list(calls[:index])
    else:
        made_at = call.made_at
        earlier = [c for c in calls if c.returned_at is not None and c.returned_at < made_at]
    return [PriorResult(c.tool, c.result) for c in earlier if c.outcome == "success"]


def _returned(
    call: ActualCall,
    path: str,
    matcher: Any,
    prior: Sequence[PriorResult],
    categories: Mapping[int, str] | None,
) -> Verdict:
    if call.outcome != "success":
        return Verdict(False, f"the call returned no result (its outcome: {call.outcome or 'none'})")
    values = values_at(call.result, path)
    if not values:
        return Verdict(False, f"the result has no {path}")
    verdicts = [check(matcher, value, prior, categories) for value in values]
    return next((v for v in verdicts if v.ok), verdicts[0])


def arg_verdicts(
    expected: ExpectedCall,
    calls: Sequence[ActualCall],
    index: int,
    categories: Mapping[int, str] | None = None,
) -> list[tuple[str, str, Verdict]]:
    """(what, matcher, verdict) for every matcher of the expected call against the call at `index`; `what`
    is an argument's name, "turn", or "returned.<path>"."""
    call = calls[index]
    prior = prior_results(calls, index)
    verdicts = [
        (name, matcher.describe(), check(matcher, call.args.get(name, MISSING), prior, categories))
        for name, matcher in expected.args.items()
    ]
    if expected.turn is not None:  # when it happened is checked like an argument, named "turn"
        verdicts.append(("turn", expected.turn.describe(), check(expected.turn, call.turn)))
    for path, matcher in expected.returned.items():
        verdicts.append(
            (f"returned.{path}", matcher.describe(), _returned(call, path, matcher, prior, categories))
        )
    return verdicts


def matches(
    expected: ExpectedCall,
    calls: Sequence[ActualCall],
    index: int,
    categories: Mapping[int, str] | None = None,
) -> bool:
    """Whether the call at `index` is the expected one: the same tool, every matcher holding."""
    return calls[index].tool == expected.tool and all(
        v.ok for _, _, v in arg_verdicts(expected, calls, index, categories)
    )


def max_matching(candidates: Sequence[Sequence[int]]) -> dict[int, int]:
    """A maximum bipartite matching: `candidates[j]` are the actual calls expected call j may take; returns
    expected -> actual. Kuhn's augmenting paths (the sets are small), trying earlier calls first."""
    owner: dict[int, int] = {}  # actual -> expected

    def augment(j: int, seen: set[int]) -> bool:
        for i in candidates[j]:
            if i in seen:
                continue
            seen.add(i)
            if i not in owner or augment(owner[i], seen):
                owner[i] = j
                return True
        return False

    for j in range(len(candidates)):
        augment(j, set())
    return {j: i for i, j in owner.items()}


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[len(a)][len(b)]


def describe(calls: Sequence[ActualCall]) -> str:
    return " → ".join(c.tool for c in calls) if calls else "(no tool calls)"


def _label(what: str) -> str:
    if what == "turn":
        return "turn"
    if what.startswith("returned."):
        return "its result's " + what.removeprefix("returned.")
    return f"argument {what}"


def _mismatch_reason(
    expected: ExpectedCall,
    calls: Sequence[ActualCall],
    index: int,
    categories: Mapping[int, str] | None = None,
) -> str:
    bad = [
        f"{_label(what)} ({how}): {v.reason}"
        for what, how, v in arg_verdicts(expected, calls, index, categories)
        if not v.ok
    ]
    return f"step {shown(index)}: {expected.tool} was called but " + "; ".join(bad)


Reasons = list[tuple[int, str]]  # (the step it concerns, the reason)


def _in_order(
    expected: Sequence[ExpectedCall], calls: Sequence[ActualCall], categories: Mapping[int, str] | None
) -> tuple[dict[int, int], Reasons]:
    """The earliest calls that match the expected ones in order; an expected call not found is explained."""
    used: set[int] = set()
    pairs: dict[int, int] = {}
    reasons: Reasons = []
    cursor = 0
    for j, exp in enumerate(expected):
        later = range(cursor, len(calls))
        found = next((i for i in later if i not in used and matches(exp, calls, i, categories)), None)
        if found is not None:
            pairs[j] = found
            used.add(found)
            cursor = found + 1
            continue
        near = next((i for i in later if i not in used and calls[i].tool == exp.tool), None)
        early = next((i for i in range(cursor) if i not in used and calls[i].tool == exp.tool), None)
        if near is not None:
            reasons.append((shown(near), _mismatch_reason(exp, calls, near, categories)))
        elif early is not None:
            reasons.append(
                (
                    shown(early),
                    f"expected call {shown(j)}, {exp.tool}, was made out of order: at step {shown(early)}, before "
                    "the calls expected ahead of it",
                )
            )
        else:
            where = " after the previous expected call" if j else ""
            got = f" (step {shown(cursor)} was {calls[cursor].tool})" if cursor < len(calls) else ""
            reasons.append(
                (shown(cursor), f"expected call {shown(j)}, {exp.tool}, was never made{where}{got}")
            )
    return pairs, reasons


def _unordered(
    mode: MatchMode,
    expected: Sequence[ExpectedCall],
    calls: Sequence[ActualCall],
    categories: Mapping[int, str] | None,
) -> tuple[dict[int, int], Reasons]:
    candidates = [[i for i in range(len(calls)) if matches(exp, calls, i, categories)] for exp in expected]
    pairs = max_matching(candidates)
    used = set(pairs.values())
    reasons: Reasons = []
    explained: set[int] = set()  # unmatched calls already named as the near miss of an expected call
    if mode in ("unordered", "superset"):  # every expected call must be made
        for j, exp in enumerate(expected):
            if j in pairs:
                continue
            near = next(
                (
                    i
                    for i, c in enumerate(calls)
                    if i not in used and i not in explained and c.tool == exp.tool
                ),
                None,
            )
            if near is not None:
                explained.add(near)
                reasons.append((shown(near), _mismatch_reason(exp, calls, near, categories)))
                continue
            made = sum(1 for c in calls if c.tool == exp.tool)
            taken = f" (the {made} {exp.tool} call(s) made match other expected calls)" if made else ""
            reasons.append(
                (shown(len(calls)), f"expected call {shown(j)}, {exp.tool}, was never made{taken}")
            )
    if mode in ("unordered", "subset"):  # every call made must be an expected one
        missing = [exp for j, exp in enumerate(expected) if j not in pairs]
        for i, call in enumerate(calls):
            if i in used or i in explained:
                continue
            near_exp = next((e for e in missing if e.tool == call.tool), None) if mode == "subset" else None
            reasons.append(
                (
                    shown(i),
                    _mismatch_reason(near_exp, calls, i, categories)
                    if near_exp is not None
                    else f"step {shown(i)}: {call.tool} is not one of the expected calls",
                )
            )
    return pairs, reasons


def _strict(
    expected: Sequence[ExpectedCall], calls: Sequence[ActualCall], categories: Mapping[int, str] | None
) -> tuple[dict[int, int], Reasons]:
    pairs: dict[int, int] = {}
    for step in range(max(len(expected), len(calls))):
        if step >= len(calls):
            reason = f"step {shown(step)}: expected {expected[step].tool}, but the agent made no more calls"
        elif step >= len(expected):
            reason = f"step {shown(step)}: unexpected extra call {calls[step].tool}"
        elif calls[step].tool != expected[step].tool:
            reason = f"step {shown(step)}: expected {expected[step].tool}, got {calls[step].tool}"
        elif not matches(expected[step], calls, step, categories):
            reason = _mismatch_reason(expected[step], calls, step, categories)
        else:
            pairs[step] = step
            continue
        return pairs, [(shown(step), reason)]
    return pairs, []


def compare(
    mode: MatchMode,
    expected: Sequence[ExpectedCall],
    calls: Sequence[ActualCall],
    categories: Mapping[int, str] | None = None,
) -> TrajectoryResult:
    """The trajectory verdict; `categories` (id -> path) serve `category_path` matchers."""
    calls = [c for c in calls if c.outcome != "retried"]  # attempts the tool rejected are not steps
    if mode == "strict":
        pairs, steps = _strict(expected, calls, categories)
    elif mode == "in_order":
        pairs, steps = _in_order(expected, calls, categories)
    else:
        pairs, steps = _unordered(mode, expected, calls, categories)
    reasons = [reason for _, reason in steps]
    divergence = min((step for step, _ in steps), default=None)
    result = TrajectoryResult(mode, not reasons, reasons, divergence)
    # The sequences side by side, where they differ: when only an argument or a turn is wrong, the same
    # names twice tell the reader nothing.
    if reasons and [e.tool for e in expected] != [c.tool for c in calls]:
        result.reasons.append(
            f"expected: {' → '.join(e.tool for e in expected) or '(no calls)'}; actual: {describe(calls)}"
        )
    # Metrics over tool names, and argument accuracy over aligned calls. A draft the seller turned down
    # and the agent then revised is part of drafting: unless the scenario lists it, it is not an extra call.
    exp_names: Counter[str] = Counter(e.tool for e in expected)
    act_names: Counter[str] = Counter(c.tool for c in calls)
    revisions: Counter[str] = Counter(
        c.tool
        for i, c in enumerate(calls)
        if c.outcome == "denied" and any(d.tool == c.tool for d in calls[i + 1 :])
    )
    common = sum((exp_names & act_names).values())
    extra = sum(((act_names - exp_names) - revisions).values())
    result.precision = common / (common + extra) if common + extra else (1.0 if not expected else 0.0)
    result.recall = common / sum(exp_names.values()) if expected else 1.0
    seq_e, seq_a = [e.tool for e in expected], [c.tool for c in calls]
    result.order_score = _lcs(seq_e, seq_a) / len(seq_e) if seq_e else (1.0 if not seq_a else 0.0)
    used = set(pairs.values())
    for j, exp in enumerate(expected):
        index = pairs.get(j)
        if index is None:
            index = next((i for i, c in enumerate(calls) if c.tool == exp.tool and i not in used), None)
            if index is not None:
                used.add(index)
        if index is None:  # a call never made is counted by recall, not held against its arguments
            continue
        for name, how, verdict in arg_verdicts(exp, calls, index, categories):
            result.arg_checks.append(ArgCheck(j, exp.tool, name, how, verdict))
    return result
