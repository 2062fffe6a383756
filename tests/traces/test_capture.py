"""`trova eval capture`: a scenario that passes against the agent that produced the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.models import resolve_model
from agent.prompts import load_prompt
from cli.main import app
from evals.loader import load_scenarios
from evals.runner import EvalSettings, run_eval
from tests.traces.test_traces import chat
from tools.client import MarketplaceClient
from traces.setup import flush
from traces.store import TraceStore

runner = CliRunner()


@pytest.mark.parametrize(
    ("turns", "price"),
    [
        # The seller names a price outside the comparison's range; the agent keeps it.
        (["Selling my Canon EOS camera, excellent condition, asking $900", "yes"], {"equals": 900}),
        (["Selling my Canon EOS camera, excellent condition", "make it 400 instead", "yes"], {"equals": 400}),
        # No price from the seller: the agent's comes from the comparison.
        (["Selling my Canon EOS camera, excellent condition", "yes"], {"from": "compare_prices"}),
    ],
)
async def test_a_captured_scenario_passes_whoever_set_the_price(
    store: TraceStore, client: MarketplaceClient, tmp_path: Path, turns: list[str], price: dict[str, object]
) -> None:
    session = await chat(client, *turns)
    assert session.record.turns == len(turns)
    flush()
    out = tmp_path / "captured.yaml"
    result = runner.invoke(app, ["eval", "capture", session.id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (loaded,) = load_scenarios([out])
    results = await run_eval([loaded], resolve_model("offline"), load_prompt(), EvalSettings(progress=False))
    assert results.gate.passed, results.scenarios[0].runs[0].checks
    (create,) = [c for c in loaded.scenario.expect.tools.calls if c.tool == "create_listing"]
    assert create.args["price"].model_dump(exclude_none=True, by_alias=True) == price


def test_a_run_of_an_eval_run_is_captured_from_its_results(tmp_path: Path) -> None:
    from tests.evals.test_broken_agents import SELL_BIKE

    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "bike.yaml").write_text(SELL_BIKE.replace("it's in good condition", "good"))
    ran = runner.invoke(
        app, ["eval", "run", "--no-progress", str(tmp_path / "sc"), "--out", str(tmp_path / "run")]
    )
    assert ran.exit_code == 0, ran.output
    out = tmp_path / "captured.yaml"
    missing = runner.invoke(app, ["eval", "capture", str(tmp_path / "run"), "--out", str(out)])
    assert missing.exit_code == 2 and "say which scenario to capture with --scenario" in missing.output
    unknown = runner.invoke(app, ["eval", "capture", str(tmp_path / "run"), "--scenario", "nope"])
    assert unknown.exit_code == 2 and "has no scenario 'nope' (it has sell-bike)" in unknown.output
    # A whole scenario set is not listed id by id: the ids a typo may mean are offered.
    from evals.capture import Conversation
    from evals.results import load_results

    results = load_results(tmp_path / "run")
    (only,) = results.scenarios
    ids = [f"{kind}-{n}" for kind in ("sofa", "desk", "lamp") for n in range(4)] + ["bike-trek-road-good"]
    many = results.model_copy(update={"scenarios": [only.model_copy(update={"id": i}) for i in ids]})
    for asked in ("bike-trek-road-god", "trek-bike"):  # a typo; the words in another order
        with pytest.raises(LookupError) as raised:
            Conversation.from_run(many, asked)
        assert f"has no scenario '{asked}' (it has 13, listed in its summary.md)" in str(raised.value)
        assert str(raised.value).endswith("did you mean 'bike-trek-road-good'?")
    result = runner.invoke(
        app,
        [
            "eval",
            "capture",
            str(tmp_path / "run" / "results.json"),
            "--scenario",
            "sell-bike",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    (loaded,) = load_scenarios([out])
    # The scenario's own turn is kept; the simulated seller's "yes" is simulated again, not replayed.
    assert loaded.scenario.turns == ["I want to sell my Trek road bike, good"]
    assert loaded.scenario.simulate and loaded.scenario.seller.condition == "good"
    assert [c.tool for c in loaded.scenario.expect.tools.calls] == [
        "search_categories",
        "compare_prices",
        "create_listing",
    ]
    again = runner.invoke(app, ["eval", "run", "--no-progress", str(out), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0 and "Gate passed" in again.output, again.output


def test_a_run_captured_from_another_variant_passes_on_the_control(tmp_path: Path) -> None:
    # Captured from a variant that assumes the condition (it never asks), the scenario must not replay the
    # simulated seller's answers to that variant's questions: the control asks for the condition, and the
    # captured scenario's seller answers it from the facts, so the control passes it.
    (tmp_path / "sc").mkdir()
    from tests.evals.test_broken_agents import SELL_BIKE

    opening = "I want to sell my old Trek road bike"
    (tmp_path / "sc" / "bike.yaml").write_text(
        SELL_BIKE.replace("I want to sell my Trek road bike, it's in good condition", opening),
        encoding="utf-8",
    )
    both = ["--variant", "A=offline", "--variant", "B=offline,offline_condition=assume"]
    ran = runner.invoke(
        app, ["eval", "run", "--no-progress", str(tmp_path / "sc"), *both, "--out", str(tmp_path / "ab")]
    )
    assert ran.exit_code in (0, 1), ran.output
    out = tmp_path / "captured.yaml"
    captured = runner.invoke(
        app, ["eval", "capture", str(tmp_path / "ab" / "B"), "--scenario", "sell-bike", "--out", str(out)]
    )
    assert captured.exit_code == 0, captured.output
    (loaded,) = load_scenarios([out])
    assert loaded.scenario.turns == [opening] and loaded.scenario.simulate
    control = runner.invoke(app, ["eval", "run", "--no-progress", str(out), "--out", str(tmp_path / "a")])
    assert control.exit_code == 0 and "Gate passed" in control.output, control.output


async def test_capture_counts_what_it_wrote_in_words(
    store: TraceStore, client: MarketplaceClient, tmp_path: Path
) -> None:
    session = await chat(client, "I want to sell my chair")  # one turn: a lookup, then a question
    flush()
    result = runner.invoke(
        app, ["eval", "capture", session.id, "--out", str(tmp_path / "one.yaml")], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    assert "(1 turn, 1 expected call)" in result.output
    # The command to run it is one line at any width: a newline the console put in it breaks the paste.
    narrow = runner.invoke(
        app, ["eval", "capture", session.id, "--out", str(tmp_path / "two.yaml")], env={"COLUMNS": "40"}
    )
    assert f"Run it: trova eval run {tmp_path / 'two.yaml'}" in narrow.output, narrow.output


def _said(turns: list[str], draft_condition: str | None) -> object:
    from evals.capture import Conversation, scenario_from

    conversation = Conversation(
        kind="chat",
        ident="c1",
        model="offline",
        prompt="p@1",
        turns=turns,
        steps=[],
        created=0,
        condition=draft_condition,
        model_requests=3,
    )
    return scenario_from(conversation).seller.condition


@pytest.mark.parametrize(
    ("turns", "draft", "expected"),
    [
        # The agent misread a new title as the condition: the seller said "good", and that is the fact.
        (
            ["I want to sell my lamp", "good", "make the title Broken Arrow vintage lamp", "no"],
            "for_parts",
            "good",
        ),
        (["selling my bike", "like new, barely used", "yes"], "good", "like new"),
        # Never said: the draft's, as before.
        (["selling my bike", "400", "yes"], "fair", "fair"),
    ],
)
def test_the_captured_sellers_condition_is_the_one_the_seller_said(
    turns: list[str], draft: str, expected: str
) -> None:
    assert _said(turns, draft) == expected
