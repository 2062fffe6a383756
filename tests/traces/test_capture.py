"""`trova eval capture`: a scenario that passes against the agent that produced the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
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


def _said(
    turns: list[str],
    draft_condition: str | None,
    answers: tuple[str, ...] = (),
    approvals: tuple[str, ...] = (),
) -> object:
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
        condition_answers=answers,
        approvals=approvals,
    )
    return scenario_from(conversation).seller.condition


@pytest.mark.parametrize(
    ("turns", "draft", "answers", "approvals", "expected"),
    [
        # The agent misread a new title as the condition: the seller said "good" when asked, the fact.
        (
            ["I want to sell my lamp", "good", "make the title Broken Arrow vintage lamp", "no"],
            "for_parts",
            ("good",),
            (),
            "good",
        ),
        (["selling my bike", "like new, barely used", "yes"], "good", (), (), "like new"),
        # Said up front, then "looks good" to approve the draft: no second grade.
        (
            ["selling my iphone 11 screen, fair, 90", "looks good"],
            "good",
            (),
            ("looks good",),
            "fair",
        ),
        # A later answer to the question corrects an earlier one.
        (
            ["selling my bike", "good", "sorry, it's fair really"],
            "good",
            ("good", "sorry, it's fair really"),
            (),
            "fair",
        ),
        # Never said: the draft's (a simulated seller must answer the question), marked as the agent's.
        (["selling my bike", "400", "yes"], "fair", (), (), "fair"),
        # Said two ways the reader cannot tell apart: not the agent's reading, left to fill in.
        (["iphone 11 screen in fair shape, works good", "yes"], "good", (), (), None),
    ],
)
def test_the_captured_sellers_condition_is_the_one_the_seller_said(
    turns: list[str], draft: str, answers: tuple[str, ...], approvals: tuple[str, ...], expected: str | None
) -> None:
    assert _said(turns, draft, answers, approvals) == expected


async def test_a_condition_the_seller_never_told_is_marked_for_the_reviewer_not_copied_from_the_agent(
    store: TraceStore, client: MarketplaceClient, tmp_path: Path
) -> None:
    # A new user's capture wrote "seller.condition: good" where they had typed "fair": the agent's reading
    # taken as the seller's fact. Said once, it is theirs; not said plainly, the file says so where it looks.
    said_fair = await chat(
        client, "I want to sell my iphone 11 with a cracked screen", "fair", "90", "looks good"
    )
    unsaid = await chat(client, "I want to sell my IKEA desk")
    flush()
    documents = {}
    for name, session in (("fair", said_fair), ("unsaid", unsaid)):
        out = tmp_path / f"{name}.yaml"
        captured = runner.invoke(app, ["eval", "capture", session.id, "--out", str(out)])
        assert captured.exit_code == 0, captured.output
        documents[name] = out.read_text()
    fair = yaml.safe_load(documents["fair"])
    assert (fair["seller"]["condition"], fair["seller"]["item"]) == ("fair", "iphone 11")
    text = documents["unsaid"]
    assert "  condition: null  # TODO: the seller never said it" in text, text
    assert yaml.safe_load(text)["seller"]["condition"] is None


def test_a_condition_said_two_ways_or_only_drafted_is_marked_for_the_reviewer() -> None:
    from evals.capture import Conversation, scenario_from, to_check, to_yaml

    def captured(turns: list[str]) -> str:
        conversation = Conversation("chat", "c1", "offline", "p@1", turns, [], 0, "good", 3)
        return to_yaml(scenario_from(conversation), todo=to_check(conversation))

    both = captured(["iphone 11 screen in fair shape, works good", "yes"])
    assert "  condition: null  # TODO: the seller's words state fair and good: which did they mean?" in both
    drafted = captured(["selling my bike", "400"])
    assert "  condition: good  # TODO: the agent's draft, not the seller's words" in drafted
    assert "TODO" not in captured(["selling my bike, fair", "400"])


def test_the_captured_item_is_in_the_sellers_words() -> None:
    # The agent searched for words the seller never wrote: the item is the seller's message, not its reading.
    from evals.capture import Conversation, Step, scenario_from

    def item(query: str) -> str:
        conversation = Conversation(
            kind="chat",
            ident="c1",
            model="offline",
            prompt="p@1",
            turns=["selling my iphone 11, cracked glass", "yes"],
            steps=[Step("search_categories", {"query": query}, [])],
            created=0,
            condition=None,
            model_requests=2,
        )
        return scenario_from(conversation).seller.item

    assert item("iphone 11") == "iphone 11"
    assert item("iphone 11 screen") == "selling my iphone 11, cracked glass"


def test_a_captured_search_passes_a_search_by_any_of_its_words() -> None:
    # The matcher was the query's last word: "iphone 12 black" expected a search containing "black", so an
    # agent searching "iphone 12" (the item, without its colour) failed the captured scenario.
    from evals.capture import Conversation, Step, scenario_from
    from evals.matchers import check

    conversation = Conversation(
        kind="chat",
        ident="c1",
        model="offline",
        prompt="p@1",
        turns=["iphone 12 64gb black, unlocked", "yes"],
        steps=[Step("search_categories", {"query": "iphone 12 black"}, [])],
        created=0,
        condition=None,
        model_requests=2,
    )
    (search,) = scenario_from(conversation).expect.tools.calls
    query = search.args["query"]
    assert check(query, "iphone 12", []).ok and check(query, "black iphone", []).ok
    assert not check(query, "phone case", []).ok
