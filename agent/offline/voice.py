"""The seller's own words as sentences of the description, in a private seller's voice: the fact they told is
kept, how they said it to the agent is not ("no wait its got a crackly volume knob" -> "It's got a crackly volume
knob."; "change the description to mention one chair has a wobbly leg" -> "One chair has a wobbly leg."; a
question to the agent or the item's name again, typo and all, says nothing). Rules in data/voice.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from agent.offline.items import spelled
from agent.offline.lexicon import _compile, lexicon


@dataclass(frozen=True)
class _Voice:
    lead: re.Pattern[str]
    trail: re.Pattern[str]
    instruction: re.Pattern[str]
    question: re.Pattern[str]
    its: re.Pattern[str]


@cache
def _voice() -> _Voice:
    v = lexicon().voice
    return _Voice(
        _compile(v.lead_fillers),
        _compile(v.trail_fillers),
        _compile(v.instruction_lead),
        _compile(v.question_lead),
        _compile(v.its_before),
    )


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def asks_something(text: str) -> bool:
    """A sentence that asks the agent something ("what do you think its worth"), question mark or not."""
    return "?" in text or _voice().question.search(text.strip()) is not None


def bare_fact(text: str) -> str:
    """The words of a sentence without the talk around them: fillers and an instruction to write it."""
    v = _voice()
    said = text.strip().rstrip(".!")
    for _ in range(3):  # "oh and please mention that ...": fillers and the instruction, in any order
        before = said
        said = v.trail.sub("", v.instruction.sub("", v.lead.sub("", said))).strip(" ,;:-")
        if said == before:
            break
    return said


def seller_sentence(text: str, item: str = "") -> str:
    """`text` as a sentence of the description, or "" when it tells a buyer nothing: a question to the agent,
    talk only, or the item's name again (its typos read as meant: "iphnoe 12 mini" of an iPhone 12 mini)."""
    said = bare_fact(text)
    if not re.search(r"[a-z]", said, re.I) or asks_something(said):  # "i7" is a spec, kept
        return ""
    if item and _words(spelled(said)) <= _words(spelled(item)):
        return ""
    said = re.sub(r"\bi\b(?!-)", "I", _voice().its.sub("it's", said))  # "what i love": "what I love"
    first = said.split()[0]
    if not re.search(r"\d", first):  # "i7", "m1 chip": a spec as typed
        said = said[:1].upper() + said[1:]
    return said + "."
