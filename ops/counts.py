"""A count said with its noun, the two agreeing: "1 turn", "3 turns", "1,200 listings"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and `noun`, plural unless `n` is 1: `noun` + "s" unless the irregular `plural` is given."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
