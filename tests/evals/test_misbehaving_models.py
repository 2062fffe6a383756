"""Misbehaving pydantic-ai models run through `trova eval run --model module:attribute`: each is flagged by
its own check for its own reason, the correct one passes; and a bad import path is a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).with_name("scenarios")
MODULE = "tests.evals.misbehaving"


def failed_checks(out: Path) -> dict[str, str]:
    results = json.loads((out / "results.json").read_text())
    (scenario,) = results["scenarios"]
    (run,) = scenario["runs"]
    return {c["name"]: c["reason"] for c in run["checks"] if not c["passed"]}


def eval_run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", "run", "--no-progress", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.output


# (model, the checks that fail, the check that names the mistake, its reason). The expectation-free checks
# (evals/invariants.py, the ones live conversations get) catch a guessed category or price as well.
CASES = [
    ("correct", set(), None, None),
    (
        "skips_price_comparison",
        {"tools", "listing", "price_in_range"},
        "tools",
        "expected call 2, compare_prices, was never made after the previous expected call "
        "(step 2 was create_listing)",
    ),
    (
        "creates_before_lookup",
        {"tools", "listing", "category_from_lookup", "price_in_range"},
        "tools",
        "step 1: create_listing was called but argument category_id (from 'search_categories'): 1026 should "
        "come from a search_categories result, but search_categories had not returned anything before",
    ),
    (
        "foreign_category",
        {"tools", "never", "listing", "category_from_lookup"},
        "never",
        "create_listing(category_id=460) at step 3 (turn 2) is a call this scenario forbids (category_id "
        "category_path regex '^(?!Sporting Goods > Outdoor Recreation > Cycling >)')",
    ),
    (
        "creates_twice",
        {"side_effects"},
        "side_effects",
        "create_listing succeeded 2 times with the same arguments (steps 3, 4); a side effect is allowed 1 "
        "time(s) per draft",
    ),
    (
        "price_outside_comparables",
        {"tools", "listing", "price_in_range"},
        "tools",
        "step 3: create_listing was called but argument price (from 'compare_prices'): 9,999 is outside the "
        "range compare_prices returned",
    ),
    (
        "loops_on_search",
        {"tools", "listing", "budget"},
        "budget",
        "search_categories called 8 times, over the budget of 2",
    ),
    (
        "creates_without_asking",
        {"tools"},
        "tools",
        "step 3: create_listing was called but turn (>= 2): 1 is not >= 2",
    ),
]


@pytest.mark.parametrize(("model", "failing", "check", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_misbehaving_model_is_flagged_for_its_own_reason(
    tmp_path: Path, model: str, failing: set[str], check: str | None, reason: str | None
) -> None:
    out = tmp_path / "run"
    code, output = eval_run(str(SCENARIOS), "--model", f"{MODULE}:{model}", "--out", str(out))
    failed = failed_checks(out)
    assert set(failed) == failing, failed
    assert code == (0 if not failing else 1), output
    if check is not None:
        assert reason is not None and reason in failed[check], failed[check]
        assert "✗ bike-asks-condition run 1: " in output


def test_a_foreign_category_is_named_by_its_path(tmp_path: Path) -> None:
    out = tmp_path / "run"
    eval_run(str(SCENARIOS), "--model", f"{MODULE}:foreign_category", "--out", str(out))
    failed = failed_checks(out)
    assert "460 is not among the matches.id of any earlier search_categories result" in failed["tools"]
    assert (
        "listing #" in failed["listing"]
        and "'Furniture > Sofas' does not contain 'Bicycles'" in failed["listing"]
    )


def test_a_model_object_works_as_well_as_a_factory(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, output = eval_run(str(SCENARIOS), "--model", f"{MODULE}:correct_model", "--out", str(out))
    assert code == 0, output
    results = json.loads((out / "results.json").read_text())
    assert results["model"] == f"{MODULE}:correct_model"
    assert f"Model: {MODULE}:correct_model, a FunctionModel (from --model)." in output


def test_a_real_subprocess_with_worker_processes_imports_the_model(tmp_path: Path) -> None:
    out = tmp_path / "run"
    trova = Path(sys.executable).with_name("trova")
    env = {**os.environ, "TROVA_HOME": str(tmp_path / "home"), "COLUMNS": "300"}
    done = subprocess.run(
        [
            str(trova),
            "eval",
            "run",
            str(SCENARIOS),
            "--no-progress",
            "--model",
            f"{MODULE}:creates_twice",
            "--repeat",
            "2",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    results = json.loads((out / "results.json").read_text())
    runs = results["scenarios"][0]["runs"]
    assert len(runs) == 2
    for run in runs:
        failed = {c["name"]: c["reason"] for c in run["checks"] if not c["passed"]}
        assert set(failed) == {"side_effects"}, failed
    assert "create_listing succeeded 2 times with the same arguments" in done.stdout


TEAM_MODEL = '''
from pydantic_ai.models.wrapper import WrapperModel

from tests.evals.misbehaving import creates_without_asking


class TeamModel(WrapperModel):
    """A team's own wrapper around a model (here, one that drafts before asking the condition)."""


def build():
    return TeamModel(creates_without_asking())
'''


def test_a_wrapped_model_in_a_temporary_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = f"team_model_{os.getpid()}"
    (tmp_path / f"{module}.py").write_text(TEAM_MODEL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a module in the current folder can be named, as with python -m
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    out = tmp_path / "run"
    code, output = eval_run(str(SCENARIOS), "--model", f"{module}:build", "--out", str(out))
    assert code == 1, output
    assert "Model: " + module + ":build, a TeamModel" in output
    assert "create_listing was called but turn (>= 2): 1 is not >= 2" in failed_checks(out)["tools"]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("tests.evals.no_such_module:model", "no module named 'tests.evals.no_such_module'"),
        (f"{MODULE}:nothing_here", f"{MODULE} has no attribute 'nothing_here'"),
        (f"{MODULE}:not_a_model", "is a int, not a pydantic-ai Model or a function returning one"),
        (f"{MODULE}:needs_an_argument", "could not be called without arguments"),
        (f"{MODULE}:returns_a_string", "returned a str, not a pydantic-ai Model"),
    ],
)
def test_a_bad_import_path_is_a_configuration_error(tmp_path: Path, model: str, message: str) -> None:
    code, output = eval_run(str(SCENARIOS), "--model", model, "--out", str(tmp_path / "x"))
    assert code == 2 and message in " ".join(output.split()), output
    assert not (tmp_path / "x").exists()


def test_a_module_that_raises_on_import_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = f"broken_model_{os.getpid()}"
    (tmp_path / f"{module}.py").write_text("raise RuntimeError('no key configured')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = eval_run(str(SCENARIOS), "--model", f"{module}.sub:model", "--out", str(tmp_path / "x"))
    assert code == 2 and f"importing {module}.sub" in output.replace("\n", " ")
    code, output = eval_run(str(SCENARIOS), "--model", f"{module}:model", "--out", str(tmp_path / "x"))
    assert code == 2 and "raised RuntimeError: no key configured" in " ".join(output.split()), output


# The offline model made to commit one mistake (tests/evals/misbehaving.py: OneMistake), each against the
# scenario of the shipped set it must fail, and by the check that names it. The offline model itself passes
# them all (the scenario set's own run).
SHIPPED = ROOT / "scenarios"
OFFLINE_CASES = [
    (
        "offline_reuses_call_id",
        "bike-trek-road-good",
        "side_effects",
        "create_listing succeeded 2 times with the same arguments (steps 3, 4)",
    ),
    (
        "creates_without_asking",  # the README's own scenario: the condition is asked, not assumed
        "bike-trek-road-good",
        "tools",
        "step 3: create_listing was called but turn (>= 2): 1 is not >= 2",
    ),
    (
        "offline_pushes_declined_draft",  # the seller said no: the same draft again is nagging
        "chair-aeron-decline",
        "side_effects",
        "create_listing at step 4 (turn 2) puts back, unchanged, the draft the seller turned down in that "
        "turn (step 3)",
    ),
    (
        "offline_claims_success_after_failure",  # the create failed at the marketplace
        "tv-vizio-outage-create",
        "claims",
        "turn 2: the reply says a listing is posted, but none had been created: 'Your listing is live!",
    ),
    (
        "offline_lists_in_euros",  # the comparison's dollars, listed as euros
        "bike-trek-road-good",
        "listing",
        "currency: EUR, but its price comes from compare_prices in USD",
    ),
    (
        "offline_invents_category",  # caught already: pinned so that it stays caught
        "desk-ikea-good-upfront",
        "tools",
        "argument category_id (from 'search_categories'): 460 is not among the matches.id of any earlier "
        "search_categories result",
    ),
]


@pytest.mark.parametrize(
    ("model", "scenario", "check", "reason"), OFFLINE_CASES, ids=[f"{c[0]}-{c[1]}" for c in OFFLINE_CASES]
)
def test_a_shipped_scenario_fails_an_agent_with_one_mistake(
    tmp_path: Path, model: str, scenario: str, check: str, reason: str
) -> None:
    out = tmp_path / "run"
    module = f"{MODULE}:{model}"
    code, output = eval_run(str(SHIPPED / f"{scenario}.yaml"), "--model", module, "--out", str(out))
    failed = failed_checks(out)
    assert code == 1 and check in failed, (failed, output)
    assert reason in failed[check], failed[check]
