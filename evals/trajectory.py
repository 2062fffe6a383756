"""Comparing the tools an agent called with the tools a scenario expects.

Five match modes (the same names as agentevals' trajectory match):
- strict: exactly the expected calls, in the expected order, nothing else;
- in_order: the expected calls in the expected order; other calls may come between;
- unordered: exactly the expected calls, in any order;
- subset: every call made is one of the expected ones (some expected calls may be missing);
- superset: every expected call is made, in any order (other calls are allowed).
A call matches an expected one when the tool is the same and every argument matcher holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.matchers import MISSING, PriorResult, Verdict, check
from evals.schema import ExpectedCall, MatchMode


@dataclass(frozen=True)
class ActualCall:
    tool: str
    args: dict[str, Any]
    outcome: str | None = None  # success | failed | retried | denied | awaiting_approval
    result: Any = None
    approved: bool = False
    turn: int = 0


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


def _prior(calls: Sequence[ActualCall], before: int) -> list[PriorResult]:
    return [PriorResult(c.tool, c.result) for c in calls[:before] if c.outcome == "success"]


def arg_verdicts(
    expected: ExpectedCall, calls: Sequence[ActualCall], index: int
) -> list[tuple[str, str, Verdict]]:
    call = calls[index]
    prior = _prior(calls, index)
    verdicts = [
        (name, matcher.describe(), check(matcher, call.args.get(name, MISSING), prior))
        for name, matcher in expected.args.items()
    ]
    if expected.turn is not None:  # when it happened is checked like an argument, named "turn"
        verdicts.append(("turn", expected.turn.describe(), check(expected.turn, call.turn)))
    return verdicts


def matches(expected: ExpectedCall, calls: Sequence[ActualCall], index: int) -> bool:
    """Whether the call at `index` is the expected one: the same tool, every matcher holding."""
    return calls[index].tool == expected.tool and all(
        v.ok for _, _, v in arg_verdicts(expected, calls, index)
    )


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[len(a)][len(b)]


def describe(calls: Sequence[ActualCall]) -> str:
    return " → ".join(c.tool for c in calls) if calls else "(no tool calls)"


def _mismatch_reason(expected: ExpectedCall, calls: Sequence[ActualCall], index: int, step: int) -> str:
    bad = [f"{name} ({how}): {v.reason}" for name, how, v in arg_verdicts(expected, calls, index) if not v.ok]
    return f"step {step}: {expected.tool} was called but argument " + "; ".join(bad)


def _greedy(
    expected: Sequence[ExpectedCall], calls: Sequence[ActualCall], ordered: bool
) -> tuple[dict[int, int], list[str], int | None]:
    """Match expected calls to distinct actual calls; returns (expected->actual, reasons, first divergence)."""
    used: set[int] = set()
    pairs: dict[int, int] = {}
    reasons: list[str] = []
    divergence: int | None = None
    cursor = 0
    for j, exp in enumerate(expected):
        candidates = range(cursor, len(calls)) if ordered else range(len(calls))
        found = next((i for i in candidates if i not in used and matches(exp, calls, i)), None)
        if found is not None:
            pairs[j] = found
            used.add(found)
            cursor = found + 1 if ordered else cursor
            continue
        near = next((i for i in candidates if i not in used and calls[i].tool == exp.tool), None)
        early = (
            next((i for i in range(cursor) if i not in used and calls[i].tool == exp.tool), None)
            if ordered
            else None
        )
        if near is None and early is not None:
            reasons.append(
                f"expected call {j + 1}, {exp.tool}, was made out of order: at step {early + 1}, before the "
                "calls expected ahead of it"
            )
            divergence = early + 1 if divergence is None else min(divergence, early + 1)
        elif near is not None:
            reasons.append(_mismatch_reason(exp, calls, near, near + 1))
            divergence = near + 1 if divergence is None else min(divergence, near + 1)
        else:
            where = "after the previous expected call " if ordered and j else ""
            got = calls[cursor].tool if ordered and cursor < len(calls) else None
            reasons.append(
                f"expected call {j + 1}, {exp.tool}, was never made {where}".rstrip()
                + (f" (step {cursor + 1} was {got})" if got else "")
            )
            step = cursor + 1 if ordered else len(calls) + 1
            divergence = step if divergence is None else min(divergence, step)
    return pairs, reasons, divergence


def compare(
    mode: MatchMode, expected: Sequence[ExpectedCall], calls: Sequence[ActualCall]
) -> TrajectoryResult:
    calls = [c for c in calls if c.outcome != "retried"]  # attempts the tool rejected are not steps
    reasons: list[str] = []
    divergence: int | None = None
    if mode == "strict":
        pairs = {}
        for step in range(max(len(expected), len(calls))):
            if step >= len(calls):
                reasons.append(
                    f"step {step + 1}: expected {expected[step].tool}, but the agent made no more calls"
                )
            elif step >= len(expected):
                reasons.append(f"step {step + 1}: unexpected extra call {calls[step].tool}")
            elif calls[step].tool != expected[step].tool:
                reasons.append(f"step {step + 1}: expected {expected[step].tool}, got {calls[step].tool}")
            elif not matches(expected[step], calls, step):
                reasons.append(_mismatch_reason(expected[step], calls, step, step + 1))
            else:
                pairs[step] = step
                continue
            divergence = step + 1
            break
    else:
        pairs, reasons, divergence = _greedy(expected, calls, ordered=mode == "in_order")
        extras = [i for i in range(len(calls)) if i not in pairs.values()]
        if mode in ("unordered", "subset"):
            for i in extras:
                near_reason = f"step {i + 1}: {calls[i].tool} is not one of the expected calls"
                if mode == "subset" or not any(r.startswith(f"step {i + 1}:") for r in reasons):
                    reasons.append(near_reason)
                    divergence = i + 1 if divergence is None else min(divergence, i + 1)
            if mode == "subset":
                # Missing expected calls are allowed in subset mode.
                reasons = [r for r in reasons if not r.startswith("expected call")]
                divergence = min((int(r.split(":")[0].split()[1]) for r in reasons), default=None)

    result = TrajectoryResult(mode, not reasons, reasons, divergence)
    if reasons:
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
        for name, how, verdict in arg_verdicts(exp, calls, index):
            result.arg_checks.append(ArgCheck(j, exp.tool, name, how, verdict))
    return result
