"""`trova data synth`: a large synthetic marketplace, reproducibly, to measure the marketplace at scale.

The seed listings are copied round-robin (each about equally often) with noise: the price within ±20%, and
the title with a word dropped, a seller's filler added ("obo", "must go") or its case changed; category and
condition are kept. The copies are inserted in a shuffled order (ids, dates and samples random across
copies) by many long-registered sellers (`synthetic-<n>`, about four copies each, as on a classifieds site
where most people sell a few things: a comparison caps each seller's weight, so one seller holding every copy
would make the copies count as a handful), in bulk: SQLite with one multi-row insert per batch (the full-text
index kept by its triggers), PostgreSQL with COPY and the text index rebuilt once at the end. The same N and
random seed give the same listings.
"""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text
from sqlalchemy.orm import Session

from marketplace.db import ListingRow, SellerRow, UTCDateTime
from marketplace.search_index import StatsDelta, apply_stats, lineages, listing_tags, title_terms
from marketplace.seeding import category_parents, ensure_seeded

SYNTH_SELLER_PREFIX = "synthetic-"
LEGACY_SELLER_ID = "synthetic"  # an earlier build filed every copy under this one seller
LISTINGS_PER_SELLER = 4
SELLERS_SINCE = datetime(2016, 1, 1, tzinfo=UTC)  # long before the copies: full weight in comparisons
SYNTH_START = datetime(2017, 4, 2, tzinfo=UTC)
SYNTH_STEP = timedelta(seconds=30)
PRICE_NOISE = 0.2
DROP_WORD, ADD_FILLER, CHANGE_CASE = 0.25, 0.3, 0.2
BATCH = 10_000
FILLERS_FILE = Path(__file__).parent / "data" / "synth_fillers.txt"
COLUMNS = (
    "seller_id",
    "title",
    "description",
    "category_id",
    "condition",
    "price",
    "currency",
    "status",
    "source",
    "source_ref",
    "created_at",
    "terms",
    "tags",
)


@dataclass(frozen=True, slots=True)
class _Seed:
    id: int
    title: str
    category_id: int
    condition: str
    price: float
    currency: str


@dataclass
class SynthReport:
    seed_listings: int
    synthetic: int
    total: int  # every listing after: seed, synthetic and sellers' own
    seconds: float
    replaced: int = 0  # synthetic copies of an earlier run, removed first

    @property
    def sellers(self) -> int:
        return self.total - self.seed_listings - self.synthetic


def fillers() -> list[str]:
    lines = FILLERS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class _Noise:
    """Noisy copies of seed listings, with their index terms computed once per title variant (tokenising a
    million titles would take most of the build)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fillers = [(f, set(title_terms(f).split())) for f in fillers()]
        self._terms: dict[tuple[int, int], set[str]] = {}

    def _variant_terms(self, seed: _Seed, words: list[str], dropped: int) -> set[str]:
        key = (seed.id, dropped)
        found = self._terms.get(key)
        if found is None:
            kept = words if dropped < 0 else words[:dropped] + words[dropped + 1 :]
            found = self._terms[key] = set(title_terms(" ".join(kept)).split())
        return found

    def copy(self, seed: _Seed) -> tuple[str, str, float]:
        """A noisy (title, terms, price) for `seed`."""
        rng = self.rng
        words = seed.title.split()
        dropped = rng.randrange(1, len(words)) if len(words) > 2 and rng.random() < DROP_WORD else -1
        terms = self._variant_terms(seed, words, dropped)
        if dropped >= 0:
            words = words[:dropped] + words[dropped + 1 :]
        if rng.random() < ADD_FILLER:
            filler, filler_terms = rng.choice(self.fillers)
            words = [*words, filler]
            terms = terms | filler_terms
        title = " ".join(words)
        if rng.random() < CHANGE_CASE:
            title = title.lower() if rng.random() < 0.5 else title.title()
        price = max(1.0, round(seed.price * rng.uniform(1 - PRICE_NOISE, 1 + PRICE_NOISE)))
        return title[:200], " ".join(sorted(terms)), price


def _seeds(session: Session) -> list[_Seed]:
    rows = session.execute(
        select(
            ListingRow.id,
            ListingRow.title,
            ListingRow.category_id,
            ListingRow.condition,
            ListingRow.price,
            ListingRow.currency,
        )
        .where(ListingRow.source == "seed")
        .order_by(ListingRow.id)
    )
    return [_Seed(r.id, r.title, r.category_id, r.condition, float(r.price), r.currency) for r in rows]


def seller_count(copies: int) -> int:
    return max(1, -(-copies // LISTINGS_PER_SELLER))


def seller_id(number: int) -> str:
    return f"{SYNTH_SELLER_PREFIX}{number:07d}"


def _rows(
    seeds: list[_Seed], count: int, rng: random.Random, lines: dict[int, list[int]]
) -> Iterator[tuple[object, ...]]:
    sellers = seller_count(count)
    order = array("l", range(count))
    rng.shuffle(order)
    noise = _Noise(rng)
    for position, index in enumerate(order):
        seed = seeds[index % len(seeds)]
        title, terms, price = noise.copy(seed)
        tags = listing_tags(lines[seed.category_id], rng.randrange(4**6))
        created = SYNTH_START + position * SYNTH_STEP
        yield (
            seller_id(rng.randrange(sellers)),
            title,
            "",
            seed.category_id,
            seed.condition,
            price,
            seed.currency,
            "active",
            "seller",
            f"synth-{seed.id}-{index // len(seeds)}",
            created,
            terms,
            tags,
        )


def _remove_previous(connection: Connection) -> int:
    """Synthetic listings of an earlier run, out of the statistics and the table."""
    session = Session(connection)
    synthetic = or_(
        ListingRow.seller_id == LEGACY_SELLER_ID,
        ListingRow.seller_id.startswith(SYNTH_SELLER_PREFIX, autoescape=True),
    )
    old = session.execute(select(ListingRow.category_id, ListingRow.terms).where(synthetic))
    entries = [(r.category_id, r.terms) for r in old]
    apply_stats(connection, entries, sign=-1)
    connection.execute(delete(ListingRow).where(synthetic))
    connection.execute(
        delete(SellerRow).where(
            or_(
                SellerRow.id == LEGACY_SELLER_ID,
                SellerRow.id.startswith(SYNTH_SELLER_PREFIX, autoescape=True),
            )
        )
    )
    return len(entries)


def _add_sellers(connection: Connection, count: int) -> None:
    """The synthetic sellers, registered long ago, in one bulk insert per batch."""
    for start in range(0, count, BATCH):
        rows = [
            {"id": seller_id(n), "name": "Synthetic seller (trova data synth)", "created_at": SELLERS_SINCE}
            for n in range(start, min(count, start + BATCH))
        ]
        connection.execute(insert(SellerRow), rows)


def _insert_sqlite(connection: Connection, batch: list[tuple[object, ...]]) -> None:
    to_db = UTCDateTime().dialect_impl(connection.dialect).bind_processor(connection.dialect)
    assert to_db is not None
    stamp = COLUMNS.index("created_at")
    rows = [(*r[:stamp], to_db(r[stamp]), *r[stamp + 1 :]) for r in batch]
    marks = ", ".join("?" * len(COLUMNS))
    connection.exec_driver_sql(f"INSERT INTO listings ({', '.join(COLUMNS)}) VALUES ({marks})", rows)


def _insert_postgres(connection: Connection, batch: list[tuple[object, ...]]) -> None:
    import psycopg  # the `postgres` extra

    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    with raw.cursor() as cursor, cursor.copy(f"COPY listings ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)


def synthesize(
    engine: Engine, total: int, seed: int = 14, progress: Callable[[int, int], None] | None = None
) -> SynthReport:
    """Make the marketplace on `engine` hold `total` active listings: the seed and synthetic copies of it
    (replacing the copies of an earlier run). `progress(done, todo)` is called after each batch."""
    started = time.perf_counter()
    ensure_seeded(engine)
    rng = random.Random(seed)
    with engine.begin() as connection:
        session = Session(connection)
        seeds = _seeds(session)
        lines = lineages(category_parents(session))
        replaced = _remove_previous(connection)
        existing = session.scalar(select(func.count()).select_from(ListingRow)) or 0  # seed and sellers'
        count = max(0, total - existing)
        _add_sellers(connection, seller_count(count) if count else 0)
        postgres = connection.dialect.name == "postgresql"
        if postgres:  # one index build at the end beats a million index inserts
            connection.execute(text("DROP INDEX IF EXISTS ix_listings_search"))
        stats = StatsDelta()
        batch: list[tuple[object, ...]] = []
        done = 0
        insert = _insert_postgres if postgres else _insert_sqlite
        for row in _rows(seeds, count, rng, lines):
            batch.append(row)
            stats.add(int(str(row[3])), str(row[11]))
            if len(batch) == BATCH:
                insert(connection, batch)
                done += len(batch)
                batch.clear()
                if progress:
                    progress(done, count)
        if batch:
            insert(connection, batch)
            done += len(batch)
            if progress:
                progress(done, count)
        stats.write(connection)
        if postgres:
            connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            connection.execute(text("CREATE INDEX ix_listings_search ON listings USING gin (search)"))
    _analyze(engine)
    return SynthReport(len(seeds), count, existing + count, time.perf_counter() - started, replaced)


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL also sets its visibility map; SQLite merges its
    full-text index)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE listings"))
    else:
        with engine.begin() as connection:
            # The full-text index's segments, written batch by batch, merged into one: each word of a query
            # is then one b-tree lookup (at 1M listings the index queries' CPU about a quarter less; 2 s).
            connection.execute(text("INSERT INTO listing_fts(listing_fts) VALUES ('optimize')"))
            connection.execute(text("ANALYZE"))
