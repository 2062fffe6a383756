"""The garbage collector once a process has started: what start-up made (modules, the category index, the
app's routes and models, the agent: about 280,000 objects in `trova serve`) is moved out of its reach, and
young collections run less often.

A full collection walks every tracked object, so without this one in a few hundred price comparisons
stopped the process for 120-270 ms on a loaded machine (at 1M listings: `benchmarks/scale.py`); with it
the longest pause was 9-23 ms. Objects made at start-up live as long as the process, so never collecting them loses nothing.
Done once per process: a later call would also freeze the garbage of whatever ran in between.
"""

from __future__ import annotations

import gc

# Allocations between young collections (CPython's default is 700): a request allocates thousands of
# objects, nearly all freed by reference counting, so frequent young collections only walk survivors.
YOUNG_THRESHOLD = 10_000

_done = False


def settle_after_startup() -> bool:
    """Freeze what exists and raise the young threshold, the first time it is called in this process;
    True when it did."""
    global _done
    if _done:
        return False
    _done = True
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return True
