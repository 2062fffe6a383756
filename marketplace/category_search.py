"""Category search: rank taxonomy categories by how well a seller's words match them.

Evidence, computed once when the app starts:
- the category's own path (the main signal): a word in the category's name counts fully, a word in an
  ancestor's name partly; rarer words count more (capped idf); a name that the query covers entirely
  ranks above one it covers in part ("bike" -> Bicycles before Bicycle Child Seats);
- the titles of listings filed under the category: brand and model words ("trek", "xm4") never appear in
  the taxonomy, but they do appear in the titles of real listings there; word by word, and as a vote of
  the listings whose whole titles are most like the query (`similar_titles.py`);
- where people sell: the listings in the category and in its branch of the taxonomy (a seller's
  "cast iron skillet" is a kitchen skillet, not a food-service Tilt Skillet).

The weights were tuned on a split of the seed's own listings (`benchmarks/category_search.py --dev`),
never on the held-out listings or the everyday items that measure it.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from marketplace.pricing import CompsCache
from marketplace.similar_titles import TitleNeighbours
from marketplace.text import content_words, query_readings, words

ANCESTOR_WEIGHT = 0.4
IDF_CAP = 5.0
TITLE_WEIGHT = 3.0
NON_LEAF_FACTOR = 0.85  # a listing needs a leaf, so at equal evidence a leaf ranks first
HEADLESS_FACTOR = 0.6
# The category's head word matches only a modifier of the query ("xbox one controller": "Video Game Console
# & Controller Batteries" is a kind of battery named for consoles; the item is a controller).
MODIFIER_HEAD_FACTOR = 0.8
MODIFIER_ONLY_FACTOR = 0.75  # the category matches only words that modify the query's head ("desk" lamp)
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


def _head_words(name: str) -> frozenset[str]:
    """The last word of each part of a name: 'Entertainment Centers & TV Stands' -> {center, stand}."""
    heads = set()
    for part in re.split(r"\s*(?:&|,|\band\b)\s*", name):
        ws = content_words(part)
        if ws:
            heads.add(ws[-1])
    return frozenset(heads)


@dataclass(frozen=True, slots=True)
class Hit:
    category: IndexedCategory
    score: float


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
            )
        self.children: dict[int, list[int]] = defaultdict(list)
        for cat in self.by_id.values():
            if cat.parent_id is not None:
                self.children[cat.parent_id].append(cat.id)

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

        titles = list(listing_titles)
        self.neighbours = TitleNeighbours(titles)
        self.listing_count: Counter[int] = Counter()
        self.branch_count: Counter[int] = (
            Counter()
        )  # listings in each branch (see BRANCH_DEPTH), from the seed
        self.seed_pool: dict[int, list[Any]] = {}  # category -> seed listings as price candidates
        self.comps_cache = CompsCache()  # shared by clones, as the seed pool is
        title_df: dict[int, Counter[str]] = defaultdict(Counter)
        all_df: Counter[str] = Counter()
        for category_id, title in titles:
            self.listing_count[category_id] += 1
            self.branch_count[self.branch_of(category_id)] += 1
            ws = set(words(title))
            title_df[category_id].update(ws)
            all_df.update(ws)
        # Evidence from titles: of the listings whose title has the word, the share filed under the category
        # (20 of 23 "subaru" ads are cars, 1 is a set of rims). Words seen in few titles count for less.
        self._title_share: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for category_id, df in title_df.items():
            for w, count in df.items():
                reliability = min(1.0, math.log1p(all_df[w]) / math.log1p(RELIABLE_TITLES))
                self._title_share[w].append((category_id, reliability * count / (all_df[w] + 2)))

    def _item_word(self, query: str) -> str | None:
        """The query's last word that some category's name has: what the item is ("IKEA Malm dresser")."""
        named = [w for w in content_words(query) if w in self._name_idf]
        return named[-1] if named else None

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

    def search(self, query: str, limit: int = 5, leaf_only: bool = False) -> list[Hit]:
        groups = query_readings(query)
        if not groups:
            return []
        name_score: defaultdict[int, float] = defaultdict(float)
        matched_name_words: defaultdict[int, set[str]] = defaultdict(set)
        matched_groups: defaultdict[int, set[int]] = defaultdict(set)
        group_words: defaultdict[int, dict[int, set[str]]] = defaultdict(dict)  # category -> group -> words
        title_score: defaultdict[int, float] = defaultdict(float)
        for group_index, group in enumerate(groups):
            # Each query word counts once: by its best reading (itself or a synonym phrase) per category.
            best_name: dict[int, tuple[float, set[str]]] = {}
            best_title: dict[int, float] = {}
            for reading in group:
                phrase, weight = reading.words, reading.weight
                name_sum: defaultdict[int, float] = defaultdict(float)
                in_name: defaultdict[int, set[str]] = defaultdict(set)
                title_sum: defaultdict[int, float] = defaultdict(float)
                for word in phrase:
                    idf = self._name_idf.get(word, IDF_CAP)
                    for category_id, strength in self._by_word.get(word, ()) if reading.names else ():
                        name_sum[category_id] += idf * strength
                        if strength == 1.0:
                            in_name[category_id].add(word)
                    for category_id, share in self._title_share.get(word, ()):
                        title_sum[category_id] += share
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
                    matched_groups[category_id].add(group_index)
                    group_words[category_id][group_index] = name_words
            for category_id, value in best_title.items():
                title_score[category_id] += value

        # In "desk lamp" the item is a lamp: the last query word that names some category is the head, the
        # words before it only modify it. A category named after a modifier alone ranks lower.
        named = [i for ids in matched_groups.values() for i in ids]
        query_head = max(named) if len(groups) > 1 and named else None
        votes = (
            self.neighbours.vote(query, NEIGHBOURS, NEIGHBOUR_FLOOR, self._item_word(query))
            if NEIGHBOUR_WEIGHT and len(content_words(query)) >= NEIGHBOUR_MIN_WORDS
            else {}
        )
        hits: list[Hit] = []
        for category_id in set(name_score) | set(title_score) | set(votes):
            cat = self.by_id[category_id]
            if leaf_only and not cat.is_leaf:
                continue
            if (
                category_id not in name_score
                and title_score.get(category_id, 0.0) + votes.get(category_id, 0.0) < MIN_TITLE_ONLY
            ):
                continue
            # How much of the category's own name the query covers: "Bicycles" fully, "Bicycle Cages" half.
            matched = matched_name_words[category_id]
            coverage = len(matched) / max(1, len(cat.name_words))
            # "iPhone" names a phone, so it should find Mobile Phones before Mobile Phone Cases: the query
            # must match what the category is a kind of (its head word), not only a modifier.
            head = 1.0 if matched & cat.head_words else HEADLESS_FACTOR
            if (
                head == 1.0
                and query_head is not None
                and query_head in matched_groups[category_id]
                and not group_words[category_id][query_head] & cat.head_words
            ):
                head = MODIFIER_HEAD_FACTOR
            score = (
                name_score.get(category_id, 0.0) * (0.6 + 0.4 * coverage) * head
                + TITLE_WEIGHT * title_score.get(category_id, 0.0)
                + NEIGHBOUR_WEIGHT * votes.get(category_id, 0.0)
            )
            if query_head is not None and matched and query_head not in matched_groups[category_id]:
                score *= MODIFIER_ONLY_FACTOR
            score += POPULARITY * math.log1p(self.listing_count.get(category_id, 0))
            score += BRANCH * math.log1p(self.branch_count.get(self.branch_of(category_id), 0))
            if not cat.is_leaf:
                score *= NON_LEAF_FACTOR
            hits.append(Hit(cat, score))
        hits.sort(key=lambda h: (-h.score, h.category.path.count(" > "), h.category.path))
        return hits[:limit]
