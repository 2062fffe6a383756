"""Counts on the admin pages agree with their nouns: "1 turn", "1 conversation", never "1 turns" or
"error(s)". The pages are rendered from their own templates with the filter the site registers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from ops.counts import counted
from ops.experiment_report import experiment_report
from ops.experiments import ArmHealth, ExperimentStore, Guardrails, broken_guardrail, load_experiment
from ops.monitor import Monitor
from ops.rules import check, load_rules
from ops.store import OpsStore
from tests.ops.conftest import NOW, add_turn
from tests.ops.test_experiments import live
from web.admin import TEMPLATES, experiment_charts


def render(template: str, path: str, **context: object) -> str:
    request = SimpleNamespace(url=SimpleNamespace(path=path))
    return TEMPLATES.env.get_template(template).render(request=request, csrf="x", **context)


def test_a_count_agrees_with_its_noun() -> None:
    assert [counted(n, "turn") for n in (0, 1, 2, 1200)] == ["0 turns", "1 turn", "2 turns", "1,200 turns"]
    assert counted(1, "category", "categories") == "1 category"
    assert counted(3, "category", "categories") == "3 categories"


def test_a_guardrail_broken_over_one_turn_says_one_turn() -> None:
    health = ArmHealth(turns=1, model_error_rate=1.0, tool_error_rate=None, p95_turn_latency_s=None)
    reason = broken_guardrail(Guardrails(min_turns=1), health)
    assert reason == "model error rate 100.0% is above 5.0% over 1 turn"


def test_a_guardrail_limit_is_never_rounded_away() -> None:
    """A limit of 0.001 s read "0.00 s": the arm looked stopped for being above nothing."""
    slow = ArmHealth(turns=5, model_error_rate=0.0, tool_error_rate=None, p95_turn_latency_s=0.49)
    reason = broken_guardrail(Guardrails(min_turns=1, max_p95_turn_latency_s=0.001), slow)
    assert reason == "p95 turn latency 0.49 s is above 0.001 s over 5 turns"
    failing = ArmHealth(turns=5, model_error_rate=0.2, tool_error_rate=None, p95_turn_latency_s=None)
    reason = broken_guardrail(Guardrails(min_turns=1, max_model_error_rate=0.0005), failing)
    assert reason == "model error rate 20.0% is above 0.05% over 5 turns"


def _experiment(folder: Path, min_conversations: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "one-each.yaml").write_text(
        "control: A\narms:\n  A: {variant: offline}\n  B: {variant: 'offline,temperature=0.2'}\n"
        f"guardrails: {{min_turns: 1}}\nmin_conversations: {min_conversations}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("min_conversations", [1, 10])
def test_an_experiment_of_one_conversation_an_arm_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ops: OpsStore, min_conversations: int
) -> None:
    monkeypatch.setenv("TROVA_EXPERIMENTS_DIR", str(tmp_path / "experiments"))
    _experiment(tmp_path / "experiments", min_conversations)
    experiment = load_experiment("one-each")
    live(ops, experiment)
    for arm in ("A", "B"):
        ExperimentStore(ops).add_conversation(f"c{arm}", "one-each", arm, f"v{arm}", f"s{arm}")
        add_turn(ops, f"c{arm}", 1, outcome="replied", ago_min=2)
    report = experiment_report(ops, experiment)
    page = " ".join(
        render(
            "admin/experiments.html",
            "/admin/experiments/one-each",
            experiments=None,
            report=report,
            charts=experiment_charts(report),
        ).split()
    )
    assert "once it has 1 turn:" in page
    if min_conversations == 1:
        assert "from 1 conversation per arm" in page and not report.warnings
    else:
        assert report.warnings == [
            "B: 1 conversation against the control's 1; the report calls a difference from 10 each "
            "(too few to tell yet)"
        ]
        assert "from 10 conversations per arm" in page


def test_one_evaluator_error_on_the_dashboard() -> None:
    check = SimpleNamespace(pass_rate=0.5, judged=2, errors=1)
    current = SimpleNamespace(
        model_errors_by_kind={}, tool_errors_by_tool={}, review_tags={}, online_checks={"on_topic": check}
    )
    page = render(
        "admin/dashboard.html",
        "/admin",
        period="1h",
        periods=["1h"],
        model=None,
        prompt=None,
        choices={"model": [], "prompt": []},
        cards=[],
        charts=[],
        current=current,
        window_href="/admin/x",
    )
    assert "online check on_topic: 50% of 2 (1 evaluator error)" in page


def test_a_turn_of_one_model_request_says_one_request() -> None:
    view = SimpleNamespace(id="c1", model="offline", prompt="p", started="now", outcome="replied")
    turns = [
        SimpleNamespace(
            number=n,
            outcome="replied",
            requests=n,
            seller="hi",
            tools=[],
            agent="hello",
            drafts=[],
            created=[],
            stopped=None,
        )
        for n in (1, 2)
    ]
    page = render(
        "admin/review.html",
        "/admin/review/c1",
        view=view,
        turns=turns,
        checks=[],
        reviews=[],
        tags=[],
        queued=None,
        message=None,
        error=None,
        can_capture=True,
    )
    assert "turn 1 · replied · 1 model request</div>" in page
    assert "turn 2 · replied · 2 model requests</div>" in page


def test_one_conversation_queued_for_review() -> None:
    page = render("admin/review_queue.html", "/admin/review", added=1, show="", items=[])
    assert "1 conversation queued just now." in page


def test_an_alert_rule_short_of_traffic_counts_one_turn(ops: OpsStore, tmp_path: Path) -> None:
    add_turn(ops, "only")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - {name: quiet, metric: model_error_rate, above: 0.05, window: 1h, min_turns: 10}\n",
        encoding="utf-8",
    )
    (verdict,) = check(Monitor(ops), load_rules(rules), now_ns=NOW)
    assert verdict.reason == "not enough traffic (1 turn, needs 10)"
