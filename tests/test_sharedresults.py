"""Results shared between the server's worker processes (``indexer.sharedresults``).

Real indexes, real forked processes and a real ``diskcache`` folder: a result one process
computed is found by another, a new index generation is never answered from the store, and a
broken store only costs a recomputation.
"""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS

from indexer.index import build_index
from indexer.query import SearchRequest
from indexer.search import SearchService
from indexer.sharedresults import SharedResults


class _Counting(SearchService):
    """A search service that counts the searches it computed (not found in a cache)."""

    computed = 0

    def _search_within_budget(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.computed += 1
        return super()._search_within_budget(*args, **kwargs)


def _child_searches(index_dir: str, store: SharedResults, conn) -> None:  # type: ignore[no-untyped-def]
    """In a forked process: ask the parent's search, then compute one of its own."""
    try:
        service = _Counting(index_dir, shared=store)
        found = service.search(SearchRequest(q="beslut"))
        own = service.search(SearchRequest(q="budget"))
        service.close()
        conn.send((service.computed, found.total, own.total))
    except BaseException as exc:  # the parent must hear about any failure
        conn.send(repr(exc))
    finally:
        conn.close()


def test_a_result_computed_in_one_process_is_found_by_another(built_index: Path, tmp_path: Path) -> None:
    store = SharedResults(tmp_path / "svar")
    parent = _Counting(built_index, shared=store)
    try:
        asked = parent.search(SearchRequest(q="beslut"))
        assert parent.computed == 1 and asked.total > 0
        ctx = multiprocessing.get_context("fork")  # as gunicorn starts its workers
        mine, theirs = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child_searches, args=(str(built_index), store, theirs))
        child.start()
        try:
            answer = mine.recv() if mine.poll(300) else "the child never answered"
        finally:
            child.join(60)
            if child.is_alive():
                child.kill()
        assert not isinstance(answer, str), answer
        computed, found_total, own_total = answer
        assert computed == 1  # "beslut" came from the store, "budget" was computed
        assert found_total == asked.total
        # ... and what the child computed, the parent finds without computing it again.
        budget = parent.search(SearchRequest(q="budget"))
        assert parent.computed == 1 and budget.total == own_total > 0
        # The same answer as computing it here, hits in the same order.
        alone = SearchService(built_index)
        try:
            expected = alone.search(SearchRequest(q="budget"))
        finally:
            alone.close()
        assert [h.item_id for h in budget.hits] == [h.item_id for h in expected.hits]
        assert budget.facets == expected.facets
    finally:
        parent.close()


def test_a_new_generation_is_never_answered_from_the_store(tmp_path: Path) -> None:
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    files = sorted(CORPUS.glob("*.txt"))
    shutil.copy2(files[0], corpus / files[0].name)
    index_dir = tmp_path / "index"
    assert not build_index(corpus, index_dir).failed
    store = SharedResults(tmp_path / "svar")
    request = SearchRequest(q="")  # every item: its total grows with the archive
    first = _Counting(index_dir, shared=store)
    try:
        before = first.search(request).total
    finally:
        first.close()
    shutil.copy2(files[1], corpus / files[1].name)
    assert build_index(corpus, index_dir).added
    second = _Counting(index_dir, shared=store)
    try:
        after = second.search(request).total
        assert second.computed == 1 and after > before
    finally:
        second.close()


def test_a_broken_store_costs_only_a_recomputation(built_index: Path, tmp_path: Path) -> None:
    folder = tmp_path / "svar"
    folder.write_text("inte en mapp")  # the store cannot open: every use is a miss
    service = _Counting(built_index, shared=SharedResults(folder))
    plain = SearchService(built_index)
    try:
        got = service.search(SearchRequest(q="beslut"))
        expected = plain.search(SearchRequest(q="beslut"))
        assert got.total == expected.total > 0
        assert [h.item_id for h in got.hits] == [h.item_id for h in expected.hits]
        service.clear_caches()
        service.search(SearchRequest(q="beslut"))
        assert service.computed == 2
    finally:
        service.close()
        plain.close()


def test_clear_caches_empties_the_store_too(built_index: Path, tmp_path: Path) -> None:
    store = SharedResults(tmp_path / "svar")
    service = _Counting(built_index, shared=store)
    try:
        service.search(SearchRequest(q="beslut"))
        service.clear_caches()  # the benchmark's first pass must compute every query
        service.search(SearchRequest(q="beslut"))
        assert service.computed == 2
    finally:
        service.close()


def test_a_cut_short_answer_is_not_shared(built_index: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from indexer import budget

    store = SharedResults(tmp_path / "svar")
    monkeypatch.setattr(budget, "QUERY_SECONDS", 0.0)  # every search runs out of time at once
    first = _Counting(built_index, shared=store)
    try:
        assert first.search(SearchRequest(q="beslut")).cut_short
    finally:
        first.close()
    monkeypatch.setattr(budget, "QUERY_SECONDS", 60.0)
    second = _Counting(built_index, shared=store)
    try:
        result = second.search(SearchRequest(q="beslut"))
        assert second.computed == 1 and not result.cut_short and result.total > 0
    finally:
        second.close()
