"""Start-up of two checkouts, measured alternately so both meet the same machine load.

    uv run python benchmarks/startup_compare.py --before /tmp/older-checkout            # 5 runs each
    uv run python benchmarks/startup_compare.py --before /tmp/older --runs 9 --only chat,serve

`git archive <commit> | tar -x -C /tmp/older-checkout` makes the older checkout; both run on this
repository's environment (`python -m cli.main`, the code on PYTHONPATH), each with a data directory of its
own made by a first chat and a first `trova serve` left running until it has written the category index
(`benchmarks/scale.py`'s `_first_serve`). Measured with `benchmarks/scale.py`'s functions: `trova --help`,
`printf 'hi\\n' | trova chat` to its exit (and to its reply shown), `trova serve` until /api/health answers
(`serve`) and until its agent is made (`ready`: /ready answers 200; a checkout without /ready made its agent
before /api/health answered, so its health time is the figure);
best, median and range of wall and CPU seconds, and the load average before and after (the machine is
shared: CPU time is the figure to compare when it is loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale  # noqa: E402

COMMANDS = ("help", "chat", "serve", "ready")


def _env(code: Path, home: str) -> dict[str, str]:
    env = {**os.environ, "TROVA_HOME": home, "PYTHONPATH": str(code)}
    for name in ("DATABASE_URL", "TROVA_MARKETPLACE_URL", "TROVA_MODEL", "OPENAI_API_KEY", "TROVA_TOKEN"):
        env.pop(name, None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--after", type=Path, default=HERE.parent, help="default: this repository")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only", default=",".join(COMMANDS), help="help, chat, serve, ready (comma-separated)"
    )
    args = parser.parse_args()
    only = [c for c in args.only.split(",") if c]
    if unknown := set(only) - set(COMMANDS):
        parser.error(f"unknown commands: {', '.join(sorted(unknown))}")
    argv = [sys.executable, "-m", "cli.main"]
    codes = {"before": args.before.resolve(), "after": args.after.resolve()}
    homes = {label: tempfile.mkdtemp(prefix=f"trova-startup-{label}-") for label in codes}
    runs: dict[str, dict[str, list[tuple[float, float, float | None]]]] = {
        label: {c: [] for c in only} for label in codes
    }
    try:
        for label, code in codes.items():
            env = _env(code, homes[label])
            subprocess.run([*argv, "chat"], input=b"hi\n", env=env, cwd=code, capture_output=True, check=True)
            scale._first_serve(argv, env, code, Path(homes[label]))
        load_before = scale._load()
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
            for label, code in codes.items():
                env = _env(code, homes[label])
                if "help" in only:
                    runs[label]["help"].append(scale._timed_run([*argv, "--help"], None, env, code))
                if "chat" in only:
                    runs[label]["chat"].append(
                        scale._timed_run([*argv, "chat"], b"hi\n", env, code, answer=b"trova:")
                    )
                if "serve" in only:
                    runs[label]["serve"].append(scale._serve_ready(argv, env, code))
                if "ready" in only:
                    runs[label]["ready"].append(scale._serve_ready(argv, env, code, agent_made=True))
        print(json.dumps({"load_before": load_before, "load_after": scale._load(), "runs": args.runs}))
        for label in codes:
            for command in only:
                found = runs[label][command]
                figures = scale._figures(found)
                figures["cpu_range_s"] = f"{min(r[1] for r in found):.2f}-{max(r[1] for r in found):.2f}"
                figures["wall_range_s"] = f"{min(r[0] for r in found):.2f}-{max(r[0] for r in found):.2f}"
                print(json.dumps({"code": label, "command": command, **figures}))
    finally:
        for home in homes.values():
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
