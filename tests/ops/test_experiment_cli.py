"""`trova experiment` and `trova serve --experiment`: list, check, report, stop, promote, and the errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import agent.prompts
from agent.prompts import Prompt, load_labels, set_label
from cli.main import app
from ops.experiments import ExperimentStore, LiveExperiment, load_experiment
from ops.store import OpsStore
from tests.ops.test_experiments import served

runner = CliRunner()
FILE = """\
description: a warmer prompt
control: A
arms:
  A: {variant: "offline"}
  B: {variant: "offline,prompt=listing_agent@candidate,offline_price_position=0.25"}
"""


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An experiments folder, and a copy of the prompts with a `candidate` version (outside git)."""
    prompts = tmp_path / "prompts"
    shutil.copytree(agent.prompts.PROMPT_DIR, prompts)
    monkeypatch.setattr(agent.prompts, "PROMPT_DIR", prompts)
    current = agent.prompts.load_prompt()
    set_label(Prompt(current.name, current.text + "\nBe warm.\n"), "candidate")
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "warmer.yaml").write_text(FILE, encoding="utf-8")
    monkeypatch.setenv("TROVA_EXPERIMENTS_DIR", str(folder))
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, " ".join(result.output.split())


def test_check_list_report_stop(setup: Path, trova_home: Path) -> None:
    code, out = cli("experiment", "check", "warmer")
    assert code == 0, out
    assert "A (control): 50% of sellers" in out and "offline_price_position=0.25" in out
    code, out = cli("experiment", "list")
    assert code == 0 and "│ warmer │ not started │" in out
    code, out = cli("experiment", "report", "warmer")
    assert code == 0 and "has not been served yet" in out
    code, out = cli("experiment", "report", "warmer", "--json")
    assert [a["state"] for a in json.loads(out)["arms"]] == ["control", "not started"]
    code, out = cli("experiment", "stop", "warmer")
    assert code == 2 and "was never served" in out

    store = OpsStore(trova_home / "trova.db")
    experiment = load_experiment("warmer")
    LiveExperiment(experiment, {a: served(a) for a in experiment.arms}, store)
    code, out = cli("experiment", "stop", "warmer", "--reason", "wrong audience")
    assert code == 0 and "new conversations get A" in out
    assert ExperimentStore(store).state("warmer").status == "stopped"
    code, out = cli("experiment", "list")
    assert "│ warmer │ stopped │" in out
    code, out = cli("experiment", "stop", "warmer")
    assert code == 2 and "already ended" in out


def test_promote_moves_the_production_label_and_ends_the_experiment(setup: Path, trova_home: Path) -> None:
    candidate = load_labels()["listing_agent"]["candidate"]
    production = load_labels()["listing_agent"]["production"]
    assert production != candidate
    # Never served (a typo, another data directory): no result to act on, and the label stays, as stop says.
    code, out = cli("experiment", "promote", "warmer", "B")
    assert code == 2 and "experiment warmer was never served" in out, out
    assert load_labels()["listing_agent"]["production"] == production
    experiment = load_experiment("warmer")
    LiveExperiment(experiment, {a: served(a) for a in experiment.arms}, OpsStore(trova_home / "trova.db"))
    # Served, but no conversations yet: the report cannot back a promotion, so it takes --force.
    code, out = cli("experiment", "promote", "warmer", "B")
    # A gate that does not hold is exit 1 (2 is a bad command or setting), as `eval run` and `monitor check`.
    assert code == 1 and "cannot back this yet" in out and "--force" in out, out
    # An arm no seller has been given yet is named as such, not as "0 conversations".
    assert "B has served no conversation yet (the control 0)" in out, out
    assert "refused:" in out and "configuration error" not in out
    assert load_labels()["listing_agent"]["production"] == production
    code, out = cli("experiment", "promote", "warmer", "B", "--force")
    assert code == 0, out
    assert f"production → listing_agent@{candidate}" in out and "Experiment warmer ended" in out
    assert "model offline; offline_price_position=0.25" in out  # what a prompt label cannot carry
    # ... and the command that serves it, which exists (`trova serve --variant`; its prompt: the label)
    assert "serve them with: trova serve --variant 'offline,offline_price_position=0.25'" in out
    assert load_labels()["listing_agent"]["production"] == candidate
    labels = yaml.safe_load((agent.prompts.PROMPT_DIR / "labels.yaml").read_text())
    assert labels["listing_agent"]["production"] == candidate
    state = ExperimentStore(OpsStore(trova_home / "trova.db")).state("warmer")
    assert (state.status, state.promoted) == ("promoted", "B")
    code, out = cli("experiment", "promote", "warmer", "C")
    assert code == 2 and "no arm 'C'" in out


def test_promoting_an_arm_that_only_changes_settings_moves_no_label(setup: Path, trova_home: Path) -> None:
    # Both arms serve the production prompt: the label stays where it was, and the CLI says there is
    # nothing to commit (not "commit labels.yaml" for an unchanged file), and how to serve the settings.
    (setup / "position.yaml").write_text(
        'control: A\narms:\n  A: {variant: "offline"}\n  B: {variant: "offline,offline_price_position=0.25"}\n',
        encoding="utf-8",
    )
    labels_before = (agent.prompts.PROMPT_DIR / "labels.yaml").read_text()
    experiment = load_experiment("position")
    LiveExperiment(experiment, {a: served(a) for a in experiment.arms}, OpsStore(trova_home / "trova.db"))
    code, out = cli("experiment", "promote", "position", "B", "--force")
    assert code == 0, out
    assert "production already is listing_agent@" in out and "nothing to commit" in out
    assert "commit it" not in out
    assert "trova serve --variant 'offline,offline_price_position=0.25'" in out
    assert (agent.prompts.PROMPT_DIR / "labels.yaml").read_text() == labels_before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["experiment", "report", "nope"], "no experiment file"),
        (["experiment", "check", "../x"], "not an experiment name"),
        (["serve", "--experiment", "nope"], "no experiment file"),
    ],
)
def test_mistakes_are_errors_before_anything_runs(setup: Path, args: list[str], message: str) -> None:
    code, out = cli(*args)
    assert code == 2 and message in out


def test_serve_refuses_an_arm_whose_prompt_does_not_exist(setup: Path) -> None:
    (setup / "typo.yaml").write_text(FILE.replace("@candidate", "@nosuchlabel"), encoding="utf-8")
    code, out = cli("serve", "--experiment", "typo")
    assert code == 2 and "nosuchlabel" in out


def test_list_calls_a_file_that_cannot_be_served_invalid(setup: Path, trova_home: Path) -> None:
    (setup / "typo.yaml").write_text(FILE.replace("control: A", "control: C"), encoding="utf-8")
    code, out = cli("experiment", "list")
    assert code == 0 and "│ typo │ invalid (trova experiment check typo) │" in out, out
    assert "│ warmer │ not started │" in out and "1 experiment file(s) cannot be served" in out


def test_a_file_that_is_not_yaml_names_its_line(setup: Path) -> None:
    (setup / "broken.yaml").write_text("control: A\narms: [\n", encoding="utf-8")
    code, out = cli("experiment", "check", "broken")
    assert code == 2 and "broken.yaml:3: not valid YAML: expected the node content" in out, out
    assert "<unicode string>" not in out


def test_the_projects_experiments_are_found_from_any_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As scenarios/ and the prompts are: `trova experiment check NAME` in another directory finds the
    project's experiments/NAME.yaml (it said there was none)."""
    monkeypatch.delenv("TROVA_EXPERIMENTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    shipped = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "experiments").glob("*.yaml"))
    assert shipped, "the project ships an example experiment"
    code, out = cli("experiment", "list")
    assert code == 0 and all(name in out for name in shipped), out
    code, out = cli("experiment", "check", shipped[0])
    assert code == 0, out


def test_promoting_the_control_with_too_few_conversations_is_refused_unless_forced(
    setup: Path, trova_home: Path
) -> None:
    """Keeping the control is a decision from the report as much as moving to another arm: with too few
    conversations to tell the arms apart, it is refused like any promotion, and --force takes it."""
    production = load_labels()["listing_agent"]["production"]
    experiment = load_experiment("warmer")
    LiveExperiment(experiment, {a: served(a) for a in experiment.arms}, OpsStore(trova_home / "trova.db"))
    code, out = cli("experiment", "promote", "warmer", "A")
    assert code == 1 and "cannot back promoting the control yet" in out and "--force" in out, out
    assert "B has served no conversation yet (the control A 0)" in out, out
    state = ExperimentStore(OpsStore(trova_home / "trova.db")).state("warmer")
    assert state.status == "running"  # not ended by the refused promotion
    code, out = cli("experiment", "promote", "warmer", "A", "--force")
    assert code == 0 and "Promoted A" in out, out
    assert load_labels()["listing_agent"]["production"] == production
