"""Mutation testing of the harness's judging code: how many deliberate bugs (mutants) the tests catch.

mutmut rewrites one operator, constant or call at a time in evals/trajectory.py, matchers.py, checks.py
and metrics.py, and runs the tests that reach the mutated function; a mutant the tests do not fail on
"survived": a bug of that shape would go unnoticed. Prints the kill rate per module and every survivor,
and exits 1 below the target (95%).

    uv run python benchmarks/mutation.py                 # ~10 minutes on 2 cores
    uv run python benchmarks/mutation.py --diffs         # show each survivor's change
    uv run python benchmarks/mutation.py --keep /tmp/mut # keep mutmut's folder (then `mutmut browse` there)

It works on a copy of the working tree in a temporary folder, so the repository is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("evals/trajectory.py", "evals/matchers.py", "evals/checks.py", "evals/metrics.py")
# Fast, pure tests over the modules (no conversation runs: each mutant reruns the tests that reach it).
TESTS = (
    "tests/evals/test_trajectory.py",
    "tests/evals/test_trajectory_properties.py",
    "tests/evals/test_matchers.py",
    "tests/evals/test_checks.py",
    "tests/evals/test_metrics_and_seller.py",
)
TARGET = 0.95
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
NOT_COUNTED = {"skipped", "not checked", "check was interrupted by user"}


def _copy_tree(source: Path, destination: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = source / name
        if src.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _configure(folder: Path, tests: list[str]) -> None:
    packages = sorted(
        p.name + "/"
        for p in folder.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name != "evals"
    )
    config = {
        "source_paths": ["evals/"],
        "only_mutate": list(MODULES),
        "also_copy": [*packages, "scenarios/"],
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:xdist", "-p", "no:cacheprovider"],
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in config.items()]
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _status_names() -> dict[int | None, str]:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the tree to test (default: this repository)"
    )
    parser.add_argument("--tests", nargs="+", default=list(TESTS), help="test files or node ids to run")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--diffs", action="store_true", help="print each survivor's diff")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="trova-mutation-"))
    if args.keep and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _copy_tree(args.source.resolve(), folder)
        tests = [t for t in args.tests if (folder / t.split("::")[0]).exists()]
        missing = sorted(set(args.tests) - set(tests))
        if missing:
            print(f"(not in this tree, left out: {', '.join(missing)})")
        _configure(folder, tests)
        mutmut = Path(sys.executable).with_name("mutmut")
        started = time.perf_counter()
        done = subprocess.run(
            [str(mutmut), "run", "--max-children", str(args.workers)],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            # Property tests run for every mutant that reaches them: fewer, fixed examples (tests/evals/conftest.py).
            env={**os.environ, "TROVA_HYPOTHESIS_PROFILE": "mutation"},
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
            print(f"mutmut failed (exit {done.returncode})")
            return 2
        return _report(folder, elapsed, args.diffs, mutmut)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _report(folder: Path, elapsed: float, diffs: bool, mutmut: Path) -> int:
    names = _status_names()
    detected_all = counted_all = 0
    survivors: list[tuple[str, str]] = []
    print(f"Mutation testing with mutmut, {elapsed:.0f} s\n")
    print(f"{'module':<22} {'mutants':>7} {'killed':>7} {'survived':>8} {'kill rate':>9}")
    for module in MODULES:
        meta = folder / "mutants" / f"{module}.meta"
        if not meta.is_file():
            print(f"{module:<22} (no mutants: {meta.name} missing)")
            continue
        exit_codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
        statuses = Counter(names[code] for code in exit_codes.values())
        counted = sum(n for s, n in statuses.items() if s not in NOT_COUNTED)
        detected = sum(n for s, n in statuses.items() if s in DETECTED)
        detected_all += detected
        counted_all += counted
        rate = detected / counted if counted else 1.0
        print(f"{module:<22} {counted:>7} {detected:>7} {counted - detected:>8} {rate:>9.1%}")
        survivors += [
            (name, names[code])
            for name, code in sorted(exit_codes.items())
            if names[code] not in DETECTED | NOT_COUNTED
        ]
    rate = detected_all / counted_all if counted_all else 1.0
    print(f"{'all':<22} {counted_all:>7} {detected_all:>7} {counted_all - detected_all:>8} {rate:>9.1%}")
    print(f"\nKill rate: {rate:.1%} (target {TARGET:.0%})")
    if survivors:
        print(f"\nSurvivors ({len(survivors)}):")
        for name, status in survivors:
            print(f"  {name}: {status}")
            if diffs:
                shown = subprocess.run(
                    [str(mutmut), "show", name], cwd=folder, capture_output=True, text=True, check=False
                ).stdout
                print("    " + "\n    ".join(shown.strip().splitlines()[1:]))
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
