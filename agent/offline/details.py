"""The facts about an item a buyer looks for, in the seller's words: what tells it from others like it
(capacity, size, colour, mileage, a variant such as 'slim' or 'unlocked'), what comes with it ('box and
charger included', 'with 6 chairs'), and how firm the price is ('or best offer', '$300 firm').

Only clauses about the item count: "my car is red" says nothing of the bike being sold, and a clause about
damage ("white marks on the top") names no colour. Rules in data/details.yaml; the draft's sentences for
them in data/drafting.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agent.offline.conditions import about_something_else, clauses, read_condition
from agent.offline.lexicon import DATA, alternatives, lexicon, read_yaml, words_re
from agent.offline.names import without_names

Terms = Literal["offers", "firm"]
MAX_INCLUDED_WORDS = 6


class _DetailData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attributes: dict[str, list[str]]
    colour_first: list[str]
    single_valued: list[str]
    included_after: list[str]
    included_before: list[str]
    not_included: list[str]
    accessories: list[str]
    two_parts: str
    counts: list[str]
    priced: list[str]
    terms: dict[Terms, list[str]]
    sentences: dict[Literal["details", "included", "offers", "firm"], str]


@dataclass(frozen=True)
class Attribute:
    kind: str  # capacity, mileage, size, variant, colour (the data's kinds)
    words: str  # as the seller wrote it ('500GB', '98k miles')
    replaces: bool = False  # said later instead of an earlier value of its kind ("actually a 10 inch")


@dataclass(frozen=True)
class Details:
    attributes: tuple[Attribute, ...] = ()
    included: tuple[str, ...] = ()  # what comes with it ('box and charger', '6 chairs')
    terms: Terms | None = None  # open to offers, or firm

    def __bool__(self) -> bool:
        return bool(self.attributes or self.included or self.terms)

    def merge(self, later: Details) -> Details:
        """What was said before and what is said now; a later word on the price's firmness wins."""
        seen = {_key(a.words) for a in self.attributes}
        earlier = {a.kind for a in self.attributes}
        replaced = {a.kind for a in later.attributes if _key(a.words) not in seen} & _rules().single_valued
        kept = tuple(a for a in self.attributes if a.kind not in replaced)
        attributes = kept + tuple(
            Attribute(a.kind, a.words, replaces=a.replaces or a.kind in earlier) if a.kind in replaced else a
            for a in later.attributes
            if _key(a.words) not in seen or a.kind in replaced
        )
        known = {_key(i) for i in self.included}
        included = self.included + tuple(i for i in later.included if _key(i) not in known)
        return Details(attributes, included, later.terms or self.terms)

    def without_parts_named(self, text: str) -> Details:
        """Without what comes with it that `text` names: "only the table, keeping the chairs" of a table "with
        4 chairs" leaves the chairs out of the listing."""
        said = {w.rstrip("s") for w in re.findall(r"[a-z]{3,}", text.lower())}
        included = tuple(
            i
            for i in self.included
            if not {w.rstrip("s") for w in re.findall(r"[a-z]{3,}", i.lower())} & said
        )
        return Details(self.attributes, included, self.terms)

    def beyond(self, name: str) -> Details:
        """The details the item's name does not already say ('PS4 500GB slim' already says '500GB')."""
        said = _key(name)
        words = set(re.findall(r"[a-z0-9]+", name.lower()))
        return Details(
            tuple(a for a in self.attributes if _key(a.words) not in said),
            tuple(i for i in self.included if not set(re.findall(r"[a-z0-9]+", i.lower())) <= words),
            self.terms,
        )


@dataclass(frozen=True)
class _Rules:
    kinds: tuple[tuple[str, re.Pattern[str]], ...]
    first: frozenset[str]
    single_valued: frozenset[str]
    priced: tuple[str, ...]
    after: re.Pattern[str]
    before: re.Pattern[str]
    not_included: re.Pattern[str]
    names_thing: re.Pattern[str]
    two_parts: re.Pattern[str]
    terms: tuple[tuple[Terms, re.Pattern[str]], ...]
    sentences: dict[Literal["details", "included", "offers", "firm"], str]


@cache
def _rules() -> _Rules:
    raw = read_yaml(DATA / "details.yaml")
    d = _DetailData.model_validate(raw)
    if unknown := set(d.priced) - set(d.attributes):
        raise ValueError(f"details.yaml: priced names no kind of attribute: {sorted(unknown)}")
    accessories = alternatives(d.accessories)
    return _Rules(
        kinds=tuple((kind, words_re(patterns)) for kind, patterns in d.attributes.items()),
        first=frozenset(d.colour_first),
        single_valued=frozenset(d.single_valued),
        priced=tuple(d.priced),
        after=re.compile(rf"\b(?:{alternatives(d.included_after)})\s+(?P<what>.+)$", re.I),
        before=re.compile(rf"^(?P<what>.+?)\s+(?:{alternatives(d.included_before)})\b", re.I),
        not_included=words_re(d.not_included),
        names_thing=re.compile(
            rf"^(?:{alternatives(d.counts)})\s+\w|(?<![\w'-])(?:{accessories})(?![\w'-])", re.I
        ),
        two_parts=re.compile(d.two_parts, re.I),
        terms=tuple((kind, words_re(patterns)) for kind, patterns in d.terms.items()),
        sentences=d.sentences,
    )


def without_replaced(name: str, details: Details) -> str:
    """The item's name without a value a later detail replaces ('skillet 12 inch' once '10 inch' is said)."""
    patterns = dict(_rules().kinds)
    said = _key(name)
    for a in details.attributes:
        if a.replaces and _key(a.words) not in said:
            name = re.sub(r"\s{2,}", " ", patterns[a.kind].sub(" ", name)).strip(" ,")
    return name


def compared_item(name: str, details: Details) -> str:
    """The item as a price comparison is asked for it: its name and, for each kind of detail that moves its
    price (`priced` in data/details.yaml) that the name does not say, the one the seller said last
    ("iPhone 7" said with "128GB": "iPhone 7 128GB")."""
    rules = _rules()
    patterns = dict(rules.kinds)
    extra = []
    for kind in rules.priced:
        said = [a.words for a in details.attributes if a.kind == kind]
        if said and not patterns[kind].search(name):
            extra.append(said[-1])
    return " ".join([name, *extra])


def colour_first() -> frozenset[str]:
    """The kinds written before the item's name in a title ('Red KitchenAid mixer')."""
    return _rules().first


def sentences(details: Details) -> list[str]:
    """The description's sentences for the details: what tells it apart, what comes with it, the terms."""
    said = _rules().sentences
    lines = []
    if details.attributes:
        lines.append(said["details"].format(details=", ".join(a.words for a in details.attributes)))
    if details.included:
        lines.append(said["included"].format(included=" and ".join(details.included)))
    if details.terms:
        lines.append(said[details.terms])
    return lines


def _key(words: str) -> str:
    return re.sub(r"[^a-z0-9]", "", words.lower())


_LEADING = re.compile(r"^(?:(?:the|its|it's|a|an|all|also|and|comes with|with)\s+)+", re.I)
_TRAILING = re.compile(r"(?:\s+(?:too|also|as well|included|thrown in|and|or|are|is))+$", re.I)


# "the chair that goes with it is included": the relative clause says what "included" does, and its "with it"
# names nothing; read without it ("the chair is included").
_THAT_GOES_WITH_IT = re.compile(r"\s+(?:that|which)\s+(?:comes?|go(?:es)?)\s+with\s+(?:it|them)\b", re.I)


def _included(clause: str) -> str | None:
    rules = _rules()
    clause = _THAT_GOES_WITH_IT.sub("", clause)
    m = rules.after.search(clause) or rules.before.search(clause)
    if m is None:
        return None
    what = _TRAILING.sub("", _LEADING.sub("", m.group("what").strip(" ,.!?;:"))).strip()
    what = re.sub(r"^(?:i(?:'m| am)?\s+)?(?:selling|sell)\s+(?:my|an?|the)\s+", "", what, flags=re.I)
    # What comes with it ends where something is said about it ("6 chairs to get rid of", "2 controllers
    # that I never used"), as the item's own name does.
    what = lexicon().clause_end.split(what, maxsplit=1)[0].strip(" ,.!?;:") or what
    if (
        not what
        or len(what.split()) > MAX_INCLUDED_WORDS
        or rules.not_included.search(what)
        or not (
            rules.names_thing.search(what)
            or rules.names_thing.search(m.group("what").strip())
            or rules.two_parts.match(m.group("what").strip(" ,.!?;:"))
        )
    ):
        return None
    return what


_MOST_BRACKETED = 40  # characters in brackets after what comes with it; longer ones say more than which


def _with_brackets(text: str, thing: str) -> str:
    """`thing` with the brackets said right after it in `text` ("2 lenses (16-50 and 55-210)"), if any."""
    m = re.search(rf"{re.escape(thing)}\s*\((?P<inner>[^()]{{1,{_MOST_BRACKETED}}})\)", text, re.I)
    return f"{thing} ({m.group('inner').strip()})" if m is not None and m.group("inner").strip() else thing


_AND_MORE = re.compile(r"^(?:and|plus|&)\s+(?P<what>(?:the|a|an|its|my|some|\d+)\b.+)$", re.I)


def read_details(text: str, item: str | None = None) -> Details:
    """The details a message gives about `item` (or about the item it names, when None)."""
    rules = _rules()
    attributes: list[Attribute] = []
    included: list[str] = []
    seen: set[str] = set()
    after_included = False  # the clause before said what comes with it
    for clause in clauses(text):
        if about_something_else(clause, item):
            after_included = False
            continue
        more = _AND_MORE.match(clause) if after_included and included else None
        also = _included(f"with {more.group('what')}") if more is not None else None
        if also is not None:
            # "comes with 3 batteries and the case": the clauses part at "and the"; the case comes with it too
            included[-1] = f"{included[-1]} and {also}"
            continue
        damaged = bool(read_condition(clause, item).damage)
        for kind, pattern in rules.kinds:
            if damaged and kind in rules.first:
                continue  # "white marks on the top": the marks' colour, not the item's
            for m in pattern.finditer(without_names(clause)):  # "Pink Floyd" says no colour
                words = clause[m.start() : m.end()].strip()
                if _key(words) not in seen:
                    seen.add(_key(words))
                    attributes.append(Attribute(kind, words))
        thing = None if damaged else _included(clause)
        after_included = thing is not None
        if thing is not None and _key(thing) not in {_key(i) for i in included}:
            included.append(thing)
    # "2 lenses (16-50 and 55-210)": what the brackets after it say is which ones, kept with it
    included = [_with_brackets(text, thing) for thing in included]
    terms: Terms | None = None
    for kind, pattern in rules.terms:
        if pattern.search(text):
            terms = kind
    # An attribute inside what comes with it ('6 chairs' holds no size) is part of that phrase, and one inside
    # another attribute ('oak' in 'solid oak') is said by it.
    inside = " ".join(included).lower()
    kept = tuple(
        a
        for a in attributes
        if a.words.lower() not in inside
        and not any(
            b is not a
            and re.search(rf"\b{re.escape(a.words.lower())}\b", b.words.lower())
            and b.words != a.words
            for b in attributes
        )
    )
    return Details(kept, tuple(included), terms)
