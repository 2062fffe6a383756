"""A seller's misspelt word read as the known word one slip away ("Nintedo swich" -> nintendo switch).

Category search knows the words of the taxonomy, of its synonym tables and of the listings' titles; a word
in none of them says nothing to it, and a typo of a product name ("swich", "stero", "bettle") leaves the
query without its item. Such a word is read as the known word one edit away (a letter left out, added,
changed, or two letters swapped), the most used one where there are several. Short words are left alone:
at four letters or fewer one edit reaches too many other words.

A word written as one that is two known words ("textbook", "cookbook") is read as the two, the last the
thing: the taxonomy has Books, not textbooks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

MIN_LETTERS = 5  # the shortest word that is corrected (and the shortest known word it is corrected to)
MIN_PART = 3  # the shortest first part of a word written as two ("text|book")
MIN_HEAD = 4  # the shortest last part: "book", not "ok"
MEMO_SIZE = 10_000  # corrections remembered (sellers' words are many; the memo is cleared when full)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter left out, added or changed, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    if len(a) < len(b):  # one letter added
        return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


class Speller:
    """Corrections to `targets`, known words each with how much it is used (its weight); a word of
    `also_known` (seen, but too seldom to be a correction: a typo in one title) is left as it is."""

    def __init__(self, targets: Mapping[str, float], also_known: Iterable[str] = ()) -> None:
        self._targets = dict(targets)
        self._known = set(self._targets).union(also_known)
        self._by_delete: dict[str, list[str]] = defaultdict(list)
        for word in self._targets:
            if len(word) >= MIN_LETTERS and word.isalpha():
                for gone in _deletes(word) | {word}:
                    self._by_delete[gone].append(word)
        self._memo: dict[str, tuple[str, ...]] = {}

    def knows(self, word: str) -> bool:
        return word in self._known

    def candidates(self, word: str) -> tuple[str, ...]:
        """The known words one edit from `word`, the most used first (none when `word` is known, short or
        has a digit)."""
        if word in self._memo:
            return self._memo[word]
        near: tuple[str, ...] = ()
        if len(word) >= MIN_LETTERS and word.isalpha() and word not in self._known:
            found = {c for key in _deletes(word) | {word} for c in self._by_delete.get(key, ())}
            near = tuple(
                sorted((c for c in found if one_edit(word, c)), key=lambda c: (-self._targets[c], c))
            )
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[word] = near
        return near

    def split(self, word: str) -> tuple[str, str] | None:
        """An unknown word read as a first part and a known last word ("textbook" -> text, book): the split
        whose first part is known too, else the longest last word; None when the word is known or no
        ending of it is a known word."""
        if word in self._known or not word.isalpha():
            return None
        splits = [
            (word[:cut], word[cut:])
            for cut in range(MIN_PART, len(word) - MIN_HEAD + 1)
            if word[cut:] in self._targets
        ]
        if not splits:
            return None
        return next((s for s in splits if s[0] in self._known), splits[0])

    def correction(self, word: str, fit: Callable[[str], float] | None = None) -> str | None:
        """The candidate (`candidates`) that best fits the rest of the query by `fit` (a "1975 camero" is a
        Camaro, not a camera), the most used among equals; None when there is none."""
        near = self.candidates(word)
        if not near:
            return None
        if fit is None:
            return near[0]
        return max(near, key=fit)  # max keeps the first (most used) of equals
