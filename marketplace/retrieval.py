"""Finding listings with the database's full-text index: comparables' candidates and title search.

The index (see `marketplace/search_index.py`) holds each listing's title words and its category tags, on
SQLite in an FTS5 table and on PostgreSQL in a `tsvector` column with a GIN index; the same boolean
expressions (`Expr`) are rendered for either. A category subtree is a tag (`_c<id>`), so every query is
"these words, under this category".

Comparables: the price comparison (`marketplace.pricing.select_comps`) chooses among listings in order of
preference: the word tier closest to the item (most of its distinctive words, else some), with its numbers
(exactly, else close), else the tier without them, else the whole category. Here each of those preferences
is an index query, asked in the same order until one finds enough listings; a preference with more matches
than `MAX_READ` is read as a random sample of that size (counted in the index, within one of its nested
`_s<k>` samples when large), so its prices are represented without reading it all. Python then scores this bounded set exactly as before.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, column, func, select, table, text
from sqlalchemy.orm import Session

from marketplace.db import ListingRow, SellerRow, utcnow
from marketplace.pricing import (
    MIN_COMPS,
    NUMBER_LEVELS,
    WORD_TIERS,
    Candidate,
    PoolStats,
    QueryAnalysis,
    QueryTerm,
    analyse_query,
    enough,
    query_vocabulary,
    tier_clauses,
)
from marketplace.reposts import distinct_ads
from marketplace.search_index import CATEGORY_TAG, SAMPLE_LEVELS, SAMPLE_TAG, subtree_sample_tag
from marketplace.text import content_words, words
from marketplace.trust import trust_rules

MAX_READ = 300  # candidates read per preference: all its matches, or a random sample of this many
PROBE = 60  # ... of which this many first, to judge whether the preference is enough (`sampled`)
# A preference of more than PROBE matches that is not enough holds a few ads posted many times. Each such
# preference read costs an index query of a few ms on a large marketplace (the wider ones are larger), so
# after this many of them reading stops: ads are counted as far as that reaches (at the seed's size, where
# such a preference does not occur, always).
WIDENINGS = 2
ID_SCAN = 2048  # matches counted from the index's ids in one query; a larger set is counted in a sample
SOLO_CREDIT = 0.5  # a token that alone gives a word at least this much credit stands for the word


# --- boolean expressions over index tokens -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Any_:
    parts: tuple[Expr, ...]


Expr = Token | All | Any_


def all_of(parts: Iterable[Expr]) -> Expr:
    items = tuple(dict.fromkeys(parts))
    return items[0] if len(items) == 1 else All(items)


def any_of(parts: Iterable[Expr]) -> Expr:
    items = tuple(dict.fromkeys(parts))
    return items[0] if len(items) == 1 else Any_(items)


def render_fts5(expr: Expr) -> str:
    """SQLite FTS5 query syntax; every token quoted (tokens hold '.' and '_')."""
    if isinstance(expr, Token):
        return f'"{expr.value}"' + ("*" if expr.prefix else "")
    joiner = " AND " if isinstance(expr, All) else " OR "
    return "(" + joiner.join(render_fts5(p) for p in expr.parts) + ")"


def render_tsquery(expr: Expr) -> str:
    """PostgreSQL tsquery syntax, lexemes quoted and taken as they are (no dictionary)."""
    if isinstance(expr, Token):
        return f"'{expr.value}'" + (":*" if expr.prefix else "")
    joiner = " & " if isinstance(expr, All) else " | "
    return "(" + joiner.join(render_tsquery(p) for p in expr.parts) + ")"


def estimate(expr: Expr, df: dict[str, int], ceiling: int) -> int:
    """An upper bound of the listings `expr` matches, from word frequencies (tags count as `ceiling`)."""
    if isinstance(expr, Token):
        return ceiling if expr.value.startswith("_") else min(ceiling, df.get(expr.value, 0))
    values = [estimate(p, df, ceiling) for p in expr.parts]
    return min(values) if isinstance(expr, All) else min(ceiling, sum(values))


def likely(expr: Expr, df: dict[str, int], listings: int) -> float:
    """About how many listings `expr` matches if its words occurred independently: an all-of's words
    usually go together ("honda" and "accord"), so this is seldom more than the true count."""
    if isinstance(expr, Token):
        return float(listings if expr.value.startswith("_") else min(listings, df.get(expr.value, 0)))
    values = [likely(p, df, listings) for p in expr.parts]
    if isinstance(expr, Any_):
        return min(float(listings), sum(values))
    return listings * math.prod(v / listings for v in values) if listings else 0.0


def matches(expr: Expr, terms: frozenset[str]) -> bool:
    """Whether a title with these index terms matches `expr` (title words only: no tags, no prefixes)."""
    if isinstance(expr, Token):
        return expr.value in terms
    if isinstance(expr, All):
        return all(matches(p, terms) for p in expr.parts)
    return any(matches(p, terms) for p in expr.parts)


def _any_of(tests: list[Callable[[frozenset[str]], bool]]) -> Callable[[frozenset[str]], bool]:
    """Whether any of `tests` matches a title's words, remembered per word set (ads repeat theirs)."""
    seen: dict[frozenset[str], bool] = {}

    def test(words: frozenset[str]) -> bool:
        known = seen.get(words)
        if known is None:
            known = seen[words] = any(t(words) for t in tests)
        return known

    return test


def matcher(expr: Expr) -> Callable[[frozenset[str]], bool]:
    """`matches(expr, terms)` as a function of `terms`, built once: a comparison tests a few preferences
    against hundreds of rows, and walking the expression for each row cost more than scoring them (set
    operations on a group of plain tokens instead)."""
    if isinstance(expr, Token):
        value = expr.value
        return lambda terms: value in terms
    if all(isinstance(p, Token) for p in expr.parts):
        values = frozenset(p.value for p in expr.parts if isinstance(p, Token))
        if isinstance(expr, All):
            return values.issubset
        return lambda terms: not values.isdisjoint(terms)
    tests = [matcher(p) for p in expr.parts]
    if isinstance(expr, All):
        return lambda terms: all(test(terms) for test in tests)
    return lambda terms: any(test(terms) for test in tests)


def category_tag(category_id: int) -> Token:
    return Token(f"{CATEGORY_TAG}{category_id}")


def _valid_token(value: str) -> bool:
    # Title tokens are [a-z0-9.]; anything else (a quote) never reaches a query string.
    return bool(value) and all(ch.isalnum() or ch in "._" for ch in value) and value.isascii()


# --- reading the index -----------------------------------------------------------------------------------

_ROW_COLUMNS = "l.id, l.title, l.price, l.condition, l.terms, l.source, l.seller_id"
_RECENT = (
    f"SELECT {_ROW_COLUMNS}, CASE WHEN l.created_at > :recent THEN 1 ELSE 0 END AS recent FROM listings l "
)
# SQLite: the sample's rows by their ids, once the matches' ids are counted and sampled in Python (SQLite's
# integers cannot hold the sample's 64-bit hash); the ids as one JSON array (`json_each`), so the statement's
# text is the same whatever their number and SQLite prepares it once per connection.
_SQLITE_ROWS = (
    _RECENT.replace(":recent", "?") + "WHERE l.id IN (SELECT value FROM json_each(?)) AND l.status = 'active'"
)
_SQLITE_MATCH = "SELECT rowid FROM listing_fts WHERE listing_fts MATCH ? LIMIT ?"
# PostgreSQL: one statement counts the matches (at most n) and, when they are fewer than that (or a sample's
# count is all there is: last), returns the sample of k of them, chosen by the same hash of the id as
# `bottom` (`_mix`, in numeric arithmetic): each matching row is visited once, by the index scan, and the
# sample's columns are taken from it there (no second visit by id, no list of ids sent back). Written for
# the driver (`_driver_rows`); the match is one condition per required part of the query (`_pg_match`).
_PG_SAMPLE = (
    "WITH m AS MATERIALIZED (SELECT id, title, price::float8 AS price, condition, terms, source, seller_id, "
    "created_at > %(recent)s AS recent FROM listings "
    "WHERE {match} AND status = 'active' LIMIT %(n)s), "
    "c AS (SELECT count(*) AS n, max(id) AS reached FROM m) "
    "SELECT c.n, c.reached, p.* FROM c LEFT JOIN LATERAL (SELECT m.* FROM m WHERE c.n < %(n)s OR %(last)s "
    "ORDER BY mod(m.id::numeric * 11400714819323198485, 18446744073709551616) LIMIT %(k)s) p ON true"
)
# A subtree's listings and version, and the frequencies of the query's words in it: one statement (the
# words as one parameter, so the statement's text is the same whatever their number: an array on
# PostgreSQL, a JSON array on SQLite).
_SCOPE = (
    "SELECT '' AS term, COALESCE(SUM(s.listings), 0) AS n, COALESCE(SUM(s.version), 0) AS version "
    "FROM category_stats s JOIN category_tree t ON t.descendant_id = s.category_id WHERE t.ancestor_id = :c"
)
_TERMS = (
    " UNION ALL SELECT s.term, SUM(s.df), 0 FROM term_stats s JOIN category_tree t "
    "ON t.descendant_id = s.category_id WHERE t.ancestor_id = :c AND "
)
# ... and their frequencies in the whole marketplace, marked by a leading '*' (no title word has one): a word
# all of whose listings are in the subtree needs no category tag beside it in an index query (`confined`).
_EVERYWHERE = " UNION ALL SELECT '*' || s.term, SUM(s.df), 0 FROM term_stats s WHERE "
_SQLITE_SCOPE = {
    False: _SCOPE,
    True: _SCOPE
    + _TERMS
    + "s.term IN (SELECT value FROM json_each(:terms)) GROUP BY s.term"
    + _EVERYWHERE
    + "s.term IN (SELECT value FROM json_each(:terms)) GROUP BY s.term",
}
_PG_SCOPE = {
    False: _SCOPE.replace(":c", "%(c)s"),
    True: (_SCOPE + _TERMS).replace(":c", "%(c)s")
    + "s.term = ANY(CAST(%(terms)s AS text[])) GROUP BY s.term"
    + _EVERYWHERE
    + "s.term = ANY(CAST(%(terms)s AS text[])) GROUP BY s.term",
}


def _driver_rows(session: Session, sql: str, params: dict[str, Any] | Sequence[Any]) -> list[Sequence[Any]]:
    """`sql` (in the driver's own syntax) run through the session's connection's driver cursor: for the few
    small statements of a price comparison, SQLAlchemy's statement machinery costs more CPU than the
    statement (on PostgreSQL about 0.2 ms of 0.35 ms each; on SQLite about 1 ms a comparison, most of it
    expanding the sample's 300 ids into as many parameters)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _dialect(session: Session) -> str:
    """The session's database, as the index queries are written for it: PostgreSQL, else SQLite."""
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def read_only(session: Session) -> None:
    """Run the session's reads (before its first statement) in one read-only snapshot: a price comparison
    reads its subtree's counts and version first, then its candidates, and a listing posted between those
    statements must be in all of them or in none (the comparison is cached under the version it read). On
    PostgreSQL a REPEATABLE READ READ ONLY transaction; on SQLite a transaction begun at once (the driver
    begins one only before a write, so without it each read saw the database as it was then)."""
    if _dialect(session) == "postgresql":
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        return
    driver = session.connection().connection.driver_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN")  # deferred: the snapshot is taken by the first read; closed by the rollback


def _match_ids(session: Session, expr: Expr, limit: int) -> list[int]:
    """The ids of listings matching `expr`, at most `limit`: only the index is read (on SQLite not even the
    listings), so counting a few thousand matches costs about what reading a few hundred rows would."""
    if _dialect(session) == "postgresql":
        sql = "SELECT id FROM listings WHERE search @@ CAST(:q AS tsquery) AND status = 'active' LIMIT :n"
        return list(session.execute(text(sql), {"q": render_tsquery(expr), "n": limit}).scalars().all())
    return [r[0] for r in _driver_rows(session, _SQLITE_MATCH, (render_fts5(expr), limit))]


@dataclass(frozen=True, slots=True)
class Counted:
    """The matches of one index query: how many (at most the limit asked), and either every match's id (to
    sample in Python) or the sample's rows (read with the count, when the count was under the limit or
    `last`); None when neither was read."""

    count: int
    reached: int  # the largest id among them (how far into the listings the first `limit` reached)
    ids: list[int] | None = None
    rows: list[Sequence[Any]] | None = None


def conjuncts(expr: Expr) -> tuple[Expr, ...]:
    """The parts a listing must match to match `expr` (nested all-ofs flattened): `expr` itself if it is not
    an all-of."""
    if isinstance(expr, All):
        return tuple(p for part in expr.parts for p in conjuncts(part))
    return (expr,)


@functools.cache
def _pg_sample_sql(keys: int) -> str:
    return _PG_SAMPLE.format(match=" AND ".join(f"search @@ CAST(%(q{i})s AS tsquery)" for i in range(keys)))


def _pg_match(expr: Expr) -> tuple[str, dict[str, str]]:
    """`_PG_SAMPLE` for `expr`, with its parameters: each required part of `expr` its own `@@` condition, so
    its own key of the GIN scan. Within one key GIN walks every listing of the fewest entries that decide
    it (in `_c916 & toyota & (2002 | ... | 2006)`, all five years: 71,000 listings at a million, each tested
    against the other entries); keys are intersected by skipping each ahead to the others' next listing, so
    the shortest key's list sets the pace (at 1M the mean index statement 6.2 → 2.3 ms with the subtree's
    sample tag, 12 → 4 ms for the slowest twentieth)."""
    parts = conjuncts(expr)
    return _pg_sample_sql(len(parts)), {f"q{i}": render_tsquery(p) for i, p in enumerate(parts)}


def count_and_sample(session: Session, expr: Expr, limit: int, last: bool) -> Counted:
    """The listings matching `expr`, counted up to `limit`, with the random sample of MAX_READ of them
    (`bottom`) when they are fewer than `limit` or `last` says the count is all there is."""
    if _dialect(session) != "postgresql":
        ids = _match_ids(session, expr, limit)
        return Counted(len(ids), max(ids, default=0), ids=ids)
    sql, match = _pg_match(expr)
    params = {**match, "n": limit, "k": MAX_READ, "last": last, "recent": _recent()}
    result = _driver_rows(session, sql, params)
    count, reached = int(result[0][0]), int(result[0][1] or 0)
    # Each row as (id, title, price, condition, terms, source, seller_id, recent), as on SQLite.
    rows = [r[2:] for r in result if r[2] is not None] if count < limit or last else None
    return Counted(count, reached, rows=None if rows is None else in_sample_order(rows))


def _recent() -> datetime:
    """Since when a listing is recent: only a recent listing's seller can be young enough to weigh less."""
    return utcnow() - timedelta(days=trust_rules().full_weight_days)


def _rows_of(session: Session, ids: Sequence[int]) -> list[Sequence[Any]]:
    """The active listings among `ids` (SQLite), in the sample's order (`in_sample_order`)."""
    if not ids:
        return []
    return in_sample_order(
        _driver_rows(session, _SQLITE_ROWS, (_sqlite_time(_recent()), json.dumps(list(ids))))
    )


def _sqlite_time(moment: datetime) -> str:
    """`moment` as SQLAlchemy stores a `UTCDateTime` in SQLite (text that sorts as time does)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _candidates(session: Session, rows: Sequence[Sequence[Any]], weight: float) -> list[Candidate]:
    """The rows as candidates, each standing for `weight` listings, with its seller and the seller's account
    age (`marketplace.trust`). Only a listing posted within the last `full_weight_days` can have a seller
    young enough to weigh less, so only those sellers are looked up (a join for every row would cost more
    than the rows)."""
    ages = _seller_ages(session, {r[6] for r in rows if r[7] and r[5] != "seed"})
    of, inf = Candidate.of, math.inf
    return [
        of(
            ident,
            title,
            price,
            condition,
            terms,
            weight,
            "" if source == "seed" else seller,  # the seed's are each a different seller's ad
            ages.get(seller, inf) if ages else inf,  # inf: old enough to weigh fully
        )
        for ident, title, price, condition, terms, source, seller, _ in rows
    ]


def _seller_ages(session: Session, sellers: set[str]) -> dict[str, float]:
    """The age in days of these sellers' accounts."""
    if not sellers:
        return {}
    now = utcnow()
    query = select(SellerRow.id, SellerRow.created_at).where(SellerRow.id.in_(sorted(sellers)))
    return {ident: (now - since).total_seconds() / 86400 for ident, since in session.execute(query)}


def _mix(ident: int) -> int:
    """A fixed pseudo-random order of listings, independent of anything about them (Fibonacci hashing)."""
    return (ident * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


def bottom(ids: Sequence[int], k: int) -> list[int]:
    """`k` of `ids`, a random sample that is the same for every query: of two nested sets of matches, the
    smaller's sample holds every listing of the larger's sample that is in it (so the listings of several
    preferences, each read as a sample, weigh consistently). In `_mix`'s order even when all of `ids` are
    kept, so that its first PROBE are a random sample too (the index gives the ids oldest first)."""
    return sorted(ids, key=_mix)[:k]


def in_sample_order(rows: list[Sequence[Any]]) -> list[Sequence[Any]]:
    """Rows (the id first) in `bottom`'s order, whichever database read them: SQLite returns them by id,
    PostgreSQL as its statement's sort left them, and what a comparison judges on its first PROBE rows, or
    counts in the order they come (`marketplace.reposts`), must not depend on which it was."""
    return sorted(rows, key=lambda row: _mix(int(row[0])))


SAMPLE_TARGET = 1000  # a sample level is chosen to hold about this many matches (MAX_READ..ID_SCAN)
# From about this many expected matches a sample level is asked at once. Every match read costs a visit to
# the listing's row (on PostgreSQL), so reading ID_SCAN of them only to learn that the set is large is the
# slowest path there is; a level that turns out too sparse is asked again at a denser one, which is cheaper.
SAMPLE_FROM = 1200


def _tokens(expr: Expr) -> Iterable[Token]:
    if isinstance(expr, Token):
        yield expr
    else:
        for part in expr.parts:
            yield from _tokens(part)


def _words_and_numbers(expr: Expr) -> tuple[list[Expr], list[Expr]]:
    """An all-of's parts as the item's words and its numbers (a part whose every token has a digit)."""
    parts = expr.parts if isinstance(expr, All) else (expr,)
    numbers = [p for p in parts if all(any(ch.isdigit() for ch in t.value) for t in _tokens(p))]
    return [p for p in parts if p not in numbers], numbers


def _words_expected(expr: Expr, df: dict[str, int], listings: int) -> float:
    return math.sqrt(max(1.0, likely(expr, df, listings)) * max(1, estimate(expr, df, listings)))


def expected_matches(expr: Expr, df: dict[str, int], listings: int) -> float:
    """About how many listings `expr` matches: between the count if its words occurred independently
    (`likely`, too low for words that go together, "iphone" and "6s") and the upper bound (`estimate`, too
    high for words that do not), their geometric mean. A model year or a size goes with the item's words
    about as it goes with any title ("2004" is about as common among Hondas as among cars), so with numbers
    the estimate is the geometric mean of that and of the numbers taken as independent of the words: with
    the words' estimate alone, '2004 BMW' expected about four times the listings there are, and a sample
    level asked at once was too sparse and asked again (17 of 500 comparisons at 1M listings, 4 now)."""
    together = _words_expected(expr, df, listings)
    words, numbers = _words_and_numbers(expr)
    if not words or not numbers or not listings:
        return together
    share = estimate(all_of(numbers), df, listings) / listings
    apart = max(1.0, _words_expected(all_of(words), df, listings) * share)
    return math.sqrt(together * apart)


def in_sample(expr: Expr, level: int) -> Expr:
    """The listings matching `expr` that are in the level-th sample (level 0: all of them). A category tag
    among `expr`'s required parts and the sample become one tag, the subtree's own sample: one short list in
    the index instead of two long ones to intersect (on PostgreSQL the GIN scan walks every listing of its
    rarest entries, and `_s2` or a category's tag is often that; on SQLite FTS5 steps through both)."""
    if level == 0:
        return expr
    parts = expr.parts if isinstance(expr, All) else (expr,)
    for i, part in enumerate(parts):
        if (
            isinstance(part, Token)
            and part.value.startswith(CATEGORY_TAG)
            and part.value[len(CATEGORY_TAG) :].isdigit()
        ):
            both = Token(subtree_sample_tag(int(part.value[len(CATEGORY_TAG) :]), level))
            return all_of([*parts[:i], both, *parts[i + 1 :]])
    return all_of([expr, Token(f"{SAMPLE_TAG}{level}")])


def sampled(
    session: Session,
    expr: Expr,
    last_id: Callable[[], int],
    expected: float = 0.0,
    wanted: Callable[[list[Candidate]], bool] | None = None,
) -> list[Candidate]:
    """The listings matching `expr`: all of them when there are MAX_READ or fewer, else a random sample of
    MAX_READ, each weighing (matches / MAX_READ). The matches are counted from the index, up to ID_SCAN. A
    larger set is counted within one of the index's nested random samples (`_s<k>`, a 4**-k share of all
    listings): the level that should hold about SAMPLE_TARGET of them, judged at once from the words'
    frequencies when they say the set is large (`expected`, from SAMPLE_FROM), else by how far into the ids
    (`last_id()`, the largest, asked only then) the first ID_SCAN matches reached. (A level is asked only
    when needed: intersecting with a sample tag's long list of listings costs more than the words' own.)
    On PostgreSQL the sample's rows come with the count that decides on them (`count_and_sample`).

    With `wanted` (whether a set of listings is enough to price from), a sample of more than PROBE is
    judged on its first PROBE listings (themselves a random sample: `bottom`'s order) before the rest is
    read: a set that is not enough is kept as those PROBE, each weighing (matches / PROBE). Counted in ads
    (`marketplace.reposts`), a few ads posted many times are many listings but not enough: reading them
    all only to move on to a wider preference would cost most of a comparison."""
    level = 0
    while expected >= SAMPLE_FROM and level < SAMPLE_LEVELS and expected / 4**level > SAMPLE_TARGET:
        level += 1
    counted: dict[int, Counted] = {}
    while level not in counted:
        query = in_sample(expr, level)
        found = counted[level] = count_and_sample(session, query, ID_SCAN, level >= SAMPLE_LEVELS)
        if found.count == ID_SCAN and level < SAMPLE_LEVELS:
            reached = found.reached
            matches = found.count * 4**level * max(1.0, last_id() / reached if reached else 1.0)
            while level < SAMPLE_LEVELS and matches / 4**level > SAMPLE_TARGET:
                level += 1
            level = max(level, max(counted) + 1)  # sparser than any level that had too many
        elif level > 0 and found.count < MAX_READ // 2:
            # Far fewer than a sample's worth (the estimate was off): the level that should hold MAX_READ.
            total, level = found.count * 4**level, 0
            while total / 4 ** (level + 1) >= MAX_READ:
                level += 1
    # The densest level counted in full (the sparsest when none was).
    level = min((k for k, c in counted.items() if c.count < ID_SCAN), default=max(counted))
    chosen = counted[level]
    share = float(4**level) * chosen.count  # the listings the chosen level's matches stand for
    picked = min(chosen.count, MAX_READ)
    ids = bottom(chosen.ids, MAX_READ) if chosen.ids is not None else None
    weight = share / picked if picked else 1.0

    def rows(start: int, stop: int | None = None) -> list[Sequence[Any]]:
        """The sample's rows from `start` to `stop`, in `bottom`'s order on either database: read by id, or
        read with the count (the chosen level is one counted under ID_SCAN, or the last, asked with `last`)."""
        if ids is not None:
            return _rows_of(session, ids[start:stop])
        assert chosen.rows is not None
        return chosen.rows[start:stop]

    if wanted is not None and picked > PROBE:
        first = _candidates(session, rows(0, PROBE), share / PROBE)
        if not wanted(first):
            return first
        for cand in first:  # enough: the whole sample is read, each listing weighing its share of it
            cand.weight = weight
        return first + _candidates(session, rows(PROBE), weight)
    return _candidates(session, rows(0), weight)


def _last_id(session: Session) -> int:
    return int(session.execute(select(func.max(ListingRow.id))).scalar() or 0)


@dataclass(frozen=True, slots=True)
class ScopeStats:
    listings: int
    version: int  # changes whenever a listing in the subtree is added or removed
    # In how many of the subtree's active listings' titles each word asked about appears (None: not asked).
    df: dict[str, int] | None = None
    # ... and in how many of the whole marketplace's (asked with `df`).
    everywhere: dict[str, int] | None = None


def scope_stats(session: Session, category_id: int, tokens: Iterable[str] | None = None) -> ScopeStats:
    """Active listings in the category's subtree and the subtree's version, and with `tokens` (a query's
    `query_vocabulary`) their frequencies in its titles: one statement."""
    wanted = None if tokens is None else sorted(set(tokens))
    params: dict[str, Any] = {"c": category_id, "terms": wanted} if wanted else {"c": category_id}
    if _dialect(session) == "postgresql":
        rows: Iterable[Sequence[Any]] = _driver_rows(session, _PG_SCOPE[bool(wanted)], params)
    else:
        if wanted:
            params["terms"] = json.dumps(wanted)
        rows = _driver_rows(session, _SQLITE_SCOPE[bool(wanted)], params)
    listings, version, df, everywhere = 0, 0, {}, {}
    for term, n, v in rows:
        if term == "":  # the subtree's own row (no title word is empty)
            listings, version = int(n), int(v)
        elif term[0] == "*":
            everywhere[term[1:]] = int(n or 0)
        elif n:
            df[term] = int(n)
    if wanted is None:
        return ScopeStats(listings, version)
    return ScopeStats(listings, version, df, everywhere)


def confined(expr: Expr, scope: ScopeStats) -> bool:
    """Whether every listing `expr` matches is in the scope's subtree, by the words' frequencies: an all-of
    with a part whose every word occurs only there ("elantra" among cars, not "2016"). Such a query needs no
    category tag: the tag is a long list of listings (every car), and intersecting with it cost most of an
    index query (about 1.3 of 1.7 ms at a million listings on SQLite)."""
    if scope.df is None or scope.everywhere is None:
        return False
    here, everywhere = scope.df, scope.everywhere
    parts = expr.parts if isinstance(expr, All) else (expr,)
    return any(
        all(
            not token.prefix
            and not token.value.startswith("_")
            and token.value in everywhere
            and everywhere[token.value] == here.get(token.value, 0)
            for token in _tokens(part)
        )
        for part in parts
    )


# --- comparables -----------------------------------------------------------------------------------------


def _word_expr(term: QueryTerm, idf: dict[str, float], solo: float = SOLO_CREDIT) -> Expr | None:
    """Titles that give `term` a good part of its credit: a token that alone counts for at least `solo` of
    it (the word, a seller's synonym, a model year close by), or all words of one of its synonym phrases."""
    parts: list[Expr] = [Token(t) for t, credit in term.literal.items() if credit >= solo and _valid_token(t)]
    for phrase, scale in term.synonyms:
        if not all(_valid_token(w) for w in phrase):
            continue
        total = sum(idf.get(w, 0.0) for w in phrase)
        solos = [w for w in phrase if total and scale * idf.get(w, 0.0) / total >= solo]
        parts += [Token(w) for w in solos]
        if len(phrase) > 1 and scale >= solo:
            parts.append(all_of(Token(w) for w in phrase))
    return any_of(parts) if parts else None


def _number_expr(numbers: Sequence[QueryTerm], level: float) -> Expr | None:
    """Titles with all of the item's numbers (level 1.0), or with each close (level 0.5)."""
    groups = []
    for term in numbers:
        tokens = [Token(t) for t, credit in term.literal.items() if credit >= level and _valid_token(t)]
        if not tokens:
            return None
        groups.append(any_of(tokens))
    return all_of(groups) if groups else None


def preferences(analysis: QueryAnalysis, require_similar: bool) -> list[Expr | None]:
    """What `select_comps` prefers, best first, as index expressions (None: any listing of the scope)."""
    return [p for group in preference_groups(analysis, require_similar) for p in group]


def preference_groups(analysis: QueryAnalysis, require_similar: bool) -> list[tuple[Expr | None, ...]]:
    """`preferences` in the groups one index query reads: a word tier with the item's numbers exactly, then
    with close ones (a 2016 Elantra, then a 2014-2018 one), is one group, asked as its last (widest) member,
    whose matches hold every other member's; each member's listings are found among its rows in Python
    (`matches`). A model year's chain of preferences then costs half the index queries."""
    terms = analysis.terms
    chosen = analysis.tier_terms(require_similar)
    tiers: list[Expr | None] = []
    exprs = {i: _word_expr(terms[i], analysis.idf) for i in chosen}
    for threshold, _label in WORD_TIERS:
        clauses = tier_clauses([terms[i].weight for i in chosen], threshold)
        options = []
        for clause in clauses:
            parts = [exprs[chosen[k]] for k in clause]
            if all(p is not None for p in parts):
                options.append(all_of(p for p in parts if p is not None))
        if options:
            tiers.append(any_of(options))
    if not require_similar:
        tiers.append(None)
    groups: list[tuple[Expr | None, ...]] = []
    numbers = analysis.numbers
    for tier in tiers:
        with_numbers: list[Expr | None] = []
        for level in NUMBER_LEVELS if numbers else ():
            number = _number_expr(numbers, level)
            if number is not None:
                with_numbers.append(number if tier is None else all_of([tier, number]))
        if with_numbers:
            groups.append(tuple(with_numbers))
    groups += [(tier,) for tier in tiers]
    seen: set[Expr | None] = set()
    unique: list[tuple[Expr | None, ...]] = []
    for group in groups:
        kept = tuple(p for p in dict.fromkeys(group) if p not in seen)
        seen.update(kept)
        if kept:
            unique.append(kept)
    return unique


@dataclass(frozen=True, slots=True)
class Candidates:
    pool: list[Candidate]
    stats: PoolStats
    queries: int  # index queries asked (for benchmarks and tests)
    # Whether reading stopped before a preference was enough in ads (`WIDENINGS`): the comparison then
    # counts its comparables in listings, as before ads were counted, rather than find no tier enough.
    cut_short: bool = False
    # How many different ads the whole scope holds, when it was read and was not enough (else None): a
    # scope of many listings may still be a couple of ads posted many times (`compare_prices` then borrows
    # its parent's listings, as it does for a scope of few listings).
    scope_ads: int | None = None


def comparable_candidates(
    session: Session, category_id: int, query: str, require_similar: bool, scope: ScopeStats | None = None
) -> Candidates:
    """A bounded set of listings of the category's subtree to score for `query`, with the subtree's word
    statistics: the listings of `select_comps`' first preference that has enough of them (`enough`: MIN_COMPS
    counted by trust; all, or a random sample of MAX_READ), and of the preferences before it."""
    if scope is None or scope.df is None:
        scope = scope_stats(session, category_id, query_vocabulary(query))
    stats = PoolStats(scope.listings, scope.df or {})
    analysis = analyse_query(query, stats)
    under = category_tag(category_id)
    found: dict[int, Candidate] = {}
    read: list[Expr] = []  # the preferences read so far
    tests: dict[Expr, Callable[[frozenset[str]], bool]] = {}  # ... each as a `matcher`
    asked = 0
    probed, cut_short, scope_ads = 0, False, None
    verdict: list[bool] = []  # whether the preference's probe was enough, when it was judged on one

    def judged(rows: list[Candidate]) -> bool:
        verdict.append(enough(rows))
        return verdict[-1]

    last_id = functools.cache(lambda: _last_id(session))  # asked once, and only if a preference has many
    groups = preference_groups(analysis, require_similar)
    for position, group in enumerate(groups, start=1):
        widest = group[-1]
        expr: Expr = under
        if widest is not None:
            expr = widest if confined(widest, scope) else all_of([under, widest])
        if widest is not None and estimate(widest, dict(stats.df), scope.listings) == 0:
            continue  # a word no listing of the scope has
        expected = (
            scope.listings if widest is None else expected_matches(widest, dict(stats.df), scope.listings)
        )
        verdict.clear()
        before, read_before = set(found), list(read)
        read_rows = sampled(session, expr, last_id, expected, judged)
        asked += 1
        done = False
        for preference in group:
            # The narrower members' listings among the widest's rows, each weighing what it weighs there.
            if preference is widest:
                rows = read_rows
            else:
                member = matcher(preference) if preference is not None else None
                rows = [row for row in read_rows if member is not None and member(row.words)]
            # Each preference's listings are represented by its own rows (all, a sample or a probe, each
            # weighing its share): a wider one's rows that an earlier one matches would count them twice.
            # (A preference read in full, each row weighing 1, holds every listing it matches already.)
            earlier = _any_of([tests[p] for p in read])
            for row in rows:
                if row.id not in found and not earlier(row.words):
                    found[row.id] = row
            if preference is not None and rows and rows[0].weight > 1.0:
                read.append(preference)
                tests[preference] = matcher(preference)
            # Counted by trust and in ads: one seller's flood, or one ad posted many times, is not enough.
            # (A narrower member's rows are judged as they are: a subset of a probe that is not enough is
            # not enough either.)
            if verdict[-1] if verdict and preference is widest else enough(rows):
                done = True
                break
        if done:
            break
        if widest is None:
            scope_ads = distinct_ads(read_rows, MIN_COMPS)
        # A preference whose rows are all listings read before, or stood for by a preference read before
        # (the same few ads' copies matched again by a wider tier: '87' after '87 Monte Carlo LS'), has not
        # widened the reading: it spends no widening.
        stood = _any_of([tests[p] for p in read_before])  # whether a preference read before matches
        widened = any(row.id not in before and not stood(row.words) for row in read_rows)
        if read_rows and read_rows[0].weight * len(read_rows) > PROBE and widened:
            probed += 1
            # Only a stop before the last preference cuts reading short: after the last (the widest), every
            # preference has been read and counted in ads, as at any size.
            if probed > WIDENINGS and position < len(groups):
                cut_short = True
                break
    return Candidates(sorted(found.values(), key=lambda c: -c.id), stats, asked, cut_short, scope_ads)


# --- title search ----------------------------------------------------------------------------------------


def title_search_expr(q: str) -> Expr | None:
    """Listings whose titles have every word of `q` (as the start of a word: "spec" finds "specialized");
    None when `q` has no word to look for."""
    tokens = content_words(q) or words(q)
    parts = [Token(t, prefix=True) for t in tokens[:8] if _valid_token(t)]
    return all_of(parts) if parts else None


def render(session: Session, expr: Expr) -> str:
    """`expr` in the session's database's query syntax."""
    return render_tsquery(expr) if _dialect(session) == "postgresql" else render_fts5(expr)


_FTS = table("listing_fts", column("rowid", Integer))


def count_matches(session: Session, expr: Expr) -> int:
    """How many listings the index matches for `expr` (on SQLite without reading the listings)."""
    if _dialect(session) == "postgresql":
        sql, query = "SELECT count(*) FROM listings WHERE search @@ CAST(:q AS tsquery)", render_tsquery(expr)
    else:
        sql, query = "SELECT count(*) FROM listing_fts WHERE listing_fts MATCH :q", render_fts5(expr)
    return int(session.execute(text(sql), {"q": query}).scalar_one())


def listings_query(
    session: Session, expr: Expr | None, seller_id: str | None, source: str | None
) -> tuple[Select[ListingRow], ColumnElement[int]]:
    """Active listings matching `expr` (title words, category tag) and the filters, and the column to page
    them by, newest first (on SQLite the index's own rowid, which it reads in order)."""
    query = select(ListingRow).where(ListingRow.status == "active")
    order: ColumnElement[int] = ListingRow.__table__.c.id
    if expr is not None:
        if _dialect(session) == "postgresql":
            query = query.where(
                text("listings.search @@ CAST(:m AS tsquery)").bindparams(m=render_tsquery(expr))
            )
        else:
            query = query.join(_FTS, _FTS.c.rowid == ListingRow.id).where(
                text("listing_fts MATCH :m").bindparams(m=render_fts5(expr))
            )
            order = _FTS.c.rowid
    if seller_id:
        query = query.where(ListingRow.seller_id == seller_id)
    if source:
        query = query.where(ListingRow.source == source)
    return query, order
