"""Category search: rank taxonomy categories by how well a seller's words match them.

Evidence, computed once when the app starts:
- the category's own path (the main signal): a word in the category's name counts fully, a word in an
  ancestor's name partly; rarer words count more (capped idf); a name that the query covers entirely
  ranks above one it covers in part ("bike" -> Bicycles before Bicycle Child Seats);
- the titles of listings filed under the category: brand and model words ("trek", "xm4") never appear in
  the taxonomy, but they do appear in the titles of real listings there; word by word, and as a vote of
  the listings whose whole titles are most like the query (`similar_titles.py`);
- where people sell: the listings in the category and in its branch of the taxonomy (a seller's
  "cast iron skillet" is a kitchen skillet, not a food-service Tilt Skillet);
- a title model learned from the same titles (`title_model.py`), which reranks the best few matches.

The weights were tuned on a split of the seed's own listings (`benchmarks/category_search.py --dev`),
never on the held-out listings or the everyday items that measure it.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from marketplace.item_phrase import item_phrase, query_words
from marketplace.kind_hints import KindHint, kind_hints
from marketplace.pricing import CompsCache
from marketplace.similar_titles import TitleNeighbours
from marketplace.spelling import Speller
from marketplace.text import (
    BRANDS,
    PHRASES,
    STOPWORDS,
    SYNONYMS,
    Reading,
    content_words,
    reading_groups,
    stem,
    words,
)
from marketplace.title_model import TitleModel

BRANCHES_FILE = Path(__file__).resolve().parent / "rules" / "search" / "branches.yaml"

ANCESTOR_WEIGHT = 0.4
IDF_CAP = 5.0
TITLE_WEIGHT = 3.0
NON_LEAF_FACTOR = 0.85  # a listing needs a leaf, so at equal evidence a leaf ranks first
HEADLESS_FACTOR = 0.6
# The category's head word matches only a modifier of the query ("xbox one controller": "Video Game Console
# & Controller Batteries" is a kind of battery named for consoles; the item is a controller).
MODIFIER_HEAD_FACTOR = 0.8
MODIFIER_ONLY_FACTOR = 0.75  # the category matches only words that modify the query's head ("desk" lamp)
# And this much more where only words that say what the item is used with or in name it (rules/search/branches.yaml,
# `said`: "car", "boat", "toy") while a category is named for the query's head word: a "car portable inverter" is a
# power inverter, not a car.
USED_WITH_FACTOR = 0.6
# A category that the query's head word names only as a modifier and whose own kind only words after the item
# phrase name is what comes with the item, not the item ("snowboard with bindings": Snowboard Bindings; "TV with
# stand": TV Stands; "guitar with case"), and counts this much more.
ACCOMPANIMENT_FACTOR = 0.6
# A category named for the query's words the other way round: its kind is a word before the query's head, which
# it has only as a modifier ("light oak tables": Billiard Table Lights). In a compound the last word is the kind.
REVERSED_FACTOR = 0.6
# A set (Kitchen & Dining Furniture Sets) for a query that names one kind of thing and no set ("pair of kitchen
# chairs"): the titles most like it are sets of that kind with another, but the item is the one kind.
ONE_KIND_SET_FACTOR = 0.3
# And this much more when the head is an accessory or a part (marketplace/data/comparables.toml, accessories):
# an "iPhone charger" fits a phone, the phone's listings' titles say "iphone" too, but it is no phone.
ACCESSORY_OF_FACTOR = 0.5
RELIABLE_TITLES = 30  # a word in this many listing titles is full evidence; in fewer, proportionally less
POPULARITY = 0.15  # weight of log(1 + listings): among equal matches, the category people actually sell in
# where people sell: weight of log(1 + listings in the category's branch) (skillets, not Tilt Skillets)
BRANCH = 0.15
BRANCH_DEPTH = 3  # the branch is the category's ancestor this deep ("Home & Garden > Kitchen & Dining > ...")
MIN_TITLE_ONLY = 0.25  # a category whose name shares no word with the query needs this much title evidence
NEIGHBOURS = 10  # the most similar listing titles that vote for their categories
NEIGHBOUR_WEIGHT = 4.0  # weight of a category's votes (each a neighbour's cosine similarity)
NEIGHBOUR_FLOOR = 0.3  # a title less similar than this (cosine) does not vote
# Neighbours vote only for a query of at least this many words: a product name of one or two words is read
# by the taxonomy and the synonyms, and the titles that share its words are often other things sold with it
# ("bike helmet": the bicycles sold with a helmet).
NEIGHBOUR_MIN_WORDS = 3
OUTSIDE_WEIGHT = 0.3  # a word after the item phrase ("speakers with stands") counts this much
# Title evidence of the query's other words counts this much for a category that the head word's name does
# not match and where no listing's title is headed by it.
UNRELATED_TITLE_FACTOR = 0.3
# A word that no category is a kind of still names the item when this many listings have it in their titles
# and this share of them are under one category ("fixie", "bedframe").
DATA_KIND_TITLES = 3
DATA_KIND_SHARE = 0.6
DATA_KIND_LETTERS = 4  # and has this many letters ("se" in "iPhone SE" is a model, whatever its titles)
TRADE_FACTOR = 0.7  # a category in a branch that sells to businesses (rules/search/branches.yaml)
# A query that says a branch ("toy", "spin", "car": rules/search/branches.yaml, `said`): the categories outside
# it count this much when one under it is named for the item's head word. (A branch is not lowered for being
# unsaid: car audio's own titles tell an "MTX amp" from a home amplifier; the rule moved no unseen dev title.)
SAID_FACTOR = 0.3
TITLE_NAME_MIN = 3  # titles that have a two-word name (see CategoryIndex._title_names)
TITLE_NAME_SHARE = 0.6  # of the titles that have either word
PAIR_BONUS = 1.5  # for each pair of the item phrase's words that the category's name has side by side
COVERAGE = 0.4  # share of a name's score that depends on how much of it the query covers
WHOLE_NAME = 0.2  # share of the whole name in a name's coverage (the rest is its best-covered part)
HOME_WEIGHT = 3.0  # weight of the share of the listings headed by the query's head word that are filed there
NAMED_HOME_FACTOR = 0.0  # of the head word's title evidence and home share for a category named for it
HEAD_HOME_SHARE = 0.8  # of the head word's most frequent category: a category that is the head word's home
# What WordNet says the head word is (rules/search/kind_hints.tsv), where the taxonomy has no word for it: each
# kind is read as the head word with this weight, less by HINT_DECAY for each level up WordNet's hypernyms
# past the first ("food processor" -> kitchen appliance, then home appliance).
HINT_WEIGHT = 0.6
SIZE_WEIGHT = 1.0  # of the kind a size says, when no word of the query names one (query_words.yaml, sizes)
HINT_DECAY = 0.7
# A synonym by WordNet (depth 0: "pram" is a stroller, "sax" a saxophone) counts as a synonym of the tables.
SYNONYM_HINT_WEIGHT = 0.9
# The head word's own reading counts this much where it and the word before it are a kind of their own
# (a food processor is no processor; WordNet's "food processor").
COMPOUND_OWN = 0.5
# A generic head ("machine", rules/search/query_words.yaml) counts this much as itself, and its alternates
# ("maker") this much; the categories that the word before it names are kinds of the item (a juicer machine).
GENERIC_OWN = 0.5
GENERIC_ALTERNATE = 0.9
# Where the taxonomy names the head word in several branches, WordNet's kind of it that only some of those
# branches say counts this much, for categories under it ("wok": Woks under Cookware, not Electric
# Skillets & Woks under Kitchen Appliances; "stove": Portable Cooking Stoves before Wood Stoves).
CONTEXT_WEIGHT = 0.5
# The title model (`title_model.py`) reranks the best few lexical matches: each gains this share of the best
# score times the model's posterior among them (tuned on the seed's dev splits).
MODEL_CANDIDATES = 8
MODEL_WEIGHT = 0.3
# A query naming two kinds of thing apart ("table and 4 chairs", "couch + chair"): where the titles naming both
# are mostly filed (a dining set) gains this share of the best score times that share, when this many titles
# name both and this share of them are filed there.
PAIR_LIFT = 1.0
# Titles that write a kind and "set" together for a set of that kind to be a kind of its own ("table set";
# not "chess set", whose item is the chess pieces and board).
SET_TITLES = 3
PAIR_MIN_TITLES = 5
PAIR_MIN_SHARE = 0.5
# A head of several words that the taxonomy names (a product phrase such as "electric guitar" -> Guitars, or a
# compound its names write, "car seat" -> Baby & Toddler Car Seats): a category not named for the whole head
# counts this much, however popular or voted for ("maxi cosi car seat" is no car; "Fender ... electric guitar"
# no bicycle, though one ad sold both).
UNNAMED_HEAD_FACTOR = 0.6
# A category named for the item's words outside the branches its maker makes for (rules/search/branches.yaml,
# `domains`: a "yamaha keyboard" is no computer keyboard, a "lego bin" no Ice Bin) counts this much.
DOMAIN_FACTOR = 0.5
# A category whose name has a word that the query's words rule out (rules/search/query_words.yaml, `contrary`:
# a "gas grill" is no electric grill) counts this much.
CONTRARY_FACTOR = 0.6
# A query that is a top-level category's word alone ("furniture", "electronics"): a category outside that branch
# whose name adds a word the query does not say (Cat Furniture) counts this much; the seller means the branch.
ROOT_WORD_FACTOR = 0.5
# A category's listings whose titles are headed by a kind only other departments name, in a part of the title
# apart from one naming the category's own department (`_stray_part`), lose that part when no other title headed
# by that word is filed there (1; 0: none do).
STRAY_PARTS = 1
MODEL_MIN_LISTINGS = 3  # a category with fewer listings of its own is not lifted: the model barely knows it
# How much a modifier that a name's last part shares (`_shared_modifiers`) counts in how much of that part the
# query covers: a bare "stool" covers Folding Chairs & Stools' stools in part, like Table & Bar Stools'.
SHARED_MODIFIER = 0.5
# Two words written apart that this many listings' titles write as one ("fit bit", "quad copter", "handy cam")
# are read as that one word; 0: only the taxonomy's words are joined.
JOIN_MIN_TITLES = 3
# A misspelt word (`spelling.py`) is corrected to a word of the synonym tables or of at least this many
# listings' titles (a word in fewer may be a typo too); 0: none corrected. Only where the query as written
# names no kind of thing, and only to a word that then names the item (`CategoryIndex._reading`).
SPELL_MIN_TITLES = 3
# A word of a category's name that few titles use ("washing", "microwave", "dishwasher": sellers write
# "washer") is a correction too, when at least this long and only for a word no title has: one edit
# from a shorter name word reaches real words ("planet" -> plane); 0: none.
SPELL_NAME_LETTERS = 7
# Where the query names a kind as written ("machine"), a misspelt word before it is corrected only to a word
# that goes before it in a category's name or in at least this many listings' titles ("vacuum cleaner").
SPELL_PAIR_TITLES = 1


_PHRASE_KEYS = frozenset(tuple(content_words(p)) for p in PHRASES)
_GLUED = re.compile(r"([a-z]{3,})(\d+[a-z]*)")
_AND = re.compile(r"\s*[&+/]\s*")  # "table & chairs", "couch+chair", "sofa/love seat": two things
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_PART_TOKEN = re.compile(r"[A-Za-z0-9']+|[&+/,;|]")  # a title's words and what sets its parts apart
_JOINED_CONNECTOR = re.compile(r"([A-Za-z])-(on|in|to)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class IndexedCategory:
    id: int
    path: str
    name: str
    parent_id: int | None
    is_leaf: bool
    name_words: frozenset[str]
    ancestor_words: frozenset[str]
    head_words: frozenset[str]  # what the category is a kind of: "Mobile Phone Cases" -> cases
    parts: tuple[
        tuple[str, ...], ...
    ]  # the kinds its name lists: "Food Mixers & Blenders" -> (food, mixer), (blender,)
    shared: frozenset[str] = frozenset()  # modifiers its last part shares: `_shared_modifiers`


def _name_parts(name: str) -> list[list[str]]:
    """The kinds of thing a category's name lists, as words in order: "Food Mixers & Blenders" -> [food,
    mixer], [blender]. A part in the singular before another shares that one's kind: "Table & Bar Stools"
    -> [table, stool], [bar, stool]; "Baby & Toddler Car Seats" -> [baby, car, seat], [toddler, car, seat]."""
    parts: list[list[str]] = []
    pending: list[list[str]] = []
    raw_parts = [p for p in re.split(r"\s*(?:&|,|\band\b)\s*", name) if content_words(p)]
    for i, raw in enumerate(raw_parts):
        ws = content_words(raw)
        last = re.findall(r"[a-z]+", raw.lower())[-1:]
        if i < len(raw_parts) - 1 and last and stem(last[0]) == last[0]:
            pending.append(ws)
            continue
        parts += [list(dict.fromkeys(modifier + ws[1:])) for modifier in pending]
        parts.append(ws)
        pending = []
    return parts


def _shared_modifiers(name: str) -> frozenset[str]:
    """The words before the kind of a name's part that its last part, a bare word, may share: "Folding
    Chairs & Stools" are mostly folding stools, "Garage Door Keypads & Remotes" garage door remotes; but
    "Power Adapters & Chargers" may be any charger (so they count for part: `SHARED_MODIFIER`)."""
    parts = _name_parts(name)
    if len(parts) < 2 or len(parts[-1]) != 1 or len(parts[-2]) < 2:
        return frozenset()
    return frozenset(parts[-2][:-1]) - set(parts[-1])


def _head_words(name: str) -> frozenset[str]:
    """The last word of each part of a name: 'Entertainment Centers & TV Stands' -> {center, stand}."""
    return frozenset(part[-1] for part in _name_parts(name))


@dataclass(frozen=True, slots=True)
class _Group:
    terms: tuple[str, ...]  # the query's words this group reads
    readings: list[Reading]
    in_item: bool  # in the item phrase, not after it
    hints: tuple[Reading, ...] = ()  # what kind of thing it is, by WordNet (the head word only)
    context: bool = False  # the head word's kind by WordNet, for the categories under it alone


def _weighed(readings: list[Reading], factor: float) -> list[Reading]:
    return [Reading(r.words, r.weight * factor, r.names) for r in readings]


def _with_hints(group: _Group, readings: list[Reading], hints: tuple[KindHint, ...]) -> _Group:
    weighed = tuple(
        Reading(
            h.words, SYNONYM_HINT_WEIGHT if h.depth == 0 else HINT_WEIGHT * HINT_DECAY ** max(0, h.depth - 1)
        )
        for h in hints
    )
    return _Group(group.terms, readings, group.in_item, weighed)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A category's score for a query and what it is made of (`CategoryIndex.explain`)."""

    category: IndexedCategory
    score: float
    name: float  # from the category's own path
    coverage: float  # how much of the name's best part the query covers
    kind: float  # factor: does the category match the query's head word, as what it is a kind of
    title: float  # from the words of listing titles filed there
    vote: float  # from the listings with the most similar titles
    prior: float  # where people sell
    model: float = 0.0  # the title model's posterior among the best few matches


@cache
def _branches_data(path: Path = BRANCHES_FILE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@cache
def _trade_branches(path: Path = BRANCHES_FILE) -> dict[str, frozenset[str]]:
    data = _branches_data(path)
    return {str(b["path"]): frozenset(content_words(" ".join(b["unless"]))) for b in data["trade"]}


@dataclass(frozen=True, slots=True)
class SaidBranch:
    """A branch of the taxonomy that some words of a query say the item is in (rules/search/branches.yaml)."""

    path: str
    phrases: tuple[tuple[str, ...], ...]  # each as content words, stemmed
    # Said by a word right before the head, the branch holds the item though none of its categories is named
    # for the head ("cat tree": cat furniture, not a tree).
    modifier: bool = False


@cache
def _said_branches(path: Path = BRANCHES_FILE) -> tuple[SaidBranch, ...]:
    data = _branches_data(path)
    return tuple(
        SaidBranch(
            str(b["path"]),
            tuple(tuple(content_words(str(w))) for w in b["words"] if content_words(str(w))),
            bool(b.get("modifier", False)),
        )
        for b in data.get("said", ())
    )


@dataclass(frozen=True, slots=True)
class MakerDomain:
    """Makers of one or a few kinds of thing and the branches those are in (rules/search/branches.yaml)."""

    makers: tuple[tuple[str, ...], ...]  # each as content words, stemmed
    paths: tuple[str, ...]


@cache
def _maker_domains(path: Path = BRANCHES_FILE) -> tuple[MakerDomain, ...]:
    data = _branches_data(path)
    return tuple(
        MakerDomain(
            tuple(tuple(content_words(str(w))) for w in d["makers"] if content_words(str(w))),
            tuple(str(p) for p in d["paths"]),
        )
        for d in data.get("domains", ())
    )


def _says(terms: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(terms[i : i + n]) == phrase for i in range(len(terms) - n + 1))


@dataclass(frozen=True, slots=True)
class Hit:
    category: IndexedCategory
    score: float
    # The category's own name matches the query (most of its name's best part): not found only through
    # similar listings' titles or a stray word ("PS5 disc edition" -> Bicycles, "baseball cards" -> SIM Cards).
    named: bool = True


NAMED_COVERAGE = 0.6  # the share of a category name's best part the query must cover to be `named` by it


class CategoryIndex:
    def __init__(
        self,
        categories: Iterable[tuple[int, str, str, int | None, bool]],
        listing_titles: Iterable[tuple[int, str]] = (),
    ) -> None:
        """`categories`: (id, path, name, parent_id, is_leaf); `listing_titles`: (category_id, title)."""
        self.by_id: dict[int, IndexedCategory] = {}
        for ident, path, name, parent_id, is_leaf in categories:
            ancestors = path.split(" > ")[:-1]
            self.by_id[ident] = IndexedCategory(
                ident,
                path,
                name,
                parent_id,
                is_leaf,
                frozenset(content_words(name)),
                frozenset(w for a in ancestors for w in content_words(a)),
                _head_words(name),
                tuple(tuple(part) for part in _name_parts(name)),
                _shared_modifiers(name),
            )
        self.children: dict[int, list[int]] = defaultdict(list)
        for cat in self.by_id.values():
            if cat.parent_id is not None:
                self.children[cat.parent_id].append(cat.id)

        # Top-level categories by a word that is a whole part of their name ("furniture": Furniture; "bag":
        # Luggage & Bags), each with its branch (`ROOT_WORD_FACTOR`).
        self._root_words: dict[str, frozenset[int]] = {}
        for cat in self.by_id.values():
            if cat.parent_id is None:
                for part in cat.parts:
                    if len(part) == 1:
                        self._root_words[part[0]] = frozenset(self.subtree(cat.id))
        name_df: Counter[str] = Counter()
        self._by_word: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for cat in self.by_id.values():
            name_df.update(cat.name_words)
            for w in cat.name_words:
                self._by_word[w].append((cat.id, 1.0))
            for w in cat.ancestor_words - cat.name_words:
                self._by_word[w].append((cat.id, ANCESTOR_WEIGHT))
        total = len(self.by_id) or 1
        self._name_idf = {w: min(IDF_CAP, math.log(1 + total / n)) for w, n in name_df.items()}
        self._name_bigrams = frozenset(
            (a, b) for cat in self.by_id.values() for part in cat.parts for a, b in itertools.pairwise(part)
        )
        # The words that name which sets the taxonomy has: "bedroom", "dining", "furniture" (Bedroom Furniture Sets).
        self._set_names = frozenset(
            w
            for cat in self.by_id.values()
            for part in cat.parts
            if part[-1] in query_words().set_words
            for w in part[:-1]
        )
        self._set_categories = frozenset(
            c.id for c in self.by_id.values() if c.head_words & query_words().set_words
        )
        self._kind_index: dict[str, set[int]] = defaultdict(set)  # word -> categories that are kinds of it
        for cat in self.by_id.values():
            for w in cat.head_words:
                self._kind_index[w].add(cat.id)
        self._describing = query_words().describing
        self._set_words = query_words().set_words
        self._generic = dict(query_words().generic_heads)
        self._parts = query_words().parts
        self._makers = query_words().makers
        self._sizes = query_words().sizes
        self._contrary = query_words().contrary
        self._accessories, accessory_kinds = query_words().accessories, query_words().accessory_kinds
        # Categories that are accessories or parts themselves: an accessory's modifiers may name them.
        self._accessory_cats = frozenset(
            c.id for c in self.by_id.values() if c.head_words & (self._accessories | accessory_kinds)
        )
        self._hints = kind_hints()
        # Categories in a branch that sells to businesses, each with the words that make it fit.
        trade_paths = _trade_branches()
        self._trade: dict[int, frozenset[str]] = {}
        self._trade_of: dict[int, int] = {}
        for cat in self.by_id.values():
            if cat.path in trade_paths:
                self._trade[cat.id] = trade_paths[cat.path]
        for cat in self.by_id.values():
            walk: IndexedCategory | None = cat
            while walk is not None:
                if walk.id in self._trade:
                    self._trade_of[cat.id] = walk.id
                    break
                walk = self.by_id.get(walk.parent_id) if walk.parent_id is not None else None
        # The branches a query's words may say, each with the categories under it.
        self._said = tuple(
            (
                branch,
                frozenset(
                    c.id for c in self.by_id.values() if (c.path + " > ").startswith(branch.path + " > ")
                ),
            )
            for branch in _said_branches()
        )
        # The makers of one or a few kinds of thing, each with the categories in the branches they make for.
        self._domains = tuple(
            (
                domain.makers,
                frozenset(
                    c.id
                    for c in self.by_id.values()
                    if any((c.path + " > ").startswith(p + " > ") for p in domain.paths)
                ),
            )
            for domain in _maker_domains()
        )
        # The one-word phrases of those branches: words that say what an item is used with or in.
        # (Not a pet's: a "cat tree" is for the cat, `SaidBranch.modifier`.)
        self._used_with = frozenset(
            p[0] for b in _said_branches() if not b.modifier for p in b.phrases if len(p) == 1
        )

        self._apart = query_words().apart | query_words().connectors
        self._trading = query_words().trading
        self._kind_memo: dict[tuple[str, ...], int] = {}
        self._title_counts: dict[str, dict[int, int]] = {}  # word -> category -> titles
        titles = self._without_strays(list(listing_titles))
        self.neighbours = TitleNeighbours(titles)
        self.model = TitleModel(titles, {c.id: c.parent_id for c in self.by_id.values()})
        self.listing_count: Counter[int] = Counter()
        self.branch_count: Counter[int] = (
            Counter()
        )  # listings in each branch (see BRANCH_DEPTH), from the seed
        self.seed_pool: dict[int, list[Any]] = {}  # category -> seed listings as price candidates
        self.comps_cache = CompsCache()  # shared by clones, as the seed pool is
        title_df: dict[int, Counter[str]] = defaultdict(Counter)
        title_pairs: Counter[tuple[str, str]] = Counter()
        all_df: Counter[str] = Counter()
        for category_id, title in titles:
            self.listing_count[category_id] += 1
            self.branch_count[self.branch_of(category_id)] += 1
            ws = set(words(title))
            title_df[category_id].update(ws)
            title_pairs.update(set(itertools.pairwise(content_words(title))))
            all_df.update(ws)
        # Names of two words that titles use together and seldom apart ("Pottery Barn", "West Elm"): a brand
        # or a product line, read by the titles it is in, not as two words of the taxonomy.
        # Not a product phrase of the vocabulary ("walkie talkie"), which says what the thing is.
        phrase_pairs = {tuple(ws) for ws in map(content_words, PHRASES) if len(ws) == 2}
        self._title_names = frozenset(
            (a, b)
            for (a, b), n in title_pairs.items()
            if n >= TITLE_NAME_MIN
            and n >= TITLE_NAME_SHARE * max(all_df[a], all_df[b])
            and (a, b) not in self._name_bigrams
            and (a, b) not in phrase_pairs
            and not any(ch.isdigit() for ch in a + b)
        ) | frozenset(n for n in query_words().maker_names if len(n) == 2)
        self._title_df = all_df  # word -> listings whose titles have it
        self._title_pairs = title_pairs  # two words side by side -> listings whose titles have them
        self._speller: Speller | None = None  # built at the first query (`_spelled`)
        self._name_speller: Speller | None = None  # the category names' words (`SPELL_NAME_LETTERS`)
        self._title_counts = defaultdict(dict)
        for category_id, df in title_df.items():
            for w, count in df.items():
                self._title_counts[w][category_id] = count
        # What each listing's title is, by its head word: "helmet" heads the titles of helmets, though many
        # bicycle ads mention one; "probe" heads a Ford Probe's.
        self._kind_memo = {}
        self._head_counts: dict[str, Counter[int]] = defaultdict(Counter)
        for category_id, title in titles:
            title_head = self._title_head(title)
            if title_head is not None:
                self._head_counts[title_head][category_id] += 1
        # The modifiers are shared only where the listings headed by the last part's word are mostly filed
        # in another category (stools: Table & Bar Stools); where they are filed here, or nowhere, the word
        # is this category's own ("charger": Power Adapters & Chargers; "blender": Food Mixers & Blenders).
        for cat in list(self.by_id.values()):
            homes = self._head_counts.get(cat.parts[-1][-1]) if cat.shared else None
            if cat.shared and (not homes or homes.most_common(1)[0][0] == cat.id):
                self.by_id[cat.id] = dataclasses.replace(cat, shared=frozenset())
        # Where the titles that name two kinds of thing apart are filed ("table ... chairs": a dining set;
        # "washer and dryer"): a query naming the same two is most likely the same.
        self._pair_counts: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
        for category_id, title in titles:
            for pair in self._kind_pairs(words(_AND.sub(" and ", title))):
                self._pair_counts[pair][category_id] += 1
        # Evidence from titles: of the listings whose title has the word, the share filed under the category
        # (20 of 23 "subaru" ads are cars, 1 is a set of rims). Words seen in few titles count for less.
        self._title_share: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for category_id, df in title_df.items():
            for w, count in df.items():
                reliability = min(1.0, math.log1p(all_df[w]) / math.log1p(RELIABLE_TITLES))
                self._title_share[w].append((category_id, reliability * count / (all_df[w] + 2)))

    def branch_of(self, category_id: int) -> int:
        """The category's ancestor at BRANCH_DEPTH (itself when it is no deeper)."""
        cat = self.by_id.get(category_id)
        while cat is not None and cat.path.count(" > ") + 1 > BRANCH_DEPTH and cat.parent_id is not None:
            cat = self.by_id[cat.parent_id]
        return cat.id if cat is not None else category_id

    def clone(self) -> CategoryIndex:
        """A copy sharing the read-only parts; listing counts are its own (they change as listings are made)."""
        twin = copy.copy(self)
        twin.listing_count = Counter(self.listing_count)
        return twin

    def subtree(self, category_id: int) -> list[int]:
        """The category and all its descendants."""
        out, stack = [], [category_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(self.children.get(current, ()))
        return out

    def _spelling(self) -> Speller:
        if self._speller is None:
            targets: dict[str, float] = {
                w: float(n) for w, n in self._title_df.items() if SPELL_MIN_TITLES and n >= SPELL_MIN_TITLES
            }
            tables = {w for table in (SYNONYMS, PHRASES, BRANDS) for key in table for w in content_words(key)}
            # Not a word the taxonomy alone has: "planet" is no misspelt "plane", but a seller's word.
            for w in tables:
                targets[w] = targets.get(w, 0.0) + 1.0
            qw = query_words()
            # A word of fewer titles is corrected too ("stero" is in one title; "stereo" in many).
            also = itertools.chain(
                self._name_idf, STOPWORDS, qw.connectors, qw.quantities, qw.describing, qw.makers
            )
            also_known = list(also)
            self._speller = Speller(targets if SPELL_MIN_TITLES else {}, also_known)
            names = {
                w: 1.0
                for w in self._name_idf
                if SPELL_NAME_LETTERS and len(w) >= SPELL_NAME_LETTERS and w not in targets
            }
            self._name_speller = Speller(names, also_known)
        return self._speller

    def _name_spelling(self) -> Speller:
        self._spelling()
        assert self._name_speller is not None
        return self._name_speller

    def _spelled(self, query: str) -> tuple[str, frozenset[str]]:
        """The query with each misspelt word read as the known word one slip away ("Nintedo swich"), and
        the words it was corrected to."""
        speller = self._spelling()
        corrected: set[str] = set()
        # Where the listings with the query's other (known) words are filed: the correction that fits them.
        context: Counter[int] = Counter()
        for w in words(query):
            context.update(self._title_counts.get(w, {}))
        context_total = sum(context.values())

        def fit(candidate: str) -> float:
            counts = self._title_counts.get(candidate, {})
            seen = sum(counts.values())
            if not seen or not context_total:
                return 0.0
            return sum(n * context[c] for c, n in counts.items()) / (seen * context_total)

        def fix(match: re.Match[str]) -> str:
            token = match.group(0)
            low = token.lower()
            if speller.knows(low) or speller.knows(stem(low)):
                return token
            # A name with its model number written on ("iphone8", "ipone7"): the name, then the number.
            glued = _GLUED.fullmatch(low)
            if glued and not self._title_df.get(low):
                name = glued.group(1)
                name = name if speller.knows(name) else speller.correction(name, fit) or ""
                if name:
                    corrected.add(name)
                    return f"{name} {glued.group(2)}"
            correction = speller.correction(stem(low), fit)
            if correction is None and not self._title_df.get(stem(low)):
                correction = self._name_spelling().correction(stem(low), fit)
            if correction is None:
                # A word some titles use is theirs to read ("hoverboard"), not two words.
                parts = None if self._title_df.get(stem(low)) else speller.split(stem(low))
                if parts is None:
                    return token
                corrected.add(parts[1])
                # An unknown first part would be read as a make ("math text book"): the thing alone.
                return " ".join(parts) if speller.knows(parts[0]) else parts[1]
            corrected.add(correction)
            return correction

        return _TOKEN.sub(fix, query), frozenset(corrected)

    def _reading(self, query: str) -> tuple[str, list[_Group], int | None]:
        """The query as read (misspellings corrected where no word of it, as written, names a kind of thing,
        "Nintedo swich", or where the corrected word joins the kind it names, "wahsing machine"), its
        reading groups and which is the item's head (`_groups`)."""
        groups, head = self._groups(query)
        if SPELL_MIN_TITLES:
            fixed, corrected = self._spelled(query)
            if corrected:
                fixed_groups, fixed_head = self._groups(fixed)
                # Only when a corrected word names the item: another word then read as its head would be as
                # much a guess as before. Where the query as written has a head, only when each corrected
                # word names a kind with it ("wahsing machine": a washing machine, not any machine).
                if fixed_head is not None and (
                    corrected & set(fixed_groups[fixed_head].terms)
                    if head is None
                    else fixed_groups[fixed_head].terms == groups[head].terms
                    and self._names_with(corrected, groups[head].terms)
                ):
                    return fixed, fixed_groups, fixed_head
                # Nor any word naming a kind either way: a maker whose name says what it makes ("motorolla
                # razr": a Motorola phone) is read as that maker.
                if head is None and fixed_head is None and any(c in BRANDS for c in corrected):
                    return fixed, fixed_groups, fixed_head
        return query, groups, head

    def search(self, query: str, limit: int = 5, leaf_only: bool = False) -> list[Hit]:
        query, groups, head = self._reading(query)
        scored = self._explain(query, groups, head, leaf_only)
        item = frozenset(content_words(" ".join(item_phrase(query, lambda w: False).item))) or frozenset(
            content_words(query)
        )
        return [Hit(e.category, e.score, self._named(e, item)) for e in scored[:limit]]

    @staticmethod
    def _named(evidence: Evidence, item: frozenset[str]) -> bool:
        """Whether the category's own name matches the query: most of the name's best part ("office chair":
        Office Chairs), or every word of the item in its path ("microwave": Microwave Ovens). Not "baseball
        cards" -> SIM Cards (half of each), nor a match made only by similar listings' titles."""
        if evidence.name <= 0:
            return False
        category = evidence.category
        return evidence.coverage >= NAMED_COVERAGE or (
            bool(item) and item <= (category.name_words | category.ancestor_words)
        )

    def _join_compounds(self, terms: list[str]) -> list[str]:
        """Two words written apart that the taxonomy or the vocabulary writes as one ("paddle board" ->
        paddleboard; "handy cam" -> handycam, a video camera; "dumb bell" -> dumbbell, not a bell)."""
        out: list[str] = []
        for term in terms:
            joined = [out[-1] + t for t in (term, *self._generic.get(term, ()))] if out else []
            known = [
                j
                for j in joined
                if (
                    j in self._name_idf
                    or self._in_vocabulary(out[-1], term, j)
                    or (self._titles_join(out[-1], term, j) and (out[-1], term) not in self._name_bigrams)
                )
                and j not in out
            ]
            if known:  # "bread machine" -> breadmaker, as a generic head's alternate
                out[-1] = known[0]
            else:
                out.append(term)
        return out

    @staticmethod
    def _in_vocabulary(first: str, second: str, joined: str) -> bool:
        """Whether the vocabulary writes two words as one that it does not already read apart: not "lawn
        mower" (a product phrase) or "cell phone" ("cell" is read as mobile), whose readings say more."""
        return (
            (joined in SYNONYMS or joined in BRANDS)
            and first not in SYNONYMS
            and (first, second) not in _PHRASE_KEYS
        )

    def _names_with(self, corrected: frozenset[str], head_terms: tuple[str, ...]) -> bool:
        """Whether each corrected word goes before the head's word in a category's name ("washing machine")
        or in at least `SPELL_PAIR_TITLES` listings' titles ("vacuum cleaner")."""
        if not head_terms:
            return False
        last = head_terms[-1]
        return all(
            (c, last) in self._name_bigrams or self._title_pairs[(c, last)] >= SPELL_PAIR_TITLES
            for c in corrected
        )

    def _titles_join(self, first: str, second: str, joined: str) -> bool:
        """Whether listings' titles write two words as one more often than apart ("fitbit", "quadcopter";
        not "cellphone", which most write "cell phone")."""
        seen = self._title_df.get(joined, 0)
        return bool(JOIN_MIN_TITLES) and seen >= JOIN_MIN_TITLES and seen > self._title_pairs[(first, second)]

    def _named_for(self, category_id: int, head_terms: tuple[str, ...]) -> bool:
        """Is the category a kind of the query's head word, as its name writes it ("cabinet": File Cabinets)?
        Not when it is read through a synonym or is a product's name: an "iPhone" is a phone and an "Apple
        Watch" a watch, but their titles say more than a phone's or a watch's (most are unlocked; tracker)."""
        return len(head_terms) == 1 and head_terms[0] in self.by_id[category_id].head_words

    def _maker(self, terms: tuple[str, ...]) -> bool:
        """A brand or a maker of many kinds of things ("honda"), whose listings say who made an item, not
        what it is (`query_words.yaml`, `makers`; text.BRANDS)."""
        return len(terms) == 1 and (terms[0] in BRANDS or terms[0] in self._makers)

    def _common(self, terms: tuple[str, ...]) -> bool:
        """A word of the language ("gas", "running", "radio"), whose company in titles says little about
        what else an item is; not a brand or model name ("scott", "optimus"), whose company does."""
        return len(terms) == 1 and (terms[0] in self._name_idf or terms[0] in self._describing)

    def _kind_pairs(self, terms: list[str]) -> set[tuple[str, str]]:
        """The pairs of different words of `terms` (stop words kept) that each name a kind of thing, not side
        by side (a "tv stand" is one thing; "table and chairs" are two), each in alphabetical order."""
        kinds = [(i, t) for i, t in enumerate(terms) if t not in self._describing and self._kind((t,)) == 2]
        adjacent = set(itertools.pairwise(terms))
        return {
            (min(ca, cb), max(ca, cb))
            for (i, a), (j, b) in itertools.combinations(kinds, 2)
            if a != b and j > i + 1 and (a, b) not in adjacent and (b, a) not in adjacent
            for ca, cb in [(self._canonical(a), self._canonical(b))]
        }

    def _canonical(self, term: str) -> str:
        """A word as the one-word synonym the tables read it as ("couch", "loveseat" -> sofa), so that titles
        naming the same two kinds in other words count together ("couch and loveseat", "sofa + love seat");
        two synonyms named apart are still two things (a sofa and a loveseat: a set). A word the taxonomy
        writes as two is its kind ("armchair": chair, as "sofa and chair" titles read)."""
        readings = SYNONYMS.get(term, ())
        if readings:
            return readings[0] if len(readings[0].split()) == 1 else term
        parts = self._split_compound(term)
        return parts[-1] if len(parts) > 1 and parts[-1] in self._kind_index else term

    def _title_head(self, title: str) -> str | None:
        """A listing title's head word, by the taxonomy's and the synonyms' kinds alone."""
        phrase = item_phrase(title, lambda word: self._kind((word,)) == 2)
        heads = [w for w in phrase.item if self._kind((w,)) == 2]
        return heads[-1] if heads else None

    def _without_strays(self, titles: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """The listings' titles, each without a stray part (`_stray_part`: "Bicycle Receipt & Book" under
        Bicycles, "electric guitar fs/ft carbon road bike"), where every title of its category headed by that
        part's word is stray: the part says what else was sold or wanted, not what the category holds, and a
        "box of kids books" is no bicycle. Where another title of the category is headed by it, it is the
        category's own."""
        if not STRAY_PARTS:
            return titles
        self._kind_memo = {}  # (no data kinds yet: a stray head is a kind the taxonomy names)
        self._title_counts = {}
        heads = [self._title_head(title) for _, title in titles]
        headed: Counter[tuple[str, int]] = Counter()
        strays: dict[int, str] = {}
        for i, ((category_id, title), head) in enumerate(zip(titles, heads, strict=True)):
            if head is not None:
                headed[(head, category_id)] += 1
                if (kept := self._stray_part(head, title, category_id)) is not None:
                    strays[i] = kept
        stray_counts = Counter((heads[i], titles[i][0]) for i in strays)
        self._kind_memo = {}
        return [
            (category_id, strays[i])
            if i in strays and stray_counts[(heads[i], category_id)] == headed[(heads[i] or "", category_id)]
            else (category_id, title)
            for i, (category_id, title) in enumerate(titles)
        ]

    def _roots_named(self, word: str) -> frozenset[str]:
        """The departments (top-level categories) that have a category named for the word, as the taxonomy
        or a synonym names it."""
        named = set(self._kind_index.get(word, ()))
        for phrase in SYNONYMS.get(word, ()):
            named |= self._kind_index.get(words(phrase)[-1], set())
        return frozenset(self.by_id[c].path.split(" > ")[0] for c in named)

    def _stray_part(self, head: str, title: str, category_id: int) -> str | None:
        """The title without the part its head is in, when that part names no kind of the listing's department
        and another part, set apart by a connector, "and", "or", "&", "/" or ",", names one: the head is another
        thing sold with it. Not the first part, what the title sells, unless the title trades ("fs/ft"): then
        either may be the thing wanted. Else None."""
        root = self.by_id[category_id].path.split(" > ")[0] if category_id in self.by_id else None
        named = self._roots_named(head)
        if root is None or not named or root in named:
            return None
        parts: list[list[str]] = [[]]
        traded = False
        for token in _PART_TOKEN.findall(title):
            word = stem(token.lower())
            traded = traded or word in self._trading
            if not token[0].isalnum() or word in self._apart or word in self._trading:
                parts.append([])
            else:
                parts[-1].append(token)

        def own(part: list[str]) -> bool:
            return any(
                self._kind((w,)) == 2 and root in self._roots_named(w) for w in content_words(" ".join(part))
            )

        parts = [p for p in parts if p]
        with_head = [p for p in parts if head in content_words(" ".join(p))]
        # (the first part is what the title sells, unless it trades: "CD changer for car", "Pencil for iPad")
        if len(with_head) != 1 or (with_head[0] is parts[0] and not traded):
            return None
        if own(with_head[0]) or not any(own(p) for p in parts if p is not with_head[0]):
            return None
        return " ".join(t for p in parts if p is not with_head[0] for t in p)

    def _kind(self, terms: tuple[str, ...]) -> int:
        known = self._kind_memo.get(terms)
        if known is None:
            known = self._kind_memo[terms] = self._kind_of(terms)
        return known

    def _kind_of(self, terms: tuple[str, ...]) -> int:
        """How surely a word (or product name) names a kind of thing: 2 when a category is a kind of it
        (directly or by a synonym: "chair", "bike") or it is a product name ("nintendo switch"), 1 when the
        listings with it in their titles are mostly under one category ("fixie"), else 0. Never a word that
        only describes ("white", "vintage"), a brand, or a number."""
        if len(terms) > 1:
            return 0 if terms in self._title_names else 2  # a brand ("pottery barn"), or a product name
        term = terms[0]
        if term in self._describing or term in BRANDS:
            return 0
        # A product name with a digit that the synonyms know is a kind ("ps5", "3ds"); another number is not.
        if any(words(p)[-1] in self._kind_index for p in SYNONYMS.get(term, ())):
            return 2
        if any(ch.isdigit() for ch in term):
            return 0
        if term in self._kind_index:
            return 2
        # A word the taxonomy writes as two whose last is a kind ("armchair": Arm Chairs), as `_names_kind` reads it.
        parts = self._split_compound(term)
        if len(parts) > 1 and parts[-1] in self._kind_index:
            return 2
        counts = self._title_counts.get(term, {})
        seen = sum(counts.values())
        if len(term) >= DATA_KIND_LETTERS and seen >= DATA_KIND_TITLES:
            return 1 if max(counts.values()) >= DATA_KIND_SHARE * seen else 0
        return 0

    def _split_compound(self, term: str) -> list[str]:
        """A word the taxonomy writes as two ("armchair" -> arm chair, "bedframe" -> bed frame)."""
        if term in self._name_idf or term in SYNONYMS or term in BRANDS or len(term) < 6:
            return [term]
        for i in range(3, len(term) - 2):
            pair = (term[:i], term[i:])
            if pair in self._name_bigrams:
                return list(pair)
        return [term]

    def _groups(self, query: str) -> tuple[list[_Group], int | None]:
        """The query's reading groups, the item phrase's first, and which group is the item's head: the last
        of the item phrase that surely names a kind of thing, else the last that may ("cuisinart food
        processor" -> processor)."""
        # A connector joined to the word before it is part of a name ("Level-On headphones", "clip-on lamp").
        query = _JOINED_CONNECTOR.sub(r"\1\2", query)
        phrase = item_phrase(query, self._names_kind)

        def terms(ws: tuple[str, ...]) -> list[str]:
            return self._join_compounds([part for w in ws for part in self._split_compound(w)])

        def read(ws: list[str], in_item: bool) -> list[_Group]:
            out: list[_Group] = []
            start = 0
            for i in range(len(ws) + 1):
                pair = tuple(ws[i : i + 2])
                if i == len(ws) or pair in self._title_names:
                    out += [_Group(t, r, in_item) for t, r in reading_groups(ws[start:i])]
                    if i < len(ws):
                        out.append(_Group(pair, [Reading(pair, 1.0, names=False)], in_item))
                    start = i + 2
            return out

        groups = read(terms(phrase.item), True) + read(terms(phrase.rest), False)
        kinds = [(self._kind(g.terms), i) for i, g in enumerate(groups) if g.in_item]
        best = max((k for k, _ in kinds), default=0)
        heads = [i for k, i in kinds if k == best and k > 0]
        # "washer and dryer set": a set of the product that names both kinds before it, which is the item (after
        # one kind, the set may be the kind: "bedroom dresser set" is a bedroom set).
        if (
            len(heads) > 1
            and groups[heads[-1]].terms[-1] in self._set_words
            and heads[-2] == heads[-1] - 1
            and len(groups[heads[-2]].terms) > 1
        ):
            heads.pop()
        # "chess set", "knife set": a set of the kind before it, which is the item, unless the taxonomy names
        # sets of that kind ("brake set": Bicycle Brake Sets) or listings' titles sell them as sets ("table
        # set": a dining set).
        if (
            len(heads) > 1
            and groups[heads[-1]].terms[-1] in self._set_words
            and len(groups[heads[-1]].terms) == 1
            and heads[-2] == heads[-1] - 1
            and len(groups[heads[-2]].terms) == 1
            and not self._sold_as_set(groups[heads[-2]].terms[0], groups[heads[-1]].terms[0])
            # Nor a set that another word says: "bed and desk set", "bedroom dresser set" (Bedroom Furniture Sets).
            and not any(
                self._kind(g.terms) == 2 or any(t in self._set_names for t in g.terms)
                for g in groups[: heads[-2]]
                if g.in_item
            )
        ):
            heads.pop()
        # "chairs metal frame", "sofa taper legs": a part after a word that describes it is what the item before
        # it is like, not the item ("bed frame", the part itself, has no word between).
        if (
            len(heads) > 1
            and groups[heads[-1]].terms[-1] in self._parts
            and heads[-2] < heads[-1] - 1
            and self._kind(groups[heads[-1] - 1].terms) == 0
        ):
            heads.pop()
        # A word that only the listings place ("mitsubishi": cars) says less than a size that names a kind.
        if best < 2 and (sized := self._sized(query, groups)) is not None:
            return groups, sized
        if heads:
            head = heads[-1]
            generic = groups[head].terms[0] in self._generic and len(groups[head].terms) == 1
            if generic and head > 0:
                group = groups[head]
                alternates = [Reading((a,), GENERIC_ALTERNATE) for a in self._generic[group.terms[0]]]
                groups[head] = _Group(
                    group.terms, [*_weighed(group.readings, GENERIC_OWN), *alternates], True
                )
            elif not self._add_compound_hints(groups, head) and groups[head].terms in self._hints:
                context = [Reading(h.words, CONTEXT_WEIGHT) for h in self._hints[groups[head].terms]]
                groups.append(_Group((), context, False, context=True))
            return groups, head
        # No word names a kind by the taxonomy or the listings: the last that WordNet knows as a made thing
        # ("teak credenza"). Only then: a word that the listings place ("cruiser") is read by them.
        known = [i for i, g in enumerate(groups) if g.in_item and g.terms in self._hints]
        if not known:
            return groups, None
        head = known[-1]
        groups[head] = _with_hints(groups[head], groups[head].readings, self._hints[groups[head].terms])
        return groups, head

    def _sold_as_set(self, kind: str, set_word: str) -> bool:
        """Whether a set of `kind` is a kind of its own: the taxonomy names one ("Bicycle Brake Sets") or
        SET_TITLES listings' titles write the two words together ("table set")."""
        return (kind, set_word) in self._name_bigrams or self._title_pairs[(kind, set_word)] >= SET_TITLES

    def _names_kind(self, word: str) -> bool:
        """Whether a word of a query may name the item: a kind, a brand, or a compound the taxonomy writes as
        two words whose last is a kind ("bedframe": bed frame)."""
        if self._kind((word,)) > 0 or word in BRANDS:
            return True
        parts = self._split_compound(word)
        return len(parts) > 1 and self._kind((parts[-1],)) == 2

    def _sized(self, query: str, groups: list[_Group]) -> int | None:
        """No word surely names a kind: a size that says one ("Mitsubishi 50 inch": a television) is added as
        the item's head (`query_words.yaml`, `sizes`); its index, or None."""
        for cue in self._sizes:
            if cue.says(query):
                readings = [Reading(kind, SIZE_WEIGHT) for kind in cue.kinds]
                groups.append(_Group(cue.kinds[0], readings, True))
                return len(groups) - 1
        return None

    def _add_compound_hints(self, groups: list[_Group], head: int) -> bool:
        """Give the head group what WordNet says it is when it and the word before it are a kind of their own
        ("food processor"; then each word alone counts less)."""
        group = groups[head]
        before = groups[head - 1] if head > 0 else None
        if len(group.terms) != 1 or before is None or not before.in_item or len(before.terms) != 1:
            return False
        hints = self._hints.get((before.terms[0], group.terms[0]))
        if hints:
            groups[head] = _with_hints(group, _weighed(group.readings, COMPOUND_OWN), hints)
            groups[head - 1] = _Group(before.terms, _weighed(before.readings, COMPOUND_OWN), before.in_item)
        return bool(hints)

    def explain(self, query: str, leaf_only: bool = False) -> list[Evidence]:
        """Every category with evidence for the query, best first, with what its score is made of."""
        return self._explain(*self._reading(query), leaf_only)

    def _explain(self, query: str, groups: list[_Group], head: int | None, leaf_only: bool) -> list[Evidence]:
        if not groups:
            return []
        name_score: defaultdict[int, float] = defaultdict(float)
        matched_name_words: defaultdict[int, set[str]] = defaultdict(set)
        group_words: defaultdict[int, dict[int, set[str]]] = defaultdict(dict)  # category -> group -> words
        title_by_group: list[dict[int, float]] = []
        hinted: set[int] = set()  # categories that WordNet's kinds of the head word name
        for group_index, group in enumerate(groups):
            weight_outside = 1.0 if group.in_item or group.context else OUTSIDE_WEIGHT
            # Each query word counts once: by its best reading (itself or a synonym phrase) per category.
            best_name: dict[int, tuple[float, set[str]]] = {}
            best_title: dict[int, float] = {}
            readings = itertools.chain(((r, False) for r in group.readings), ((r, True) for r in group.hints))
            for reading, hint in readings:
                phrase, weight = reading.words, reading.weight * weight_outside
                name_sum: defaultdict[int, float] = defaultdict(float)
                in_name: defaultdict[int, set[str]] = defaultdict(set)
                title_sum: defaultdict[int, float] = defaultdict(float)
                for word in phrase:
                    idf = self._name_idf.get(word, IDF_CAP)
                    # A describing word is never what a category is a kind of: "green" in a title is the
                    # armchair's colour, not Greens; but it may say which kind ("Ice Cream Makers").
                    describing = word in self._describing
                    for category_id, strength in self._by_word.get(word, ()) if reading.names else ():
                        if describing and word in self.by_id[category_id].head_words:
                            continue
                        if hint and self.by_id[category_id].parent_id is None:
                            continue  # a kind as wide as a root ("furniture") says nothing the titles do not
                        if group.context and strength == 1.0:
                            continue
                        name_sum[category_id] += idf * strength
                        if strength == 1.0:
                            in_name[category_id].add(word)
                    for category_id, share in () if group.context else self._title_share.get(word, ()):
                        title_sum[category_id] += share
                if hint:
                    hinted.update(name_sum)
                for category_id, total in name_sum.items():
                    value = weight * total / len(phrase)
                    if value > best_name.get(category_id, (0.0, set()))[0]:
                        best_name[category_id] = (value, in_name[category_id])
                for category_id, total in title_sum.items():
                    value = weight * total / len(phrase)
                    if value > best_title.get(category_id, 0.0):
                        best_title[category_id] = value
            for category_id, (value, name_words) in best_name.items():
                name_score[category_id] += value
                matched_name_words[category_id] |= name_words
                if name_words:
                    group_words[category_id][group_index] = name_words
            title_by_group.append(best_title)

        # What the head word allows: the categories whose names or listings have it. The other words' evidence
        # from listing titles counts fully only there ("gas" is mostly in car ads; a "propane gas grill" is not
        # a car, since no car ad says "grill").
        allowed: set[int] | None = None
        # Under a generic head ("juicer machine"), what the word before it names is a kind of the item.
        modifier_named: set[int] = set()
        if head is not None and head > 0 and groups[head].terms[0] in self._generic:
            modifier_named = {c for c, by_group in group_words.items() if head - 1 in by_group}
        # Where the listings headed by the head word are, most of all: there the head names the item,
        # whatever the category's name ("94 Ford Probe GT" is a car; the Probe is a Ford).
        whole_head = self._named_for_whole_head(groups, head)
        head_home: set[int] = set()
        home_share: dict[int, float] = {}
        if head is not None:
            # A compound head the taxonomy writes ("car seat") is not at home where the titles headed by its
            # last word are (car ads' "leather seats").
            compound = len(groups[head].terms) == 1 and bool(whole_head)
            homes = Counter() if compound else self._head_counts.get(groups[head].terms[-1], Counter())
            if homes:
                top, total = max(homes.values()), sum(homes.values())
                head_home = {c for c, n in homes.items() if n >= HEAD_HOME_SHARE * top}
                reliable = min(1.0, math.log1p(total) / math.log1p(RELIABLE_TITLES))
                home_share = {c: reliable * n / (total + 1) for c, n in homes.items()}
            allowed = {c for c, by_group in group_words.items() if head in by_group} | set(homes) | hinted
            allowed |= modifier_named
            if not allowed:
                allowed = None
        # The head word names a category by the taxonomy ("lawn mower": Lawn Mowers): then a brand's or a
        # maker's company in titles says where that maker's things are sold, not what this item is (Honda's ads
        # are cars; a Honda lawn mower is no car), so it is gated like a common word's. A model's name is not
        # ("scott foil", "ford probe": the titles that have "scott" are what a Foil is).
        head_named = head is not None and any(
            by_group.get(head, set()) & self.by_id[c].head_words for c, by_group in group_words.items()
        )
        title_score: defaultdict[int, float] = defaultdict(float)
        for group_index, best_title in enumerate(title_by_group):
            gated = (
                allowed is not None
                and group_index != head
                and (
                    (head_named and self._maker(groups[group_index].terms))
                    or self._common(groups[group_index].terms)
                )
            )
            for category_id, value in best_title.items():
                if gated and category_id not in allowed:  # type: ignore[operator]
                    value *= UNRELATED_TITLE_FACTOR
                if group_index == head and self._named_for(category_id, groups[head].terms):
                    value *= NAMED_HOME_FACTOR
                title_score[category_id] += value

        head_terms = groups[head].terms if head is not None else None
        ruled_out = self._ruled_out({w for g in groups if g.in_item for w in g.terms})
        # The listings most like the item phrase vote ("Fixie for sale 230 o.b.o": fixies, not what else
        # is for sale at 230).
        item_text = " ".join(w for g in groups if g.in_item for w in g.terms)
        vote_word = head_terms[-1] if head_terms else None
        if modifier_named or (head is not None and head > 0 and groups[head].terms[0] in self._generic):
            # Titles like a "breville juicer machine" are juicers, not any machine: none, if no title says juicer.
            vote_word = groups[head - 1].terms[-1]  # type: ignore[operator]
        votes = (
            self.neighbours.vote(item_text, NEIGHBOURS, NEIGHBOUR_FLOOR, vote_word)
            if NEIGHBOUR_WEIGHT
            and len(content_words(query)) >= NEIGHBOUR_MIN_WORDS
            and (vote_word is None or vote_word in self.neighbours.idf)
            else {}
        )
        if allowed is not None:
            votes = {c: v * (1.0 if c in allowed else UNRELATED_TITLE_FACTOR) for c, v in votes.items()}
        query_words = {w for g in groups for w in g.terms}
        said_factor = self._said_factor(
            [w for g in groups if g.in_item for w in g.terms],
            head,
            group_words,
            # the word right before the head (`SaidBranch.modifier`)
            groups[head - 1].terms if head is not None and head > 0 and groups[head - 1].in_item else (),
        )
        item_words = [w for g in groups if g.in_item for w in g.terms]
        query_pairs = set(itertools.pairwise(item_words))
        out: list[Evidence] = []
        # An accessory or part as the item's head ("android chargers", "turntable case"): the categories only
        # its modifiers name are what it fits, not what it is.
        modifier_only: set[int] = set()
        accessory_head = head_terms is not None and head_terms[-1] in self._accessories
        one_kind = self._one_kind(query, groups, head)
        off_domain = self._maker_domain(groups, head)
        root_branch = self._bare_root(groups, head)
        for category_id in set(name_score) | set(title_score) | set(votes) | set(home_share):
            cat = self.by_id[category_id]
            if leaf_only and not cat.is_leaf:
                continue
            if (
                category_id not in name_score
                and name_score  # a brand alone ("IKEA") is read by its listings, however spread
                and title_score.get(category_id, 0.0)
                + votes.get(category_id, 0.0)
                + home_share.get(category_id, 0.0)
                < MIN_TITLE_ONLY
            ):
                continue
            # How much of the category's name the query covers, by its best part: "Bicycles" fully,
            # "Bicycle Cages" half, "Food Mixers & Blenders" fully for a blender.
            matched = matched_name_words[category_id]
            # (The whole name a little too: "Woks" is all wok, "Electric Skillets & Woks" is more.)
            best_part = (
                max((self._part_covered(cat, matched, i) for i in range(len(cat.parts))), default=0.0)
                if cat.shared
                else max(
                    (len(matched.intersection(part)) / len(set(part)) for part in cat.parts), default=0.0
                )
            )
            coverage = (1 - WHOLE_NAME) * best_part + WHOLE_NAME * len(matched) / max(1, len(cat.name_words))
            # Words next to each other in the query and in the name: "car seat" in Baby & Toddler Car Seats.
            pairs = max(
                (len(query_pairs.intersection(itertools.pairwise(part))) for part in cat.parts), default=0
            )
            # "iPhone" names a phone, so it should find Mobile Phones before Mobile Phone Cases: the query
            # must match what the category is a kind of (its head word), not only a modifier.
            headless = 1.0 if matched & cat.head_words or category_id in modifier_named else HEADLESS_FACTOR
            kind = 1.0
            by_group = group_words[category_id]
            # An accessory's home is no home where a category is named for it: whole bicycles' and cars' ads
            # end with their "new tires", but "road bike tires" are Bicycle Tires. Unless a kind named apart
            # from it names the home: a "DSLR 18-55mm and 55-210mm lens" is the camera with its lenses.
            at_home = head_home
            if accessory_head and head_named and head not in by_group and head is not None:
                apart = [
                    g
                    for g in by_group
                    if g < head - 1 and groups[g].in_item and self._kind(groups[g].terms) == 2
                ]
                at_home = head_home if apart else set()
            if head is not None and matched and category_id not in at_home | hinted | modifier_named:
                if head not in by_group:
                    kind = MODIFIER_ONLY_FACTOR  # only the item's modifiers name it ("desk" for a desk lamp)
                    if accessory_head and category_id in self._accessory_cats:
                        kind = 1.0  # accessories of what the modifiers name: a turntable case, Turntable Accessories
                    elif accessory_head:
                        kind *= ACCESSORY_OF_FACTOR
                        modifier_only.add(category_id)
                    elif head_named and matched <= self._used_with.intersection(item_words):
                        # (said as such: a maker's reading, Nissan's "car", says what the item is)
                        kind *= USED_WITH_FACTOR
                elif not by_group[head] & cat.head_words:
                    kind = MODIFIER_HEAD_FACTOR  # named for the item, as a kind of something else
                    if self._accompaniment(cat, by_group, groups):
                        kind *= ACCOMPANIMENT_FACTOR
                    elif self._reversed(cat, by_group, groups, head):
                        kind *= REVERSED_FACTOR
            name = (
                (name_score.get(category_id, 0.0) + PAIR_BONUS * pairs)
                * (1 - COVERAGE + COVERAGE * coverage)
                * headless
            )
            # Where the listings headed by the item's word are filed tells most where no name says it ("Ford
            # Probe"); among categories all named for it (storage, china, file cabinets) the word's titles
            # already count, and the home's share would count them twice.
            named = head_terms is not None and self._named_for(category_id, head_terms)
            home = home_share.get(category_id, 0.0) * (NAMED_HOME_FACTOR if named else 1.0)
            title = TITLE_WEIGHT * title_score.get(category_id, 0.0) + HOME_WEIGHT * home
            vote = NEIGHBOUR_WEIGHT * votes.get(category_id, 0.0)
            prior = POPULARITY * math.log1p(self.listing_count.get(category_id, 0)) + BRANCH * math.log1p(
                self.branch_count.get(self.branch_of(category_id), 0)
            )
            if whole_head and category_id not in whole_head:
                kind *= UNNAMED_HEAD_FACTOR
            if ruled_out & cat.name_words:
                kind *= CONTRARY_FACTOR
            if (
                off_domain is not None
                and category_id not in off_domain[1]
                and off_domain[0] & by_group.keys()
            ):
                kind *= DOMAIN_FACTOR
            if root_branch and category_id not in root_branch and not cat.name_words <= query_words:
                kind *= ROOT_WORD_FACTOR
            # (not a set named for the head: Ping Pong Paddles & Sets for paddles, Bedroom Furniture Sets)
            if (
                one_kind
                and category_id in self._set_categories
                and not set(head_terms or ()) & cat.name_words
            ):
                kind *= ONE_KIND_SET_FACTOR
            score = (name + title + vote + prior) * kind
            if not cat.is_leaf:
                score *= NON_LEAF_FACTOR
            trade = self._trade_of.get(category_id)
            if trade is not None and not self._trade[trade] & query_words:
                score *= TRADE_FACTOR
            out.append(Evidence(cat, score, name, coverage, kind, title, vote, prior))
        out = self._pair_lifted(query, groups, out)
        out.sort(key=lambda e: (-e.score, e.category.path.count(" > "), e.category.path))
        if head_terms is not None:
            named_for_head = [e for e in out[:3] if self._named_for(e.category.id, head_terms)]
            roots = {e.category.path.split(" > ")[0] for e in named_for_head}
            others = [w for w in item_words if w not in head_terms and self.model.knows(w)]
            if len(named_for_head) >= 2 and (len(roots) == 1 or not others):
                # Several categories of one department are named for the item's head word ("metal cabinet":
                # storage, file, china): which one is the seller's to say; the model would pick the most
                # listed. Across departments ("Acer 22 inch monitor": Activity Monitors, Computer Monitors)
                # the item's other words say which, as the titles filed in each read; not when no title has
                # any of them ("planter boxes", "casio keyboard"): the model would know only which is listed more.
                return self._branches_applied(out, said_factor)
        return self._branches_applied(
            self._reranked(query, out, head_terms[-1] if head_terms else None, whole_head, modifier_only),
            said_factor,
        )

    def _maker_domain(self, groups: list[_Group], head: int | None) -> tuple[set[int], frozenset[int]] | None:
        """A maker of one or a few kinds of thing in the item phrase (rules/search/branches.yaml, `domains`),
        not the item's head itself: the groups of the item's other words that may name a category outside the
        maker's branches (the head, or every word when no word is the head), and the categories in them.
        None when no such maker is said."""
        item = [(i, g) for i, g in enumerate(groups) if g.in_item]
        terms = [w for _, g in item for w in g.terms]
        for makers, members in self._domains:
            said = [m for m in makers if _says(terms, m)]
            if not said:
                continue
            maker_words = {w for m in said for w in m}
            at = [i for i, g in item if set(g.terms) <= maker_words]
            others = {i for i, g in item if i not in at}
            if head is not None:
                # (before the head: a "bike fender" is the bicycle's, whatever a Fender makes)
                others &= {head} if at and min(at) < head else set()
            if others:
                return others, members
        return None

    def _bare_root(self, groups: list[_Group], head: int | None) -> frozenset[int]:
        """The branch of a top-level category that the item's only kind word names ("furniture", "vintage
        furniture"), or none: with another word that may name the item ("cat furniture", "computer hardware")
        that word says which."""
        if head is None or len(groups[head].terms) != 1:
            return frozenset()
        branch = self._root_words.get(groups[head].terms[0], frozenset())
        others = [g for i, g in enumerate(groups) if g.in_item and i != head]
        if branch and all(all(t in self._describing for t in g.terms) for g in others):
            return branch
        return frozenset()

    def _one_kind(self, query: str, groups: list[_Group], head: int | None) -> bool:
        """Whether the query names one kind of thing and no set: its head a kind the taxonomy names (not a set
        word), no other kind named apart from it ("table and chairs"), no word saying a set ("dinette set")."""
        if head is None or self._kind(groups[head].terms) != 2:
            return False
        terms = [w for g in groups for w in g.terms]
        if any(w in self._set_words for w in terms):
            return False
        return not self._kind_pairs(words(_AND.sub(" and ", query)))

    @staticmethod
    def _reversed(
        cat: IndexedCategory, by_group: dict[int, set[str]], groups: list[_Group], head: int
    ) -> bool:
        """Whether a word before the query's head names what the category is a kind of ("light" in "light oak
        tables" for Billiard Table Lights), the head only its modifier."""
        before = {w for g, ws in by_group.items() if g < head and groups[g].in_item for w in ws}
        return bool(before & cat.head_words)

    @staticmethod
    def _accompaniment(cat: IndexedCategory, by_group: dict[int, set[str]], groups: list[_Group]) -> bool:
        """Whether only words after the item phrase name what the category is a kind of: "bindings" in
        "snowboard with bindings" for Snowboard Bindings (the item is the snowboard)."""
        inside = {w for g, ws in by_group.items() if groups[g].in_item for w in ws}
        outside = {
            w for g, ws in by_group.items() if not groups[g].in_item and not groups[g].context for w in ws
        }
        return bool(outside & cat.head_words) and not inside & cat.head_words

    @staticmethod
    def _part_covered(cat: IndexedCategory, matched: set[str], index: int) -> float:
        """How much of the category's name part `index` the matched words cover (its shared modifiers count
        SHARED_MODIFIER each, for the last part)."""
        part = set(cat.parts[index])
        covered, size = float(len(matched & part)), float(len(part))
        if index == len(cat.parts) - 1 and cat.shared:
            covered += SHARED_MODIFIER * len(matched & cat.shared)
            size += SHARED_MODIFIER * len(cat.shared)
        return covered / size

    def _named_for_whole_head(self, groups: list[_Group], head: int | None) -> frozenset[int]:
        """The categories named for the item's head as a whole, when it is more than one word: a product
        phrase's taxonomy reading ("electric guitar" -> guitar: Guitars), or a compound of the word before it
        and the head that the taxonomy's names write ("car seat": Baby & Toddler Car Seats). Empty otherwise."""
        if head is None:
            return frozenset()
        group = groups[head]
        if len(group.terms) > 1:
            phrases = [set(r.words) for r in group.readings if r.names and r.words]
            return frozenset(
                c.id
                for c in self.by_id.values()
                if any(p <= c.name_words and any(part[-1] in p for part in c.parts) for p in phrases)
            )
        before = groups[head - 1] if head > 0 else None
        if before is None or not before.in_item or len(before.terms) != 1:
            return frozenset()
        modifier, word = before.terms[0], group.terms[0]
        if (modifier, word) not in self._name_bigrams:
            return frozenset()
        return frozenset(
            c.id for c in self.by_id.values() if any(p[-1] == word and modifier in p for p in c.parts)
        )

    def _ruled_out(self, terms: set[str]) -> frozenset[str]:
        """The words a category's name must not have, by the query's words that rule them out ("gas")."""
        out: set[str] = set()
        for one, other in self._contrary:
            if terms & one:
                out |= other - terms
            if terms & other:
                out |= one - terms
        return frozenset(out)

    @staticmethod
    def _branches_applied(ranked: list[Evidence], factor: Callable[[int], float]) -> list[Evidence]:
        """The ranking with what the query's branch words say applied last, after the title model, which
        reads "spin bike" by the bicycles' titles."""
        moved = [
            dataclasses.replace(e, score=e.score * f) if (f := factor(e.category.id)) != 1.0 else e
            for e in ranked
        ]
        moved.sort(key=lambda e: (-e.score, e.category.path.count(" > "), e.category.path))
        return moved

    def _pair_lifted(self, query: str, groups: list[_Group], ranked: list[Evidence]) -> list[Evidence]:
        """The scores with where the titles naming two of the query's kinds of thing apart are filed lifted
        ("table with 6 chairs", "couch + chair": a dining set, a living room set), when one of them is in
        the item phrase and that place is a kind of neither (a set of both)."""
        item = {w for g in groups if g.in_item for w in g.terms}
        pairs = (
            [
                p
                for p in self._kind_pairs(words(_AND.sub(" and ", query)))
                if {self._canonical(w) for w in item}.intersection(p)
            ]
            if ranked
            else []
        )
        shares: dict[int, float] = {}
        said_kinds = {w for g in groups for w in g.terms} - self._set_words
        # The sets the query's own words name ("patio" table and chairs: Outdoor Furniture Sets), best first:
        # the titles naming both kinds say the item is a set, those words say which.
        named_sets = sorted(
            (e for e in ranked if e.name > 0 and e.category.head_words & self._set_words),
            key=lambda e: -e.name,
        )
        set_names = {e.category.id: e.name for e in named_sets}
        for pair in pairs:
            counts = self._pair_counts.get(pair)
            if not counts:
                continue
            total = sum(counts.values())
            top, n = counts.most_common(1)[0]
            # Only a set of both, a kind of neither: titles of TV mounts name a TV too, but a mount is no TV.
            # Nor a kind of another word of the query: a "TV with entertainment stand" is a TV, though the
            # titles naming a TV and an entertainment center are mostly stands.
            if (set(pair) | said_kinds) & self.by_id[top].head_words:
                continue
            if total >= PAIR_MIN_TITLES and n >= PAIR_MIN_SHARE * total:
                root = self.by_id[top].path.split(" > ")[0]
                kin = [
                    e for e in named_sets if e.category.path.split(" > ")[0] == root
                ]  # sets of the same things
                if top in self._set_categories and kin and kin[0].name > set_names.get(top, 0.0):
                    top = kin[0].category.id
                shares[top] = max(shares.get(top, 0.0), n / total)
        if not shares:
            return ranked
        lift = PAIR_LIFT * max(e.score for e in ranked)
        lifted = {e.category.id for e in ranked}
        out = [
            dataclasses.replace(e, score=e.score + lift * shares[e.category.id])
            if e.category.id in shares
            else e
            for e in ranked
        ]
        for category_id, share in shares.items():  # a set no word of the query names
            if category_id not in lifted:
                out.append(Evidence(self.by_id[category_id], lift * share, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0))
        return out

    def _said_factor(
        self,
        item_terms: list[str],
        head: int | None,
        group_words: dict[int, dict[int, set[str]]],
        before_head: tuple[str, ...] = (),
    ) -> Callable[[int], float]:
        """What the branches the query says make of a category's score: a "spin bike" is an exercise bike
        when the exercise branch has a category named for a bike; a "hot wheels car" a toy car. Only the item
        phrase says a branch (a GPS "for car" is a GPS). Branches are data (rules/search/branches.yaml,
        `said`)."""
        inside: list[frozenset[int]] = []  # said, with a category named for the head word
        for branch, members in self._said:
            # (a pet's branch, said right before the head, holds the item whatever names it)
            if (
                any(_says(item_terms, phrase) for phrase in branch.phrases)
                and head is not None
                and (
                    any(head in group_words.get(c, {}) for c in members)
                    or (branch.modifier and before_head in branch.phrases)
                )
            ):
                inside.append(members)

        def factor(category_id: int) -> float:
            value = 1.0
            for members in inside:
                if category_id not in members:
                    value *= SAID_FACTOR
            return value

        return factor

    def _reranked(
        self,
        query: str,
        ranked: list[Evidence],
        head_word: str | None,
        whole_head: frozenset[int] = frozenset(),
        modifier_only: set[int] | frozenset[int] = frozenset(),
    ) -> list[Evidence]:
        """The best few matches lifted by the title model's posterior among them; not when no title has the
        item's head word (the model would judge a "gas grill" by "gas", which car ads have)."""
        best = ranked[:MODEL_CANDIDATES]
        if not MODEL_WEIGHT or not best or (head_word is not None and not self.model.knows(head_word)):
            return ranked
        posterior = self.model.posterior(query, [e.category.id for e in best])
        if not posterior:
            return ranked
        lift = MODEL_WEIGHT * best[0].score
        # Nor is a category that a head of several words rules out (UNNAMED_HEAD_FACTOR): the model reads a
        # "yamaha acoustic guitar" by the bicycle ad that sold a guitar too, and knows no Guitars listing.
        # Nor is a category only the head's modifiers name, when another is named for the head: the model
        # reads "android chargers" by the phone ads that mention a charger; a charger is no phone.
        headed = any(e.category.id not in modifier_only and e.name > 0 for e in best)
        posterior = {
            c: p
            if self.listing_count.get(c, 0) >= MODEL_MIN_LISTINGS
            and (not whole_head or c in whole_head)
            and not (headed and c in modifier_only)
            else 0.0
            for c, p in posterior.items()
        }
        lifted = [
            dataclasses.replace(
                e, score=e.score + lift * posterior[e.category.id], model=posterior[e.category.id]
            )
            for e in best
        ]
        lifted.sort(key=lambda e: (-e.score, e.category.path.count(" > "), e.category.path))
        return lifted + ranked[MODEL_CANDIDATES:]
