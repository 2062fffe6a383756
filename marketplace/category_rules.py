"""Title -> Google Product Taxonomy category, for the CraigslistBargain seed listings.

The rules are data: `marketplace/rules/categories/` (their format is in the README there). This module
loads them once, in order, and applies them: the first rule whose sections include the listing's
Craigslist section and whose pattern matches the title (case-insensitive) wins; the section's fallback
applies when none does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

RULES_DIR = Path(__file__).parent / "rules" / "categories"
NAMES_FILE = "names.yaml"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class RulesError(ValueError):
    """A rule file that does not load: the message names the file, the line and the problem."""


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[str]
    pattern: re.Pattern[str]
    path: str
    origin: str = ""  # "file:line", for messages and for finding the rule again


def all_of(*patterns: str) -> str:
    """A pattern for titles that contain every one of `patterns`, in any order."""
    return "^" + "".join(f"(?=.*(?:{p}))" for p in patterns)


def without(pattern: str, *excluded: str) -> str:
    """A pattern for titles that contain `pattern` but none of `excluded`."""
    return "^" + "".join(f"(?!.*(?:{x}))" for x in excluded) + f"(?=.*(?:{pattern}))"


def without_all(patterns: list[str], excluded: list[str]) -> str:
    """A pattern for titles that contain every one of `patterns` but none of `excluded`."""
    return "^" + "".join(f"(?!.*(?:{x}))" for x in excluded) + "".join(f"(?=.*(?:{p}))" for p in patterns)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _AllOf(_Strict):
    all: list[str] = Field(min_length=2)


class _RuleEntry(_Strict):
    in_: str = Field(alias="in", min_length=1)
    match: str | None = None
    all: list[str] | None = Field(None, min_length=2)
    unless: list[str] | None = Field(None, min_length=1)
    handset: str | _AllOf | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _one_pattern(self) -> _RuleEntry:
        given = [k for k in ("match", "all", "handset") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a rule has exactly one of match, all, handset; got {', '.join(given) or 'none'}"
            )
        if self.handset is not None and (self.path is not None or self.unless is not None):
            raise ValueError("a handset rule takes no path and no unless (names.yaml says where handsets go)")
        if self.handset is None and self.path is None:
            raise ValueError("a rule needs a path")
        return self


class _HandsetCase(_Strict):
    with_: str | None = Field(None, alias="with")
    path: str


class _Names(_Strict):
    paths: dict[str, str]
    patterns: dict[str, str]
    fallback: dict[str, str]
    handset: list[_HandsetCase] = Field(min_length=1)


class _RuleFile(_Strict):
    rules: list[_RuleEntry]


def _load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path}{where}: not valid YAML: {getattr(e, 'problem', e)}") from e


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a validation error's location."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
    return node.start_mark.line + 1 if node is not None else None


def _validated(model: type[BaseModel], path: Path) -> tuple[Any, yaml.Node | None]:
    data, root = _load_yaml(path)
    try:
        return model.model_validate(data), root
    except ValidationError as e:
        error = e.errors()[0]
        line = _line_of(root, tuple(error["loc"]))
        raise RulesError(f"{path}:{line}: {'.'.join(map(str, error['loc']))}: {error['msg']}") from e


class _Expander:
    """`${NAME}` references, each name defined by earlier names only."""

    def __init__(self, names: _Names, where: str) -> None:
        self.values: dict[str, str] = {}
        for table in (names.paths, names.patterns):
            for name, text in table.items():
                if name in self.values:
                    raise RulesError(f"{where}: {name} is defined twice")
                self.values[name] = self.expand(text, f"{where}: {name}")

    def expand(self, text: str, where: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.values:
                raise RulesError(f"{where}: ${{{name}}} is not defined (above it) in {NAMES_FILE}")
            return self.values[name]

        return _REFERENCE.sub(value, text)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise RulesError(f"{where}: invalid regular expression: {e}") from e


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    fallback: dict[str, str]

    def classify(self, title: str, source: str) -> str:
        for r in self.rules:
            if source in r.sources and r.pattern.search(title):
                return r.path
        return self.fallback[source]

    def first_match(self, title: str, source: str) -> Rule | None:
        """The rule that decides a title's category, or None when the section's fallback does."""
        return next((r for r in self.rules if source in r.sources and r.pattern.search(title)), None)


def load_rules(directory: Path = RULES_DIR) -> RuleSet:
    """The rules in `directory`: `names.yaml` and the numbered rule files, in name order."""
    names_path = directory / NAMES_FILE
    names, _ = _validated(_Names, names_path)
    expander = _Expander(names, str(names_path))
    fallback = {s: expander.expand(p, f"{names_path}: fallback.{s}") for s, p in names.fallback.items()}
    handset_cases = [
        (
            expander.expand(c.with_, str(names_path)) if c.with_ else None,
            expander.expand(c.path, str(names_path)),
        )
        for c in names.handset
    ]
    files = sorted(p for p in directory.glob("*.yaml") if p.name != NAMES_FILE)
    if not files:
        raise RulesError(f"{directory}: no rule files")
    rules: list[Rule] = []
    for path in files:
        parsed, root = _validated(_RuleFile, path)
        entries = root.value[0][1].value if isinstance(root, yaml.MappingNode) else []
        for number, entry in enumerate(parsed.rules):
            line = entries[number].start_mark.line + 1 if number < len(entries) else 0
            where = f"{path.name}:{line}"
            sources = frozenset(entry.in_.split())
            unknown = sources - set(fallback)
            if unknown:
                raise RulesError(
                    f"{where}: unknown section {', '.join(sorted(unknown))} (known: {', '.join(fallback)})"
                )
            if entry.handset is not None:
                parts = entry.handset.all if isinstance(entry.handset, _AllOf) else None
                pattern = (
                    all_of(*(expander.expand(p, where) for p in parts))
                    if parts
                    else expander.expand(str(entry.handset), where)
                )
                for extra, target in handset_cases:
                    text = all_of(pattern, extra) if extra is not None else pattern
                    rules.append(Rule(sources, _compile(text, where), target, where))
                continue
            assert entry.path is not None  # checked by the model
            positive = [expander.expand(p, where) for p in (entry.all or [entry.match or ""])]
            excluded = [expander.expand(p, where) for p in entry.unless or ()]
            if excluded:
                text = (
                    without(positive[0], *excluded) if len(positive) == 1 else without_all(positive, excluded)
                )
            elif entry.all is not None:
                text = all_of(*positive)
            else:
                text = positive[0]
            rules.append(Rule(sources, _compile(text, where), expander.expand(entry.path, where), where))
    return RuleSet(tuple(rules), fallback)


@cache
def default_rules() -> RuleSet:
    return load_rules()


def classify(title: str, source: str) -> str:
    """The taxonomy path for a listing title from a Craigslist section (bike, electronics, furniture, phone, car)."""
    return default_rules().classify(title, source)
