"""`trova traces diff`: outcomes, model errors and verdicts part runs too; replies worded apart are
shown; runs of different scenarios or conversations are flagged."""

from __future__ import annotations

import json

import httpx2
from openai import AsyncOpenAI
from pydantic_ai.models import override_allow_model_requests
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from typer.testing import CliRunner

from cli.main import app
from tests.helpers import say, scripted
from tests.traces.test_traces import chat
from tools.client import MarketplaceClient
from traces.setup import flush
from traces.store import TraceStore
from traces.views import ConversationView, TurnView, first_divergence, mismatch, steps

runner = CliRunner()


def unreachable_model() -> OpenAIChatModel:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    wire = httpx2.AsyncClient(transport=httpx2.MockTransport(refuse), base_url="http://down/v1")
    client = AsyncOpenAI(base_url="http://down/v1", api_key="unused", http_client=wire, max_retries=0)
    provider = OpenAIProvider(openai_client=client)
    return OpenAIChatModel("trova-offline", provider=provider)


def diff(a: str, b: str) -> dict[str, object]:
    result = runner.invoke(app, ["traces", "diff", a, b, "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


async def test_a_failed_model_request_is_where_the_runs_part(
    store: TraceStore, client: MarketplaceClient
) -> None:
    replied = await chat(client, "hello")
    with override_allow_model_requests(True):  # a provider nobody answers for: a connection error
        failed = await chat(client, model=unreachable_model())
        assert (await failed.send("hello")).stopped
    flush()
    result = diff(failed.id, replied.id)
    assert result["first_divergence"] == 2  # right after the seller's "hello"
    first = result["steps_a"][1]  # type: ignore[index]
    assert first["kind"] == "model_error" and "Connection" in first["text"]
    assert result["warning"] is None  # the same conversation, replayed
    table = runner.invoke(app, ["traces", "diff", failed.id, replied.id], env={"COLUMNS": "200"})
    assert "First divergence at step 2" in table.output and "same steps" not in table.output


async def test_outcomes_part_runs_and_rewording_is_noted(
    store: TraceStore, client: MarketplaceClient
) -> None:
    one = await chat(client, "hello", model=scripted(say("Hi! What are you selling?")))
    two = await chat(client, "hello", model=scripted(say("Hello there, what can I list for you?")))
    other = await chat(client, "I want to sell my Trek road bike")
    flush()
    reworded = diff(one.id, two.id)
    assert reworded["first_divergence"] is None and reworded["reply_differences"] == [3]
    shown = runner.invoke(app, ["traces", "diff", one.id, two.id], env={"COLUMNS": "200"})
    assert "same steps" in shown.output and "worded differently at step 3" in shown.output
    assert "may not be the same conversation" in str(diff(one.id, other.id)["warning"])


def view(id_: str, scenario: str | None, outcome: str, verdict: str | None = None) -> ConversationView:
    turn = TurnView(1, "t", "hello", "hi", {}, [], [], outcome, 1.0, None)
    return ConversationView(id_, "eval", "", "m", "p", "s", scenario, ["t"], [turn], verdict=verdict)


def test_outcome_and_verdict_steps_and_scenario_warnings() -> None:
    replied, stopped = view("a", "x", "replied"), view("b", "x", "stopped")
    assert first_divergence(steps(replied), steps(stopped)) == 1  # the turn's outcome
    passed, failed = view("a", "x", "replied", "passed"), view("b", "x", "replied", "failed")
    failed.failed_checks = {"replies": "no greeting"}
    assert [s.kind for s in steps(failed)][-1] == "verdict"
    assert first_divergence(steps(passed), steps(failed)) == len(steps(passed)) - 1
    assert mismatch(passed, failed) is None
    assert "different scenarios (scenario x vs scenario y)" in str(
        mismatch(passed, view("c", "y", "replied"))
    )
    assert "with itself" in str(mismatch(passed, passed))
