"""What a listing contributes to the full-text index and to the per-category statistics.

Every listing, seed or seller's, is indexed the same way when it is written:
- `terms`: its title's words as the price comparison reads them (`marketplace.text.words`: stemmed, sizes as
  one token), so the database matches exactly the words the scoring then weighs;
- `tags`: `_c<id>` for its category and every ancestor (a category subtree is one index term), and `_s<k>`
  when it belongs to the k-th random sample (a fraction 4**-k of all listings, nested: `_s2` listings are
  also `_s1`), so that a large set of matches can be read as an unbiased sample of bounded size; and for
  each of those pairs one combined tag `_c<id>_s<k>` (the subtree's own sample): a sample of a subtree is
  then one short list in the index rather than the intersection of two long ones (`_c916` holds every car,
  `_s2` a sixteenth of every listing), about 1.3 more tags a listing on average.
Title words are `[a-z0-9.]` only, so a tag (with `_`) never collides with one.

The statistics (`category_stats`, `term_stats`) are kept in the same transaction as the listing rows.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.orm import Session

from marketplace.db import CategoryStatsRow, TermStatsRow
from marketplace.text import words

SAMPLE_RANGE = 4**6  # a listing's sample number is uniform in 0..4095
SAMPLE_LEVELS = 6  # `_s1` .. `_s6`: fractions 1/4 .. 1/4096
CATEGORY_TAG = "_c"
SAMPLE_TAG = "_s"


def title_terms(title: str) -> str:
    """The title's distinct words, space-separated (the `terms` column)."""
    return " ".join(sorted(set(words(title))))


def sample_levels(sample: int) -> int:
    """How many nested sample levels a listing with this sample number belongs to (0..SAMPLE_LEVELS)."""
    level = 0
    while level < SAMPLE_LEVELS and sample % 4 ** (level + 1) == 0:
        level += 1
    return level


def subtree_sample_tag(category_id: int, level: int) -> str:
    """The tag of the listings of a category's subtree that are in the level-th sample."""
    return f"{CATEGORY_TAG}{category_id}{SAMPLE_TAG}{level}"


def tags_of(categories: Sequence[int], levels: int) -> str:
    """The `tags` column of a listing in these categories (its own and its ancestors) and sample levels."""
    cats = [f"{CATEGORY_TAG}{c}" for c in categories]
    samples = [f"{SAMPLE_TAG}{k}" for k in range(1, levels + 1)]
    both = [subtree_sample_tag(c, k) for k in range(1, levels + 1) for c in categories]
    return " ".join(cats + samples + both)


def listing_tags(lineage: Sequence[int], sample: int) -> str:
    """The `tags` column: the category and its ancestors, the samples the listing belongs to, and each pair
    of the two."""
    return tags_of(lineage, sample_levels(sample))


def with_subtree_samples(tags: str) -> str:
    """A `tags` value written before the combined tags existed, with them (unchanged if it has them)."""
    tokens = tags.split()
    categories = [
        int(t[len(CATEGORY_TAG) :])
        for t in tokens
        if t.startswith(CATEGORY_TAG) and t[len(CATEGORY_TAG) :].isdigit()
    ]
    levels = sum(1 for t in tokens if t.startswith(SAMPLE_TAG) and t[len(SAMPLE_TAG) :].isdigit())
    return tags_of(categories, levels) if categories else tags


def new_sample(rng: random.Random | None = None) -> int:
    return (rng or random).randrange(SAMPLE_RANGE)


def lineages(parents: Mapping[int, int | None]) -> dict[int, list[int]]:
    """Each category's ancestors and itself, root first."""
    out: dict[int, list[int]] = {}

    def walk(category_id: int) -> list[int]:
        known = out.get(category_id)
        if known is not None:
            return known
        parent = parents[category_id]
        line = [*(walk(parent) if parent is not None else []), category_id]
        out[category_id] = line
        return line

    for category_id in parents:
        walk(category_id)
    return out


def closure_rows(parents: Mapping[int, int | None]) -> list[dict[str, int]]:
    """The rows of the `category_tree` closure table."""
    return [
        {"ancestor_id": ancestor, "descendant_id": category_id, "depth": len(line) - 1 - i}
        for category_id, line in lineages(parents).items()
        for i, ancestor in enumerate(line)
    ]


@dataclass(frozen=True, slots=True)
class IndexedFields:
    terms: str
    tags: str


def index_fields(title: str, lineage: Sequence[int], sample: int) -> IndexedFields:
    return IndexedFields(title_terms(title), listing_tags(lineage, sample))


def _upsert(bind: Session | Connection, table: Table, rows: list[dict[str, object]], keys: list[str]) -> None:
    """Add `rows`' counts to the stored ones (insert, or add on conflict), in key order so that concurrent
    writers on PostgreSQL take row locks in one order and never deadlock."""
    if not rows:
        return
    rows.sort(key=lambda r: tuple(str(r[k]) for k in keys))
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    # Each dialect's module is imported only where it is used (PostgreSQL's takes a while to import).
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement: Any = postgresql.insert(table)
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table)
    counts = [c for c in rows[0] if c not in keys]
    updates = {c: table.c[c] + statement.excluded[c] for c in counts}
    if "version" in table.c:
        updates["version"] = table.c.version + 1
    bind.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), rows)


@dataclass
class StatsDelta:
    """Listings counted in or out of the statistics, gathered before one write."""

    listings: Counter[int] = field(default_factory=Counter)
    df: Counter[tuple[str, int]] = field(default_factory=Counter)

    def add(self, category_id: int, terms: str) -> None:
        self.listings[category_id] += 1
        self.df.update((term, category_id) for term in terms.split())

    def write(self, bind: Session | Connection, sign: int = 1) -> None:
        _upsert(
            bind,
            CategoryStatsRow.__table__,  # type: ignore[arg-type]
            [{"category_id": c, "listings": sign * n, "version": 1} for c, n in self.listings.items()],
            ["category_id"],
        )
        _upsert(
            bind,
            TermStatsRow.__table__,  # type: ignore[arg-type]
            [{"term": t, "category_id": c, "df": sign * n} for (t, c), n in self.df.items()],
            ["term", "category_id"],
        )


def apply_stats(bind: Session | Connection, entries: Iterable[tuple[int, str]], sign: int = 1) -> None:
    """Count listings (category id, terms) in (sign 1) or out (sign -1) of the statistics."""
    delta = StatsDelta()
    for category_id, terms in entries:
        delta.add(category_id, terms)
    delta.write(bind, sign)
