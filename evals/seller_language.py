"""The simulated seller's own small understanding of the agent: which field a reply asks for (the item,
its condition, a price, approval, a category choice), the options it offers, a price it proposes, and
the facts (prices, condition grades) a message states.

Independent of the agent on purpose: the harness never imports `agent.offline` (a bug in the agent's
parser must not fool the judge too), and its vocabulary is its own data file, written for how assistants
ask, an LLM's phrasings as well as the offline model's (`seller_language.toml`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Field = Literal["item", "condition", "price", "approval", "category"]
Grade = Literal["new", "like_new", "excellent", "good", "fair", "for_parts"]
FIELDS: tuple[Field, ...] = ("item", "condition", "price", "approval", "category")
GRADES: tuple[Grade, ...] = ("new", "like_new", "excellent", "good", "fair", "for_parts")
WORDS_FILE = Path(__file__).with_name("seller_language.toml")


@dataclass(frozen=True)
class _Vocabulary:
    questions: dict[Field, list[re.Pattern[str]]]
    outage: list[re.Pattern[str]]
    requests: list[re.Pattern[str]]
    proposal: list[re.Pattern[str]]
    grades: list[tuple[Grade, re.Pattern[str]]]
    negations: list[re.Pattern[str]]
    kinds: dict[str, int]  # word -> kind of thing
    stopwords: frozenset[str]


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


@cache
def vocabulary() -> _Vocabulary:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    conditions = data["conditions"]
    return _Vocabulary(
        questions={f: _compile(data["questions"][f]) for f in FIELDS},
        outage=_compile(data["signals"]["outage"]),
        requests=_compile(data["signals"]["requests"]),
        proposal=_compile(data["signals"]["proposal"]),
        grades=[(g, p) for g in GRADES for p in _compile(conditions[g])],
        negations=_compile(conditions["negations"]),
        kinds={_stem(w): i for i, words in enumerate(data["items"]["kinds"]) for w in words},
        stopwords=frozenset(data["items"]["stopwords"]),
    )


# --- what a reply asks ---

_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*", re.S)


def _sentences(text: str) -> list[str]:
    # A path like "Furniture > Tables" has no sentence end; a decimal ("$2.50") is not one either.
    protected = re.sub(r"(\d)\.(\d)", r"\1·\2", text)
    return [s.strip().replace("·", ".") for s in _SENTENCE.findall(protected) if s.strip()]


def asking_text(reply: str) -> str:
    """The parts of a reply that ask something: its questions and its requests ("Tell me ...")."""
    v = vocabulary()
    return " ".join(s for s in _sentences(reply) if s.endswith("?") or any(p.search(s) for p in v.requests))


def asks(reply: str) -> list[Field]:
    """The fields the reply asks for, in the order of FIELDS (empty: it asks nothing)."""
    text = asking_text(reply)
    if not text:
        return []
    v = vocabulary()
    return [f for f in FIELDS if any(p.search(text) for p in v.questions[f])]


def reports_outage(reply: str) -> bool:
    return any(p.search(reply) for p in vocabulary().outage)


# --- options offered ---


@dataclass(frozen=True)
class Option:
    answer: str  # what the seller types to pick it: its number, or its text for a bullet
    text: str


_NUMBERED = re.compile(r"(?:^|(?<=[\s(*]))(?:\*\*)?\(?(\d{1,2})[.)](?:\*\*)?\s+", re.M)
_BULLET = re.compile(r"^\s*[-*•]\s+(.+?)\s*$", re.M)
# Where the last inline option ends: a new sentence that tells the seller what to do.
_OPTION_END = re.compile(r"\s+(?=(?:Reply|Or|Please|Just|Which|Say|Pick|Choose|Type|If|Let me)\b)|\n|\?")


def options(reply: str) -> list[Option]:
    """The options a reply offers: a numbered list (on lines or inline, from 1 on), else bullet lines."""
    markers = list(_NUMBERED.finditer(reply))
    numbered: list[re.Match[str]] = []
    for m in markers:  # the run 1, 2, 3 ...; other numbers ("$2.", "Size 3.") are not options
        if int(m.group(1)) == len(numbered) + 1:
            numbered.append(m)
    if len(numbered) >= 2:
        found = []
        for i, m in enumerate(numbered):
            end = numbered[i + 1].start() if i + 1 < len(numbered) else len(reply)
            text = reply[m.end() : end]
            if i + 1 == len(numbered):
                text = _OPTION_END.split(text, maxsplit=1)[0]
            found.append(Option(m.group(1), text.strip(" \n*,;").rstrip(".")))
        return found
    bullets = [b.strip("* ") for b in _BULLET.findall(reply)]
    return [Option(b, b) for b in bullets] if len(bullets) >= 2 else []


def _stem(word: str) -> str:
    word = word.lower().strip("'’")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    stop = vocabulary().stopwords
    return [_stem(w) for w in re.findall(r"[A-Za-z][A-Za-z0-9'’]*", text) if w.lower() not in stop]


def fit(option: str, item: str) -> float:
    """How well a category's own name (its last path part) names the item's kind of thing: the share of
    its words that are the item's words or of the item's kinds. 0 when none are."""
    kinds = vocabulary().kinds
    leaf = _words(option.rsplit(">", 1)[-1])
    if not leaf:
        return 0.0
    item_words = set(_words(item))
    item_kinds = {kinds[w] for w in item_words if w in kinds}
    matched = [w for w in leaf if w in item_words or (w in kinds and kinds[w] in item_kinds)]
    return len(matched) / len(leaf)


def choose(offered: list[Option], item: str, hint: str | None) -> Option | None:
    """The option a seller of `item` picks, or None when none of them is what they sell: with a hint
    (the scenario's word for the category they want), the option that has it; else the one whose name
    best names the item (at least half its words)."""
    if hint:
        return next((o for o in offered if hint.lower() in o.text.lower()), None)
    scored = [(fit(o.text, item), i) for i, o in enumerate(offered)]
    best, index = max(scored, key=lambda s: (s[0], -s[1]), default=(0.0, -1))
    return offered[index] if best >= 0.5 else None


# --- facts a message states ---

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(k\b)?"
_MONEY = [
    re.compile(r"\$\s?" + _NUMBER, re.I),
    re.compile(_NUMBER + r"\s?(?:dollars|bucks|usd)\b", re.I),
    re.compile(
        r"\b(?:asking|ask|want|like|take|accept|get|for|at|hoping for|make it|around|about)\s+"
        + _NUMBER
        + r"(?!\s*(?:inch|in\b|\"|years?|months?|miles?|mm|cm|gb|tb|%|x\b))",
        re.I,
    ),
]
_BARE = re.compile(r"^\s*" + _NUMBER + r"\s*[.!]?\s*$", re.I)


def _amount(m: re.Match[str]) -> float:
    value = float(m.group(1).replace(",", "") + (f".{m.group(2)}" if m.group(2) else ""))
    return value * 1000 if m.group(3) else value


def prices(text: str) -> list[float]:
    """Every amount of money the text states ('$250', '250 bucks', 'I'd take 250', or a bare '250').
    A year ('2015') is not one unless it has a dollar sign."""
    found: list[float] = []
    bare = _BARE.match(text)
    if bare:
        found.append(_amount(bare))
    for pattern in _MONEY:
        for m in pattern.finditer(text):
            value = _amount(m)
            year = 1900 <= value <= 2100 and "$" not in m.group(0) and not m.group(3)
            if not year and value not in found:
                found.append(value)
    return found


def proposed_price(reply: str) -> float | None:
    """The price the agent puts forward in words ("I'd suggest $300"), when it names exactly one."""
    v = vocabulary()
    for sentence in _sentences(reply):
        for pattern in v.proposal:
            m = pattern.search(sentence)
            amounts = prices(sentence[m.end() :]) if m else []
            if len(amounts) == 1:  # "between $250 and $300" is no one price
                return amounts[0]
    return None


def grades(text: str) -> list[Grade]:
    """The condition grades the text states, in order, each once ('like new' is not also 'new'; 'not
    new' is none)."""
    v = vocabulary()
    matches = [(m.start(), m.end(), g) for g, p in v.grades for m in p.finditer(text)]
    matches.sort(key=lambda m: (m[0] - m[1], m[0]))  # the longest phrase first: it holds the shorter
    taken: list[tuple[int, int, Grade]] = []
    for start, end, g in matches:
        if not any(a < end and start < b for a, b, _ in taken):
            taken.append((start, end, g))
    found: list[Grade] = []
    for start, _end, g in sorted(taken):
        negated = any(n.search(text[:start]) for n in v.negations)
        if not negated and g not in found:
            found.append(g)
    return found


def grade(text: str) -> Grade | None:
    """The one condition grade the text states, or None (none, or several)."""
    found = grades(text)
    return found[0] if len(found) == 1 else None
