"""An online check that could not judge (a price no comparables vouch for, not the seller's) is reported as
n/a, counted apart: never a pass in the check's rate, the conversation's or the monitor's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_evals.evaluators import EvaluatorContext
from pydantic_evals.otel.span_tree import SpanTree
from typer.testing import CliRunner

from cli.main import app as cli
from evals.driver import RunRecord, TurnRecord
from evals.evaluators import NOT_JUDGED, Invariant
from evals.trajectory import ActualCall
from ops import online
from ops.online import OnlineVerdicts, Verdict
from ops.store import OpsStore
from tests.ops.conftest import add_turn

runner = CliRunner()


def _keyboard() -> RunRecord:
    """A $20 keyboard priced from 2 comparables the seller never named a price for."""
    record = RunRecord(scenario_id="live", model="m", conversation_id="c", started_at="")
    record.turns = [TurnRecord(seller="I want to sell my keyboard", agent="Here's the draft.")]
    comparison = {"count": 2, "suggested_low": 15, "suggested_high": 25, "p25": 20, "p75": 60}
    for tool, args, result in [
        ("compare_prices", {"category_id": 303}, comparison),
        ("create_listing", {"title": "Keyboard", "category_id": 303, "price": 20}, None),
    ]:
        record.calls.append(ActualCall(tool, args, "success", result, False, turn=1))
        record.call_ids.append(f"call-{len(record.calls)}")
    return record


def _context(record: RunRecord) -> EvaluatorContext[object, object, object]:
    return EvaluatorContext(
        name="live",
        inputs=None,
        metadata=None,
        expected_output=None,
        output=record,
        duration=0.0,
        _span_tree=SpanTree(),
        attributes={},
        metrics={},
    )


def test_the_online_evaluator_says_n_a_where_a_scenario_run_gives_no_verdict() -> None:
    ctx = _context(_keyboard())
    (verdict,) = Invariant("price_in_range", report_unjudged=True).evaluate(ctx).values()
    assert verdict.value == NOT_JUDGED == online.NOT_JUDGED and "only 2 comparables" in (verdict.reason or "")
    assert Invariant("price_in_range").evaluate(ctx) == {}  # a scenario's own checks judge its prices


def test_n_a_is_counted_apart_in_the_check_the_conversations_and_the_rules(
    trova_home: Path, tmp_path: Path
) -> None:
    store = OpsStore(trova_home / "trova.db")
    verdicts = OnlineVerdicts(store)
    for conversation in ("c0", "c1", "c2", "c3"):
        add_turn(store, conversation)
    verdicts.record(
        [
            Verdict("c0", "price_in_range", True),
            Verdict("c1", "price_in_range", None, "price 20 rests on only 2 comparables"),
            Verdict("c1", "approval", True),
            Verdict("c2", "price_in_range", False, "9,999 is outside the range"),
            Verdict("c3", "approval", True),
        ]
    )
    (stored,) = [v for v in verdicts.of("c1") if v.name == "price_in_range"]
    assert stored.outcome == NOT_JUDGED and stored.reason and stored.error is None
    shown = runner.invoke(cli, ["monitor", "--json", "--since", "1h"])
    figures = json.loads(shown.output)["groups"][0]["current"]
    price = figures["online_checks"]["price_in_range"]
    assert (price["judged"], price["failed"], price["unjudged"], price["pass_rate"]) == (2, 1, 1, 0.5)
    # c1 passed approval but its price could not be judged: not a conversation passing every check.
    assert (figures["online_judged"], figures["online_unjudged"], figures["online_failed"]) == (3, 1, 1)
    assert figures["online_pass_rate"] == pytest.approx(2 / 3)
    table = runner.invoke(cli, ["monitor", "--since", "1h"], env={"COLUMNS": "200"}).output
    assert "50.0% of 2, 1 n/a" in table and "online_unjudged" in table, table
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [{name: unjudged, metric: online_checks.price_in_range.unjudged, above: 0}]\n")
    fired = runner.invoke(cli, ["monitor", "check", "--rules", str(rules)])
    assert fired.exit_code == 1 and "unjudged" in fired.output, fired.output
    # A later verdict the check could not give replaces a pass (the latest draft is what stands), while an
    # evaluator that raised keeps the verdict before it.
    verdicts.record([Verdict("c0", "price_in_range", None, "rests on no comparables", turn=2)])
    verdicts.record([Verdict("c2", "price_in_range", None, error="RuntimeError: broken", turn=2)])
    latest = {v.conversation_id: v for v in verdicts.all() if v.name == "price_in_range"}
    assert (latest["c0"].outcome, latest["c2"].outcome, latest["c2"].passed) == (NOT_JUDGED, "error", False)


def test_a_check_that_judged_nothing_it_was_given_shows_n_a_not_a_rate(trova_home: Path) -> None:
    store = OpsStore(trova_home / "trova.db")
    add_turn(store, "c1")
    OnlineVerdicts(store).record([Verdict("c1", "price_in_range", None, "rests on no comparables")])
    table = runner.invoke(cli, ["monitor", "--since", "1h"], env={"COLUMNS": "200"}).output
    assert "n/a (1)" in table and "100.0%" not in table, table


def test_a_keyboard_priced_from_two_comparables_is_not_a_pass_online(
    trova_home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reported case, end to end: a chat judged online, its price resting on 2 comparables.
    monkeypatch.setenv("DATABASE_URL", db_url)
    chat = runner.invoke(
        cli, ["chat", "--online-eval-rate", "1"], input="I want to sell my keyboard\ngood\nyes\n"
    )
    assert chat.exit_code == 0, chat.output
    assert "2 comparable listings" in chat.output, chat.output
    (price,) = [
        v for v in OnlineVerdicts(OpsStore(trova_home / "trova.db")).all() if v.name == "price_in_range"
    ]
    assert price.outcome == NOT_JUDGED and "only 2 comparables" in (price.reason or ""), price
    figures = json.loads(runner.invoke(cli, ["monitor", "--json"]).output)["groups"][0]["current"]
    assert figures["online_unjudged"] == 1 and figures["online_checks"]["price_in_range"]["pass_rate"] is None
