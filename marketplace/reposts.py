"""One ad posted again: how many different ads a set of comparables holds.

A seller who posts the same item again, or many sellers copying one ad, add listings but no evidence about
the price: whether a word tier has enough comparables to price from must not depend on how many times its
ads were posted. Listings are one ad when they are in the same condition and their titles have the same
words once the ad's own words ("obo", "must go") are left out. A reposted ad's variants (a word dropped,
"like new" added) join it as well: a set of titles within `NEAR_WORDS` words of a larger one that holds
at most `MINORITY` of its listings is a variant of it, not another ad. Two ads of about as many listings each
stay two, and so does every pair of ads posted once (all that the seed marketplace holds), whatever their
words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from marketplace.conditions import Condition
from marketplace.item_kinds import kind_words
from marketplace.text import words

NEAR_WORDS = 3  # a variant's words differ from its ad's in at most this many (one dropped, "like new" added)
# ... and it holds at most this share of the ad's listings. At most, not under: a probe of 60 listings
# (`marketplace.retrieval.PROBE`) holds each of a few ads' copies a handful of times, and a variant with two
# beside its ad's four was counted as a fifth ad (a tier of four ads judged enough at 1M listings). An ad
# posted once still never absorbs another (1 is more than half of 1).
MINORITY = 0.5


class Posted(Protocol):
    """What the grouping reads of a comparable (`marketplace.pricing.Candidate`)."""

    @property
    def title(self) -> str: ...
    @property
    def condition(self) -> Condition: ...
    @property
    def words(self) -> frozenset[str]: ...  # the title's words (empty: not yet computed)


def _item_key(ws: frozenset[str]) -> frozenset[str]:
    # Not memoised: most titles have no ad word, and then the title's own set is the key (no new object);
    # a memo of every title seen held two frozensets a title, each walked by every full garbage collection.
    ad = kind_words().ad_words
    return ws if ws.isdisjoint(ad) else ws - ad


def distinct_ads(comps: Sequence[Posted], at_least: int | None = None) -> int:
    """How many different ads `comps` hold (see the module's doc). With `at_least`, a set of fewer kinds of
    titles than that is answered at once (it cannot hold more ads than kinds of titles)."""
    sizes: dict[tuple[Condition, frozenset[str]], int] = {}
    get = sizes.get
    for c in comps:  # called for every set a comparison judges: no calls per listing but the cached key
        key = (c.condition, _item_key(c.words or frozenset(words(c.title))))
        sizes[key] = get(key, 0) + 1
    if at_least is not None and len(sizes) < at_least:
        return len(sizes)
    ads: list[tuple[Condition, frozenset[str], int]] = []
    # Largest first (ties in the comparables' order), so an ad's variants meet the ad before themselves.
    for (condition, ws), size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        if not any(
            condition == hc and size <= MINORITY * held and len(ws ^ hs) <= NEAR_WORDS for hc, hs, held in ads
        ):
            ads.append((condition, ws, size))
            if at_least is not None and len(ads) >= at_least:
                break
    return len(ads)
