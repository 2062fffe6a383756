"""The checks that need no expected answer: what every listing conversation must respect, whatever the
seller sells. Each judges a run record alone (no scenario), so the same code judges a scenario run and a
live conversation (evals/online.py), through the same evaluators (evals/evaluators.py).

- `approval`: no listing was created without the seller approving its draft;
- `side_effects`: a side-effecting call (create_listing) succeeded at most once per draft;
- `category_from_lookup`: every category the agent used is one of an earlier lookup's matches;
- `price_in_range`: every price the agent drafted lies inside a range an earlier comparison returned,
  unless the seller said that price;
- `errors_explained`: every failed marketplace call was told to the seller (or the call then succeeded).

A check with nothing to judge (no listing drafted, no call failed) gives no verdict (None).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from evals.checks import CheckResult
from evals.driver import RunRecord
from evals.matchers import MISSING, check
from evals.numbering import FIRST, shown
from evals.schema import Matcher
from evals.trajectory import ActualCall, prior_results
from tools.toolset import COMPARE_PRICES, CREATE_LISTING, SEARCH_CATEGORIES, side_effect_tools

WORDS_FILE = Path(__file__).with_name("invariants.toml")
# The same matchers a scenario writes as `from: search_categories` and `from: compare_prices`.
FROM_LOOKUP = Matcher.model_validate({"from": SEARCH_CATEGORIES})
FROM_COMPARISON = Matcher.model_validate({"from": COMPARE_PRICES})
_NUMBER = re.compile(r"(?<![\w.])\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(k\b)?", re.IGNORECASE)

Invariant = Callable[[RunRecord], CheckResult | None]


@cache
def _explaining_words() -> tuple[str, ...]:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return tuple(word.lower() for word in data["explains_failure"])


def explains_failure(reply: str) -> bool:
    """Whether a reply tells the seller that something failed (its word list: invariants.toml)."""
    text = reply.lower().replace("’", "'")
    return any(word in text for word in _explaining_words())


def stated_numbers(text: str) -> list[float]:
    """The numbers a seller's message states: '$1,200', '60', '45.50', '1.2k'."""
    found = []
    for whole, fraction, thousands in _NUMBER.findall(text):
        number = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        found.append(number * 1000 if thousands else number)
    return found


def _step(call: ActualCall, index: int) -> str:
    return f"{call.tool} at step {shown(index)}" + (f" (turn {call.turn})" if call.turn else "")


def _judged(tool: str | None, calls: Sequence[ActualCall]) -> list[tuple[int, ActualCall]]:
    """The agent's calls of `tool` (every tool when None) that reached the tool: a call its argument
    validation turned back (`retried`) was caught there and corrected by the model."""
    return [
        (i, c) for i, c in enumerate(calls) if (tool is None or c.tool == tool) and c.outcome != "retried"
    ]


def unapproved_creates(record: RunRecord) -> list[str]:
    """Listings created without the seller's approval of their draft, in words (the scenario check
    `approval` says the same: evals/checks.py)."""
    approved = set(record.approved)
    return [
        f"create_listing ran without the seller's approval (step {i}, turn {c.turn})"
        for i, (c, cid) in enumerate(zip(record.calls, record.call_ids, strict=True), start=FIRST)
        if c.tool == CREATE_LISTING and c.outcome == "success" and cid not in approved
    ]


def approval(record: RunRecord) -> CheckResult | None:
    if not any(c.tool == CREATE_LISTING and c.outcome == "success" for c in record.calls):
        return None
    problems = unapproved_creates(record)
    return CheckResult("approval", not problems, "; ".join(problems))


def repeated_side_effects(record: RunRecord, allowed: Mapping[str, int] | None = None) -> CheckResult | None:
    """A side-effecting tool succeeds at most once per draft (set of arguments), or `allowed[tool]` times:
    an agent that repeats a create is broken even when the marketplace's idempotency key turns the repeat
    into the same listing."""
    limits = allowed or {}
    declared = side_effect_tools()  # the tools whose metadata says they change the world
    done: Counter[tuple[str, str]] = Counter()
    steps: dict[tuple[str, str], list[int]] = {}
    for step, c in enumerate(record.calls, start=FIRST):
        if c.tool in declared and c.outcome == "success":
            key = (c.tool, json.dumps(c.args, sort_keys=True, default=str))
            done[key] += 1
            steps.setdefault(key, []).append(step)
    if not done:
        return None
    problems = [
        f"{tool} succeeded {count} times with the same arguments (steps {', '.join(map(str, steps[tool, args]))}); "
        f"a side effect is allowed {limits.get(tool, 1)} time(s) per draft"
        for (tool, args), count in done.items()
        if count > limits.get(tool, 1)
    ]
    return CheckResult("side_effects", not problems, "; ".join(problems))


def side_effects(record: RunRecord) -> CheckResult | None:
    return repeated_side_effects(record)


def category_from_lookup(record: RunRecord) -> CheckResult | None:
    """Every category id the agent passed to a tool is one of the matches an earlier lookup returned."""
    judged = [(i, c) for i, c in _judged(None, record.calls) if "category_id" in c.args]
    if not judged:
        return None
    problems = []
    for i, c in judged:
        verdict = check(FROM_LOOKUP, c.args.get("category_id", MISSING), prior_results(record.calls, i))
        if not verdict.ok:
            problems.append(f"{_step(c, i)}: category_id {verdict.reason}")
    return CheckResult("category_from_lookup", not problems, "; ".join(problems))


def _seller_prices(record: RunRecord) -> set[float]:
    return {n for turn in record.turns for n in stated_numbers(turn.seller)}


def price_in_range(record: RunRecord) -> CheckResult | None:
    """Every draft's price lies inside a range an earlier comparison returned (its suggested range or its
    middle half), or is a price the seller said. A comparison that found no comparables leaves nothing to
    judge the price by; a draft priced with no comparison at all, at a price the seller never said, was
    invented."""
    drafts = [(i, c) for i, c in _judged(CREATE_LISTING, record.calls) if "price" in c.args]
    seller = _seller_prices(record)
    problems, judged = [], 0
    for i, c in drafts:
        price = c.args["price"]
        number = float(price) if isinstance(price, int | float) and not isinstance(price, bool) else None
        if number is not None and any(abs(number - said) < 0.005 for said in seller):
            judged += 1
            continue
        prior = prior_results(record.calls, i)
        comparisons = [p.result for p in prior if p.tool == COMPARE_PRICES]
        if not comparisons:
            judged += 1
            problems.append(
                f"{_step(c, i)}: price {price!r} was drafted with no price comparison before it, and the "
                "seller never said that price"
            )
            continue
        verdict = check(FROM_COMPARISON, price, prior)
        if not verdict.ok and "no price range" in verdict.reason:
            continue  # no comparables: nothing to judge this price by
        judged += 1
        if not verdict.ok:
            problems.append(f"{_step(c, i)}: price {verdict.reason}, and the seller never said that price")
    if not judged:
        return None
    return CheckResult("price_in_range", not problems, "; ".join(problems))


def errors_explained(record: RunRecord) -> CheckResult | None:
    """Every marketplace call that failed is told to the seller in a reply from its turn on, unless the
    same tool then succeeded (a retry the seller need not hear about)."""
    failed = [(i, c) for i, c in enumerate(record.calls) if c.outcome == "failed"]
    if not failed:
        return None
    replies = [t.agent for t in record.turns]
    problems = []
    for i, c in failed:
        if any(later.tool == c.tool and later.outcome == "success" for later in record.calls[i + 1 :]):
            continue
        after = replies[c.turn - 1 :] if c.turn >= 1 else replies
        if any(explains_failure(reply) for reply in after):
            continue
        said = " | ".join(r for r in after if r.strip())[:200]
        problems.append(
            f"{_step(c, i)} failed ({_short(c.result)}) and no reply since told the seller: {said!r}"
        )
    return CheckResult("errors_explained", not problems, "; ".join(problems))


def _short(result: Any) -> str:
    text = result if isinstance(result, str) else json.dumps(result, default=str)
    return text.split(". ")[0][:120]


# Each expectation-free check kind by its name, in the order reports list them.
INVARIANTS: dict[str, Invariant] = {
    "approval": approval,
    "side_effects": side_effects,
    "category_from_lookup": category_from_lookup,
    "price_in_range": price_in_range,
    "errors_explained": errors_explained,
}
