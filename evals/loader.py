"""Loading scenario files: every problem names the file, the line and the field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evals.schema import Scenario

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "scenarios"


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: Path

    @property
    def id(self) -> str:
        return self.scenario.id


class ScenarioError(Exception):
    """One or more scenario files that do not load; `problems` are 'file:line: field: message' lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _node_at(node: yaml.Node | None, loc: Sequence[int | str]) -> yaml.Node | None:
    """The YAML node a validation error's location points at (as deep as the file goes)."""
    current = node
    for key in loc:
        if isinstance(current, yaml.MappingNode):
            found = None
            for key_node, value_node in current.value:
                if key_node.value == str(key):
                    found = value_node
                    break
            if found is None:
                return current
            current = found
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
            current = current.value[key]
        else:
            return current
    return current


def _field(loc: Sequence[int | str]) -> str:
    # Union branches show up as class names in the location; they mean nothing to a scenario author.
    parts = [
        str(p)
        for p in loc
        if not (isinstance(p, str) and (p[:1].isupper() or "[" in p or p.startswith("function-")))
    ]
    return ".".join(parts) or "(top level)"


def parse_scenario(text: str, path: Path) -> Scenario:
    try:
        root = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark, context = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        # The parser notices some mistakes lines later (an unclosed `[`): name where the construct began.
        began = (
            f" ({getattr(e, 'context', None) or 'it began'} at line {context.line + 1})"
            if context is not None and mark is not None and context.line != mark.line
            else ""
        )
        problem = getattr(e, "problem", None) or e
        raise ScenarioError([f"{path}{line}: not valid YAML: {problem}{began}"]) from e
    if not isinstance(data, dict):
        raise ScenarioError([f"{path}:1: a scenario is a mapping (id, description, seller, expect, ...)"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = [
                p
                for p in err["loc"]
                if not isinstance(p, str) or p not in ("function-before", "function-after")
            ]
            node = _node_at(root, loc)
            line_no = node.start_mark.line + 1 if node is not None else 1
            problems.append(f"{path}:{line_no}: {_field(loc)}: {err['msg']}")
        raise ScenarioError(problems) from e


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def _line_of(file: Path, key: str) -> int:
    node = _node_at(yaml.compose(file.read_text(encoding="utf-8")), [key])
    return node.start_mark.line + 1 if node is not None else 1


def _files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError([f"{path}: no such file or directory"])
    return files


def load_scenarios(
    paths: Sequence[Path] = (), *, tags: Sequence[str] = (), ids: Sequence[str] = ()
) -> list[LoadedScenario]:
    """Load and validate scenarios from files and folders (default: `scenarios/`).

    All files are checked before anything runs: every problem in every file is reported together."""
    files = _files(paths or [DEFAULT_DIR])
    loaded: list[LoadedScenario] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for file in files:
        try:
            scenario = parse_scenario(file.read_text(encoding="utf-8"), file)
        except ScenarioError as e:
            problems.extend(e.problems)
            continue
        if scenario.id in seen:
            problems.append(f"{file}:1: id: '{scenario.id}' is also the id of {seen[scenario.id]}")
            continue
        seen[scenario.id] = file
        if scenario.image is not None:
            image = file.parent / scenario.image
            if not image.is_file():
                problems.append(f"{file}:{_line_of(file, 'image')}: image: no such file {image}")
                continue
            if image.suffix.lower() not in IMAGE_TYPES:
                problems.append(
                    f"{file}:{_line_of(file, 'image')}: image: {image.name} is not one of "
                    f"{', '.join(sorted(IMAGE_TYPES))}"
                )
                continue
        loaded.append(LoadedScenario(scenario, file))
    if problems:
        raise ScenarioError(problems)
    if not files:
        raise ScenarioError([f"{', '.join(map(str, paths))}: no scenario files (*.yaml)"])
    if tags:
        loaded = [s for s in loaded if set(tags) & set(s.scenario.tags)]
    if ids:
        wanted = set(ids)
        unknown = wanted - {s.id for s in loaded}
        if unknown and not tags:
            raise ScenarioError([f"no scenario with id {', '.join(sorted(unknown))}"])
        loaded = [s for s in loaded if s.id in wanted]
    return loaded
