"""Weapons, ammunition and drugs, which Trova does not list, told apart from legal things whose names
contain such a word ("weed eater", "gun safe", "rifle scope", "Top Gun blu-ray"). Rules in data/prohibited.yaml."""

from __future__ import annotations

import re
from functools import cache

from agent.offline.lexicon import alternatives, lexicon


@cache
def _rules() -> tuple[re.Pattern[str], ...]:
    p = lexicon().prohibited
    gear = alternatives(p.gear)
    media = alternatives(p.media)
    return (
        re.compile(rf"\b(?:{alternatives(p.words)})\b", re.I),
        re.compile(rf"\b(?:{alternatives(p.benign_before)})[\s-]+$", re.I),
        re.compile(rf"^(?:[\s-]+[\w.]*\d[\w.]*)?[\s-]*(?:{gear}|{alternatives(p.benign_after)})\b", re.I),
        re.compile(
            rf"\b(?:{gear})\s+(?:for|fits?|fitting|that fits?)\s+(?:a|an|my|the|your|most|any|all)?\s*(?:[\w-]+\s+){{0,2}}$",
            re.I,
        ),
        re.compile(rf"^(?:[\s'-]+[\w']+){{0,2}}?[\s-]+(?:{media})\b", re.I),
        re.compile(rf"\b(?:{media})\s+(?:about|on|of|called)\s+(?:[\w-]+\s+){{0,2}}$", re.I),
    )


def prohibited_words(text: str) -> list[str]:
    """The words in `text` that name a weapon, ammunition or drugs, not counting legal things that merely
    contain such a word."""
    words, before_ok, after_ok, gear_for, media_after, media_before = _rules()
    found = []
    for m in words.finditer(text):
        before, after = text[: m.start()], text[m.end() :]
        if (
            before_ok.search(before[-60:])
            or after_ok.match(after)
            or gear_for.search(before[-80:])
            or media_after.match(after)
            or media_before.search(before[-80:])
        ):
            continue
        found.append(m.group(0))
    return found


def is_prohibited(text: str) -> bool:
    return bool(prohibited_words(text))
