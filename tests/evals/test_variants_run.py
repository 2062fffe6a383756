"""Variants side by side: interleaved runs, per-scenario intervals, the paired verdict (worse, no detectable
difference, identical for the model), the gate, the reports, and the variant inside each run's results."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from agent.listing_agent import build_agent
from agent.models import ModelChoice
from agent.prompts import Prompt, load_prompt
from cli.main import app
from evals.comparison import VariantsRun
from evals.isolation import MarketplaceFactory
from evals.loader import LoadedScenario, load_scenarios
from evals.results import load_results
from evals.runner import EvalSettings
from evals.variants_run import Arm, ArmRun, compare_arms, run_variants, write_variants
from tests.evals.test_broken_agents import SELL_BIKE, scripted_agent

runner = CliRunner()


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> MarketplaceFactory:
    return MarketplaceFactory(tmp_path_factory.mktemp("eval-cache"))


@pytest.fixture
def bikes(tmp_path: Path) -> list[LoadedScenario]:
    """Eight copies of one scenario: eight pairs for the paired test."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for i in range(1, 9):
        (folder / f"sell-bike-{i}.yaml").write_text(
            SELL_BIKE.replace("id: sell-bike", f"id: sell-bike-{i}"), encoding="utf-8"
        )
    return load_scenarios([folder])


def arm(name: str, behaviour: str, prompt: Prompt | None = None, **settings: float) -> Arm:
    model = scripted_agent(behaviour)
    prompt = prompt or load_prompt()
    return Arm(
        name,
        f"scripted:{behaviour}",
        ModelChoice(model, f"scripted:{behaviour}", ""),
        prompt,
        dict(settings),
        agent=build_agent(model, prompt),
    )


async def side_by_side(
    scenarios: list[LoadedScenario],
    factory: MarketplaceFactory,
    *arms: Arm,
    repeat: int = 1,
    gate: bool = False,
) -> tuple[VariantsRun, list[ArmRun]]:
    settings = EvalSettings(progress=False, concurrency=4, repeat=repeat, run_id="test-variants")
    runs = await run_variants(scenarios, list(arms), settings, factory=factory)
    return compare_arms(runs, scenarios, run_id="test", gate=gate, started_at="now", duration_s=1.0), runs


async def test_a_variant_that_skips_price_comparison_is_detected_as_worse(
    bikes: list[LoadedScenario], factory: MarketplaceFactory, tmp_path: Path
) -> None:
    result, runs = await side_by_side(
        bikes, factory, arm("A", "correct"), arm("B", "skips_price_comparison"), gate=True
    )
    (comparison,) = result.comparisons
    assert comparison.verdict == "worse" and not comparison.identical
    assert (comparison.improved, comparison.worsened, comparison.scenarios) == (0, 8, 8)
    assert comparison.p_value == pytest.approx(2 / 2**8)
    assert comparison.method.startswith("McNemar's exact test")
    assert comparison.mean_difference == -1.0 and comparison.high == -1.0
    assert [f.id for f in comparison.flipped] == [f"sell-bike-{i}" for i in range(1, 9)]
    assert {f.direction for f in comparison.flipped} == {"worse"}
    assert not result.gate.passed and "B is worse than A" in result.gate.reasons[0]
    # Per scenario and variant: the pass rate with its Wilson interval (1 of 1: 21% to 100%).
    cell_a, cell_b = result.scenarios[0].cells["A"], result.scenarios[0].cells["B"]
    assert cell_a.pass_rate is not None and cell_a.pass_rate.value == 1.0
    assert cell_a.pass_rate.low == pytest.approx(0.2065, abs=1e-4) and cell_a.pass_rate.high == 1.0
    assert cell_b.pass_rate is not None and cell_b.pass_rate.value == 0.0
    # Each arm is a whole single run, with its variant inside its results.
    a, b = (r.results for r in runs)
    assert a.variant is not None and a.variant.model == "scripted:correct"
    assert b.variant is not None and b.variant.model == "scripted:skips_price_comparison"
    assert a.run_id == "test-variants-A" and len(a.scenarios) == 8

    written = write_variants(result, runs, tmp_path / "run")
    again = VariantsRun.model_validate_json(written["results"].read_text())
    assert again == result
    assert load_results(tmp_path / "run" / "B").variant == b.variant
    junit = ET.parse(written["junit"]).getroot()
    suites = {s.get("name"): s for s in junit.iter("testsuite")}
    assert set(suites) == {
        "trova-scenarios [A] (scripted:correct)",
        "trova-scenarios [B] (scripted:skips_price_comparison)",
        "trova-variants-comparison",
    }
    (verdict,) = suites["trova-variants-comparison"].iter("testcase")
    assert verdict.get("name") == "B not worse than A" and verdict.find("failure") is not None
    summary = written["summary"].read_text()
    assert "B vs A: worse" in summary and "`sell-bike-3` 100%→0%" in summary
    assert "B vs A: worse" in written["html"].read_text()


async def test_one_flip_is_no_detectable_difference_and_repeats_interleave(
    bikes: list[LoadedScenario], factory: MarketplaceFactory
) -> None:
    mixed = [*bikes[:7], bikes[7]]
    flaky = scripted_agent("skips_price_comparison")
    correct = scripted_agent("correct")

    # B fails one scenario only: a flip, but not evidence of a difference.
    def respond(messages, info):  # type: ignore[no-untyped-def]
        said = str(messages[0].parts[-1].content)
        chosen = flaky if "sell-bike-8" in said else correct
        return chosen.function(messages, info)  # type: ignore[misc]

    from pydantic_ai.models.function import FunctionModel

    for (
        scenario
    ) in mixed:  # the scenario's id in the seller's first message, so the model can tell them apart
        scenario.scenario.turns[0] = (
            f"I want to sell my Trek road bike, it's in good condition ({scenario.id})"  # type: ignore[index]
        )
    model = FunctionModel(respond, model_name="scripted:one-flip")
    b = Arm(
        "B", "one-flip", ModelChoice(model, "scripted:one-flip", ""), load_prompt(), {}, build_agent(model)
    )
    result, runs = await side_by_side(mixed, factory, arm("A", "correct"), b, repeat=2)
    (comparison,) = result.comparisons
    assert comparison.verdict == "no detectable difference"
    assert (comparison.improved, comparison.worsened) == (0, 1)
    assert [f.id for f in comparison.flipped] == ["sell-bike-8"]
    assert comparison.method.startswith("exact sign test")  # repeats: pass rates, not single outcomes
    assert "a change needs about 6 one-way flips to show" in comparison.summary
    assert result.gate.passed and not result.gate.required
    # Both arms ran every scenario twice, and the runs were interleaved: the first run of each scenario
    # under both variants before any second run.
    assert all(s.runs_count == 2 for r in runs for s in r.results.scenarios)
    firsts = [r.results.scenarios[0].runs[0].record.started_at for r in runs]
    seconds = [r.results.scenarios[0].runs[1].record.started_at for r in runs]
    assert max(firsts) <= min(seconds)
    row = next(r for r in result.scenarios if r.id == "sell-bike-8")
    assert row.cells["B"].passes == 0 and row.cells["B"].pass_k is not None
    assert row.cells["B"].pass_k.high == pytest.approx(row.cells["B"].pass_rate.high ** 2)  # type: ignore[union-attr]


async def test_a_variant_that_crashes_fails_the_gate_whatever_the_paired_test_says(
    bikes: list[LoadedScenario], factory: MarketplaceFactory
) -> None:
    """One crashed run is too few for the paired test to call B worse; a crash is no sample of quality."""
    from pydantic_ai.models.function import FunctionModel

    correct = scripted_agent("correct")
    crashes = {"left": 1}

    def respond(messages, info):  # type: ignore[no-untyped-def]
        if crashes["left"]:
            crashes["left"] -= 1
            raise ValueError("offline_price_position must be a number from 0 to 1, not 7.0")
        return correct.function(messages, info)  # type: ignore[misc]

    model = FunctionModel(respond, model_name="scripted:crashes-once")
    b = Arm(
        "B", "crashes", ModelChoice(model, "scripted:crashes-once", ""), load_prompt(), {}, build_agent(model)
    )
    result, _ = await side_by_side(bikes[:2], factory, arm("A", "correct"), b, gate=True)
    (comparison,) = result.comparisons
    assert comparison.verdict == "no detectable difference"
    assert [a.crashed_runs for a in result.arms] == [0, 1]
    assert not result.gate.passed
    assert "B crashed in 1 of 2 runs (A in 0)" in result.gate.reasons


async def test_a_gate_on_too_few_scenarios_fails_and_shows_no_interval(
    bikes: list[LoadedScenario], factory: MarketplaceFactory
) -> None:
    # One scenario, B fails every run of it: no paired test can call that worse, and a bootstrap over one
    # scenario is no interval ("-100 to -100"). The gate must not pass what it cannot judge.
    result, _ = await side_by_side(
        bikes[:1], factory, arm("A", "correct"), arm("B", "skips_price_comparison"), repeat=2, gate=True
    )
    (comparison,) = result.comparisons
    assert comparison.too_few and comparison.worsened == 1
    assert comparison.low is None and comparison.high is None
    assert comparison.summary.startswith("Too few paired scenarios") and "CI" not in comparison.summary
    assert not result.gate.passed
    assert any("1 paired scenario(s) cannot show a difference" in r for r in result.gate.reasons)


async def test_a_prompt_the_model_ignores_is_reported_identical_not_equal(
    bikes: list[LoadedScenario], factory: MarketplaceFactory
) -> None:
    other = Prompt("listing_agent", load_prompt().text + "\nAlways answer in haiku.\n")
    result, _ = await side_by_side(bikes[:3], factory, arm("A", "correct"), arm("B", "correct", prompt=other))
    (comparison,) = result.comparisons
    assert comparison.verdict == "identical" and comparison.identical
    assert comparison.differs == [f"prompt {load_prompt().ref} → {other.ref}"]
    assert "identical for this model" in comparison.summary and "says nothing" in comparison.summary


async def test_variants_with_different_behaviour_are_not_identical(
    bikes: list[LoadedScenario], factory: MarketplaceFactory
) -> None:
    # Both pass, but one prices outside the comparables' range only to fail the check ... while the other
    # creates a listing with another title: different runs are never called identical.
    result, _ = await side_by_side(bikes[:2], factory, arm("A", "correct"), arm("B", "prices_outside_range"))
    (comparison,) = result.comparisons
    assert not comparison.identical and comparison.verdict == "no detectable difference"


def eval_run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", "run", "--no-progress", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_cli_runs_two_variants_of_the_offline_model(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    out = tmp_path / "run"
    code, text = eval_run(
        str(scenarios),
        "--variant",
        "A=offline",
        "--variant",
        "B=offline,temperature=0.3",
        "--gate",
        "--out",
        str(out),
    )
    assert code == 0, text
    assert "B vs A: identical" in text and "temperature=(unset) → 0.3" in text
    assert "Gate passed" in text
    assert {p.name for p in out.iterdir()} == {
        "A",
        "B",
        "comparison.json",
        "junit.xml",
        "summary.md",
        "report.html",
    }
    saved = VariantsRun.model_validate_json((out / "comparison.json").read_text())
    assert [a.spec for a in saved.arms] == ["offline", "offline,temperature=0.3"]
    b = load_results(out / "B")
    assert (
        b.variant is not None and b.variant.settings == {"temperature": 0.3} and b.variant.model == "offline"
    )


@pytest.mark.parametrize(
    ("args", "control", "spec"),
    [
        ([], "control", "offline,prompt=listing_agent"),
        (["--model", "offline", "--prompt", "listing_agent"], "control", "offline,prompt=listing_agent"),
    ],
)
def test_a_lone_variant_is_compared_with_the_control(
    tmp_path: Path, args: list[str], control: str, spec: str
) -> None:
    """One --variant: what a user means is "this against what runs now", the agent a run without --variant
    runs (--model and --prompt name it), as the first, control, variant."""
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    out = tmp_path / "run"
    code, text = eval_run(str(scenarios), "--variant", "B=offline,temperature=0.3", *args, "--out", str(out))
    assert code == 0, text
    said = " ".join(text.split())
    assert "One --variant: compared with the control" in said and f"B vs {control}: identical" in said
    saved = VariantsRun.model_validate_json((out / "comparison.json").read_text())
    assert [(a.name, a.spec) for a in saved.arms] == [(control, spec), ("B", "offline,temperature=0.3")]


def test_a_lone_variant_named_control_gets_a_baseline(tmp_path: Path) -> None:
    (tmp_path / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    code, text = eval_run(
        str(tmp_path / "sell-bike.yaml"),
        "--variant",
        "control=offline,temperature=0.3",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 0 and "control vs baseline" in " ".join(text.split()), text


def test_variants_with_settings_are_recorded_and_replayed(tmp_path: Path) -> None:
    # A settings variant (not only a prompt) is an experiment CI must replay without a provider: each
    # variant records to its own folder, and the replay reaches the same verdict from them alone.
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for i in (1, 2):
        (scenarios / f"sell-bike-{i}.yaml").write_text(
            SELL_BIKE.replace("id: sell-bike", f"id: sell-bike-{i}"), encoding="utf-8"
        )
    both = ["--variant", "A=offline", "--variant", "B=offline,offline_condition=assume"]
    rec = tmp_path / "recordings"
    code, text = eval_run(str(scenarios), *both, "--record", str(rec), "--out", str(tmp_path / "first"))
    assert code in (0, 1), text
    assert "Recorded" in text and "--replay " + str(rec) in " ".join(text.split())
    assert sorted(p.name for p in rec.iterdir() if p.is_dir()) == ["A", "B"]
    code, replayed = eval_run(str(scenarios), *both, "--replay", str(rec), "--out", str(tmp_path / "again"))
    assert code in (0, 1), replayed
    first = VariantsRun.model_validate_json((tmp_path / "first" / "comparison.json").read_text())
    again = VariantsRun.model_validate_json((tmp_path / "again" / "comparison.json").read_text())
    assert [(a.name, a.passes, a.runs) for a in again.arms] == [
        (a.name, a.passes, a.runs) for a in first.arms
    ]
    assert [c.verdict for c in again.comparisons] == [c.verdict for c in first.comparisons]
    # Replayed as one model, the variants' folder says how it is replayed.
    code, text = eval_run(str(scenarios), "--replay", str(rec))
    assert code == 2 and "holds the recordings of variants A, B" in " ".join(text.split()), text
    # A variant with no recordings is a configuration error, before anything runs.
    code, text = eval_run(
        str(scenarios), "--variant", "A=offline", "--variant", "C=offline", "--replay", str(rec)
    )
    assert code == 2 and "has no recordings of variant C" in " ".join(text.split()), text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gate"], "--gate compares variants"),
        (["--variant", "A=offline", "--variant", "A=offline"], "--variant A is given twice"),
        (["--variant", "A=offline", "--variant", "B=offline,temprature=1"], "did you mean temperature?"),
        (
            ["--variant", "A=offline", "--variant", "B=offline", "--model", "offline"],
            "does not combine with --model",
        ),
        (
            ["--variant", "A=offline", "--variant", "B=offline", "--record", "r", "--replay", "r"],
            "--record and --replay exclude each other",
        ),
        (["--variant", "offline", "--variant", "B=offline"], "write NAME=SPEC"),
        (
            ["--variant", "A=offline", "--variant", "B=offline", "--replay", "r", "--base-url", "http://x"],
            "--base-url has no use with --replay",  # the words of a single run's check: one rule
        ),
    ],
)
def test_cli_variant_mistakes_are_configuration_errors(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    code, text = eval_run(str(tmp_path / "sell-bike.yaml"), *args)
    assert code == 2, text
    assert message in " ".join(text.split())


def test_a_version_2_run_gets_its_variant_from_variant_json(tmp_path: Path) -> None:
    data = json.loads(load_results(Path(__file__).parent / "data" / "results-v1.json").to_json())
    data.update(schema_version=2)
    data.pop("variant")
    (tmp_path / "results.json").write_text(json.dumps(data))
    assert load_results(tmp_path).variant is None
    kept = {
        "id": "abc",
        "model": "offline",
        "prompt": "listing_agent@defbf3821241",
        "settings": {},
        "toolset": "t1",
    }
    (tmp_path / "variant.json").write_text(json.dumps(kept))
    migrated = load_results(tmp_path)
    assert migrated.schema_version == 4 and migrated.variant is not None
    assert migrated.variant.prompt == "listing_agent@defbf3821241" and migrated.variant.toolset == "t1"


FLIPS_WHEN_ASSUMED = [  # the condition is the seller's to say: assuming it fails these
    "car-honda-civic-condition-missing",
    "console-xbox-one-condition-missing",
    "phone-galaxy-s7-condition-missing",
    "sofa-couch-condition-missing",
    "bike-cannondale-counter",
    "dresser-malm-counter",
]


def test_offline_policy_settings_make_variants_that_really_differ(tmp_path: Path) -> None:
    """The offline model ignores the prompt, but its own choices are settings: assuming the condition instead
    of asking is a variant the scenario set calls worse, and the gate refuses it."""
    repo_scenarios = Path(__file__).parents[2] / "scenarios"
    out = tmp_path / "run"
    code, text = eval_run(
        *(str(repo_scenarios / f"{sid}.yaml") for sid in FLIPS_WHEN_ASSUMED),
        "--variant",
        "A=offline",
        "--variant",
        "B=offline,offline_condition=assume",
        "--gate",
        "--out",
        str(out),
    )
    assert code == 1, text
    assert "B vs A: worse" in text and "Gate failed" in text
    saved = VariantsRun.model_validate_json((out / "comparison.json").read_text())
    (comparison,) = saved.comparisons
    assert not comparison.identical and (comparison.improved, comparison.worsened) == (0, 6)
    assert comparison.differs == ["settings offline_condition=(unset) → assume"]
    assert {f.id for f in comparison.flipped} == set(FLIPS_WHEN_ASSUMED)
    a, b = load_results(out / "A"), load_results(out / "B")  # each run's own results.json names its variant
    assert a.variant is not None and b.variant is not None
    assert a.variant.settings == {} and b.variant.settings == {"offline_condition": "assume"}
    assert a.variant.id != b.variant.id and a.variant.prompt == b.variant.prompt
    assert json.loads((out / "B" / "results.json").read_text())["variant"]["settings"] == {
        "offline_condition": "assume"
    }
