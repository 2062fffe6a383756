"""`trova eval run` and `trova eval compare` as CI runs them: reports, exit codes, regressions."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from cli.main import app
from evals.results import CheckOutcome, load_results
from tests.evals.test_broken_agents import REFUSE_GUN, SELL_BIKE

runner = CliRunner()
DATA = Path(__file__).parent / "data"


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    (folder / "refuse-gun.yaml").write_text(REFUSE_GUN, encoding="utf-8")
    (folder / "spanish.yaml").write_text(
        "id: spanish-bike\ndescription: A Spanish-speaking seller.\ntags: [bikes, offline-limitation]\n"
        "seller: {item: bicicleta de carretera, condition: buena}\nturns: ['Quiero vender mi bicicleta de carretera']\n"
        "expect:\n  listing: {created: 1}\n",
        encoding="utf-8",
    )
    return folder


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", "run", "--no-progress", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_run_compare_and_baseline(scenario_dir: Path, tmp_path: Path) -> None:
    good, ablated = tmp_path / "good", tmp_path / "ablated"
    code, out = run(str(scenario_dir), "--out", str(good), "--repeat", "2")
    assert code == 0, out
    assert "Gate passed" in out and "xfail" in out  # the offline-limitation scenario: reported, not gated
    for name in ("results.json", "junit.xml", "summary.md", "report.html"):
        assert (good / name).is_file()
    results = json.loads((good / "results.json").read_text())
    assert (
        results["metrics"]["pass_rate"] == 1.0
        and results["metrics"]["pass_k"] == 1.0
        and results["metrics"]["k"] == 2
    )
    assert results["prompt"]["version"] and results["tool_schema_hash"] and results["scenario_set_hash"]
    # The tools' version is one definition: the one the run's variant (and the served agent) carries.
    assert results["tool_schema_hash"] == results["variant"]["toolset"]
    assert {s["status"] for s in results["scenarios"]} == {"pass", "xfail"}
    assert all(len(s["runs"]) == 2 for s in results["scenarios"])

    code, out = run(str(scenario_dir), "--out", str(ablated), "--without-tool", "compare_prices")
    assert code == 1
    assert "expected call 2, compare_prices, was never made" in out
    # Printed once, on the run's ✗ line; the table names the failed check (it repeated the reason).
    assert out.count("compare_prices, was never made") == 1, out
    assert re.search(r"sell-bike\s+│\s+fail\s+│\s+0/1\s+│\s+0%\s+│\s+budget, listing, tools\s+│", out), out
    assert "Gate failed" in out

    compared = runner.invoke(app, ["eval", "compare", str(good), str(ablated)], env={"COLUMNS": "200"})
    assert compared.exit_code == 0
    assert re.search(
        r"sell-bike\s+│\s+regressed\s+│\s+100% \(34%–100%\)\s+│\s+0% \(0%–79%\)", compared.output
    ), compared.output
    assert "tool schemas" in compared.output and "1 regression(s)" in compared.output
    # a latency delta in its unit: ms under a second, s above (a busy machine makes the runs slow)
    assert "latency p50" in compared.output and re.search(r"[+-](\d+ ms|\d+\.\d\d s)", compared.output)
    same = runner.invoke(app, ["eval", "compare", str(good), str(good)], env={"COLUMNS": "80"})
    assert "Scenarios that changed" not in same.output and "sell-bike" not in same.output
    assert re.search(r"\d+ scenario\(s\) unchanged \(--all lists them\)", same.output), same.output
    listed = runner.invoke(app, ["eval", "compare", str(good), str(good), "--all"], env={"COLUMNS": "80"})
    assert re.search(r"sell-bike\s+│\s+unchanged", listed.output), listed.output
    strict = runner.invoke(app, ["eval", "compare", str(good), str(ablated), "--fail-on-regression"])
    assert strict.exit_code == 1
    (tmp_path / "junk.json").write_text("{not json")
    junk = runner.invoke(app, ["eval", "compare", str(good), str(tmp_path / "junk.json")])
    assert junk.exit_code == 2 and "junk.json is not a results document" in junk.output
    diff = json.loads(runner.invoke(app, ["eval", "compare", str(good), str(ablated), "--json"]).output)
    assert diff["scenarios"][0]["id"] == "sell-bike" and diff["scenarios"][0]["change"] == "regressed"

    # Against a baseline, a regression fails the gate even when the pass-rate floor is lowered.
    code, out = run(
        str(scenario_dir),
        "--out",
        str(tmp_path / "again"),
        "--without-tool",
        "compare_prices",
        "--min-pass-rate",
        "0",
        "--baseline",
        str(good),
    )
    assert code == 1 and "regressed against the baseline: sell-bike (100% → 0%)" in out


def test_reports_are_well_formed(scenario_dir: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "run"
    code, _ = run(
        str(scenario_dir), "--out", str(out_dir), "--without-tool", "compare_prices", "--min-pass-rate", "0"
    )
    assert code == 0
    suite = ET.parse(out_dir / "junit.xml").getroot()
    assert suite.tag == "testsuite" and suite.get("tests") == "3" and suite.get("failures") == "1"
    failing = suite.find("testcase[@name='sell-bike']/failure")
    assert failing is not None and "compare_prices" in (failing.text or "")
    assert suite.find("testcase[@name='spanish-bike']/skipped") is not None
    html = (out_dir / "report.html").read_text()
    assert "<script" not in html and not re.search(
        r"(src|href)=[\"']?https?:", html
    )  # works offline, file://
    assert "I want to sell my Trek road bike" in html and "step 1: search_categories" in html
    assert "Ablation: the agent ran without compare_prices" in html  # nobody mistakes it for a regression
    assert '<a href="#sell-bike">sell-bike</a>' in html and "<th>expected failures</th>" in html
    summary = (out_dir / "summary.md").read_text()
    assert summary.startswith("## Trova scenario eval: passed") and "| `sell-bike` | ❌ fail |" in summary
    assert "Ablation: the agent ran without compare_prices" in summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "gpt-4o"], "needs a provider prefix"),
        (["--filter", "nothing-like-this"], "no scenario matches"),
        (["--without-tool", "teleport"], "unknown tool teleport"),
        (["--baseline", "/nonexistent"], "no eval results at /nonexistent"),
        (["--pass-k", "3"], "--pass-k 3 needs at least 3 runs per scenario"),
        (
            ["--model", "openai-chat:x", "--base-url", "http://127.0.0.1:9/v1"],
            "nothing answers at --base-url",
        ),
    ],
)
def test_configuration_errors_exit_2(
    scenario_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out = run(str(scenario_dir), "--out", str(tmp_path / "x"), *args)
    assert code == 2 and message in out
    assert not (tmp_path / "x").exists()


def test_worker_processes_share_the_runs(scenario_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "parallel"
    code, output = run(str(scenario_dir), "--out", str(out), "--repeat", "3", "--workers", "2")
    assert code == 0, output
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["workers"] == 2
    for scenario in results["scenarios"]:
        assert [r["index"] for r in scenario["runs"]] == [1, 2, 3]  # each run once, none lost or doubled
        conversations = {r["record"]["conversation_id"] for r in scenario["runs"]}
        assert len(conversations) == 3
    assert results["metrics"]["runs"] == 9 and results["metrics"]["pass_rate"] == 1.0


def test_reports_are_never_lost_to_an_unwritable_folder(scenario_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, out = run(str(scenario_dir), "--out", str(blocker))
    assert code == 2 and "is a file" in out  # caught before anything runs
    code, out = run(str(scenario_dir), "--filter", "sell-bike", "--out", str(blocker / "inside"))
    assert "cannot write to" in out and code == 0, out
    fallback = Path(out.split("writing to ")[1].split()[0])
    assert (fallback / "results.json").is_file() and (fallback / "junit.xml").is_file()
    shutil.rmtree(fallback)


def test_spawned_workers_keep_to_the_chosen_scenarios(
    scenario_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where fork is unavailable (Windows, macOS defaults) workers parse the files again: --filter must hold.
    monkeypatch.setattr("evals.parallel.START_METHOD", "spawn")
    out = tmp_path / "spawned"
    code, output = run(str(scenario_dir), "--out", str(out), "--filter", "sell-bike", "--workers", "2")
    assert code == 0, output
    results = json.loads((out / "results.json").read_text())
    assert [s["id"] for s in results["scenarios"]] == ["sell-bike"] and results["metrics"]["runs"] == 1


def test_filters_take_part_of_an_id_or_a_glob(scenario_dir: Path, tmp_path: Path) -> None:
    code, _ = run(str(scenario_dir), "--out", str(tmp_path / "a"), "-k", "bike")
    ids = {s["id"] for s in json.loads((tmp_path / "a" / "results.json").read_text())["scenarios"]}
    assert code == 0 and ids == {"sell-bike", "spanish-bike"}
    code, _ = run(str(scenario_dir), "--out", str(tmp_path / "b"), "-k", "sell-*")
    ids = {s["id"] for s in json.loads((tmp_path / "b" / "results.json").read_text())["scenarios"]}
    assert code == 0 and ids == {"sell-bike"}
    code, out = run(str(scenario_dir), "--out", str(tmp_path / "c"), "-k", "bik*")  # a glob is whole-id
    assert code == 2 and "no scenario matches" in out


def test_selecting_only_expected_failures_is_not_a_passed_gate(scenario_dir: Path, tmp_path: Path) -> None:
    code, out = run(str(scenario_dir), "--out", str(tmp_path / "x"), "--tag", "offline-limitation")
    assert code == 1 and "no scenario was gated" in out


def test_junit_names_files_as_the_repository_does_and_links_the_failing_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from evals.reports.junit import render_junit

    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path)
    results = load_results(DATA / "results-v1.json")
    scenario = results.scenarios[0]
    good = scenario.runs[0]
    bad = good.model_copy(
        update={
            "index": 2,
            "passed": False,
            "trace_id": "b" * 32,
            "checks": [CheckOutcome(name="tools", passed=False, reason="compare_prices never made")],
        }
    )
    scenario = scenario.model_copy(
        update={
            "file": str(tmp_path / "scenarios" / "sell-bike.yaml"),
            "status": "flaky",
            "passes": 1,
            "runs_count": 2,
            "runs": [good.model_copy(update={"trace_id": "a" * 32}), bad],
        }
    )
    case = ET.fromstring(
        render_junit(results.model_copy(update={"scenarios": [scenario]})).split("?>", 1)[1]
    ).find("testcase")
    assert case is not None and case.get("file") == "scenarios/sell-bike.yaml"
    assert case.findtext("system-out") == f"run 2: trova traces show {'b' * 32}"
    assert case.find("failure") is not None and "compare_prices never made" in (
        case.findtext("failure") or ""
    )


def test_compare_names_the_scenario_files_edited_between_runs(scenario_dir: Path, tmp_path: Path) -> None:
    assert run(str(scenario_dir), "--out", str(tmp_path / "a"))[0] == 0
    bike = scenario_dir / "sell-bike.yaml"
    bike.write_text(bike.read_text().replace("budget: {model_requests: 6}", "budget: {model_requests: 2}"))
    assert run(str(scenario_dir), "--out", str(tmp_path / "b"))[0] == 1
    result = runner.invoke(
        app, ["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b")], env={"COLUMNS": "250"}
    )
    assert "(edited: sell-bike)" in result.output
    diff = json.loads(
        runner.invoke(app, ["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"]).output
    )
    (bike_change,) = [s for s in diff["scenarios"] if s["id"] == "sell-bike"]
    assert bike_change["change"] == "regressed" and bike_change["edited"]
    assert bike_change["reasons"][0] == "the scenario file was edited between the runs"


def test_with_the_trace_store_off_no_command_points_at_a_trace_it_lacks(
    scenario_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "eval",
            "run",
            "--no-progress",
            str(scenario_dir),
            "--out",
            str(tmp_path / "r"),
            "--without-tool",
            "compare_prices",
        ],
        env={"COLUMNS": "400", "TROVA_TRACES": "off"},
    )
    assert result.exit_code == 1
    assert "not in the local store: TROVA_TRACES was off" in result.output
    assert "trova traces show" not in result.output
    assert "trova traces show" not in (tmp_path / "r" / "report.html").read_text()
