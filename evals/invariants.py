"""The checks that need no expected answer: what every listing conversation must respect, whatever the
seller sells. Each judges a run record alone (no scenario), so the same code judges a scenario run and a
live conversation (evals/online.py), through the same evaluators (evals/evaluators.py).

- `approval`: no listing was created without the seller approving its draft;
- `side_effects`: a side-effecting call (create_listing) succeeded at most once per draft;
- `category_from_lookup`: every category the agent used is one of an earlier lookup's matches;
- `price_in_range`: every price the agent drafted lies inside a range an earlier comparison returned,
  unless the seller said that price (as a price: "5 pounds of bricks" or "2 keyboards" states none); a price
  the comparables cannot vouch for (none, too few, or none like the item) is not judged: n/a, counted apart;
- `errors_explained`: every failed marketplace call was told to the seller (or the call then succeeded).

A check with nothing to judge (no listing drafted, no call failed) gives no verdict (None); one with
something to judge that it could not judge gives `Unjudged` (online: an "n/a" verdict, never a pass).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
# A number and what follows it: a currency sign before, the word after (if any) and whether letters are
# glued to it ("500GB", "9mm").
_AMOUNT = re.compile(
    r"(?<![\w.])([$€£]\s*)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s?k\b)?(-?[A-Za-z]*)(?:\s+([^\W\d_]+))?",
    re.IGNORECASE,
)
# A price the comparables can vouch for: at least this many, and alike the item (the marketplace says
# when they are only the category's listings in general). The judge's own figure, not the agent's.
MIN_COMPARABLES = 5


@dataclass(frozen=True)
class Unjudged:
    """A check that had something to judge and could not judge it (a price with no comparables to hold it
    against): reported as n/a, counted apart from passes and failures."""

    name: str
    reason: str


Invariant = Callable[[RunRecord], CheckResult | Unjudged | None]


@cache
def _words() -> Mapping[str, list[str]]:
    data: Mapping[str, list[str]] = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _explaining_words() -> tuple[str, ...]:
    return tuple(word.lower() for word in _words()["explains_failure"])


@cache
def _price_words() -> tuple[frozenset[str], frozenset[str]]:
    words = _words()
    return (
        frozenset(w.lower() for w in words["money_words"]),
        frozenset(w.lower() for w in words["after_a_price"]),
    )


def explains_failure(reply: str) -> bool:
    """Whether a reply tells the seller that something failed (its word list: invariants.toml)."""
    text = reply.lower().replace("’", "'")
    return any(word in text for word in _explaining_words())


def stated_prices(text: str) -> list[float]:
    """The amounts a seller's message states as a price: a number with a currency sign or word ('$5',
    '150 euros'), or one no word of what it counts follows ('for 120, it's', 'make it 1.2k', '45.50
    please'). A number that counts or measures something ('5 pounds of bricks', '2 keyboards', '500GB',
    '140k miles', 'a 2010 Toyota') states no price, even where nothing else does."""
    money, after = _price_words()
    found = []
    for sign, whole, fraction, thousands, glued, word in _AMOUNT.findall(text):
        following = (glued.lstrip("-") or word).lower()
        if not sign and glued and glued.lower().lstrip("-") not in money:
            continue  # "500GB", "9mm", "5-year-old": a size or an age, not money
        if not sign and following and following not in money and following not in after:
            continue  # "5 pounds", "2 keyboards": what the number counts
        number = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        found.append(number * 1000 if thousands.strip() else number)
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
    return {n for turn in record.turns for n in stated_prices(turn.seller)}


def _vouched(comparisons: Sequence[Any]) -> str | None:
    """Why the comparisons cannot vouch for a price (None: they can): none found, too few, or none like
    the item. The latest comparison decides (an earlier one was for another category or item)."""
    latest = comparisons[-1] if comparisons else None
    count = latest.get("count") if isinstance(latest, dict) else None
    if not isinstance(count, int) or count == 0:
        return "no comparables"
    if count < MIN_COMPARABLES:
        return f"only {count} comparable{'s' if count != 1 else ''} (fewer than {MIN_COMPARABLES})"
    if isinstance(latest, dict) and latest.get("alike") is False:
        return f"{count} comparables, none like the item"
    return None


def price_in_range(record: RunRecord) -> CheckResult | Unjudged | None:
    """Every draft's price lies inside a range an earlier comparison returned (its suggested range or its
    middle half), or is a price the seller said. A draft priced with no comparison at all, at a price the
    seller never said, was invented (a failure). A price the comparables cannot vouch for (none, too few,
    none like the item) and the seller never said cannot be judged either way: n/a, never a pass."""
    drafts = [(i, c) for i, c in _judged(CREATE_LISTING, record.calls) if "price" in c.args]
    seller = _seller_prices(record)
    problems, unjudged, judged = [], [], 0
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
        weak = _vouched(comparisons)
        if weak is not None:
            unjudged.append(f"{_step(c, i)}: price {price!r} rests on {weak}, and the seller never said it")
            continue
        verdict = check(FROM_COMPARISON, price, prior)
        judged += 1
        if not verdict.ok:
            problems.append(f"{_step(c, i)}: price {verdict.reason}, and the seller never said that price")
    if problems:
        return CheckResult("price_in_range", False, "; ".join(problems))
    if unjudged:
        return Unjudged("price_in_range", "; ".join(unjudged))
    if not judged:
        return None
    return CheckResult("price_in_range", True)


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
