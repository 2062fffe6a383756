"""The monitor's figures and the alert rules, on turns written straight into the index."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ops.feedback import Edit, FeedbackStore
from ops.monitor import Filters, Monitor, Window, parse_duration, percentile
from ops.review import Review, ReviewQueue
from ops.rules import RuleError, check, load_rules
from ops.store import OpsStore
from tests.ops.conftest import MINUTE, NOW, add_turn

HOUR = 60 * MINUTE


def test_figures_of_a_period_and_the_one_before(ops: OpsStore, tmp_path: Path) -> None:
    # c1: created a listing; c2: a model error, then abandoned its draft; c3: a tool error, other model.
    add_turn(ops, "c1", 1, duration_ms=1000)
    add_turn(ops, "c1", 2, outcome="awaiting_approval", drafts=1, duration_ms=2000)
    add_turn(ops, "c1", 3, outcome="created", approved=1, created=1, duration_ms=3000, cost_usd=0.01)
    add_turn(ops, "c2", 1, ago_min=50, outcome="stopped", error_kind="rate_limited", duration_ms=4000)
    add_turn(ops, "c2", 2, ago_min=45, outcome="awaiting_approval", drafts=1, duration_ms=5000)
    add_turn(
        ops,
        "c3",
        1,
        model="gpt",
        tool_calls=2,
        tool_errors=1,
        tool_error_kinds=["compare_prices:unavailable"],
        duration_ms=6000,
    )
    add_turn(ops, "eval-1", 1, marketplace="isolated", error_kind="bad_output")  # an eval run: not production
    add_turn(ops, "c0", 1, ago_min=90, created=1, outcome="created")  # the hour before
    feedback = FeedbackStore(ops.path)
    feedback.rate("c1", 1)
    feedback.rate("c2", -1)
    feedback.approval("c1", [Edit("price", 300, 250), Edit("title", "a", "b")])
    queue = ReviewQueue(ops)
    queue.record("c2", Review(verdict="bad", tags=["bad_price", "tone"]))
    queue.record("c2", Review(verdict="bad", tags=["bad_price"]))  # the latest review counts

    report = Monitor(ops).report(parse_duration("1h"), now_ns=NOW)
    (group,) = report.groups
    now, before = group.current, group.previous
    assert (now.conversations, now.turns, now.listings_created, now.completed) == (3, 6, 1, 1)
    assert now.completion_rate == pytest.approx(1 / 3)
    assert now.model_errors == 1 and now.model_error_rate == pytest.approx(1 / 6)
    assert now.model_errors_by_kind == {"rate_limited": 1}
    assert now.tool_calls == 7 and now.tool_errors == 1 and now.tool_error_rate == pytest.approx(1 / 7)
    assert now.tool_errors_by_tool == {"compare_prices:unavailable": 1}
    assert now.p50_turn_latency_s == pytest.approx(3.5)
    assert now.p95_turn_latency_s == pytest.approx(percentile([1, 2, 3, 4, 5, 6], 0.95))
    assert now.tokens_per_listing == 900 and now.cost_usd is None  # five turns have no known price
    assert now.abandoned == 1  # c2's draft, unanswered for 45 minutes; c1's was answered
    assert (now.thumbs_up, now.thumbs_down, now.thumbs_up_rate) == (1, 1, 0.5)
    assert now.edits == 2 and now.edits_per_draft == 2.0
    assert now.reviewed == 1 and now.review_tags == {"bad_price": 1}
    assert (before.conversations, before.listings_created, before.completion_rate) == (1, 1, 1.0)

    by_model = {g.key: g.current for g in Monitor(ops).report(3600, by="model", now_ns=NOW).groups}
    assert set(by_model) == {"offline", "gpt"}
    assert by_model["gpt"].conversations == 1 and by_model["offline"].conversations == 2
    only_gpt = Monitor(ops).figures(Window.last(3600, NOW), Filters(model="gpt"))["all"]
    assert only_gpt.turns == 1


def test_percentile_and_durations() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10], 0.95) == 10
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert parse_duration("90s") == 90 and parse_duration("7d") == 7 * 86400
    for bad in ("", "1y", "-1h", "0h", "h"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_compare_with_a_bound_or_the_window_before(ops: OpsStore, tmp_path: Path) -> None:
    for i in range(4):  # the day before: four conversations, all completed
        add_turn(ops, f"old{i}", ago_min=60 * 30, created=1, outcome="created")
    for i in range(4):  # today: one in four completed, one turn in four failed
        add_turn(ops, f"new{i}", created=int(i == 0), error_kind="unreachable" if i == 1 else None)
    rules = load_rules(
        _rules(
            tmp_path,
            """rules:
  - {name: errors, metric: model_error_rate, above: 0.05, window: 1h}
  - {name: errors-quiet, metric: model_error_rate, above: 0.05, window: 1h, min_turns: 10}
  - {name: completion, metric: completion_rate, below: 0.5, window: 24h}
  - {name: completion-drop, metric: completion_rate, drop_by: 0.33, window: 24h}
  - {name: turns-rise, metric: turns, rise_by: 1.0, window: 24h}
  - {name: slow, metric: p95_turn_latency_s, above: 10, window: 1h}
""",
        )
    )
    verdicts = {v.rule: v for v in check(Monitor(ops), rules, now_ns=NOW)}
    assert verdicts["errors"].broken and verdicts["errors"].value == 0.25
    assert not verdicts["errors-quiet"].broken and "not enough traffic" in verdicts["errors-quiet"].reason
    assert verdicts["completion"].broken
    assert verdicts["completion-drop"].broken and verdicts["completion-drop"].previous == 1.0
    assert not verdicts["turns-rise"].broken  # 4 turns against 4
    assert not verdicts["slow"].broken


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rules: [{name: a, metric: nonsense, above: 1}]",
            "unknown metric 'nonsense'; one of: .*completion_rate",
        ),
        (
            "rules: [{name: a, metric: model_eror_rate, above: 1}]",
            "unknown metric 'model_eror_rate'; did you mean 'model_error_rate'\\?",
        ),
        ("rules: [{name: a, metric: turns, above: 1, below: 2}]", "exactly one of above, below"),
        ("rules: [{name: a, metric: turns, above: 1, window: soon}]", "not a duration"),
        ("rules: [{name: a, metric: turns, above: 1, window: 100000d}]", "at most 3650d"),
        ("rules: [{name: a, metric: turns, above: 1, colour: red}]", "rules.0.colour: Extra inputs"),
        ("rules: []", "rules: List should have at least 1 item"),
        ("rules: [{name: a, metric: turns, above: 1}, {name: a, metric: turns, above: 2}]", "unique"),
        ("rules: [unclosed", "not valid YAML"),
    ],
)
def test_a_bad_rules_file_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_rules(_rules(tmp_path, text))


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "- {name: a, metric: turns, above: 1}\n", "rules\n"])
def test_a_rules_file_that_is_no_mapping_says_what_one_is(tmp_path: Path, text: str) -> None:
    with pytest.raises(RuleError, match="a rules file is a mapping with a `rules:` list") as raised:
        load_rules(_rules(tmp_path, text))
    assert "RulesFile" not in str(raised.value)


def test_every_problem_in_a_rules_file_is_named_at_once_in_plain_words(tmp_path: Path) -> None:
    text = "rules:\n  - {name: a, metric: nonsense, above: 1, window: soon}\n  - {name: b, metric: turns, above: 1, colour: red}\n"
    with pytest.raises(RuleError) as raised:
        load_rules(_rules(tmp_path, text))
    message = str(raised.value)
    assert "rules.0.metric: unknown metric 'nonsense'" in message
    assert "rules.0.window: 'soon' is not a duration" in message and "rules.1.colour: Extra inputs" in message
    assert "Value error" not in message


def test_bad_yaml_in_a_rules_file_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"rules.yaml:3: not valid YAML: expected the node content") as raised:
        load_rules(_rules(tmp_path, "rules:\n  - [\n"))
    assert "<unicode string>" not in str(raised.value)


def test_a_rules_file_that_is_not_text_says_so(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"\xff\xfe x")
    with pytest.raises(RuleError, match="is not UTF-8 text"):
        load_rules(path)


def test_monitor_check_exit_codes(trova_home: Path, tmp_path: Path) -> None:
    store = OpsStore(trova_home / "trova.db")
    add_turn(store, "c1", error_kind="unreachable")
    broken = CliRunner().invoke(
        cli,
        [
            "monitor",
            "check",
            "--rules",
            str(_rules(tmp_path, "rules: [{name: e, metric: model_errors, above: 0}]")),
        ],
    )
    assert broken.exit_code == 1 and "BROKEN e" in broken.output
    bad = CliRunner().invoke(cli, ["monitor", "check", "--rules", str(_rules(tmp_path, "rules: 3"))])
    assert bad.exit_code == 2 and "rules" in bad.output
    missing = CliRunner().invoke(cli, ["monitor", "check", "--rules", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    table = CliRunner().invoke(cli, ["monitor", "--since", "1h"])
    assert table.exit_code == 0 and "model_error_rate" in table.output and "100.0%" in table.output
    assert CliRunner().invoke(cli, ["monitor", "--since", "soon"]).exit_code == 2


def test_a_conversation_left_without_a_listing_is_abandoned_whatever_its_last_turn(ops: OpsStore) -> None:
    # Only a draft left unanswered counted: a `trova chat` that exited after the agent's question (or after
    # an error) was never abandoned, though it never completed.
    add_turn(ops, "question", 1, ago_min=40)  # the agent asked; the seller never answered
    add_turn(ops, "error", 1, ago_min=38, outcome="stopped", error_kind="rate_limited")
    add_turn(ops, "draft", 1, ago_min=35, outcome="awaiting_approval", drafts=1)
    add_turn(ops, "done", 1, ago_min=50, outcome="awaiting_approval", drafts=1)
    add_turn(ops, "done", 2, ago_min=40, outcome="created", approved=1, created=1)
    add_turn(ops, "thinking", 1, ago_min=10)  # not yet: under ABANDON_AFTER_S
    window = Window.last(3600, NOW)
    for rollups in (True, False):
        figures = Monitor(ops).figures(window, rollups=rollups)["all"]
        assert (figures.conversations, figures.completed, figures.abandoned) == (5, 1, 3), rollups
    with ops.connect() as conn:
        tagged = ReviewQueue(ops).candidates(conn, window)
    assert {c for c, why in tagged.items() if "abandoned" in why} == {"question", "error", "draft"}


def test_a_filter_that_matches_nothing_says_so_and_names_what_it_could_match(trova_home: Path) -> None:
    """Not "no conversations" (there are some), but none of that model, and the names the traffic has."""
    add_turn(OpsStore(trova_home / "trova.db"), "c1")
    empty = CliRunner().invoke(cli, ["monitor", "--model", "openai"], env={"COLUMNS": "300"})
    assert empty.exit_code == 0
    said = " ".join(empty.output.split())
    assert "No conversations of model 'openai' in the last 24h" in said, said
    assert "models seen: offline" in said
