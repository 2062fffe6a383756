"""A run that ends before a listing is made says why the conversation ended (the seller stopped at a
reply it could not answer, the turn limit, the script ran out): typed in the results, and shown in the
terminal, the HTML report and JUnit beside the failed checks."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from typer.testing import CliRunner

from cli.main import app
from evals.ending import ConversationEnd
from evals.results import load_results
from evals.schema import SellerFacts
from evals.seller import RuleSeller, SellerView

# The agent looks the category up, then says something that is not a question: the seller has nothing
# to answer, so the conversation ends with no listing.
REMARK = "Nice bike.\nI filed it under Bicycles."

BIKE = """\
id: bike-remark
description: The seller names the bike; a good agent asks its condition.
seller: {item: Trek road bike, condition: good, approves: true}
turns: ["I want to sell my Trek road bike"]
expect:
  tools:
    calls:
      - tool: search_categories
      - tool: create_listing
  listing: {created: 1}
"""


def _respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    last = messages[-1]
    answered = isinstance(last, ModelRequest) and any(p.part_kind == "tool-return" for p in last.parts)
    if answered:
        return ModelResponse(parts=[TextPart(REMARK)])
    return ModelResponse(parts=[ToolCallPart("search_categories", {"query": "road bike"})])


def remarks_instead_of_asking() -> FunctionModel:
    """For --model tests.evals.test_conversation_end:remarks_instead_of_asking."""
    return FunctionModel(_respond)


def _run(tmp_path: Path, scenario: str, *options: str) -> tuple[str, Path]:
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    (folder / "s.yaml").write_text(scenario, encoding="utf-8")
    out = tmp_path / "run"
    model = "tests.evals.test_conversation_end:remarks_instead_of_asking"
    result = CliRunner().invoke(
        app, ["eval", "run", str(folder), "--model", model, "--no-progress", "--out", str(out), *options]
    )
    assert result.exit_code == 1, result.output
    return result.output, out


def test_a_seller_that_stops_says_why_in_the_results_terminal_and_reports(tmp_path: Path) -> None:
    output, out = _run(tmp_path, BIKE)
    why = (
        "the simulated seller stopped at turn 1: the agent's reply asked nothing it could answer: "
        "'Nice bike.\\nI filed it under Bicycles.'"
    )
    # The terminal: on the failed run's line, beside the checks that failed.
    (line,) = [x for x in output.splitlines() if x.startswith("✗ bike-remark run 1:")]
    assert "create_listing, was never made" in line and why in line, line
    # The results: a typed field of the run record, read back as such.
    (run,) = load_results(out).scenarios[0].runs
    assert run.record.ended == ConversationEnd(1, "asked_nothing", REMARK)
    assert json.loads((out / "results.json").read_text())["scenarios"][0]["runs"][0]["record"]["ended"] == {
        "turn": 1,
        "reason": "asked_nothing",
        "reply": REMARK,
    }
    # The HTML report, escaped; JUnit's failure text.
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        "Why it ended: the simulated seller stopped at turn 1: the agent&#x27;s reply asked nothing" in html
    )
    assert "run 1: " + why in (out / "junit.xml").read_text(encoding="utf-8").replace("&apos;", "'")


def test_the_turn_limit_and_the_end_of_a_script_are_named_too(tmp_path: Path) -> None:
    scripted = BIKE.replace('turns: ["I want to sell my Trek road bike"]', "turns: [hello, are you there]")
    output, _ = _run(tmp_path, scripted.replace("seller:", "simulate: false\nseller:"))
    assert "the scripted turns ended at turn 2 (simulate: false)" in output
    output, _ = _run(tmp_path, scripted.replace("seller:", "max_turns: 1\nseller:"))
    assert "the conversation reached the scenario's turn limit (max_turns: 1)" in output


async def test_the_rule_seller_says_why_it_stopped() -> None:
    seller = RuleSeller(SellerFacts(item="Trek road bike", condition="good"))
    assert await seller.next(SellerView("Thanks, that is all.")) is None
    assert seller.stopped == "asked_nothing"
    assert await seller.next(SellerView("Done!", created=[{"id": 1}])) is None
    assert seller.stopped == "listing_created"
    assert await seller.next(SellerView("   ")) is None and seller.stopped == "empty_reply"
    puzzled = RuleSeller(SellerFacts(item="Trek road bike", condition="good"))
    # Asked the category with no hint of it in the scenario: "I'm not sure." once, then nothing.
    assert await puzzled.next(SellerView("Which category should I put it in?")) == "I'm not sure."
    assert await puzzled.next(SellerView("Which category should I put it in?")) is None
    assert puzzled.stopped == "unanswerable"
    assert "asked again what it could not answer" in ConversationEnd.at(2, "unanswerable", "?").describe()


def test_a_long_reply_is_cut_and_escaped_in_the_reason() -> None:
    ended = ConversationEnd.at(3, "asked_nothing", "\x1b[2J" + "word " * 100)
    text = ended.describe()
    assert text.startswith("the simulated seller stopped at turn 3: the agent's reply asked nothing")
    assert "\\x1b[2J" in text and "\x1b" not in text and text.endswith("…'") and len(text) < 300


def test_a_script_that_ran_out_after_the_listing_is_not_given_as_why_a_run_failed(tmp_path: Path) -> None:
    """The listing was made; what failed is an expectation (the price): the end of the script is no
    reason, and saying it points the reader the wrong way."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "lamp.yaml").write_text(
        """\
id: lamp-price
description: A scripted seller; the expected price is wrong on purpose.
seller: {item: IKEA floor lamp, condition: good, approves: true}
turns: [I want to sell my IKEA floor lamp, it's in good condition, "yes"]
simulate: false
expect:
  listing: {created: 1, price: {between: [1000, 2000]}}
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["eval", "run", str(folder), "--no-progress", "--out", str(tmp_path / "run")],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 1, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("✗ lamp-price run 1:")]
    assert "is not between 1,000 and 2,000" in line and "scripted turns ended" not in line, line
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "Why it ended" not in html
