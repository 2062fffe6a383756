"""Words for matching: tokenising, a light plural stemmer, and the synonyms sellers use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# A token: letters and digits, with decimal points kept inside numbers ("8.4.1", "2.5s", "3.5mm").
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9][a-z0-9]*)*")
# Sizes and capacities written several ways become one token: 55" / 55 inch / 55-inch -> 55in, 128 GB -> 128gb.
_INCHES = re.compile(
    r"(?<![a-z\d.])(\d+(?:\.\d+)?)\s*(?:\"|”|″|''|-?\s*inch(?:es)?\b)|\b(1[3-9]|[2-9]\d)'(?![\w'])"
)
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
    "ps5": ("video game console",),
    "ps3": ("video game console",),
    "ps2": ("video game console",),
    "smartwatch": ("watch", "activity monitor"),
    "fitbit": ("activity monitor",),
    "dslr": ("digital camera",),
    "drone": ("drone",),
    "pc": ("desktop computer",),
    "desktop": ("desktop computer",),
    "sneaker": ("shoes",),
    "nightstand": ("nightstand",),
    "lawnmower": ("lawn mower", "walk behind mower"),
    "mower": ("lawn mower", "walk behind mower"),
    "gameboy": ("video game console",),
    "3ds": ("video game console",),
    "psp": ("video game console",),
    "soundbar": ("speaker",),
    "firestick": ("streaming media player",),
    "chromecast": ("streaming media player",),
    "ipod": ("mp3 player",),
    "aeron": ("office chair",),
    "slipcover": ("slipcover",),
    "wii": ("video game console",),
    "gamecube": ("video game console",),
    "dumbbell": ("free weight",),
    "kettlebell": ("free weight",),
    "barbell": ("free weight", "weight bar"),
    "patio": ("outdoor",),
    "washer": ("washing machine",),
    "blender": ("food mixer blender",),
    "plush": ("stuffed animal",),
}

# Product names of two or three words, read as one thing: "nintendo switch" is a console, not a switch;
# "couch cover" is a slipcover, not a couch. The first taxonomy phrase is the best reading, the rest close.
PHRASES: dict[str, tuple[str, ...]] = {
    "nintendo switch": ("video game console",),
    "switch lite": ("video game console",),
    "nintendo ds": ("video game console",),
    "game boy": ("video game console",),
    "xbox one": ("video game console",),
    "xbox 360": ("video game console",),
    "air pod": ("headphones",),
    "ear pod": ("headphones",),
    "ear bud": ("headphones",),
    "apple watch": ("watch", "activity monitor"),
    "galaxy watch": ("watch", "activity monitor"),
    "smart watch": ("watch", "activity monitor"),
    "apple tv": ("streaming media player",),
    "fire tv": ("streaming media player",),
    "fire stick": ("streaming media player",),
    "apple pencil": ("stylus pen",),
    "couch cover": ("slipcover",),
    "sofa cover": ("slipcover",),
    "chair cover": ("slipcover",),
    "furniture cover": ("slipcover", "outdoor furniture cover"),
    "slip cover": ("slipcover",),
    "lawn mower": ("lawn mower", "walk behind mower"),
    "push mower": ("walk behind mower",),
    "reel mower": ("walk behind mower",),
    "riding mower": ("riding mower",),
    "ride on mower": ("riding mower",),
    "lawn tractor": ("riding mower",),
    "robot mower": ("robotic mower",),
    "guitar amp": ("musical instrument amplifier",),
    "bass amp": ("musical instrument amplifier",),
    "guitar amplifier": ("musical instrument amplifier",),
    "bass amplifier": ("musical instrument amplifier",),
    "keyboard amp": ("musical instrument amplifier",),
    "stand mixer": ("food mixer",),
    "kitchen aid": ("food mixer",),
    "drum set": ("drum kit",),
    "box spring": ("mattress foundation",),
    "weed eater": ("grass edger",),
    "weed wacker": ("grass edger",),
    "weed whacker": ("grass edger",),
    "string trimmer": ("grass edger",),
    "power washer": ("pressure washer",),
    "flat screen": ("television",),
    "smart tv": ("television",),
    "sound bar": ("speaker",),
    "herman miller": ("office chair",),
    "record player": ("turntable record player",),
    "electric guitar": ("guitar",),
    "acoustic guitar": ("guitar",),
    "bass guitar": ("guitar",),
    "classical guitar": ("guitar",),
    "car stereo": ("motor vehicle a/v player in-dash system",),
    "car radio": ("motor vehicle a/v player in-dash system",),
    "car audio": ("motor vehicle a/v player in-dash system", "motor vehicle amplifier"),
    "head unit": ("motor vehicle a/v player in-dash system",),
    "car amp": ("motor vehicle amplifier",),
    "car amplifier": ("motor vehicle amplifier",),
    "car speaker": ("motor vehicle speaker",),
    "car subwoofer": ("motor vehicle subwoofer",),
    "car sub": ("motor vehicle subwoofer",),
    "washer dryer": ("washing machine", "dryer", "laundry combo unit"),
    "teddy bear": ("stuffed animal",),
    "game controller": ("game controller",),
    "xbox controller": ("game controller",),
    "playstation controller": ("game controller",),
    "ps4 controller": ("game controller",),
    "ps3 controller": ("game controller",),
    "ps5 controller": ("game controller",),
    "switch controller": ("game controller",),
    "nintendo switch controller": ("game controller",),
}

# Brands: the name is not read as a word ("apple" is not Apples); it points to the
# categories the brand mostly sells in (a weaker reading, so "samsung refrigerator" is a refrigerator),
# and listing titles show the rest ("trek" is a bicycle because Trek ads are).
BRANDS: dict[str, tuple[str, ...]] = {
    "apple": ("mobile phone", "laptop", "tablet computer"),
    "samsung": ("mobile phone", "television"),
    "lg": ("television", "mobile phone"),
    "sony": ("television", "headphones", "digital camera"),
    "bose": ("headphones", "speaker"),
    "beats": ("headphones",),
    "jbl": ("speaker",),
    "sonos": ("speaker",),
    "vizio": ("television",),
    "tcl": ("television",),
    "canon": ("digital camera",),
    "nikon": ("digital camera",),
    "gopro": ("video camera",),
    "dell": ("laptop", "desktop computer"),
    "lenovo": ("laptop",),
    "asus": ("laptop",),
    "acer": ("laptop",),
    "hp": ("laptop", "printer"),
    "kitchenaid": ("food mixer",),
    "keurig": ("coffee maker",),
    "nespresso": ("espresso machine",),  # its machines are all espresso machines
    "vitamix": ("blender",),
    "dyson": ("vacuum",),
    "roku": ("streaming media player",),
    "garmin": ("gps navigation system",),
    "peloton": ("exercise bike",),
    "weber": ("outdoor grill",),
    "fender": ("guitar",),
    "gibson": ("guitar",),
    "trek": ("bicycle",),
    "specialized": ("bicycle",),
    "cannondale": ("bicycle",),
    "schwinn": ("bicycle",),
    "toyota": ("car",),
    "honda": ("car",),
    "ford": ("car", "truck"),
    "chevy": ("car", "truck"),
    "chevrolet": ("car", "truck"),
    "nissan": ("car",),
    "bmw": ("car",),
    "subaru": ("car",),
    "volkswagen": ("car",),
    "lexus": ("car",),
    "mazda": ("car",),
    "hyundai": ("car",),
    "tesla": ("car",),
}
BRAND_WEIGHT = 0.6

VOCABULARY_FILE = Path(__file__).resolve().parent / "rules" / "search" / "vocabulary.yaml"


def _load_vocabulary(path: Path = VOCABULARY_FILE) -> None:
    """Seller words the tables above lack (British, short and trade words: "pram", "sax", "bbq"), from a
    data file (`rules/search/vocabulary.yaml`), merged into SYNONYMS, PHRASES and BRANDS."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for section, table in (("synonyms", SYNONYMS), ("phrases", PHRASES), ("brands", BRANDS)):
        for word, targets in (data.get(section) or {}).items():
            table[str(word)] = tuple(str(t) for t in targets)


_load_vocabulary()

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


def _irregular_plurals() -> dict[str, str]:
    path = Path(__file__).resolve().parent / "rules" / "search" / "plurals.yaml"
    return {str(k): str(v) for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items()}


_IRREGULAR = _irregular_plurals()


def stem(word: str) -> str:
    """A light English plural stemmer: 'sofas'->'sofa', 'accessories'->'accessory', 'benches'->'bench';
    irregular plurals from a list ('knives'->'knife', 'mice'->'mouse'); a brand's name as it is ('sonos')."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in BRANDS:  # a maker's name is no plural: "sonos", "beats", "smartthings"
        return word
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


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a query word (or product name): taxonomy words to look for, how much a match counts,
    and whether category names count (`names`) or only the titles of listings filed there (brand and
    product names never appear in the taxonomy, and "apple" in it is the fruit)."""

    words: tuple[str, ...]
    weight: float
    names: bool = True


def alternatives(term: str) -> list[Alternative]:
    """Ways to read one query word: itself (weight 1; 0.5 for a number such as a model year or size,
    which says less about the item than a word) and its synonym phrases (weight 0.9)."""
    own = 0.5 if any(ch.isdigit() for ch in term) else 1.0
    return [((term,), own), *((tuple(words(phrase)), 0.9) for phrase in SYNONYMS.get(term, ()))]


_PHRASE_WORDS = {tuple(content_words(phrase)): targets for phrase, targets in PHRASES.items()}
_LONGEST_PHRASE = max(len(key) for key in _PHRASE_WORDS)


def has_phrase(terms: list[str]) -> bool:
    """Whether content words have a product name of several words in them ("ac unit", "walkie talkie")."""
    return any(
        tuple(terms[i : i + n]) in _PHRASE_WORDS
        for n in range(2, _LONGEST_PHRASE + 1)
        for i in range(len(terms) - n + 1)
    )


def _targets(phrases: tuple[str, ...], first: float, rest: float) -> list[Reading]:
    return [
        Reading(tuple(content_words(phrase)), first if i == 0 else rest) for i, phrase in enumerate(phrases)
    ]


def query_readings(query: str) -> list[list[Reading]]:
    """The query as groups of readings, one group per word or product name (each group counts once, by
    its best reading per category): known product names of several words as one group ("nintendo
    switch"), brands by the categories they sell in, other words as themselves and their synonyms."""
    return [readings for _, readings in reading_groups(content_words(query))]


def reading_groups(terms: list[str]) -> list[tuple[tuple[str, ...], list[Reading]]]:
    """`query_readings` for content words already split off, each group with the words it reads."""
    groups: list[tuple[tuple[str, ...], list[Reading]]] = []
    i = 0
    while i < len(terms):
        for length in range(min(_LONGEST_PHRASE, len(terms) - i), 1, -1):
            key = tuple(terms[i : i + length])
            if key in _PHRASE_WORDS:
                groups.append(
                    (key, [*_targets(_PHRASE_WORDS[key], 1.0, 0.9), Reading(key, 1.0, names=False)])
                )
                i += length
                break
        else:
            term = terms[i]
            if term in BRANDS:
                readings = [
                    Reading((term,), 1.0, names=False),
                    *_targets(BRANDS[term], BRAND_WEIGHT, BRAND_WEIGHT),
                ]
            else:
                readings = [Reading(phrase, weight) for phrase, weight in alternatives(term)]
            groups.append(((term,), readings))
            i += 1
    return groups
