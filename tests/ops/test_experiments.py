"""Experiments: the file, sticky assignment and its weights (statistically), guardrails that stop an arm,
stop and promote, and the report's figures against the control."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pytest
from pydantic_ai.models.test import TestModel

from agent.listing_agent import build_agent
from agent.prompts import load_prompt
from agent.stats import binomial_test, newcombe
from agent.variants import Variant
from ops.experiment_report import METRICS, experiment_report
from ops.experiments import (
    Experiment,
    ExperimentError,
    ExperimentStore,
    LiveExperiment,
    ServedArm,
    load_experiment,
    stop,
)
from ops.feedback import Edit, FeedbackStore
from ops.store import OpsStore
from tests.ops.conftest import add_turn

GOOD = """\
description: B prices lower
control: A
arms:
  A: {variant: "offline", weight: 1}
  B: {variant: "offline,temperature=0.2", weight: 3}
guardrails: {max_model_error_rate: 0.1, max_p95_turn_latency_s: 5, min_turns: 20}
min_conversations: 10
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def experiments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "experiments"
    monkeypatch.setenv("TROVA_EXPERIMENTS_DIR", str(folder))
    write(folder, "lower-price", GOOD)
    return folder


def served(name: str, model: str = "offline") -> ServedArm:
    prompt = load_prompt()
    variant = Variant(
        model=model, prompt=prompt.ref, settings={"temperature": 0.1 if name == "A" else 0.2}, toolset="t"
    )
    return ServedArm(name, build_agent(TestModel(), prompt), model, prompt.ref, variant)


def live(ops: OpsStore, experiment: Experiment, **options: float) -> LiveExperiment:
    return LiveExperiment(experiment, {a: served(a) for a in experiment.arms}, ops, **options)  # type: ignore[arg-type]


def test_an_experiment_file_loads_by_name(experiments: Path) -> None:
    experiment = load_experiment("lower-price")
    assert experiment.name == "lower-price" and experiment.control == "A"
    assert experiment.arms["B"].weight == 3 and experiment.guardrails.min_turns == 20
    assert experiment.label("B") == "lower-price/B"
    assert load_experiment(str(experiments / "lower-price.yaml")) == experiment


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("control: A", "control: C"), "control 'C' is not one of the arms (A, B)"),
        (GOOD.replace('  B: {variant: "offline,temperature=0.2", weight: 3}\n', ""), "at least two arms"),
        (GOOD.replace("temperature=0.2", "temprature=0.2"), "arms.B.variant: variant spec"),
        (GOOD.replace("weight: 3", "weight: 0"), "arms.B.weight: Input should be greater than 0"),
        (
            GOOD.replace("min_turns: 20", "min_turns: 20, max_errors: 1"),
            "guardrails.max_errors: Extra inputs",
        ),
        ("- a list", "expected a mapping"),
    ],
)
def test_a_bad_file_names_the_file_and_the_field(experiments: Path, text: str, message: str) -> None:
    path = write(experiments, "broken", text)
    with pytest.raises(ExperimentError) as info:
        load_experiment("broken")
    assert str(path) in str(info.value) and message in str(info.value)


def test_unknown_experiments_and_names_are_refused(experiments: Path) -> None:
    with pytest.raises(ExperimentError, match=r"no experiment file .*nothing-here\.yaml .*lower-price"):
        load_experiment("nothing-here")
    with pytest.raises(ExperimentError, match="not an experiment name"):
        load_experiment("../etc/passwd")


def test_assignment_is_sticky_and_follows_the_weights(experiments: Path) -> None:
    experiment = load_experiment("lower-price")
    again = load_experiment("lower-price")
    sellers = [f"s-{i:05d}" for i in range(4000)]
    arms = [experiment.assign(s) for s in sellers]
    assert arms == [again.assign(s) for s in sellers]  # another server, after a restart: the same arm
    share_b = arms.count("B") / len(arms)
    # B has weight 3 of 4: the count is Binomial(4000, 0.75) if the hash spreads sellers evenly.
    assert binomial_test(arms.count("B"), len(arms), 0.75) > 0.001, share_b
    # The buckets are uniform: each tenth of [0, 1) holds about a tenth of the sellers (chi-square, 9 df,
    # 27.88 is its 0.999 quantile).
    counts = [0] * 10
    for s in sellers:
        counts[math.floor(experiment.bucket(s) * 10)] += 1
    assert sum((c - 400) ** 2 / 400 for c in counts) < 27.88, counts
    # Another salt is another assignment (a new experiment on the same sellers).
    salted = experiment.model_copy(update={"salt": "round-2"})
    assert sum(salted.assign(s) != experiment.assign(s) for s in sellers) > 1000


def test_a_stored_assignment_survives_a_change_of_weights(experiments: Path, ops: OpsStore) -> None:
    experiment = load_experiment("lower-price")
    running = live(ops, experiment)
    seller = next(s for s in (f"s{i}" for i in range(100)) if experiment.assign(s) == "B")
    assert running.serve(seller, "c1").arm.name == "B"
    reweighted = experiment.model_copy(
        update={
            "arms": {"A": experiment.arms["A"], "B": experiment.arms["B"].model_copy(update={"weight": 1e-9})}
        }
    )
    assert reweighted.assign(seller) == "A"  # by the hash alone it would now be A ...
    assert live(ops, reweighted).serve(seller, "c2").arm.name == "B"  # ... but sellers already in stay


def test_serving_records_the_conversation_and_its_arm(experiments: Path, ops: OpsStore) -> None:
    experiment = load_experiment("lower-price")
    running = live(ops, experiment)
    assignment = running.serve("seller-1", "conv-1")
    assert assignment.label == f"lower-price/{assignment.arm.name}"
    with ops.connect() as conn:
        row = conn.execute(
            "SELECT experiment, arm, variant, seller_id FROM experiment_conversations"
        ).fetchone()
    assert row == ("lower-price", assignment.arm.name, assignment.arm.variant.id, "seller-1")
    assert [e.kind for e in ExperimentStore(ops).events("lower-price")] == ["started"]
    live(ops, experiment)  # a restart with the same file is no new start
    assert [e.kind for e in ExperimentStore(ops).events("lower-price")] == ["started"]


def seed_turns(
    ops: OpsStore, arm: str, conversations: int, *, errors: int = 0, ms: float = 1000.0, first: int = 0
) -> None:
    """`conversations` in the arm (numbered from `first`), two turns each; the first `errors` turns failed by
    the model."""
    experiments = ExperimentStore(ops)
    failed = 0
    for i in range(first, first + conversations):
        cid = f"{arm}-{i}"
        experiments.add_conversation(cid, "lower-price", arm, f"v{arm}", f"seller-{arm}-{i}")
        for turn in (1, 2):
            error = "rate_limited" if failed < errors else None
            failed += error is not None
            add_turn(ops, cid, turn, error_kind=error, duration_ms=ms, tool_calls=1)


def test_a_guardrail_stops_an_arm_and_its_new_sellers_go_to_control(
    experiments: Path, ops: OpsStore, caplog: pytest.LogCaptureFixture
) -> None:
    experiment = load_experiment("lower-price")
    running = live(ops, experiment, check_every_s=0)
    seed_turns(ops, "A", 15, errors=4)  # the control breaks it too, but is never stopped
    seed_turns(ops, "B", 9, errors=9)  # 18 turns: below min_turns, not judged yet
    assert running.check_guardrails() == []
    seed_turns(ops, "B", 1, errors=0, first=9)  # 20 turns, 9 failed: 45% > 10%
    with caplog.at_level(logging.WARNING, logger="ops.experiments"):
        assert running.check_guardrails() == ["B"]
    assert "arm B stopped: model error rate 45.0% is above 10.0% over 20 turns" in caplog.text
    assert running.state.stopped_arms == {"B": "model error rate 45.0% is above 10.0% over 20 turns"}
    before = {arm.name: (arm.sellers,) for arm in experiment_report(ops, experiment).arms}
    b_seller = next(s for s in (f"new{i}" for i in range(100)) if experiment.assign(s) == "B")
    assignment = running.serve(b_seller, "after-stop")
    assert assignment.arm.name == "A" and assignment.label == "lower-price/A"
    assert running.check_guardrails() == []  # stopped once
    report = experiment_report(ops, experiment)
    b = next(a for a in report.arms if a.name == "B")
    assert b.state == "stopped" and b.stopped_reason and "45.0%" in b.stopped_reason
    # The seller is counted where served, as their conversation is: by A, not as one more seller for B.
    a = next(a for a in report.arms if a.name == "A")
    assert (a.sellers, b.sellers) == (before["A"][0] + 1, before["B"][0])
    assert [e.kind for e in report.events] == ["started", "arm_stopped"]


def test_a_slow_arm_is_stopped_by_latency(experiments: Path, ops: OpsStore) -> None:
    running = live(ops, load_experiment("lower-price"), check_every_s=0)
    seed_turns(ops, "B", 10, ms=9000)
    # Checked on the way to the next conversation (check_every_s=0), as a server does.
    running.serve("anyone", "c-next")
    assert "p95 turn latency 9.00 s is above 5.00 s" in running.state.stopped_arms["B"]


def test_stop_sends_everyone_to_control_and_an_ended_experiment_does_not_restart(
    experiments: Path, ops: OpsStore
) -> None:
    experiment = load_experiment("lower-price")
    running = live(ops, experiment, refresh_every_s=0)
    stop(ops, "lower-price", "enough")
    assert {running.serve(f"s{i}", f"c{i}").arm.name for i in range(20)} == {"A"}
    assert running.serve("s1", "c-x").label is None  # no longer part of the experiment
    with pytest.raises(ExperimentError, match=r"ended .*give it a new name"):
        live(ops, experiment)
    with pytest.raises(ExperimentError, match="already ended"):
        stop(ops, "lower-price")
    with pytest.raises(ExperimentError, match="never served"):
        stop(ops, "another")


def twelve_each(ops: OpsStore, completed: dict[str, int]) -> None:
    """Twelve conversations in each arm of `lower-price`, each looking the item up and showing a draft; the
    first `completed[arm]` approve it and create the listing, the rest decline."""
    experiments_store = ExperimentStore(ops)
    for arm, done in completed.items():
        for i in range(12):
            cid = f"{arm}{i}"
            experiments_store.add_conversation(cid, "lower-price", arm, f"v{arm}", f"s{arm}{i}")
            add_turn(ops, cid, 1, tool_calls=2, drafts=1, outcome="awaiting_approval", ago_min=3)
            add_turn(
                ops, cid, 2, approved=int(i < done), declined=int(i >= done), created=int(i < done), ago_min=2
            )


def test_the_report_compares_each_arm_with_the_control(experiments: Path, ops: OpsStore) -> None:
    experiment = load_experiment("lower-price")
    live(ops, experiment)
    # A: 12 conversations, 9 create a listing; B: 12, 3 do. Each looked something up (named an item).
    twelve_each(ops, completed={"A": 9, "B": 3})
    report = experiment_report(ops, experiment)
    a, b = report.arms
    assert (a.conversations, b.conversations) == (12, 12) and a.control and not b.control
    completion = next(m for m in b.metrics if m.key == "completion_rate")
    expected = newcombe(9, 12, 3, 12)
    assert completion.value == pytest.approx(3 / 12) and completion.difference == pytest.approx(-0.5)
    assert (completion.low, completion.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert completion.verdict == "worse" and b.verdict == "worse"
    assert "completion rate (a listing per conversation that named an item)" in b.worse_on
    approval = next(m for m in b.metrics if m.key == "first_draft_approval_rate")
    assert approval.value == pytest.approx(0.25) and approval.verdict == "worse"
    turns = next(m for m in b.metrics if m.key == "turns_to_listing")
    assert turns.value == 2.0 and turns.difference == 0.0 and turns.verdict == "no detectable difference"
    assert not report.warnings
    # Too few conversations to tell: the interval is shown, the verdict waits. (The report reads the
    # experiment as served: a server restarted on an edited file records it again.)
    strict = experiment.model_copy(update={"min_conversations": 50})
    live(ops, strict)
    waiting = experiment_report(ops, experiment)
    assert waiting.arms[1].verdict == "too few" and "too few to tell yet" in waiting.warnings[0]


def test_after_a_promotion_a_running_server_serves_the_winner(experiments: Path, ops: OpsStore) -> None:
    running = live(ops, load_experiment("lower-price"), refresh_every_s=0)
    ExperimentStore(ops).record("lower-price", "promoted", "B", '{"variant": "offline,temperature=0.2"}')
    assignments = [running.serve(f"s{i}", f"c{i}") for i in range(10)]
    assert {a.arm.name for a in assignments} == {"B"} and {a.label for a in assignments} == {None}
    with ops.connect() as conn:  # no longer part of the experiment: not counted in its report
        assert conn.execute("SELECT COUNT(*) FROM experiment_conversations").fetchone()[0] == 0


def test_every_figure_of_the_report_has_its_interval_against_the_control(
    experiments: Path, ops: OpsStore
) -> None:
    """Each figure the report lists, on conversations whose figures are known: its value, its difference from
    the control, an interval around that difference, and a verdict that follows the interval."""
    experiment = load_experiment("lower-price")
    live(ops, experiment)
    store = ExperimentStore(ops)
    feedback = FeedbackStore(ops.path)
    for arm in ("A", "B"):
        for i in range(12):
            cid = f"{arm}{i}"
            store.add_conversation(cid, "lower-price", arm, f"v{arm}", f"s{arm}{i}")
            # A: clean. B: half its first turns fail at the model, one tool call in two fails, more tokens,
            # a slower second turn, every approved draft has its price edited, half its ratings are down.
            add_turn(
                ops,
                cid,
                1,
                tool_calls=2,
                tool_errors=int(arm == "B"),
                drafts=1,
                error_kind="model" if arm == "B" and i % 2 else None,
                input_tokens=100 if arm == "A" else 400,
                cost_usd=0.001,
                ago_min=3,
            )
            add_turn(
                ops,
                cid,
                2,
                approved=1,
                created=1,
                cost_usd=0.001,
                duration_ms=1000.0 if arm == "A" else 5000.0,
                ago_min=2,
            )
            edits = [Edit("price", 100, 90)] if arm == "B" else []
            feedback.approval(cid, edits)
            feedback.rate(cid, 1 if arm == "A" or i % 2 else -1)
    report = experiment_report(ops, experiment)
    control, b = report.arms
    rows = {m.key: m for m in b.metrics}
    assert set(rows) == {m.key for m in METRICS} and len(rows) == 13
    for m in control.metrics:  # the control's own figures, no difference to itself
        assert m.n == 12 and m.value is not None and m.difference is None, m.key
    for key, row in rows.items():
        assert row.n == 12 and row.value is not None and row.difference is not None, key
        assert row.low is not None and row.high is not None
        assert row.low - 1e-9 <= row.difference <= row.high + 1e-9, key
        assert row.method == ("newcombe" if key.endswith("_rate") and "error" not in key else "bootstrap")
    known = {
        "completion_rate": (1.0, 0.0, "no detectable difference"),
        "first_draft_approval_rate": (1.0, 0.0, "no detectable difference"),
        "edits_per_draft.price": (1.0, 1.0, "worse"),
        "edits_per_draft.title": (0.0, 0.0, "no detectable difference"),
        "turns_to_listing": (2.0, 0.0, "no detectable difference"),
        "seconds_to_listing": (65.0, 4.0, "worse"),
        "model_error_rate": (6 / 24, 6 / 24, "worse"),
        "tool_error_rate": (1 / 3, 1 / 3, "worse"),  # the second turn makes one call of its own
        "tokens_per_listing": (600.0, 300.0, "worse"),
        "cost_per_listing": (0.002, 0.0, "no detectable difference"),
        "thumbs_up_rate": (0.5, -0.5, "worse"),
    }
    for key, (value, difference, verdict) in known.items():
        row = rows[key]
        assert (row.value, row.difference, row.verdict) == (
            pytest.approx(value),
            pytest.approx(difference),
            verdict,
        ), key
    thumbs = newcombe(12, 12, 6, 12)
    assert (rows["thumbs_up_rate"].low, rows["thumbs_up_rate"].high) == (
        pytest.approx(thumbs.low),
        pytest.approx(thumbs.high),
    )
    assert b.verdict == "worse" and "thumbs-up rate" in b.worse_on and not report.warnings


def test_the_report_counts_a_price_changed_in_words_on_an_approved_draft(
    experiments: Path, ops: OpsStore
) -> None:
    # "make it 10 dollars more" changes the price as a card edit does: the report counts it (the very
    # figure a price-position experiment is about) when the draft is then approved, not when declined.
    experiment = load_experiment("lower-price")
    live(ops, experiment)
    store = ExperimentStore(ops)
    feedback = FeedbackStore(ops.path)
    for arm in ("A", "B"):
        for i in range(4):
            cid = f"{arm}{i}"
            store.add_conversation(cid, "lower-price", arm, f"v{arm}", f"s{arm}{i}")
            add_turn(ops, cid, 1, tool_calls=2, drafts=1, ago_min=3)
            add_turn(ops, cid, 2, approved=1, created=1, ago_min=2)
            if arm == "B":
                feedback.revision(cid, [Edit("price", 100, 110)])
                if i == 3:
                    feedback.decline(cid)  # this one's revision is not counted
                    feedback.revision(cid, [])
            feedback.approval(cid, [])
    report = experiment_report(ops, experiment)
    control, b = report.arms
    price = {m.key: m for m in b.metrics}["edits_per_draft.price"]
    assert price.value == pytest.approx(3 / 4)
    assert {m.key: m for m in control.metrics}["edits_per_draft.price"].value == 0.0


def test_promoting_the_control_over_an_arm_the_report_finds_better_is_refused_unless_forced(
    experiments: Path, ops: OpsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control promoted (the experiment ended, the label kept) while the report finds another arm better
    is a decision the report argues against: refused like promoting a worse arm, unless forced."""
    import agent.prompts
    from ops.experiments import promote

    experiment = load_experiment("lower-price")
    live(ops, experiment)
    twelve_each(ops, completed={"A": 3, "B": 9})  # A is the control
    assert experiment_report(ops, experiment).arms[1].verdict == "better"
    with pytest.raises(ExperimentError, match=r"finds B better on .*completion rate.* than the control A"):
        promote(ops, experiment, "A")
    assert ExperimentStore(ops).state("lower-price").status == "running"
    monkeypatch.setattr(agent.prompts, "set_label", lambda prompt, label: Path("labels.yaml"))
    assert promote(ops, experiment, "A", force=True).arm == "A"
    assert ExperimentStore(ops).state("lower-price").status == "promoted"
