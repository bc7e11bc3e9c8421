"""One ``SearchService`` per app, opened on first use.

The service is thread-safe (it keeps one Whoosh searcher per thread and follows index
rebuilds), so the app shares it across requests; it is opened lazily so that ``create_app``
works before an index exists (``protokoll serve`` builds one first) and a missing index becomes
a Swedish 503 page instead of a crash at start.
"""

from __future__ import annotations

import atexit
import threading
from typing import Any

from flask import Flask, current_app

from indexer.readerstate import cache_megabytes
from indexer.search import SearchService
from indexer.sharedresults import SharedResults

_KEY = "protokoll_service"


class _Holder:
    def __init__(self, index_dir: str, corpus_dir: str | None, shared_dir: str | None) -> None:
        self.index_dir = index_dir
        self.corpus_dir = corpus_dir
        # Off with the process's own caches (``PROTOKOLL_CACHE_MB=0``).
        self.shared = SharedResults(shared_dir) if shared_dir and cache_megabytes() else None
        self._service: SearchService | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchService:
        if self._service is None:
            with self._lock:
                if self._service is None:
                    self._service = SearchService(self.index_dir, corpus_dir=self.corpus_dir,
                                                  shared=self.shared)
        return self._service

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None


def init_app(app: Flask) -> None:
    corpus: Any = app.config.get("CORPUS_DIR")
    shared: Any = app.config.get("SHARED_RESULTS_DIR")
    holder = _Holder(str(app.config["INDEX_DIR"]), str(corpus) if corpus else None,
                     str(shared) if shared else None)
    app.extensions[_KEY] = holder
    atexit.register(holder.close)


def get_service() -> SearchService:
    """The app's search service (raises ``IndexMissing`` when no index has been built)."""
    holder: _Holder = current_app.extensions[_KEY]
    return holder.get()
