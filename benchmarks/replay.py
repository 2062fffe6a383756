"""Record and replay of the scenario set with the offline model; prints what a recordings folder weighs and
what recording and replaying cost per model request.

    uv run python benchmarks/replay.py

Records every scenario once (the offline model wrapped in RecordingModel), replays the set from the
folder, and times, in CPU seconds of this process, the work record/replay adds to a request: the
normalised request (messages dumped, tool results' volatile values masked, secrets redacted), its hash,
and writing or reading the file.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TROVA_HOME", tempfile.mkdtemp(prefix="trova-bench-"))
os.environ.setdefault("TROVA_TRACES", "off")

from agent.models import resolve_model  # noqa: E402
from agent.prompts import load_prompt  # noqa: E402
from agent.replay import RecordingModel, ReplayModel, normalise_request  # noqa: E402
from evals.loader import load_scenarios  # noqa: E402
from evals.runner import EvalSettings, run_eval  # noqa: E402

T = TypeVar("T")


class Timed:
    """CPU time spent in a function, summed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, function: Callable[..., T]) -> Callable[..., T]:
        def timed(*args: Any, **kwargs: Any) -> T:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - started
                self.calls += 1

        return timed


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*.json") if p.name != "recordings.json"]
    return len(files), sum(p.stat().st_size for p in files)


async def main() -> None:
    scenarios = load_scenarios([])
    settings = EvalSettings(progress=False, concurrency=8)
    offline = resolve_model("offline")
    folder = Path(tempfile.mkdtemp(prefix="trova-recordings-"))

    recorder = RecordingModel(offline.model, folder, "offline")
    saving = Timed()
    recorder._save = saving.wrap(recorder._save)  # type: ignore[method-assign]
    normalising = Timed()
    import agent.replay as replay_module

    replay_module.normalise_request = normalising.wrap(normalise_request)
    recorded = await run_eval(scenarios, replace(offline, model=recorder), load_prompt(), settings)
    record_cost = (saving.seconds + normalising.seconds) / max(saving.calls, 1)

    files, size = folder_size(folder)
    print(
        f"scenarios: {len(scenarios)}, gate {'passed' if recorded.gate.passed else 'failed'} while recording"
    )
    print(f"recordings: {files} files, {size / 1e6:.2f} MB ({size / files / 1e3:.1f} KB a file)")
    print(f"recording adds {record_cost * 1e3:.2f} ms CPU a request (normalise, hash, write)")

    player = ReplayModel(folder, "offline")
    answering = Timed()
    player._answer = answering.wrap(player._answer)  # type: ignore[method-assign]
    replayed = await run_eval(scenarios, replace(offline, model=player), load_prompt(), settings)
    print(
        f"replay: {player.answered} requests answered, {len(player.misses)} misses, gate "
        f"{'passed' if replayed.gate.passed else 'failed'}; "
        f"{answering.seconds / max(answering.calls, 1) * 1e3:.2f} ms CPU a request (normalise, hash, read)"
    )
    print(f"(folder: {folder})")


if __name__ == "__main__":
    asyncio.run(main())
