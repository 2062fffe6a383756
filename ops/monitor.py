"""The monitor's figures for a period, from the store: the turn index (what each turn did), feedback and
reviews. Conversations of eval runs (an isolated marketplace) are not production and are left out.

Every figure has a name (`Figures`' fields), which `trova monitor --json` prints and the alert rules use.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from ops import online, rollups
from ops.edits import edits_per_draft, on_approved_draft
from ops.online import CheckFigures
from ops.store import OpsStore

GroupBy = Literal["model", "prompt", "variant"]
GROUP_COLUMNS: dict[str, str] = {"model": "model", "prompt": "prompt", "variant": "COALESCE(variant, '')"}
# (every group key is text: the model, the prompt version, the variant, or 'all')
ABANDON_AFTER_S = 30 * 60  # a conversation without a listing, quiet this long, is abandoned


def is_abandoned(created: int | None, last_ns: int, before_ns: int) -> bool:
    """The one definition the monitor and the review queue share: the conversation made no listing and its
    last turn came before `before_ns` (ABANDON_AFTER_S ago), whatever that turn left: a draft unanswered, a
    question, an error. A `trova chat` that exited (or a tab closed) mid-way counts once that time has
    passed: the store cannot tell a seller who left from one still thinking."""
    return not created and last_ns < before_ns


EVAL_MARKETPLACE = "isolated"  # eval runs' marketplaces (evals.driver)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_DURATION_S = 3650 * 86400


def format_figure(value: float | None, kind: str) -> str:
    """A figure as the monitor shows it in the terminal and on the admin pages: `kind` is its unit
    (% a rate, s seconds, $ dollars, f a fraction of a count, n a count); None is a dash."""
    if value is None:
        return "–"
    if kind == "%":
        return f"{value:.1%}"
    if kind == "s":
        return f"{value:.2f} s"
    if kind == "$":  # a model that costs nothing (the offline model) costs $0.00, not "$0.0000"
        return "$0.00" if value == 0 else f"${value:.4f}"
    if kind == "f":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def parse_duration(text: str) -> float:
    """Seconds in '90s', '15m', '1h', '24h', '7d', '2w'."""
    m = _DURATION.match(text)
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration like 30m, 1h, 24h or 7d")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds > MAX_DURATION_S:  # and the period before it must still be a date the store can hold
        raise ValueError(f"{text!r} is longer than the store can look back: at most 3650d (ten years)")
    return seconds


@dataclass(frozen=True)
class Filters:
    model: str | None = None
    prompt: str | None = None
    variant: str | None = None

    def sql(self) -> tuple[str, list[str]]:
        clauses, params = [], []
        for column, value in (("model", self.model), ("prompt", self.prompt), ("variant", self.variant)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        return "".join(f" AND {c}" for c in clauses), params


@dataclass(frozen=True)
class Window:
    start_ns: int
    end_ns: int

    @classmethod
    def last(cls, seconds: float, now_ns: int | None = None) -> Window:
        end = now_ns if now_ns is not None else time.time_ns()
        return cls(end - int(seconds * 1e9), end)

    def before(self) -> Window:
        """The period of the same length just before this one."""
        return Window(2 * self.start_ns - self.end_ns, self.start_ns)


class Figures(BaseModel):
    """One period's figures. Rates are None when their denominator is zero."""

    conversations: int = 0
    turns: int = 0
    listings_created: int = 0
    completed: int = Field(0, description="conversations that created a listing")
    completion_rate: float | None = None
    model_errors: int = 0
    model_error_rate: float | None = Field(None, description="turns the model failed / turns")
    model_errors_by_kind: dict[str, int] = Field(default_factory=dict)
    tool_calls: int = 0
    tool_errors: int = 0
    tool_error_rate: float | None = None
    tool_errors_by_tool: dict[str, int] = Field(default_factory=dict, description="'tool:kind' -> count")
    p50_turn_latency_s: float | None = None
    p95_turn_latency_s: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    tokens_per_listing: float | None = None
    cost_usd: float | None = Field(None, description="None when any turn's model has no known price")
    cost_per_listing: float | None = None
    drafts: int = 0
    approvals: int = 0
    declines: int = 0
    revisions: int = 0
    edits: int = 0
    approved_revisions: int = Field(0, description="drafts revised in words on the way to an approved draft")
    edits_per_draft: float | None = Field(
        None,
        description="fields edited on the draft's card plus drafts revised in words on the way to an approved "
        "draft, per approved draft "
        "(ops.edits.edits_per_draft)",
    )
    abandoned: int = Field(0, description="conversations whose last draft was left unanswered")
    price_replaced: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    thumbs_up_rate: float | None = None
    start_overs: int = Field(0, description="conversations the seller left with 'start over' on the site")
    reviewed: int = 0
    review_tags: dict[str, int] = Field(default_factory=dict)
    online_judged: int = Field(0, description="conversations the online checks gave a verdict on (sampled)")
    online_failed: int = Field(0, description="judged conversations failing at least one online check")
    online_pass_rate: float | None = Field(
        None, description="judged conversations passing every online check"
    )
    online_errors: int = Field(0, description="conversations where an online evaluator raised")
    online_unjudged: int = Field(
        0,
        description="conversations a check could not judge (n/a) and none failed: counted apart, not passes",
    )
    online_checks: dict[str, CheckFigures] = Field(
        default_factory=dict,
        description="each online check; a rule names one as online_checks.NAME.pass_rate",
    )


class Group(BaseModel):
    key: str = Field(description="the model, prompt or variant ('all' when not grouped)")
    current: Figures
    previous: Figures


class Report(BaseModel):
    since_s: float
    start: float
    end: float
    by: GroupBy | None
    filters: dict[str, str]
    groups: list[Group]


def _rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q
    low, high = math.floor(at), math.ceil(at)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


@dataclass
class _Tally:
    """A group's additive counts, from roll-ups and from turns read raw, before they become `Figures`."""

    n: Counter[str] = field(default_factory=Counter)
    cost: float = 0.0
    model_kinds: Counter[str] = field(default_factory=Counter)
    tool_kinds: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    checks: dict[str, Counter[str]] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)

    def add(self, names: Sequence[str], values: Sequence[int | None]) -> None:
        for name, value in zip(names, values, strict=True):
            self.n[name] += value or 0

    def figures(self) -> Figures:
        n = self.n
        created, turns, calls = n["created"], n["turns"], n["tool_calls"]
        return Figures(
            conversations=n["conversations"],
            turns=turns,
            listings_created=created,
            completed=n["completed"],
            completion_rate=_rate(n["completed"], n["conversations"]),
            model_errors=n["model_errors"],
            model_error_rate=_rate(n["model_errors"], turns),
            model_errors_by_kind={k: v for k, v in sorted(self.model_kinds.items()) if v},
            tool_calls=calls,
            tool_errors=n["tool_errors"],
            tool_error_rate=_rate(n["tool_errors"], calls),
            tool_errors_by_tool={k: v for k, v in sorted(self.tool_kinds.items()) if v},
            input_tokens=n["input_tokens"],
            output_tokens=n["output_tokens"],
            tokens_per_listing=_rate(n["input_tokens"] + n["output_tokens"], created),
            cost_usd=None if n["unpriced"] else self.cost,
            cost_per_listing=None if n["unpriced"] else _rate(self.cost, created),
            drafts=n["drafts"],
            approvals=n["approved"],
            declines=n["declined"],
            revisions=n["revised"],
            edits=n["edits"],
            approved_revisions=n["approved_revisions"],
            edits_per_draft=edits_per_draft(n["edits"], n["approved_revisions"], n["approved"]),
            abandoned=n["abandoned"],
            price_replaced=n["price_replaced"],
            thumbs_up=n["thumbs_up"],
            thumbs_down=n["thumbs_down"],
            thumbs_up_rate=_rate(n["thumbs_up"], n["thumbs_up"] + n["thumbs_down"]),
            start_overs=n["start_overs"],
            reviewed=n["reviewed"],
            review_tags={k: v for k, v in sorted(self.tags.items()) if v},
            online_judged=n["online_judged"],
            online_failed=n["online_failed"],
            online_errors=n["online_errors"],
            online_unjudged=n["online_unjudged"],
            online_pass_rate=_rate(n["online_judged"] - n["online_failed"], n["online_judged"]),
            online_checks={
                name: CheckFigures(
                    judged=c["judged"],
                    failed=c["failed"],
                    unjudged=c["unjudged"],
                    errors=c["errors"],
                    pass_rate=_rate(c["judged"] - c["failed"], c["judged"]),
                )
                for name, c in sorted(self.checks.items())
                if c["judged"] or c["errors"] or c["unjudged"]
            },
        )


TURN_SUMS = (
    "turns",
    "created",
    "model_errors",
    "tool_calls",
    "tool_errors",
    "input_tokens",
    "output_tokens",
    "unpriced",
    "drafts",
    "approved",
    "declined",
    "revised",
    "price_replaced",
)
_RAW_SUMS = (
    "COUNT(*), SUM(created), SUM(error_kind IS NOT NULL), SUM(tool_calls), SUM(tool_errors), SUM(input_tokens),"
    " SUM(output_tokens), SUM(cost_usd IS NULL), SUM(drafts), SUM(approved), SUM(declined), SUM(revised),"
    " SUM(price_replaced), TOTAL(cost_usd)"
)
CHECK_LABELS = {
    "check_judged": "judged",
    "check_failed": "failed",
    "check_error": "errors",
    "check_unjudged": "unjudged",
}


class Monitor:
    def __init__(self, store: OpsStore) -> None:
        self.store = store

    def figures(
        self,
        window: Window,
        filters: Filters = Filters(),
        by: GroupBy | None = None,
        *,
        online: bool = True,
        rollups: bool = True,
    ) -> dict[str, Figures]:
        """Each group's figures for the window (one group, 'all', when `by` is None); `online=False` leaves
        the online checks' figures out (the charts do not draw them). With `rollups` (the default) the
        conversations wholly inside the window come from their roll-ups (ops/rollups.py) and only the rest
        from their turns; without, everything is read from the turns (the reference the tests compare to)."""
        with self.store.connect() as conn:
            return self._figures(conn, window, filters, by, online=online, rollups=rollups)

    def _figures(
        self,
        conn: sqlite3.Connection,
        window: Window,
        filters: Filters,
        by: GroupBy | None,
        *,
        online: bool,
        rollups: bool,
    ) -> dict[str, Figures]:
        tallies: dict[str, _Tally] = defaultdict(_Tally)
        only: list[str] | None = None
        if rollups:
            only = self._others(conn, window)
            self._rolled(conn, tallies, window, filters, by, online, only)
        if only is None or only:
            groups = self._raw(conn, tallies, window, filters, by, only)
            self._feedback(conn, tallies, groups)
            if online:
                self._online(conn, tallies, groups, window)
        if rollups:
            self._latency(conn, tallies, window, filters, by)
        found: dict[str, Figures] = {}
        for k, tally in tallies.items():
            if not tally.n["turns"]:
                continue
            figures = found[k] = tally.figures()
            if not rollups:
                p50, p95 = percentile(tally.durations, 0.5), percentile(tally.durations, 0.95)
                figures.p50_turn_latency_s = None if p50 is None else p50 / 1000
                figures.p95_turn_latency_s = None if p95 is None else p95 / 1000
            elif tally.durations:
                figures.p50_turn_latency_s, figures.p95_turn_latency_s = (v / 1000 for v in tally.durations)
        return found

    @staticmethod
    def _others(conn: sqlite3.Connection, window: Window) -> list[str]:
        """The conversations with a turn in the window that the units cannot count: those straddling one of
        its edges, and the mixed or early-judged ones (ops/rollups.py)."""
        found: set[str] = set()
        for edge in (window.start_ns, window.end_ns):
            found.update(
                r[0]
                for r in conn.execute(
                    "SELECT conversation_id FROM conversation_rollup WHERE first_ns >= ? AND first_ns < ?"
                    " AND last_ns >= ?",
                    (edge - rollups.LONG_NS, edge, edge),
                )
            )
            found.update(
                r[0]
                for r in conn.execute(
                    f"SELECT conversation_id FROM conversation_rollup WHERE last_ns - first_ns > {rollups.LONG_NS}"
                    " AND last_ns >= ? AND first_ns < ?",
                    (edge, edge),
                )
            )
        found.update(
            r[0]
            for r in conn.execute(
                "SELECT conversation_id FROM conversation_rollup WHERE (mixed OR early) AND last_ns >= ?"
                " AND first_ns < ?",
                (window.start_ns, window.end_ns),
            )
        )
        return sorted(found)

    def _rolled(
        self,
        conn: sqlite3.Connection,
        tallies: dict[str, _Tally],
        window: Window,
        filters: Filters,
        by: GroupBy | None,
        online: bool,
        others: list[str],
    ) -> None:
        """The conversations wholly inside the window (and countable), from the units of their last turns;
        the window's ends (under a minute each) from their roll-up rows, less the conversations that began
        before the window (read raw instead)."""
        cutoff = min(window.end_ns, time.time_ns()) - int(ABANDON_AFTER_S * 1e9)
        columns = [name for name, _ in rollups.UNIT_SUMS if name != "awaiting"]
        if not online:
            columns = [name for name in columns if not name.startswith("online_")]
        sums, labels = self._units(conn, window.start_ns, window.end_ns, window, filters, by, others, columns)
        for k, (counts, cost) in sums.items():
            tallies[k].n.update(counts)
            tallies[k].cost += cost
        for (k, kind, name), n in labels.items():
            tally = tallies[k]
            if kind == "model_error":
                tally.model_kinds[name] += n
            elif kind == "tool_error":
                tally.tool_kinds[name] += n
            elif kind == "review_tag":
                tally.tags[name] += n
            elif online:
                tally.checks.setdefault(name, Counter())[CHECK_LABELS[kind]] += n
        waiting, _ = self._units(
            conn,
            window.start_ns,
            min(window.end_ns, cutoff),
            window,
            filters,
            by,
            others,
            ["awaiting"],
            labels=False,
        )
        for k, (counts, _) in waiting.items():
            tallies[k].n["abandoned"] += counts["awaiting"]

    @staticmethod
    def _units(
        conn: sqlite3.Connection,
        low: int,
        high: int,
        window: Window,
        filters: Filters,
        by: GroupBy | None,
        others: list[str],
        columns: Sequence[str],
        *,
        labels: bool = True,
    ) -> tuple[dict[str, tuple[Counter[str], float]], Counter[tuple[str, str, str]]]:
        """Per group, the sums of `columns` and the cost, and per group, kind and name the labels, of the
        countable conversations whose last turn is in [low, high) and whose first is in the window."""
        sums: dict[str, tuple[Counter[str], float]] = {}
        found: Counter[tuple[str, str, str]] = Counter()
        extra, extra_params = filters.sql()
        spans, pieces = rollups.split(low, high)
        queries: list[tuple[int, str, str, list[object]]] = []  # sign, table, condition, parameters
        if spans:
            queries.append(
                (
                    1,
                    "",
                    "(" + " OR ".join("(unit_s = ? AND unit >= ? AND unit < ?)" for _ in spans) + f"){extra}",
                    [*(x for span in spans for x in (span.unit_s, span.first, span.last)), *extra_params],
                )
            )
        countable = rollups.COUNTABLE.format(r="r") + extra.replace(" AND ", " AND r.")
        if pieces:
            queries.append(
                (
                    1,
                    "r",
                    "("
                    + " OR ".join("(r.last_ns >= ? AND r.last_ns < ?)" for _ in pieces)
                    + f") AND {countable}",
                    [*(x for piece in pieces for x in piece), *extra_params],
                )
            )
        if others and low < high:
            queries.append(
                (
                    -1,
                    "r",
                    "r.conversation_id IN (SELECT value FROM json_each(?)) AND r.first_ns < ? AND r.last_ns >= ?"
                    f" AND r.last_ns < ? AND {countable}",
                    [json.dumps(others), window.start_ns, low, high, *extra_params],
                )
            )
        expressions = dict(rollups.UNIT_SUMS)
        for sign, rows, where, params in queries:
            if rows:
                key = f"r.{by}" if by else "'all'"
                values = ", ".join(f"SUM({expressions[c].format(r='r')})" for c in columns)
                sql = f"SELECT {key}, {values}, TOTAL(r.cost_usd) FROM conversation_rollup r WHERE {where} GROUP BY 1"
                labelled = (
                    f"SELECT {key}, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
                    " SUM(json_extract(j.value, '$[2]')) FROM conversation_rollup r, json_each(r.labels) j"
                    f" WHERE {where} GROUP BY 1, 2, 3"
                )
            else:
                key = by or "'all'"
                values = ", ".join(f"SUM({c})" for c in columns)
                sql = (
                    f"SELECT {key}, {values}, SUM(cost_usd) FROM conversation_units WHERE {where} GROUP BY 1"
                )
                labelled = f"SELECT {key}, kind, name, SUM(n) FROM label_units WHERE {where} GROUP BY 1, 2, 3"
            for row in conn.execute(sql, params):
                counts, cost = sums.get(str(row[0])) or (Counter(), 0.0)
                counts.update({c: sign * (v or 0) for c, v in zip(columns, row[1:-1], strict=True)})
                sums[str(row[0])] = (counts, cost + sign * (row[-1] or 0.0))
            if labels:
                for k, kind, name, n in conn.execute(labelled, params):
                    found[str(k), kind, name] += sign * n
        return sums, found

    @staticmethod
    def _raw(
        conn: sqlite3.Connection,
        tallies: dict[str, _Tally],
        window: Window,
        filters: Filters,
        by: GroupBy | None,
        only: list[str] | None,
    ) -> dict[str, str]:
        """The window's turns read one by one (of the conversations in `only`, when given): their sums, the
        conversations, completed and abandoned (each in the group of its last turn in the window), errors by
        kind and durations. Returns each conversation's group."""
        key = GROUP_COLUMNS[by] if by else "'all'"
        extra, extra_params = filters.sql()
        where = "start_ns >= ? AND start_ns < ? AND (marketplace IS NULL OR marketplace != ?)" + extra
        params: list[object] = [window.start_ns, window.end_ns, EVAL_MARKETPLACE, *extra_params]
        if only is not None:
            where += " AND conversation_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(only))
        for row in conn.execute(f"SELECT {key}, {_RAW_SUMS} FROM turns WHERE {where} GROUP BY 1", params):
            tally = tallies[str(row[0])]
            tally.add(TURN_SUMS, row[1:-1])
            tally.cost += row[-1]
        groups: dict[str, str] = {}
        cutoff = min(window.end_ns, time.time_ns()) - int(ABANDON_AFTER_S * 1e9)
        stale: list[str] = []
        for k, conversation, created, ever, last_ns in conn.execute(
            f"SELECT {key}, conversation_id, SUM(created),"
            " (SELECT SUM(created) FROM turns e WHERE e.conversation_id = turns.conversation_id), MAX(start_ns)"
            f" FROM turns WHERE {where} GROUP BY conversation_id",
            params,
        ):
            group = groups[conversation] = str(k)
            tallies[group].n["conversations"] += 1
            tallies[group].n["completed"] += 1 if created else 0
            if is_abandoned(ever, last_ns, cutoff):
                stale.append(conversation)
        # Abandoned when it has been quiet long enough without a listing and went no further.
        went_on: set[str] = set()
        for at in range(0, len(stale), 500):
            chunk = stale[at : at + 500]
            went_on.update(
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT conversation_id FROM turns"
                    f" WHERE conversation_id IN ({','.join('?' * len(chunk))}) AND start_ns >= ?",
                    [*chunk, window.end_ns],
                )
            )
        for conversation in stale:
            if conversation not in went_on:
                tallies[groups[conversation]].n["abandoned"] += 1
        for k, ms, error_kind, tool_kinds in conn.execute(
            f"SELECT {key}, duration_ms, error_kind, CASE WHEN tool_errors > 0 THEN tool_error_kinds END"
            f" FROM turns WHERE {where}",
            params,
        ):
            tally = tallies[str(k)]
            if only is None:
                tally.durations.append(ms)
            if error_kind is not None:
                tally.model_kinds[error_kind] += 1
            if tool_kinds is not None:
                tally.tool_kinds.update(json.loads(tool_kinds))
        return groups

    @staticmethod
    def _latency(
        conn: sqlite3.Connection,
        tallies: dict[str, _Tally],
        window: Window,
        filters: Filters,
        by: GroupBy | None,
    ) -> None:
        """Exact p50 and p95 of the window's turn durations without reading them all: the per-hour, per-five-
        minute and per-minute histograms (and the raw turns of the window's ends, under a minute each) find the
        bucket that holds each wanted rank; the durations index then reads that rank inside the bucket.
        Leaves [p50, p95] in each tally's `durations`."""
        extra, extra_params = filters.sql()
        hkey = by if by else "'all'"
        spans, pieces = rollups.split(window.start_ns, window.end_ns)
        histograms: dict[str, rollups.Histogram] = {}
        lower = rollups.Histogram.of(conn).lower

        def histogram(k: object) -> rollups.Histogram:
            return histograms.get(str(k)) or histograms.setdefault(str(k), rollups.Histogram(lower))

        if spans:
            for k, bucket, n in conn.execute(
                f"SELECT {hkey}, bucket, SUM(n) FROM latency_histogram WHERE ("
                + " OR ".join("(unit_s = ? AND unit >= ? AND unit < ?)" for _ in spans)
                + f"){extra} GROUP BY 1, 2",
                [*(x for span in spans for x in (span.unit_s, span.first, span.last)), *extra_params],
            ):
                histogram(k).add_bucket(bucket, n)
        key = GROUP_COLUMNS[by] if by else "'all'"
        for start, end in pieces:
            for k, ms in conn.execute(
                f"SELECT {key}, duration_ms FROM turns WHERE start_ns >= ? AND start_ns < ?"
                f" AND (marketplace IS NULL OR marketplace != ?){extra}",
                [start, end, EVAL_MARKETPLACE, *extra_params],
            ):
                histogram(k).add_value(ms)
        group_of = f" AND {GROUP_COLUMNS[by]} = ?" if by else ""
        for k, hist in histograms.items():
            total = hist.total
            if not total or k not in tallies:
                continue

            def value(rank: int, k: str = k, hist: rollups.Histogram = hist) -> float:
                bucket, inside = hist.locate(rank)
                low, high = hist.bounds(bucket)
                row = conn.execute(
                    "SELECT duration_ms FROM turns INDEXED BY turns_latency WHERE duration_ms >= ? AND duration_ms < ?"
                    " AND start_ns >= ? AND start_ns < ? AND (marketplace IS NULL OR marketplace != ?)"
                    f"{extra}{group_of} ORDER BY duration_ms LIMIT 1 OFFSET ?",
                    [low, high, window.start_ns, window.end_ns, EVAL_MARKETPLACE, *extra_params]
                    + ([k] if by else [])
                    + [inside],
                ).fetchone()
                return float(row[0])

            found = []
            for q in (0.5, 0.95):
                at = (total - 1) * q
                low, high = math.floor(at), math.ceil(at)
                below = value(low)
                found.append(below if high == low else below + (value(high) - below) * (at - low))
            tallies[k].durations = found

    @staticmethod
    def _feedback(conn: sqlite3.Connection, tallies: dict[str, _Tally], groups: dict[str, str]) -> None:
        """Ratings (the latest per conversation), edits and reviews (the latest per conversation) of the
        conversations read raw (`groups`), counted in their conversation's group."""
        if not groups:
            return
        ratings: dict[str, int] = {}
        started_over: set[str] = set()
        among = json.dumps(list(groups))
        for conversation, kind, rating in conn.execute(
            "SELECT conversation_id, kind, rating FROM feedback WHERE kind IN ('rating', 'edit', 'start_over')"
            " AND conversation_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (among,),
        ):
            group = groups.get(conversation)
            if group is None:
                continue
            if kind == "edit":
                tallies[group].n["edits"] += 1
            elif kind == "start_over":
                started_over.add(conversation)
            else:
                ratings[conversation] = rating
        for conversation, revisions in conn.execute(
            "SELECT r.conversation_id, COUNT(*) FROM feedback r WHERE r.kind = 'revision'"
            f" AND r.conversation_id IN (SELECT value FROM json_each(?)) AND {on_approved_draft('r')} GROUP BY 1",
            (among,),
        ):
            tallies[groups[conversation]].n["approved_revisions"] += revisions
        for conversation, rating in ratings.items():
            tallies[groups[conversation]].n["thumbs_up" if rating > 0 else "thumbs_down"] += (
                1 if rating else 0
            )
        for conversation in started_over:
            tallies[groups[conversation]].n["start_overs"] += 1
        latest: dict[str, list[str]] = {}
        for conversation, tag_list in conn.execute(
            "SELECT conversation_id, tags FROM reviews WHERE conversation_id IN (SELECT value FROM json_each(?))"
            " ORDER BY id",
            (among,),
        ):
            if conversation in groups:
                latest[conversation] = json.loads(tag_list)
        for conversation, tag_list in latest.items():
            tallies[groups[conversation]].n["reviewed"] += 1
            tallies[groups[conversation]].tags.update(tag_list)

    @staticmethod
    def _online(
        conn: sqlite3.Connection, tallies: dict[str, _Tally], groups: dict[str, str], window: Window
    ) -> None:
        """The online checks' verdicts on the conversations read raw, per group and per check."""
        if not groups:
            return
        for k, (tally, checks) in online.figures(conn, groups, window.start_ns).items():
            tallies[k].add(
                ("online_judged", "online_failed", "online_errors", "online_unjudged"),
                (len(tally.judged), len(tally.failed), len(tally.errors), len(tally.unjudged)),
            )
            for name, check in checks.items():
                tallies[k].checks.setdefault(name, Counter()).update(
                    {
                        "judged": check.judged,
                        "failed": check.failed,
                        "errors": check.errors,
                        "unjudged": check.unjudged,
                    }
                )

    def report(
        self,
        since_s: float,
        by: GroupBy | None = None,
        filters: Filters = Filters(),
        now_ns: int | None = None,
    ) -> Report:
        """The period ending now and the one before it, per group."""
        window = Window.last(since_s, now_ns)
        current = self.figures(window, filters, by)
        previous = self.figures(window.before(), filters, by)
        keys = sorted(set(current) | set(previous)) or (["all"] if by is None else [])
        return Report(
            since_s=since_s,
            start=window.start_ns / 1e9,
            end=window.end_ns / 1e9,
            by=by,
            filters={k: v for k, v in vars(filters).items() if v},
            groups=[
                Group(key=k, current=current.get(k, Figures()), previous=previous.get(k, Figures()))
                for k in keys
            ],
        )

    def timeline(
        self, window: Window, buckets: int, filters: Filters = Filters()
    ) -> list[tuple[Window, Figures]]:
        """The window cut into equal buckets, each with its figures (the admin charts)."""
        step = (window.end_ns - window.start_ns) // buckets
        points = []
        with self.store.connect() as conn:
            for i in range(buckets):
                part = Window(window.start_ns + i * step, window.start_ns + (i + 1) * step)
                found = self._figures(conn, part, filters, None, online=False, rollups=True)
                points.append((part, found.get("all", Figures())))
        return points

    def choices(self) -> dict[str, list[str]]:
        """The models, prompts and variants of production turns (for filters), from the hourly latency
        histogram (one row per hour, model, prompt, variant and bucket) rather than every turn."""
        with self.store.connect() as conn:
            return {
                column: [
                    r[0]
                    for r in conn.execute(
                        f"SELECT DISTINCT {column} FROM latency_histogram WHERE unit_s = 3600 AND {column} != ''"
                        " ORDER BY 1"
                    )
                ]
                for column in ("model", "prompt", "variant")
            }

    def conversations(
        self, window: Window, filters: Filters = Filters(), limit: int = 200
    ) -> list[ConversationRow]:
        """The conversations behind a point: those with a turn in the window, newest first."""
        extra, extra_params = filters.sql()
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT conversation_id, MIN(start_ns), MAX(start_ns), COUNT(*), MIN(model), MIN(prompt),"
                " SUM(created), SUM(error_kind IS NOT NULL), SUM(tool_errors),"
                " (SELECT outcome FROM turns t WHERE t.conversation_id = w.conversation_id"
                "  ORDER BY t.start_ns DESC LIMIT 1)"
                " FROM turns w WHERE start_ns >= ? AND start_ns < ? AND (marketplace IS NULL OR marketplace != ?)"
                f"{extra} GROUP BY conversation_id ORDER BY MAX(start_ns) DESC LIMIT ?",
                [window.start_ns, window.end_ns, EVAL_MARKETPLACE, *extra_params, limit],
            ).fetchall()
        return [ConversationRow(*r) for r in rows]


@dataclass(frozen=True)
class ConversationRow:
    conversation_id: str
    first_ns: int
    last_ns: int
    turns: int
    model: str
    prompt: str
    created: int
    model_errors: int
    tool_errors: int
    last_outcome: str
