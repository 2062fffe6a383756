"""Finding listings with the database's full-text index: comparables' candidates and title search.

The index (see `marketplace/search_index.py`) holds each listing's title words and its category tags, on
SQLite in an FTS5 table and on PostgreSQL in a `tsvector` column with a GIN index; the same boolean
expressions (`Expr`) are rendered for either. A category subtree is a tag (`_c<id>`), so every query is
"these words, under this category".

Comparables: the price comparison (`marketplace.pricing.select_comps`) chooses among listings in order of
preference: the word tier closest to the item (most of its distinctive words, else some), with its numbers
(exactly, else close), else the tier without them, else the whole category. Here each of those preferences
is an index query, asked in the same order until one finds enough listings; a preference with more matches
than `CANDIDATES` is read as a random sample of about that size (the `_s<k>` tags), so its prices are
represented without reading it all. Python then scores this bounded set exactly as before.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Select, bindparam, column, select, table, text
from sqlalchemy.orm import Session

from marketplace.db import ListingRow, UTCDateTime, utcnow
from marketplace.pricing import (
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
from marketplace.search_index import CATEGORY_TAG, SAMPLE_LEVELS, SAMPLE_TAG
from marketplace.text import content_words, words

CANDIDATES = 200  # about this many candidates per preference; a sample when there are more
MAX_READ = 300  # and never more than this many rows from one query
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


def category_tag(category_id: int) -> Token:
    return Token(f"{CATEGORY_TAG}{category_id}")


def _valid_token(value: str) -> bool:
    # Title tokens are [a-z0-9.]; anything else (a quote) never reaches a query string.
    return bool(value) and all(ch.isalnum() or ch in "._" for ch in value) and value.isascii()


# --- reading the index -----------------------------------------------------------------------------------

_ROW_COLUMNS = (
    "l.id, l.title, l.price, l.condition, l.terms, l.source, l.seller_id, s.created_at AS seller_since"
)
_SELLER_JOIN = "JOIN sellers s ON s.id = l.seller_id"


def _match_rows(session: Session, expr: Expr, limit: int, weight: float = 1.0) -> list[Candidate]:
    """Active listings matching `expr`, at most `limit`, in the index's own order (a sample is already
    random; asking for an order would make the database sort, or on SQLite read its lists backwards);
    each standing for `weight` listings, with its seller and the seller's account age (`marketplace.trust`)."""
    if session.get_bind().dialect.name == "postgresql":
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM listings l {_SELLER_JOIN} WHERE l.search @@ CAST(:q AS tsquery) "
            "AND l.status = 'active' LIMIT :n"
        )
        query = render_tsquery(expr)
    else:
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM listing_fts f JOIN listings l ON l.id = f.rowid {_SELLER_JOIN} "
            "WHERE listing_fts MATCH :q AND l.status = 'active' LIMIT :n"
        )
        query = render_fts5(expr)
    typed = text(sql).columns(seller_since=UTCDateTime())
    rows = session.execute(typed, {"q": query, "n": limit}).all()
    now = utcnow()
    return [
        Candidate.of(
            r.id,
            r.title,
            r.price,
            r.condition,
            r.terms,
            weight,
            *_seller_of(r.source, r.seller_id, r.seller_since, now),
        )
        for r in rows
    ]


def _seller_of(source: str, seller_id: str, since: datetime | None, now: datetime) -> tuple[str, float]:
    """A candidate's seller and the account's age in days; the seed's listings have none (each is a
    different seller's ad, `marketplace.trust`)."""
    if source == "seed":
        return "", math.inf
    days = (now - since).total_seconds() / 86400 if since is not None else 0.0
    return seller_id, days


def sampled(session: Session, expr: Expr, expected: int) -> list[Candidate]:
    """The listings matching `expr`, all of them when there are about CANDIDATES or fewer, else a random
    sample of about that many: `expected` (an upper bound) picks the sample's level, and a sample that finds
    too few (the bound was loose) is widened."""
    level = 0
    while level < SAMPLE_LEVELS and expected / 4 ** (level + 1) >= CANDIDATES:
        level += 1
    while True:
        query = expr if level == 0 else all_of([expr, Token(f"{SAMPLE_TAG}{level}")])
        rows = _match_rows(session, query, MAX_READ, float(4**level))
        if level == 0 or len(rows) >= CANDIDATES // 2:
            return rows
        level -= 1


@dataclass(frozen=True, slots=True)
class ScopeStats:
    listings: int
    version: int  # changes whenever a listing in the subtree is added or removed


def scope_stats(session: Session, category_id: int) -> ScopeStats:
    """Active listings in the category's subtree and the subtree's version."""
    row = session.execute(
        text(
            "SELECT COALESCE(SUM(s.listings), 0), COALESCE(SUM(s.version), 0) FROM category_stats s "
            "JOIN category_tree t ON t.descendant_id = s.category_id WHERE t.ancestor_id = :c"
        ),
        {"c": category_id},
    ).one()
    return ScopeStats(int(row[0]), int(row[1]))


def term_frequencies(session: Session, category_id: int, tokens: Iterable[str]) -> dict[str, int]:
    """In how many active listings' titles of the subtree each token appears."""
    wanted = sorted(set(tokens))
    if not wanted:
        return {}
    rows = session.execute(
        text(
            "SELECT s.term, SUM(s.df) FROM term_stats s JOIN category_tree t ON t.descendant_id = s.category_id "
            "WHERE t.ancestor_id = :c AND s.term IN :terms GROUP BY s.term"
        ).bindparams(bindparam("terms", expanding=True)),
        {"c": category_id, "terms": wanted},
    ).all()
    return {term: int(df) for term, df in rows if df}


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
    ordered: list[Expr | None] = []
    numbers = analysis.numbers
    for tier in tiers:
        for level in NUMBER_LEVELS if numbers else ():
            number = _number_expr(numbers, level)
            if number is not None:
                ordered.append(number if tier is None else all_of([tier, number]))
    ordered += tiers
    return list(dict.fromkeys(ordered))


@dataclass(frozen=True, slots=True)
class Candidates:
    pool: list[Candidate]
    stats: PoolStats
    queries: int  # index queries asked (for benchmarks and tests)


def comparable_candidates(
    session: Session, category_id: int, query: str, require_similar: bool, scope: ScopeStats | None = None
) -> Candidates:
    """A bounded set of listings of the category's subtree to score for `query`, with the subtree's word
    statistics: the listings of `select_comps`' first preference that has enough of them (`enough`: MIN_COMPS
    counted by trust; all, or a random sample of about CANDIDATES), and of the preferences before it."""
    scope = scope or scope_stats(session, category_id)
    stats = PoolStats(scope.listings, term_frequencies(session, category_id, query_vocabulary(query)))
    analysis = analyse_query(query, stats)
    under = category_tag(category_id)
    found: dict[int, Candidate] = {}
    asked = 0
    for preference in preferences(analysis, require_similar):
        expr = under if preference is None else all_of([under, preference])
        expected = (
            scope.listings if preference is None else estimate(preference, dict(stats.df), scope.listings)
        )
        if expected == 0:
            continue
        rows = sampled(session, expr, expected)
        asked += 1
        for row in rows:
            found.setdefault(row.id, row)
        if enough(rows):  # counted by trust: one seller's flood is not enough
            break
    return Candidates(sorted(found.values(), key=lambda c: -c.id), stats, asked)


# --- title search ----------------------------------------------------------------------------------------


def title_search_expr(q: str) -> Expr | None:
    """Listings whose titles have every word of `q` (as the start of a word: "spec" finds "specialized");
    None when `q` has no word to look for."""
    tokens = content_words(q) or words(q)
    parts = [Token(t, prefix=True) for t in tokens[:8] if _valid_token(t)]
    return all_of(parts) if parts else None


def render(session: Session, expr: Expr) -> str:
    """`expr` in the session's database's query syntax."""
    return render_tsquery(expr) if session.get_bind().dialect.name == "postgresql" else render_fts5(expr)


_FTS = table("listing_fts", column("rowid", Integer))


def count_matches(session: Session, expr: Expr) -> int:
    """How many listings the index matches for `expr` (on SQLite without reading the listings)."""
    if session.get_bind().dialect.name == "postgresql":
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
        if session.get_bind().dialect.name == "postgresql":
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
