"""Proper names the seller may type in lower case: brands, product lines, bands and teams
(`data/names.tsv`). They are written as their owners write them in the draft ("ikea kallax" -> "IKEA
Kallax"), a colour inside one is no colour of the item ("Pink Floyd t-shirt"), and a make said alone in
answer to a question ("samsung") joins the item's name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from agent.offline.lexicon import DATA, lexicon

NAMES_FILE = DATA / "names.tsv"


class NameKind(StrEnum):
    BRAND = "brand"  # a make: said alone, it joins the item
    COMMON = (
        "common"  # a make that is also an everyday word ("apple", "coach"): cased; a make when said alone
    )
    LINE = "line"  # a product line or model ("kallax", "aeron"): cased only
    BAND = "band"  # a band, team or title; holds a colour word more often than not ("Pink Floyd")


@dataclass(frozen=True)
class Names:
    written: dict[str, str]  # lower case -> as written
    kinds: dict[str, NameKind]
    pattern: re.Pattern[str]  # any name, whole words, longest first

    def alone(self, words: str) -> str | None:
        """The name, as written, when `words` are a make and nothing else ("samsung", "it's a bosch")."""
        key = " ".join(words.lower().split())
        if self.kinds.get(key) in _MAKES:
            return self.written[key]
        return None

    def leading(self, words: str, said_it_is: bool = False) -> str | None:
        """'bugaboo fox', 'Specialized Rockhopper': a make and up to two words of its model, as written, when
        the words start with a make (not a product line, not an everyday word) and say nothing else."""
        m = self.pattern.match(words.strip())
        kind = self.kinds.get(" ".join(m.group(0).lower().split())) if m else None
        rest = words.strip()[m.end() :].split() if m else []
        # an everyday word ("specialized") is a make when the seller wrote it as one, or when one of its
        # product lines follows ("specialized rockhopper")
        line_after = bool(rest) and self.kinds.get(rest[0].lower()) == NameKind.LINE
        if m is None or not (
            kind in (NameKind.BRAND, NameKind.BAND) or (kind and (m.group(0)[:1].isupper() or line_after))
        ):
            return None
        if len(rest) > 2 or not all(re.fullmatch(r"[\w'-]+", w) for w in rest):
            return None
        # a model's words: a number, a capital, a product line ("Rockhopper", "m365", "sundvik"), or one word
        # the seller said it is ("it's a bugaboo fox"); "sony speakers" names another thing
        marked = [bool(re.search(r"\d|[A-Z]", w)) or self.kinds.get(w.lower()) == NameKind.LINE for w in rest]
        # "DJI mini 2", "canon eos r6": a model word the data knows counts, beside a number or a capital
        modelled = all(marked) or (
            any(marked)
            and all(m or w.lower() in lexicon().model_words for w, m in zip(rest, marked, strict=True))
        )
        if rest and not (modelled or (said_it_is and len(rest) == 1)):
            return None
        if any(marked) and not all(marked):
            return " ".join([cased(m.group(0)), *(_model_word(w) for w in rest)])
        return cased(words.strip())


_MAKES = (NameKind.BRAND, NameKind.BAND, NameKind.COMMON)


def _model_word(word: str) -> str:
    """A model's word typed in lower case, as its maker writes it: 'eos' -> 'EOS', 'mini' -> 'Mini', 'r6' -> 'R6'
    (a short letter-and-number code); any other word as typed."""
    if word != word.lower():
        return word
    written = lexicon().model_words.get(word)
    if written is not None:
        return written
    return word.upper() if re.fullmatch(r"[a-z]{1,2}\d{1,3}", word) else word


@cache
def names() -> Names:
    written: dict[str, str] = {}
    kinds: dict[str, NameKind] = {}
    for number, line in enumerate(NAMES_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line == "name\tkind":
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip():
            raise ValueError(f"{NAMES_FILE.name} line {number}: expected 'name<TAB>kind', got {line!r}")
        name, kind = parts[0].strip(), NameKind(parts[1].strip())
        written[name.lower()] = name
        kinds[name.lower()] = kind
    ordered = sorted(written, key=len, reverse=True)
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in ordered)
    return Names(written, kinds, re.compile(rf"(?<![\w'-])(?:{alternatives})(?![\w'-])", re.I))


def cased(text: str) -> str:
    """The names in `text` as their owners write them; a word already written with capitals inside it
    ("KitchenAid", "iPhone") or a different spelling is left alone."""
    table = names()

    def fix(m: re.Match[str]) -> str:
        said = m.group(0)
        right = table.written[" ".join(said.lower().split())]
        shouted = (
            said.isupper() and len(said) > 3
        )  # "GALAXY" in a title typed in capitals: as its owner writes it
        if said == right or (
            not shouted and said != said.lower() and said != said.capitalize() and said != said.title()
        ):
            return said
        return right

    named = _model_words_cased(table.pattern.sub(fix, text))
    # a model code typed in lower case right after a name ("samsung galaxy s21", "dyson v11"): as its maker
    # writes it (S21, V11); one the seller typed with capitals is theirs, kept as typed
    return (
        _CODE_AFTER_NAME.sub(lambda m: m.group("name") + m.group("gap") + m.group("code").upper(), named)
        if (table.pattern.search(named))
        else named
    )


def _model_words_cased(text: str) -> str:
    """The model's words after a make or a product line, as its maker writes them ("MacBook air" -> "MacBook
    Air", "iphone 13 pro max" -> "iPhone 13 Pro Max"): the words of `model_words` (intents.yaml), with a line's
    own spelling first (drafting.yaml's `line_model_words`: "iPhone 12 mini"), through its numbers and codes
    ("13", "m1", "128gb"), up to the first other word. A word typed with capitals is the seller's, kept."""
    table, lex = names(), lexicon()
    out, at = [], 0
    for m in table.pattern.finditer(text):
        key = " ".join(m.group(0).lower().split())
        if table.kinds.get(key) == NameKind.BAND or m.start() < at:
            continue
        own = lex.drafting.line_model_words.get(key, {})
        out.append(text[at : m.end()])
        at = m.end()
        for word in re.finditer(r"\s+(?P<w>[\w'-]+)", text[m.end() :]):
            said = word.group("w")
            written = own.get(said.lower()) or lex.model_words.get(said.lower())
            if not re.search(r"\d", said) and written is None:
                break
            if said == said.lower():  # "m1", "r6": a short code in capitals, as _model_word writes it
                said = written or (said.upper() if re.fullmatch(r"[a-z]{1,2}\d{1,3}", said) else said)
            out.append(word.group(0)[: -len(word.group("w"))] + said)
            at = m.end() + word.end()
    return "".join(out) + text[at:]


_CODE_AFTER_NAME = re.compile(r"(?P<name>\b[A-Z][\w'-]*)(?P<gap>\s+)(?P<code>\b[a-z]{1,2}\d{2,4}\b)")


def without_names(text: str) -> str:
    """`text` with every name blanked (same length), so the words inside one ("Pink" of Pink Floyd) are
    not read as what the item is like."""
    return names().pattern.sub(lambda m: " " * len(m.group(0)), text)


_ALONE = re.compile(
    r"^\s*(?:(?:it'?s|it is|its|they'?re|this is)\s+(?:an?\s+|by\s+)?|(?:the\s+)?(?:brand|make)\s*(?:is|:)?\s*|"
    r"(?:made\s+)?by\s+)?(?P<name>.+?)(?:\s+(?:one|brand|make))?\s*[.!]?\s*$",
    re.I,
)


def make_alone(text: str) -> str | None:
    """'samsung', "it's a bosch", 'brand is LG': the make, as written, when the words say nothing else."""
    m = _ALONE.match(text)
    return names().alone(m.group("name")) if m else None
