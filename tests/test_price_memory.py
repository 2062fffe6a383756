"""What a price comparison keeps between requests (the issue "The marketplace at a million listings"): the
per-title memos hold nothing the garbage collector has to walk, so a server
that has compared a million different titles pauses no longer than one that has compared a few."""

from __future__ import annotations

import gc

from marketplace.conditions import Condition
from marketplace.item_kinds import is_bundle, other_item
from marketplace.pricing import Candidate
from marketplace.reposts import distinct_ads
from marketplace.search_index import title_terms

TITLES = 3000  # different titles, as a server at 1M listings reads thousands of them an hour


def _titles(start: int = 0) -> list[str]:
    # Varied titles of every shape the kind checks read: plain, listed parts, an accessory, "+" and "with".
    shapes = (
        "Trek {n} road bike",
        "Mattress {n}, modem, router",
        "iPhone {n} case obo",
        "Sofa {n} + ottoman",
        "Canon {n} camera with lens, bag",
    )
    return [shape.format(n=start + n) for n in range(TITLES // len(shapes)) for shape in shapes]


def _compare_titles(titles: list[str]) -> None:
    """The kind checks and the ad count of a comparison, on these titles (the candidates dropped after)."""
    # With their stored words, as the database returns them (`marketplace.search_index.title_terms`).
    comps = [Candidate.of(k, t, 100.0, Condition.GOOD, title_terms(t)) for k, t in enumerate(titles)]
    for t in titles:
        is_bundle(t, ["bike"])
        other_item(t, ["bike"], False)
    distinct_ads(comps)


def test_titles_read_by_comparisons_leave_nothing_for_the_garbage_collector() -> None:
    # A first batch loads whatever loads once (word lists, patterns, and in a long test session anything
    # another test left half-initialised); the second, of other titles, shows what each title leaves.
    _compare_titles(_titles(start=TITLES))
    titles = _titles()
    gc.collect()
    before = len(gc.get_objects())
    _compare_titles(titles)
    gc.collect()
    grown = len(gc.get_objects()) - before
    # Each title remembered as frozensets or objects would be at least one tracked object a title.
    assert grown < len(titles) // 20, grown
