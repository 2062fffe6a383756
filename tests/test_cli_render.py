"""The CLI's one-line summaries of tool results count in words that agree with the number."""

from __future__ import annotations

from agent.session import ToolActivity
from cli.render import result_line

MATCH = {
    "id": 1,
    "path": "Arts & Entertainment > Event Tickets",
    "is_leaf": True,
    "score": 1.0,
    "named": True,
}
COMPARISON = {"median": 120.0, "p25": 100.0, "p75": 150.0, "suggested_price": 130, "confidence_label": "low"}


def test_one_category_found_is_one_category() -> None:
    one = ToolActivity("c1", "search_categories", {}, outcome="success", result={"matches": [MATCH]})
    assert "1 category: Event Tickets" in result_line(one)
    two = ToolActivity("c2", "search_categories", {}, outcome="success", result={"matches": [MATCH, MATCH]})
    assert "2 categories: Event Tickets" in result_line(two)


def test_one_comparable_listing_is_one_listing() -> None:
    one = ToolActivity("c1", "compare_prices", {}, outcome="success", result={**COMPARISON, "count": 1})
    assert "1 comparable listing at $120, suggested $130" in result_line(one)
    assert "middle half" not in result_line(one)
    many = ToolActivity("c2", "compare_prices", {}, outcome="success", result={**COMPARISON, "count": 13})
    assert "13 comparable listings, median $120" in result_line(many)
