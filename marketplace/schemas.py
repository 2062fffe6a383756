"""The marketplace API's request and response types (the tools use these as the API's contract)."""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError, PydanticKnownError

from marketplace.conditions import Condition

TITLE_MIN, TITLE_MAX = 5, 80
DESCRIPTION_MAX = 4000
MAX_PRICE = 1_000_000.0  # a price must be below this: at or above it a classifieds price is a typo or a joke
PRICE_DECIMALS = 2  # whole cents
SUPPORTED_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
MAX_PHOTOS = 10  # photos per listing
ListingSource = Literal["seed", "seller"]

# Characters no title or description needs, which break storage (PostgreSQL refuses NUL), terminals and
# pages: C0/C1 controls, lone surrogates, line and paragraph separators, and the bidirectional overrides
# and isolates that make text display in another order than it reads ("Trek\u202ekib" spoofing).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DESCRIPTION_WHITESPACE = frozenset("\n\r\t")


def _bad_character(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    for ch in value:
        if ch in allowed:
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def _single_line_text(value: str) -> str:
    bad = _bad_character(value)
    if bad is not None:
        raise PydanticCustomError(
            "control_character",
            "must be plain text on one line: control character {character} is not allowed",
            {"character": bad},
        )
    return value


def _multi_line_text(value: str) -> str:
    bad = _bad_character(value, _DESCRIPTION_WHITESPACE)
    if bad is not None:
        raise PydanticCustomError(
            "control_character",
            "must be plain text (line breaks and tabs are fine): control character {character} is not allowed",
            {"character": bad},
        )
    return value


def _plain_number(value: Any) -> Any:
    """Refuse what would otherwise turn into a misleading price: JSON true/false (read as 1 or 0), and NaN or
    infinity (JSON's `1e400` parses as infinity), before the range check reports them as out of range."""
    if isinstance(value, bool):
        raise PydanticCustomError("price_type", "price must be a number, not true/false")
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value  # the float validator says what is wrong with it
    if isinstance(number, float) and not math.isfinite(number):
        raise PydanticKnownError("finite_number")
    return value


def _whole_cents(value: float) -> float:
    # repr gives the shortest decimal that reads back as this float: 19.99 -> '19.99', 99.999 -> '99.999'.
    exponent = Decimal(repr(value)).as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PRICE_DECIMALS:
        if value < 10**-PRICE_DECIMALS:
            raise PydanticCustomError("price_too_small", "price must be at least 0.01 (one cent)")
        raise PydanticCustomError(
            "price_decimals",
            "price can have at most {decimals} decimal places (whole cents); round it before sending",
            {"decimals": PRICE_DECIMALS},
        )
    return value


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=TITLE_MIN, max_length=TITLE_MAX),
    AfterValidator(_single_line_text),
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX),
    AfterValidator(_multi_line_text),
]
# The Field before the validators, so the JSON schema says exclusiveMinimum/Maximum (after a
# BeforeValidator pydantic writes them as non-standard gt/lt); the BeforeValidator still runs first.
Price = Annotated[
    float,
    Field(gt=0, lt=MAX_PRICE, allow_inf_nan=False, description="0 < price < 1,000,000, in whole cents."),
    BeforeValidator(_plain_number),
    AfterValidator(_whole_cents),
]


# A photo as a listing refers to it: the id its store gave it (the site's photo store: random, URL-safe).
PhotoRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# What drafted a listing: an agent variant's id, or "<experiment>/<arm>" while an experiment served it.
VariantTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$")]


class CategoryOut(BaseModel):
    id: int
    path: str
    name: str
    is_leaf: bool
    parent_id: int | None = None
    listing_count: int = Field(0, description="Listings filed directly under this category.")


class CategoryDetail(CategoryOut):
    children: list[CategoryOut] = Field(default_factory=list)


class CategoryMatch(BaseModel):
    id: int
    path: str
    is_leaf: bool
    score: float = Field(description="Relevance in 0..1, relative to the best match.")
    named: bool = Field(
        True,
        description="Whether the category's own name matches the query's words; false when it was found only "
        "through similar listings or a stray word, so it should be confirmed with the seller.",
    )


class CategorySearchResult(BaseModel):
    query: str
    matches: list[CategoryMatch]


class Comparable(BaseModel):
    id: int
    title: str
    price: float
    condition: Condition


class PriceComparison(BaseModel):
    category_id: int
    category_path: str
    scope_path: str = Field(description="The category subtree the comparables were taken from.")
    query: str
    condition: Condition | None
    count: int
    median: float | None = None
    p25: float | None = None
    p75: float | None = None
    min: float | None = None
    max: float | None = None
    suggested_low: float | None = None
    suggested_high: float | None = None
    suggested_price: float | None = None
    suggestion_basis: str | None = Field(
        None,
        description="Why the suggested price is outside the middle half (p25 to p75), when it is: "
        "the most similar titles weigh most, and prices are moved to the item's condition and model year.",
    )
    suggestion_method: str | None = Field(
        None, description="How the suggested price was reached, in one sentence (absent with no comparables)."
    )
    comparables_price: float | None = Field(
        None,
        description="The comparables' weighted median asking price, each moved to the item's condition and "
        "model year: one of the two prices the suggestion weighs.",
    )
    model_price: float | None = Field(
        None,
        description="A price model's estimate for the item (ridge regression on the seed listings' title words, "
        "categories and conditions, and cars' model years and mileage): the other price the suggestion weighs.",
    )
    alike: bool = Field(
        True,
        description="Whether the comparables' titles share the item's words; false when nothing listed is like "
        "the item and they are the category's listings in general (say so rather than call them similar).",
    )
    confidence: float = Field(
        description="0..1; low when comparables are few, their prices scattered, or none is like the item."
    )
    confidence_label: Literal["none", "low", "medium", "high"]
    currency: str = "USD"
    examples: list[Comparable] = Field(default_factory=list)
    message: str


class ListingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description
    category_id: int
    condition: Condition
    price: Price
    currency: str = "USD"
    photos: list[PhotoRef] = Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        description="Photo ids from the site's photo store, the cover first.",
    )
    variant: VariantTag | None = Field(
        None, description="What drafted it (an agent variant, an experiment arm)."
    )

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in SUPPORTED_CURRENCIES:
            raise ValueError(f"currency must be one of {', '.join(SUPPORTED_CURRENCIES)}")
        return code


class Listing(BaseModel):
    id: int
    seller_id: str
    title: str
    description: str
    category_id: int
    category_path: str
    condition: Condition
    price: float
    currency: str
    status: str
    source: str
    created_at: datetime
    photos: list[str] = Field(default_factory=list, description="Photo ids, the cover first.")
    variant: str | None = Field(None, description="What drafted it (an agent variant, an experiment arm).")


class ListingPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[Listing]
    next_after: int | None = Field(
        None, description="Pass as `after` for the next page; none when this is the last page."
    )


class SellerCreate(BaseModel):
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
        AfterValidator(_single_line_text),
    ]


class SellerIdentity(BaseModel):
    seller_id: str
    name: str


class SellerToken(SellerIdentity):
    token: str = Field(description="Bearer token for this seller; shown once.")


class ValidationIssue(BaseModel):
    """One problem with a request: its kind, where it is (`body`/`query`/`path`/`header`, then the field),
    and what is wrong, in words. The value sent is not echoed back."""

    type: str
    loc: list[str | int]
    msg: str


class ErrorBody(BaseModel):
    """Every error answer: a sentence, or (422) the list of problems with the request."""

    detail: str | list[ValidationIssue]


# Drafts and publishing. The agent's token may create and revise drafts; publishing one needs a grant
# that only the seller's own token can obtain, for the exact content the seller approved (its hash).
DraftStatus = Literal["draft", "published"]
TokenScope = Literal["seller", "agent"]


def content_sha256(listing: ListingCreate) -> str:
    """The hash a publish grant is bound to: the draft's content as the API stores it (normalised by
    `ListingCreate`), so the seller's client and the marketplace compute the same one."""
    canonical = json.dumps(listing.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Draft(BaseModel):
    id: int
    seller_id: str
    status: DraftStatus
    content: ListingCreate
    content_sha256: str = Field(description="What a publish grant for this content must name.")
    listing_id: int | None = Field(None, description="The listing it was published as.")
    created_at: datetime
    updated_at: datetime


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class PublishGrant(BaseModel):
    grant: str = Field(
        description="Send as the Publish-Grant header of POST /drafts/{id}/publish; shown once."
    )
    draft_id: int
    content_sha256: str
    expires_at: datetime


class AgentToken(BaseModel):
    seller_id: str
    token: str = Field(description="A token that can create and revise drafts, and nothing else; shown once.")
    scope: TokenScope = "agent"


# An in-process caller (the site) passes the address its own request came from under this request-scope
# key, so that per-client limits apply to each browser and not to the site as a whole. A request from
# outside cannot set it: it is the ASGI scope, not a header.
CLIENT_SCOPE_KEY = "trova.client"
