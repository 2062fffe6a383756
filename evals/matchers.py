"""Argument matchers: does one value satisfy one matcher, and if not, why not (in words)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.schema import FromSource, Matcher, parse_comparison

MISSING = object()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class PriorResult:
    """A tool result seen earlier in the conversation, for `from` matchers."""

    tool: str
    result: Any


def _scalars(value: Any, path: Sequence[str] = ()) -> Iterator[Any]:
    """Every scalar in a JSON-like value, or only those under a dotted `path` (lists are walked through)."""
    if path:
        head, rest = path[0], path[1:]
        if isinstance(value, dict):
            if head in value:
                yield from _scalars(value[head], rest)
        elif isinstance(value, list):
            for item in value:
                yield from _scalars(item, path)
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from _scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from _scalars(v)
    else:
        yield value


def values_at(result: Any, path: str) -> list[Any]:
    """The values under a dotted path of a JSON-like result (through a list, every item's)."""
    return list(_scalars(result, path.split(".")))


def _ranges(result: Any) -> Iterator[tuple[float, float]]:
    if isinstance(result, dict):
        for low, high in (("suggested_low", "suggested_high"), ("p25", "p75")):
            if isinstance(result.get(low), int | float) and isinstance(result.get(high), int | float):
                yield float(result[low]), float(result[high])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().lower() == b.strip().lower()
    return bool(a == b)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _money(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# Where `from: <tool>` looks when no field is named: the part of that tool's result a later call may
# reuse. A category id must be one of the lookup's matches (not any number in it, such as a score); a
# listing's id its id. compare_prices has no field: a price must lie inside a range it returned.
DEFAULT_FIELDS = {"search_categories": "matches.id", "create_listing": "id"}


def _check_from(value: Any, source: FromSource, prior: Sequence[PriorResult]) -> Verdict:
    results = [p.result for p in prior if p.tool == source.tool]
    if not results:
        return Verdict(
            False,
            f"{value!r} should come from a {source.tool} result, but {source.tool} had not returned anything before",
        )
    field = source.field or DEFAULT_FIELDS.get(source.tool)
    if field is not None:
        path = field.split(".")
        if any(_same(value, s) for result in results for s in _scalars(result, path)):
            return Verdict(True)
        return Verdict(False, f"{value!r} is not among the {field} of any earlier {source.tool} result")
    number = _number(value)
    if number is None:
        return Verdict(
            False, f"{value!r} is not a number, so it cannot lie in a range {source.tool} returned"
        )
    ranges = [r for result in results for r in _ranges(result)]
    if not ranges:
        return Verdict(False, f"{source.tool} returned no price range (no comparable listings)")
    if any(low <= number <= high for low, high in ranges):
        return Verdict(True)
    shown = ", ".join(f"{_money(lo)}–{_money(hi)}" for lo, hi in dict.fromkeys(ranges))
    return Verdict(False, f"{_money(number)} is outside the range {source.tool} returned ({shown})")


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _check_comparison(value: Any, comparison: str) -> Verdict:
    number = _number(value)
    if number is None:
        return Verdict(False, f"{value!r} is not a number")
    op, bound = parse_comparison(comparison)
    ok = _OPERATORS[op](number, bound)
    return Verdict(ok, "" if ok else f"{_money(number)} is not {op} {_money(bound)}")


def _check_category(
    value: Any, inner: Matcher, prior: Sequence[PriorResult], categories: Mapping[int, str]
) -> Verdict:
    number = _number(value)
    if number is None or not number.is_integer():
        return Verdict(False, f"{value!r} is not a category id")
    path = categories.get(int(number))
    if path is None:
        return Verdict(False, f"category {int(number)} is not a category the marketplace knows")
    verdict = check(inner, path, prior)  # a path is text: no category lookups below it
    return Verdict(verdict.ok, "" if verdict.ok else f"category {int(number)}: {verdict.reason}")


def check(
    matcher: Matcher,
    value: Any,
    prior: Sequence[PriorResult] = (),
    categories: Mapping[int, str] | None = None,
) -> Verdict:
    """Whether `value` (MISSING when the argument was absent) satisfies `matcher`. `prior` are the tool
    results returned before the call (for `from`), `categories` the marketplace's category paths by id
    (for `category_path`)."""
    kind = matcher.kind
    if value is MISSING:
        return Verdict(False, "the argument is missing")
    if kind == "any":
        return Verdict(True) if matcher.any else Verdict(False, "`any: false` matches nothing")
    if kind == "equals":
        ok = _same(value, matcher.equals)
        return Verdict(ok, "" if ok else f"{value!r} is not {matcher.equals!r}")
    if kind == "contains":
        assert matcher.contains is not None
        ok = matcher.contains.lower() in str(value).lower()
        return Verdict(ok, "" if ok else f"{value!r} does not contain {matcher.contains!r}")
    if kind == "regex":
        assert matcher.regex is not None
        ok = re.search(matcher.regex, str(value), re.IGNORECASE) is not None
        return Verdict(ok, "" if ok else f"{value!r} does not match /{matcher.regex}/")
    if kind == "between":
        assert matcher.between is not None
        low, high = matcher.between
        number = _number(value)
        if number is None:
            return Verdict(False, f"{value!r} is not a number")
        ok = low <= number <= high
        return Verdict(ok, "" if ok else f"{_money(number)} is not between {_money(low)} and {_money(high)}")
    if kind == "one_of":
        assert matcher.one_of is not None
        ok = any(_same(value, option) for option in matcher.one_of)
        return Verdict(ok, "" if ok else f"{value!r} is not one of {matcher.one_of!r}")
    if kind == "compare":
        assert matcher.compare is not None
        return _check_comparison(value, matcher.compare)
    if kind == "category_path":
        assert matcher.category_path is not None
        return _check_category(value, matcher.category_path, prior, categories or {})
    if kind == "from":
        source = matcher.from_
        assert source is not None
        return _check_from(value, FromSource(tool=source) if isinstance(source, str) else source, prior)
    raise AssertionError(f"unknown matcher kind {kind}")  # pragma: no cover  # pragma: no mutate
