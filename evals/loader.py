"""Loading scenario files: every problem names the file, the line and the field.

`check_files` is the one pass every caller goes through (`trova eval run` before it runs anything, `trova
eval validate` on its own): each file parsed, validated against the schema, its id and image checked."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from evals.numbering import shown
from evals.schema import Scenario

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "scenarios"


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: Path

    @property
    def id(self) -> str:
        return self.scenario.id


@dataclass(frozen=True)
class Problem:
    """One reason a scenario file does not load: where (file, line, field path) and what."""

    message: str
    file: Path | None = None
    line: int | None = None  # 1-based, as editors number lines
    field: str | None = None  # e.g. expect.tools.calls.1.tool (list items counted from 1)

    def __str__(self) -> str:
        where = "" if self.file is None else f"{self.file}" + (f":{self.line}" if self.line else "")
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}" if where else what


@dataclass(frozen=True)
class FileCheck:
    """One file's verdict: its scenario when it loads, else every problem found in it."""

    path: Path
    scenario: Scenario | None
    problems: list[Problem]
    experiment: bool = False  # an A/B experiment's file (`trova experiment check`), not a scenario

    @property
    def valid(self) -> bool:
        return not self.problems


class ScenarioError(Exception):
    """One or more scenario files that do not load; `problems` are 'file:line: field: message' lines,
    `found` the same problems typed."""

    def __init__(self, found: Sequence[Problem]) -> None:
        self.found = list(found)
        self.problems = [str(p) for p in self.found]
        super().__init__("\n".join(self.problems))


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


def _message(kind: str, message: str, loc: Sequence[int | str]) -> str:
    """Pydantic's message as a scenario author needs it: without its "Value error, " prefix, and a key the
    format does not know with the nearest one it does."""
    message = message.removeprefix("Value error, ")
    if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
        close = difflib.get_close_matches(loc[-1], _field_names(), n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
    return message


@cache
def _field_names() -> list[str]:
    """Every key the scenario format knows, at any depth."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Scenario]
    while todo:
        model = todo.pop()
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
            todo.extend(m for m in _classes(info.annotation) if m not in seen)
    return sorted(names)


def _classes(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation holds (inside lists, dicts, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _classes(arg)]


def _field(loc: Sequence[int | str]) -> str:
    """The field path a scenario author reads: list items counted from 1, as the run counts calls and
    turns (`expect.tools.calls.1` is the first expected call, the one a failure calls "expected call 1")."""
    # Union branches show up as class names in the location; they mean nothing to a scenario author.
    parts = [
        str(shown(p)) if isinstance(p, int) else p
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
        # The parser notices some mistakes lines later (an unclosed `[`): name where the construct began.
        began = (
            f" ({getattr(e, 'context', None) or 'it began'} at line {context.line + 1})"
            if context is not None and mark is not None and context.line != mark.line
            else ""
        )
        problem = getattr(e, "problem", None) or e
        raise ScenarioError(
            [Problem(f"not valid YAML: {problem}{began}", path, mark.line + 1 if mark is not None else None)]
        ) from e
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem("a scenario is a mapping (id, description, seller, expect, ...)", path, 1)]
        )
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
            problems.append(Problem(_message(err["type"], err["msg"], loc), path, line_no, _field(loc)))
        raise ScenarioError(problems) from e


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def _line_of(file: Path, key: str) -> int:
    node = _node_at(yaml.compose(file.read_text(encoding="utf-8")), [key])
    return node.start_mark.line + 1 if node is not None else 1


# A folder walked for scenarios stops after this many folders: pointed at /tmp or a home folder by
# mistake, it says so in seconds instead of reading every file below it.
MAX_FOLDERS = 5_000
SKIP_FILE = Path(__file__).with_name("scenario_files.toml")


@cache
def skipped_folders() -> frozenset[str]:
    """The names of tools' trees never read for scenarios (node_modules, ...): evals/scenario_files.toml."""
    data = tomllib.loads(SKIP_FILE.read_text(encoding="utf-8"))
    return frozenset(str(name) for name in data["skip"]["folders"])


def _scenario_files(folder: Path) -> list[Path]:
    """The *.yaml / *.yml files under `folder`, leaving out hidden folders (.git, .venv), Python
    environments and tools' trees; at most MAX_FOLDERS folders are read, past which it stops with what it
    found so far (where the scenario files are, to name instead)."""
    found: list[Path] = []
    skipped = skipped_folders()
    for walked, (root, dirs, names) in enumerate(os.walk(folder), start=1):
        if walked > MAX_FOLDERS:
            raise ScenarioError([Problem(_too_many_folders(folder, found), folder)])
        base = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in skipped and not (base / d / "pyvenv.cfg").exists()
        )
        found.extend(base / n for n in sorted(names) if Path(n).suffix in (".yaml", ".yml"))
    return found


def _too_many_folders(folder: Path, found: list[Path]) -> str:
    """Why a walk stopped, and what to name instead: the folders holding the YAML files read so far (the
    walk stops; it never checks part of a tree and calls that the whole)."""
    where = sorted({f.parent for f in found}, key=lambda p: (-sum(f.parent == p for f in found), str(p)))
    if where:
        shown = ", ".join(str(p) for p in where[:3]) + (
            f" and {len(where) - 3} more" if len(where) > 3 else ""
        )
        files = f"{len(found):,} YAML file{'' if len(found) == 1 else 's'}"
        seen = f"; the part read holds {files}, in {shown}"
    else:
        seen = "; no YAML file in the part read"
    return (
        f"more than {MAX_FOLDERS:,} folders below it, so nothing was checked{seen}; name the folder that "
        "holds the scenario files (e.g. scenarios/)"
    )


def _files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_scenario_files(path))
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError([Problem("no such file or directory", path)])
    return files


def is_experiment(text: str) -> bool:
    """An A/B experiment's file (experiments/*.yaml: a control and its arms), not a scenario."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and {"arms", "control"} <= data.keys() and "seller" not in data


def _check_file(file: Path, seen: dict[str, Path]) -> FileCheck:
    """One file through the schema, then what the schema cannot see: a repeated id, a missing image."""
    try:
        text = file.read_text(encoding="utf-8")
        if is_experiment(text):
            return FileCheck(file, None, [], experiment=True)
        scenario = parse_scenario(text, file)
    except ScenarioError as e:
        return FileCheck(file, None, e.found)
    except (OSError, UnicodeDecodeError) as e:
        return FileCheck(file, None, [Problem(f"cannot be read: {e}", file)])
    if scenario.id in seen:
        return FileCheck(
            file,
            None,
            [
                Problem(
                    f"'{scenario.id}' is also the id of {seen[scenario.id]}", file, _line_of(file, "id"), "id"
                )
            ],
        )
    seen[scenario.id] = file
    if scenario.image is not None:
        image = file.parent / scenario.image
        if not image.is_file():
            return FileCheck(
                file, None, [Problem(f"no such file {image}", file, _line_of(file, "image"), "image")]
            )
        if image.suffix.lower() not in IMAGE_TYPES:
            kinds = ", ".join(sorted(IMAGE_TYPES))
            problem = Problem(f"{image.name} is not one of {kinds}", file, _line_of(file, "image"), "image")
            return FileCheck(file, None, [problem])
    return FileCheck(file, scenario, [])


def check_files(paths: Sequence[Path] = ()) -> list[FileCheck]:
    """Every scenario file under `paths` (default: `scenarios/`), each with its problems; raises
    ScenarioError only when a path does not exist or holds no scenario file."""
    files = _files(paths or [DEFAULT_DIR])
    where = ", ".join(map(str, paths))
    if not files:
        raise ScenarioError([Problem(f"{where}: no scenario files (*.yaml, hidden folders left out)")])
    seen: dict[str, Path] = {}
    checked = [_check_file(file, seen) for file in files]
    if all(c.experiment for c in checked):
        names = ", ".join(str(c.path) for c in checked)
        raise ScenarioError(
            [
                Problem(
                    f"{where}: no scenario files, only experiments (check them with: trova experiment check {names})"
                )
            ]
        )
    return checked


def load_scenarios(
    paths: Sequence[Path] = (), *, tags: Sequence[str] = (), ids: Sequence[str] = ()
) -> list[LoadedScenario]:
    """Load and validate scenarios from files and folders (default: `scenarios/`).

    All files are checked before anything runs: every problem in every file is reported together."""
    checked = check_files(paths)
    problems = [p for c in checked for p in c.problems]
    if problems:
        raise ScenarioError(problems)
    loaded = [LoadedScenario(c.scenario, c.path) for c in checked if c.scenario is not None]
    if tags:
        loaded = [s for s in loaded if set(tags) & set(s.scenario.tags)]
    if ids:
        wanted = set(ids)
        unknown = wanted - {s.id for s in loaded}
        if unknown and not tags:
            raise ScenarioError([Problem(f"no scenario with id {', '.join(sorted(unknown))}")])
        loaded = [s for s in loaded if s.id in wanted]
    return loaded
