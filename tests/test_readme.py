"""What the README shows is what the code does: its scenario examples load through the harness's loader
(and pass), and its command table names every `trova eval` command."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from cli.main import _eval_app, app
from evals.loader import load_scenarios

README = Path(__file__).resolve().parent.parent / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def scenario_examples() -> list[str]:
    """The YAML blocks of the README's scenario section that are whole scenarios (not fragments)."""
    blocks = re.findall(r"```yaml\n(.*?)```", _section("Scenario evals"), re.S)
    return [b for b in blocks if isinstance(data := yaml.safe_load(b), dict) and "id" in data]


def _written(tmp_path: Path) -> list[Path]:
    paths = []
    for block in scenario_examples():
        path = tmp_path / f"{yaml.safe_load(block)['id']}.yaml"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    return paths


def test_the_readmes_scenario_examples_load_through_the_loader(tmp_path: Path) -> None:
    examples = scenario_examples()
    scripted = [b for b in examples if yaml.safe_load(b).get("turns")]
    simulated = [b for b in examples if not yaml.safe_load(b).get("turns")]
    assert scripted and simulated, "the README shows scripted turns and the simulated seller"
    loaded = load_scenarios(_written(tmp_path))
    assert [len(s.scenario.turns) for s in loaded] == [
        len(yaml.safe_load(b).get("turns") or []) for b in examples
    ]
    assert all(isinstance(turn, str) for s in loaded for turn in s.scenario.turns)


def test_the_readmes_scenario_examples_pass_with_the_offline_model(tmp_path: Path) -> None:
    paths = _written(tmp_path)
    assert paths  # with none, `eval run` would run the whole shipped set instead
    result = CliRunner().invoke(
        app, ["eval", "run", *map(str, paths), "--no-progress", "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 0 and "Gate passed." in result.output, result.output


def test_the_command_table_names_every_eval_command() -> None:
    table = _section("Commands")
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in _eval_app().registered_commands]
    assert "validate" in names
    for name in names:
        assert f"`trova eval {name}" in table, name
    assert "trova eval validate" in _section("Scenario evals")
