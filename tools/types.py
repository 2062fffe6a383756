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
    Description,
    Listing,
    ListingCreate,
    ListingPage,
    Price,
    PriceComparison,
    SellerIdentity,
    SellerToken,
    Title,
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
    "Description",
    "Listing",
    "ListingCreate",
    "ListingPage",
    "Price",
    "PriceComparison",
    "SellerIdentity",
    "SellerToken",
    "Title",
]
