"""The held-out benchmark (benchmarks/heldout*.py): its category rule, price figures, reference
predictors, the reading of the harness's records, and a small run through the real harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.heldout_harness import Conversation, _outcome, scenario_for
from benchmarks.heldout_items import Listing, Openings, Taxonomy, heldout_listings, sample
from benchmarks.heldout_scoring import (
    CategoryMedian,
    NearestTitle,
    PriceFigures,
    ape,
    category_verdict,
    worst,
)
from cli.main import app
from evals.driver import RunRecord, TurnRecord
from evals.seller import RuleSeller, SellerView
from evals.trajectory import ActualCall
from marketplace.conditions import Condition
from marketplace.taxonomy import parse_taxonomy

TAXONOMY = Taxonomy(
    parse_taxonomy(
        [
            "1 - Electronics",
            "2 - Electronics > Phones",
            "3 - Electronics > Phones > Mobile Phones",
            "4 - Electronics > Phones > Mobile Phones > Unlocked Mobile Phones",
            "5 - Electronics > Phones > Mobile Phones > Contract Mobile Phones",
            "6 - Electronics > Phones > Mobile Phone Cases",
            "7 - Electronics > Audio",
            "8 - Electronics > Audio > Headphones & Headsets",
            "9 - Electronics > Audio > Headphones & Headsets > Headphones",
            "10 - Electronics > Audio > Headphones & Headsets > Headsets",
            "11 - Electronics > Audio > Speakers",
        ]
    )
)


@pytest.mark.parametrize(
    ("chosen", "own", "verdict"),
    [
        (4, 4, "own"),
        (3, 4, "parent"),
        (4, 3, "inside"),  # the rules placed it generally: any kind of mobile phone fits
        (5, 4, "sibling"),  # unlocked / contract: both "... Mobile Phones" under "Mobile Phones"
        (10, 9, "sibling"),  # headphones / headsets: the parent is named for both
        (6, 4, "wrong"),  # a case is not a phone
        (11, 8, "wrong"),
        (2, 4, "wrong"),  # a grandparent is too general
        (None, 4, "wrong"),
        (4, 1, "unjudged"),  # filed under a whole top-level category: nothing to judge against
    ],
)
def test_category_rule(chosen: int | None, own: int, verdict: str) -> None:
    assert category_verdict(chosen, own, TAXONOMY) == verdict


def _listing(post_id: str, title: str, price: float, category_id: int = 4) -> Listing:
    return Listing(post_id, "phone", title, price, Condition.GOOD, category_id)


def test_price_error_figures() -> None:
    assert ape(130, 100) == pytest.approx(0.3)
    assert ape(None, 100) is None
    figures = PriceFigures.of([0.1, 0.3, 0.5, None, 0.9])
    assert figures.n == 4
    assert figures.mdape == pytest.approx(0.4)
    assert figures.within == 0.5  # 0.1 and 0.3 of four


def test_reference_predictors() -> None:
    seed = [
        _listing("1", "iPhone 7 32GB unlocked", 300),
        _listing("2", "Galaxy S7 unlocked", 200),
        _listing("3", "Moto G unlocked", 100),
        _listing("4", "Bose QC35 headphones", 180, category_id=9),
    ]
    median = CategoryMedian(seed, TAXONOMY)
    assert median.predict(_listing("h1", "anything", 1)) == 200
    # Headphones has one listing, fewer than three: the parent's subtree (still one) then Audio, then all
    assert median.predict(_listing("h2", "Sony headphones", 1, category_id=9)) == pytest.approx(190)
    nearest = NearestTitle(seed)
    assert nearest.predict(_listing("h3", "iPhone 7 128GB", 1)) == 300
    assert nearest.predict(_listing("h4", "zzz qqq", 1)) is None


def test_opening_templates_are_all_used_and_stable() -> None:
    openings = Openings.load()
    items = heldout_listings()
    used = {openings.template_for(item) for item in items}
    assert used == set(openings.templates)
    first = items[0]
    assert openings.template_for(first) == openings.template_for(sample([first], 1)[0])
    assert first.title in openings.opening(first)


def test_a_heldout_listing_becomes_a_scenario_without_its_price() -> None:
    item = _listing("42", "iPhone 7 32GB unlocked", 300)
    scenario = scenario_for(item, Openings.load(), TAXONOMY)
    assert scenario.id == "heldout-42" and "heldout" in scenario.tags
    assert scenario.seller.asking_price is None  # the agent's suggestion is what is measured
    assert scenario.seller.price_if_asked == 300  # said only when asked with nothing suggested
    assert scenario.seller.item == item.title
    assert scenario.seller.category_hint == "Electronics > Phones > Mobile Phones"  # the listing's branch
    assert scenario.seller.condition == Openings.load().conditions[Condition.GOOD]


async def test_the_simulated_seller_names_the_asking_price_only_with_nothing_suggested() -> None:
    item = _listing("42", "iPhone 7 32GB unlocked", 300)
    seller = RuleSeller(scenario_for(item, Openings.load(), TAXONOMY).seller)
    # Asked outright with no comparables: the listing's own asking price, as its seller would say.
    asked = "There are no similar listings to compare with, so what price would you like to ask, in dollars?"
    assert await seller.next(SellerView(asked)) == "300"
    # With a suggestion to go by, the agent's price is what is measured: the seller names none.
    guided = "Similar listings ask $250 to $350; I'd suggest $290. What price would you like to ask?"
    assert await seller.next(SellerView(guided)) == "I don't know, what would you suggest?"
    # And a draft at the agent's price is approved as it is (no counter with the asking price).
    draft = SellerView("Here's the draft: approve it?", drafts=[{"price": 290.0}])
    assert await seller.next(draft) == "yes"


def test_a_run_record_is_read_into_what_the_benchmark_measures() -> None:
    item = _listing("42", "iPhone 7 32GB unlocked", 300)
    comparison = {"count": 12, "suggested_price": 280.0}
    record = RunRecord(
        "heldout-42",
        "offline",
        "c1",
        "2026-01-01T00:00:00",
        turns=[
            TurnRecord("selling", "draft", drafts=[{"category_id": 4, "price": 280.0}]),
            TurnRecord("yes", "done"),
        ],
        calls=[ActualCall("compare_prices", {"category_id": 4}, "success", comparison)],
        listings=[{"category_id": 4, "price": 275.0}],
        usage={"input_tokens": 900, "output_tokens": 100, "requests": 5},
    )
    done = _outcome(record, item, Openings.load())
    assert (done.created, done.category_id, done.price, done.comparables) == (True, 4, 275.0, 12)
    assert (done.turns, done.tokens, done.requests, done.error) == (2, 1000, 5, None)
    record.listings = []  # not created: the last draft's category and price
    undone = _outcome(record, item, Openings.load())
    assert (undone.created, undone.category_id, undone.price) == (False, 4, 280.0)


def test_worst_puts_failures_first() -> None:
    from benchmarks.heldout_scoring import Scored

    def scored(post_id: str, created: bool, verdict: str, error: float | None) -> Scored:
        conversation = Conversation(post_id, "plain", "", created, 4, 1.0, 3, 3, 100, 2)
        return Scored(_listing(post_id, "t", 1), conversation, verdict, error, None, None)

    rows = [scored("a", True, "own", 0.1), scored("b", True, "own", 0.9), scored("c", False, "own", 0.0)]
    rows.append(scored("d", True, "wrong", 0.0))
    assert [r.item.post_id for r in worst(rows, 3)] == ["c", "d", "b"]


def test_heldout_benchmark_runs_through_the_harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["eval", "heldout", "--sample", "3", "--out", str(out), "--no-progress", "--worst", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "category accepted" in result.output and "The worst 2" in result.output
    document = json.loads((out / "heldout.json").read_text(encoding="utf-8"))
    assert document["model"] == "offline" and document["items"] == 3
    assert len(list((out / "scenarios").glob("heldout-*.yaml"))) == 3
    conversations = document["conversations"]
    assert all(c["turns"] >= 1 and c["tokens"] > 0 for c in conversations)
    assert sum(c["created"] for c in conversations) >= 2
    assert set(document["by_source"]) <= {"bike", "car", "electronics", "furniture", "phone"}


def test_heldout_benchmark_refuses_a_bad_configuration(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "heldout", "--model", "nosuchprovider:x", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "configuration error" in result.output
