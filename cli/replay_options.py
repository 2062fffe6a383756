"""The model a command runs with when recording or replaying (`--record DIR`, `--replay DIR`)."""

from __future__ import annotations

import atexit
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.models import ModelChoice, resolve_model
from agent.replay import (
    RecordingError,
    RecordingModel,
    ReplayModel,
    finish_recording,
    recording_choice,
    replay_choice,
)
from ops.counts import counted


def choose_model(
    model: str | None,
    base_url: str | None,
    record: Path | None,
    replay: Path | None,
    given_by: str = "--model",
) -> tuple[ModelChoice, RecordingModel | None]:
    """The model as `--model` says, wrapped to record, or the recordings standing in for it (then no model
    is made at all, so no key is needed). Raises ModelConfigError or RecordingError."""
    check_record_replay(base_url, record, replay)
    if replay is not None:
        choice, _ = replay_choice(replay, model)
        return choice, None
    choice = resolve_model(model, base_url, given_by=given_by)
    if record is None:
        return choice, None
    return recording_choice(choice, record_folder(record))


def check_record_replay(base_url: str | None, record: Path | None, replay: Path | None) -> None:
    """What --record, --replay and --base-url allow together, for one model or for each variant (one rule).
    Raises RecordingError."""
    if record is not None and replay is not None:
        raise RecordingError("--record and --replay exclude each other: record once, then replay")
    if replay is not None and base_url:
        raise RecordingError("--base-url has no use with --replay: no model is called")


def record_folder(record: Path) -> Path:
    """`record`, a folder to record to (made when missing); a file there raises RecordingError."""
    if record.exists() and not record.is_dir():
        raise RecordingError(f"--record {record} is a file; give a folder")
    try:
        record.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a folder that cannot be made is a bad option, named, before anything runs
        raise RecordingError(f"--record {record}: cannot make the folder ({e.strerror or e})") from e
    return record


def finish_recording_notice(recorder: RecordingModel) -> str:
    summary = finish_recording(recorder.directory, recorder.started)
    replaced = f", {summary.removed} older ones replaced" if summary.removed else ""
    return (
        f"[dim]Recorded {counted(summary.written, 'model request')} in {recorder.directory} "
        f"({counted(len(summary.scopes), 'conversation')}{replaced}). Commit the folder; replay with --replay "
        f"{recorder.directory}.[/dim]"
    )


@dataclass
class MissGroup:
    """Replay misses with one cause (e.g. the instructions changed), in several scenarios."""

    cause: str
    scopes: list[str]
    example: str  # one miss's whole message


def replay_misses(choice: ModelChoice) -> Callable[[], list[MissGroup]] | None:
    """When `choice` replays: a function giving the misses so far, grouped by cause, from this process and
    any worker process (they append to one log)."""
    if not isinstance(choice.model, ReplayModel):
        return None
    descriptor, name = tempfile.mkstemp(prefix="trova-replay-misses-", suffix=".jsonl")
    os.close(descriptor)
    log = Path(name)
    atexit.register(log.unlink, missing_ok=True)
    choice.model.miss_log = log

    def read() -> list[MissGroup]:
        groups: dict[str, MissGroup] = {}
        for line in log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            cause, scope = str(entry["cause"]), str(entry["scope"])
            group = groups.setdefault(cause, MissGroup(cause, [], str(entry["message"])))
            if scope not in group.scopes:
                group.scopes.append(scope)
        return list(groups.values())

    return read
