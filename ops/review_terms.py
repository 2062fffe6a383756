"""The review's words: its failure tags and the share of conversations queued at random. A module of its
own, with no imports, so a command's options can name them without loading the store and the monitor."""

from __future__ import annotations

from typing import Literal

Tag = Literal["wrong_category", "bad_price", "did_not_ask", "invented_fact", "tone", "other"]
TAGS: tuple[Tag, ...] = ("wrong_category", "bad_price", "did_not_ask", "invented_fact", "tone", "other")
TAG_LABELS: dict[Tag, str] = {
    "wrong_category": "wrong category",
    "bad_price": "bad price",
    "did_not_ask": "did not ask",
    "invented_fact": "invented a fact",
    "tone": "tone",
    "other": "other",
}
DEFAULT_RANDOM_SHARE = 0.05
