"""Versioned prompts: a prompt's version is a hash of its text, so any edit is a new version.

Where a version's text is found, in order: the prompt file itself (`agent/prompts/NAME.md`, the working
copy), the snapshots of labelled versions (`agent/prompts/versions/NAME@VERSION.md`, committed with the
label), the run store (every version ever evaluated, chatted with or served, under `$TROVA_HOME`) and the
file's git history. Labels (`agent/prompts/labels.yaml`: production, candidate, any name) point at
versions; moving one is a commit, so it is reviewed like code.

A prompt reference names a version: `NAME` (the file as it is now), `NAME@VERSION` (a version or a unique
prefix of one, at least 4 hex digits), `NAME@LABEL`, or `LABEL` (a label of the default prompt).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import yaml
from pydantic import RootModel, ValidationError

from agent.prompt_store import PromptStore, Use

PROMPT_DIR = Path(__file__).parent / "prompts"
DEFAULT_PROMPT = "listing_agent"
LABELS_FILE_NAME = "labels.yaml"
VERSIONS_DIR_NAME = "versions"
PRODUCTION = "production"

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LABEL = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_VERSION = re.compile(r"[0-9a-f]{4,12}")
_FULL_VERSION = re.compile(r"[0-9a-f]{12}")
GIT_HISTORY_LIMIT = 200  # commits of a prompt file read back; older versions are in the store if ever used
_LABELS_HEADER = (
    "# Prompt labels: which version of each prompt a label means (trova serve serves `production`).\n"
    "# Move a label with `trova prompts label NAME@VERSION LABEL` and commit this file with the snapshot\n"
    "# it writes to versions/, so the change is reviewed and the text stays in the repository.\n"
)


class PromptRefError(ValueError):
    """A prompt reference that names nothing known; the message says what is known."""


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str

    @property
    def version(self) -> str:
        """First 12 hex digits of the SHA-256 of the text: changes exactly when the prompt does."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass
class PromptVersion:
    """One version of a prompt and where it was found."""

    name: str
    version: str
    text: str
    sources: list[str] = field(default_factory=list)  # file, snapshot, store, git
    labels: list[str] = field(default_factory=list)
    first_seen: datetime | None = None  # first use (store) or first commit
    last_used: datetime | None = None
    uses: list[str] = field(default_factory=list)  # chat, eval, serve
    commit: str | None = None  # the latest commit whose file had this text

    @property
    def prompt(self) -> Prompt:
        return Prompt(self.name, self.text)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def when(self) -> datetime:
        return max(d for d in (self.last_used, self.first_seen, datetime.min.replace(tzinfo=UTC)) if d)


class _LabelsDoc(RootModel[dict[str, dict[str, str]]]):
    pass


def prompt_dir() -> Path:
    return PROMPT_DIR


def labels_file() -> Path:
    return prompt_dir() / LABELS_FILE_NAME


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise PromptRefError(f"{name!r} is not a prompt name (lower-case letters, digits and _)")


def _file_prompt(name: str) -> Prompt:
    _check_name(name)
    path = prompt_dir() / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(
            f"no prompt named {name!r} in {prompt_dir()} (available: {', '.join(prompt_names()) or 'none'})"
        )
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read(path: Path, mtime_ns: int, size: int) -> Prompt:
    # Keyed by the file's modification time and size too, so an edited file is read again.
    return Prompt(path.stem, path.read_text(encoding="utf-8"))


def load_prompt(ref: str = DEFAULT_PROMPT) -> Prompt:
    """The prompt a reference names: a file name (the working copy), NAME@VERSION, NAME@LABEL or LABEL."""
    name, at, selector = ref.partition("@")
    if not at and (prompt_dir() / f"{ref}.md").is_file():
        return _file_prompt(ref)
    if not at:
        labels = load_labels().get(DEFAULT_PROMPT, {})
        if ref in labels:
            return find_version(DEFAULT_PROMPT, labels[ref]).prompt
        raise PromptRefError(
            f"no prompt named {ref!r}, as a file or a label (prompts: {', '.join(prompt_names()) or 'none'}; "
            f"labels of {DEFAULT_PROMPT}: {', '.join(sorted(labels)) or 'none'})"
        )
    _check_name(name)
    labels = load_labels().get(name, {})
    if selector in labels:
        return find_version(name, labels[selector]).prompt
    if _VERSION.fullmatch(selector):
        return find_version(name, selector).prompt
    raise PromptRefError(
        f"{ref!r}: {selector!r} is neither a version (4 to 12 hex digits) nor a label of {name} "
        f"(labels: {', '.join(sorted(labels)) or 'none'})"
    )


def prompt_names() -> list[str]:
    names = {p.stem for p in prompt_dir().glob("*.md")}
    names |= set(load_labels())
    names |= {p.stem.partition("@")[0] for p in (prompt_dir() / VERSIONS_DIR_NAME).glob("*@*.md")}
    names |= {s.name for s in PromptStore().versions()}
    return sorted(names)


def served_prompt(ref: str | None = None) -> tuple[Prompt, str]:
    """What `trova serve` serves: `ref` when given, else the default prompt's production label, else its file
    as it is (the notice says which, and why)."""
    if ref is not None:
        prompt = load_prompt(ref)
        return prompt, f"Prompt: {prompt.ref} (from --prompt {ref})."
    if PRODUCTION in load_labels().get(DEFAULT_PROMPT, {}):
        prompt = load_prompt(f"{DEFAULT_PROMPT}@{PRODUCTION}")
        edited = _file_prompt(DEFAULT_PROMPT).version != prompt.version
        note = (
            f"; the file differs ({_file_prompt(DEFAULT_PROMPT).ref}), not served until labelled"
            if edited
            else ""
        )
        return prompt, f"Prompt: {prompt.ref} (the {PRODUCTION} label{note})."
    prompt = load_prompt(DEFAULT_PROMPT)
    return prompt, f"Prompt: {prompt.ref} (the file: no {PRODUCTION} label in {labels_file()})."


# --- labels -----------------------------------------------------------------------------------------------


def load_labels() -> dict[str, dict[str, str]]:
    """prompt name -> label -> version, from the labels file (empty when there is none)."""
    path = labels_file()
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        doc = _LabelsDoc.model_validate(raw).root
    except (yaml.YAMLError, ValidationError) as e:
        raise PromptRefError(
            f'{path} is not a labels file (prompt: {{label: "version"}}, versions quoted): {e}'
        ) from None
    for name, labels in doc.items():
        for label, version in labels.items():
            if not (_NAME.fullmatch(name) and _LABEL.fullmatch(label) and _FULL_VERSION.fullmatch(version)):
                raise PromptRefError(
                    f"{path}: {name}: {label}: {version!r} is not a prompt, label and 12-hex-digit version"
                )
    return doc


def labels_of(name: str, version: str) -> list[str]:
    return sorted(label for label, v in load_labels().get(name, {}).items() if v == version)


def set_label(prompt: Prompt, label: str) -> Path:
    """Point `label` at `prompt`'s version; its text is written to versions/ so the label never points at a
    text the repository lacks. Returns the labels file."""
    if not _LABEL.fullmatch(label) or _VERSION.fullmatch(label):
        raise PromptRefError(
            f"{label!r} is not a label name (a lower-case word like production or candidate, not hex digits)"
        )
    _check_name(prompt.name)
    labels = load_labels()
    labels.setdefault(prompt.name, {})[label] = prompt.version
    snapshot = snapshot_path(prompt.name, prompt.version)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    if not snapshot.is_file():
        snapshot.write_text(prompt.text, encoding="utf-8")
    lines = [_LABELS_HEADER.rstrip("\n")]
    for name in sorted(labels):
        lines.append(f"{name}:")
        lines += [f'  {lbl}: "{v}"' for lbl, v in sorted(labels[name].items())]
    path = labels_file()
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    PromptStore().remember(prompt.name, prompt.version, prompt.text, "label")
    return path


def snapshot_path(name: str, version: str) -> Path:
    return prompt_dir() / VERSIONS_DIR_NAME / f"{name}@{version}.md"


# --- history ----------------------------------------------------------------------------------------------


def remember(prompt: Prompt, use: Use) -> None:
    """Keep this version's text in the run store: it was evaluated, chatted with or served."""
    PromptStore().remember(prompt.name, prompt.version, prompt.text, use)


def history(name: str, *, git: bool = True) -> list[PromptVersion]:
    """Every known version of a prompt, the working copy first, then newest first."""
    _check_name(name)
    found: dict[str, PromptVersion] = {}

    def add(text: str, source: str) -> PromptVersion:
        prompt = Prompt(name, text)
        entry = found.setdefault(prompt.version, PromptVersion(name, prompt.version, text))
        if source not in entry.sources:
            entry.sources.append(source)
        return entry

    current: str | None = None
    path = prompt_dir() / f"{name}.md"
    if path.is_file():
        current = add(path.read_text(encoding="utf-8"), "file").version
    for snapshot in sorted((prompt_dir() / VERSIONS_DIR_NAME).glob(f"{name}@*.md")):
        add(snapshot.read_text(encoding="utf-8"), "snapshot")
    for stored in PromptStore().versions(name):
        entry = add(stored.text, "store")
        entry.first_seen, entry.last_used, entry.uses = stored.first_seen, stored.last_used, list(stored.uses)
    if git:
        for commit, date, text in _git_versions(path):
            entry = add(text, "git")
            entry.commit = entry.commit or commit  # newest first: the first seen is the latest commit
            entry.first_seen = min(filter(None, (entry.first_seen, date)))
            entry.last_used = max(filter(None, (entry.last_used, date)))
    labels = load_labels().get(name, {})
    for label, version in labels.items():
        if version in found:
            found[version].labels.append(label)
    ordered = sorted(found.values(), key=lambda v: (v.version != current, -v.when.timestamp()))
    return ordered


def find_version(name: str, version: str) -> PromptVersion:
    """The version of `name` whose hash is or starts with `version`."""
    _check_name(name)
    if _FULL_VERSION.fullmatch(version):
        # The cheap places first: the working copy and the snapshots need no store and no git.
        for source in _quick(name):
            if Prompt(name, source).version == version:
                return PromptVersion(name, version, source)
    known = history(name)
    matches = [v for v in known if v.version.startswith(version)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        shown = ", ".join(v.version for v in known[:8]) or "none"
        raise PromptRefError(
            f"no version {version} of prompt {name!r} is known (not in the file, the snapshots, the run "
            f"store or git history; known: {shown})"
        )
    raise PromptRefError(
        f"{name}@{version} is ambiguous: {', '.join(v.version for v in matches)}; give more digits"
    )


def _quick(name: str) -> list[str]:
    texts = []
    path = prompt_dir() / f"{name}.md"
    if path.is_file():
        texts.append(path.read_text(encoding="utf-8"))
    for snapshot in (prompt_dir() / VERSIONS_DIR_NAME).glob(f"{name}@*.md"):
        texts.append(snapshot.read_text(encoding="utf-8"))
    return texts


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_versions(path: Path) -> list[tuple[str, datetime, str]]:
    """(commit, commit date, text) of a file through its git history, newest first; none outside git."""
    if not path.parent.is_dir():
        return []
    log = _git(path.parent, "log", f"-n{GIT_HISTORY_LIMIT}", "--format=%H %cI", "--", path.name)
    if not log:
        return []
    versions = []
    for line in log.splitlines():
        commit, _, date = line.partition(" ")
        text = _git(path.parent, "show", f"{commit}:./{path.name}")
        if text is not None:
            versions.append((commit, datetime.fromisoformat(date), text))
    return versions
