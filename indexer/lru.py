"""A thread-safe map that drops its least recently used entries past a limit on their total cost.

The search layer keeps two such caches per reader generation (``readerstate.ReaderState``): decoded
posting lists, bounded by their bytes (``docsets.PostingCache``), and finished search results,
bounded by their number (``results.ResultCache``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _one(_: object) -> int:
    return 1


class Lru(Generic[K, V]):
    """Entries up to ``limit`` in total ``cost`` (1 each unless told); a value costing more than
    ``max_item`` is not kept, so one giant entry cannot flush everything else. A key already held
    keeps its first value: two threads that computed the same answer store it once."""

    def __init__(self, limit: int, cost: Callable[[V], int] = _one, max_item: int | None = None) -> None:
        self.limit = limit
        self._cost = cost
        self._max_item = limit if max_item is None else max_item
        self._lock = threading.Lock()
        self._items: OrderedDict[K, V] = OrderedDict()
        self._total = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        cost = self._cost(value)
        if self.limit <= 0 or cost > self._max_item:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._total += cost
            while self._total > self.limit and self._items:
                _, dropped = self._items.popitem(last=False)
                self._total -= self._cost(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._total = 0

    def __len__(self) -> int:
        return len(self._items)
