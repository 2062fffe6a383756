"""What category search knows of what things are beyond the taxonomy's words: the kind hints derived from
WordNet at build time (marketplace/build_kind_hints.py, marketplace/kind_hints.py) and generic heads
("machine"), on a small WordNet and small indexes written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketplace import build_kind_hints, category_search
from marketplace.category_search import CategoryIndex
from marketplace.kind_hints import HINTS_FILE, KindHint, kind_hints

# A few synsets in WordNet's own format (wndb(5WN)): offset, lexicographer file, pos, lemmas, pointers.
SYNSETS = {
    "00000001": (6, ["appliance"], []),
    "00000002": (6, ["home_appliance", "household_appliance"], ["00000001"]),
    "00000003": (6, ["kitchen_appliance"], ["00000002"]),
    "00000004": (6, ["food_processor"], ["00000003"]),
    "00000005": (18, ["processor"], []),  # a person who processes things
    "00000010": (6, ["shoe"], []),
    "00000011": (6, ["running_shoe"], ["00000010"]),
    "00000020": (6, ["receiver"], []),
    "00000021": (6, ["radio", "wireless"], ["00000020"]),
    "00000030": (6, ["cookware"], []),
    "00000031": (6, ["pan", "cooking_pan"], ["00000030"]),
    "00000032": (6, ["wok"], ["00000031"]),
    "00000033": (6, ["credenza"], ["00000034"]),
    "00000034": (6, ["sideboard"], []),
}
CATEGORY_PATHS = [
    "Home & Garden",
    "Home & Garden > Kitchen Appliances",
    "Home & Garden > Kitchen Appliances > Food Mixers & Blenders",
    "Home & Garden > Kitchen Appliances > Electric Skillets & Woks",
    "Home & Garden > Cookware",
    "Home & Garden > Cookware > Woks",
    "Furniture",
    "Furniture > Buffets & Sideboards",
    "Apparel",
    "Apparel > Shoes",
    "Electronics",
    "Electronics > Effects Processors",
    "Electronics > Receivers",
]


def _wordnet(folder: Path) -> Path:
    return write_wordnet(folder, SYNSETS)


def write_wordnet(folder: Path, synsets: dict[str, tuple[int, list[str], list[str]]]) -> Path:
    """A WordNet folder (data.noun, index.noun, index.adj) holding `synsets`: offset -> (lexicographer file,
    lemmas, hypernym offsets)."""
    data, index = [], {}
    for offset, (lexicographer_file, lemmas, hypernyms) in synsets.items():
        words = " ".join(f"{lemma} 0" for lemma in lemmas)
        pointers = " ".join(f"@ {h} n 0000" for h in hypernyms)
        data.append(
            f"{offset} {lexicographer_file:02d} n {len(lemmas):02x} {words} {len(hypernyms):03d} {pointers} | a gloss"
        )
        for lemma in lemmas:
            index.setdefault(lemma, []).append(offset)
    folder.mkdir()
    (folder / "data.noun").write_text("  1 the licence\n" + "\n".join(data) + "\n", encoding="latin-1")
    (folder / "index.noun").write_text(
        "".join(f"{lemma} n {len(o)} 1 @ {len(o)} 0 {' '.join(o)}\n" for lemma, o in index.items()),
        encoding="latin-1",
    )
    (folder / "index.adj").write_text("wireless a 1 0 1 0 00000099\n", encoding="latin-1")
    return folder


def _categories(path: Path) -> Path:
    path.write_text(
        "id\tpath\n" + "".join(f"{i}\t{p}\n" for i, p in enumerate(CATEGORY_PATHS, 1)), encoding="utf-8"
    )
    return path


@pytest.fixture
def built(tmp_path: Path) -> dict[tuple[str, ...], tuple[KindHint, ...]]:
    wordnet = _wordnet(tmp_path / "wordnet")
    kinds = build_kind_hints.taxonomy_kinds(_categories(tmp_path / "categories.tsv"))
    table = build_kind_hints.build(wordnet, build_kind_hints.read_settings(), kinds)
    build_kind_hints.write(table, tmp_path / "hints.tsv")
    return kind_hints.__wrapped__(tmp_path / "hints.tsv")


def test_a_compound_gets_the_kinds_the_taxonomy_names_above_it(
    built: dict[tuple[str, ...], tuple[KindHint, ...]],
) -> None:
    hints = built[("food", "processor")]
    assert hints[0] == KindHint(("kitchen", "appliance"), 1)
    assert KindHint(("appliance",), 3) in hints
    # "household appliance" is no kind in this taxonomy (no category says "household ... appliances")
    assert all(h.words != ("household", "appliance") for h in hints)
    assert ("credenza",) in built and built[("credenza",)][0].words == ("sideboard",)


def test_what_the_taxonomy_already_says_is_left_out(
    built: dict[tuple[str, ...], tuple[KindHint, ...]],
) -> None:
    assert ("running", "shoe") not in built  # a running shoe is a shoe: the taxonomy's word says it
    assert ("wireless",) not in built  # an adjective first, in a title
    assert ("processor",) not in built  # the taxonomy names processors; WordNet's processor is a person


def test_a_word_named_in_several_branches_keeps_the_kinds_that_tell_them_apart(
    built: dict[tuple[str, ...], tuple[KindHint, ...]],
) -> None:
    # Woks under Cookware and Electric Skillets & Woks under Kitchen Appliances: WordNet's wok is cookware.
    assert [h.words for h in built[("wok",)]] == [("cookware",)]


def test_the_builder_says_where_wordnet_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build_kind_hints.main(["--wordnet", str(tmp_path), "--output", str(tmp_path / "out.tsv")]) == 2
    assert "wordnet-base" in capsys.readouterr().err
    assert not (tmp_path / "out.tsv").exists()


def test_the_shipped_table_carries_wordnets_notice_and_reads() -> None:
    text = HINTS_FILE.read_text(encoding="utf-8")
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in text
    table = kind_hints()
    assert KindHint(("kitchen", "appliance"), 1) in table[("food", "processor")]
    assert all(hints and all(h.words and h.depth >= 0 for h in hints) for hints in table.values())


INDEX = [
    (1, "Home & Garden", "Home & Garden", None, False),
    (2, "Home & Garden > Kitchen Appliances", "Kitchen Appliances", 1, False),
    (3, "Home & Garden > Kitchen Appliances > Food Mixers & Blenders", "Food Mixers & Blenders", 2, True),
    (4, "Home & Garden > Kitchen Appliances > Popcorn Makers", "Popcorn Makers", 2, True),
    (5, "Home & Garden > Kitchen Appliances > Electric Skillets & Woks", "Electric Skillets & Woks", 2, True),
    (6, "Home & Garden > Cookware", "Cookware", 1, False),
    (7, "Home & Garden > Cookware > Woks", "Woks", 6, True),
    (8, "Electronics", "Electronics", None, False),
    (9, "Electronics > Effects Processors", "Effects Processors", 8, True),
    (10, "Electronics > Printers & Fax Machines", "Printers & Fax Machines", 8, True),
    (11, "Food", "Food", None, False),
    (12, "Food > Popcorn", "Popcorn", 11, True),
]
HINTS = {
    ("food", "processor"): (KindHint(("kitchen", "appliance"), 1), KindHint(("appliance",), 3)),
    ("wok",): (KindHint(("cookware",), 2),),
}


# Where people sell: kitchen appliances, so that an electric wok is what "wok" finds by the titles alone.
TITLES = [(5, f"electric skillet {n}") for n in range(5)] + [(4, f"popcorn popper {n}") for n in range(20)]


def _top(
    query: str, hints: dict[tuple[str, ...], tuple[KindHint, ...]], monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(category_search, "kind_hints", lambda: hints)
    hits = CategoryIndex(INDEX, TITLES).search(query)
    return hits[0].category.path if hits else "(nothing)"


def test_a_compound_wordnet_knows_is_read_as_its_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _top("cuisinart food processor", {}, monkeypatch) == "Electronics > Effects Processors"
    assert _top("cuisinart food processor", HINTS, monkeypatch).startswith(
        "Home & Garden > Kitchen Appliances"
    )


def test_wordnets_kind_tells_apart_the_branches_that_name_the_head_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _top("wok", {}, monkeypatch) == "Home & Garden > Kitchen Appliances > Electric Skillets & Woks"
    assert _top("wok", HINTS, monkeypatch) == "Home & Garden > Cookware > Woks"


def test_a_generic_head_lets_the_word_before_it_say_the_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _top("popcorn machine", {}, monkeypatch) == "Home & Garden > Kitchen Appliances > Popcorn Makers"
    index = CategoryIndex(INDEX, TITLES)
    index._generic = {}  # "machine" read as itself alone
    assert index.search("popcorn machine")[0].category.name != "Popcorn Makers"
