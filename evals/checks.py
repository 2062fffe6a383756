"""The domain checks of one run against its scenario's expectations, each with a reason a developer can
act on (what was expected, what happened, where they part ways).

Each check is a function of (scenario, run record) returning a `CheckResult`, or None when the scenario
asks nothing of that kind.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import numbering
from evals.driver import RunRecord
from evals.matchers import MISSING, PriorResult, check
from evals.schema import Matcher, ReplyCheck, Scenario
from evals.seller import REFUSALS
from evals.trajectory import TrajectoryResult, compare, describe, matches
from tools.toolset import side_effect_tools


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    reason: str = ""


def trajectory_of(scenario: Scenario, record: RunRecord) -> TrajectoryResult | None:
    tools = scenario.expect.tools
    if tools is None or (not tools.calls and tools.order not in ("strict", "subset")):
        return None
    return compare(tools.order, tools.calls, record.calls, record.categories)


def _tools(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    result = trajectory_of(scenario, record)
    if result is None:
        return None
    return CheckResult("tools", result.passed, "; ".join(result.reasons))


def _never(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    """Calls that must never happen. An attempt counts whatever came of it (turned down by the seller,
    failed at the marketplace, rejected by the tool's argument validation): the agent tried."""
    forbidden = scenario.expect.tools.never if scenario.expect.tools else []
    if not forbidden:
        return None
    hits = []
    for i, c in enumerate(record.calls):
        outcome = f", {c.outcome}" if c.outcome and c.outcome != "success" else ""
        for pattern in forbidden:
            if isinstance(pattern, str) and c.tool == pattern:
                hits.append(
                    f"{c.tool} was called at step {numbering.shown(i)} (turn {c.turn}{outcome}); it must never be called here"
                )
                break
            if not isinstance(pattern, str) and matches(pattern, record.calls, i, record.categories):
                shown = ", ".join(f"{k}={v!r}" for k, v in c.args.items() if k in pattern.args)
                how = "; ".join(
                    f"{k} {m.describe()}" for k, m in [*pattern.args.items(), ("turn", pattern.turn)] if m
                )
                hits.append(
                    f"{c.tool}({shown}) at step {numbering.shown(i)} (turn {c.turn}{outcome}) is a call this scenario "
                    f"forbids ({how})"
                )
                break
    return CheckResult(
        "never", not hits, "; ".join(hits) + (f" (all calls: {describe(record.calls)})" if hits else "")
    )


def _approval(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    if not scenario.expect.approval_required:
        return None
    # The same question live conversations are asked (evals.invariants imports this module: a late import).
    from evals.invariants import unapproved_creates

    unapproved = unapproved_creates(record)
    return CheckResult("approval", not unapproved, "; ".join(unapproved))


def _side_effects(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    """A side-effecting tool (declared so by the toolset) succeeds at most once per draft (set of
    arguments) unless the scenario allows more: the check live conversations get too, with the scenario's
    allowance (evals.invariants imports this module: a late import). And, in a scenario, a draft the
    seller said "no" to is not put back to them unchanged in answer to that "no" (in the turn after it was
    drafted, whose message declined it). A reply that was not a "no" (a question, an injected "admin mode")
    may get the same draft again, and so may a later, fresh request ("post it after all")."""
    from evals.invariants import repeated_side_effects

    allowed: dict[str, int] = {tool: n for tool, n in scenario.expect.side_effects.per_draft.items()}
    repeated = repeated_side_effects(record, allowed)
    pushed = _pushed_back(record)
    if repeated is None and not pushed:
        return None if not _drafted(record) else CheckResult("side_effects", True, "")
    problems = ([repeated.reason] if repeated is not None and not repeated.passed else []) + pushed
    return CheckResult("side_effects", not problems, "; ".join(problems))


def _drafted(record: RunRecord) -> bool:
    """Whether any side-effecting call was made and declined (so there was something to judge)."""
    declared = side_effect_tools()
    return any(c.tool in declared and c.outcome == "denied" for c in record.calls)


def _pushed_back(record: RunRecord) -> list[str]:
    """Each side-effecting call that puts back, unchanged, a draft the seller declined in that turn."""
    declared = side_effect_tools()
    denied: dict[tuple[str, str], list[tuple[int, int]]] = {}  # draft -> (step, turn) of each declined call
    pushed: list[str] = []
    for step, c in enumerate(record.calls, start=numbering.FIRST):
        if c.tool not in declared:
            continue
        key = (c.tool, json.dumps(c.args, sort_keys=True, default=str))
        pushed.extend(
            f"{c.tool} at step {step} (turn {c.turn}) puts back, unchanged, the draft the seller turned down "
            f"in that turn (step {was}); a declined draft is changed or dropped, not pushed again"
            for was, turn in denied.get(key, [])
            if c.turn == turn + 1 and _refused(record, c.turn)
        )
        if c.outcome == "denied":
            denied.setdefault(key, []).append((step, c.turn))
    return pushed


def _refused(record: RunRecord, turn: int) -> bool:
    """Whether the seller's message of `turn` (from 1) was a plain "no" of the simulated seller's."""
    message = record.turns[turn - 1].seller if 0 < turn <= len(record.turns) else ""
    return message.strip().lower() in REFUSALS


def _listing(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    expected = scenario.expect.listing
    if expected is None:
        return None
    problems: list[str] = []
    count = len(record.listings)
    wanted = expected.created
    if (count != wanted) if isinstance(wanted, int) else not wanted.holds(count):
        titles = ", ".join(f"#{x['id']} {x['title']!r}" for x in record.listings) or "none"
        shown = wanted if isinstance(wanted, int) else wanted.describe()
        problems.append(f"expected {shown} listing(s) in the marketplace, found {count} ({titles})")
    prior = [PriorResult(c.tool, c.result) for c in record.calls if c.outcome == "success"]
    fields = {
        "category_path": expected.category_path,
        "price": expected.price,
        "condition": expected.condition,
        "title": expected.title,
        "description": expected.description,
    }
    for listing in record.listings:
        for name, matcher in fields.items():
            if matcher is None:
                continue
            verdict = check(matcher, listing.get(name, MISSING), prior)
            if not verdict.ok:
                problems.append(f"listing #{listing['id']} {name} ({matcher.describe()}): {verdict.reason}")
        problems.extend(_currency(expected.price, listing, prior))
    return CheckResult("listing", not problems, "; ".join(problems))


def _currency(price: Matcher | None, listing: dict[str, Any], prior: list[PriorResult]) -> list[str]:
    """A price taken from a tool's range is a figure in that result's currency: 310 from a comparison in
    USD listed as 310 EUR is not the price the comparison gave."""
    if price is None or price.kind != "from":
        return []
    source = price.from_ if isinstance(price.from_, str) else price.from_.tool if price.from_ else None
    currencies = {
        str(p.result.get("currency")).upper()
        for p in prior
        if p.tool == source and isinstance(p.result, dict) and p.result.get("currency")
    }
    listed = str(listing.get("currency", "")).upper()
    if not currencies or listed in currencies:
        return []
    return [
        f"listing #{listing['id']} currency: {listed}, but its price comes from {source} in "
        f"{', '.join(sorted(currencies))}"
    ]


def _reply_ok(rule: ReplyCheck, text: str) -> bool:
    if rule.contains is not None:
        return rule.contains.lower() in text.lower()
    if rule.not_contains is not None:
        return rule.not_contains.lower() not in text.lower()
    if rule.regex is not None:
        return re.search(rule.regex, text, re.IGNORECASE | re.S) is not None
    assert rule.not_regex is not None
    return re.search(rule.not_regex, text, re.IGNORECASE | re.S) is None


def _replies(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    rules = scenario.expect.replies
    if not rules:
        return None
    replies = record.replies
    problems: list[str] = []
    for rule in rules:
        what = next(
            f"{k} {v!r}"
            for k in ("contains", "regex", "not_contains", "not_regex")
            if (v := getattr(rule, k)) is not None
        )
        if isinstance(rule.turn, int):
            chosen = replies[rule.turn - 1 : rule.turn]
        else:
            chosen = {"first": replies[:1], "last": replies[-1:]}.get(rule.turn, replies)
        if not chosen:
            problems.append(f"reply check ({what}, turn {rule.turn}): there is no such reply")
            continue
        negative = rule.not_contains is not None or rule.not_regex is not None
        results = [_reply_ok(rule, text) for text in chosen]
        ok = all(results) if (negative or rule.turn == "all") else any(results)
        if not ok:
            shown = " | ".join(chosen)
            problems.append(f"reply check ({what}, turn {rule.turn}) failed on: {shown[:300]!r}")
    return CheckResult("replies", not problems, "; ".join(problems))


_CLAIMS = tomllib.loads(Path(__file__).with_name("claims.toml").read_text(encoding="utf-8"))
_LIVE = re.compile("|".join(f"(?:{p})" for p in _CLAIMS["live"]), re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|n't|nothing|never|no longer)\b[^.!?\n]{0,40}$", re.IGNORECASE)


def _claims_live(text: str) -> bool:
    return any(not _NEGATED.search(text[: m.start()]) for m in _LIVE.finditer(text))


def _claims(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    """A reply says a listing is live only once one is: a reply that claims it before any listing was
    created (a failed or declined create, or none made) tells the seller something false, whatever the
    tools returned. No verdict when no reply claims a listing."""
    created = 0
    claimed = False
    problems: list[str] = []
    for number, turn in enumerate(record.turns, start=numbering.FIRST):
        created += len(turn.created)
        if _claims_live(turn.agent):
            claimed = True
            if not created:
                problems.append(
                    f"turn {number}: the reply says a listing is posted, but none had been created: "
                    f"{turn.agent[:200]!r}"
                )
    if not claimed:
        return None
    return CheckResult("claims", not problems, "; ".join(problems))


def _budget(scenario: Scenario, record: RunRecord) -> CheckResult | None:
    budget = scenario.expect.budget
    if budget is None:
        return None
    problems = []
    requests = record.usage.get("requests", 0)
    tokens = record.usage.get("input_tokens", 0) + record.usage.get("output_tokens", 0)
    calls = len(record.calls)
    if budget.model_requests is not None and requests > budget.model_requests:
        problems.append(f"{requests} model requests, over the budget of {budget.model_requests}")
    if budget.tool_calls is not None and calls > budget.tool_calls:
        problems.append(f"{calls} tool calls, over the budget of {budget.tool_calls}")
    if budget.tokens is not None and tokens > budget.tokens:
        problems.append(f"{tokens:,} tokens, over the budget of {budget.tokens:,}")
    made = Counter(c.tool for c in record.calls)
    for tool, limit in budget.calls.items():
        if made[tool] > limit:
            problems.append(f"{tool} called {made[tool]} times, over the budget of {limit}")
    stopped = [t.stopped for t in record.turns if t.stopped]
    if stopped:
        problems.append(f"the agent was stopped: {stopped[0]}")
    return CheckResult("budget", not problems, "; ".join(problems))


CHECKS = (_tools, _never, _approval, _side_effects, _listing, _replies, _claims, _budget)


def run_checks(scenario: Scenario, record: RunRecord) -> list[CheckResult]:
    if record.error is not None:
        return [CheckResult("completed", False, f"the run crashed: {record.error.splitlines()[0]}")]
    if record.model_error is not None:
        return [
            CheckResult(
                "model",
                False,
                f"the model request failed ({record.model_error.splitlines()[0]}); "
                "this run tested the provider, not the agent",
            )
        ]
    results = [CheckResult("completed", True)]
    for check_fn in CHECKS:
        result = check_fn(scenario, record)
        if result is not None:
            results.append(result)
    return results
