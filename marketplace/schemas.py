"""The marketplace API's request and response types (the tools use these as the API's contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from marketplace.conditions import Condition

TITLE_MIN, TITLE_MAX = 5, 80
DESCRIPTION_MAX = 4000
MAX_PRICE = 1_000_000.0  # above this a classifieds price is a typo or a joke
SUPPORTED_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=TITLE_MIN, max_length=TITLE_MAX)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX)
]


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
    confidence: float = Field(description="0..1; low when comparables are few or their prices scattered.")
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
    price: float = Field(gt=0, le=MAX_PRICE)
    currency: str = "USD"

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in SUPPORTED_CURRENCIES:
            raise ValueError(f"currency must be one of {', '.join(SUPPORTED_CURRENCIES)}")
        return code

    @field_validator("price")
    @classmethod
    def _cents(cls, value: float) -> float:
        return round(value, 2)


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


class ListingPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[Listing]


class SellerCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class SellerIdentity(BaseModel):
    seller_id: str
    name: str


class SellerToken(SellerIdentity):
    token: str = Field(description="Bearer token for this seller; shown once.")


class ErrorBody(BaseModel):
    detail: str
