"""The marketplace API's types, as the tools and the agent see them (re-exported from the API's contract)."""

from marketplace.conditions import Condition
from marketplace.schemas import (
    MAX_PRICE,
    SUPPORTED_CURRENCIES,
    TITLE_MAX,
    TITLE_MIN,
    CategoryDetail,
    CategoryMatch,
    CategorySearchResult,
    Comparable,
    Listing,
    ListingCreate,
    ListingPage,
    PriceComparison,
    SellerIdentity,
    SellerToken,
)

__all__ = [
    "MAX_PRICE",
    "SUPPORTED_CURRENCIES",
    "TITLE_MAX",
    "TITLE_MIN",
    "CategoryDetail",
    "CategoryMatch",
    "CategorySearchResult",
    "Comparable",
    "Condition",
    "Listing",
    "ListingCreate",
    "ListingPage",
    "PriceComparison",
    "SellerIdentity",
    "SellerToken",
]
