"""Online evaluation through the real site in-process: misbehaving models are caught by the checks that need
no expected answer, their conversations are queued for review and their pass rates fall in `trova monitor`
and its rules, while the correct model's conversations pass; the verdicts go out as OpenTelemetry events
too; and nothing an evaluator does ever reaches a seller's turn."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from pydantic_ai.messages import ModelResponse, TextPart
from pydantic_ai.models.function import FunctionModel
from pydantic_evals.evaluators import Evaluator, EvaluatorContext
from pydantic_evals.online import wait_for_evaluations
from typer.testing import CliRunner

from agent.listing_agent import build_agent
from agent.session import ChatSession
from cli.main import app as cli
from cli.online import online_capabilities
from evals.evaluators import online_evaluators
from evals.online import in_sample, live_evaluation
from ops.monitor import Window
from ops.online import OnlineVerdicts, StoreSink, Verdict
from ops.review import ReviewQueue
from ops.store import OpsStore
from tests.ops import misbehaving
from tests.ops.traffic import Faults, Seller, Traffic, build_site, message, sellers
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from traces.setup import configure_tracing, disable_tracing, flush, store_path

EVENT = "gen_ai.evaluation.result"


@pytest.fixture
def events(trova_home: Path) -> Iterator[InMemoryLogRecordExporter]:
    """Tracing as the CLI sets it up (spans to the local store), with the log events kept for the test."""
    exporter = InMemoryLogRecordExporter()
    configure_tracing("test", log_processors=[SimpleLogRecordProcessor(exporter)])
    yield exporter
    disable_tracing()


def judged(home: Path) -> dict[str, dict[str, Verdict]]:
    """Each judged conversation's latest verdicts, by check."""
    found: dict[str, dict[str, Verdict]] = {}
    for v in OnlineVerdicts(OpsStore(home / "trova.db")).all():
        found.setdefault(v.conversation_id, {})[v.name] = v
    return found


def failing(verdicts: dict[str, Verdict]) -> set[str]:
    return {name for name, v in verdicts.items() if v.passed is False}


async def run_traffic(site: Any, people: list[Seller], faults: Faults, *, compare_down: bool) -> list[str]:
    traffic = Traffic(site, faults)
    for seller in people:
        await traffic.talk(seller, compare_down=compare_down)
    await wait_for_evaluations()
    return traffic.conversations


def monitor_json(home: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["monitor", "--json", "--since", "1h", *args], env={"TROVA_HOME": str(home)}
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


# (defect, the check that must catch it, a marketplace outage while it talks)
DEFECTS = [
    ("inflated_price", "price_in_range", False),
    ("foreign_category", "category_from_lookup", False),
    ("silent_failures", "errors_explained", True),
]


@pytest.mark.parametrize(("defect", "check", "outage"), DEFECTS, ids=[d[0] for d in DEFECTS])
async def test_a_misbehaving_model_is_caught_online_and_its_conversations_are_queued_for_review(
    events: InMemoryLogRecordExporter,
    db_url: str,
    trova_home: Path,
    tmp_path: Path,
    defect: str,
    check: str,
    outage: bool,
) -> None:
    people = sellers(4)
    good_faults, bad_faults = Faults(), Faults()
    # Both sites as `trova serve` builds them: the CLI's capability, every conversation sampled.
    good_site = build_site(db_url, good_faults, trova_home, capabilities=online_capabilities(1.0))
    bad_site = build_site(
        db_url,
        bad_faults,
        trova_home,
        model=misbehaving.model(defect),
        model_name=f"misbehaving-{defect}",
        capabilities=online_capabilities(1.0),
    )
    good = await run_traffic(good_site, people, good_faults, compare_down=outage)
    bad = await run_traffic(bad_site, people, bad_faults, compare_down=outage)
    flush()

    verdicts = judged(trova_home)
    assert set(good) | set(bad) <= set(verdicts)  # every conversation sampled at rate 1 was judged
    # The correct model: no check fails on any of its conversations.
    assert {c: failing(verdicts[c]) for c in good} == {c: set() for c in good}
    assert all(v.model == "offline" and v.prompt and v.trace_id for c in good for v in verdicts[c].values())
    # The misbehaving one: its defect's check fails, with a reason, wherever the defect showed.
    caught = [c for c in bad if check in failing(verdicts[c])]
    assert len(caught) >= 2, {c: verdicts[c] for c in bad}
    for conversation in caught:
        verdict = verdicts[conversation][check]
        assert verdict.reason and verdict.model == f"misbehaving-{defect}"
    shown = verdicts[caught[0]][check].reason or ""
    expected = {
        "price_in_range": "is outside the range compare_prices returned",
        "category_from_lookup": "460 is not among the matches.id of any earlier search_categories result",
        "errors_explained": "compare_prices at step",
    }[check]
    assert expected in shown, shown

    # The review sampler picks exactly the conversations a check failed on, for that reason.
    queue = ReviewQueue(OpsStore(trova_home / "trova.db"), random_share=0.0)
    queue.sample(Window.last(3600))
    reasons = {item.conversation_id: item.reasons for item in queue.items()}
    assert all("check_failed" in reasons[c] for c in caught)
    assert not [c for c in good if "check_failed" in reasons.get(c, [])]
    # The reviewer sees the failing check and its reason on the conversation's page; the dashboard its rate.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bad_site),
        base_url="http://site",
        headers={"Authorization": "Bearer test-admin-token"},
    ) as admin:
        page = (await admin.get(f"/admin/review/{caught[0]}")).text
        dashboard = (await admin.get("/admin", params={"period": "1h"})).text
    assert f'data-check="{check}" class="error"' in page and "failed: " in page
    assert f'data-check="{check}">online check {check}: ' in dashboard

    # trova monitor: the check's pass rate per model, and an alert rule that names it.
    by_model = {g["key"]: g["current"] for g in monitor_json(trova_home, "--by", "model")["groups"]}
    assert by_model["offline"]["online_checks"][check]["pass_rate"] == 1.0
    assert by_model["offline"]["online_failed"] == 0
    bad_figures = by_model[f"misbehaving-{defect}"]
    assert bad_figures["online_checks"][check]["failed"] == len(caught)
    assert bad_figures["online_failed"] >= len(caught) and bad_figures["online_pass_rate"] < 1
    # The same figures counted independently: from the OpenTelemetry events pydantic-evals emitted, each
    # placed in its conversation and turn by the raw spans of the trace it was emitted under.
    latest = latest_labels(events.get_finished_logs())
    for model, conversations in (("offline", good), (f"misbehaving-{defect}", bad)):
        figures = by_model[model]
        assert figures["online_judged"] == sum(1 for c in conversations if latest.get(c))
        assert figures["online_failed"] == sum(
            1 for c in conversations if "fail" in latest.get(c, {}).values()
        )
        for name, counted in figures["online_checks"].items():
            labels = [latest[c][name] for c in conversations if name in latest.get(c, {})]
            assert (counted["judged"], counted["failed"]) == (len(labels), labels.count("fail")), name
    assert by_model[f"misbehaving-{defect}"]["online_checks"][check]["failed"] > 0

    rules = tmp_path / "rules.yaml"
    for model, broken in (("offline", False), (f"misbehaving-{defect}", True)):
        rules.write_text(
            f"rules:\n  - {{name: {check}, metric: online_checks.{check}.pass_rate, below: 0.9, "
            f"window: 1h, model: {model}}}\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            cli, ["monitor", "check", "--rules", str(rules)], env={"TROVA_HOME": str(trova_home)}
        )
        assert result.exit_code == (1 if broken else 0), result.output
        assert ("BROKEN" in result.output) == broken

    # The same verdicts went out as OpenTelemetry events, under the turn they judged.
    sent = [r for r in events.get_finished_logs() if _attrs(r).get("gen_ai.evaluation.name") == check]
    failed_events = [r for r in sent if _attrs(r).get("gen_ai.evaluation.score.label") == "fail"]
    assert failed_events and all(_attrs(r)["gen_ai.evaluation.target"] == "trova_listing_agent" for r in sent)
    traces = {verdicts[c][check].trace_id for c in caught}
    assert {format(r.log_record.trace_id, "032x") for r in failed_events} & traces


def _attrs(record: ReadableLogRecord) -> dict[str, Any]:
    return dict(record.log_record.attributes or {})


def latest_labels(records: Sequence[ReadableLogRecord]) -> dict[str, dict[str, str]]:
    """Each conversation's latest verdict label per check, from the evaluation events alone: an event's trace
    is one turn, whose conversation and start the raw spans of the store give."""
    conn = sqlite3.connect(store_path())
    turns = {
        trace: (conversation, start)
        for trace, conversation, start in conn.execute(
            "SELECT trace_id, MAX(conversation_id), MIN(start_ns) FROM spans GROUP BY trace_id"
        )
    }
    conn.close()
    newest: dict[tuple[str, str], tuple[int, str]] = {}
    for record in records:
        attrs = _attrs(record)
        if record.log_record.event_name != EVENT and attrs.get("event.name") != EVENT:
            continue
        conversation, start = turns[format(record.log_record.trace_id, "032x")]
        key = (conversation, str(attrs["gen_ai.evaluation.name"]))
        label = str(attrs["gen_ai.evaluation.score.label"])
        if key not in newest or start >= newest[key][0]:
            newest[key] = (start, label)
    found: dict[str, dict[str, str]] = {}
    for (conversation, name), (_, label) in newest.items():
        found.setdefault(conversation, {})[name] = label
    return found


async def test_a_conversations_turns_are_all_judged_or_none_at_the_configured_rate() -> None:
    """Sampling is per conversation, at the configured rate (statistically: 300 conversations at 30%),
    through the session and agent the site and the CLI use (a model that only talks, to be quick)."""
    seen: list[tuple[str, int]] = []

    @dataclass(repr=False)
    class Probe(Evaluator[object, object, object]):
        def evaluate(self, ctx: EvaluatorContext[object, object, object]) -> bool:
            meta = ctx.metadata or {}
            seen.append((str(meta["conversation_id"]), int(meta["turn"])))
            return True

    rate, conversations = 0.3, 300
    # (With no events to emit, pydantic-evals runs evaluators only for a sink: one that keeps nothing.)
    capability = live_evaluation(rate, _NullSink(), evaluators=[Probe()], emit_otel_events=False)
    talker = FunctionModel(lambda messages, info: ModelResponse(parts=[TextPart("Tell me more.")]))
    agent = build_agent(talker, capabilities=[capability])
    deps = TrovaDeps(MarketplaceClient("http://marketplace.unused"))
    ids = []
    for _ in range(conversations):
        session = ChatSession.start(agent, deps, model="talker", prompt="p@1", marketplace="web")
        for text in ("I want to sell my bike", "it is blue"):
            assert (await session.send(text)).reply == "Tell me more."
        ids.append(session.id)
    await wait_for_evaluations()
    sampled = {c for c, _ in seen}
    # Binomial(300, 0.3): mean 90, sd 7.9; five sd either side.
    assert 50 <= len(sampled) <= 130, len(sampled)
    assert sampled <= set(ids) and len(set(ids)) == conversations
    # Every turn of a sampled conversation, none of another.
    assert sorted(seen) == sorted((c, turn) for c in sampled for turn in (1, 2))


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.3, 0.9, 1.0])
def test_the_draw_is_stable_per_conversation_and_at_the_rate(rate: float) -> None:
    ids = [f"c20260101-000000-{i:06x}" for i in range(40_000)]
    share = sum(in_sample(c, rate) for c in ids) / len(ids)
    assert share == pytest.approx(rate, abs=0.0125)  # about five sd of Binomial(40000, 0.3)
    assert [in_sample(c, rate) for c in ids[:500]] == [in_sample(c, rate) for c in ids[:500]]


class _NullSink:
    async def submit(self, payload: Any) -> None:
        return None


@dataclass(repr=False)
class Raises(Evaluator[object, object, object]):
    def evaluate(self, ctx: EvaluatorContext[object, object, object]) -> bool:
        raise RuntimeError("this evaluator is broken")


class BrokenSink:
    async def submit(self, payload: Any) -> None:
        raise OSError("the sink's disk is full")


async def test_a_failing_evaluator_never_breaks_a_sellers_turn(
    events: InMemoryLogRecordExporter,
    db_url: str,
    trova_home: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    @dataclass(repr=False)
    class Hangs(Evaluator[object, object, object]):
        async def evaluate(self, ctx: EvaluatorContext[object, object, object]) -> bool:
            started.set()
            await release.wait()
            return True

    store = OnlineVerdicts(OpsStore(trova_home / "trova.db"))
    # An evaluator that raises and one that hangs, beside the real ones; a sink that raises beside the store.
    capabilities = [
        live_evaluation(
            1.0, [StoreSink(store), BrokenSink()], evaluators=[Raises(), Hangs(), *online_evaluators()]
        )
    ]
    faults = Faults()
    site = build_site(db_url, faults, trova_home, capabilities=capabilities)
    reference = build_site(db_url, Faults(), trova_home)  # the same site with no online evaluation
    caplog.set_level(logging.WARNING)

    async def conversation(app: Any) -> list[str]:
        replies = []
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://site", timeout=60
        ) as client:
            for text in ("I want to sell my Trek road bike", "good", "yes"):
                response = await client.post("/chat", json=message(text))
                assert response.status_code == 200, response.text
                replies.append(_reply(response.text))
        return replies

    watched = await asyncio.wait_for(conversation(site), 30)  # while an evaluator still hangs
    assert started.is_set() and not release.is_set()
    plain = await conversation(reference)
    assert [_shape(r) for r in watched] == [_shape(r) for r in plain]
    assert "is live" in watched[-1]
    release.set()
    await wait_for_evaluations()

    (verdicts,) = judged(trova_home).values()
    assert verdicts["Raises"].passed is None and "this evaluator is broken" in (
        verdicts["Raises"].error or ""
    )
    assert verdicts["price_in_range"].passed is True and verdicts["Hangs"].passed is True
    assert "the sink's disk is full" in caplog.text
    flush()
    now = monitor_json(trova_home)["groups"][0]["current"]
    assert now["online_errors"] == 1 and now["online_checks"]["Raises"]["errors"] == 1

    # The machinery itself failing: the record attached after the turn, and the sampling before it.
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken machinery")

    monkeypatch.setattr("evals.online.LiveConversation", broken)
    after = await conversation(site)
    monkeypatch.setattr("pydantic_evals._online.sample_evaluators", broken)
    before = await conversation(site)
    assert [_shape(r) for r in after] == [_shape(r) for r in before] == [_shape(r) for r in plain]
    assert "online evaluation skipped" in caplog.text and "failed before the turn" in caplog.text


def _reply(stream: str) -> str:
    """The agent's words in a UI message stream."""
    text = []
    for line in stream.splitlines():
        if line.startswith("data: {"):
            chunk = json.loads(line[6:])
            if chunk.get("type") == "text-delta":
                text.append(chunk["delta"])
    return "".join(text)


def _shape(reply: str) -> str:
    """The reply without its numbers (listing ids; the comparables grow as listings are created)."""
    return re.sub(r"\d[\d,.]*", "N", reply)


def test_monitor_prints_each_checks_pass_rate_and_a_rule_must_name_a_known_check(
    trova_home: Path, tmp_path: Path
) -> None:
    from tests.ops.conftest import add_turn

    store = OpsStore(trova_home / "trova.db")
    for i, passed in enumerate([True, True, True, False]):
        add_turn(store, f"c{i}")
        OnlineVerdicts(store).record(
            [Verdict(f"c{i}", "price_in_range", passed, None if passed else "9,999 is outside the range")]
        )
    shown = CliRunner().invoke(
        cli, ["monitor", "--since", "1h"], env={"TROVA_HOME": str(trova_home), "COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    assert "online_checks.price_in_range.pass_rate" in shown.output and "75.0% of 4" in shown.output
    assert "online_pass_rate" in shown.output
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [{name: p, metric: online_checks.price_in_rnage.pass_rate, below: 0.9}]\n")
    bad = CliRunner().invoke(
        cli, ["monitor", "check", "--rules", str(rules)], env={"TROVA_HOME": str(trova_home)}
    )
    assert bad.exit_code == 2
    assert "unknown online check 'price_in_rnage'; one of: approval, category_from_lookup" in bad.output
    rules.write_text("rules: [{name: p, metric: online_checks.price_in_range.pass_rate, below: 0.9}]\n")
    fired = CliRunner().invoke(
        cli, ["monitor", "check", "--rules", str(rules)], env={"TROVA_HOME": str(trova_home)}
    )
    assert fired.exit_code == 1 and "0.75 < 0.9" in fired.output


def test_the_latest_turns_verdict_stands_whatever_order_they_arrive_in(trova_home: Path) -> None:
    """Each turn is judged in the background: a slow evaluation of an earlier turn must not overwrite the
    verdict on a later one; an evaluator that raised keeps the verdict it gave before."""
    verdicts = OnlineVerdicts(OpsStore(trova_home / "trova.db"))
    verdicts.record([Verdict("c1", "price_in_range", False, "9,999 is outside the range", turn=3)])
    verdicts.record([Verdict("c1", "price_in_range", True, turn=2)])  # judged earlier, arrived later
    (latest,) = verdicts.of("c1")
    assert (latest.passed, latest.turn, latest.reason) == (False, 3, "9,999 is outside the range")
    verdicts.record([Verdict("c1", "price_in_range", None, error="RuntimeError: broken", turn=4)])
    (latest,) = verdicts.of("c1")
    assert (latest.passed, latest.turn, latest.error) == (False, 4, "RuntimeError: broken")
    verdicts.record([Verdict("c1", "price_in_range", True, turn=5)])
    (latest,) = verdicts.of("c1")
    assert (latest.passed, latest.turn, latest.reason, latest.error) == (True, 5, None, None)
