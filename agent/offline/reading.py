"""One seller message read for every slot and every intent, whatever the agent asked last.

The agent's last question only settles what a short answer means: "250" is a price after "what price?"
or a draft, "2" is an option after "which category?", "perfect" is a grade after "what condition?" and a
yes after a draft. Everything else is read the same way at any point of the conversation: the item, its
condition and damage, the asking price and what was paid, a category choice, a new title, and what the
message does (asks about value, agrees, declines, leaves a choice to the agent, goes off-topic...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from agent.offline.amounts import (
    PriceChange,
    a_fields_value,
    money,
    names_only_a_price,
    read_amounts,
    read_price_change,
)
from agent.offline.conditions import read_condition, told_grade
from agent.offline.details import Details, read_details
from agent.offline.items import (
    clean_item,
    extract_items,
    is_chatter,
    is_condition_only,
    is_vague,
    item_correction,
    past_intro_line,
    priced_list,
    strip_discourse,
    strip_keeping_inches,
    value_question_item,
)
from agent.offline.lexicon import lexicon
from agent.offline.names import make_alone, names
from agent.offline.prohibited import is_prohibited
from agent.offline.remarks import SHORT_GRADE, beyond_grading, read_remarks, word_set
from tools.types import Condition


class Question(StrEnum):
    """What the agent asked, which a short answer refers to."""

    ITEM = "item"
    REDESCRIBE = "redescribe"  # the item in other words (no category fitted)
    CONDITION = "condition"
    CHOICE = "choice"  # which of the offered categories
    PRICE = "price"
    DRAFT = "draft"  # approve the draft, or say what to change
    RETRY = "retry"  # try the marketplace again
    REVIVE = "revive"  # post a declined draft after all
    FIELD_VALUE = "field_value"  # the value of a field the seller asked to add ("What's the shutter count?")


class Intent(StrEnum):
    VALUE = "value"  # asks what the item is worth or why a price
    ACCEPT = "accept"  # yes / go ahead
    DECLINE = "decline"  # no / don't post / I'll keep it
    POST = "post"  # a clear wish to post ("post it", "go ahead")
    SUGGEST = "suggest"  # leaves the price or choice to the agent ("you pick", "what do you suggest?")
    UNSURE = "unsure"  # can't answer ("not sure", "no idea")
    QUESTION = "question"  # any other question back
    META = "meta"  # about the service ("is there a fee?", "how does this work?")
    CHATTER = "chatter"  # greetings, thanks, filler
    NONE_OF_THESE = "none_of_these"  # no offered category fits
    ANY_OPTION = "any_option"  # any offered category will do
    CHANGE_OF_MIND = "change_of_mind"  # "actually", "after all"
    INJECTION = "injection"  # tries to change how the agent works
    PROHIBITED = "prohibited"  # names a weapon, ammunition or drugs
    SERVICE_OFFER = "service_offer"  # offers a service ("dog walking"), not a thing to sell
    INSIST = "insist"  # pushes after a refusal
    NON_ENGLISH = "non_english"
    CORRECTION = "correction"  # says the item is another one ("sorry, I meant my coffee table")
    LATER = "later"  # not now ("later", "another day")
    RETRY = "retry"  # "try again"
    CATEGORY = "category"  # asks for another category ("put it under shelving", "wrong category")
    PRICE_WHY = "price_why"  # asks why the price is below what similar listings ask
    PRICE_BASIS = "price_basis"  # asks how the price was reached ("how did you come up with that price?")


@dataclass(frozen=True)
class Context:
    """What the reader needs to know of the conversation to settle short answers."""

    asked: Question | None = None
    item: str | None = None  # the item being listed, to scope what is said about it
    options: tuple[str, ...] = ()  # the list just shown: categories offered, or the condition grades
    numbered: bool = False  # the list was shown numbered, so a bare number picks from it
    in_progress: bool = False  # an item is being listed (not yet posted or declined)


@dataclass
class Reading:
    text: str  # the words read (up to any attempt to take over the agent)
    items: list[str] = field(default_factory=list)  # items named for sale; ['?'] for unnamed "stuff"
    condition: Condition | None = None
    stated_condition: bool = False
    damage: list[str] = field(default_factory=list)  # damage in the seller's words
    price: float | None = None  # the asking price (0 or less: said, but impossible)
    price_each: bool | None = (
        None  # the price is for one of several (True), for all of them (False), unsaid (None)
    )
    paid: float | None = None  # what was paid, or costs new
    choice: int | None = None  # the offered category picked (0-based)
    title: str | None = None  # a new title
    title_wish: str | None = None  # how the title should change without its words ("make the title shorter")
    asks_field: str | None = None  # the draft's field asked about ("what's the category?")
    make: str | None = None  # the make or model of a generically named item ("it's a bose soundlink")
    details: Details = field(default_factory=Details)  # what tells the item apart, what comes with it
    category_words: str | None = None  # the words to look for another category with ("put it under ...")
    kind_words: str | None = None  # the kind of thing the listed item is ("it's a tablet, not a phone")
    price_change: PriceChange | None = None  # "lower it by 20", "make it 10% less"
    edit_field: str | None = None  # the draft field the seller wants changed ("the description sounds weird")
    note: str | None = None  # words to add to the description, as said ("add that the bowl is included")
    remove: str | None = None  # words to take out of the draft ("remove 'with some normal wear'")
    intents: set[Intent] = field(default_factory=set)
    service: list[str] = field(default_factory=list)  # answers to questions about how selling here works
    remarks: list[str] = field(default_factory=list)  # what else the message says of the item, as written
    item_prices: list[float] = field(default_factory=list)  # each item's own price, when a list gives them
    field_named: str | None = None  # a field to add without its value ("add the shutter count"): asked for
    shorten: bool = False  # a shorter description is wanted

    def has(self, *intents: Intent) -> bool:
        return any(i in self.intents for i in intents)

    @property
    def changes(self) -> bool:
        """Gives a fact (a price, a condition, damage, a title): an answer, or a change to the draft."""
        return (
            self.price is not None
            or self.price_change is not None
            or self.note is not None
            or self.remove is not None
            or self.condition is not None
            or bool(self.damage)
            or bool(self.title)
            or bool(self.details)
            or self.make is not None
            or self.field_named is not None
            or self.shorten
        )


def _beyond_details(what: str, details: Details) -> bool:
    """Does the sentence say more than the details read from it ("the original box and a 32gb sd card" is
    more than "32gb"; "the pedals and a lock" is all in "comes with: pedals and a lock")?"""
    taken = {
        w for phrase in (*details.included, *(a.words for a in details.attributes)) for w in _words(phrase)
    }
    return bool(_words(what) - taken - lexicon().add_fillers)


def _as_sentence(words: str) -> str:
    """Words the seller said, as a sentence of the description: capitalised, one full stop."""
    words = words.strip().rstrip(" .")
    return words[0].upper() + words[1:] + "."


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
# How a title should change, said instead of the title itself ("make the title shorter", "a bit catchier").
_TITLE_WISH = re.compile(
    r"(?:a\s+(?:bit|little)\s+|much\s+|more\s+|less\s+)?"
    r"(?:shorter|longer|simpler|better|clearer|nicer|catchier|punchier|snappier|descriptive|detailed|"
    r"professional|appealing|interesting|concise|specific)(?:\s+please)?[.!]?",
    re.I,
)
_PICKED_NUMBER = re.compile(
    r"^\s*(?:(?:yes|ok|okay|go with|let'?s do|probably|maybe|i'?ll (?:take|pick))[\s,]*)?"
    r"(?:#|no\.?\s*|number\s*|option\s*|choice\s*|\(\s*)?(\d)(?:\s*[.,)!:;-]|\s*$|\s+(?:please|pls|thanks|it|for sure|i think|and)\b)|"
    r"(?:#|\bnumber|\boption|\bchoice|\bcategory)\s*(\d)\b",
    re.I,
)
_LATER = re.compile(r"\b(?:later|another (?:day|time)|not now|some other time)\b", re.I)
_OF_THESE = re.compile(
    r"^(?:of\s+)?(?:these|those|them|the above|the options)\b(?:\s+(?:fits?|works?|matche?s?|is it|are right))?",
    re.I,
)
_RETRY = re.compile(r"\b(?:try again|retry|again)\b", re.I)


def pick_from_list(text: str, count: int, numbered: bool = False) -> int | None:
    """Which item (0-based) of a list just shown the seller points at: 'the second one', 'the last',
    or, when the list was numbered, '2'."""
    lowered = text.lower().strip()
    if numbered:
        m = _PICKED_NUMBER.search(lowered)
        number = (m.group(1) or m.group(2)) if m else None
        if number is not None:
            return int(number) - 1 if 1 <= int(number) <= count else None
    leading = re.match(
        r"^\s*(?:(?:i'?d say|i guess|probably|maybe|um+|hmm+|ok|okay)[\s,]+)?(?:the\s+)?"
        r"(first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|4th|5th|6th)\b(?:\s+(?:one|option|choice))?\s*[.!]?\s*$",
        lowered,
    )
    if leading is None:
        return None
    position = {**_ORDINALS, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6}[leading.group(1)]
    index = position - 1 if position > 0 else count - 1
    return index if 0 <= index < count else None


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def parse_choice(text: str, options: list[str] | tuple[str, ...], item: str = "") -> int | None:
    """Which of `options` (0-based) the seller picked: '2', 'the second one', or words that single out one
    option ('the robotic one'). Words of the item itself single out nothing, and a description matching
    no option ('it's a walk-behind mower') is None: not an option, search again."""
    lowered = text.lower().strip()
    words = re.findall(r"[a-z0-9']+", lowered)
    m = _PICKED_NUMBER.search(lowered)
    number = (m.group(1) or m.group(2)) if m else None
    if number is None and len(words) <= 4:
        lone = re.findall(r"(?<![\d.$])\b(\d)\b(?![\d.])", lowered)
        number = lone[0] if len(lone) == 1 else None
    if number is not None:
        return int(number) - 1 if 1 <= int(number) <= len(options) else None
    leading = re.match(r"^\s*(?:the\s+)?(first|second|third|fourth|last|1st|2nd|3rd|4th)\b", lowered)
    if leading:
        position = _ORDINALS[leading.group(1)]
        index = position - 1 if position > 0 else len(options) - 1
        return index if 0 <= index < len(options) else None
    if len(words) <= 6:
        for word, position in _ORDINALS.items():
            if re.search(rf"\b{word}\b", lowered):
                index = position - 1 if position > 0 else len(options) - 1
                if 0 <= index < len(options):
                    return index
    spelled = re.fullmatch(
        r"(?:(?:option|number|choice)\s+)?(one|two|three|four)(?:\s+please)?\s*[.!]?", lowered
    )
    if spelled and _NUMBER_WORDS[spelled.group(1)] <= len(options):
        return _NUMBER_WORDS[spelled.group(1)] - 1
    known = {_stem(w) for w in re.findall(r"[a-z]+", item.lower())}
    said = {_stem(w) for w in words if w not in lexicon().choice_stopwords} - known
    overlaps = []
    for option in options:
        name = option.rsplit(" > ", 1)[-1].lower()
        overlaps.append(len(said & ({_stem(w) for w in re.findall(r"[a-z]+", name)} - {"and", "the", "of"})))
    best = max(overlaps, default=0)
    if best == 0 or overlaps.count(best) > 1:
        return None
    return overlaps.index(best)


def names_no_option(text: str, options: list[str] | tuple[str, ...], item: str = "") -> bool:
    """True when the words only repeat what all options share ('tables', 'the furniture one'): no pick,
    and no new description either."""
    shared: set[str] | None = None
    for option in options:
        words = {_stem(w) for w in re.findall(r"[a-z]+", option.lower())}
        shared = words if shared is None else shared & words
    known = (shared or set()) | {_stem(w) for w in re.findall(r"[a-z]+", item.lower())}
    said = {_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in lexicon().choice_stopwords}
    return not said or said <= known


def injection_start(text: str) -> int | None:
    """Where an attempt to take over the agent starts in `text` (the sentence it is in), or None."""
    m = lexicon().injection.search(text)
    if m is None:
        return None
    sentence = max(text.rfind(mark, 0, m.start()) for mark in (".", "!", "?", "\n"))
    return sentence + 1 if sentence >= 0 else 0


def is_non_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if ord(ch) > 0x24F) / len(letters) > 0.3:
        return True  # mostly non-Latin script
    return len(lexicon().non_english.findall(text)) >= 2


def is_affirmative(text: str) -> bool:
    lex = lexicon()
    core = strip_discourse(text)
    said_yes = bool(lex.accept_only.match(text)) or bool(core and lex.accept_only.match(core))
    return said_yes and not lex.dont_post.search(text)


def is_negative(text: str) -> bool:
    lex = lexicon()
    return bool(lex.decline.match(text)) or bool(lex.dont_post.search(text)) or bool(lex.keep.search(text))


def wants_to_post(text: str) -> bool:
    """A clear wish to post: 'post it', 'actually yes, post it', 'go ahead'. A bare 'yes' is not (yes to what?)."""
    lex = lexicon()
    if lex.dont_post.search(text) or lex.decline.match(strip_discourse(text) or "x"):
        return False
    core = strip_discourse(text).strip(" ,.!")
    if lex.post_wish.search(text):
        return True
    return bool(lex.change_of_mind.search(text)) and (not core or is_affirmative(core))


_REDESCRIPTION = re.compile(
    r"^\s*(?:it'?s|it is|its|they'?re|they are|this is)\s+(?:\w+\s+)?(?:a|an|one of)\b", re.I
)
_ASIDE_START = re.compile(
    r"^\s*(?:(?:it'?s|it is|its|they'?re|they are)\s+)?(?:from|since|about|around|like|circa|with)\s", re.I
)


_MAKE = re.compile(
    r"^\s*(?:it'?s|it is|its|this is)\s+(?:a|an)\s+(?P<make>[a-z0-9][\w'-]*(?:\s+[\w'-]+){0,2})\s*$", re.I
)


def _make_of(said: str, item: str | None) -> str | None:
    """'it's a bose soundlink' of a 'speaker': the make that goes before the item's one-word name, or None
    when the words are anything else ("it's a gift", "it's a big one", "it's a bit old")."""
    m = _MAKE.match(said)
    if m is None or not item or len(item.split()) != 1:
        return None
    make = m.group("make")
    words = make.lower().split()
    lex = lexicon()
    if (
        item.lower() in words
        or any(w in lex.not_a_make for w in words)
        or read_condition(make, item).condition is not None
        or read_details(make, item)  # "a 2 seater": a detail, which the details say
    ):
        return None
    return make


_CLAUSES = re.compile(r",\s+|;\s*|\.\s+")  # where a message's clauses part: "bosch, good. 55 inch"
# ... and where a fault said to be absent starts one, typed without a comma ("works perfect no drift"): a fact
# for buyers, kept though the clause before it only grades
_FACT_CLAUSES = re.compile(_CLAUSES.pattern + r"|\s+(?=no\s+[a-z]{3,})", re.I)


def _first_clause(text: str) -> str:
    return _CLAUSES.split(text.strip())[0]


def _without_details(said: str, details: Details) -> str:
    """`said` with the words of the details read from it blanked ("samsung 55 inch 4k" -> "samsung")."""
    for a in details.attributes:
        said = re.sub(rf"\b{re.escape(a.words)}(?!\w)", " ", said, flags=re.I)
    return said


_MODEL_MARK = re.compile(r"\b(?:19[5-9]\d|20[0-3]\d)\b|\b(?=[a-z]*\d)(?=\d*[a-z])[a-z\d-]{2,}\b", re.I)


def _model_of(said: str, item: str | None, details: Details) -> str | None:
    """'2012 honda civic' (of a 'car'), 'dyson v11' (of a 'vacuum'): a short phrase that names a year or a
    model number and nothing else the reader knows (no grade, no detail, no filler word), else None."""
    if not item or len(item.split()) != 1:
        return None
    said = " ".join(_without_details(said, details).split()).strip(" ,.!")  # the size and the 4k are details
    said = _IT_IS.sub("", said)  # "its a 2010 honda cr-v ex": what it is, said as a sentence
    words = said.lower().split()
    lex = lexicon()
    if (
        not 2 <= len(words) <= 4
        # a year or a model number ("v11"), or a make's name first ("trek marlin 5")
        or not (_MODEL_MARK.search(said) or names().pattern.match(said))
        or item.lower() in words
        or any(w in lex.not_a_make or w in lex.condition_fillers for w in words)
        or read_condition(said, item).condition is not None
        or read_amounts(said).price is not None
    ):
        return None
    return said


_MOST_WORDS_BEFORE_NAME = 5


def _fuller_name(said: str, item: str | None) -> str | None:
    """'rei half dome 2 person tent' of a 'tent': the item named again, more fully, in a clause of its own;
    the words before its name (its make, model, kind), else None ("good tent", "my old tent" say nothing
    more of which one it is)."""
    if not item or len(item.split()) != 1:
        return None
    said = " ".join(_IT_IS.sub("", said).split()).strip(" ,.!")
    words = said.lower().split()
    if len(words) < 2 or words[-1] not in (item.lower(), f"{item.lower()}s"):
        return None
    before = words[:-1]
    lex = lexicon()
    if (
        len(before) > _MOST_WORDS_BEFORE_NAME
        or any(w in lex.not_a_make or w in lex.condition_fillers for w in before)
        or read_condition(said, item).condition is not None
        or read_amounts(said).price is not None
        or not re.search(r"[a-z]{2}", " ".join(before))
    ):
        return None
    return " ".join(said.split()[:-1])


_CLAUSE_BREAK = re.compile(r"[,.;:!?()]\s*|\s+-\s+")
_IT_IS = re.compile(r"^\s*(?:it'?s|it is|its|they'?re|this is)\s+(?:an?\s+)?", re.I)
_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.I)


def _make_beside(text: str, item: str) -> str | None:
    """A make (and up to two words of its model) said in a clause of its own beside the item ("nordictrack",
    "it's a bugaboo fox", "(IKEA sundvik)"), when the item's name has none; else None."""
    if names().pattern.search(item):
        return None
    for clause in _CLAUSE_BREAK.split(text):
        # "a specialized rockhopper 2015": the make after an article, as after "it's a"
        said = _ARTICLE.sub("", _IT_IS.sub("", clause)).strip()
        if not said or item.lower() in said.lower():
            continue
        maker = names().leading(said, said_it_is=said != clause.strip())
        if maker is not None and read_condition(said, item).condition is None:
            return maker
    return None


_FIELD_NAMED = re.compile(
    r"^\s*(?:the|its|his|her|their|my|a|an)\s+(?P<field>[a-z][a-z' -]{1,40}?)\s*(?:too|as\s+well|please)?\s*$",
    re.I,
)


def _field_without_value(what: str) -> str | None:
    """'the shutter count', 'its mileage': a field of the item named without its value (the phrase's last word
    is a field's, `value_fields` in intents.yaml), else None ("the original box" is a thing it comes with)."""
    m = _FIELD_NAMED.match(what)
    if m is None:
        return None
    field_words = m.group("field").lower().split()
    if len(field_words) > 4 or field_words[-1] not in lexicon().value_fields:
        return None
    return " ".join(field_words)


_AGE_WORDS = frozenset(
    {
        "old",
        "about",
        "around",
        "roughly",
        "approx",
        "approximately",
        "nearly",
        "almost",
        "over",
        "under",
        "its",
        "it's",
        "it",
        "is",
        "only",
        "just",
        "maybe",
    }
)


def _only_age(name: str) -> bool:
    """'5 years old', 'about a year old': a name that only says how old something is."""
    lex = lexicon()
    if not lex.usage_fact.search(name):
        return False
    rest = lex.usage_fact.sub(" ", name.lower())
    return all(w in _AGE_WORDS for w in re.findall(r"[a-z0-9']+", rest))


def stems(words: str) -> set[str]:
    """The words of three letters or more, singular, for "chairs" and "chair" to meet."""
    return {_stem(w) for w in re.findall(r"[a-z0-9]{3,}", words.lower())}


_stems = stems


def named_kind(text: str, item: str | None, bare_ok: bool) -> str | None:
    """The kind of thing the seller says the listed item is ("its actually a tablet not a phone"), or None: a
    kind shares no word with the item's name, holds no figure and names no make; what it is said not to be
    is no word of the name either ("it's a coffee table, not a bike" of a bike is another item). Without
    "not a ..." only where `bare_ok` (at the draft: "it's a phone")."""
    lex = lexicon()
    m = lex.kind_named.match(" ".join(text.split()))
    if m is None or not item:
        return None
    kind = (m.group("kind") or m.group("kind2") or "").strip(" '-")
    not_said = (m.group("not") or m.group("not2") or "").strip(" '-")
    if not not_said and (not bare_ok or item_correction(text) is not None):
        return None  # "actually it's a coffee table" of a bike: another item, as the corrections read it
    name = _stems(item)
    if (
        not kind
        or len(kind.split()) > 3
        or kind in lex.not_kinds
        or set(kind.split()) & lex.not_kinds
        or (not_said and not_said.split()[0] in lex.not_kinds)
        or _stems(kind) & name
        or _stems(not_said) & name
        or make_alone(kind) is not None
        or names().pattern.search(kind) is not None  # "it's an iphone, not a samsung": another item
        or is_vague(kind)
        or is_condition_only(kind)
    ):
        return None
    return kind


def _names_it_as(text: str, item: str | None) -> bool:
    """'the mountain bike is a Giant Talon 29er': the item, by its name, said to be a make or model."""
    m = re.match(
        r"^\s*(?:the|my|this|our)\s+(?P<name>[\w' -]{2,40}?)\s+(?:is|was)\s+(?:a|an)\s+\w", text, re.I
    )
    if m is None or not item:
        return False
    return bool(set(m.group("name").lower().split()) & set(item.lower().split()))


def _only_about_the_item(text: str, item: str | None) -> bool:
    """At the category question: the message tells more about the item ("its from like 1970", "near mint",
    "20v cordless, with 2 batteries, works great") without naming it anew ("it's a bugaboo stroller")."""
    if _REDESCRIPTION.match(text):
        return False
    if _ASIDE_START.match(text) or is_condition_only(text):
        return True
    return read_condition(text, item).condition is not None or bool(read_details(text, item))


def _without_other_items(text: str, items: list[str]) -> str:
    """The text with the later items' own phrases blanked: "a white desk and a red leather chair" tells the
    desk's colour, not "red" nor "leather" (those are the chair's, read when its turn comes)."""
    for other in items[1:]:
        if other == "?" or (items[0] != "?" and other.lower() in items[0].lower()):
            continue
        text = re.sub(re.escape(other), lambda m: " " * len(m.group(0)), text, flags=re.I)
    return text


def statements(text: str) -> str:
    """The sentences of `text` that ask nothing ("what would you say? I used it 10 times" -> "I used it 10
    times")."""
    return " ".join(s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if not s.rstrip().endswith("?"))


def read(text: str, context: Context | None = None) -> Reading:
    """Everything the message says, for every slot and intent."""
    ctx = context or Context()
    lex = lexicon()
    text = text.strip()
    text = lex.pictographs.sub(" ", text).strip() or text  # "Hey 👋 got a couch": the emoji names nothing
    if len(re.findall(r"[A-Za-z]{2,}", text)) >= 3 and not re.search(r"[a-z]", text):
        # "HONDA SELF PROPELLED LAWN MOWER STARTS FIRST PULL": caps lock, read (and written) as lower case;
        # the names' own casing comes back in the draft
        text = text.lower()
    reading = Reading(text)
    start = injection_start(text)
    if start is not None:
        reading.intents.add(Intent.INJECTION)
        text = text[:start].strip()  # only what comes before the attempt counts
        reading.text = text
    if not text:
        return reading
    if is_prohibited(text):
        reading.intents.add(Intent.PROHIBITED)
    if lex.service_offer.search(text) and not lex.sell_intro.search(text):
        reading.intents.add(Intent.SERVICE_OFFER)
    if lex.insist.search(text):
        reading.intents.add(Intent.INSIST)
    if is_non_english(text):
        reading.intents.add(Intent.NON_ENGLISH)
    core = strip_discourse(text)
    asked = ctx.asked

    # A category choice, when one was asked for; the number picked is then no price.
    priced_text = text
    edit_request = not lex.category_change.search(text) and any(
        p.search(text)
        for p in (lex.description_remove, lex.description_add, lex.title_change, lex.field_change)
    )
    if asked == Question.REDESCRIBE and lex.none_of_these.search(text):
        # "none of these" again, to "describe it in other words": a refusal with no other words, not an item
        reading.intents.add(Intent.NONE_OF_THESE)
    if asked == Question.CHOICE and ctx.options and not edit_request:
        # "take out the last sentence" asks for a change to the draft; its "last" picks no option
        reading.choice = parse_choice(text, ctx.options, ctx.item or "")
        if lex.none_of_these.search(text) and reading.choice is None:
            reading.intents.add(Intent.NONE_OF_THESE)
        if lex.any_option.match(text) or lex.choice_assent.match(text):
            reading.intents.add(Intent.ANY_OPTION)  # "ok", "sounds right": the top option, as for "whichever"
        picked = _PICKED_NUMBER.search(text.lower())
        if picked:
            priced_text = (
                text[: picked.start()] + " " * (picked.end() - picked.start()) + text[picked.end() :]
            )

    title = lex.title_change.search(text)
    said = text  # what is said about the item: a new title's words are the title, not its damage or details
    if title:
        said = text[: title.start()] + text[title.end() :]
        reading.title = strip_keeping_inches(
            title.group("t"), " :\"'"
        )  # "title: LG TV 55\"" keeps its inches
        if _TITLE_WISH.fullmatch(
            reading.title.rstrip("?!. ")
        ):  # "make the title shorter": a wish, not the title
            reading.title_wish, reading.title = reading.title.rstrip("?!. ").lower(), None
        priced_text = priced_text[: title.start()] + priced_text[title.end() :]  # "title: Escape 3": no price
    field_set = None if title else lex.field_set.search(text)
    if field_set is not None:  # "set the price to 40", "change the description to ...": that field only
        said = text[: field_set.start()]
    reading.price_change, priced_text = read_price_change(priced_text)
    # 'remove "used for 2 years"': words of the description, never a price ("drop the price by 5%" changes it)
    quoted = (
        lex.description_remove.search(priced_text) if ctx.in_progress and not reading.price_change else None
    )
    if quoted is not None:
        blank = " " * (quoted.end() - quoted.start())
        priced_text = priced_text[: quoted.start()] + blank + priced_text[quoted.end() :]
    expecting_price = asked in (Question.PRICE, Question.DRAFT, Question.RETRY)
    amounts = read_amounts(
        lex.leading_no.sub("", strip_discourse(priced_text)) if expecting_price else priced_text,
        expecting_price=expecting_price,
    )
    reading.price, reading.paid = amounts.price, amounts.paid
    if reading.price is not None and amounts.whole is not None:
        reading.price_each = not amounts.whole  # said right after the price: "20 each", "80 total"
    elif reading.price is not None:
        if re.search(lex.amounts.per_item, text, re.I):
            reading.price_each = True
        elif re.search(lex.amounts.whole_lot, text, re.I):
            reading.price_each = False
    if reading.price is not None and a_fields_value(priced_text, reading.price):
        reading.price = None  # "shutter count around 20k", "mileage 90000": the field's value, not a price
    if asked == Question.DRAFT and reading.price is not None and re.fullmatch(r"\s*\d\s*[.!]?\s*", text):
        reading.price = None  # a bare "1" at the draft answers a menu, not a $1 price: asked again

    # The item: named for sale anywhere, or a short answer when the agent asked for it.
    redescribes = (
        asked == Question.CHOICE
        and reading.choice is None
        and not is_chatter(text)
        and not lex.unsure.search(text)
        and Intent.NONE_OF_THESE not in reading.intents
        and Intent.ANY_OPTION not in reading.intents
        and not re.search(r"\bones?\b", text, re.I)  # "the wooden one" points at an option
        and not lex.value.search(text)  # "whats it worth": a question, not another name for the item
        and not names_no_option(text, ctx.options, ctx.item or "")
        and not _only_about_the_item(text, ctx.item)
        and not lex.keep.search(text)  # "no actually I don't want to sell it anymore": a decline, no new name
        and not lex.dont_post.search(text)
        # "two hundred dollars", "actually post it": a price or a command, typed at the list, never an item
        and not names_only_a_price(clean_item(text))
        and not (wants_to_post(text) and not lex.category_change.search(text))
    ) or (asked == Question.CHOICE and Intent.NONE_OF_THESE in reading.intents)
    expecting_item = (
        not (is_chatter(text) and "," not in text)
        and Intent.NON_ENGLISH not in reading.intents
        and (
            asked in (Question.ITEM, Question.REDESCRIBE)
            or redescribes
            or (
                not ctx.in_progress
                # "trek bike for 200" names the item with its price; "200" or "$200 firm" names none
                and (reading.price is None or not names_only_a_price(clean_item(text)))
                and not is_condition_only(text)
            )
        )
    )
    item_text = lex.sold_how.sub("", text).strip(" ,;") or text  # "..., selling together": how, not what
    if Intent.NONE_OF_THESE in reading.intents:  # "neither, it's a dining table": only what follows counts
        item_text = lex.none_of_these.sub(" ", text).strip(" ,.!-")
        item_text = _OF_THESE.sub("", item_text).strip(" ,.!-")  # "none of these, it's a ..."
    reading.items = (
        extract_items(item_text, expecting_item=expecting_item, in_progress=ctx.in_progress)
        if item_text
        else []
    )
    # "it's about 5 years old": how old it is, not a thing called "5 years old"
    reading.items = [i for i in reading.items if not _only_age(i)]
    sold = lex.sold_how.search(text)
    if sold is not None and len(reading.items) > 1 and not lex.sold_apart.search(sold.group()):
        # "a stroller plus the car seat and base, selling together": one listing of them all, found by the
        # first (the search leaves out what comes "plus" it)
        reading.items = [" plus ".join(reading.items)]
    if (
        ctx.in_progress
        and len(reading.items) == 1
        and value_question_item(text) is not None
        and _stems(reading.items[0]) & _stems(ctx.item or "")
    ):
        # "how much do wedding dresses usually go for?" while a wedding dress is listed: its value, no new item
        reading.items = []
        reading.intents.add(Intent.VALUE)
    if item_correction(text) is not None:
        reading.intents.add(Intent.CORRECTION)
    after_colon = None
    if len(reading.items) == 1 and ": " in reading.items[0]:
        # "Canon EOS 80D: body only": the item is named before the colon, what follows is said of it (a
        # short model mark, "T480: i5", stays in the name)
        head, tail = (p.strip(" ,") for p in reading.items[0].split(": ", 1))
        if re.search(r"[a-z]{2}", head, re.I):
            short_mark = len(tail.split()) <= 1 and re.search(r"\d", tail)
            reading.items = [f"{head} {tail}" if short_mark else head]
            after_colon = None if short_mark else tail

    scope = ctx.item or (reading.items[0] if reading.items and reading.items[0] != "?" else None)
    added = (
        lex.description_add.search(said)
        if ctx.in_progress
        and reading.price_change is None
        and told_grade(said) is None  # "say good": a grade
        else None
    )
    if added is not None and any(
        m.start() < added.end() and added.start() < m.end()
        for m in lex.category_change.finditer(said)
        if m.group("put") or m.group("to") or m.group("named") or m.group("go")
    ):
        added = None  # "put it in contract phones": a category named, never words for the description
    if added is not None:  # "add that it has a scratch": what is added is read, the request is not
        said = said[: added.start()] + ". " + added.group("what") + said[added.end() :]
    removed = (
        lex.description_remove.search(said) if ctx.in_progress and reading.price_change is None else None
    )
    if removed is not None:
        # "remove the safety net from the description, the net is torn so not included": what goes is named,
        # and what is said of it is no longer about the item
        reading.remove = re.sub(
            r"^(?:the|a|an|that|this)\s+", "", removed.group("what").strip(" \"'“”"), flags=re.I
        )
        said = ""
    condition = read_condition(said, scope, asked_condition=asked == Question.CONDITION)
    # "not sure what to call it, it works": a grade after all; an explicit title's own words are no grade
    if title and condition.condition is None and title.group("t").startswith((",", ";")):
        whole = read_condition(text, scope, asked_condition=asked == Question.CONDITION)
        condition.condition, condition.stated = whole.condition, whole.stated
    if asked == Question.DRAFT and condition.said is not None and condition.severity != "fatal":
        # "actually its more like good, the crack is tiny" at the draft: the seller regrades what the draft
        # shows, damage and all; their grade wins (the damage stays in the description)
        condition.condition = condition.said
    first_named = lex.first_named.search(said) if len(reading.items) > 1 else None
    # "starting with the chair, mesh back": the one to start with is named, not said to come with it
    reading.details = read_details(
        _without_other_items(
            said
            if first_named is None
            else f"{said[: first_named.start()]}, {said[first_named.start('item') :]}",
            reading.items,
        ),
        scope,
    )
    if len(reading.items) == 1 and reading.items[0] != "?":
        # "Metallica hoodie size L": the size said after the name is a detail (the title says it), not the
        # name's, which is what the category is searched for
        name = reading.items[0]
        for a in reading.details.attributes:
            if (
                a.kind == "size"
                and a.words.lower().startswith("size ")
                and name.lower().endswith(a.words.lower())
            ):
                shorter = name[: -len(a.words)].strip(" ,-")
                if shorter:
                    reading.items = [shorter]
    reading.condition, reading.stated_condition, reading.damage = (
        condition.condition,
        condition.stated,
        condition.damage,
    )
    if (
        asked == Question.CHOICE
        and reading.condition is None
        and re.fullmatch(r"\s*new\s*[.!]?\s*", text, re.I)
    ):
        reading.condition, reading.stated_condition = Condition.NEW, True  # no category is called "new"
    if asked == Question.CONDITION and reading.condition is None and ctx.options:
        grade = pick_from_list(text, len(ctx.options), ctx.numbered)  # "the second one" of the grades shown
        if grade is not None:
            reading.condition, reading.stated_condition = Condition(ctx.options[grade]), True
    if asked == Question.DRAFT and ctx.options and reading.edit_field is None:
        field_pick = pick_from_list(text, len(ctx.options))  # "the second one" of the fields just named
        if field_pick is not None:
            reading.edit_field = ctx.options[field_pick]
    named_field = _field_without_value(added.group("what")) if added is not None else None
    if named_field is not None:
        # "add the shutter count": a field named, its value not said; asked for, never pasted as a sentence
        reading.field_named = named_field
        reading.details, reading.condition, reading.damage = Details(), None, []
    elif added is not None and not reading.condition and not reading.damage:
        what = added.group("what").strip(" ,")
        extra = read_details(what, scope)
        if extra and not _beyond_details(what, extra):
            reading.details = reading.details.merge(extra)
        elif re.search(r"[a-z]{3}", what, re.I):
            # A sentence to add is added as said ("it comes with the original box and a 32gb sd card"), not
            # cut down to the details it holds ("32gb", which would also land in the title).
            reading.details = Details()
            reading.note = _as_sentence(what)
    if (
        ctx.in_progress
        and asked in (Question.CONDITION, Question.PRICE, Question.DRAFT)
        and not reading.items
        and reading.note is None
        and not reading.damage
        and (_REDESCRIPTION.match(text) or _names_it_as(text, ctx.item))
        and "?" not in text
    ):
        # "it's a Yamaha upright, U1" or "the mountain bike is a Giant Talon 29er, good condition" while the
        # condition or the price is asked: what the item is, for the description, as said (a condition said
        # with it is read as one)
        kept = [c for c in re.split(r",\s+", text.strip().rstrip(" .!")) if not is_condition_only(c)]
        said_of_it = ", ".join(kept)
        if said_of_it:
            reading.note = _as_sentence(said_of_it)
        reading.make = _make_of(kept[0], ctx.item) if len(kept) == 1 else None  # ", U1": the note keeps all
    elif (
        ctx.in_progress
        and asked in (Question.CONDITION, Question.PRICE, Question.CHOICE)
        and not reading.items
        and reading.note is None
        and "?" not in text
    ):
        # "2012 honda civic, 98k miles" of a "car": the model, named by its year or model number, before the
        # details ("98k miles") and the condition
        reading.make = _model_of(_first_clause(text), ctx.item, reading.details) or _fuller_name(
            _first_clause(text), ctx.item
        )
    alone = make_alone(text) if ctx.in_progress and ctx.item and asked != Question.ITEM else None
    if alone is not None and alone.lower() not in (ctx.item or "").lower():
        # "samsung" to the condition question, "delonghi" to the category question: the make of the item
        # being listed, which joins its name (a name holding a colour, "pink floyd", is no colour)
        reading.make, reading.items, reading.details, reading.note = alone, [], Details(), None
        reading.choice = None
    elif ctx.in_progress and ctx.item and asked in (Question.CONDITION, Question.PRICE) and not reading.items:
        # "samsung 55 inch", "bosch, good": a make before the details or the grade; those are read as usual
        first = _without_details(_first_clause(text), reading.details)
        maker = make_alone(first) if read_condition(first, ctx.item).condition is None else None
        if maker is not None and maker.lower() not in ctx.item.lower():
            reading.make = maker
            if reading.note and reading.note.rstrip(".").lower() == text.strip().rstrip(".").lower():
                reading.note = None
    if lex.shorten.search(text) and ctx.in_progress:
        reading.shorten = True
        reading.edit_field = None
    if lex.price_basis.search(text) and ctx.in_progress:
        # asked as a value question too (answered as one before the draft); at the draft, with the basis
        reading.intents |= {Intent.PRICE_BASIS, Intent.VALUE}
    if lex.price_why.search(text) and ctx.in_progress:
        # "you said similar ones ask $500 and suggest $380?": the amounts are the ones quoted, not a price
        reading.intents |= {Intent.PRICE_WHY, Intent.QUESTION}
        reading.price = reading.price_change = None
    if title or added is not None or lex.field_change.search(text):
        named = [f for f, p in lex.field_words.items() if p.search(text)]
        reading.edit_field = "title" if title else named[0] if named else "description"
    if field_set is not None and field_set.group("f").lower() != "price":
        reading.note = _as_sentence(field_set.group("v").strip(" \"'“”"))  # the words, as said
    if asked == Question.DRAFT and is_affirmative(text) and reading.price is None:
        reading.condition = None  # "perfect", "great" to a draft: a yes, not a grade

    asked_about = lex.field_question.search(text)
    if asked_about is not None:
        field_named = str(next((g for g in asked_about.groups() if g), "category")).lower()
        reading.asks_field = "description" if field_named == "desc" else field_named
        reading.intents.add(Intent.QUESTION)
    if lex.value.search(text):
        reading.intents.add(Intent.VALUE)
    if is_affirmative(text) or lex.accept.match(core):
        reading.intents.add(Intent.ACCEPT)
    if is_negative(text):
        reading.intents.add(Intent.DECLINE)
    if wants_to_post(text):
        reading.intents.add(Intent.POST)
    if lex.suggest.search(text):
        reading.intents.add(Intent.SUGGEST)
    if lex.unsure.search(text):
        reading.intents.add(Intent.UNSURE)
    if lex.meta.search(text):
        reading.intents.add(Intent.META)
    if "?" in text or lex.question_start.search(text):
        reading.intents.add(Intent.QUESTION)
    if Intent.QUESTION in reading.intents or lex.service_asking.search(text):
        topics = [(answer, no_item) for pattern, answer, no_item in lex.service if pattern.search(text)]
        reading.service = [answer for answer, _ in topics]
        if any(no_item for _, no_item in topics):
            reading.items = []  # "what does this list mean?" is about the options, not a thing called "mean"
        # "whats the fee" (no apostrophe, no question mark): the question's own words name no item
        reading.items = [i for i in reading.items if not any(p.search(i) for p, _, _ in lex.service)]
        if asked != Question.CONDITION and lex.grade_question.search(text):
            reading.service.append(f"Here's what the conditions mean: {lex.condition_guide}")
        if reading.service:
            reading.intents.add(Intent.QUESTION)  # "how do I get paid": a question without its mark
    if amounts.foreign is not None and reading.price is not None:
        said_in_dollars = money(reading.price)
        reading.service.append(lex.foreign_currency.format(said=amounts.foreign, price=said_in_dollars))
    if is_chatter(text) and not reading.changes:
        reading.intents.add(Intent.CHATTER)
    if lex.change_of_mind.search(text):
        reading.intents.add(Intent.CHANGE_OF_MIND)
    if _LATER.search(text):
        reading.intents.add(Intent.LATER)
    if _RETRY.search(text):
        reading.intents.add(Intent.RETRY)
    changes = list(lex.category_change.finditer(text))
    if changes:
        reading.intents.add(Intent.CATEGORY)
        # "wrong category, put it in contract phones": the clause that names one, wherever it stands
        words = next(
            (g for change in changes for g in (change.group(k) for k in ("put", "to", "named", "go")) if g),
            None,
        )
        words = re.sub(
            r"\s+(?:please|pls|thanks|thank you|instead)$", "", (words or "").strip(" '\""), flags=re.I
        )
        reading.category_words = words or None
        reading.items = []  # the words name a category, not another item
    kind = named_kind(text, ctx.item, bare_ok=asked == Question.DRAFT) if ctx.in_progress else None
    if kind is not None and Intent.CATEGORY not in reading.intents:
        # "its actually a tablet not a phone": what kind of thing the item is, to find its category by; the
        # item and what was said of it stay (no other item, nothing for the description)
        reading.intents.add(Intent.CATEGORY)
        reading.intents.discard(Intent.CORRECTION)
        reading.kind_words, reading.items = kind, []
        reading.note, reading.remarks = None, []
    bare = text.strip(" .!").lower()
    if (
        asked == Question.DRAFT
        and ctx.options  # "what should I change: the price, the title or the condition?" was asked
        and ctx.in_progress
        and not reading.changes
        and reading.edit_field is None
        and reading.category_words is None
        and not reading.intents - {Intent.CHATTER}
        and not is_chatter(text)
        and re.fullmatch(r"[a-z][a-z &'-]{2,40}", bare)
        and len(bare.split()) <= 3
        and not set(bare.split()) <= lex.vague
        # "the title", "the colour", "the photos": a field or a part of the draft, not a category
        and not any(p.search(text) for p in lex.field_words.values())
        and not set(bare.split()) & lex.value_fields
        and not lex.photo_words.search(text)
        # "looks fine": of the draft as it is, not a category
        and not set(bare.split()) & (lex.condition_fillers - {"the", "a", "an", "my"})
        and not is_affirmative(text)
    ):
        # "furniture": none of the fields named, so the one the list leaves out, the category; looked for
        reading.intents.add(Intent.CATEGORY)
        reading.category_words = None if "category" in bare else text.strip(" .!")
    if len(reading.items) > 1:
        priced = priced_list(past_intro_line(text))  # an introducing line ("Selling:") priced nothing
        if len(priced) == len(reading.items):
            reading.item_prices = [price for _, price in priced]
            reading.price = reading.item_prices[0]
    taken = [*reading.details.included, *(a.words for a in reading.details.attributes)]
    if len(reading.items) == 1 and reading.items[0] != "?":
        maker = _make_beside(text, reading.items[0])
        if maker is not None:
            # "a treadmill. nordictrack, works fine", "crib (IKEA sundvik)", "Mountain bike for sale:
            # Specialized Rockhopper": the make said beside the item is part of its name
            name = reading.items[0]
            if name[:1].isupper() and name.split()[0][1:].islower() and not names().pattern.match(name):
                name = (
                    name[:1].lower() + name[1:]
                )  # "Mountain bike" opened the sentence: "Specialized ... bike"
            reading.items = [f"{maker} {name}"]
            taken = [*taken, maker]
        reading.remarks = read_remarks(text, reading.items[0], taken)
        if maker is not None:  # "Its a bugaboo fox, used for 1 year": the name is said by the title
            said_it = re.compile(rf"^(?:it'?s|it is|its)\s+(?:an?\s+)?{re.escape(maker)}[,.]?\s*", re.I)
            reading.remarks = [
                _as_sentence(r2) for r in reading.remarks if (r2 := said_it.sub("", r)).strip(" .")
            ]
        if after_colon and not any(after_colon.lower() in r.lower() for r in reading.remarks):
            reading.remarks.insert(0, _as_sentence(after_colon))
        asked_for = reading.price
        if asked_for is not None and asked_for > 0 and float(asked_for).is_integer():
            number = int(asked_for)
            count = rf"(?<![\d$.,]){number}\s+[a-z]"
            if re.search(count, reading.items[0], re.I) and not re.search(rf"\$\s?{number}\b", text):
                reading.price = None  # "about 200 baseball cards": how many, part of the item, not a price
    elif first_named is not None:
        # "a desk lamp, an office chair and a bookshelf. starting with the chair, mesh back, adjustable
        # height": what follows is said of the one to start with
        reading.remarks = read_remarks(said[first_named.start() :], reading.items[0], taken)
    elif not ctx.in_progress and not reading.items and reading.intents <= {Intent.CHATTER}:
        # Before the item is named ("it's about 5 years old, asking 150"): how long it was used or owned is
        # kept for the item named next (other words may be about anything)
        reading.remarks = [r for r in read_remarks(text, None, taken) if lex.usage_fact.search(r)]
    elif (
        ctx.in_progress
        and ctx.item
        and asked in (Question.CONDITION, Question.PRICE, Question.CHOICE)
        and not reading.items
        and reading.note is None
        and not reading.intents & {Intent.CHATTER, Intent.INJECTION, Intent.ACCEPT, Intent.NONE_OF_THESE}
        # a question asked back, with facts in another sentence ("what would you say? i used it 10 times")
        and (Intent.QUESTION not in reading.intents or statements(text) not in ("", text))
        # a category refused and nothing more, whatever was asked ('it doesn't fit anymore' is a fact)
        and _OF_THESE.sub("", lex.none_of_these.sub(" ", text).strip(" ,.!-")).strip(" ,.!-")
        and (asked != Question.CHOICE or (reading.choice is None and not _REDESCRIPTION.match(text)))
    ):
        # "good, only 2 years old" to the condition question: the age is the seller's fact for the description.
        # A remark holding a detail the reader took ("good, it's the 56cm frame in blue") is left to the details.
        taken_words = word_set(" ".join([*taken, reading.make or ""]))  # "dyson v11": the name's, too
        # Only the clauses that give no grade: "good condition, battery still holds charge" keeps the battery,
        # and "brand new never used still in box" is the condition line's to say.
        # Each clause on its own: "size B, bought in 2019" keeps the year though the size is a detail. How
        # long it was used is kept even where it grades ("not sure, works fine, a couple years old").
        ungraded = [
            c
            for c in _FACT_CLAUSES.split(statements(text))
            if (
                (graded := read_condition(c, ctx.item).condition) is None
                or lex.usage_fact.search(c)
                # "always had a case on it": more than a grade ("brand new never used still in box" is one)
                or (
                    len(beyond_grading(c)) >= 2
                    # "the ear pads are a bit worn": a worn part named, however long the clause
                    and (len(c.split()) <= SHORT_GRADE or graded in (Condition.GOOD, Condition.FAIR))
                )
            )
            and not lex.price_talk.search(c)
            and not lex.unsure.search(c)
            and not lex.suggest.search(c)
            and c.strip()
        ]
        # ... unless it holds a figure the details left out ("goes from 28 to 47 inches": the 47 was taken)
        reading.remarks = [
            r
            for c in ungraded
            for r in read_remarks(c, ctx.item, taken)
            if not taken_words & word_set(r) or _figures(r) - taken_words
        ]
    if asked == Question.DRAFT and ctx.in_progress and _adds_a_fact(reading):
        # "oh I also have a mat I can throw in" once the draft is shown: a fact for the description, as said
        # (the details it holds are in it), never "what should I change?"
        fact = lex.addition_lead.sub("", text).strip(" ,.!")
        reading.note, reading.details = _as_sentence(fact), Details()
    return reading


# Whatever else a message at the draft says keeps it from being a fact to add (a question, a yes, a no...).
_NOT_A_FACT = frozenset(
    {
        Intent.QUESTION,
        Intent.VALUE,
        Intent.DECLINE,
        Intent.ACCEPT,
        Intent.POST,
        Intent.SUGGEST,
        Intent.UNSURE,
        Intent.CATEGORY,
        Intent.INJECTION,
        Intent.CHANGE_OF_MIND,
        Intent.RETRY,
        Intent.PRICE_WHY,
        Intent.CHATTER,
        Intent.PROHIBITED,
        Intent.NON_ENGLISH,
    }
)


def _figures(text: str) -> set[str]:
    """The words of a text that hold a digit ("28", "47", "2nd")."""
    return {w for w in word_set(text) if any(ch.isdigit() for ch in w)}


def _adds_a_fact(reading: Reading) -> bool:
    """A message at the draft that adds a fact about the item and changes nothing else."""
    lex = lexicon()
    text = reading.text
    others = (
        reading.price is not None
        or reading.price_change is not None
        or reading.condition is not None
        or reading.damage
        or reading.title
        or reading.title_wish
        or reading.note is not None
        or reading.remove is not None
        or reading.edit_field is not None
        or reading.category_words is not None
        or reading.field_named is not None
        or reading.shorten
        or reading.asks_field is not None
        or reading.items
        or reading.service
        or "?" in text
    )
    rest = lex.addition_lead.sub("", text).strip(" ,.!")
    return (
        not others
        and not reading.intents & _NOT_A_FACT
        and lex.draft_addition.search(text) is not None
        and len(rest.split()) >= 2
    )
