"""The held-out listings (benchmarks/data/heldout.csv): drawn once, reproducibly, and kept out of the seed,
the category rules and the tests."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from marketplace.category_rules import default_rules
from marketplace.seed_build import HELDOUT_FILE, LISTING_COLUMNS, LISTINGS_FILE, SEED_DIR
from marketplace.seed_split import SPLIT_SEED, split_listings, title_key

ROOT = Path(__file__).resolve().parent.parent


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def seed() -> list[dict[str, str]]:
    return _rows(SEED_DIR / LISTINGS_FILE)


@pytest.fixture(scope="module")
def heldout() -> list[dict[str, str]]:
    return _rows(HELDOUT_FILE)


def test_heldout_holds_facts_from_every_section(heldout: list[dict[str, str]]) -> None:
    assert tuple(heldout[0]) == LISTING_COLUMNS  # the seed's facts, no description
    assert len(heldout) >= 500
    by_source = Counter(row["source"] for row in heldout)
    assert set(by_source) == {"bike", "electronics", "furniture", "phone", "car"}
    assert min(by_source.values()) >= 50
    assert all(float(row["price"]) > 1 for row in heldout)


def test_no_heldout_title_is_in_the_seed(seed: list[dict[str, str]], heldout: list[dict[str, str]]) -> None:
    seed_titles = {title_key(row["title"]) for row in seed}
    leaked = [row["title"] for row in heldout if title_key(row["title"]) in seed_titles]
    assert leaked == []
    assert not {row["post_id"] for row in seed} & {row["post_id"] for row in heldout}


def test_the_build_records_the_split(heldout: list[dict[str, str]]) -> None:
    report = json.loads((SEED_DIR / "build_report.json").read_text(encoding="utf-8"))["heldout"]
    assert report["random_seed"] == SPLIT_SEED
    assert report["listings"] == len(heldout)
    assert report["sha256"] == hashlib.sha256(HELDOUT_FILE.read_bytes()).hexdigest()


def test_no_rule_exists_only_for_heldout_titles(
    seed: list[dict[str, str]], heldout: list[dict[str, str]]
) -> None:
    """A rule that matches a held-out title must match some seed title of its sections too: no rule was
    written from a held-out listing."""
    rules = default_rules().rules
    for rule in rules:
        matched = [
            r["title"] for r in heldout if r["source"] in rule.sources and rule.pattern.search(r["title"])
        ]
        if matched:
            in_seed = any(r["source"] in rule.sources and rule.pattern.search(r["title"]) for r in seed)
            assert in_seed, f"{rule.origin} matches only held-out titles, e.g. {matched[0]!r}"


def _text_files() -> list[Path]:
    folders = ("tests", "scenarios", "agent", "tools", "evals")
    suffixes = {".py", ".yaml", ".json", ".md", ".txt", ".tsv", ".csv"}
    files = [p for folder in folders for p in (ROOT / folder).rglob("*") if p.suffix in suffixes]
    return [*files, ROOT / "marketplace" / "text.py"]


def test_no_heldout_title_is_in_tests_scenarios_or_synonyms(heldout: list[dict[str, str]]) -> None:
    """Titles specific enough to identify a listing (three words or more) appear nowhere in the tests, the
    scenarios, the agent's, the tools' and the harness's code and data, or the synonym tables; and no
    held-out listing is in the hand-checked samples of docs/. (The rules are checked by matching, above.)"""
    titles = {title_key(row["title"]) for row in heldout}
    specific = {t for t in titles if len(t.split()) >= 3}
    assert len(specific) > 300
    found = []
    for path in _text_files():
        text = " ".join(re.findall(r"[a-z0-9]+", path.read_text(encoding="utf-8", errors="replace").lower()))
        found += [f"{path.relative_to(ROOT)}: {t!r}" for t in specific if f" {t} " in f" {text} "]
    assert found == []
    for sample in ("mapping_sample.csv", "condition_sample.csv"):
        rows = _rows(ROOT / "docs" / sample)
        assert not {title_key(r["title"]) for r in rows} & titles, sample
        assert not {r["post_id"] for r in rows} & {r["post_id"] for r in heldout}, sample


@dataclass(frozen=True)
class _Item:
    id: str
    source: str
    title: str


def _split(items: list[_Item], **kwargs: object) -> list[str]:
    split = split_listings(
        items,
        source=lambda i: i.source,
        title=lambda i: i.title,
        ident=lambda i: i.id,
        **kwargs,  # type: ignore[arg-type]
    )
    return [items[i].id for i in split.heldout]


def test_split_is_reproducible_stratified_and_keeps_title_groups_together() -> None:
    items = [_Item(str(n), "bike" if n % 3 else "car", f"item {n % 50}") for n in range(600)]
    held = _split(items, share=0.1)
    assert held == _split(items, share=0.1)  # the same listings, the same split
    assert held != _split(items, share=0.1, seed=SPLIT_SEED + 1)
    titles_held = {items[int(i)].title for i in held}
    # a title is held out with every listing that has it, never split between seed and held-out
    assert all(items[int(i)].title in titles_held for i in held)
    assert not any(item.title in titles_held for item in items if item.id not in set(held))
    by_source = Counter(items[int(i)].source for i in held)
    assert by_source["bike"] <= 40 and by_source["car"] <= 20  # within each section's 10%
    assert by_source["bike"] > 0 and by_source["car"] > 0


def test_split_leaves_reviewed_listings_in_the_seed() -> None:
    items = [_Item(str(n), "bike", f"bike {n}") for n in range(100)]
    held = _split(items, share=0.5)
    kept = _split(items, share=0.5, keep_in_seed=set(held[:10]))
    assert not set(held[:10]) & set(kept)
    assert len(kept) == len(held)  # others take their place
