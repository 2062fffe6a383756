"""A least-recently-used cache bounded in bytes, for answers that are correct as long as their key holds
(a price comparison keyed by its query and the version of its category's listings)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_BYTES = 16 * 1024 * 1024


class BoundedCache(Generic[V]):
    """Values with their size (`size_of`, in bytes); the least recently used go first once the total would
    exceed `max_bytes`. A value larger than the whole cache is not kept. Thread-safe (endpoints run in a
    thread pool)."""

    def __init__(self, max_bytes: int = DEFAULT_BYTES, size_of: Callable[[V], int] | None = None) -> None:
        self.max_bytes = max_bytes
        self._size_of = size_of or (lambda _value: 1024)
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: V) -> None:
        size = self._size_of(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def pick(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value for `key`, else `make()`'s, kept."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found
