"""How the harness numbers what a person reads: calls, steps, turns, and the items of a list in a
scenario file all count from 1, so a load error's `expect.tools.calls.2` and a run's "expected call 2"
are the same call."""

from __future__ import annotations

from typing import Final

FIRST: Final = 1  # the number of the first of anything shown to a person


def shown(index: int) -> int:
    """The number a person reads for a Python (0-based) index."""
    return index + FIRST
