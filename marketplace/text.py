"""Words for matching: tokenising, a light plural stemmer, and the synonyms sellers use."""

from __future__ import annotations

import re

# A token: letters and digits, with decimal points kept inside numbers ("8.4.1", "2.5s", "3.5mm").
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9][a-z0-9]*)*")
# Sizes and capacities written several ways become one token: 55" / 55 inch / 55-inch -> 55in, 128 GB -> 128gb.
_INCHES = re.compile(r"(\d+(?:\.\d+)?)\s*(?:\"|”|″|''|-?\s*inch(?:es)?\b)|\b(1[3-9]|[2-9]\d)'(?![\w'])")
_TV = re.compile(r"\bt\.v\b\.?")
_BYTES = re.compile(r"\b(\d+)\s*-?\s*(gb|tb|mb)\b")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "we",
        "with",
        "you",
        "your",
        "old",
        "used",
        "new",
        "selling",
        "sell",
        "sale",
        "want",
        "wanna",
        "would",
        "like",
        "some",
        "very",
        "just",
    ]
)

# Seller words -> taxonomy phrases. A synonym is a phrase: all of its words should match.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "bike": ("bicycle",),
    "ebike": ("electric bicycle",),
    "mtb": ("bicycle",),
    "couch": ("sofa",),
    "settee": ("sofa",),
    "loveseat": ("sofa",),
    "sectional": ("sofa",),
    "futon": ("sofa",),
    "earbud": ("headphones",),
    "earphone": ("headphones",),
    "airpod": ("headphones",),
    "headset": ("headphones",),
    "cellphone": ("mobile phone",),
    "cell": ("mobile",),
    "smartphone": ("mobile phone",),
    "iphone": ("mobile phone",),
    "android": ("mobile phone",),
    "galaxy": ("mobile phone",),
    "pixel": ("mobile phone",),
    "notebook": ("laptop",),
    "macbook": ("laptop",),
    "chromebook": ("laptop",),
    "ipad": ("tablet computer",),
    "tablet": ("tablet computer",),
    "kindle": ("e-book reader",),
    "tv": ("television",),
    "telly": ("television",),
    "hdtv": ("television",),
    "fridge": ("refrigerator",),
    "auto": ("car",),
    "automobile": ("car",),
    "sedan": ("car",),
    "coupe": ("car",),
    "suv": ("car",),
    "pickup": ("truck",),
    "minivan": ("van",),
    "bookshelf": ("bookcase",),
    "sub": ("subwoofer",),
    "amp": ("amplifier",),
    "stereo": ("stereo system",),
    "playstation": ("video game console",),
    "xbox": ("video game console",),
    "nintendo": ("video game console",),
    "ps4": ("video game console",),
    "smartwatch": ("smart watch",),
    "fitbit": ("activity monitor",),
    "dslr": ("digital camera",),
    "drone": ("drone",),
    "pc": ("desktop computer",),
    "desktop": ("desktop computer",),
    "sneaker": ("shoes",),
    "nightstand": ("nightstand",),
}

_KEEP_S = ("ss", "us", "is", "ics", "ous")


def _reverse_synonyms() -> dict[str, tuple[str, ...]]:
    """One-word synonyms the other way round: 'television' -> ('tv', 'telly', 'hdtv'). A listing titled
    "Samsung TV" is a television for comparison purposes, whichever word the seller used."""
    reverse: dict[str, list[str]] = {}
    for word, phrases in SYNONYMS.items():
        for phrase in phrases:
            if " " not in phrase and phrase != word:
                reverse.setdefault(stem(phrase), []).append(stem(word))
    return {word: tuple(seller_words) for word, seller_words in reverse.items()}


def stem(word: str) -> str:
    """A light English plural stemmer: 'sofas'->'sofa', 'accessories'->'accessory', 'benches'->'bench'."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def _inches(match: re.Match[str]) -> str:
    # 55" / 55 inch, or 55' (a screen is not 55 feet; 6' stays: it may be feet)
    return f"{match.group(1) or match.group(2)}in "


def words(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens of `text`, stop words kept; sizes as one token ('55"' -> '55in')."""
    text = _BYTES.sub(r"\1\2", _INCHES.sub(_inches, _TV.sub("tv", text.lower())))
    return [stem(w) for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Like `words`, without stop words and duplicates (order kept)."""
    seen: dict[str, None] = {}
    for w in words(text):
        if w not in STOPWORDS:
            seen.setdefault(w, None)
    return list(seen)


REVERSE_SYNONYMS = _reverse_synonyms()

Alternative = tuple[tuple[str, ...], float]


def alternatives(term: str) -> list[Alternative]:
    """Ways to read one query word: itself (weight 1; 0.5 for a number such as a model year or size,
    which says less about the item than a word) and its synonym phrases (weight 0.9)."""
    own = 0.5 if any(ch.isdigit() for ch in term) else 1.0
    return [((term,), own), *((tuple(words(phrase)), 0.9) for phrase in SYNONYMS.get(term, ()))]
