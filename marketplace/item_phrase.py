"""Which words of a query name the item, and which only go with it.

A seller's words and a listing's title put the item first and what comes with it after a connector:
"queen bed with storage drawers and mattress" is a bed, "case for iPhone 7" a case, "set of 4 dining
chairs" chairs. Category search (`category_search.py`) reads the item phrase as the item, and the rest as
weaker evidence. The word lists are data (`rules/search/query_words.yaml`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from marketplace.text import STOPWORDS, has_phrase, stem, words

WORDS_FILE = Path(__file__).resolve().parent / "rules" / "search" / "query_words.yaml"

# Punctuation that ends a phrase: "Sofa, loveseat and chair", "FOR SALE: Volvo rims", "PS4 + 2 games"; a full
# stop after a word ("Kitchen table set. Real wood, drop leaf"), not an initial's or a short abbreviation's
# ("o.b.o.", "Mr. Coffee", "St. John").
_BREAK = re.compile(r"([,;:|!?]|\s[-–—+]+\s|(?<=[a-z]{3})\.(?=\s))")
_NUMBER_WORDS = frozenset(["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"])
_ASIDE = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")  # "IKEA (child's) bed": the aside goes with the rest
# "desk w/ drawers", "table w magazine rack", "bike w. helmet"; but "B&W" and "S.W." are names
_WITH = re.compile(r"\bw/|(?<![&\w.])w\.(?=\s)|(?<![&\w])w(?=\s)")


PURPOSE_WORDS = 2  # a purpose this short is read as the item's modifier ("for boxing", "for iPhone 7")


@dataclass(frozen=True, slots=True)
class QueryWords:
    connectors: frozenset[str]
    quantities: frozenset[str]
    describing: frozenset[str]
    accompanying: frozenset[str]  # connectors after which what follows comes with the item
    set_words: frozenset[str]  # "set" after two kinds of thing: a set of them
    generic_heads: tuple[tuple[str, tuple[str, ...]], ...]  # ("machine", ("maker",))
    makers: frozenset[str] = frozenset()  # makers of many kinds of things: "honda", "yamaha"
    # words that rule each other out as what an item is like: a "gas grill" is no electric grill
    contrary: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    purposes: frozenset[str] = frozenset()  # connectors after which a purpose follows: "for"
    # a size that says what an item is when no word of it does: "Mitsubishi 50 inch" is a television
    sizes: tuple[SizeCue, ...] = ()
    accessories: frozenset[str] = frozenset()  # heads that name an accessory or a part: "charger"
    accessory_kinds: frozenset[str] = frozenset()  # heads of categories that are accessories: "accessories"
    lacking: frozenset[str] = frozenset()  # connectors after which what the item lacks follows: "without"
    parts: frozenset[str] = frozenset()  # parts that, described after an item, say what it is like: "frame"
    # names of makers and shops written with words that name kinds of thing: "radio shack", "land of nod"
    maker_names: frozenset[tuple[str, ...]] = frozenset()
    # words that put the things a listing's title names apart: "and", "or", "fs", "ft"
    apart: frozenset[str] = frozenset()
    trading: frozenset[str] = frozenset()  # words that say a thing is offered or wanted in trade: "fs", "ft"
    # "in" before how an item is kept ("new in box", "still in the original packaging"): none of it the item
    packed: frozenset[str] = frozenset()
    packaging: frozenset[str] = frozenset()  # the words of such a phrase: "box", "original", "packaging"


@dataclass(frozen=True, slots=True)
class SizeCue:
    units: tuple[str, ...]  # how the unit is written after the number: "inch", '"'
    least: float
    most: float
    kinds: tuple[tuple[str, ...], ...]  # the kinds of thing it says, stemmed: (("televis",),)
    before: tuple[str, ...] = ()  # how it is written before the number: "size" ("size 11")

    def says(self, query: str) -> bool:
        """Whether the query has a number in the range followed by one of the units ('50 inch', '43"') or
        after one of the words before it ('size 11')."""
        patterns = []
        if self.units:
            unit = "|".join(re.escape(u) + (r"\b" if u[-1].isalnum() else "") for u in self.units)
            patterns.append(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(?:{unit})")
        if self.before:
            word = "|".join(re.escape(w) for w in self.before)
            patterns.append(rf"\b(?:{word})\s*:?\s*(\d+(?:\.\d+)?)(?![\w.])")
        for pattern in patterns:
            for match in re.finditer(pattern, query, re.IGNORECASE):
                if self.least <= float(match.group(1)) <= self.most:
                    return True
        return False


@cache
def query_words(path: Path = WORDS_FILE) -> QueryWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def stems(key: str) -> frozenset[str]:
        return frozenset(stem(str(w).lower()) for w in data[key])

    generic = tuple(
        (stem(str(word).lower()), tuple(stem(str(a).lower()) for a in alternates))
        for word, alternates in data["generic_heads"].items()
    )
    return QueryWords(
        stems("connectors"),
        stems("quantities"),
        stems("describing"),
        stems("accompanying"),
        stems("set_words"),
        generic,
        frozenset(str(w).lower() for w in data.get("makers", ())),
        tuple(
            (frozenset(stem(str(w).lower()) for w in one), frozenset(stem(str(w).lower()) for w in other))
            for one, other in data.get("contrary", ())
        ),
        stems("purposes") if "purposes" in data else frozenset(),
        tuple(
            SizeCue(
                tuple(str(u).lower() for u in cue.get("units", ())),
                float(cue["least"]),
                float(cue["most"]),
                tuple(tuple(stem(w) for w in str(k).lower().split()) for k in cue["kinds"]),
                tuple(str(w).lower() for w in cue.get("before", ())),
            )
            for cue in data.get("sizes", ())
        ),
        stems("accessories") if "accessories" in data else frozenset(),
        stems("accessory_kinds") if "accessory_kinds" in data else frozenset(),
        stems("lacking") if "lacking" in data else frozenset(),
        stems("parts") if "parts" in data else frozenset(),
        frozenset(
            tuple(stem(w) for w in words(str(n)) if w not in STOPWORDS) for n in data.get("maker_names", ())
        ),
        stems("apart") if "apart" in data else frozenset(),
        stems("trading") if "trading" in data else frozenset(),
        stems("packed") if "packed" in data else frozenset(),
        stems("packaging") if "packaging" in data else frozenset(),
    )


@dataclass(frozen=True, slots=True)
class ItemPhrase:
    """A query's content words (stemmed, no stop words, each once), split into the item phrase and the rest."""

    item: tuple[str, ...]
    rest: tuple[str, ...]


def _content(tokens: list[str]) -> list[str]:
    # A letter alone is an initial or a split abbreviation ("B&W", "o.b.o"), not a word of the item.
    return [t for t in tokens if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def _packaging(tokens: list[str], vocab: QueryWords) -> int:
    """How many of the tokens right after an "in" say how the item is kept: the run of `packaging` words and
    stop words ("the original box"), 0 when it has none of them. What follows is read as before ("in box
    bicycle helmet": a helmet; "in wall" speakers keep their wall)."""
    end = next((i for i, t in enumerate(tokens) if t not in vocab.packaging and _content([t])), len(tokens))
    return end if _content(tokens[:end]) else 0


def phrases(query: str) -> tuple[list[list[str]], list[list[str]]]:
    """The query's stretches between connectors and breaks, and its asides (in brackets), as content words;
    "<quantity> of" is dropped ("pair of skis" -> skis)."""
    stretches, asides, _, _ = _phrases(query)
    return stretches, asides


def _phrases(query: str) -> tuple[list[list[str]], list[list[str]], int | None, frozenset[int]]:
    """`phrases`, which stretch, if any, is the first and followed by what comes with it ("PS4 with two
    controllers", "PSP+charger", "TV + stand"): that one is the item, whatever its words; and the stretches
    that say a purpose ("heavy bag for boxing")."""
    vocab = query_words()
    text = _WITH.sub(" with ", query.lower())
    asides = [words(a) for a in _ASIDE.findall(text)]
    segments: list[list[str]] = []
    accompanied: set[int] = set()  # segments followed by an accompanying connector
    purposes: set[int] = set()  # segments after a purpose connector
    for piece, separator in itertools.zip_longest(*[iter(_BREAK.split(_ASIDE.sub(" ", text)))] * 2):
        current: list[str] = []
        lacking = False  # after "without", up to the next break: what the item lacks, none of it read
        tokens = words(piece)
        skip = 0  # tokens of a packaging phrase ("in the box") still to pass over
        for i, token in enumerate(tokens):
            if lacking or skip:
                skip = max(0, skip - 1)
                continue
            if token in vocab.packed and (packing := _packaging(tokens[i + 1 :], vocab)):
                skip = packing
                continue
            # A connector joins what is before it to what follows; with nothing before it, it is a word
            # ("Fit bit charge" is a Fitbit; "for sale: ..." loses only a stop word).
            if token in vocab.connectors and _content(current):
                if token in vocab.accompanying:
                    accompanied.add(len(segments))
                segments.append(current)
                if token in vocab.purposes:
                    purposes.add(len(segments))
                current = []
                lacking = token in vocab.lacking
            else:
                current.append(token)
        if separator is not None and "+" in separator:
            accompanied.add(len(segments))
        segments.append(current)

    def contents(stretches: list[list[str]]) -> list[list[str]]:
        out: list[list[str]] = []
        for tokens in stretches:
            for i in range(len(tokens) - 1):
                if tokens[i] in vocab.quantities and tokens[i + 1] == "of" and _content(tokens[i + 2 :]):
                    after = _content(tokens[i + 2 :])
                    # "bookcases, set of 2": only a number follows, so the item is before it
                    if all(t.isdigit() or t in _NUMBER_WORDS for t in after):
                        tokens = tokens[:i] + tokens[i + 2 :]
                    else:
                        tokens = tokens[i + 2 :]
                    break
            if content := _content(tokens):
                out.append(content)
        return out

    kept = [i for i, tokens in enumerate(segments) if _content(tokens)]
    first = (
        0
        if kept
        and kept[0] in accompanied
        and any(w not in vocab.describing for w in _content(segments[kept[0]]))
        else None
    )
    purpose = frozenset(kept.index(i) for i in purposes if i in kept)
    return contents(segments), contents(asides), first, purpose


def item_phrase(query: str, names_kind: Callable[[str], bool] = lambda word: True) -> ItemPhrase:
    """The item phrase is the first stretch of the query with a word that names a kind of thing (else the
    first with any word), never an aside unless nothing else has a word: "Unused in box bicycle helmet" ->
    bicycle helmet; "Apple TV (NIB)" -> apple tv."""
    stretches, asides, first, purpose = _phrases(query)
    parts = (stretches or asides) + (asides if stretches else [])
    candidates = stretches or asides
    chosen = first if first is not None and stretches else None
    if chosen is None:
        # else the first with a word that does more than describe ("moving sale: walkie talkie")
        describing = query_words().describing
        # (a product name of several words names one too: "ac unit for a window")
        chosen = next(
            (i for i, part in enumerate(candidates) if any(names_kind(w) for w in part) or has_phrase(part)),
            next((i for i, part in enumerate(candidates) if any(w not in describing for w in part)), 0),
        )
    item = dict.fromkeys(parts[chosen] if parts else ())
    # A short purpose right after the item says what kind of it it is, as a modifier before it would: "bag for
    # boxing" is a boxing bag (its head stays the item's own word, the last).
    if parts and chosen + 1 in purpose and chosen + 1 < len(stretches):
        after = [w for w in parts[chosen + 1] if w not in item]
        if 0 < len(after) <= PURPOSE_WORDS and not any(names_kind(w) for w in after):
            item = dict.fromkeys([*after, *item])
    rest = [w for i, part in enumerate(parts) if i != chosen for w in part if w not in item]
    return ItemPhrase(tuple(item), tuple(dict.fromkeys(rest)))
