"""Build `rules/search/kind_hints.tsv`: what kind of thing an item word names, from WordNet's hypernyms.

Category search is lexical: "food processor" shares a word with Effects Processors and none with Kitchen
Appliances. WordNet (Princeton WordNet 3.0) knows that a food processor is a kitchen appliance, a stroller a
wheeled vehicle, a wok a pan. This script reads WordNet's noun database at build time and writes, for each
noun (one word or two) with a sense that is a made thing, the names of its kinds (its synonyms and its
hypernyms up to `max_depth` levels) that the taxonomy's category names use as kinds of thing. Category search
reads that table at run time (`marketplace/kind_hints.py`); WordNet itself is never read at run time.

    apt-get install wordnet-base        # Debian's package of WordNet 3.0: /usr/share/wordnet
    uv run python -m marketplace.build_kind_hints [--wordnet DIR]

Licence: WordNet 3.0 licence (docs/DATA.md, "Kind hints"); the table's header carries the notice.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from marketplace.category_search import _name_parts
from marketplace.text import content_words

ROOT = Path(__file__).resolve().parent
CATEGORIES = ROOT / "seed" / "categories.tsv"
SETTINGS = ROOT / "rules" / "search" / "kind_hints_build.yaml"
OUTPUT = ROOT / "rules" / "search" / "kind_hints.tsv"
WORDNET = Path("/usr/share/wordnet")

NOTICE = """\
# What kind of thing an item word names, derived from WordNet 3.0 by marketplace/build_kind_hints.py
# (do not edit; rebuild). Columns: the item's words (stemmed), then its kinds as the taxonomy names them,
# each with how far up WordNet's hypernyms it is (0: a synonym), best first.
#
# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.
# THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR
# WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON UNIVERSITY MAKES NO
# REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF
# THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS,
# TRADEMARKS OR OTHER RIGHTS. (The whole licence: docs/DATA.md.)
"""


@dataclass(frozen=True, slots=True)
class Synset:
    lemmas: tuple[str, ...]
    hypernyms: tuple[str, ...]  # offsets
    lexicographer_file: int


@dataclass(frozen=True, slots=True)
class Settings:
    lexicographer_files: frozenset[int]
    max_senses: int
    max_depth: int
    too_general: frozenset[str]


def read_settings(path: Path = SETTINGS) -> Settings:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Settings(
        frozenset(int(n) for n in data["lexicographer_files"]),
        int(data["max_senses"]),
        int(data["max_depth"]),
        frozenset(w for word in data["too_general"] for w in content_words(str(word))),
    )


def read_synsets(wordnet: Path) -> dict[str, Synset]:
    """WordNet's noun synsets by offset (wndb(5WN): data.noun)."""
    synsets: dict[str, Synset] = {}
    with (wordnet / "data.noun").open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith(" "):  # the licence at the top of the file
                continue
            fields = line.partition(" | ")[0].split()
            count = int(fields[3], 16)
            lemmas = tuple(fields[4 + 2 * i].lower() for i in range(count))
            at = 4 + 2 * count
            pointers = int(fields[at])
            hypernyms = []
            for i in range(pointers):
                symbol, offset, pos = fields[at + 1 + 4 * i : at + 4 + 4 * i]
                if symbol in ("@", "@i") and pos == "n":
                    hypernyms.append(offset)
            synsets[fields[0]] = Synset(lemmas, tuple(hypernyms), int(fields[1]))
    return synsets


def read_index(wordnet: Path, pos: str = "noun") -> dict[str, tuple[str, ...]]:
    """Each lemma's synsets, most frequent sense first (wndb(5WN): index.noun, index.adj)."""
    index: dict[str, tuple[str, ...]] = {}
    with (wordnet / f"index.{pos}").open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith(" "):
                continue
            fields = line.split()
            pointers = int(fields[3])
            index[fields[0]] = tuple(fields[4 + pointers + 2 :])
    return index


@dataclass(frozen=True, slots=True)
class TaxonomyKinds:
    """What the taxonomy's names call kinds of thing: each name part's last word, and its last two words."""

    heads: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    # head word -> the words of each of its categories' ancestors ("wok": {home, garden, kitchen, ...,
    # cookware}, {..., kitchen, appliance})
    branches: dict[str, tuple[frozenset[str], ...]]

    def names(self, words: tuple[str, ...]) -> bool:
        """Whether the taxonomy names this kind itself ("stroller": Baby Strollers; "frying pan")."""
        if len(words) == 1:
            return words[0] in self.heads
        return words[-1] in self.heads and (words[0], words[1]) in self.pairs

    def kind(self, lemma: str, too_general: frozenset[str]) -> tuple[str, ...] | None:
        """The lemma as the taxonomy names a kind ("kitchen_appliance" -> kitchen appliance), or None."""
        ws = tuple(content_words(lemma.replace("_", " ")))
        if not ws or len(ws) > 2 or ws[-1] not in self.heads:
            return None
        if len(ws) == 1:
            return None if ws[0] in too_general else ws
        return ws if (ws[0], ws[1]) in self.pairs else None


def taxonomy_kinds(categories: Path = CATEGORIES) -> TaxonomyKinds:
    heads: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    branches: defaultdict[str, list[frozenset[str]]] = defaultdict(list)
    for line in categories.read_text(encoding="utf-8").splitlines()[1:]:
        *ancestors, name = line.split("\t")[-1].split(" > ")
        above = frozenset(w for a in ancestors for w in content_words(a))
        for part in _name_parts(name):
            heads.add(part[-1])
            pairs.update(itertools.pairwise(part))
            branches[part[-1]].append(above)
    return TaxonomyKinds(frozenset(heads), frozenset(pairs), {w: tuple(b) for w, b in branches.items()})


def first_made_senses(
    index: dict[str, tuple[str, ...]], synsets: dict[str, Synset], settings: Settings
) -> dict[str, str]:
    """Each lemma's most frequent made-thing sense ("stroller": the baby carriage, not the walker)."""
    out: dict[str, str] = {}
    for lemma, senses in index.items():
        made = [s for s in senses if synsets[s].lexicographer_file in settings.lexicographer_files]
        if made:
            out[lemma] = made[0]
    return out


def hints_for(
    senses: tuple[str, ...],
    synsets: dict[str, Synset],
    kinds: TaxonomyKinds,
    settings: Settings,
    own: str,
    first_made: dict[str, str] | None = None,
) -> dict[tuple[str, ...], int] | None:
    """An item lemma's kinds, each at the least depth it is found (synonyms at 0), over its made-thing senses;
    None for two words whose last alone names the same thing or a kind of it ("motor scooter" is a scooter,
    a "running shoe" a shoe): the taxonomy's reading of that word is the better one. A one-word synonym counts
    only where this sense is that word's own first made-thing sense (`first_made`): a "pram" is a stroller
    and a "sax" a saxophone, but a "pusher" is no stroller, though WordNet lists both with a baby carriage."""
    found: dict[tuple[str, ...], int] = {}
    own_words = tuple(content_words(own.replace("_", " ")))
    made = [s for s in senses if synsets[s].lexicographer_file in settings.lexicographer_files]
    for sense in made[: settings.max_senses]:
        level = [sense]
        seen = {sense}
        for depth in range(settings.max_depth + 1):
            for offset in level:
                for lemma in synsets[offset].lemmas:
                    words = tuple(content_words(lemma.replace("_", " ")))
                    if len(own_words) == 2 and words != own_words and words[-1:] == own_words[-1:]:
                        return None
                    kind = kinds.kind(lemma, settings.too_general)
                    if (
                        depth == 0
                        and kind is not None
                        and len(kind) < 2
                        and (first_made is None or first_made.get(lemma) != offset)
                    ):
                        continue  # a one-word synonym is often another sense's word ("carriage", "pusher")
                    if kind is not None and kind != own_words and depth < found.get(kind, depth + 1):
                        found[kind] = depth
            level = [h for o in level for h in synsets[o].hypernyms if h not in seen]
            seen.update(level)
    return found


def build(wordnet: Path, settings: Settings, kinds: TaxonomyKinds) -> dict[tuple[str, ...], dict[str, int]]:
    synsets, index = read_synsets(wordnet), read_index(wordnet)
    adjectives = {tuple(content_words(lemma.replace("_", " "))) for lemma in read_index(wordnet, "adj")}
    table: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    first_made = first_made_senses(index, synsets, settings)
    for lemma, senses in index.items():
        if not lemma.replace("_", "").isalpha():
            continue
        key = tuple(content_words(lemma.replace("_", " ")))
        if not key or len(key) > 2 or (len(key) == 2 and kinds.names(key)):
            continue  # the taxonomy's own words already say what it is
        if len(key) == 1 and key in adjectives:
            continue  # "wireless", "portable": in a title, most often what an item is like
        found = hints_for(senses, synsets, kinds, settings, lemma, first_made)
        if found is None or (len(key) == 2 and any(kind[-1] == key[-1] for kind in found)):
            continue  # its own head word says what it is: a running shoe is a shoe
        if kinds.names(key):
            # A word the taxonomy names in several branches ("Woks" under Cookware, "Electric Skillets & Woks"
            # under Kitchen Appliances): only the kinds that some, not all, of those branches say.
            branches = kinds.branches[key[0]]
            found = {
                kind: depth
                for kind, depth in found.items()
                if 0 < sum(set(kind) <= b for b in branches) < len(branches)
            }
        for kind, depth in found.items():
            phrase = " ".join(kind)
            # Two lemmas may stem alike ("glass", "glasses"): keep each kind at its least depth.
            table[key][phrase] = min(depth, table[key].get(phrase, depth))
    return {key: hints for key, hints in table.items() if hints}


def write(table: dict[tuple[str, ...], dict[str, int]], output: Path) -> None:
    rows = [
        " ".join(key)
        + "\t"
        + "\t".join(f"{k}:{d}" for k, d in sorted(hints.items(), key=lambda kv: (kv[1], kv[0])))
        for key, hints in sorted(table.items())
    ]
    output.write_text(NOTICE + "\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--wordnet", type=Path, default=WORDNET, help="WordNet's dict folder (data.noun, index.noun)"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the table")
    args = parser.parse_args(argv)
    if not (args.wordnet / "data.noun").is_file():
        print(
            f"no WordNet database at {args.wordnet} (data.noun): install Debian's wordnet-base, or pass --wordnet",
            file=sys.stderr,
        )
        return 2
    table = build(args.wordnet, read_settings(), taxonomy_kinds())
    write(table, args.output)
    kinds = Counter(k for hints in table.values() for k in hints)
    print(f"{len(table)} items, {sum(kinds.values())} hints, {len(kinds)} distinct kinds -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
