"""Finished search results shared by the worker processes of one ``protokoll serve``.

Each process keeps its own ``results.ResultCache`` in memory, but the server answers with one
worker process per core and every request goes to whichever worker accepts it first
(``webui.server``: no keep-alive). A user's next page, facet click or CSV export of the same
search, or a script asking the API for the page a person just saw, therefore landed on another
worker half of the time (with two) and was computed again: at 100 000 meetings about 30 ms of
CPU each time. This store lets a worker find what any other worker of the same server computed.

It is a ``diskcache.Cache`` (SQLite plus files) in a private temporary folder that the server's
master creates before it forks and removes when it stops (``webui.server``), so it lives exactly
as long as the server: nothing is read from an earlier run, and the benchmark's first requests
are computed, not found. Keys name the reader generation (``ReaderState.key``), so a commit or
a new generation never serves an older answer. It is a cache and nothing else: any failure to
read or write it (a full disk, the folder removed under us, a lock held too long) is a miss.

The SQLite connection must not be used across a fork: ``diskcache`` opens one per thread and
process (it notices a changed process id and opens a new connection), and the server's master
closes its own before it forks (``SearchService.close`` in ``warm``).
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import diskcache

from indexer.results import SearchResult

# A result pickles to about 10–40 KB (a page of 20 hits with snippets and up to 50 values per
# facet), so this holds some thousands of searches; the least recently stored go first.
SIZE_LIMIT_BYTES = 256 * 2**20
# A writer holds SQLite's lock for a fraction of a millisecond; waiting longer than this means
# something is wrong, and computing the answer is the better use of the time.
TIMEOUT_S = 0.5
# What reading or writing the store can raise: SQLite and the file system, and unpickling an
# entry that is damaged (AttributeError and TypeError come from pickle for a record whose
# class no longer fits, e.g. a store named by ``SHARED_RESULTS_DIR`` that outlived an upgrade).
_FAILURES = (diskcache.Timeout, sqlite3.Error, OSError, pickle.PickleError, EOFError,
             AttributeError, TypeError)  # fmt: skip


class SharedResults:
    """A cross-process map from (generation key, request) to ``SearchResult`` in ``folder``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._cache: diskcache.Cache | None = None

    def get(self, generation: Hashable, request: Hashable) -> SearchResult | None:
        try:
            found = self._open().get(_key(generation, request))
        except _FAILURES:
            return None
        return found if isinstance(found, SearchResult) else None

    def put(self, generation: Hashable, request: Hashable, result: SearchResult) -> None:
        try:
            self._open().set(_key(generation, request), result)
        except _FAILURES:
            pass

    def clear(self) -> None:
        try:
            self._open().clear()
        except _FAILURES:
            pass

    def close(self) -> None:
        """Close this thread's connection (the next use opens a new one)."""
        with self._lock:
            if self._cache is not None:
                self._cache.close()

    def _open(self) -> diskcache.Cache:
        with self._lock:
            if self._cache is None:
                self._cache = diskcache.Cache(
                    str(self.folder), size_limit=SIZE_LIMIT_BYTES, timeout=TIMEOUT_S,
                    eviction_policy="least-recently-stored", statistics=False,
                )
            return self._cache


def _key(generation: Hashable, request: Any) -> str:
    """The same text in every worker: a request is a frozen dataclass of strings, numbers and
    sorted tuples, so its repr does not depend on the process."""
    return hashlib.sha256(repr((generation, request)).encode("utf-8")).hexdigest()
