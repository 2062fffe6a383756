"""What kind of thing an item word names, where the taxonomy's own words do not say it: "food processor" is a
kitchen appliance, "credenza" a sideboard. The table (`rules/search/kind_hints.tsv`) is derived from WordNet
3.0 at build time by `build_kind_hints.py`; category search reads it as weaker readings of the item's head
word, beside the lexical ones (`category_search.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

HINTS_FILE = Path(__file__).resolve().parent / "rules" / "search" / "kind_hints.tsv"


@dataclass(frozen=True, slots=True)
class KindHint:
    words: tuple[str, ...]  # a kind as the taxonomy names it, stemmed: ("kitchen", "appliance")
    depth: int  # how far up WordNet's hypernyms (0: a synonym)


@cache
def kind_hints(path: Path = HINTS_FILE) -> dict[tuple[str, ...], tuple[KindHint, ...]]:
    """Item words (stemmed, one or two) -> their kinds, nearest first."""
    table: dict[tuple[str, ...], tuple[KindHint, ...]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            key, *hints = line.rstrip("\n").split("\t")
            parsed = []
            for hint in hints:
                phrase, _, depth = hint.rpartition(":")
                parsed.append(KindHint(tuple(phrase.split()), int(depth)))
            table[tuple(key.split())] = tuple(parsed)
    return table
