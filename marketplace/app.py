"""The marketplace HTTP API (FastAPI). OpenAPI docs at /docs."""

import functools
import hashlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any, TypeVar

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    status,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Engine, Select, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Scope

from marketplace import config, drafts, index_cache
from marketplace.auth import Caller, caller_for_token, create_agent_token, create_seller, reissue_seller_token
from marketplace.cache import BoundedCache
from marketplace.category_search import CategoryIndex
from marketplace.conditions import Condition
from marketplace.db import (
    CategoryRow,
    CategoryStatsRow,
    CategoryTreeRow,
    DraftRow,
    IdempotencyRow,
    ListingRow,
    MetaRow,
    SellerRow,
    make_engine,
    make_sessionmaker,
)
from marketplace.guards import RequestGuard, known_query_parameters
from marketplace.item_kinds import narrower_category
from marketplace.limits import check as check_rate
from marketplace.limits import client_of, configured
from marketplace.photos import attach_photos, photos_of
from marketplace.pricing import (
    ALL_LISTINGS,
    UNLIKE_CONFIDENCE,
    CompResult,
    comparison_stats,
    confidence_label,
    query_vocabulary,
    select_comps,
)
from marketplace.retrieval import (
    Expr,
    all_of,
    category_tag,
    comparable_candidates,
    count_matches,
    listings_query,
    read_only,
    scope_stats,
    title_search_expr,
)
from marketplace.schemas import (
    AgentToken,
    CategoryDetail,
    CategoryMatch,
    CategoryOut,
    CategorySearchResult,
    Comparable,
    Draft,
    ErrorBody,
    GrantRequest,
    Listing,
    ListingCreate,
    ListingPage,
    ListingSource,
    PriceComparison,
    PublishGrant,
    SellerCreate,
    SellerIdentity,
    SellerToken,
)
from marketplace.search_index import apply_stats, index_fields, new_sample
from marketplace.seeding import SEED_FINGERPRINT_KEY, ensure_seeded
from marketplace.taxonomy import Category, HasCategories, Taxonomy
from marketplace.validation import validation_body
from settings.environment import RateLimits

SWAGGER_UI = FilePath(__file__).parent / "static" / "swagger-ui"

IDEMPOTENCY_KEY_MAX = 200
MAX_OFFSET = 100_000  # deeper pages with `after`
MIN_SCOPE_COMPS = 3  # a leaf with fewer listings (or ads) than this borrows its parent's
SPARSE_SCOPES_KEPT = 10_000


class Marketplace:
    """Everything a request needs: the session factory, the taxonomy, the category search index (built on
    first use) and the cache of price comparisons. Listings themselves are only in the database, so any
    number of processes can serve one database."""

    def __init__(
        self,
        engine: Engine,
        index: CategoryIndex | None = None,
        *,
        inline: bool = False,
        rate_limits: RateLimits | bool | None = True,
    ) -> None:
        """`rate_limits`: the per-client limits (True: `TROVA_RATE_LIMITS` or the defaults; None: none)."""
        self.engine = engine
        self.inline = inline
        self.rate_limits = configured() if rate_limits is True else rate_limits or None
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)
        # This process's or the data directory's copy for the same seed, when there is one: reading it
        # costs less than reading the taxonomy, and the index is then ready at once.
        self._index = index if index is not None else self._saved_index()
        self._index_lock = threading.Lock()
        if self._index is not None:
            self.taxonomy = Taxonomy(self._index.by_id, self._index.children)
        else:
            with self.sessions() as s:
                rows = s.execute(
                    select(
                        CategoryRow.id,
                        CategoryRow.path,
                        CategoryRow.name,
                        CategoryRow.parent_id,
                        CategoryRow.is_leaf,
                    )
                ).all()
            self.taxonomy = Taxonomy.of(Category(*r) for r in rows)
        # Keyed by the query and the version of its category subtree's listings, so never stale.
        self.comparisons: BoundedCache[PriceComparison] = BoundedCache(COMPARISON_CACHE_BYTES, _json_size)
        # Category subtrees (and the version of their listings) that hold fewer than MIN_SCOPE_COMPS ads.
        self.sparse_scopes: set[tuple[int, int]] = set()

    def note_sparse_scope(self, scope: int, version: int) -> None:
        if len(self.sparse_scopes) >= SPARSE_SCOPES_KEPT:  # versions move on: old entries are never asked
            self.sparse_scopes.clear()
        self.sparse_scopes.add((scope, version))

    @property
    def index(self) -> CategoryIndex:
        """The category search index, built on first use from the taxonomy and the seed listings' titles (the
        same evidence whatever the database holds besides, and a start-up that does not grow with it)."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = self._build_index()
        return self._index

    def add_listings(self, session: Session, rows: Sequence[ListingRow]) -> None:
        """Listings written straight to the database (an eval's fixtures), indexed and counted as the API's
        own are; the caller commits."""
        for row in rows:
            fields = index_fields(row.title, self.taxonomy.lineage(row.category_id), new_sample())
            row.terms, row.tags = fields.terms, fields.tags
        session.add_all(rows)
        session.flush()
        apply_stats(session, [(row.category_id, row.terms) for row in rows])

    def remove_listings(self, session: Session, category_ids: Collection[int]) -> None:
        """Every listing filed under these categories, out of the database and its statistics; the caller
        commits."""
        where = ListingRow.category_id.in_(list(category_ids))
        gone = session.execute(select(ListingRow.category_id, ListingRow.terms).where(where)).all()
        apply_stats(session, [(r.category_id, r.terms) for r in gone], sign=-1)
        session.execute(delete(ListingRow).where(where))

    def _seed_key(self, session: Session) -> str:
        seed = session.get(MetaRow, SEED_FINGERPRINT_KEY)
        return seed.value if seed is not None else ""

    def _saved_index(self) -> CategoryIndex | None:
        """The index already built for this database's seed, in this process or on disk; None if neither
        holds it (it is then built on first use, or by `warm_up`)."""
        with self.sessions() as s:
            key = self._seed_key(s)
        if not key:
            return None
        with _INDEXES_LOCK:
            built = _INDEXES.get(key)
            if built is None:
                built = index_cache.load(key)
                if built is not None:
                    _INDEXES[key] = built
        return built.clone() if built is not None else None

    def _build_index(self) -> CategoryIndex:
        """Built once per process and seed version (every database seeded from the same files has the same
        categories and seed titles), then cloned: tests and eval runs make many apps. Kept on disk too
        (`index_cache`), so the next process reads it instead of building it."""
        with self.sessions() as s:
            key = self._seed_key(s)
            with _INDEXES_LOCK:
                built = _INDEXES.get(key)
                if built is None:
                    titles = [
                        (r.category_id, r.title)
                        for r in s.execute(
                            select(ListingRow.category_id, ListingRow.title).where(
                                ListingRow.source == "seed", ListingRow.status == "active"
                            )
                        )
                    ]
                    cats = self.taxonomy.by_id.values()
                    built = CategoryIndex(
                        ((c.id, c.path, c.name, c.parent_id, c.is_leaf) for c in cats), titles
                    )
                    if key:
                        _INDEXES[key] = built
                        index_cache.save(key, built)
        return built.clone()

    def warm_up(self) -> None:
        """Build the category search index in the background (unless it was read ready-made), so that a
        server is ready at once and its first search does not wait for it."""
        if self._index is None:
            threading.Thread(target=self._build_index_quietly, name="category-index", daemon=True).start()

    def _build_index_quietly(self) -> None:
        # A database gone before the build ends (a server stopping, a test's database dropped) is no error
        # of the build's: the first search builds the index again and reports what it meets.
        try:
            _ = self.index
        except SQLAlchemyError as e:
            logging.getLogger(__name__).warning("category index not built in the background: %s", e)


_INDEXES: dict[str, CategoryIndex] = {}
_INDEXES_LOCK = threading.Lock()


COMPARISON_CACHE_BYTES = 8 * 1024 * 1024
# FastAPI's own OpenTelemetry, on once tracing is configured: each request's server span, which traces keep
# (it joins the agent's trace), and not a second span per endpoint, HTTP metrics or log records that nothing
# reads: those cost about 1.3 ms of CPU per request with logfire's processors, more than the rest of a cached
# price comparison (`uv run python benchmarks/scale.py`: the figures over HTTP).
TELEMETRY: TelemetryConfig = {"operation_spans": False, "metrics": False, "logs": False}


def _json_size(comparison: PriceComparison) -> int:
    return len(comparison.model_dump_json()) + 200  # the key and bookkeeping


def listing_out(row: ListingRow, taxonomy: HasCategories, photos: list[str] | None = None) -> Listing:
    """A listing row as the API returns it (with its photo references, read by `photos_of`)."""
    return Listing(
        id=row.id,
        seller_id=row.seller_id,
        title=row.title,
        description=row.description,
        category_id=row.category_id,
        category_path=taxonomy.by_id[row.category_id].path,
        condition=Condition(row.condition),
        price=float(row.price),
        currency=row.currency,
        status=row.status,
        source=row.source,
        created_at=row.created_at,
        photos=photos or [],
        variant=row.source_ref if row.source == "seller" else None,  # a seed listing's is its source post
    )


def _category_out(market: Marketplace, category_id: int, counts: dict[int, int]) -> CategoryOut:
    c = market.taxonomy.by_id[category_id]
    return CategoryOut(
        id=c.id,
        path=c.path,
        name=c.name,
        is_leaf=c.is_leaf,
        parent_id=c.parent_id,
        listing_count=counts.get(c.id, 0),
    )


MARKET_SCOPE_KEY = "trova.market"
T = TypeVar("T")


async def _market(request: Request) -> Marketplace:
    """The app's marketplace, or the one a wrapper put in the request scope (isolated eval runs share one
    app, each with its own database)."""
    market: Marketplace = request.scope.get(MARKET_SCOPE_KEY) or request.app.state.market
    return market


Market = Annotated[Marketplace, Depends(_market)]


async def _db(market: Market) -> AsyncIterator[Session]:
    # Async so that FastAPI does not hop to a worker thread just to open and close a session (making
    # a session does no I/O); the endpoints that query stay sync and run in the thread pool.
    with market.sessions() as session:
        yield session


DB = Annotated[Session, Depends(_db)]
_bearer = HTTPBearer(auto_error=False)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _authenticate(session: Session, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    """The seller a bearer token belongs to, and the token's scope (called in the endpoint, where database
    work may run)."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    caller = caller_for_token(session, credentials.credentials)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"}
        )
    return caller


def _seller_only(caller: Caller, what: str) -> SellerRow:
    """The seller, when the token is the seller's own: an agent's token cannot `what`."""
    if not caller.is_seller:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"an agent's token cannot {what}: it can save and revise drafts; the seller publishes them",
        )
    return caller.seller


def _rate(market: Marketplace, session: Session, request: Request, kind: str) -> None:
    limits = market.rate_limits
    if limits is not None:
        check_rate(
            session, client_of(request), kind, limits.register if kind == "register" else limits.create
        )


def _database_work(endpoint: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Run a sync endpoint in the thread pool, or inline when the marketplace is in-process and
    single-user (the embedded one, eval runs): a thread hop per request is most of such a request's cost."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> T:
        market: Marketplace = kwargs["market"]
        if market.inline:
            return endpoint(*args, **kwargs)
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


router = APIRouter()
MAX_ID = 2**63 - 1  # ids are 64-bit in the database: a larger number names nothing (422, never a 500)
RowId = Annotated[int, Path(ge=0, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=0, le=MAX_ID)]
IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=IDEMPOTENCY_KEY_MAX)]
_WHY = {
    400: "The request could not be read",
    401: "No bearer token, or one the marketplace does not know",
    403: "The token may not do this (an agent's token, or no valid publish grant)",
    404: "No such thing (or not yours)",
    409: "Conflicts with what is there (an idempotency key reused, a draft changed or published)",
    413: "The body is too large",
    415: "The body is not JSON",
    422: "The request is not valid: `detail` lists each problem with where it is (`loc`)",
    429: "Too many requests from this address; see Retry-After",
}


def _errors_for(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an endpoint documents, each with the one error body every error has."""
    return {code: {"model": ErrorBody, "description": _WHY[code]} for code in statuses}


_errors = _errors_for(404, 422)


@router.get("/health", tags=["meta"])
@_database_work
def health(market: Market, session: DB) -> dict[str, Any]:
    listings = session.scalar(select(func.coalesce(func.sum(CategoryStatsRow.listings), 0))) or 0
    return {"status": "ok", "categories": len(market.taxonomy.by_id), "listings": listings}


@router.post("/sellers", tags=["sellers"], status_code=201, responses=_errors_for(400, 409, 413, 422, 429))
@_database_work
def register_seller(
    market: Market,
    body: SellerCreate,
    session: DB,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> SellerToken:
    """Register a seller and get their bearer token (shown once). Sent again with the same
    `Idempotency-Key` (its answer was lost), it is the same seller, with a fresh token (the unseen one is
    revoked): a retry never makes a second seller."""
    key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest() if idempotency_key else None
    if key_hash is not None:
        again = session.scalar(select(SellerRow).where(SellerRow.registration_sha256 == key_hash))
        if again is not None:
            token = reissue_seller_token(session, again.id)
            session.commit()
            response.status_code = 200
            response.headers["Idempotent-Replayed"] = "true"
            return SellerToken(seller_id=again.id, name=again.name, token=token)
    _rate(market, session, request, "register")
    seller, token = create_seller(session, body.name)
    seller.registration_sha256 = key_hash
    session.commit()
    return SellerToken(seller_id=seller.id, name=seller.name, token=token)


@router.get("/sellers/me", tags=["sellers"], responses=_errors_for(401))
@_database_work
def whoami(market: Market, session: DB, credentials: Credentials) -> SellerIdentity:
    """The seller a bearer token belongs to."""
    seller = _authenticate(session, credentials).seller
    return SellerIdentity(seller_id=seller.id, name=seller.name)


@router.post(
    "/sellers/me/agent-tokens", tags=["sellers"], status_code=201, responses=_errors_for(401, 403, 413)
)
@_database_work
def agent_token(market: Market, session: DB, credentials: Credentials) -> AgentToken:
    """A token for the seller's agent, which can save, revise and read the seller's drafts and nothing else
    (shown once). Only the seller's own token can make one."""
    seller = _seller_only(_authenticate(session, credentials), "make tokens")
    token = create_agent_token(session, seller.id)
    session.commit()
    return AgentToken(seller_id=seller.id, token=token)


@router.get("/categories/search", tags=["categories"])
@_database_work
def search_categories(
    market: Market,
    q: Annotated[str, Query(min_length=1, max_length=200, description="The item, in the seller's words")],
    limit: Annotated[int, Query(ge=1, le=25)] = 5,
    leaf_only: bool = False,
) -> CategorySearchResult:
    """Categories ranked by how well the words match their path (synonyms included)."""
    hits = market.index.search(q, limit=limit, leaf_only=leaf_only)
    top = hits[0].score if hits else 1.0
    return CategorySearchResult(
        query=q,
        matches=[
            CategoryMatch(
                id=h.category.id,
                path=h.category.path,
                is_leaf=h.category.is_leaf,
                score=round(h.score / top, 3),
                named=h.named,
            )
            for h in hits
        ],
    )


@router.get("/categories/{category_id}", tags=["categories"], responses=_errors)
@_database_work
def get_category(market: Market, session: DB, category_id: RowId) -> CategoryDetail:
    if category_id not in market.taxonomy.by_id:
        raise HTTPException(404, f"category {category_id} does not exist")
    kids = sorted(market.taxonomy.children.get(category_id, ()))
    counts = {
        r.category_id: r.listings
        for r in session.execute(
            select(CategoryStatsRow.category_id, CategoryStatsRow.listings).where(
                CategoryStatsRow.category_id.in_([category_id, *kids])
            )
        )
    }
    base = _category_out(market, category_id, counts)
    children = [_category_out(market, c, counts) for c in kids]
    return CategoryDetail(**base.model_dump(), children=children)


@router.get("/prices/compare", tags=["prices"], responses=_errors)
@_database_work
def compare_prices(
    market: Market,
    session: DB,
    category_id: QueryId,
    q: Annotated[str, Query(max_length=200, description="The item's title words")] = "",
    condition: Condition | None = None,
) -> PriceComparison:
    """Comparable listings by category subtree, title words and condition, with a suggested price."""
    if category_id not in market.taxonomy.by_id:
        raise HTTPException(404, f"category {category_id} does not exist")
    read_only(session)  # a few reads, from one snapshot
    return price_comparison(market, session, category_id, q, condition)


def price_comparison(
    market: Marketplace, session: Session, category_id: int, q: str, condition: Condition | None
) -> PriceComparison:
    """`GET /prices/compare` for a category that exists (the session read-only, `read_only`)."""
    taxonomy = market.taxonomy
    # The item's own kind when it names a narrower category ("IKEA sofa" under Furniture: Sofas, not every
    # IKEA thing); a sparse leaf borrows its parent's listings (Bicycle Frames -> Bicycle Parts).
    scope = start = narrower_category(taxonomy, taxonomy.children, category_id, q)
    vocabulary = query_vocabulary(q)  # the words' frequencies come with the subtree's counts
    while True:
        while True:
            in_scope = scope_stats(session, scope, vocabulary)
            sparse = in_scope.listings < MIN_SCOPE_COMPS or (scope, in_scope.version) in market.sparse_scopes
            parent = _wider_scope(taxonomy, scope)
            if not sparse or parent is None:
                break
            scope = parent
        # Trust grows with sellers' age (`marketplace.trust`): an answer is kept for a day at most.
        key = (category_id, scope, q, condition, in_scope.version, int(time.time() // 86400))
        cached = market.comparisons.get(key)
        if cached is not None:
            return cached
        # Borrowed listings count only when their titles share words with the item: an accordion is not
        # priced from the pianos next to it in the taxonomy.
        borrowed = scope != start
        found = comparable_candidates(session, scope, q, borrowed, in_scope)
        if found.scope_ads is None or found.scope_ads >= MIN_SCOPE_COMPS or parent is None:
            break
        # Many listings, few ads (each posted many times): as sparse as a scope of few listings. Known for
        # this version of the scope from now on, so the next comparison borrows at once; this one goes on
        # from the parent (the scopes below it were read in this snapshot and are not read again).
        market.note_sparse_scope(scope, in_scope.version)
        scope = parent
    picked = select_comps(
        found.pool, q, condition, require_similar=borrowed, stats=found.stats, in_ads=not found.cut_short
    )
    result = _comparison(taxonomy, category_id, scope, q, condition, picked)
    market.comparisons.put(key, result)
    return result


def _wider_scope(taxonomy: Taxonomy, scope: int) -> int | None:
    """The category whose listings a sparse `scope` borrows: its parent, unless the scope is a top-level
    category or one just below it (too broad to borrow from)."""
    node = taxonomy.by_id[scope]
    return None if node.parent_id is None or node.path.count(" > ") < 2 else node.parent_id


def _comparison(
    taxonomy: Taxonomy, category_id: int, scope: int, q: str, condition: Condition | None, picked: CompResult
) -> PriceComparison:
    path = taxonomy.by_id[category_id].path
    scope_path = taxonomy.by_id[scope].path
    base: dict[str, Any] = {
        "category_id": category_id,
        "category_path": path,
        "scope_path": scope_path,
        "query": q,
        "condition": condition,
    }
    if not picked.comps:
        return PriceComparison(
            **base,
            count=0,
            confidence=0.0,
            confidence_label="none",
            message=f"No comparable listings under {scope_path}: there is no market price to go by, "
            "so the seller has to name a price.",
        )
    # The price model reads the item's most specific category: the one it names when narrowed to it.
    lineage = taxonomy.lineage(scope)
    stats = comparison_stats(
        picked.comps, condition, q, lineage if category_id in lineage else taxonomy.lineage(category_id)
    )
    examples = [
        Comparable(id=c.id, title=c.title, price=c.price, condition=c.condition) for c in stats.examples
    ]
    widened = ""
    if scope != category_id:
        narrowed = category_id in taxonomy.lineage(scope)
        widened = (
            f" (narrowed to {scope_path}: the item names it)"
            if narrowed
            else (f" (widened to {scope_path}: too few listings in the category)")
        )
    # Many listings in general say little about this item: never more than low confidence when none is like it.
    alike = not picked.basis.startswith(ALL_LISTINGS)
    confidence, label = stats.confidence, stats.confidence_label
    if not alike:
        confidence = min(confidence, UNLIKE_CONFIDENCE)
        label = confidence_label(confidence)
    return PriceComparison(
        **base,
        count=stats.count,
        median=stats.median,
        p25=stats.p25,
        p75=stats.p75,
        min=stats.min,
        max=stats.max,
        suggested_low=stats.suggested_low,
        suggested_high=stats.suggested_high,
        suggested_price=stats.suggested_price,
        suggestion_basis=stats.basis or None,
        suggestion_method=stats.method or None,
        comparables_price=stats.comparables_price,
        model_price=stats.model_price,
        alike=alike,
        confidence=confidence,
        confidence_label=label,
        examples=examples,
        message=f"{stats.count} comparable listings ({picked.basis}){widened}; the middle half{stats.spread_note} "
        f"ask ${stats.p25:,.0f} to ${stats.p75:,.0f}, median ${stats.median:,.0f}. "
        + (f"{stats.basis} " if stats.basis else "")
        + f"Confidence {label}.",
    )


def _request_hash(body: ListingCreate) -> str:
    # Without photos the hash is the one keys were stored with before listings had photos.
    return hashlib.sha256(
        json.dumps(
            body.model_dump(mode="json", exclude={"variant"} | (set() if body.photos else {"photos"})),
            sort_keys=True,
        ).encode()
    ).hexdigest()


def _check_category(market: Marketplace, category_id: int) -> None:
    category = market.taxonomy.by_id.get(category_id)
    if category is None:
        raise HTTPException(422, f"category {category_id} does not exist; search categories first")
    if not category.is_leaf:
        raise HTTPException(
            422,
            f"category {category_id} ({category.path}) is not a leaf; choose one of its subcategories",
        )


def _insert_listing(
    market: Marketplace, session: Session, seller_id: str, body: ListingCreate, idempotency_key: str | None
) -> ListingRow:
    """A new listing (not committed), with its photos, its index fields and statistics (in the same
    transaction: the statistics never count a listing that is not there) and its idempotency key."""
    fields = index_fields(body.title, market.taxonomy.lineage(body.category_id), new_sample())
    row = ListingRow(
        seller_id=seller_id,
        title=body.title,
        description=body.description,
        category_id=body.category_id,
        condition=body.condition.value,
        price=body.price,
        currency=body.currency,
        source="seller",
        source_ref=body.variant,  # for a seller's listing: what drafted it
        terms=fields.terms,
        tags=fields.tags,
    )
    session.add(row)
    session.flush()
    attach_photos(session, row.id, body.photos)
    apply_stats(session, [(row.category_id, row.terms)])
    if idempotency_key:
        session.add(
            IdempotencyRow(
                seller_id=seller_id,
                key=idempotency_key,
                request_sha256=_request_hash(body),
                listing_id=row.id,
            )
        )
    return row


@router.post(
    "/listings", tags=["listings"], status_code=201, responses=_errors_for(400, 401, 403, 409, 413, 422, 429)
)
@_database_work
def create_listing(
    market: Market,
    body: ListingCreate,
    session: DB,
    credentials: Credentials,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Listing:
    """Create and publish a listing at once, with the seller's own token (an agent's token saves drafts
    instead). A retried request with the same `Idempotency-Key` returns the listing the first one created
    instead of creating another."""
    seller = _seller_only(_authenticate(session, credentials), "publish listings")
    _check_category(market, body.category_id)
    request_hash = _request_hash(body)
    if idempotency_key:
        replay = _replay(session, seller.id, idempotency_key, request_hash, response)
        if replay is not None:
            return listing_out(replay, market.taxonomy, photos_of(session, [replay.id]).get(replay.id))
    _rate(market, session, request, "create")
    try:
        row = _insert_listing(market, session, seller.id, body, idempotency_key)
        session.commit()
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its listing.
        session.rollback()
        if idempotency_key:
            replay = _replay(session, seller.id, idempotency_key, request_hash, response)
            if replay is not None:
                return listing_out(replay, market.taxonomy, photos_of(session, [replay.id]).get(replay.id))
        raise
    return listing_out(row, market.taxonomy, list(body.photos))


# Drafts: the agent's token saves and revises them; the seller's own token gets a grant for the content
# it approved, and the draft is published with that grant, once (marketplace/drafts.py).
@router.post("/drafts", tags=["drafts"], status_code=201, responses=_errors_for(400, 401, 409, 413, 422, 429))
@_database_work
def create_draft(
    market: Market,
    body: ListingCreate,
    session: DB,
    credentials: Credentials,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Draft:
    """Save a draft (unpublished, visible to its seller only), with the seller's or their agent's token.
    The same `Idempotency-Key` with the same content returns the draft saved before."""
    seller = _authenticate(session, credentials).seller
    _check_category(market, body.category_id)
    if idempotency_key:
        row, replayed = drafts.create_draft(session, seller.id, body, idempotency_key)
        if replayed:
            response.status_code = 200
            response.headers["Idempotent-Replayed"] = "true"
            return drafts.draft_out(row)
    _rate(market, session, request, "create")
    try:
        row, _ = drafts.create_draft(session, seller.id, body, idempotency_key)
        session.commit()
    except IntegrityError:
        session.rollback()  # a concurrent request with the same key saved it: answer with that one
        row, _ = drafts.create_draft(session, seller.id, body, idempotency_key)
        response.status_code = 200
    return drafts.draft_out(row)


@router.get("/drafts/{draft_id}", tags=["drafts"], responses=_errors_for(401, 404, 422))
@_database_work
def get_draft(market: Market, session: DB, credentials: Credentials, draft_id: RowId) -> Draft:
    """One of the seller's drafts: its content, and whether (as which listing) it was published."""
    seller = _authenticate(session, credentials).seller
    return drafts.draft_out(drafts.owned_draft(session, seller.id, draft_id))


@router.put("/drafts/{draft_id}", tags=["drafts"], responses=_errors_for(400, 401, 404, 409, 413, 422))
@_database_work
def revise_draft(
    market: Market, body: ListingCreate, session: DB, credentials: Credentials, draft_id: RowId
) -> Draft:
    """Replace a draft's content; grants for its old content no longer publish it."""
    seller = _authenticate(session, credentials).seller
    _check_category(market, body.category_id)
    row = drafts.revise_draft(drafts.owned_draft(session, seller.id, draft_id), body)
    session.commit()
    return drafts.draft_out(row)


@router.post(
    "/drafts/{draft_id}/grants",
    tags=["drafts"],
    status_code=201,
    responses=_errors_for(400, 401, 403, 404, 409, 413, 422),
)
@_database_work
def grant_publish(
    market: Market, body: GrantRequest, session: DB, credentials: Credentials, draft_id: RowId
) -> PublishGrant:
    """A grant to publish the draft, good for a few minutes, for the content whose hash is given (the one
    the seller approved; a draft changed since is a 409). Only the seller's own token gets one."""
    seller = _seller_only(_authenticate(session, credentials), "approve drafts for publishing")
    grant = drafts.issue_grant(session, drafts.owned_draft(session, seller.id, draft_id), body.content_sha256)
    session.commit()
    return grant


@router.post(
    "/drafts/{draft_id}/publish",
    tags=["drafts"],
    status_code=201,
    responses=_errors_for(401, 403, 404, 409, 413, 422),
)
@_database_work
def publish_draft(
    market: Market,
    session: DB,
    credentials: Credentials,
    response: Response,
    draft_id: RowId,
    publish_grant: Annotated[str | None, Header(max_length=200)] = None,
    idempotency_key: IdempotencyKey = None,
) -> Listing:
    """Publish a draft with a grant for its current content (`Publish-Grant`). Exactly once: publishing
    it again (an answer was lost) returns the listing it became."""
    seller = _authenticate(session, credentials).seller
    row = drafts.owned_draft(session, seller.id, draft_id)
    if row.status == "published":
        drafts.check_grant(session, row, publish_grant, replay=True)
        return _published(market, session, row, response)
    drafts.check_grant(session, row, publish_grant)
    body = ListingCreate.model_validate_json(row.content)
    _check_category(market, body.category_id)
    if not drafts.claim(session, row):
        session.rollback()  # published meanwhile, by a concurrent request: answer with its listing
        session.refresh(row)
        return _published(market, session, row, response)
    try:
        listing = _insert_listing(market, session, seller.id, body, idempotency_key)
        row.listing_id = listing.id
        session.commit()
    except IntegrityError:
        # The key names a listing made already (the same content published from another draft): this
        # draft is that listing too.
        session.rollback()
        replay = _replay(session, seller.id, idempotency_key or "", _request_hash(body), response)
        if replay is None:
            raise
        session.refresh(row)
        if drafts.claim(session, row):
            row.listing_id = replay.id
            session.commit()
        return listing_out(replay, market.taxonomy, photos_of(session, [replay.id]).get(replay.id))
    return listing_out(listing, market.taxonomy, list(body.photos))


def _published(market: Marketplace, session: Session, row: DraftRow, response: Response) -> Listing:
    listing = session.get(ListingRow, row.listing_id) if row.listing_id is not None else None
    if listing is None:
        raise HTTPException(409, f"draft {row.id} is being published; ask again in a moment")
    response.status_code = 200
    response.headers["Idempotent-Replayed"] = "true"
    return listing_out(listing, market.taxonomy, photos_of(session, [listing.id]).get(listing.id))


@router.get(
    "/listings",
    tags=["listings"],
    responses=_errors_for(401, 404, 422),
    # The token is optional: needed only to ask after an idempotency key.
    openapi_extra={"security": [{}]},
)
@_database_work
def list_listings(
    market: Market,
    session: DB,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    after: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="The next page: listings older than this listing id (the last page's next_after).",
        ),
    ] = None,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_OFFSET,
            description="Skip this many (deprecated: `after` costs the same on every page).",
        ),
    ] = 0,
    category_id: QueryId | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words of the title (each as a word's start).")
    ] = None,
    seller_id: Annotated[str | None, Query(max_length=40)] = None,
    source: Annotated[ListingSource | None, Query(description="seed (the 2017 listings) or seller")] = None,
    idempotency_key: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX,
            description="The listing the token's seller created with this Idempotency-Key, if any (how a "
            "client whose answer was lost learns whether it was posted). Needs the bearer token.",
        ),
    ] = None,
    credentials: Credentials = None,
) -> ListingPage:
    """Listings, newest first; filter by category subtree, title words, seller or source (seed|seller).
    Page with `after` (each page's `next_after`)."""
    if category_id is not None and category_id not in market.taxonomy.by_id:
        raise HTTPException(404, f"category {category_id} does not exist")
    if after is not None and offset:
        raise HTTPException(422, "give either after or offset, not both")
    if idempotency_key is not None:  # the seller's own listing made with this key, or none
        seller = _authenticate(session, credentials).seller
        record = session.get(IdempotencyRow, (seller.id, idempotency_key))
        found = session.get(ListingRow, record.listing_id) if record is not None else None
        items = [found] if found is not None and found.status == "active" else []
        photos = photos_of(session, [r.id for r in items])
        return ListingPage(
            total=len(items),
            limit=limit,
            offset=0,
            items=[listing_out(r, market.taxonomy, photos.get(r.id)) for r in items],
        )
    words_expr = title_search_expr(q) if q and q.strip() else None
    if q and q.strip() and words_expr is None:  # punctuation only: no word to look for
        return ListingPage(total=0, limit=limit, offset=offset, items=[])
    parts: list[Expr] = [category_tag(category_id)] if category_id is not None else []
    if words_expr is not None:
        parts.append(words_expr)
    expr = all_of(parts) if parts else None
    query, order = listings_query(session, expr, seller_id, source)
    if words_expr is not None and seller_id is None and source is None:
        total = count_matches(session, all_of(parts))  # all listings are active: the index alone counts
    else:
        total = _count(session, query, category_id, seller_id, source)
    page = query.order_by(order.desc()).limit(limit)
    if after is not None:
        page = page.where(order < after)
    elif offset:
        page = page.offset(offset)
    rows = session.scalars(page).all()
    photos = photos_of(session, [r.id for r in rows])
    return ListingPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[listing_out(r, market.taxonomy, photos.get(r.id)) for r in rows],
        next_after=rows[-1].id if len(rows) == limit else None,
    )


def _count(
    session: Session,
    query: Select[ListingRow],
    category_id: int | None,
    seller_id: str | None,
    source: str | None,
) -> int:
    """How many listings the page's query matches; a whole category's (or the whole marketplace's) count
    from the statistics rather than by counting rows."""
    if seller_id is None and source is None:
        stats = select(func.coalesce(func.sum(CategoryStatsRow.listings), 0))
        if category_id is not None:
            stats = stats.join(
                CategoryTreeRow, CategoryTreeRow.descendant_id == CategoryStatsRow.category_id
            ).where(CategoryTreeRow.ancestor_id == category_id)
        if query.whereclause is None or category_id is not None:
            return int(session.scalar(stats) or 0)
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@router.get("/listings/{listing_id}", tags=["listings"], responses=_errors)
@_database_work
def get_listing(market: Market, listing_id: RowId, session: DB) -> Listing:
    row = session.get(ListingRow, listing_id)
    if row is None:
        raise HTTPException(404, f"listing {listing_id} does not exist")
    return listing_out(row, market.taxonomy, photos_of(session, [row.id]).get(row.id))


async def _integrity(_request: Request, exc: IntegrityError) -> Response:
    return JSONResponse({"detail": "conflicting write; retry the request"}, status_code=409)


async def _invalid_request(_request: Request, exc: RequestValidationError) -> Response:
    return JSONResponse(validation_body(exc).model_dump(mode="json"), status_code=422)


def create_app(
    database_url: str | None = None,
    *,
    engine: Engine | None = None,
    seed: bool = True,
    index: CategoryIndex | None = None,
    inline: bool = False,
    rate_limits: RateLimits | bool | None = True,
) -> FastAPI:
    """The marketplace app on `database_url` (default: `config.database_url()`), seeded on first use.

    `index` reuses a category index built for the same seed data (isolated eval marketplaces share one);
    `inline` runs database work on the event loop instead of the thread pool (in-process, single-user use)."""
    if engine is None:
        engine = make_engine(database_url or config.database_url())
    if seed:
        ensure_seeded(engine)
    market = Marketplace(engine, index, inline=inline, rate_limits=rate_limits)
    if not inline and index is None:  # a server (threads, several users); in-process use builds it lazily
        market.warm_up()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        engine.dispose()

    app = FastAPI(
        title="Trova marketplace",
        version="1.0",
        description="Categories (Google Product Taxonomy), price comparison against real listings, "
        "and listing creation for sellers.",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets: FastAPI's default fetches them from a CDN
        redoc_url=None,  # ReDoc too loads from CDNs, which the site's Content-Security-Policy blocks
        telemetry=TELEMETRY,
    )
    app.state.market = market
    app.include_router(router, dependencies=[Depends(known_query_parameters)])
    app.mount("/docs-assets", StaticFiles(directory=str(SWAGGER_UI)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # /api when mounted in the site
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title="Trova marketplace API",
            swagger_js_url=f"{root}/docs-assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs-assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs-assets/favicon-32x32.png",
        )

    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_middleware(RequestGuard, market_of=_market_of)  # sizes and tokens before any body is read
    return app


def _market_of(scope: Scope) -> Marketplace:
    market: Marketplace = scope.get(MARKET_SCOPE_KEY) or scope["app"].state.market
    return market


def _replay(
    session: Session, seller_id: str, key: str, request_hash: str, response: Response
) -> ListingRow | None:
    record = session.get(IdempotencyRow, (seller_id, key))
    if record is None:
        return None
    if record.request_sha256 != request_hash:
        raise HTTPException(409, "this Idempotency-Key was already used with a different listing")
    response.status_code = 200
    response.headers["Idempotent-Replayed"] = "true"
    return session.get(ListingRow, record.listing_id)
