"""The garbage collector while a command starts: paused, then settled (`marketplace/gc_tuning.py`).

Each collection during start-up walked what start-up had made so far (modules, the app's routes and models,
the agent), nearly all of it kept for the life of the process: 0.2-0.3 s of CPU in a `trova serve` start.
With collections paused, what start-up leaves unreachable (about 2,400 objects, 0.7 MB in `trova serve`)
waits for the settling, which can free it first rather than freeze it with the rest.
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


def settle(*, collect: bool) -> bool:
    """Collections back on, young ones less often, what exists frozen out of their walks (once per process:
    True when it did). `collect`: first free what start-up left unreachable, at the price of one full
    collection (0.1-0.25 s), for a caller no request waits for."""
    if collect and gc.get_freeze_count() == 0:
        gc.collect()
    settled = settle_after_startup()
    gc.enable()
    return settled
