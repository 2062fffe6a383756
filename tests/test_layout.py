"""The packages import each other only downwards (the README's layout), so the marketplace stays a
service of its own and the tools never reach into its storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"marketplace", "tools", "agent", "evals", "traces", "ops", "web", "cli"}

# package -> the packages of ours it may import (itself always allowed)
ALLOWED: dict[str, set[str]] = {
    "marketplace": set(),
    "tools": {"marketplace"},
    "agent": {"tools"},
    "traces": {"agent"},
    "ops": {"agent", "tools", "traces"},
    "evals": {"agent", "tools", "marketplace", "traces"},
    "web": {"agent", "tools", "traces", "ops"},
    "cli": OURS,
}
# The tools may use the marketplace's API types, never its app or storage.
TOOLS_MAY_USE = {"marketplace.conditions", "marketplace.schemas"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    wrong = []
    for path in files:
        for line, module in imports_of(path):
            top = module.split(".")[0]
            if top not in OURS or top == package:
                continue
            if top not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            elif package == "tools" and module not in TOOLS_MAY_USE:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module} (only its API types)")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom marketplace.db import ListingRow\nfrom . import x\n")
    assert imports_of(module) == [(1, "os"), (2, "marketplace.db")]
