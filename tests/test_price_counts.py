"""A number that counts the item or its time in use ("set of 4", "2 Magna bikes", "used 2 years") says nothing
of which item it is: the price comparison does not choose comparables by it (`marketplace.item_kinds.
counted_words`, the rules in `marketplace/data/comparables.toml`, `[counts]`)."""

from __future__ import annotations

import pytest

from marketplace.conditions import Condition
from marketplace.item_kinds import counted_words
from marketplace.pricing import Candidate, select_comps


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("Bar Stools (Grey) - Set of 4", {"4"}),
        ("2 Magna Bikes", {"2"}),
        ("New (2) AG10 batteries", {"2"}),
        ("6 Piece Vintage Bedroom Suite", {"6"}),
        ("Galaxy S8, used 2 years", {"2", "year"}),
        ("iPhone 12 months warranty", {"12", "month"}),
        # model numbers, sizes and years stay
        ("iPhone 7 Plus 128GB", set()),
        ("BMW 3 Series 335i", set()),
        ("Pebble 2 HR", set()),
        ("2014 Honda Accord", set()),
        ("Trek 7.2 FX", set()),
        ("55 inch TV", set()),
        # what comes with the item, and the item's own parts or size, say which item it is
        ("Dining room table and 4 chairs", set()),
        ("Glass top table / 4 chairs", set()),
        ("Long 7 drawers dresser", set()),
        ("Silverado 8 feet bed", set()),
        ("Novara Firefly 12 girls bike", set()),
        ("2017 Raleigh Alysa 2 Women's Fitness Bike", set()),
        ("Audi A4 6-speed runs great", set()),
    ],
)
def test_counts_and_durations_are_told_from_model_numbers(text: str, counted: set[str]) -> None:
    assert counted_words(text) == counted


def _pool(titles: list[tuple[str, float]]) -> list[Candidate]:
    return [Candidate.of(i, title, price, "good") for i, (title, price) in enumerate(titles)]


STOOLS = [
    ("Bar stool oak", 60),
    ("Black bar stool", 55),
    ("Metal bar stool", 65),
    ("Swivel bar stool", 70),
    ("Counter height bar stool", 60),
    ("Grey bar stool", 70),
]
OTHER_FOURS = [
    ("4 drawer dresser", 150),
    ("Table with 4 legs", 90),
    ("Oak bookcase 4 shelf", 80),
    ("4 poster bed frame", 300),
    ("Desk 4 ft", 120),
]


def test_a_set_is_compared_with_its_kind_not_with_titles_that_share_its_count() -> None:
    # Bar stools among furniture whose titles say 4 for other reasons: the stools are the comparables.
    pool = _pool([*STOOLS, *OTHER_FOURS, ("Oak desk", 110), ("Pine desk", 90), ("Sofa", 200)])
    comps = select_comps(pool, "Bar Stools (Grey) - Set of 4", Condition.GOOD).comps
    assert {c.title for c, _ in comps} == {title for title, _ in STOOLS}


def test_a_duration_in_use_does_not_pick_titles_with_that_number() -> None:
    phones = [f"Samsung Galaxy S8 {colour}" for colour in ("black", "silver", "blue", "gold", "pink")]
    tablets = [f"Samsung Galaxy Tab 2 {size}" for size in ("7in", "10in", "16gb", "32gb", "wifi")]
    pool = _pool([*((t, 400) for t in phones), *((t, 90) for t in tablets)])
    comps = select_comps(pool, "Samsung Galaxy S8 used 2 years", Condition.GOOD).comps
    assert {c.title for c, _ in comps} == set(phones)


def test_a_price_typed_to_fill_the_field_is_no_comparable() -> None:
    # $123 and $1234 chairs sit inside the spread of chairs' prices, so no outlier cut leaves them out.
    chairs = [(f"Oak dining chair {n}", price) for n, price in enumerate((90, 100, 110, 120, 130, 95))]
    placeholders = [(f"Oak dining chair set {n}", price) for n, price in enumerate((123, 1234, 123, 1))]
    comps = select_comps(_pool([*chairs, *placeholders]), "Oak dining chair", Condition.GOOD).comps
    assert sorted(c.price for c, _ in comps) == sorted(price for _, price in chairs)
