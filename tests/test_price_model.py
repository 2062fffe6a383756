"""The price model the comparison weighs: learned from the seed alone (never the held-out listings), it
learns what words and categories say about price, condition moves it, and the comparison says how it was
used. The API part runs on the real app with a seeded copy of its database."""

from __future__ import annotations

import csv
import math
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from marketplace import price_model
from marketplace.app import create_app
from marketplace.build_price_model import Example, build, read_seed, train
from marketplace.conditions import Condition
from marketplace.pricing import MODEL_SHARE, adjustments, nice_round
from marketplace.seed_files import CATEGORIES_FILE, LISTINGS_FILE, SEED_DIR, seed_fingerprint
from tests.databases import backend_db_url, postgres_template

db_url = backend_db_url
__all__ = ["db_url", "postgres_template"]

BIKES = 1026
TELEVISIONS = 404
MOBILE_PHONES = 267

# Files opened while a build runs (an audit hook cannot be removed: it records only while `_recording`).
_opened: list[str] = []
_recording: list[bool] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _recording and event == "open" and isinstance(args[0], str | Path):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)


def test_the_shipped_model_is_learned_from_the_shipped_seed() -> None:
    model = price_model.shipped_model()
    with (SEED_DIR / LISTINGS_FILE).open(encoding="utf-8", newline="") as handle:
        listings = sum(1 for _ in csv.DictReader(handle))
    assert model.source == seed_fingerprint() and model.listings == listings


def test_the_build_reads_the_seed_and_nothing_else(tmp_path: Path) -> None:
    # A small seed of its own: the build learns from exactly the files it is given.
    shutil.copy(SEED_DIR / CATEGORIES_FILE, tmp_path / CATEGORIES_FILE)
    lines = (SEED_DIR / LISTINGS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / LISTINGS_FILE).write_text("".join(lines[:301]), encoding="utf-8")
    _opened.clear()
    _recording.append(True)
    try:
        model = build(tmp_path)
    finally:
        _recording.pop()
    data = [p for p in _opened if not p.endswith((".py", ".pyc", ".so")) and "site-packages" not in p]
    assert not [p for p in data if "heldout" in p or "benchmarks" in p], data
    assert str(tmp_path / LISTINGS_FILE) in data
    assert model.listings == 300 and model.source == seed_fingerprint(tmp_path)


def _examples(rows: list[tuple[str, float, Condition]]) -> list[Example]:
    return [Example(title, BIKES, condition, price) for title, price, condition in rows for _ in range(5)]


def test_the_model_learns_words_and_condition_moves_it() -> None:
    _, taxonomy = read_seed()
    good = Condition.GOOD
    examples = _examples(
        [
            ("carbon road bike", 2000, good),
            ("carbon race bike", 1800, good),
            ("steel road bike", 200, good),
            ("steel cruiser bike", 150, good),
            ("kids bike", 60, good),
            ("carbon road bike", 1400, Condition.FAIR),
        ]
    )
    model = train(examples, taxonomy, dict(adjustments().condition), "test")
    lineage = taxonomy.lineage(BIKES)
    carbon = model.estimate("carbon road bike", lineage, good)
    steel = model.estimate("steel road bike", lineage, good)
    assert carbon > 3 * steel
    prices = [model.estimate("carbon road bike", lineage, c) for c in Condition]
    assert prices == sorted(prices, reverse=True) and prices[0] > prices[-1] * 2
    again = price_model.PriceModel.loads(model.dumps(), model.condition_factors)
    assert math.isclose(again.estimate("carbon road bike", lineage, good), carbon, rel_tol=1e-3)


def test_the_model_reads_adjacent_words_as_a_pair() -> None:
    # The same two words name two things: a trailer for a bike, and a bike that trails an adult's. Words
    # alone cannot tell them apart; their pair can.
    _, taxonomy = read_seed()
    good = Condition.GOOD
    examples = _examples([("bike trailer", 80, good), ("trailer bike", 240, good), ("kids bike", 60, good)])
    lineage = taxonomy.lineage(BIKES)
    factors = dict(adjustments().condition)
    model = train(examples, taxonomy, factors, "test")
    assert model.estimate("trailer bike", lineage, good) > 1.5 * model.estimate("bike trailer", lineage, good)
    words_only = train(examples, taxonomy, factors, "test", price_model.FeatureSettings(pair_scale=0.0))
    assert math.isclose(
        words_only.estimate("trailer bike", lineage, good), words_only.estimate("bike trailer", lineage, good)
    )
    again = price_model.PriceModel.loads(model.dumps(), model.condition_factors)
    assert again.settings == model.settings and again.weights == pytest.approx(model.weights, rel=1e-4)


@pytest.fixture
def market_app(db_url: str) -> Iterator[FastAPI]:
    app = create_app(db_url, rate_limits=None)
    yield app
    app.state.market.engine.dispose()


def _compare(http: httpx.Client, category_id: int, q: str, condition: str = "good") -> dict[str, object]:
    response = http.get(
        "/prices/compare", params={"category_id": category_id, "q": q, "condition": condition}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _number(body: dict[str, object], key: str) -> float:
    value = body[key]
    assert isinstance(value, int | float), (key, body["message"])
    return float(value)


def test_the_suggestion_weighs_the_comparables_and_the_model_and_says_so(http: httpx.Client) -> None:
    body = _compare(http, MOBILE_PHONES, "iPhone 8 64GB")
    comps, model = _number(body, "comparables_price"), _number(body, "model_price")
    blended = math.exp((1 - MODEL_SHARE) * math.log(comps) + MODEL_SHARE * math.log(model))
    assert _number(body, "suggested_price") == nice_round(blended)
    method = str(body["suggestion_method"])
    assert f"${comps:,.0f}" in method and f"${model:,.0f}" in method and "price model" in method
    assert body["examples"]  # the comparables are still shown


def test_without_the_model_the_suggestion_is_the_comparables_price(http: httpx.Client) -> None:
    with price_model.using(None):
        body = _compare(http, BIKES, "Trek road bike", "fair")
    assert body["model_price"] is None and "price model" not in str(body["suggestion_method"])
    assert _number(body, "suggested_price") == nice_round(_number(body, "comparables_price"))


def test_condition_moves_the_model_and_the_suggestion(http: httpx.Client) -> None:
    bodies = [_compare(http, MOBILE_PHONES, "iPhone 6", c.value) for c in Condition]
    for key in ("model_price", "suggested_price"):
        prices = [_number(b, key) for b in bodies]
        assert prices == sorted(prices, reverse=True) and prices[0] > prices[-1], (key, prices)


def test_nothing_comparable_stays_count_zero(http: httpx.Client) -> None:
    body = _compare(http, MOBILE_PHONES, "Zyxwv Qwertz Plumbus")
    assert body["count"] == 0 and body["suggested_price"] is None and body["model_price"] is None
