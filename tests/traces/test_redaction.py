"""What reaches a span: the seller's words whole, secrets never, whichever exporter reads it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import logfire
import pytest
from fastapi import FastAPI
from logfire.testing import TestExporter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from typer.testing import CliRunner

from agent.models import resolve_model
from agent.prompts import load_prompt
from cli.main import app
from evals.loader import load_scenarios
from evals.runner import EvalSettings, run_eval
from tests.conftest import BASE_URL
from tests.evals.test_broken_agents import SELL_BIKE
from tests.traces.test_traces import chat
from tools.client import MarketplaceClient
from traces.setup import configure_tracing, disable_tracing, flush
from traces.store import TraceStore
from traces.views import ToolStep, load

runner = CliRunner()


@pytest.fixture
def exported(trova_home: Path) -> Iterator[tuple[InMemorySpanExporter, TraceStore]]:
    """Spans as an OTLP backend would get them (an in-memory exporter stands in), and the store."""
    spans = InMemorySpanExporter()
    store = configure_tracing("test", extra_processors=[SimpleSpanProcessor(spans)])
    assert store is not None
    yield spans, store
    disable_tracing()


def _text(span: ReadableSpan) -> str:
    events = [{"name": e.name, **dict(e.attributes or {})} for e in span.events]
    return json.dumps([span.name, span.status.description, dict(span.attributes or {}), events], default=str)


def everything(spans: InMemorySpanExporter) -> str:
    return "\n".join(_text(s) for s in spans.get_finished_spans())


async def test_ordinary_words_that_look_sensitive_are_kept(
    exported: tuple[InMemorySpanExporter, TraceStore], client: MarketplaceClient, tmp_path: Path
) -> None:
    spans, store = exported
    first = "I want to sell my authentic Louis Vuitton handbag"
    session = await chat(client, first, "good", "200", "yes")
    jar = await chat(client, "Selling a Victoria secret cookie jar, session pass included")
    flush()
    # Exported as typed: logfire's default patterns (auth, secret, cookie, session) scrub by value.
    text = everything(spans)
    assert "Scrubbed" not in text and "logfire.scrubbed" not in text
    assert first in text and "Victoria secret cookie jar, session pass" in text
    view = load(store, session.id)
    assert view.turns[0].seller == first
    tools = [s for t in view.turns for s in t.steps if isinstance(s, ToolStep)]
    assert tools[0].args == {"query": "authentic Louis Vuitton handbag"}
    assert tools[-1].name == "create_listing" and "authentic" in tools[-1].args["description"]
    assert "cookie jar" in load(store, jar.id).turns[0].seller
    shown = runner.invoke(app, ["traces", "show", session.id], env={"COLUMNS": "250"})
    assert shown.exit_code == 0 and f"seller: {first}" in shown.output and "Scrubbed" not in shown.output
    out = tmp_path / "captured.yaml"
    captured = runner.invoke(app, ["eval", "capture", session.id, "--out", str(out)])
    assert captured.exit_code == 0, captured.output
    assert first in out.read_text() and "Scrubbed" not in out.read_text()


async def test_a_scenario_named_like_a_secret_keeps_its_ids(
    exported: tuple[InMemorySpanExporter, TraceStore], tmp_path: Path
) -> None:
    spans, store = exported
    scenario = tmp_path / "auth.yaml"
    scenario.write_text(SELL_BIKE.replace("id: sell-bike", "id: authentic-bike-session"))
    results = await run_eval(
        load_scenarios([scenario]), resolve_model("offline"), load_prompt(), EvalSettings(progress=False)
    )
    record = results.scenarios[0].runs[0].record
    assert record.conversation_id.startswith("eval-authentic-bike-session-")
    flush()
    view = load(store, record.conversation_id)
    assert view.id == record.conversation_id and view.scenario == "authentic-bike-session"
    assert view.verdict == "passed"
    assert "Scrubbed" not in everything(spans)


def test_secret_names_and_credentials_are_still_scrubbed(
    exported: tuple[InMemorySpanExporter, TraceStore],
) -> None:
    spans, _store = exported
    with logfire.span("login", password="hunter2-pw", seller_message="my key Bearer abcdefghijklmnop ok"):
        pass
    logfire.info("call", api_key="zz-not-a-known-format-123", note="x Bearer abcdefghijklmnop y")
    flush()
    text = everything(spans)
    assert "hunter2-pw" not in text and "zz-not-a-known-format-123" not in text  # scrubbed by name
    assert "abcdefghijklmnop" not in text  # a credential, in our attribute or anyone's
    assert "my key [REDACTED] ok" in text  # the seller's other words stay


async def test_secrets_are_redacted_before_any_exporter(
    exported: tuple[InMemorySpanExporter, TraceStore],
    client: MarketplaceClient,
    market_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spans, store = exported
    env_key = "zz-env-secret-0123456789abcdef"  # no known format: known as an environment variable's value
    monkeypatch.setenv("OPENAI_API_KEY", env_key)
    typed = "I want to sell my bike, my token is Bearer abcdefghijklmnop and key sk-live-abcdefghijkl123"
    session = await chat(client, typed)
    with pytest.raises(ValueError), logfire.span("calling the provider"):
        raise ValueError(f"provider refused key sk-abcdefghijklmnopqrstuv (configured {env_key})")
    logfire.info("configured", provider_key="sk-abcdefghijklmnopqrstuv")
    # A seller's words in a search query, URL-encoded (the marketplace's HTTP span keeps the query).
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=market_app), base_url=BASE_URL) as http:
        response = await http.get("/categories/search", params={"q": "Bearer abcdefghijkl123456 bike"})
    assert response.status_code == 200
    flush()
    text = everything(spans)
    for secret in ("abcdefghijklmnop", "abcdefghijkl123", "abcdefghijklmnopqrstuv", env_key, "Bearer abc"):
        assert secret not in text, secret
    assert "q=[REDACTED]" in text and "provider refused key [REDACTED]" in text
    assert "my token is [REDACTED] and key [REDACTED]" in text  # in the model messages too
    names = {s.name for s in spans.get_finished_spans()}
    assert "GET /categories/search" in names and "calling the provider" in names
    stored = store.all_text()  # the store's own pass stays as defence in depth; nothing got through
    assert "my token is [REDACTED]" in stored and env_key not in stored and "abcdefghijkl123" not in stored
    assert (
        load(store, session.id).turns[0].seller.startswith("I want to sell my bike, my token is [REDACTED]")
    )


def test_placeholders_of_open_spans_carry_no_secret(trova_home: Path) -> None:
    # Logfire sends a placeholder when a span opens (its start attributes); TestExporter receives them.
    spans = TestExporter()
    configure_tracing("test", local_store=False, extra_processors=[SimpleSpanProcessor(spans)])
    try:
        with logfire.span("GET /search", **{"url.query": "q=Bearer+abcdefghijkl123456"}):
            pass
        flush()
    finally:
        disable_tracing()
    finished = spans.exported_spans
    assert any((s.attributes or {}).get("logfire.span_type") == "pending_span" for s in finished)
    assert all(dict(s.attributes or {}).get("url.query") == "q=[REDACTED]" for s in finished)
