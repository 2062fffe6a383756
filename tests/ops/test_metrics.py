"""Metrics from every conversation, through logfire's metrics API into any OpenTelemetry reader (the one a
Logfire token or an OTLP endpoint would add), labelled with the model and the prompt version; and the same
facts in the turn index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from pydantic_ai import ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agent.listing_agent import build_agent
from agent.models import resolve_model
from agent.session import ChatSession
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher
from traces.setup import configure_tracing, disable_tracing, flush, store_path


@pytest.fixture
def reader(trova_home: Path) -> Iterator[InMemoryMetricReader]:
    memory = InMemoryMetricReader()
    configure_tracing("test", metric_readers=[memory])
    yield memory
    disable_tracing()


def points(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, Any], float]]]:
    """Metric name -> (labels, value) for each data point (sums' values, histograms' counts)."""
    found: dict[str, list[tuple[dict[str, Any], float]]] = {}
    data = reader.get_metrics_data()
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    value = getattr(point, "value", None)
                    found.setdefault(metric.name, []).append(
                        (dict(point.attributes or {}), value if value is not None else point.count)
                    )
    return found


def total(found: dict[str, list[tuple[dict[str, Any], float]]], name: str, **labels: str) -> float:
    return sum(v for attrs, v in found.get(name, []) if all(attrs.get(k) == w for k, w in labels.items()))


async def test_a_conversation_emits_labelled_metrics_and_indexes_its_turns(
    reader: InMemoryMetricReader, client: MarketplaceClient, tmp_path: Path
) -> None:
    offline = resolve_model("offline")
    session = ChatSession.start(
        build_agent(offline.model),
        TrovaDeps(client),
        publisher=Publisher(client),
        model="offline",
        prompt="listing_agent@test",
        marketplace="test",
        save_dir=tmp_path,
    )
    await session.send("I want to sell my Trek road bike")
    await session.send("good")
    result = await session.send("yes")
    assert result.created and result.first_listing
    found = points(reader)
    labels = {"model": "offline", "prompt_version": "listing_agent@test"}
    assert total(found, "trova.turns", **labels) == 3
    assert total(found, "trova.conversations.started", **labels) == 1
    assert total(found, "trova.conversations.completed", **labels) == 1
    assert total(found, "trova.listings.created", **labels) == 1
    assert total(found, "trova.drafts.proposed", **labels) == 1
    assert total(found, "trova.drafts.answered", answer="approved", **labels) == 1
    assert total(found, "trova.turn.duration", **labels) == 3  # one latency point per turn
    assert total(found, "trova.tool.duration", tool="search_categories", **labels) == 1
    assert total(found, "trova.tool.duration", tool="compare_prices", **labels) == 1
    assert total(found, "trova.tool.duration", tool="create_listing", **labels) == 1
    assert total(found, "trova.model.errors") == 0
    flush()
    rows = (
        sqlite3.connect(store_path())
        .execute(
            "SELECT turn, model, prompt, outcome, drafts, approved, created, model_requests, input_tokens > 0"
            " FROM turns ORDER BY start_ns"
        )
        .fetchall()
    )
    assert rows == [
        (1, "offline", "listing_agent@test", "replied", 0, 0, 0, 2, 1),
        (2, "offline", "listing_agent@test", "awaiting_approval", 1, 0, 0, 2, 1),
        (3, "offline", "listing_agent@test", "created", 0, 1, 1, 1, 1),
    ]


async def test_model_errors_are_counted_by_kind(
    reader: InMemoryMetricReader, client: MarketplaceClient, tmp_path: Path
) -> None:
    def limited(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ModelHTTPError(429, "m", {"error": "slow down"})

    session = ChatSession.start(
        build_agent(FunctionModel(limited)),
        TrovaDeps(client),
        publisher=Publisher(client),
        model="m",
        prompt="p",
        marketplace="test",
        save_dir=tmp_path,
    )
    result = await session.send("I want to sell my bike")
    assert result.stopped
    found = points(reader)
    assert total(found, "trova.model.errors", kind="rate_limited", model="m", prompt_version="p") == 1
    flush()
    assert sqlite3.connect(store_path()).execute("SELECT error_kind FROM turns").fetchall() == [
        ("rate_limited",)
    ]
