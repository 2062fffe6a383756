"""An eval run's results, typed end to end: results.json round-trips through the model with its schema
version, an older file is migrated, a newer one refused; the evaluators (one per check kind) judge a
stored run record again, and pydantic-evals' own report names each check kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_evals.evaluators import EvaluatorContext
from pydantic_evals.online import run_evaluators
from pydantic_evals.otel._errors import SpanTreeRecordingError

from agent.models import resolve_model
from agent.prompts import load_prompt
from evals.checks import CHECKS
from evals.compare import compare_runs
from evals.driver import RunRecord
from evals.evaluators import CHECK_KINDS, evaluation_report, online_evaluators, scenario_evaluators
from evals.invariants import INVARIANTS
from evals.isolation import MarketplaceFactory
from evals.loader import load_scenarios
from evals.reports import write_run
from evals.reports.html import render_html
from evals.reports.junit import render_junit
from evals.reports.markdown import render_markdown
from evals.results import SCHEMA_VERSION, EvalResults, ResultsError, load_results
from evals.runner import EvalSettings, run_eval
from evals.schema import Scenario
from tests.evals.test_broken_agents import REFUSE_GUN, SELL_BIKE

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> MarketplaceFactory:
    return MarketplaceFactory(tmp_path_factory.mktemp("eval-cache"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenarios")
    (path / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    (path / "refuse-gun.yaml").write_text(REFUSE_GUN, encoding="utf-8")
    return path


async def run(folder: Path, factory: MarketplaceFactory, **settings: object) -> EvalResults:
    return await run_eval(
        load_scenarios([folder]),
        resolve_model("offline"),
        load_prompt(),
        EvalSettings(progress=False, **settings),  # type: ignore[arg-type]
        factory=factory,
    )


async def test_results_json_round_trips_with_its_schema_version(
    folder: Path, factory: MarketplaceFactory, tmp_path: Path
) -> None:
    results = await run(folder, factory, repeat=2)
    written = write_run(results, tmp_path / "run")
    data = json.loads(written["results"].read_text())
    assert data["format"] == "trova-eval-results" and data["schema_version"] == SCHEMA_VERSION == 4
    again = load_results(tmp_path / "run")
    assert again == results  # every field, the run records included
    bike = next(s for s in again.scenarios if s.id == "sell-bike")
    (run1, run2) = bike.runs
    assert run2.index == 2 and run2.record.conversation_id != run1.record.conversation_id
    assert isinstance(run1.record, RunRecord) and run1.trace_id == run1.record.trace_id
    assert [c.tool for c in run1.record.calls] == ["search_categories", "compare_prices", "create_listing"]
    assert run1.metrics.tool_recall == 1.0 and run1.metrics.model_requests > 0
    # The scenario's own checks, and the expectation-free ones every conversation is held to.
    assert {c.name for c in run1.checks} == {
        "completed",
        "tools",
        "approval",
        "side_effects",
        "listing",
        "claims",  # the reply says the listing is live, and it is
        "budget",
        "category_from_lookup",
        "price_in_range",
    }


def test_a_version_1_file_is_migrated_and_every_report_reads_it(tmp_path: Path) -> None:
    old = json.loads((DATA / "results-v1.json").read_text())
    assert old["format"] == "trova-eval-results/1" and "schema_version" not in old
    results = load_results(DATA / "results-v1.json")
    (bike, gun) = results.scenarios
    (run,) = bike.runs
    assert run.trace_id == old["scenarios"][0]["runs"][0]["record"]["trace_id"]
    assert run.record.call_ids == [c["call_id"] for c in old["scenarios"][0]["runs"][0]["record"]["calls"]]
    assert run.record.calls[0].tool == "search_categories" and gun.status == "pass"
    assert "bike-trek-road-good" in render_html(results) and "bike-trek-road-good" in render_markdown(results)
    assert 'tests="2"' in render_junit(results)
    assert compare_runs(results, results).regressions == 0
    # Written again, it is a current file.
    results.write(tmp_path / "results.json")
    assert json.loads((tmp_path / "results.json").read_text())["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"schema_version": 5},
            "has results schema version 5; this trova reads version 4 (the file is newer: update trova to read it)",
        ),
        ({"format": "something-else"}, "is not a results document (format 'something-else'"),
        (
            {"scenarios": [{"id": "x"}]},
            "is not a valid schema-version-4 results document: scenarios.0.description: Field required",
        ),
    ],
)
def test_a_file_this_version_cannot_read_is_refused_clearly(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    data = json.loads(load_results(DATA / "results-v1.json").to_json())
    path = tmp_path / "results.json"
    path.write_text(json.dumps({**data, **change}))
    with pytest.raises(ResultsError) as info:
        load_results(path)
    assert message in str(info.value)


def test_every_check_kind_has_its_own_evaluator() -> None:
    assert set(CHECK_KINDS) == {fn.__name__.lstrip("_") for fn in CHECKS}
    names = [e.get_default_evaluation_name() for e in scenario_evaluators()]
    # The expectation-free checks (live conversations' too) after the scenario's, each once.
    extra = [k for k in INVARIANTS if k not in CHECK_KINDS]
    assert names == ["completed", *CHECK_KINDS, *extra] and len(set(names)) == len(names)
    assert extra and "approval" in CHECK_KINDS and "approval" in INVARIANTS
    assert [e.get_default_evaluation_name() for e in online_evaluators()] == list(INVARIANTS)


async def test_the_evaluators_judge_a_stored_run_record_alone(
    folder: Path, factory: MarketplaceFactory, tmp_path: Path
) -> None:
    """What online evaluation needs: the scenario and the run record, nothing of the runner."""
    results = await run(folder, factory, without_tools=frozenset({"compare_prices"}), min_pass_rate=0)
    write_run(results, tmp_path / "run")
    stored = load_results(tmp_path / "run")
    scenarios = {s.id: s.scenario for s in load_scenarios([folder])}
    for scenario, repeat in stored.runs():
        context = EvaluatorContext[Scenario, RunRecord, object](
            name=scenario.id,
            inputs=scenarios[scenario.id],
            metadata=None,
            expected_output=None,
            output=repeat.record,
            duration=repeat.metrics.duration_s,
            _span_tree=SpanTreeRecordingError("not recorded"),
            attributes={},
            metrics={},
        )
        verdicts, failures = await run_evaluators(scenario_evaluators(), context)
        assert not failures
        again = {v.name: (v.value, v.reason or "") for v in verdicts}
        assert again == {c.name: (c.passed, c.reason) for c in repeat.checks}
    bike = next(s for s in stored.scenarios if s.id == "sell-bike")
    assert not bike.runs[0].passed  # the ablation failed it, and the stored record says so again


async def test_pydantic_evals_own_report_names_each_check_kind(
    folder: Path, factory: MarketplaceFactory
) -> None:
    good = await run(folder, factory)
    bad = await run(folder, factory, without_tools=frozenset({"compare_prices"}), min_pass_rate=0)
    report = evaluation_report(bad)
    bike = next(c for c in report.cases if c.name == "sell-bike")
    assert list(bike.assertions) == ["completed", "tools", "approval", "listing", "budget"]
    assert not bike.assertions["tools"].value and bike.metrics["tool_recall"] < 1
    shown = report.render(include_reasons=True, width=300)
    for kind in ("completed", "tools", "approval", "listing", "budget", "never", "replies"):
        assert f"{kind}:" in shown, kind
    assert "expected call 2, compare_prices, was never made" in shown
    diff = report.render(baseline=evaluation_report(good), width=300)
    assert "sell-bike" in diff and "→" in diff  # the changed verdicts and numbers, case by case


def test_a_version_3_file_is_read_with_no_ending_and_no_configuration_error(tmp_path: Path) -> None:
    data = json.loads(load_results(DATA / "results-v1.json").to_json())
    data["schema_version"] = 3
    for scenario in data["scenarios"]:
        for run in scenario["runs"]:
            del run["record"]["ended"]
    del data["gate"]["configuration_error"]
    (tmp_path / "results.json").write_text(json.dumps(data))
    migrated = load_results(tmp_path)
    assert migrated.schema_version == SCHEMA_VERSION and migrated.gate.configuration_error is None
    assert all(run.record.ended is None for _, run in migrated.runs())


def test_a_variants_folder_given_for_one_run_names_its_runs(tmp_path: Path) -> None:
    """`eval run --variant A=... --variant B=...` writes a comparison with each variant's run beside it:
    `eval compare` or `--baseline` given the comparison's folder say which runs are in it."""
    ab = tmp_path / "ab"
    for variant in ("A", "B"):
        (ab / variant).mkdir(parents=True)
        (ab / variant / "results.json").write_text("{}", encoding="utf-8")
    (ab / "comparison.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileNotFoundError) as raised:
        load_results(ab)
    assert (
        f"{ab} holds a comparison of variants, not one run: give a variant's run ({ab / 'A'}, {ab / 'B'})"
        in str(raised.value)
    )
