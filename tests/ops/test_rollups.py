"""The monitor's roll-ups (ops/rollups.py) against the raw rows: after a mix of writes (turns across hour
boundaries, a turn written twice, deleted turns, mixed and long conversations, eval runs, ratings replaced,
edits, start-overs, reviews, online verdicts, one dated before its conversation), every figure of every
window, grouped or filtered, equals the one read from the turns themselves; an upgraded store's backfill
gives the same; the sampler queues the same conversations either way."""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from pathlib import Path

import pytest

from ops.feedback import Edit, FeedbackStore
from ops.monitor import ABANDON_AFTER_S, Figures, Filters, GroupBy, Monitor, Window
from ops.online import OnlineVerdicts, Verdict
from ops.review import Review, ReviewQueue
from ops.rollups import Histogram, split
from ops.store import OpsStore
from tests.ops.conftest import MINUTE, NOW, add_turn

HOUR = 60 * MINUTE
BASE = (NOW - 6 * HOUR) // HOUR * HOUR  # an hour boundary, hours ago
CHECKS = ("approval", "price_in_range")


def at(minutes: float) -> float:
    """`ago_min` for a moment `minutes` after BASE (add_turn counts back from the test's NOW)."""
    return (NOW - BASE) / MINUTE - minutes


def write_mix(ops: OpsStore, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    conversations = []
    for c in range(60):
        cid = f"c{c:02d}"
        conversations.append(cid)
        start = rng.uniform(
            -130, 130
        )  # minutes around BASE: across the hour boundaries at -120, -60, 0, 60, 120
        model = rng.choice(("offline", "gpt"))
        for turn in range(1, rng.randint(1, 4) + 1):
            when = start + turn * rng.uniform(0.1, 3)
            add_turn(
                ops,
                cid,
                turn,
                ago_min=at(when),
                model="gpt" if c % 17 == 0 and turn == 2 else model,  # a few switch model mid-way: mixed
                variant="B" if c % 5 == 0 else None,
                duration_ms=rng.lognormvariate(0, 0.8) * 1000,
                error_kind=rng.choice((None, None, None, "rate_limited", "unreachable")),
                tool_errors=1 if rng.random() < 0.2 else 0,
                tool_error_kinds=["compare_prices:unavailable"] if rng.random() < 0.2 else [],
                outcome=rng.choice(("replied", "awaiting_approval", "created")),
                created=int(rng.random() < 0.3),
                declined=int(rng.random() < 0.2),
                revised=int(rng.random() < 0.2),
                drafts=int(rng.random() < 0.5),
                approved=int(rng.random() < 0.3),
                cost_usd=None if model == "offline" else rng.random() / 100,
                marketplace="isolated" if c % 13 == 0 else "web",  # an eval run now and then
            )
    # A long conversation, resumed hours later; a turn written twice (the second replaces the first).
    add_turn(ops, "long", 1, ago_min=at(-200))
    add_turn(ops, "long", 2, ago_min=at(90), outcome="awaiting_approval")
    add_turn(ops, "c01", 1, ago_min=at(30), duration_ms=77_000.0, outcome="stopped", error_kind="bad_output")
    conversations.append("long")
    with ops.connect() as conn:
        conn.execute("DELETE FROM turns WHERE conversation_id IN ('c02', 'c03') AND turn = 1")
    feedback = FeedbackStore(ops.path)
    verdicts = OnlineVerdicts(ops)
    queue = ReviewQueue(ops)
    for cid in conversations[::3]:
        feedback.rate(cid, rng.choice((1, -1)))
    for cid in conversations[::6]:
        feedback.rate(cid, 1)  # replaces the rating (an update in place)
    for cid in conversations[1::4]:
        feedback.approval(cid, [Edit("price", 100, 90), Edit("title", "a", "b")])
    for cid in conversations[2::7]:
        feedback.start_over(cid)
    for cid in conversations[::5]:
        queue.record(cid, Review(verdict="bad", tags=["bad_price", "tone"]))
    queue.record("c00", Review(verdict="good"))  # the latest review replaces its tags
    for i, cid in enumerate(conversations[::2]):
        judged = BASE + (150 if i % 9 else -400) * MINUTE  # now and then one dated before its conversation
        verdicts.record(
            [
                Verdict(
                    cid,
                    name,
                    passed=None if i % 11 == 0 else rng.random() > 0.3,
                    judged_ns=judged,
                    turn=1,
                    error="ValueError: x" if i % 11 == 0 else None,
                )
                for name in CHECKS
            ]
        )
    return conversations


def same_by_model(monitor: Monitor) -> int:
    """Per model, in every window, the roll-ups' figures equal the raw rows'; the conversations abandoned."""
    abandoned = 0
    for low, high in WINDOWS:
        window = Window(BASE + low, BASE + high)
        rolled, raw = monitor.figures(window, by="model"), monitor.figures(window, by="model", rollups=False)
        assert set(rolled) == set(raw)
        for k in raw:
            same(raw[k], rolled[k])
            abandoned += raw[k].abandoned
    return abandoned


def same(a: Figures, b: Figures) -> None:
    left, right = a.model_dump(), b.model_dump()
    for name, value in left.items():
        if isinstance(value, float):
            assert right[name] == pytest.approx(value, rel=1e-9), name
        else:
            assert right[name] == value, name


WINDOWS = [
    (-60 * MINUTE, 60 * MINUTE),  # two whole hours
    (-60 * MINUTE - 17 * 10**9, 60 * MINUTE + 5 * 10**9),  # not aligned: minutes and seconds at each end
    (-137 * MINUTE, 141 * MINUTE),
    (7 * MINUTE + 3, 19 * MINUTE + 11),  # no whole hour
    (-30 * 10**9, 30 * 10**9),  # no whole minute
    (-300 * MINUTE, 300 * MINUTE),  # everything
]


@pytest.mark.parametrize("by", [None, "model", "prompt", "variant"])
def test_rollups_equal_the_raw_rows(ops: OpsStore, by: GroupBy | None) -> None:
    write_mix(ops)
    monitor = Monitor(ops)
    for low, high in WINDOWS:
        window = Window(BASE + low, BASE + high)
        for part in (window, window.before()):  # and the previous period
            for filters in (Filters(), Filters(model="gpt"), Filters(variant="B")):
                rolled = monitor.figures(part, filters, by)
                raw = monitor.figures(part, filters, by, rollups=False)
                assert set(rolled) == set(raw)
                for k in raw:
                    same(raw[k], rolled[k])
    everything = monitor.figures(Window(BASE - 300 * MINUTE, BASE + 300 * MINUTE), rollups=False)["all"]
    assert everything.conversations > 40 and everything.online_judged > 0 and everything.thumbs_down > 0
    assert everything.model_errors_by_kind and everything.review_tags and everything.online_errors > 0


def test_the_report_and_the_timeline_equal_the_raw_rows(ops: OpsStore) -> None:
    write_mix(ops)
    monitor = Monitor(ops)
    end = BASE + 61 * MINUTE + 7
    report = monitor.report(90 * 60, by="model", now_ns=end)
    current = Window(end - 90 * MINUTE, end)
    raw_now, raw_before = (monitor.figures(w, by="model", rollups=False) for w in (current, current.before()))
    assert {g.key for g in report.groups} == set(raw_now) | set(raw_before) == {"gpt", "offline"}
    for group in report.groups:
        same(raw_now.get(group.key, Figures()), group.current)
        same(raw_before.get(group.key, Figures()), group.previous)
    for part, figures in monitor.timeline(current, 9):
        same(monitor.figures(part, online=False, rollups=False).get("all", Figures()), figures)
    with ops.connect() as conn:  # the filters' choices: what production turns name
        raw = {
            column: [
                r[0]
                for r in conn.execute(
                    f"SELECT DISTINCT {column} FROM turns WHERE marketplace IS NOT 'isolated'"
                    f" AND {column} IS NOT NULL ORDER BY 1"
                )
            ]
            for column in ("model", "prompt", "variant")
        }
    assert monitor.choices() == raw and raw["variant"] == ["B"]


def test_the_sampler_finds_the_same_from_rollups(ops: OpsStore) -> None:
    write_mix(ops)
    queue = ReviewQueue(ops, 0.2)
    window = Window(BASE - 75 * MINUTE, BASE + 100 * MINUTE)
    with ops.connect() as conn:
        rolled = queue.candidates(conn, window)
        everyone = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT conversation_id FROM turns WHERE start_ns >= ? AND start_ns < ?",
                (window.start_ns, window.end_ns),
            )
        ]
        cutoff = time.time_ns() - int(ABANDON_AFTER_S * 1e9)
        raw = {
            c: reasons for c, (reasons, _) in queue._raw_candidates(conn, window, everyone, cutoff).items()
        }
    assert len(rolled) > 10 and any("abandoned" in r for r in rolled.values())
    assert rolled == raw


def test_an_upgraded_store_is_backfilled(tmp_path: Path) -> None:
    path = tmp_path / "trova.db"
    write_mix(OpsStore(path))
    # Back to a store from before the roll-ups: their tables, index and triggers gone, migration 6 unapplied.
    conn = sqlite3.connect(path)
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE '%rollup%'"
        " OR name IN ('conversation_units', 'label_units', 'latency_buckets', 'latency_histogram', 'turns_latency')"
    ).fetchall():
        conn.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    conn.execute("DELETE FROM schema_migrations WHERE part = 'ops' AND number = 6")
    conn.commit()
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'conversation_rollup'").fetchone()
    conn.close()
    monitor = Monitor(OpsStore(path))  # migration 6: the roll-ups, filled from the rows already there
    same_by_model(monitor)


def test_windows_split_into_units_and_raw_ends() -> None:
    spans, pieces = split(BASE - 61 * MINUTE - 5, BASE + 3 * MINUTE + 7)
    covered = sorted([(s.first * s.unit_s * 10**9, s.last * s.unit_s * 10**9) for s in spans] + pieces)
    assert covered[0][0] == BASE - 61 * MINUTE - 5 and covered[-1][1] == BASE + 3 * MINUTE + 7
    assert all(a[1] == b[0] for a, b in itertools.pairwise(covered))  # no gap, no overlap
    assert [s.unit_s for s in spans] == [60, 3600, 60]
    assert all(b - a < MINUTE for a, b in pieces)
    histogram = Histogram([float("-inf"), 1.0, 2.0, 4.0])
    for ms in (0.5, 1.0, 1.5, 3.0, 9.0, 9.5):
        histogram.add_value(ms)
    assert histogram.counts == [1, 2, 1, 2] and histogram.locate(4) == (3, 0)


def test_a_store_summed_under_the_old_abandoned_is_recounted(tmp_path: Path) -> None:
    path = tmp_path / "trova.db"
    write_mix(OpsStore(path))
    # Back to migration 6's units: wrong 'awaiting' sums (a draft unanswered only), migration 7 unapplied.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE conversation_units SET awaiting = 0")
    conn.execute("DELETE FROM schema_migrations WHERE part = 'ops' AND number = 7")
    conn.commit()
    conn.close()
    monitor = Monitor(OpsStore(path))  # migration 7: the units summed again from the roll-up rows
    assert same_by_model(monitor)
