"""Which listings are the same kind of thing as an item: not a bundle of several things, not an accessory or
part of it, and, when the item names a narrower category than the one asked about, of that category.

The word lists are data (`marketplace/data/comparables.toml`); this module only reads titles with them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from marketplace.taxonomy import HasCategories
from marketplace.text import STOPWORDS, alternatives, content_words, stem, words

DATA_FILE = Path(__file__).parent / "data" / "comparables.toml"
# Titles whose reading is kept: a comparison reads a few hundred, and the same sampled listings come back
# in the next comparison of their category (about 90% of readings at 1M listings are found here).
READING_MEMO = 16384


@dataclass(frozen=True)
class KindWords:
    """The comparison's word lists, each word as the comparison tokenises it."""

    ad_words: frozenset[str]
    bundle_words: frozenset[str]
    bundle_phrases: tuple[tuple[str, ...], ...]
    bundle_phrase_words: tuple[frozenset[str], ...]  # each phrase's words: a cheap test before the phrase
    separators: tuple[str, ...]
    min_parts: int
    other_parts: int
    accessories: frozenset[str]
    included_after: frozenset[str]


def _tokens(items: Iterable[str]) -> frozenset[str]:
    return frozenset(w for item in items for w in words(item))


@functools.cache
def kind_words(path: Path = DATA_FILE) -> KindWords:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    bundles, accessories = data["bundles"], data["accessories"]
    return KindWords(
        ad_words=_tokens(data["ad_words"]["words"]),
        bundle_words=_tokens(bundles["words"]),
        bundle_phrases=tuple(tuple(words(p)) for p in bundles["phrases"]),
        bundle_phrase_words=tuple(frozenset(words(p)) for p in bundles["phrases"]),
        separators=tuple(bundles["list_separators"]),
        min_parts=int(bundles["min_parts"]),
        other_parts=int(bundles["other_parts"]),
        accessories=_tokens(accessories["words"]),
        included_after=_tokens(accessories["included_after"]),
    )


def item_words(text: str) -> list[str]:
    """The words that say which item `text` is: its content words without the ad's and condition's words
    ("must go", "obo", "excellent condition")."""
    ad = kind_words().ad_words
    return [w for w in content_words(text) if w not in ad]


@dataclass(frozen=True)
class CountWords:
    """What says that a number counts the item or its time in use (`[counts]` of the data file)."""

    most_items: int
    pieces: frozenset[str]
    quantities: frozenset[str]
    durations: frozenset[str]
    together: frozenset[str]  # as written, with "&", "+" and "/"
    not_counts: frozenset[str]  # plurals, as written


@functools.cache
def count_words(path: Path = DATA_FILE) -> CountWords:
    data = tomllib.loads(path.read_text(encoding="utf-8"))["counts"]
    return CountWords(
        most_items=int(data["most_items"]),
        pieces=_tokens(data["pieces"]),
        quantities=_tokens(data["quantities"]),
        durations=_tokens(data["durations"]),
        together=frozenset(str(w) for w in data["together"]),
        not_counts=frozenset(str(w) for w in data["not_counts"]),
    )


# The seller's words before stemming (a plural is told by its ending), a number in brackets as one token,
# and the signs that join things ("&", "+", "/").
_RAW_TOKEN = re.compile(r"\(\s*\d+\s*\)|[a-z0-9]+|[&+/]")
DURATION_LIMIT = 100  # "12 months", "18 months"; "2015 year" is a model year


def _plural(word: str, rules: CountWords) -> bool:
    return word.isalpha() and len(word) > 3 and word not in rules.not_counts and stem(word) != word


@functools.lru_cache(maxsize=4096)
def counted_words(text: str) -> frozenset[str]:
    """The tokens of `text` that say how many of the item there are or how long it was used, not which item
    it is ("set of 4", "(2)", "4-piece", "2 Magna bikes", "used 2 years": the number, and a duration's word),
    by the rules of `[counts]` in the data file."""
    rules = count_words()
    raw = _RAW_TOKEN.findall(text.lower())
    found: set[str] = set()
    for i, token in enumerate(raw):
        number = token.strip("( )")
        if not number.isdigit():
            continue
        value = int(number)
        after = raw[i + 1 : i + 3]
        following = stem(after[0]) if after else ""
        if value < DURATION_LIMIT and following in rules.durations:
            found.update((number, following))
            continue
        if not 2 <= value <= rules.most_items or (i and raw[i - 1] in rules.together):
            continue
        counted = (
            token.startswith("(")
            or following in rules.pieces
            or (i >= 2 and raw[i - 1] == "of" and stem(raw[i - 2]) in rules.quantities)
            or any(_plural(word, rules) for word in after)
        )
        if counted:
            found.add(number)
    return frozenset(found)


def _with_synonyms(terms: Iterable[str]) -> frozenset[str]:
    """The words and every word of their synonym phrases ("couch" -> couch, sofa)."""
    return _synonyms_of(tuple(terms))


@functools.lru_cache(maxsize=4096)
def _synonyms_of(terms: tuple[str, ...]) -> frozenset[str]:
    # Cached: a price comparison asks it for the same item's words once per title it checks.
    return frozenset(w for term in terms for phrase, _ in alternatives(term) for w in phrase)


def _has_phrase(tokens: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


@functools.cache
def _separator_pattern() -> re.Pattern[str]:
    """The list separators of the kind words ("," ";" "|" " + "), as one pattern."""
    return re.compile("|".join(re.escape(s) for s in kind_words().separators))


# What the kind checks read of a title, tokenised once: its words, the words of each listed part
# (`list_separators`) that has a content word, and the accessory words it names as what it sells. A plain
# tuple of tuples of strings: the garbage collector stops tracking such a tuple once it has seen it, so the
# thousands of titles in `_reading`'s memo cost no time in a collection (frozensets, dataclass or named-tuple
# instances would be walked by every full collection, in whichever request happens to trigger it).
_Reading = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]


@functools.lru_cache(maxsize=READING_MEMO)
def _reading(title: str) -> _Reading:
    kinds = kind_words()
    tokens = tuple(words(title))
    pieces = _separator_pattern().split(title)
    parts: list[tuple[str, ...]] = []
    if len(pieces) >= kinds.min_parts:
        for piece in pieces:
            found = words(piece)
            if any(w not in STOPWORDS for w in found):
                parts.append(tuple(dict.fromkeys(found)))
    found_accessories: dict[str, None] = {}
    previous = ""
    for token in words(title.replace("+", " with ")) if "+" in title else tokens:
        if token in kinds.included_after:
            break
        if token in kinds.accessories and not (token == "part" and previous == "for"):
            found_accessories[token] = None
        previous = token
    return tokens, tuple(parts), tuple(found_accessories)


def is_bundle(title: str, item: Iterable[str] = ()) -> bool:
    """Whether a title offers several things rather than one: it says so ("lot", "misc", "garage sale"), or
    it lists at least `min_parts` things of which `other_parts` share no word with the item's words `item`
    ("Mattress, Modem, Router" for a router; "Ektorp sofa, grey" is one sofa, but "Sofa, leather, brown" reads
    as several things: the parts' words are not known as things or as describing ones)."""
    kinds = kind_words()
    tokens, parts, _ = _reading(title)
    if any(t in kinds.bundle_words for t in tokens):
        return True
    present = frozenset(tokens)
    if any(
        words <= present and _has_phrase(tokens, p)
        for p, words in zip(kinds.bundle_phrases, kinds.bundle_phrase_words, strict=True)
    ):
        return True
    if len(parts) < kinds.min_parts:
        return False
    known = _with_synonyms(item)
    others = sum(1 for p in parts if known.isdisjoint(p))
    return others >= kinds.other_parts


def accessories_named(title: str) -> set[str]:
    """The accessory and part words a title names as what it sells: not those after "with", "w/", "+" or
    "includes" (what comes with it), nor "parts" after "for" (a condition)."""
    return set(_reading(title)[2])


@functools.cache
def _suspect_words() -> frozenset[str]:
    kinds = kind_words()
    return kinds.bundle_words | kinds.accessories | frozenset(p[0] for p in kinds.bundle_phrases if p)


def plainly_one_item(title: str, title_tokens: frozenset[str]) -> bool:
    """True when a title cannot be another item for any query: no bundle, accessory or bundle-phrase word and
    no list separator in it (most titles). What `other_item` would find without a call per listing."""
    return not title_tokens & _suspect_words() and _separator_pattern().search(title) is None


def other_item(
    title: str, item: Sequence[str], item_is_bundle: bool, title_tokens: frozenset[str] | None = None
) -> str | None:
    """Why a listing titled `title` is not comparable with an item whose words are `item` (None if it may
    be): a bundle, when the item is not one; an accessory or part the item does not name. `title_tokens`,
    the title's words when known, let most titles be passed without reading them again."""
    kinds = kind_words()
    if title_tokens is not None:
        maybe_bundle = not item_is_bundle and (
            bool(title_tokens & kinds.bundle_words)
            or any(sep in title for sep in kinds.separators)
            or any(p <= title_tokens for p in kinds.bundle_phrase_words)
        )
        if not maybe_bundle and not title_tokens & kinds.accessories:
            return None
    if not item_is_bundle and is_bundle(title, item):
        return "bundle"
    extra = accessories_named(title) - _with_synonyms(item)
    if extra:
        return "accessory"
    return None


# --- the item's own kind of category -----------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in content_words(name) if w not in STOPWORDS)


def narrower_category(
    taxonomy: HasCategories, children: Mapping[int, Sequence[int]], category_id: int, item: str
) -> int:
    """The deepest category under `category_id` whose name the item's words all say ("IKEA sofa" asked under
    Furniture: Sofas; "oak coffee table" under Tables: Coffee Tables), or `category_id` itself. Only one
    such category counts: an item whose words name two ("coffee and end tables") keeps the wider one."""
    said = _with_synonyms(item_words(item))
    if not said:
        return category_id
    best: list[int] = []
    best_depth = 0
    stack = [(c, 1) for c in children.get(category_id, ())]
    while stack:
        current, depth = stack.pop()
        name = _name_words(taxonomy.by_id[current].name)
        if name and name <= said:
            if depth > best_depth:
                best, best_depth = [current], depth
            elif depth == best_depth:
                best.append(current)
        stack.extend((c, depth + 1) for c in children.get(current, ()))
    return best[0] if len(best) == 1 else category_id
