"""The local trace store: conversation lookup, retention, redaction, pending spans skipped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from settings.errors import SettingError
from traces.redact import REDACTED, redact
from traces.store import SQLiteSpanExporter, TraceStore


@pytest.fixture
def store(tmp_path: Path) -> TraceStore:
    return TraceStore(tmp_path / "traces.db")


def tracer(store: TraceStore):  # type: ignore[no-untyped-def]
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SQLiteSpanExporter(store)))
    return provider.get_tracer("test")


def test_conversations_resolve_by_id_prefix_and_trace(store: TraceStore) -> None:
    t = tracer(store)
    with t.start_as_current_span("chat turn 1", attributes={"conversation_id": "c-alpha-1"}) as span:
        with t.start_as_current_span("execute_tool search_categories"):
            pass
        trace_id = format(span.get_span_context().trace_id, "032x")
    with t.start_as_current_span("chat turn 1", attributes={"conversation_id": "c-beta-2"}):
        pass
    assert store.resolve("c-alpha-1") == [trace_id]
    assert store.resolve("c-alpha") == [trace_id]  # a unique prefix
    assert store.resolve(trace_id) == [trace_id]
    assert {s.name for s in store.trace(trace_id)} == {"chat turn 1", "execute_tool search_categories"}
    with pytest.raises(LookupError, match="matches more than one conversation"):
        store.resolve("c-")
    assert store.resolve("nothing") == []
    assert [c for c, _ in store.conversations()] == ["c-beta-2", "c-alpha-1"]


def test_retention_drops_old_spans(store: TraceStore, monkeypatch: pytest.MonkeyPatch) -> None:
    t = tracer(store)
    old = time.time_ns() - 30 * 86400 * 10**9
    t.start_span("chat turn 1", attributes={"conversation_id": "old"}, start_time=old).end(
        end_time=old + 1000
    )
    with t.start_as_current_span("chat turn 1", attributes={"conversation_id": "new"}):
        pass
    monkeypatch.setenv("TROVA_TRACE_RETENTION_DAYS", "14")
    assert store.prune() == 1
    assert [c for c, _ in store.conversations()] == ["new"]


def test_pending_spans_are_not_stored(store: TraceStore) -> None:
    t = tracer(store)
    with t.start_as_current_span(
        "x", attributes={"logfire.span_type": "pending_span", "conversation_id": "p"}
    ):
        pass
    assert store.conversations() == []


def test_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "s3cr3t-value-xyz")
    text = 'token trova_abcdefghijklmnop1234 key sk-abcdefghijklmnop auth "Bearer abc.def.ghi" and s3cr3t-value-xyz'
    cleaned = redact(text)
    for secret in ("trova_abcdefghijklmnop1234", "sk-abcdefghijklmnop", "abc.def.ghi", "s3cr3t-value-xyz"):
        assert secret not in cleaned
    assert cleaned.count(REDACTED) == 4
    assert redact("a plain listing: Trek road bike, $150") == "a plain listing: Trek road bike, $150"
    assert redact("Basic dXNlcjpwYXNz and Basic YWxhZGRpbjpvcGVuc2VzYW1l") == f"{REDACTED} and {REDACTED}"
    words = "Basic training manual, Basic Instinct DVD, BASIC PROGRAMMING book"  # a seller's words
    assert redact(words) == words


def test_list_filters_reach_past_the_newest_conversations(store: TraceStore) -> None:
    from traces.views import load, recent

    t = tracer(store)
    with t.start_as_current_span(
        "chat turn 1", attributes={"conversation_id": "chat-old", "outcome": "created"}
    ):
        pass
    # An evaluation: one shared parent trace, each run tagged under it, like pydantic-evals lays them out.
    with t.start_as_current_span("evaluate"):
        for n in range(120):
            with (
                t.start_as_current_span(
                    "eval run x", attributes={"conversation_id": f"eval-x-{n:04x}", "scenario_id": "x"}
                ),
                t.start_as_current_span("chat turn 1", attributes={"conversation_id": f"eval-x-{n:04x}"}),
            ):
                t.start_span("execute_tool compare_prices").end()
    assert [v.id for v in recent(store, limit=5, kind="chat")] == ["chat-old"]
    assert len(recent(store, limit=200, scenario="x")) == 120
    one = load(store, "eval-x-0007")
    assert [s.name for s in store.conversation_spans("eval-x-0007")].count("chat turn 1") == 1
    assert len(one.turns) == 1 and one.id == "eval-x-0007"
    with pytest.raises(ValueError, match="kind must be one of"):
        recent(store, kind="bogus")


def test_a_size_cap_drops_the_oldest_traces_first(store: TraceStore) -> None:
    t = tracer(store)
    for n in range(200):
        with t.start_as_current_span(
            "chat turn 1", attributes={"conversation_id": f"c-{n:03d}", "pad": "x" * 4000}
        ):
            pass
    before = {c for c, _ in store.conversations(limit=500)}
    assert len(before) == 200
    assert store.prune(max_mb=0.25) > 0
    after = [c for c, _ in store.conversations(limit=500)]
    assert 0 < len(after) < 100 and "c-199" in after and "c-000" not in after
    assert sorted(after) == [f"c-{n:03d}" for n in range(200 - len(after), 200)]  # the newest survive
    assert store.prune(max_mb=0.25) == 0  # under the cap now: nothing more goes


def test_a_long_running_process_prunes_again(store: TraceStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROVA_TRACE_RETENTION_DAYS", "14")
    now = [0.0]
    exporter = SQLiteSpanExporter(store, prune_every_s=600, clock=lambda: now[0])
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    t = provider.get_tracer("test")
    old = time.time_ns() - 30 * 86400 * 10**9

    def old_conversation(name: str) -> None:
        t.start_span("chat turn 1", attributes={"conversation_id": name}, start_time=old).end(
            end_time=old + 1
        )

    old_conversation("old-1")  # the first export prunes (nothing yet), then writes it
    now[0] = 599.0
    old_conversation("old-2")  # within the interval: no pruning
    assert {c for c, _ in store.conversations()} == {"old-1", "old-2"}
    now[0] = 600.0
    with t.start_as_current_span("chat turn 1", attributes={"conversation_id": "new"}):
        pass
    assert [c for c, _ in store.conversations()] == ["new"]  # ten minutes on: pruned again


def turn(t, conversation: str, number: int, start_ns: int | None = None, pad: int = 0) -> None:  # type: ignore[no-untyped-def]
    """One chat turn, a trace of its own as in a chat: the turn span and a tool call under it."""
    start = start_ns or time.time_ns()
    attributes = {"conversation_id": conversation, "turn": number, "pad": "x" * pad}
    span = t.start_span(f"chat turn {number}", attributes=attributes, start_time=start)
    with trace.use_span(span, end_on_exit=False):
        t.start_span("execute_tool compare_prices", start_time=start + 1).end(end_time=start + 2)
    span.end(end_time=start + 3)


def turn_numbers(store: TraceStore) -> dict[str, list[int]]:
    from traces.views import load

    return {c: [t.number for t in load(store, c).turns] for c, _ in store.conversations(limit=500)}


def test_retention_keeps_a_resumed_conversation_whole(store: TraceStore) -> None:
    t = tracer(store)
    month_ago = time.time_ns() - 30 * 86400 * 10**9
    turn(t, "resumed", 1, month_ago)
    turn(t, "resumed", 2, month_ago + 10**9)
    turn(t, "resumed", 3)  # today
    turn(t, "abandoned", 1, month_ago)
    turn(t, "abandoned", 2, month_ago + 10**9)
    assert store.prune(days=14) == 4  # both turns of the old conversation, two spans each
    assert turn_numbers(store) == {"resumed": [1, 2, 3]}


def test_the_size_cap_drops_whole_conversations(store: TraceStore) -> None:
    t = tracer(store)
    start = time.time_ns() - 3600 * 10**9
    for n in range(60):  # each conversation's turns are far apart: later ones resumed the earlier
        for number in (1, 2, 3):
            turn(t, f"c-{n:02d}", number, start + (number * 60 + n) * 10**9, pad=3000)
    assert store.prune(max_mb=0.25) > 0
    kept = turn_numbers(store)
    assert 0 < len(kept) < 60 and all(numbers == [1, 2, 3] for numbers in kept.values()), kept
    assert sorted(kept) == [f"c-{n:02d}" for n in range(60 - len(kept), 60)]  # the latest active survive


def test_turns_keep_their_own_numbers(store: TraceStore) -> None:
    from traces.views import load

    t = tracer(store)
    turn(t, "partial", 3)  # a store pruned by an older version kept only the last turn
    turn(t, "partial", 4)
    assert [x.number for x in load(store, "partial").turns] == [3, 4]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TROVA_TRACE_RETENTION_DAYS", "-5"),
        ("TROVA_TRACE_RETENTION_DAYS", "0"),
        ("TROVA_TRACE_MAX_MB", "abc"),
        ("TROVA_TRACE_MAX_MB", "inf"),
    ],
)
def test_a_bad_retention_setting_is_named_and_deletes_nothing(
    store: TraceStore, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    # A zero or negative retention would empty the store: the exporter refuses to start on it, naming it.
    turn(tracer(store), "kept", 1, time.time_ns() - 86400 * 10**9)  # yesterday
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError, match=f"{variable}='{value}'"):
        SQLiteSpanExporter(store)
    assert [c for c, _ in store.conversations()] == ["kept"]
    monkeypatch.delenv(variable)
    with pytest.raises(ValueError, match="must be positive"):
        store.prune(days=-5)
