"""The item's condition and damage in a seller's words, taken only from what is said about the item.

A message is cut into clauses; a clause about something else ("my car is broken though", "unlike my old
one", "because my knee is broken") says nothing about the item. From the rest: a stated grade ("good",
"excellent condition"), how much it was used ("never worn", "used for two summers"), and damage by how
much it matters (a scratch, a crack, "won't turn on"), which lowers the grade and goes into the
description in the seller's own words. Rules in data/conditions.yaml and data/damage.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from agent.offline.lexicon import alternatives, lexicon, words_re
from tools.types import Condition

Severity = Literal["cosmetic", "defect", "fatal"]
_CLAUSE_SPLIT = re.compile(
    # not inside a number: "98,000 miles", "5.5 qt"
    r"[;!?\n]+|\.+(?!\d)|,(?!\d{3}(?!\d))\s*|\s+[-–—]\s+|\s*\(\s*|\)|"
    r"\s+(?=(?:but|though|although|because|since|unlike|except|while|whereas|so that|so i|so you|so we|and then|"
    r"and my|and our|and it|and the|and they|and i|otherwise|however)\b)",
    re.I,
)
_PRONOUN = re.compile(r"\b(?:it|its|it's|they|they're|them|this|these|everything|all)\b", re.I)


@dataclass
class ConditionReading:
    condition: Condition | None = None
    stated: bool = False  # a grade said outright ("good", "fair condition"), not inferred
    damage: list[str] = field(default_factory=list)  # clauses about damage, in the seller's words
    severity: Severity | None = None
    said: Condition | None = None  # the grade said outright, before any damage beside it lowered it


@dataclass(frozen=True)
class _Rules:
    stated: re.Pattern[str]
    grades: list[tuple[Condition, re.Pattern[str]]]
    answer: dict[str, Condition]
    not_grades: re.Pattern[str]
    usage: list[tuple[Condition, re.Pattern[str]]]
    negations: re.Pattern[str]
    works_otherwise: re.Pattern[str]
    grade_question: re.Pattern[str]
    told_grade: re.Pattern[str]
    damage: list[tuple[Severity, re.Pattern[str]]]
    packaging: re.Pattern[str]
    parts: frozenset[str]
    part_fails: re.Pattern[str]


_ORDER = (
    Condition.FOR_PARTS,
    Condition.NEW,
    Condition.LIKE_NEW,
    Condition.EXCELLENT,
    Condition.FAIR,
    Condition.GOOD,
)


@cache
def _rules() -> _Rules:
    lex = lexicon()
    c, d = lex.conditions, lex.damage
    stated = alternatives([re.escape(g).replace(r"\ ", r"[\s-]+") for g in c.stated_grades])
    return _Rules(
        stated=re.compile(
            rf"\b(?P<grade>{stated})\s+(?:condition|shape)\b|\bcondition\s*(?:is|:|-)?\s*(?P<after>{stated})\b",
            re.I,
        ),
        grades=[(cond, words_re(c.grades[cond])) for cond in _ORDER if cond in c.grades],
        answer=c.answer_grades,
        not_grades=re.compile(alternatives(c.not_grades), re.I),
        usage=[(cond, words_re(c.usage[cond])) for cond in _ORDER if cond in c.usage],
        negations=re.compile(c.negations, re.I),
        works_otherwise=re.compile(c.works_otherwise, re.I),
        grade_question=re.compile(c.grade_question, re.I),
        told_grade=re.compile(c.told_grade.replace("{grades}", stated), re.I),
        damage=[
            ("fatal", words_re(d.fatal)),
            ("defect", words_re(d.defect)),
            (
                "defect",
                re.compile(
                    d.needs_part.replace("{parts}", alternatives([re.escape(p) for p in d.parts])), re.I
                ),
            ),
            ("cosmetic", words_re(d.cosmetic)),
        ],
        packaging=words_re(d.packaging),
        parts=frozenset(d.parts),
        part_fails=re.compile(d.part_fails, re.I),
    )


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def about_something_else(clause: str, item: str | None) -> bool:
    """True for a clause about another thing than the item ('my car is broken', 'unlike my old one')."""
    lex = lexicon()
    if lex.other_subject.search(clause):
        return True
    item_words = {_stem(w) for w in re.findall(r"[a-z0-9]+", (item or "").lower())}
    parts = _rules().parts
    for m in lex.possessive.finditer(clause):
        noun = _stem(m.group("noun").lower())
        if noun in item_words or noun in parts or noun in lex.vague or noun in ("one", "item", "stuff"):
            continue
        # "my Trek is in excellent condition": the item; "my car is broken", "our washer broke": not.
        if item_words and not (set(re.findall(r"[a-z0-9]+", clause.lower())) & item_words):
            return True
        if not item_words:
            return True
    return False


def _grade_of(clause: str, asked_condition: bool) -> Condition | None:
    rules = _rules()
    clause = rules.not_grades.sub(" ", clause)  # "good, not excellent condition": good
    stated = rules.stated.search(clause)
    if stated:
        grade = (stated.group("grade") or stated.group("after")).lower()
        grade = re.sub(r"[\s-]+", " ", grade)
        for key, value in lexicon().conditions.stated_grades.items():
            if re.sub(r"[\s-]+", " ", key) == grade:
                return value
    cleaned = clause
    for condition, pattern in rules.grades:
        if pattern.search(cleaned):
            return condition
    if asked_condition:
        bare = re.sub(r"[^a-z ]", "", cleaned.lower()).strip()
        for word in (bare, *bare.split()[:1]):
            if word in rules.answer:
                return rules.answer[word]
    return None


def _usage_of(clause: str) -> Condition | None:
    for condition, pattern in _rules().usage:
        if pattern.search(clause):
            return condition
    return None


def _damage_of(clause: str, item: str | None) -> Severity | None:
    rules = _rules()
    if rules.packaging.search(clause) and not _PRONOUN.search(clause):
        return None  # "the box is a bit damaged": not the item
    found: Severity | None = None
    for severity, pattern in rules.damage:
        m = pattern.search(clause)
        if m is None:
            continue
        if severity == "fatal" and m.group(0).lower() in ("broken",) and _names_a_part(clause, item):
            continue  # "the disc drive is broken": a defect of a part, not a dead item
        if (
            severity == "fatal"
            and rules.part_fails.fullmatch(m.group(0))
            and _part_before(clause[: m.start()], item)
        ):
            found = "defect"  # "igniter doesnt work": a faulty part, the item still usable
            break
        found = severity
        break
    if found == "fatal" and re.search(
        r"\b(?:but|still|everything else)\b.*\bworks?\b|\bworks\b", clause, re.I
    ):
        found = "defect"
    return found


def _part_before(before: str, item: str | None) -> bool:
    """Is the word just before "doesn't work" a part of the item ("the igniter", "left speaker"), not the
    item itself ("my laptop") or a pronoun ("it")?"""
    words = re.findall(r"[a-z]+", before.lower())
    while words and words[-1] in ("is", "are", "was", "were", "has", "been", "just", "still"):
        words.pop()  # "the left speaker is not working": the part before the verb
    if not words:
        return False
    item_words = {_stem(w) for w in re.findall(r"[a-z0-9]+", (item or "").lower())}
    return words[-1] in _rules().parts and _stem(words[-1]) not in item_words


def _names_a_part(clause: str, item: str | None) -> bool:
    """'the disc drive is broken', 'one drawer is broken': a part's damage, not the whole item's."""
    item_words = {_stem(w) for w in re.findall(r"[a-z0-9]+", (item or "").lower())}
    words = [_stem(w) for w in re.findall(r"[a-z]+", clause.lower())]
    if re.search(r"\b(?:it|it's|its|they|they're)\s+(?:is\s+|are\s+)?broken\b", clause, re.I):
        return False
    if re.match(r"^\s*(?:a\s+)?broken\b", clause, re.I) and not re.search(
        r"\bbroken\s+(?:the|one|a)\b", clause
    ):
        # "broken, parts only", "a broken microwave": the item itself, unless a part is named after it
        rest = [w for w in words[1:] if w not in ("a", "an", "the", "for", "part", "only", "or", "repair")]
        return any(w in _rules().parts and w not in item_words for w in rest)
    return any(w in _rules().parts and w not in item_words for w in words) or bool(
        re.search(
            r"\b(?:the|one|a|my|its)\s+[a-z-]+(?:\s+[a-z-]+)?\s+(?:is|are|was)\s+broken\b", clause, re.I
        )
        and not any(w in item_words for w in words)
    )


def _worse(a: Condition, b: Condition) -> Condition:
    return a if a.rank >= b.rank else b


def _damage_note(clause: str) -> str:
    clause = lexicon().discourse.sub("", clause)  # "hmm actually the cover is missing": what is missing
    note = re.sub(
        r"^(?:and|but|though|just|also|only|oh|otherwise|however|good|fair|excellent|like new|great|"
        r"it'?s|it is|i should mention|i forgot)\b[\s,]*",
        "",
        clause.strip(),
        flags=re.I,
    )
    note = re.sub(r"^(?:and|but|just|also|only)\s+", "", note, flags=re.I)
    note = re.sub(r",?\s*i forgot\s*$", "", note, flags=re.I).strip(" ,.-")
    return note[:1].upper() + note[1:] if note else ""


def _without_item(clause: str, item: str | None) -> str:
    """The damage said after the item's name, without the name ('red sofa with a small tear on the arm' ->
    'a small tear on the arm'), so the description does not name the item twice."""
    if not item:
        return clause
    at = clause.lower().find(item.lower())
    if at < 0:
        return clause
    before = re.sub(r"[^\w' -]", " ", clause[:at]).split()
    for n in (1, 2, 3):  # "a broken washing machine", "a water damaged tv": the words before the name
        words = " ".join(before[-n:])
        if len(before) >= n and _damage_of(words, item) is not None:
            return words
    rest = re.sub(
        r"^[\s,:;-]*(?:(?:that|which|it)\s+)?(?:with|has|had|have|got)\b\s*",
        "",
        clause[at + len(item) :],
        flags=re.I,
    )
    rest = rest.strip(" ,.;:-")
    return rest if rest and _damage_of(_rules().negations.sub(" ", rest), item) is not None else clause


@cache
def _misspellings() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(rf"(?<![\w'-])(?:{pattern})(?![\w'-])", re.I), word)
        for pattern, word in lexicon().conditions.respelled
    )


def respelled(text: str) -> str:
    """The text with its mistyped condition words as meant ("barley used" -> "barely used", "brand knew" ->
    "brand new", "perfect condtion" -> "perfect condition"); data/conditions.yaml."""
    for pattern, word in _misspellings():
        text = pattern.sub(word, text)
    return text


def told_grade(text: str) -> Condition | None:
    """The grade the seller tells the agent to use ("..., say good", "call it fair"), or None."""
    told = _rules().told_grade.search(respelled(text))
    if told is None:
        return None
    said = re.sub(r"[\s-]+", " ", told.group("grade").lower())
    return next(v for k, v in lexicon().conditions.stated_grades.items() if re.sub(r"[\s-]+", " ", k) == said)


def read_condition(text: str, item: str | None = None, *, asked_condition: bool = False) -> ConditionReading:
    """The condition the seller gives the item in `text` (None when they give none), with any damage.

    `item` scopes the reading (clauses about other things don't count); `asked_condition` lets a bare
    word answer the question ('perfect', 'fine')."""
    rules = _rules()
    text = respelled(text)
    if rules.grade_question.search(text):
        return ConditionReading()  # "what's the difference between good and excellent?"
    stated: Condition | None = None
    usage: Condition | None = None
    damage: list[tuple[Severity, str]] = []
    parts = clauses(text)
    short = len(parts) <= 3  # a bare word is a grade only in a short answer ("perfect", "fine, thanks")
    for clause in parts:
        if about_something_else(clause, item):
            continue
        clean = rules.negations.sub(" ", clause)
        grade = _grade_of(clean, asked_condition and short)
        if grade is not None and stated is None:
            stated = grade
        used = _usage_of(clean)
        if used is not None and (usage is None or (usage == Condition.GOOD and used != Condition.GOOD)):
            usage = used
        severity = _damage_of(clean, item)
        if severity is not None:
            damage.append((severity, _without_item(clause, item)))
    reading = ConditionReading(damage=[_damage_note(c) for _, c in damage if _damage_note(c)])
    worst: Severity | None = None
    for severity, _ in damage:
        if worst is None or ("cosmetic", "defect", "fatal").index(severity) > (
            "cosmetic",
            "defect",
            "fatal",
        ).index(worst):
            worst = severity
    if worst == "fatal" and _rules().works_otherwise.search(text):
        worst = "defect"  # "ice dispenser broken, otherwise fine": a faulty part, not a thing for parts
    reading.severity = worst
    base = stated or usage
    reading.stated, reading.said = stated is not None, stated
    if base == Condition.FOR_PARTS and worst == "defect":
        base = Condition.FAIR  # "broken, everything else works": a faulty part
    cosmetic = sum(1 for s, _ in damage if s == "cosmetic")
    if worst == "fatal":
        base = Condition.FOR_PARTS
    elif worst == "defect":
        base = _worse(base, Condition.FAIR) if base is not None else Condition.FAIR
    elif worst == "cosmetic" and stated is None:
        cap = Condition.FAIR if cosmetic >= 2 else Condition.GOOD
        base = _worse(base, cap) if base is not None else cap
    told = told_grade(text)
    if (
        told is not None
    ):  # "the tray cover is missing, say good": the seller's grade, the damage told beside it
        base, reading.stated, reading.said = told, True, told
    reading.condition = base
    return reading
