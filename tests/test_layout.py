"""The packages import each other only downwards (the README's layout), so the marketplace stays a
service of its own and the tools never reach into its storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"settings", "marketplace", "tools", "agent", "evals", "traces", "ops", "web", "cli"}

# package -> the packages of ours it may import (itself always allowed)
ALLOWED: dict[str, set[str]] = {
    "settings": set(),  # the environment's settings, read by every part
    "marketplace": {"settings"},
    "tools": {"marketplace"},
    "agent": {"tools", "settings"},
    "traces": {"agent", "settings"},
    "ops": {"agent", "tools", "traces", "settings"},
    "evals": {"agent", "tools", "marketplace", "traces", "settings"},
    "web": {"agent", "tools", "traces", "ops", "settings"},
    "cli": OURS,
}
# The tools may use the marketplace's API types, never its app or storage.
TOOLS_MAY_USE = {"marketplace.conditions", "marketplace.schemas"}
# The site reads request bodies, and answers unreadable ones, with the API's own pieces (nothing else of it).
WEB_MAY_USE = {"marketplace.bodies", "marketplace.validation"}
# Modules a package must not import although it may import their package: the eval harness judges the
# agent, so it shares no code with the offline model (a bug in its parser would fool both alike).
FORBIDDEN: dict[str, tuple[str, ...]] = {"evals": ("agent.offline",)}


def imports_of(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def wrong_imports(package: str, files: list[Path]) -> list[str]:
    wrong = []
    for path in files:
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for line, module in imports_of(path):
            top = module.split(".")[0]
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN.get(package, ())):
                wrong.append(
                    f"{where}:{line} imports {module} (the harness shares no code with what it judges)"
                )
            elif top not in OURS or top == package or (package == "web" and module in WEB_MAY_USE):
                continue
            elif top not in ALLOWED[package]:
                wrong.append(f"{where}:{line} imports {module}")
            elif package == "tools" and module not in TOOLS_MAY_USE:
                wrong.append(f"{where}:{line} imports {module} (only its API types)")
    return wrong


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    wrong = wrong_imports(package, files)
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom marketplace.db import ListingRow\nfrom . import x\n")
    assert imports_of(module) == [(1, "os"), (2, "marketplace.db")]


def test_the_harness_may_not_import_the_offline_model(tmp_path: Path) -> None:
    judge = tmp_path / "judge.py"
    judge.write_text(
        "from agent.offline import language as lang\nimport agent.offline.policy\nfrom agent.session import X\n"
    )
    assert [w.split(" imports ")[1] for w in wrong_imports("evals", [judge])] == [
        "agent.offline (the harness shares no code with what it judges)",
        "agent.offline.policy (the harness shares no code with what it judges)",
    ]
