"""The shipped seed files: what they hold and what they must not."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from marketplace.category_rules import FALLBACK, RULES
from marketplace.conditions import Condition
from marketplace.seed_build import CATEGORIES_FILE, LISTING_COLUMNS, LISTINGS_FILE, SEED_DIR, infer_condition
from marketplace.taxonomy import parse_taxonomy


@pytest.fixture(scope="module")
def categories() -> dict[int, str]:
    lines = (SEED_DIR / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()[1:]
    return {int(i): p for i, p in (line.split("\t") for line in lines)}


@pytest.fixture(scope="module")
def listings() -> list[dict[str, str]]:
    with (SEED_DIR / LISTINGS_FILE).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_all_google_categories_with_their_ids(categories: dict[int, str]) -> None:
    assert len(categories) == 5595
    assert categories[1026] == "Sporting Goods > Outdoor Recreation > Cycling > Bicycles"
    assert categories[543626].endswith("Headphones & Headsets > Headphones")
    nodes = parse_taxonomy(f"{i} - {p}" for i, p in categories.items())
    assert sum(1 for n in nodes if n.parent_id is None) == 21
    assert max(n.depth for n in nodes) == 7


def test_listings_hold_only_facts(listings: list[dict[str, str]]) -> None:
    assert tuple(listings[0]) == LISTING_COLUMNS  # no description column
    assert 7000 < len(listings) < 8295
    assert all(float(row["price"]) > 1 for row in listings)  # placeholders dropped
    assert {row["condition"] for row in listings} <= {c.value for c in Condition}
    assert {row["source"] for row in listings} == {"bike", "electronics", "furniture", "phone", "car"}
    assert len({row["post_id"] for row in listings}) == len(listings)


def test_listings_use_specific_categories(listings: list[dict[str, str]], categories: dict[int, str]) -> None:
    assert all(int(row["category_id"]) in categories for row in listings)
    used = Counter(categories[int(row["category_id"])] for row in listings)
    assert len(used) > 5  # not everything under the five section fallbacks
    nodes = {n.id: n for n in parse_taxonomy(f"{i} - {p}" for i, p in categories.items())}
    leaf_share = sum(1 for row in listings if nodes[int(row["category_id"])].is_leaf) / len(listings)
    assert leaf_share > 0.5


def test_rules_point_at_real_categories(categories: dict[int, str]) -> None:
    paths = set(categories.values())
    assert {r.path for r in RULES} <= paths
    assert set(FALLBACK.values()) <= paths


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("brand new in box", Condition.NEW),
        ("barely used", Condition.LIKE_NEW),
        ("in great condition", Condition.EXCELLENT),
        ("works great", Condition.GOOD),
        ("needs some work", Condition.FAIR),
        ("sold for parts only", Condition.FOR_PARTS),
        ("blue", None),
    ],
)
def test_condition_inference(text: str, condition: Condition | None) -> None:
    assert infer_condition(text) == condition


def test_attribution_ships_with_the_data() -> None:
    text = (SEED_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Google Product Taxonomy" in text and "CraigslistBargain" in text and "MIT" in text
