"""Scenario files: errors name the file, the line and the field; the JSON schema stays current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from evals.loader import ScenarioError, load_scenarios
from evals.schema import SCHEMA_PATH, json_schema

runner = CliRunner()

GOOD = """\
id: sofa-good
description: A sofa.
seller: {item: IKEA sofa, condition: good}
expect:
  tools:
    calls:
      - tool: search_categories
        args: {query: {regex: sofa}}
"""

BAD = """\
id: sofa-bad
description: A sofa with a typo.
seller:
  item: IKEA sofa
  condition: good
expect:
  tools:
    order: sideways
    calls:
      - tool: search_categories
        args:
          query: {contians: sofa}
  listing:
    created: -1
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    (loaded,) = load_scenarios([write(tmp_path, "a.yaml", GOOD)])
    assert loaded.id == "sofa-good" and loaded.scenario.expect.tools is not None
    assert loaded.scenario.expect.tools.order == "in_order"  # the default
    assert loaded.scenario.expect.approval_required


def test_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", BAD)
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    problems = info.value.problems
    assert (
        f"{path}:8: expect.tools.order: Input should be 'strict', 'in_order', 'unordered', 'subset' or 'superset'"
        in problems
    )
    assert any(
        p.startswith(f"{path}:12: expect.tools.calls.1.args.query:") and "contians" in p for p in problems
    )
    assert any(p.startswith(f"{path}:14: expect.listing.created:") for p in problems)


def test_yaml_syntax_errors_have_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "id: x\ndescription: [unclosed\nseller: {item: y}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    assert info.value.problems[0].startswith(f"{path}:") and "not valid YAML" in info.value.problems[0]


def test_duplicate_ids_and_missing_paths(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(ScenarioError) as info:
        load_scenarios([tmp_path])
    assert "is also the id of" in info.value.problems[0]
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenarios([tmp_path / "nope.yaml"])


def test_filters(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(
        tmp_path,
        "b.yaml",
        GOOD.replace("sofa-good", "sofa-two").replace(
            "description: A sofa.", "description: x\ntags: [furniture]"
        ),
    )
    assert [s.id for s in load_scenarios([tmp_path], tags=["furniture"])] == ["sofa-two"]
    assert [s.id for s in load_scenarios([tmp_path], ids=["sofa-good"])] == ["sofa-good"]
    with pytest.raises(ScenarioError, match="no scenario with id"):
        load_scenarios([tmp_path], ids=["nope"])


def test_a_bad_file_stops_the_run_with_exit_2_before_any_model_call(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    path = write(tmp_path, "bad.yaml", BAD)
    result = CliRunner().invoke(app, ["eval", "run", str(tmp_path), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert f"{path}:8: expect.tools.order" in result.output
    assert not (tmp_path / "run").exists()


def test_schema_json_is_current() -> None:
    on_disk = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert on_disk == json_schema(), "run: uv run python -m evals.schema"


def test_every_shipped_scenario_loads() -> None:
    scenarios = load_scenarios()
    assert len(scenarios) >= 40
    tags = {t for s in scenarios for t in s.scenario.tags}
    assert {"bikes", "phones", "electronics", "furniture", "cars"} <= tags


MISTAKES = """\
id: sofa-mistakes
description: Patterns that do not compile, tools that do not exist, a range upside down.
seller: {item: IKEA sofa, condition: good}
expect:
  tools:
    calls:
      - tool: search_categories
        args: {query: {regex: "(unclosed"}}
      - tool: nonexistent_tool
      - tool: compare_prices
        args:
          category_id: {from: nonexistent_tool}
          max_results: {between: [500, 10]}
    never: [delete_everything]
  replies:
    - regex: "[a-"
"""


def test_mistakes_that_would_only_show_at_run_time_stop_the_load(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", MISTAKES)
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    text = "\n".join(info.value.problems)
    assert f"{path}:8: expect.tools.calls.1.args.query" in text and "invalid regular expression" in text
    assert f"{path}:9: expect.tools.calls.2.tool" in text
    assert f"{path}:12: expect.tools.calls.3.args.category_id" in text
    assert f"{path}:13: expect.tools.calls.3.args.max_results" in text and "low end is above" in text
    assert f"{path}:14: expect.tools.never.1" in text
    assert f"{path}:16: expect.replies.1.regex" in text, text


def test_an_argument_the_tool_does_not_have_stops_the_load(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("args: {query: {regex: sofa}}", "args: {qurey: sofa}"))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:8: expect.tools.calls.1.args:") and "no argument qurey" in problem
    assert "query" in problem


def test_an_unclosed_bracket_names_the_line_it_opened_on(tmp_path: Path) -> None:
    path = write(
        tmp_path, "broken.yaml", "id: x\ndescription: y\nseller:\n  item: [unclosed\n  condition: good\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:5: not valid YAML") and "at line 4" in problem, problem


def test_an_image_that_is_not_there_or_not_an_image_stops_the_load(tmp_path: Path) -> None:
    missing = write(tmp_path, "a.yaml", GOOD.replace("seller:", "image: nope.png\nseller:"))
    (tmp_path / "notes.txt").write_text("hi", encoding="utf-8")
    wrong = write(
        tmp_path,
        "b.yaml",
        GOOD.replace("sofa-good", "sofa-b").replace("seller:", "image: notes.txt\nseller:"),
    )
    with pytest.raises(ScenarioError) as info:
        load_scenarios([tmp_path])
    assert info.value.problems == [
        f"{missing}:3: image: no such file {tmp_path / 'nope.png'}",
        f"{wrong}:3: image: notes.txt is not one of .jpeg, .jpg, .png, .webp",
    ]


def test_reply_turns_count_from_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD + "  replies: [{turn: 0, contains: sofa}]\n")
    with pytest.raises(ScenarioError, match=r"a.yaml:9: expect.replies.1.turn"):
        load_scenarios([path])


def test_a_message_the_product_would_refuse_stops_the_load(tmp_path: Path) -> None:
    from agent.session import MAX_MESSAGE_CHARS

    long = "I want to sell my bike. " + "It is a very nice bike. " * (MAX_MESSAGE_CHARS // 20)
    path = write(tmp_path, "long.yaml", GOOD + f"turns:\n  - hello\n  - {long}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    (problem,) = info.value.problems
    # The product's own reason, at the turn's line: harness and product agree on the limit.
    assert problem.startswith(f"{path}:11: turns.2: the product refuses this message: ")
    assert f"please keep it under {MAX_MESSAGE_CHARS:,}" in problem
    fits = "x" * MAX_MESSAGE_CHARS
    assert load_scenarios([write(tmp_path, "long.yaml", GOOD + f"turns: [{fits}]\n")])


def test_load_errors_and_run_failures_number_calls_alike(tmp_path: Path) -> None:
    """The second expected call is "calls.2" when its file does not load and "expected call 2" when a run
    misses it: one numbering, from 1, for whoever reads either."""
    from evals.schema import ExpectedCall
    from evals.trajectory import ActualCall, compare

    second_call_wrong = GOOD + "      - tool: compare_prise\n"
    with pytest.raises(ScenarioError) as info:
        load_scenarios([write(tmp_path, "a.yaml", second_call_wrong)])
    (problem,) = info.value.problems
    assert ": expect.tools.calls.2.tool: " in problem, problem
    (typed,) = info.value.found
    assert (typed.line, typed.field) == (9, "expect.tools.calls.2.tool")

    expected = [ExpectedCall(tool="search_categories"), ExpectedCall(tool="compare_prices")]
    missed = compare("in_order", expected, [ActualCall("search_categories", {}, "success")])
    assert any(r.startswith("expected call 2, compare_prices, was never made") for r in missed.reasons)


def test_a_turn_is_numbered_from_one_in_the_file_as_in_the_run(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD + "turns:\n  - hello\n  - ''\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    (problem,) = info.value.problems
    # The second scripted turn: at run time the product would refuse "seller message 2".
    assert problem.startswith(f"{path}:11: turns.2: "), problem


def test_validate_checks_files_without_running_them(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", BAD)
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "validate", str(tmp_path)])
    assert result.exit_code == 1, result.output
    # Every problem with its file, line and field path: the same lines as `eval run` refuses to start with.
    with pytest.raises(ScenarioError) as info:
        load_scenarios([tmp_path])
    lines = result.output.splitlines()
    for problem in info.value.problems:
        assert any(line.endswith(problem) for line in lines), (problem, result.output)
    assert f"{bad}:12: expect.tools.calls.1.args.query:" in result.output
    assert "Checked 2 scenario files: 1 invalid (3 problems), 1 valid." in result.output
    ran = runner.invoke(app, ["eval", "run", str(tmp_path), "--out", str(tmp_path / "run")])
    assert ran.exit_code == 2 and not (tmp_path / "run").exists()


def test_validate_defaults_to_the_runners_scenarios_and_names_a_missing_path(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "validate"])
    assert result.exit_code == 0, result.output
    assert f"Checked {len(load_scenarios())} scenario files: all valid." in result.output
    missing = runner.invoke(app, ["eval", "validate", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file or directory" in missing.output
    assert "trova eval run" in runner.invoke(app, ["eval", "validate", "--help"]).output


def test_an_unquoted_yes_as_a_turn_is_named_as_yamls_boolean(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD + "turns:\n  - I want to sell my sofa\n  - yes\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:11: turns.2: ") and 'quote the message, e.g. - "yes"' in problem
    assert load_scenarios([write(tmp_path, "a.yaml", GOOD + 'turns: [hi, "yes"]\n')])


def test_a_seller_condition_must_state_a_marketplace_condition(tmp_path: Path) -> None:
    # 'god' states no condition: the run passed on the agent's default ('good') instead of the seller's word.
    path = write(tmp_path, "typo.yaml", GOOD.replace("condition: good", "condition: god"))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:3: seller.condition: condition 'god' states none of")
    assert "for_parts" in problem and problem.endswith("did you mean 'good'?")
    for words in ("like_new", "barely used", "bon état", "it doesn't turn on anymore"):
        ok = write(tmp_path, "ok.yaml", GOOD.replace("condition: good", f'condition: "{words}"'))
        (loaded,) = load_scenarios([ok])
        assert loaded.scenario.seller.condition == words


def test_a_misspelt_key_gets_the_nearest_known_one(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.yaml", GOOD.replace("description:", "descripton:"))
    with pytest.raises(ScenarioError) as info:
        load_scenarios([path])
    assert f"{path}:2: descripton: Extra inputs are not permitted; did you mean 'description'?" in (
        info.value.problems
    )


def test_validate_reads_scenario_files_only_not_hidden_folders_environments_or_tools_trees(
    tmp_path: Path,
) -> None:
    # `trova eval validate /tmp` walked every file below it (a .venv, node_modules, .git) for minutes,
    # and would have reported each YAML file there as a broken scenario.
    write(tmp_path, "sofa.yaml", GOOD)
    for hidden in (".git", ".venv", "node_modules", "env"):
        (tmp_path / hidden).mkdir()
        write(tmp_path / hidden, "bad.yaml", BAD)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Checked 1 scenario file: all valid." in result.output


def test_validate_stops_early_in_a_tree_too_big_to_hold_scenarios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("evals.loader.MAX_FOLDERS", 20)
    for i in range(30):
        (tmp_path / f"d{i}").mkdir()
    result = runner.invoke(app, ["eval", "validate", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert (
        "more than 20 folders below it, so nothing was checked; no YAML file in the part read"
        in result.output
    )
    assert "name the folder that holds the scenario files" in result.output
    empty = tmp_path / "d0"
    result = runner.invoke(app, ["eval", "validate", str(empty)])
    assert result.exit_code == 2 and "no scenario files (*.yaml" in result.output, result.output


def test_past_the_folder_cap_it_names_where_the_scenario_files_it_saw_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the cap the walk stops (exit 2, nothing checked rather than part of the tree called the whole);
    # it said only "more than N folders", not where the scenario files read so far were, to name instead.
    monkeypatch.setattr("evals.loader.MAX_FOLDERS", 20)
    (tmp_path / "a").mkdir()
    write(tmp_path / "a", "sofa.yaml", GOOD)
    for i in range(30):
        (tmp_path / "b" / f"d{i}").mkdir(parents=True)
    result = runner.invoke(app, ["eval", "validate", str(tmp_path)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "more than 20 folders below it, so nothing was checked" in said, said
    assert f"the part read holds 1 YAML file, in {tmp_path / 'a'};" in said, said
    named = runner.invoke(app, ["eval", "validate", str(tmp_path / "a")])
    assert named.exit_code == 0 and "Checked 1 scenario file: all valid." in named.output, named.output


def test_the_folders_never_read_for_scenarios_are_a_data_file_not_code() -> None:
    from evals.loader import skipped_folders

    assert {"node_modules", "__pycache__"} <= skipped_folders()
    source = (Path(__file__).resolve().parents[2] / "evals" / "loader.py").read_text(encoding="utf-8")
    assert '"node_modules"' not in source and "_NOT_SCENARIOS" not in source


def test_an_experiment_file_is_said_to_be_one_not_a_broken_scenario(tmp_path: Path) -> None:
    # `trova eval validate experiments` read experiments/price-position.yaml as a scenario: "did you mean 'arm'?".
    shipped = Path(__file__).resolve().parents[2] / "experiments" / "price-position.yaml"
    only = runner.invoke(app, ["eval", "validate", str(shipped.parent)])
    assert only.exit_code == 2, only.output
    assert "no scenario files, only experiments (check them with: trova experiment check" in only.output
    assert "did you mean" not in only.output
    write(tmp_path, "sofa.yaml", GOOD)
    write(tmp_path, "price-position.yaml", shipped.read_text(encoding="utf-8"))
    mixed = runner.invoke(app, ["eval", "validate", str(tmp_path)], env={"COLUMNS": "300"})
    assert mixed.exit_code == 0, mixed.output
    assert "price-position.yaml: an experiment, not a scenario; skipped" in mixed.output
    assert "Checked 1 scenario file: all valid." in mixed.output
    (loaded,) = load_scenarios([tmp_path])  # a run skips it too
    assert loaded.id == "sofa-good"
