"""The listings whose titles are most like a query (tf-idf cosine over stemmed words), and the categories
they are filed under: a vote that knows word combinations ("Scott Foil 56cm" is a bicycle, though "Scott"
alone is anything) where per-word evidence does not."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from marketplace.text import content_words

# A query of at most this many words names an item ("IKEA Malm dresser"): only titles with its rarest word
# and its item word vote. A longer one is a whole title, whose last named word is often a detail
# ("... w/ smart remote"): every similar title votes.
SHORT_QUERY = 4


class TitleNeighbours:
    def __init__(self, listing_titles: Iterable[tuple[int, str]]) -> None:
        """`listing_titles`: (category_id, title) of the listings to vote."""
        self.categories: list[int] = []
        bags: list[frozenset[str]] = []
        for category_id, title in listing_titles:
            self.categories.append(category_id)
            bags.append(frozenset(content_words(title)))
        df: Counter[str] = Counter(w for bag in bags for w in bag)
        n = len(bags)
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._norms: list[float] = []
        for index, bag in enumerate(bags):
            self._norms.append(math.sqrt(sum(self.idf[w] ** 2 for w in bag)) or 1.0)
            for w in bag:
                self._postings[w].append(index)

    def vote(
        self, query: str, k: int = 10, floor: float = 0.0, item_word: str | None = None
    ) -> dict[int, float]:
        """Categories of the `k` most similar titles, each with the sum of their cosine similarities; titles
        less similar than `floor` do not vote (a word or two in common is no evidence); for a short query,
        neither do titles without its rarest word or without `item_word` (what the item is). A query whose
        last word is in no title gets no votes: no listing is like a "burr coffee grinder", however many
        titles say "coffee table"."""
        all_words = content_words(query)
        words = [w for w in all_words if w in self.idf]
        named = [w for w in all_words if not any(ch.isdigit() for ch in w)]
        head = named[-1] if named else None
        if not words or head not in self.idf:
            return {}
        query_norm = math.sqrt(sum(self.idf[w] ** 2 for w in words))
        dots: defaultdict[int, float] = defaultdict(float)
        for w in words:
            weight = self.idf[w] ** 2
            for index in self._postings[w]:
                dots[index] += weight
        candidates = list(dots.items())
        if len(all_words) <= SHORT_QUERY:
            # A "metal tool cabinet" is like the tool cabinets, not the many metal cabinets that share two of
            # its words; an "IKEA Malm dresser" like Malm dressers, not Malm beds.
            having = set(self._postings[max(words, key=lambda w: self.idf[w])])
            if item_word is not None and item_word in self.idf:
                having &= set(self._postings[item_word])
            candidates = [(i, dot) for i, dot in candidates if i in having]
        best = heapq.nlargest(k, candidates, key=lambda item: item[1] / self._norms[item[0]])
        votes: defaultdict[int, float] = defaultdict(float)
        for index, dot in best:
            similarity = dot / (self._norms[index] * query_norm)
            if similarity >= floor:
                votes[self.categories[index]] += similarity
        return dict(votes)
