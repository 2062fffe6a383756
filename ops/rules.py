"""Alert rules, from a YAML file, checked against the monitor's figures (`trova monitor check`).

    rules:
      - {name: errors, metric: model_error_rate, above: 0.05, window: 1h}
      - {name: slow, metric: p95_turn_latency_s, above: 10, window: 1h}
      - {name: completion, metric: completion_rate, below: 0.5, window: 24h}
      - {name: completion-drop, metric: completion_rate, drop_by: 0.33, window: 24h}

      - {name: prices, metric: online_checks.price_in_range.pass_rate, below: 0.9, window: 24h}

`metric` is any number `trova monitor --json` prints under that name, an online check's by its path
(`online_checks.NAME.pass_rate`, `.failed`, `.judged`, `.errors`); `above`/`below` compare the window's
figure with a bound, `drop_by`/`rise_by` with the window before it (0.33: down by a third or more).
`min_turns` (default 1) keeps a rule quiet on too little traffic to judge.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ops.counts import counted
from ops.monitor import Figures, Filters, Monitor, Window, parse_duration
from ops.online import CheckFigures
from ops.problems import located

NUMERIC = sorted(
    name
    for name, info in Figures.model_fields.items()
    if info.annotation in (int, float, float | None, int | None)
)
CHECK_FIELDS = sorted(CheckFigures.model_fields)
_ONLINE_METRIC = re.compile(rf"online_checks\.([a-z][a-z0-9_]*)\.({'|'.join(CHECK_FIELDS)})")


class RuleError(ValueError):
    """A rules file that cannot be used; the message names the file and what is wrong."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    metric: str
    window: str = "1h"
    above: float | None = None
    below: float | None = None
    drop_by: float | None = Field(None, gt=0, le=1)
    rise_by: float | None = Field(None, gt=0)
    min_turns: int = Field(1, ge=0)
    model: str | None = None
    prompt: str | None = None

    @field_validator("metric")
    @classmethod
    def known_metric(cls, value: str, info: ValidationInfo) -> str:
        if value in NUMERIC:
            return value
        online = _ONLINE_METRIC.fullmatch(value)
        checks: Collection[str] | None = (info.context or {}).get("checks")
        if online is None:
            close = difflib.get_close_matches(value, NUMERIC, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"unknown metric {value!r}; {hint}one of: {', '.join(NUMERIC)}, or online_checks.CHECK."
                f"{'|'.join(CHECK_FIELDS)}"
            )
        if checks is not None and online.group(1) not in checks:
            raise ValueError(f"unknown online check {online.group(1)!r}; one of: {', '.join(sorted(checks))}")
        return value

    @field_validator("window")
    @classmethod
    def duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def one_condition(self) -> Rule:
        given = [c for c in ("above", "below", "drop_by", "rise_by") if getattr(self, c) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of above, below, drop_by, rise_by")
        return self


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(min_length=1)


class Verdict(BaseModel):
    rule: str
    metric: str
    window: str
    value: float | None
    previous: float | None
    broken: bool
    reason: str


def load_rules(path: Path, checks: Collection[str] | None = None) -> list[Rule]:
    """The rules in a file; `checks`: the online checks' names a rule may name (any, when not given)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RuleError(f"cannot read {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise RuleError(f"{path} is not UTF-8 text (byte {e.start}): a rules file is YAML") from e
    except yaml.YAMLError as e:
        raise RuleError(yaml_problem(path, e)) from e
    if not isinstance(data, dict):  # empty, a list, a word: nothing pydantic could say helps
        raise RuleError(
            f"{path}: a rules file is a mapping with a `rules:` list of rules (example: ops/data/rules.example.yaml)"
        )
    try:
        rules = RulesFile.model_validate(data, context={"checks": checks}).rules
    except ValidationError as e:
        raise RuleError(f"{path}: {located(e)}") from e
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise RuleError(f"{path}: rule names must be unique")
    return rules


def yaml_problem(path: Path, error: yaml.YAMLError) -> str:
    """Where the YAML breaks, as file:line, and what is wrong there (not PyYAML's "<unicode string>")."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
    return f"{where}: not valid YAML: {problem}"


def _value(figures: Figures, metric: str) -> float | None:
    online = _ONLINE_METRIC.fullmatch(metric)
    if online is not None:
        check = figures.online_checks.get(online.group(1))
        value = None if check is None else getattr(check, online.group(2))
    else:
        value = getattr(figures, metric)
    return None if value is None else float(value)


def check(monitor: Monitor, rules: list[Rule], now_ns: int | None = None) -> list[Verdict]:
    verdicts = []
    for rule in rules:
        window = Window.last(parse_duration(rule.window), now_ns)
        filters = Filters(model=rule.model, prompt=rule.prompt)
        current = monitor.figures(window, filters).get("all", Figures())
        previous = monitor.figures(window.before(), filters).get("all", Figures())
        value, before = _value(current, rule.metric), _value(previous, rule.metric)
        broken, reason = False, "ok"
        if current.turns < rule.min_turns:
            reason = f"not enough traffic ({counted(current.turns, 'turn')}, needs {rule.min_turns})"
        elif value is None:
            reason = "no value in this window"
        elif rule.above is not None:
            broken = value > rule.above
            reason = f"{value:.4g} {'>' if broken else '<='} {rule.above:g}"
        elif rule.below is not None:
            broken = value < rule.below
            reason = f"{value:.4g} {'<' if broken else '>='} {rule.below:g}"
        elif before is None or before == 0:
            reason = "nothing to compare with in the window before"
        elif rule.drop_by is not None:
            change = (before - value) / abs(before)
            broken = change >= rule.drop_by
            reason = f"{value:.4g} against {before:.4g} before ({-change:+.0%}; alert at -{rule.drop_by:.0%})"
        elif rule.rise_by is not None:
            change = (value - before) / abs(before)
            broken = change >= rule.rise_by
            reason = f"{value:.4g} against {before:.4g} before ({change:+.0%}; alert at +{rule.rise_by:.0%})"
        verdicts.append(
            Verdict(
                rule=rule.name,
                metric=rule.metric,
                window=rule.window,
                value=value,
                previous=before,
                broken=broken,
                reason=reason,
            )
        )
    return verdicts
