"""Traces: every turn recorded with its tool calls; secrets never stored; the CLI views; capture."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic_ai.models import override_allow_model_requests
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from typer.testing import CliRunner

from agent.listing_agent import build_agent
from agent.model_server import create_model_server
from agent.models import resolve_model
from agent.offline.model import OfflineModel
from agent.prompts import load_prompt
from agent.session import ChatSession
from cli.main import app
from evals.capture import scenario_from, to_yaml
from evals.loader import load_scenarios
from evals.runner import EvalSettings, run_eval
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher
from traces.setup import configure_tracing, disable_tracing, flush
from traces.store import TraceStore
from traces.views import ToolStep, first_divergence, load, steps

runner = CliRunner()


async def chat(client: MarketplaceClient, *messages: str, model=None) -> ChatSession:
    session = ChatSession.start(
        build_agent(model or OfflineModel()),
        TrovaDeps(client, "seller_test"),
        publisher=Publisher(client),
        model="offline",
        prompt="listing_agent@test",
        marketplace="test",
    )
    for message in messages:
        await session.send(message)
    return session


async def test_every_tool_call_is_recorded_with_arguments_and_results(
    store: TraceStore, client: MarketplaceClient
) -> None:
    session = await chat(client, "I want to sell my old Trek road bike", "good", "yes")
    flush()
    view = load(store, session.id)
    assert [t.seller for t in view.turns] == ["I want to sell my old Trek road bike", "good", "yes"]
    tools = [s for t in view.turns for s in t.steps if isinstance(s, ToolStep)]
    assert [t.name for t in tools] == ["search_categories", "compare_prices", "create_listing"]
    assert tools[0].args == {"query": "Trek road bike"} and tools[0].result["matches"][0]["id"] == 1026
    assert tools[2].result["title"] == "Trek road bike"
    assert view.turns[1].drafts and view.turns[2].approvals and view.turns[2].created
    assert view.model == "offline" and view.prompt == "listing_agent@test" and view.seller_id == "seller_test"
    assert view.tokens > 0 and view.outcome == "created"
    models = [s for t in view.turns for s in t.steps if not isinstance(s, ToolStep)]
    assert models and all(m.model == "trova-offline" and m.input_tokens > 0 for m in models)


async def test_secrets_never_reach_a_span_or_the_store(
    trova_home: Path, client: MarketplaceClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_key = "zz-test-DO-NOT-STORE-1234567890abcdef"  # no known key format: caught as an env secret's value
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    spans = InMemorySpanExporter()
    store = configure_tracing("test", extra_processors=[SimpleSpanProcessor(spans)])
    assert store is not None
    try:
        # The OpenAI path sends the key in an Authorization header; the marketplace gets the bearer token.
        wire = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=create_model_server()), base_url="http://ms/v1"
        )
        model = OpenAIChatModel(
            "trova-offline",
            provider=OpenAIProvider(base_url="http://ms/v1", api_key=api_key, http_client=wire),
        )
        with override_allow_model_requests(True):  # the in-process model server, not a provider
            await chat(client, "I want to sell my Trek road bike, good condition", "yes", model=model)
        exported = json.dumps([dict(s.attributes or {}) for s in spans.get_finished_spans()], default=str)
        assert "create_listing" in exported
        assert api_key not in exported and str(client.token) not in exported and "Bearer" not in exported
        # A seller who pastes secrets into the chat: the store redacts them too.
        await chat(
            client, f"I want to sell my bike. my api key is sk-live-{api_key} and my token is {client.token}"
        )
        flush()
        stored = store.all_text()
        assert "create_listing" in stored and "[REDACTED]" in stored  # the conversation is there...
        assert (
            api_key not in stored and str(client.token) not in stored and "Bearer " not in stored
        )  # ...its secrets not
    finally:
        disable_tracing()


async def test_cli_list_show_and_json(store: TraceStore, client: MarketplaceClient) -> None:
    session = await chat(client, "I want to sell my Trek road bike, good condition", "no")
    flush()
    listed = runner.invoke(app, ["traces", "list", "--json"])
    assert listed.exit_code == 0
    item = next(x for x in json.loads(listed.output) if x["id"] == session.id)
    assert item["kind"] == "chat" and item["tools"][:2] == ["search_categories", "compare_prices"]
    for width in ("80", "200"):  # entries on narrow terminals, a table on wide ones
        table = runner.invoke(app, ["traces", "list"], env={"COLUMNS": width})
        assert table.exit_code == 0 and session.id in table.output
        assert "search compare" in table.output and ("┃ id" in table.output) == (width == "200")
    shown = runner.invoke(app, ["traces", "show", session.id[:18]], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "tool search_categories" in shown.output and 'args: {"query": "Trek road bike"}' in shown.output
    assert "model request trova-offline" in shown.output and "finish" in shown.output
    assert "approval" in shown.output and "did not approve" in shown.output, shown.output
    missing = runner.invoke(app, ["traces", "show", "no-such-id"])
    assert missing.exit_code == 2 and "no conversation or trace" in missing.output


async def test_a_one_turn_conversation_is_said_as_one_turn(
    store: TraceStore, client: MarketplaceClient
) -> None:
    session = await chat(client, "I want to sell my Trek road bike")
    flush()
    narrow = runner.invoke(app, ["traces", "list"], env={"COLUMNS": "80"})
    assert session.id in narrow.output and " · 1 turn · " in narrow.output, narrow.output
    shown = runner.invoke(app, ["traces", "show", session.id], env={"COLUMNS": "200"})
    assert " · 1 turn · " in shown.output, shown.output


async def test_capture_writes_a_scenario_that_loads_and_passes(
    store: TraceStore, client: MarketplaceClient, tmp_path: Path
) -> None:
    session = await chat(client, "I want to sell my old Trek road bike", "good", "yes")
    flush()
    out = tmp_path / "captured.yaml"
    result = runner.invoke(app, ["eval", "capture", session.id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (loaded,) = load_scenarios([out])
    assert loaded.scenario.turns == ["I want to sell my old Trek road bike", "good", "yes"]
    assert [c.tool for c in loaded.scenario.expect.tools.calls] == [
        "search_categories",
        "compare_prices",
        "create_listing",
    ]
    results = await run_eval([loaded], resolve_model("offline"), load_prompt(), EvalSettings(progress=False))
    assert results.gate.passed, results.scenarios[0].runs[0].checks
    text = to_yaml(scenario_from(load(store, session.id), "again"))
    assert text.startswith("# yaml-language-server")


def test_diff_points_at_the_first_wrong_step(store: TraceStore, tmp_path: Path) -> None:
    from tests.evals.test_broken_agents import SELL_BIKE

    folder = tmp_path / "sc"
    folder.mkdir()
    (folder / "sell-bike.yaml").write_text(SELL_BIKE)
    good = runner.invoke(app, ["eval", "run", str(folder), "--no-progress", "--out", str(tmp_path / "good")])
    bad = runner.invoke(
        app,
        [
            "eval",
            "run",
            str(folder),
            "--no-progress",
            "--out",
            str(tmp_path / "bad"),
            "--without-tool",
            "compare_prices",
        ],
        env={"COLUMNS": "300"},
    )
    assert good.exit_code == 0 and bad.exit_code == 1
    good_run = json.loads((tmp_path / "good" / "results.json").read_text())["scenarios"][0]["runs"][0][
        "record"
    ]
    bad_run = json.loads((tmp_path / "bad" / "results.json").read_text())["scenarios"][0]["runs"][0]["record"]
    assert bad_run["trace_id"] and f"trova traces show {bad_run['trace_id']}" in bad.output
    flush()
    a, b = load(store, bad_run["trace_id"]), load(store, good_run["conversation_id"])
    assert a.kind == "eval" and a.verdict == "failed" and b.verdict == "passed"
    index = first_divergence(steps(a), steps(b))
    assert index is not None
    assert "compare_prices" in steps(b)[index].text or "compare_prices" in steps(b)[index + 1].text
    shown = runner.invoke(
        app, ["traces", "diff", bad_run["trace_id"], good_run["conversation_id"]], env={"COLUMNS": "250"}
    )
    assert shown.exit_code == 0 and "first divergence" in shown.output
    diffed = json.loads(
        runner.invoke(
            app, ["traces", "diff", bad_run["conversation_id"], good_run["conversation_id"], "--json"]
        ).output
    )
    assert diffed["first_divergence"] == index + 1  # numbered as the table shows it


async def test_each_eval_run_is_its_own_trace_holding_only_its_conversation(store: TraceStore) -> None:
    root = Path(__file__).parents[2] / "scenarios"
    scenarios = load_scenarios([root / "bike-kids-asking-price.yaml", root / "bike-giant-title-change.yaml"])
    results = await run_eval(
        scenarios, resolve_model("offline"), load_prompt(), EvalSettings(progress=False, repeat=2)
    )
    flush()
    records = [run.record for _, run in results.runs()]
    assert len(records) == 4
    assert len({r.trace_id for r in records}) == 4
    for record in records:
        assert record.trace_id is not None
        by_trace, by_id = load(store, record.trace_id), load(store, record.conversation_id)
        assert by_trace.id == by_id.id == record.conversation_id
        assert by_trace.scenario == record.scenario_id and by_trace.verdict == "passed"
        assert [t.seller for t in by_trace.turns] == [t.seller for t in record.turns]
        names = [s.name for s in store.trace(record.trace_id)]
        assert any(n.startswith("eval run") for n in names) and any(
            n.startswith("eval checks") for n in names
        )


async def test_a_turn_cut_off_mid_stream_is_kept_and_traced_as_stopped(
    store: TraceStore, client: MarketplaceClient
) -> None:
    session = await chat(client)
    events = session.stream("I want to sell my Trek road bike, good condition")
    async for _event in events:
        break  # the browser tab closes after the first event
    await events.aclose()
    assert session.last_result is not None and session.last_result.stopped
    assert "connection closed" in session.last_result.stopped
    flush()
    (turn,) = load(store, session.id).turns
    assert turn.outcome == "stopped" and turn.stopped and turn.seller.startswith("I want to sell")


def test_list_on_an_empty_store_is_an_empty_list(trova_home: Path) -> None:
    listed = runner.invoke(app, ["traces", "list", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
    human = runner.invoke(app, ["traces", "list"])
    assert human.exit_code == 0 and "No conversations recorded yet" in human.output
