"""The garbage collector while a command starts: paused, then settled (`marketplace/gc_tuning.py`).

Each collection during start-up walked what start-up had made so far (modules, the app's routes and models,
the agent), nearly all of it kept for the life of the process: 0.2-0.4 s of CPU in a `trova serve` start.
What start-up leaves unreachable (about 2,400 objects, 0.7 MB in `trova serve`) is frozen with the rest
rather than collected: freeing it would take one full collection, a walk of everything start-up made
(0.1-0.3 s, holding the interpreter), the very cost this saves.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from marketplace.gc_tuning import settle_after_startup

P = ParamSpec("P")
R = TypeVar("R")


def paused_while_starting(command: Callable[P, R]) -> Callable[P, R]:
    """`command` runs with collections paused until it calls `settle`; they are back on when it returns or
    raises, whatever happened (a command run in-process, by tests, leaves the collector as it found it)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return run


def settle() -> bool:
    """Start-up is done: what exists frozen out of the collector's walks, young collections less often
    (`settle_after_startup`, once per process: True when it did), and collections back on."""
    settled = settle_after_startup()
    gc.enable()
    return settled
