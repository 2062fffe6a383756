"""Roll-ups that the monitor, the admin charts and the review sampler read instead of a period's turns.

- `conversation_rollup`: one row per conversation, everything the monitor counts of it: the sums of its
  turns, its last turn, its latest rating, edits, start-overs, latest review and online verdicts, and
  `labels` (its model errors by kind, tool errors by tool, review tags and verdicts per check).
- `conversation_units` and `label_units`: those rows summed per hour, five minutes and minute of the
  conversation's last turn, and per model, prompt and variant.
- `latency_histogram`: turn durations per hour, five minutes and minute, in buckets with fixed edges.

SQLite triggers keep them in the same transaction as a turn, a rating, a review or a verdict is written,
replaced or pruned, whoever writes it: nothing is lost and no background job runs. Any change to a
conversation deletes its row and inserts it afresh, and the unit tables follow those two (subtract the
old row, add the new one), so they always equal the sum of the rows.

A conversation wholly inside a period, of one model, prompt, variant and kind (production or an eval run),
whose verdicts all came after its first turn, is counted from the units; the few others (straddling an edge
of the period, mixed, or judged early) are read from their turns (`Monitor`). Latency percentiles stay
exact: the histograms find the bucket that holds a wanted rank, an index on the turns' durations reads it.
"""

from __future__ import annotations

import bisect
import math
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from ops.edits import on_approved_draft

# Each latency bucket is 5% wider than the one before, from 1 ms up to about 11.5 days (1.05**425 ms); below
# 1 ms, bucket 0. The width only sets how many index entries the exact percentile reads.
GROWTH = 1.05
BUCKETS = 426
UNITS_S = (3600, 300, 60)  # unit tables' units, largest first: an hour, five minutes, a minute
LONG_NS = 900 * 10**9  # a conversation spanning more than this is found by its own index, by its last turn
EVAL_MARKETPLACE = "isolated"

# What each conversation adds to its units: (column, expression of the row `{r}`).
UNIT_SUMS: tuple[tuple[str, str], ...] = (
    ("conversations", "1"),
    ("completed", "{r}.created > 0"),
    # Not completed: abandoned once its last turn is older than the monitor's ABANDON_AFTER_S (whatever that
    # turn left: a draft unanswered, a question, an error). Was: a draft unanswered only.
    ("awaiting", "{r}.created = 0"),
    ("turns", "{r}.turns"),
    ("created", "{r}.created"),
    ("model_errors", "{r}.model_errors"),
    ("tool_calls", "{r}.tool_calls"),
    ("tool_errors", "{r}.tool_errors"),
    ("input_tokens", "{r}.input_tokens"),
    ("output_tokens", "{r}.output_tokens"),
    ("unpriced", "{r}.unpriced"),
    ("drafts", "{r}.drafts"),
    ("approved", "{r}.approved"),
    ("declined", "{r}.declined"),
    ("revised", "{r}.revised"),
    ("price_replaced", "{r}.price_replaced"),
    ("thumbs_up", "{r}.rating > 0"),
    ("thumbs_down", "{r}.rating < 0"),
    ("edits", "{r}.edits"),
    ("approved_revisions", "{r}.approved_revisions"),
    ("start_overs", "{r}.started_over"),
    ("reviewed", "{r}.reviewed"),
    ("online_judged", "{r}.judged"),
    ("online_failed", "{r}.failed"),
    ("online_errors", "{r}.errored"),
    ("online_unjudged", "{r}.unjudged"),
)
COUNTABLE = "{r}.production AND NOT {r}.mixed AND NOT {r}.early"


def edges() -> list[float]:
    """Each bucket's lower edge in milliseconds (bucket 0 takes anything below 1 ms)."""
    return [-1e308, *(GROWTH ** (i - 1) for i in range(1, BUCKETS))]


def _unjudged(c: str) -> str:
    """Whether a check could not judge conversation `c` (n/a: no verdict and no error) and none failed it:
    such a conversation is counted apart, neither judged nor passing (ops/online.py, `figures`)."""
    return (
        f"COALESCE((SELECT MAX(passed IS NULL AND error IS NULL) FROM online_checks WHERE conversation_id = {c}), 0)"
        f" AND NOT COALESCE((SELECT MAX(passed = 0) FROM online_checks WHERE conversation_id = {c}), 0)"
    )


def _row(c: str) -> str:
    """The SELECT of conversation `c`'s roll-up row from its turns, feedback, reviews and verdicts (no row
    when it has no turns)."""
    return f"""SELECT a.conversation_id, a.first_ns, a.last_ns, l.model, l.prompt, COALESCE(l.variant, ''),
    l.marketplace IS NOT '{EVAL_MARKETPLACE}', a.kinds > 1,
    COALESCE((SELECT MIN(judged_ns) FROM online_checks WHERE conversation_id = {c}) < a.first_ns, 0),
    a.turns, a.created, a.model_errors, a.tool_calls, a.tool_errors, a.input_tokens, a.output_tokens,
    a.cost_usd, a.unpriced, a.drafts, a.approved, a.declined, a.revised, a.price_replaced, l.outcome,
    COALESCE((SELECT rating FROM feedback WHERE conversation_id = {c} AND kind = 'rating'
        ORDER BY id DESC LIMIT 1), 0),
    (SELECT COUNT(*) FROM feedback WHERE conversation_id = {c} AND kind = 'edit'),
    EXISTS (SELECT 1 FROM feedback WHERE conversation_id = {c} AND kind = 'start_over'),
    EXISTS (SELECT 1 FROM reviews WHERE conversation_id = {c}),
    COALESCE((SELECT MAX(passed IS NOT NULL) FROM online_checks WHERE conversation_id = {c}), 0)
        AND NOT ({_unjudged(c)}),
    COALESCE((SELECT MAX(passed = 0) FROM online_checks WHERE conversation_id = {c}), 0),
    COALESCE((SELECT MAX(error IS NOT NULL) FROM online_checks WHERE conversation_id = {c}), 0),
    {_unjudged(c)},
    (SELECT json_group_array(json_array(kind, name, n)) FROM (
        SELECT 'model_error' AS kind, error_kind AS name, COUNT(*) AS n FROM turns
            WHERE conversation_id = {c} AND error_kind IS NOT NULL GROUP BY error_kind
        UNION ALL SELECT 'tool_error', j.value, COUNT(*) FROM turns t, json_each(t.tool_error_kinds) j
            WHERE t.conversation_id = {c} AND t.tool_errors > 0 GROUP BY j.value
        UNION ALL SELECT 'review_tag', j.value, 1 FROM (SELECT tags FROM reviews WHERE conversation_id = {c}
            ORDER BY id DESC LIMIT 1) v, json_each(v.tags) j
        UNION ALL SELECT 'check_judged', name, 1 FROM online_checks
            WHERE conversation_id = {c} AND passed IS NOT NULL
        UNION ALL SELECT 'check_failed', name, 1 FROM online_checks WHERE conversation_id = {c} AND passed = 0
        UNION ALL SELECT 'check_unjudged', name, 1 FROM online_checks
            WHERE conversation_id = {c} AND passed IS NULL AND error IS NULL
        UNION ALL SELECT 'check_error', name, 1 FROM online_checks
            WHERE conversation_id = {c} AND error IS NOT NULL)),
    (SELECT COUNT(*) FROM feedback r WHERE r.conversation_id = {c} AND r.kind = 'revision'
        AND {on_approved_draft("r")})
FROM (SELECT conversation_id, MIN(start_ns) AS first_ns, MAX(start_ns) AS last_ns,
        COUNT(DISTINCT model || x'1f' || prompt || x'1f' || COALESCE(variant, '') || x'1f'
            || (marketplace IS NOT '{EVAL_MARKETPLACE}')) AS kinds,
        COUNT(*) AS turns, SUM(created) AS created, SUM(error_kind IS NOT NULL) AS model_errors,
        SUM(tool_calls) AS tool_calls, SUM(tool_errors) AS tool_errors, SUM(input_tokens) AS input_tokens,
        SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd, SUM(cost_usd IS NULL) AS unpriced,
        SUM(drafts) AS drafts, SUM(approved) AS approved, SUM(declined) AS declined, SUM(revised) AS revised,
        SUM(price_replaced) AS price_replaced
      FROM turns WHERE conversation_id = {c} GROUP BY conversation_id) a,
     (SELECT model, prompt, variant, marketplace, outcome FROM turns WHERE conversation_id = {c}
      ORDER BY start_ns DESC, trace_id DESC, span_id DESC LIMIT 1) l"""


def _recompute(c: str) -> list[str]:
    return [
        f"DELETE FROM conversation_rollup WHERE conversation_id = {c}",
        f"INSERT INTO conversation_rollup {_row(c)}",
    ]


def _units(r: str, sign: str) -> list[str]:
    """Add (sign '+') or subtract (sign '-') rollup row `r` (NEW or OLD) to its units."""
    names = ", ".join(name for name, _ in UNIT_SUMS)
    values = ", ".join(f"{sign}({expr.format(r=r)})" for _, expr in UNIT_SUMS)
    updates = ", ".join(f"{name} = {name} + excluded.{name}" for name, _ in UNIT_SUMS)
    out = []
    for unit in UNITS_S:
        where = f"{r}.last_ns / {unit * 10**9}, {r}.model, {r}.prompt, {r}.variant"
        out.append(
            f"INSERT INTO conversation_units (unit_s, unit, model, prompt, variant, {names}, cost_usd)"
            f" VALUES ({unit}, {where}, {values}, {sign}COALESCE({r}.cost_usd, 0))"
            f" ON CONFLICT DO UPDATE SET {updates}, cost_usd = cost_usd + excluded.cost_usd"
        )
        out.append(
            "INSERT INTO label_units (unit_s, unit, model, prompt, variant, kind, name, n)"
            f" SELECT {unit}, {where}, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
            f" {sign}json_extract(j.value, '$[2]') FROM json_each({r}.labels) j WHERE true"
            " ON CONFLICT DO UPDATE SET n = n + excluded.n"
        )
        if sign == "-":  # what is left at zero goes
            same = f"unit_s = {unit} AND unit = {r}.last_ns / {unit * 10**9} AND model = {r}.model AND prompt = {r}.prompt AND variant = {r}.variant"
            out.append(f"DELETE FROM label_units WHERE {same} AND n = 0")
            out.append(f"DELETE FROM conversation_units WHERE {same} AND conversations = 0")
    return out


_BUCKET = "(SELECT bucket FROM latency_buckets WHERE lower_ms <= {d} ORDER BY lower_ms DESC LIMIT 1)"


def _histogram(r: str, delta: int) -> list[str]:
    """Add `delta` to turn `r`'s (NEW or OLD) histogram buckets, production turns only."""
    out = []
    for unit in UNITS_S:
        out.append(
            "INSERT INTO latency_histogram (unit_s, unit, model, prompt, variant, bucket, n)"
            f" SELECT {unit}, {r}.start_ns / {unit * 10**9}, {r}.model, {r}.prompt,"
            f" COALESCE({r}.variant, ''), {_BUCKET.format(d=r + '.duration_ms')}, {delta}"
            f" WHERE {r}.marketplace IS NOT '{EVAL_MARKETPLACE}'"
            " ON CONFLICT DO UPDATE SET n = n + excluded.n"
        )
        if delta < 0:
            out.append(
                f"DELETE FROM latency_histogram WHERE unit_s = {unit} AND unit = {r}.start_ns / {unit * 10**9}"
                f" AND model = {r}.model AND prompt = {r}.prompt AND variant = COALESCE({r}.variant, '')"
                " AND n <= 0"
            )
    return out


def _trigger(name: str, when: str, body: list[str], condition: str = "") -> str:
    return f"CREATE TRIGGER {name} {when}{condition} BEGIN\n" + ";\n".join(body) + ";\nEND"


_KEY = "unit_s INTEGER NOT NULL, unit INTEGER NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, variant TEXT NOT NULL"
_TABLES: tuple[str, ...] = (
    # Kept in order of each conversation's last turn: a period's conversations are one run of pages.
    """CREATE TABLE conversation_rollup (
    conversation_id TEXT NOT NULL UNIQUE,
    first_ns INTEGER NOT NULL,
    last_ns INTEGER NOT NULL,
    model TEXT NOT NULL,             -- of its last turn (all its turns', unless mixed)
    prompt TEXT NOT NULL,
    variant TEXT NOT NULL,           -- '' without one
    production INTEGER NOT NULL,     -- 0: an eval run's conversation (an isolated marketplace)
    mixed INTEGER NOT NULL,          -- its turns differ in model, prompt, variant or production
    early INTEGER NOT NULL,          -- a verdict on it is dated before its first turn
    turns INTEGER NOT NULL,
    created INTEGER NOT NULL,
    model_errors INTEGER NOT NULL,
    tool_calls INTEGER NOT NULL,
    tool_errors INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL,                   -- the priced turns' sum
    unpriced INTEGER NOT NULL,       -- turns without a known price
    drafts INTEGER NOT NULL,
    approved INTEGER NOT NULL,
    declined INTEGER NOT NULL,
    revised INTEGER NOT NULL,
    price_replaced INTEGER NOT NULL,
    last_outcome TEXT NOT NULL,
    rating INTEGER NOT NULL,         -- the latest rating: 1, -1, 0 for none
    edits INTEGER NOT NULL,
    started_over INTEGER NOT NULL,
    reviewed INTEGER NOT NULL,
    judged INTEGER NOT NULL,         -- an online check gave a verdict (and none was n/a, unless one failed)
    failed INTEGER NOT NULL,         -- an online check's latest verdict is a failure
    errored INTEGER NOT NULL,        -- an online evaluator raised
    unjudged INTEGER NOT NULL,       -- an online check could not judge it (n/a) and none failed
    labels TEXT NOT NULL,            -- JSON [[kind, name, count], ...]
    approved_revisions INTEGER NOT NULL,  -- revisions in words of drafts then approved (ops.feedback)
    PRIMARY KEY (last_ns, conversation_id)
) WITHOUT ROWID""",
    # Those straddling a moment, by their first turn; the rare ones the units leave out.
    "CREATE INDEX conversation_rollup_first ON conversation_rollup (first_ns, last_ns)",
    f"CREATE INDEX conversation_rollup_long ON conversation_rollup (last_ns, first_ns)"
    f" WHERE last_ns - first_ns > {LONG_NS}",
    "CREATE INDEX conversation_rollup_odd ON conversation_rollup (last_ns, first_ns) WHERE mixed OR early",
    f"""CREATE TABLE conversation_units ({_KEY},
    {", ".join(f"{name} INTEGER NOT NULL" for name, _ in UNIT_SUMS)}, cost_usd REAL NOT NULL,
    PRIMARY KEY (unit_s, unit, model, prompt, variant)
) WITHOUT ROWID""",
    f"""CREATE TABLE label_units ({_KEY}, kind TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (unit_s, unit, model, prompt, variant, kind, name)
) WITHOUT ROWID""",
)
_LATENCY: tuple[str, ...] = (
    "CREATE TABLE latency_buckets (bucket INTEGER PRIMARY KEY, lower_ms REAL NOT NULL UNIQUE)",
    f"""CREATE TABLE latency_histogram ({_KEY}, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (unit_s, unit, model, prompt, variant, bucket)
) WITHOUT ROWID""",
    # The value of a rank inside one latency bucket, read from the index alone.
    "CREATE INDEX turns_latency ON turns (duration_ms, start_ns, model, prompt, variant, marketplace)",
)
_TRIGGERS: tuple[str, ...] = (
    *(
        _UNIT_TRIGGERS := (
            _trigger(
                "conversation_rollup_add",
                "AFTER INSERT ON conversation_rollup",
                _units("NEW", "+"),
                f" WHEN {COUNTABLE.format(r='NEW')}",
            ),
            _trigger(
                "conversation_rollup_subtract",
                "AFTER DELETE ON conversation_rollup",
                _units("OLD", "-"),
                f" WHEN {COUNTABLE.format(r='OLD')}",
            ),
        )
    ),
    # A turn written again (same span) replaces the old one: take the old one out first, so that the delete
    # trigger runs (REPLACE's own deletion runs triggers only under recursive_triggers).
    _trigger(
        "turns_rollup_replace",
        "BEFORE INSERT ON turns",
        ["DELETE FROM turns WHERE trace_id = NEW.trace_id AND span_id = NEW.span_id"],
    ),
    _trigger(
        "turns_rollup_insert",
        "AFTER INSERT ON turns",
        [*_recompute("NEW.conversation_id"), *_histogram("NEW", 1)],
    ),
    _trigger(
        "turns_rollup_delete",
        "AFTER DELETE ON turns",
        [*_recompute("OLD.conversation_id"), *_histogram("OLD", -1)],
    ),
    _trigger(
        "turns_rollup_update",
        "AFTER UPDATE ON turns",
        [
            *_recompute("OLD.conversation_id"),
            *_recompute("NEW.conversation_id"),
            *_histogram("OLD", -1),
            *_histogram("NEW", 1),
        ],
    ),
    *(
        _trigger(f"{table}_rollup_{event.split()[0].lower()}", f"AFTER {event} ON {table}", body)
        for table in ("feedback", "reviews", "online_checks")
        for event, body in (
            ("INSERT", _recompute("NEW.conversation_id")),
            ("DELETE", _recompute("OLD.conversation_id")),
            (
                "UPDATE OF tags, conversation_id" if table == "reviews" else "UPDATE",
                [*_recompute("OLD.conversation_id"), *_recompute("NEW.conversation_id")],
            ),
        )
    ),
)
STATEMENTS: tuple[str, ...] = (*_TABLES, *_LATENCY, *_TRIGGERS)


# A change to what the units sum (UNIT_SUMS): the triggers made afresh and the units summed again from the rows.
RECOUNT: tuple[str, ...] = (
    "DROP TRIGGER conversation_rollup_add",
    "DROP TRIGGER conversation_rollup_subtract",
    "DELETE FROM conversation_units",
    "DELETE FROM label_units",
    *_UNIT_TRIGGERS,
)


def recount(conn: sqlite3.Connection) -> None:
    """Every roll-up row taken out and put back, so the (new) add trigger sums the units again."""
    rows = conn.execute("SELECT * FROM conversation_rollup").fetchall()
    conn.execute("DROP TRIGGER conversation_rollup_subtract")
    conn.execute("DELETE FROM conversation_rollup")
    conn.execute(_UNIT_TRIGGERS[1])
    if rows:
        conn.executemany(f"INSERT INTO conversation_rollup VALUES ({','.join('?' * len(rows[0]))})", rows)


def rebuild(conn: sqlite3.Connection) -> int:
    """A change to the roll-up row itself (its columns, or what one counts): the conversation tables and
    every trigger made afresh from this code's statements, and each conversation's row recomputed (the
    latency histograms, which only the turns feed, are kept). Returns the number of conversations."""
    for statement in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    for table in ("conversation_rollup", "conversation_units", "label_units"):
        conn.execute(f"DROP TABLE {table}")
    for statement in (*_TABLES, *_TRIGGERS):
        conn.execute(statement)
    conversations = [r[0] for r in conn.execute("SELECT DISTINCT conversation_id FROM turns")]
    insert = f"INSERT INTO conversation_rollup {_row(':c')}"
    for conversation in conversations:
        conn.execute(insert, {"c": conversation})
    return len(conversations)


def backfill(conn: sqlite3.Connection, progress_every: int = 20_000) -> int:
    """Fill the roll-ups from what the store holds already (an upgrade), conversation by conversation through
    the same statements as the triggers, with progress on stderr when there are many. Returns the number of
    conversations."""
    conn.executemany("INSERT INTO latency_buckets VALUES (?, ?)", list(enumerate(edges())))
    conversations = [r[0] for r in conn.execute("SELECT DISTINCT conversation_id FROM turns")]
    insert = f"INSERT INTO conversation_rollup {_row(':c')}"
    for done, conversation in enumerate(conversations, 1):
        conn.execute(insert, {"c": conversation})
        if done % progress_every == 0:
            print(
                f"Rolling up the monitor's figures: {done:,}/{len(conversations):,} conversations",
                file=sys.stderr,
                flush=True,
            )
    for unit in UNITS_S:
        conn.execute(
            "INSERT INTO latency_histogram (unit_s, unit, model, prompt, variant, bucket, n)"
            f" SELECT {unit}, start_ns / {unit * 10**9}, model, prompt, COALESCE(variant, ''),"
            f" {_BUCKET.format(d='duration_ms')}, COUNT(*) FROM turns WHERE marketplace IS NOT '{EVAL_MARKETPLACE}'"
            " GROUP BY 1, 2, 3, 4, 5, 6"
        )
    return len(conversations)


@dataclass(frozen=True)
class Span:
    """Whole units of `unit_s` seconds, numbers `first` to `last` exclusive."""

    unit_s: int
    first: int
    last: int


def split(
    start_ns: int, end_ns: int, units: Sequence[int] = UNITS_S
) -> tuple[list[Span], list[tuple[int, int]]]:
    """A period as whole hours, whole five minutes and minutes around them, and the raw pieces left at its
    ends (each under a minute)."""
    if start_ns >= end_ns:
        return [], []
    if not units:
        return [], [(start_ns, end_ns)]
    size = units[0] * 10**9
    first, last = -(-start_ns // size), end_ns // size
    if first >= last:
        return split(start_ns, end_ns, units[1:])
    left_spans, left_raw = split(start_ns, first * size, units[1:])
    right_spans, right_raw = split(last * size, end_ns, units[1:])
    return [*left_spans, Span(units[0], first, last), *right_spans], [*left_raw, *right_raw]


class Histogram:
    """Counts per latency bucket (the store's fixed edges), merged from units and raw durations."""

    def __init__(self, lower: Sequence[float]) -> None:
        self.lower = list(lower)
        self.counts = [0] * len(self.lower)

    @classmethod
    def of(cls, conn: sqlite3.Connection) -> Histogram:
        """An empty histogram with the store's bucket edges."""
        return cls([r[0] for r in conn.execute("SELECT lower_ms FROM latency_buckets ORDER BY bucket")])

    def add_bucket(self, bucket: int, n: int) -> None:
        self.counts[bucket] += n

    def add_value(self, ms: float) -> None:
        self.counts[max(0, bisect.bisect_right(self.lower, ms) - 1)] += 1

    @property
    def total(self) -> int:
        return sum(self.counts)

    def locate(self, rank: int) -> tuple[int, int]:
        """The bucket holding the `rank`-th smallest value (0-based) and the rank inside that bucket."""
        seen = 0
        for bucket, n in enumerate(self.counts):
            if rank < seen + n:
                return bucket, rank - seen
            seen += n
        raise IndexError(rank)

    def bounds(self, bucket: int) -> tuple[float, float]:
        """A bucket's [lower, upper) edges in ms, as the store holds them."""
        return self.lower[bucket], self.lower[bucket + 1] if bucket + 1 < len(self.lower) else math.inf
