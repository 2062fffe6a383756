"""The title model (marketplace/title_model.py): what it learns from listing titles, how category search
uses it, and that it is built from the seed's listings alone, never from the held-out ones."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

import marketplace.app
from marketplace import category_search, title_model
from marketplace.app import Marketplace
from marketplace.category_search import CategoryIndex
from marketplace.db import make_engine
from marketplace.seed_build import HELDOUT_FILE
from marketplace.title_model import TitleModel

PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: None, 5: 4}


def test_the_posterior_favours_the_category_whose_titles_read_like_the_text() -> None:
    titles = [(2, f"kef q55 tower speaker {n}") for n in range(5)] + [
        (5, f"weider power tower {n}") for n in range(5)
    ]
    model = TitleModel(titles, PARENTS)
    posterior = model.posterior("Kef Q series tower pair", [2, 5])
    assert set(posterior) == {2, 5}
    assert sum(posterior.values()) == pytest.approx(1.0)
    assert posterior[2] > 0.9
    assert model.posterior("weider tower", [2, 5])[5] > 0.9
    assert model.posterior("nothing any title has", [2, 5]) == {}


def test_a_category_without_titles_backs_off_to_its_parent() -> None:
    # Category 3 has no listings: it reads as its parent (1), whose titles are about speakers, so it is far
    # likelier for a speaker than category 5, whose branch (4) sells exercise towers.
    titles = [(2, f"kef speaker {n}") for n in range(5)] + [(5, f"weider power tower {n}") for n in range(5)]
    posterior = TitleModel(titles, PARENTS).posterior("kef speaker", [3, 5])
    assert posterior[3] > posterior[5]


def test_with_type_backoff_words_neither_category_has_do_not_decide_for_the_one_with_fewer_titles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Phones: many titles, each with its seller's word; cases: three. "cracked screen" is in neither (only in
    # another branch's titles): it says nothing about phone or case, so it must not settle the question for
    # the category with fewer titles, as a fixed few pseudo-counts of backoff do (phones 0.001).
    monkeypatch.setattr(title_model, "TYPE_BACKOFF", 1.0)
    said = ["mint", "unlocked", "boxed", "sprint", "verizon", "cheap", "clean", "great", "used", "new"]
    titles = [(2, f"iphone {m} {w}") for m in ("5", "6", "7", "8", "x", "se") for w in said]
    titles += [(3, f"iphone {m} case") for m in ("6", "7", "x")]
    titles += [(5, f"cracked screen for parts {n}") for n in range(5)]
    model = TitleModel(titles, PARENTS)
    assert model.posterior("iphone 6 cracked screen", [2, 3])[2] > 0.25
    # what the titles do say still decides
    assert model.posterior("iphone 6 case", [2, 3])[3] > 0.9
    assert model.posterior("iphone 6 unlocked", [2, 3])[2] > 0.9


def _speaker_index() -> CategoryIndex:
    rows = [
        (1, "Electronics", "Electronics", None, False),
        (2, "Electronics > Speakers", "Speakers", 1, True),
        (3, "Sporting Goods", "Sporting Goods", None, False),
        (4, "Sporting Goods > Power Towers", "Power Towers", 3, True),
    ]
    # "Kef" is in titles of both (a stray ad); "tower" names Power Towers. The titles together say more.
    titles = [(2, f"Kef Q{n} tower speakers pair") for n in range(5)]
    titles += [(4, f"Weider power tower {n}") for n in range(10)] + [
        (4, "kef power tower"),
        (4, "q power tower"),
    ]
    return CategoryIndex(rows, titles)


def test_the_model_lifts_the_lexical_matches_whose_titles_read_like_the_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ix = _speaker_index()
    assert ix.search("Kef tower")[0].category.name == "Speakers"
    assert ix.explain("Kef tower")[0].model > 0.5
    monkeypatch.setattr(category_search, "MODEL_WEIGHT", 0.0)
    # (Kef makes audio alone, rules/search/branches.yaml `domains`, which says as much: without that too)
    monkeypatch.setattr(category_search, "DOMAIN_FACTOR", 1.0)
    assert ix.search("Kef tower")[0].category.name == "Power Towers"  # named "tower", without the model


def test_the_index_and_its_model_never_read_the_held_out_listings(
    db_url: str, trova_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = builtins.open

    def watching_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(str(file)).name == "heldout.csv":
            raise AssertionError(f"read the held-out listings: {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: watching_open(self, *a, **k))
    monkeypatch.setattr(marketplace.app, "_INDEXES", {})  # built here, not taken from this process's others
    monkeypatch.setattr(marketplace.index_cache, "load", lambda key: None)
    with pytest.raises(AssertionError, match="held-out"):  # the watch is on
        HELDOUT_FILE.read_text(encoding="utf-8")
    index = Marketplace(make_engine(db_url), rate_limits=None).index
    assert index.model.knows("bike")  # built here, from the seed's titles
