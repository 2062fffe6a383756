"""The item-condition vocabulary shared by the API, the seed data and the agent."""

from __future__ import annotations

from enum import StrEnum


class Condition(StrEnum):
    """How worn an item is, best first."""

    NEW = "new"
    LIKE_NEW = "like_new"
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    FOR_PARTS = "for_parts"

    @property
    def rank(self) -> int:
        """0 for new, 5 for parts: the distance between two ranks says how comparable two items are."""
        return _RANKS[self]  # looked up: a comparison asks it tens of thousands of times

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


_RANKS = {condition: rank for rank, condition in enumerate(Condition)}

# Craigslist's condition attribute values, as they appear in the source data.
CRAIGSLIST_CONDITIONS: dict[str, Condition] = {
    "new": Condition.NEW,
    "like new": Condition.LIKE_NEW,
    "excellent": Condition.EXCELLENT,
    "good": Condition.GOOD,
    "fair": Condition.FAIR,
    "salvage": Condition.FOR_PARTS,
}
