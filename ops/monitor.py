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

from ops.store import OpsStore

GroupBy = Literal["model", "prompt", "variant"]
GROUP_COLUMNS: dict[str, str] = {"model": "model", "prompt": "prompt", "variant": "COALESCE(variant, '')"}
ABANDON_AFTER_S = 30 * 60  # a draft left unanswered this long is abandoned
EVAL_MARKETPLACE = "isolated"  # eval runs' marketplaces (evals.driver)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


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
    reviewed: int = 0
    review_tags: dict[str, int] = Field(default_factory=dict)


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
        self, window: Window, filters: Filters = Filters(), by: GroupBy | None = None
    ) -> dict[str, Figures]:
        """Each group's figures for the window (one group, 'all', when `by` is None)."""
        key = GROUP_COLUMNS[by] if by else "'all'"
        extra, extra_params = filters.sql()
        where = "start_ns >= ? AND start_ns < ? AND (marketplace IS NULL OR marketplace != ?)" + extra
        params: list[object] = [window.start_ns, window.end_ns, EVAL_MARKETPLACE, *extra_params]
        found: dict[str, Figures] = {}
        with self.store.connect() as conn:
            for row in conn.execute(
                f"SELECT {key}, COUNT(*), COUNT(DISTINCT conversation_id), SUM(created),"
                " SUM(error_kind IS NOT NULL), SUM(tool_calls), SUM(tool_errors), SUM(input_tokens),"
                " SUM(output_tokens), SUM(cost_usd), SUM(cost_usd IS NULL), SUM(drafts), SUM(approved),"
                f" SUM(declined), SUM(revised), SUM(price_replaced) FROM turns WHERE {where} GROUP BY 1",
                params,
            ):
                (k, turns, convs, created, errors, calls, tool_errors, tin, tout, cost, unpriced) = row[:11]
                drafts, approvals, declines, revisions, replaced = row[11:]
                found[str(k)] = Figures(
                    conversations=convs,
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
            self._conversation_figures(conn, found, key, where, params, window)
            self._latency(conn, found, key, where, params)
            self._error_kinds(conn, found, key, where, params)
            self._feedback(conn, found, key, where, params)
        for figures in found.values():
            figures.completion_rate = _rate(figures.completed, figures.conversations)
            figures.edits_per_draft = _rate(figures.edits, figures.approvals)
            figures.thumbs_up_rate = _rate(figures.thumbs_up, figures.thumbs_up + figures.thumbs_down)
        return found

    @staticmethod
    def _conversation_figures(
        conn: sqlite3.Connection,
        found: dict[str, Figures],
        key: str,
        where: str,
        params: list[object],
        window: Window,
    ) -> None:
        """Completed and abandoned conversations: their turns in the window, and their last turn overall."""
        abandoned_before = min(window.end_ns, time.time_ns()) - int(ABANDON_AFTER_S * 1e9)
        for k, completed, abandoned in conn.execute(
            "SELECT k, SUM(created > 0), SUM(last_outcome = 'awaiting_approval' AND last_ns < ?) FROM ("
            f" SELECT {key} AS k, w.conversation_id, SUM(w.created) AS created,"
            "  (SELECT outcome FROM turns t WHERE t.conversation_id = w.conversation_id"
            "   ORDER BY t.start_ns DESC LIMIT 1) AS last_outcome,"
            "  (SELECT MAX(start_ns) FROM turns t WHERE t.conversation_id = w.conversation_id) AS last_ns"
            f" FROM turns w WHERE {where} GROUP BY w.conversation_id) GROUP BY k",
            [abandoned_before, *params],
        ):
            if str(k) in found:
                found[str(k)].completed = completed or 0
                found[str(k)].abandoned = abandoned or 0

    @staticmethod
    def _latency(
        conn: sqlite3.Connection, found: dict[str, Figures], key: str, where: str, params: list[object]
    ) -> None:
        durations: dict[str, list[float]] = {}
        for k, ms in conn.execute(f"SELECT {key}, duration_ms FROM turns WHERE {where}", params):
            durations.setdefault(str(k), []).append(ms / 1000)
        for k, values in durations.items():
            found[k].p50_turn_latency_s = percentile(values, 0.5)
            found[k].p95_turn_latency_s = percentile(values, 0.95)

    @staticmethod
    def _error_kinds(
        conn: sqlite3.Connection, found: dict[str, Figures], key: str, where: str, params: list[object]
    ) -> None:
        for k, kind, n in conn.execute(
            f"SELECT {key}, error_kind, COUNT(*) FROM turns WHERE {where} AND error_kind IS NOT NULL GROUP BY 1, 2",
            params,
        ):
            found[str(k)].model_errors_by_kind[kind] = n
        tools: dict[str, Counter[str]] = {}
        for k, kinds in conn.execute(
            f"SELECT {key}, tool_error_kinds FROM turns WHERE {where} AND tool_errors > 0", params
        ):
            tools.setdefault(str(k), Counter()).update(json.loads(kinds))
        for k, counts in tools.items():
            found[k].tool_errors_by_tool = dict(sorted(counts.items()))

    @staticmethod
    def _feedback(
        conn: sqlite3.Connection, found: dict[str, Figures], key: str, where: str, params: list[object]
    ) -> None:
        """Ratings, edits and reviews of the window's conversations, grouped like their turns."""
        scope = f"SELECT conversation_id, MIN({key}) AS k FROM turns WHERE {where} GROUP BY conversation_id"
        for k, up, down in conn.execute(
            f"SELECT s.k, SUM(f.rating > 0), SUM(f.rating < 0) FROM ({scope}) s JOIN feedback f"
            " ON f.conversation_id = s.conversation_id AND f.kind = 'rating' GROUP BY s.k",
            params,
        ):
            found[str(k)].thumbs_up, found[str(k)].thumbs_down = up or 0, down or 0
        for k, edits in conn.execute(
            f"SELECT s.k, COUNT(*) FROM ({scope}) s JOIN feedback f"
            " ON f.conversation_id = s.conversation_id AND f.kind = 'edit' GROUP BY s.k",
            params,
        ):
            found[str(k)].edits = edits
        tags: dict[str, Counter[str]] = {}
        for k, tag_list in conn.execute(  # a conversation's latest review counts
            f"SELECT s.k, r.tags FROM ({scope}) s JOIN reviews r ON r.conversation_id = s.conversation_id"
            " AND r.id = (SELECT MAX(id) FROM reviews x WHERE x.conversation_id = s.conversation_id)",
            params,
        ):
            found[str(k)].reviewed += 1
            tags.setdefault(str(k), Counter()).update(json.loads(tag_list))
        for k, counts in tags.items():
            found[k].review_tags = dict(sorted(counts.items()))

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
            points.append((part, self.figures(part, filters).get("all", Figures())))
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
