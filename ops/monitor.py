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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from ops import online
from ops.online import CheckFigures
from ops.store import OpsStore

GroupBy = Literal["model", "prompt", "variant"]
GROUP_COLUMNS: dict[str, str] = {"model": "model", "prompt": "prompt", "variant": "COALESCE(variant, '')"}
# (every group key is text: the model, the prompt version, the variant, or 'all')
ABANDON_AFTER_S = 30 * 60  # a draft left unanswered this long is abandoned
EVAL_MARKETPLACE = "isolated"  # eval runs' marketplaces (evals.driver)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def format_figure(value: float | None, kind: str) -> str:
    """A figure as the monitor shows it in the terminal and on the admin pages: `kind` is its unit
    (% a rate, s seconds, $ dollars, f a fraction of a count, n a count); None is a dash."""
    if value is None:
        return "–"
    if kind == "%":
        return f"{value:.1%}"
    if kind == "s":
        return f"{value:.2f} s"
    if kind == "$":
        return f"${value:.4f}"
    if kind == "f":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def parse_duration(text: str) -> float:
    """Seconds in '90s', '15m', '1h', '24h', '7d', '2w'."""
    m = _DURATION.match(text)
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration like 30m, 1h, 24h or 7d")
    return float(m.group(1)) * _UNITS[m.group(2)]


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
    edits_per_draft: float | None = Field(None, description="fields edited per approved draft")
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
    ) -> dict[str, Figures]:
        """Each group's figures for the window (one group, 'all', when `by` is None); `online=False` leaves
        the online checks' figures out (the charts do not draw them, and each window's read of them runs to
        the present)."""
        key = GROUP_COLUMNS[by] if by else "'all'"
        extra, extra_params = filters.sql()
        where = "start_ns >= ? AND start_ns < ? AND (marketplace IS NULL OR marketplace != ?)" + extra
        params: list[object] = [window.start_ns, window.end_ns, EVAL_MARKETPLACE, *extra_params]
        found: dict[str, Figures] = {}
        with self.store.connect() as conn:
            for row in conn.execute(
                f"SELECT {key}, COUNT(*), SUM(created), SUM(error_kind IS NOT NULL), SUM(tool_calls),"
                " SUM(tool_errors), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd), SUM(cost_usd IS NULL),"
                " SUM(drafts), SUM(approved), SUM(declined), SUM(revised), SUM(price_replaced)"
                f" FROM turns WHERE {where} GROUP BY 1",
                params,
            ):
                k, turns, created, errors, calls, tool_errors, tin, tout, cost, unpriced = row[:10]
                drafts, approvals, declines, revisions, replaced = row[10:]
                found[str(k)] = Figures(
                    turns=turns,
                    listings_created=created,
                    model_errors=errors,
                    model_error_rate=_rate(errors, turns),
                    tool_calls=calls,
                    tool_errors=tool_errors,
                    tool_error_rate=_rate(tool_errors, calls),
                    input_tokens=tin,
                    output_tokens=tout,
                    tokens_per_listing=_rate(tin + tout, created),
                    cost_usd=None if unpriced else cost,
                    cost_per_listing=None if unpriced or cost is None else _rate(cost, created),
                    drafts=drafts,
                    approvals=approvals,
                    declines=declines,
                    revisions=revisions,
                    price_replaced=replaced,
                )
            if found:
                groups = self._conversations(conn, found, key, where, params, window)
                self._details(conn, found, key, where, params)
                self._feedback(conn, found, groups)
                if online:
                    self._online(conn, found, groups, window)
        for figures in found.values():
            figures.completion_rate = _rate(figures.completed, figures.conversations)
            figures.edits_per_draft = _rate(figures.edits, figures.approvals)
            figures.thumbs_up_rate = _rate(figures.thumbs_up, figures.thumbs_up + figures.thumbs_down)
        return found

    @staticmethod
    def _conversations(
        conn: sqlite3.Connection,
        found: dict[str, Figures],
        key: str,
        where: str,
        params: list[object],
        window: Window,
    ) -> dict[str, str]:
        """Conversations, completed and abandoned, per group; returns each conversation's group."""
        groups: dict[str, str] = {}
        conversations: Counter[str] = Counter()
        completed: Counter[str] = Counter()
        cutoff = min(window.end_ns, time.time_ns()) - int(ABANDON_AFTER_S * 1e9)
        stale: list[str] = []
        # SQLite gives the bare `outcome` of the row that holds MAX(start_ns): each conversation's last turn.
        for k, conversation, created, outcome, last_ns in conn.execute(
            f"SELECT {key}, conversation_id, SUM(created), outcome, MAX(start_ns) FROM turns WHERE {where}"
            " GROUP BY conversation_id",
            params,
        ):
            group = groups[conversation] = str(k)
            conversations[group] += 1
            if created:
                completed[group] += 1
            if outcome == "awaiting_approval" and last_ns < cutoff:
                stale.append(conversation)
        # A draft is abandoned when it has waited long enough and the conversation went no further.
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
        abandoned = Counter(groups[c] for c in stale if c not in went_on)
        for k, figures in found.items():
            figures.conversations, figures.completed, figures.abandoned = (
                conversations[k],
                completed[k],
                abandoned[k],
            )
        return groups

    @staticmethod
    def _details(
        conn: sqlite3.Connection, found: dict[str, Figures], key: str, where: str, params: list[object]
    ) -> None:
        """Latency percentiles and the errors by kind, in one read of the period's turns."""
        durations: dict[str, list[float]] = {k: [] for k in found}
        models: dict[str, Counter[str]] = {}
        tools: dict[str, Counter[str]] = {}
        for k, ms, error_kind, tool_kinds in conn.execute(
            f"SELECT {key}, duration_ms, error_kind, CASE WHEN tool_errors > 0 THEN tool_error_kinds END"
            f" FROM turns WHERE {where}",
            params,
        ):
            durations[k].append(ms)
            if error_kind is not None:
                models.setdefault(k, Counter())[error_kind] += 1
            if tool_kinds is not None:
                tools.setdefault(k, Counter()).update(json.loads(tool_kinds))
        for k, values in durations.items():
            p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
            found[k].p50_turn_latency_s = None if p50 is None else p50 / 1000
            found[k].p95_turn_latency_s = None if p95 is None else p95 / 1000
            found[k].model_errors_by_kind = dict(sorted(models.get(k, Counter()).items()))
            found[k].tool_errors_by_tool = dict(sorted(tools.get(k, Counter()).items()))

    @staticmethod
    def _feedback(conn: sqlite3.Connection, found: dict[str, Figures], groups: dict[str, str]) -> None:
        """Ratings (the latest per conversation), edits and reviews (the latest per conversation) of the
        period's conversations, counted in their conversation's group. Feedback and reviews are few beside
        turns: they are read whole and matched to the period's conversations here."""
        ratings: dict[str, int] = {}
        edits: Counter[str] = Counter()
        started_over: dict[str, str] = {}
        for conversation, kind, rating in conn.execute(
            "SELECT conversation_id, kind, rating FROM feedback WHERE kind IN ('rating', 'edit', 'start_over')"
            " ORDER BY id"
        ):
            group = groups.get(conversation)
            if group is None:
                continue
            if kind == "edit":
                edits[group] += 1
            elif kind == "start_over":
                started_over[conversation] = group
            else:
                ratings[conversation] = rating
        up = Counter(groups[c] for c, rating in ratings.items() if rating > 0)
        down = Counter(groups[c] for c, rating in ratings.items() if rating < 0)
        latest: dict[str, list[str]] = {}
        for conversation, tag_list in conn.execute("SELECT conversation_id, tags FROM reviews ORDER BY id"):
            if conversation in groups:
                latest[conversation] = json.loads(tag_list)
        tags: dict[str, Counter[str]] = {}
        reviewed: Counter[str] = Counter()
        for conversation, tag_list in latest.items():
            reviewed[groups[conversation]] += 1
            tags.setdefault(groups[conversation], Counter()).update(tag_list)
        start_overs = Counter(started_over.values())
        for k, figures in found.items():
            figures.edits, figures.thumbs_up, figures.thumbs_down = edits[k], up[k], down[k]
            figures.start_overs = start_overs[k]
            figures.reviewed = reviewed[k]
            figures.review_tags = dict(sorted(tags.get(k, Counter()).items()))

    @staticmethod
    def _online(
        conn: sqlite3.Connection, found: dict[str, Figures], groups: dict[str, str], window: Window
    ) -> None:
        """The online checks' verdicts on the period's conversations, per group and per check."""
        for k, (tally, checks) in online.figures(conn, groups, window.start_ns).items():
            figures = found[k]
            figures.online_judged, figures.online_failed = len(tally.judged), len(tally.failed)
            figures.online_errors = len(tally.errors)
            figures.online_pass_rate = _rate(len(tally.judged) - len(tally.failed), len(tally.judged))
            figures.online_checks = checks

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
        for i in range(buckets):
            part = Window(window.start_ns + i * step, window.start_ns + (i + 1) * step)
            points.append((part, self.figures(part, filters, online=False).get("all", Figures())))
        return points

    def choices(self) -> dict[str, list[str]]:
        """The models, prompts and variants seen (for filters)."""
        with self.store.connect() as conn:
            return {
                column: [
                    r[0]
                    for r in conn.execute(
                        f"SELECT DISTINCT {column} FROM turns WHERE {column} IS NOT NULL AND {column} != ''"
                        " AND (marketplace IS NULL OR marketplace != ?) ORDER BY 1",
                        (EVAL_MARKETPLACE,),
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
