"""`trova eval compare` on two existing runs: the same Wilson intervals and paired comparison as a side-by-side
run, and the prompt diff when the runs' prompts differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.prompts import Prompt, load_prompt, remember
from agent.variants import Variant
from cli.main import app
from evals.compare import compare_runs
from evals.results import EvalResults, load_results

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def with_prompt(results: EvalResults, prompt: Prompt, passes: dict[str, bool]) -> EvalResults:
    """The same run under another prompt, with each scenario's single run passing or not."""
    scenarios = []
    for s in results.scenarios:
        ok = passes.get(s.id, s.passes == s.runs_count)
        runs = [r.model_copy(update={"passed": ok}) for r in s.runs]
        scenarios.append(
            s.model_copy(
                update={"runs": runs, "passes": len(runs) if ok else 0, "pass_rate": 1.0 if ok else 0.0}
            )
        )
    return results.model_copy(
        update={
            "prompt": results.prompt.model_copy(update={"version": prompt.version}),
            "scenarios": scenarios,
        }
    )


def test_compare_shows_intervals_the_paired_verdict_and_the_prompt_diff(tmp_path: Path) -> None:
    base = load_results(DATA / "results-v1.json")
    before_prompt = load_prompt()
    after_prompt = Prompt(
        "listing_agent", before_prompt.text.replace("Keep replies short", "Keep replies brief")
    )
    remember(after_prompt, "eval")  # known to the run store, as an evaluated version is
    a = with_prompt(base, before_prompt, {})
    b = with_prompt(base, after_prompt, {"bike-trek-road-good": False})

    diff = compare_runs(a, b)
    bike = next(s for s in diff.scenarios if s.id == "bike-trek-road-good")
    assert bike.change == "regressed"
    assert (bike.before_low, bike.before_high) == (pytest.approx(0.2065, abs=1e-4), 1.0)
    assert (bike.after_low, bike.after_high) == (0.0, pytest.approx(0.7935, abs=1e-4))
    assert diff.paired.verdict == "no detectable difference" and diff.paired.worsened == 1
    assert [f.id for f in diff.paired.flipped] == ["bike-trek-road-good"]
    assert diff.prompt_diff is not None
    changed = diff.prompt_diff.splitlines()
    assert any(line.startswith("-") and "Keep replies short" in line for line in changed)
    assert any(line.startswith("+") and "Keep replies brief" in line for line in changed)
    assert f"--- {before_prompt.ref}" in diff.prompt_diff and f"+++ {after_prompt.ref}" in diff.prompt_diff

    for name, results in (("a", a), ("b", b)):
        (tmp_path / name).mkdir()
        results.write(tmp_path / name / "results.json")
    shown = runner.invoke(
        app, ["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b")], env={"COLUMNS": "250"}
    )
    assert shown.exit_code == 0, shown.output
    assert "100% (21%–100%)" in shown.output and "0% (0%–79%)" in shown.output
    assert "Paired over scenarios: no detectable difference" in shown.output
    assert "Prompt diff:" in shown.output and "Keep replies brief" in shown.output
    as_json = json.loads(
        runner.invoke(app, ["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"]).output
    )
    assert as_json["paired"]["worsened"] == 1 and "Keep replies brief" in as_json["prompt_diff"]


def test_a_prompt_nobody_kept_is_said_so(tmp_path: Path) -> None:
    base = load_results(DATA / "results-v1.json")
    lost = Prompt("listing_agent", "a prompt that was never kept anywhere")
    diff = compare_runs(base, with_prompt(base, lost, {}))
    assert diff.prompt_diff is None
    assert diff.prompt_note is not None and f"the text of {lost.ref} is not known here" in diff.prompt_note
    same = compare_runs(base, base)
    assert same.prompt_diff is None and same.prompt_note is None
    assert same.paired.verdict == "identical"


def test_no_model_settings_read_as_none_in_what_changed() -> None:
    base = load_results(DATA / "results-v1.json")
    assert base.variant is None or not base.variant.settings
    variant = base.variant or Variant(
        model=base.model, prompt=f"{base.prompt.name}@{base.prompt.version}", toolset="t"
    )
    tuned = base.model_copy(update={"variant": variant.model_copy(update={"settings": {"temperature": 0.2}})})
    (change,) = [c for c in compare_runs(base, tuned).changed if c.what == "model settings"]
    assert (change.before, change.after) == ("none", "temperature=0.2")
