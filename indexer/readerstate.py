"""Everything the search layer keeps per reader generation, built once and shared read-only.

A generation's ``ReaderState`` holds the facet value arrays (``indexer.facets``), the year column,
the procedural flags and ranking arrays (``indexer.scoring.RankArrays``), and the generation's two
caches: decoded posting lists (``indexer.docsets.PostingCache``) and finished results
(``indexer.results.ResultCache``). ``ReaderStateCache`` builds it once per generation, even when
many threads ask at the same time, and keeps the two newest. ``SearchService.warm`` builds it
before ``protokoll serve`` forks its workers, so they share the arrays.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

import numpy as np

from indexer.docsets import PostingCache
from indexer.facets import MISSING, FieldArray, JointCodes, ValueSets
from indexer.facetspec import FACET_SPECS
from indexer.results import ResultCache
from indexer.schema import MULTI_VALUED, YES
from indexer.scoring import RankArrays
from indexer.whoosh_internals import field_postings, numeric_column

# Fields inverted into value arrays: every facet counted from postings (the facet table), plus
# the ones browsing and ranking need. The year facet is read from its column (``_years``).
COUNTED_FIELDS = tuple(dict.fromkeys(
    [s.field for s in FACET_SPECS if s.values != "year"] + ["kind", "procedural", "date"]
))
# Decoded posting lists and query answers kept per reader generation (indexer.docsets). The
# 268-query benchmark mix needs 288 MB at 100 000 meetings; with 256 MB the LRU thrashed and the
# repeated pass was as slow as the first (p95 522 ms), with 1 024 MB it took p95 63 ms.
POSTINGS_CACHE_MB = 512
# Finished results kept per generation (indexer.results.ResultCache): about 80 KB each in memory
# (a page of hits with snippets, up to 50 values per facet; measured on the 10 000-meeting mix),
# so a full cache is about 40 MB per server process. Off with the posting cache (cache MB 0).
RESULT_CACHE_SIZE = 512
CACHE_ENV = "PROTOKOLL_CACHE_MB"


class ReaderState:
    """Everything the search layer keeps per reader generation: the facet value arrays, the
    year column, the procedural flags and ranking arrays (``rank``) and the posting cache
    (``postings``) and finished results (``results``). Built once, then shared between threads
    read-only (the two caches lock themselves), but for ``attested``, which only grows: two
    threads asking about the same concept member write the same answer."""

    def __init__(self, reader: object, key: tuple[str, object]) -> None:
        # (generation name, its segments and their document counts): names this generation's
        # results in the store the server's processes share (``indexer.sharedresults``)
        self.key = key
        self.doc_count = reader.doc_count_all()  # type: ignore[attr-defined]
        self.fields: dict[str, FieldArray] = {}
        for name in COUNTED_FIELDS:
            self.fields[name] = self._invert(reader, name, multi=name in MULTI_VALUED)
        self.years = self._years(reader)
        self.joint = JointCodes.of({spec.field: self.field(spec.field) for spec in FACET_SPECS})
        proc = self.fields["procedural"]
        flags = np.zeros(self.doc_count, dtype=np.uint8)
        if YES in proc.vocab and proc.codes is not None:
            flags[proc.codes == proc.vocab.index(YES)] = 1
        self.procedural = flags.tobytes()
        self.rank = RankArrays(reader, self.procedural)
        self.postings = PostingCache(cache_megabytes() * 2**20)
        self.results = ResultCache(RESULT_CACHE_SIZE if cache_megabytes() else 0)
        self.attested: dict[str, bool] = {}  # concept member → the generation holds it (expansion.attested)

    def _invert(self, reader: object, name: str, *, multi: bool) -> FieldArray:
        """Each value's posting list, the whole field at once (``field_postings``; deleted
        documents included: they never reach a count, which always starts from a live doc set)."""
        by_value = field_postings(reader, name)
        vocab = sorted(by_value)  # the lexicon's order: UTF-8 bytes sort as code points do
        postings = [by_value[v] for v in vocab]
        if not multi:
            codes = np.full(self.doc_count, MISSING, dtype=np.int32)
            for code, ids in enumerate(postings):
                codes[ids] = code
            return FieldArray(vocab, codes=codes)
        docs = np.concatenate(postings) if postings else np.zeros(0, dtype=np.int32)
        codes = np.concatenate([np.full(len(ids), c, dtype=np.int32) for c, ids in enumerate(postings)]) \
            if postings else np.zeros(0, dtype=np.int32)
        order = np.argsort(docs, kind="stable")
        offsets = np.zeros(self.doc_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(docs, minlength=self.doc_count), out=offsets[1:])
        values = codes[order]
        return FieldArray(vocab, offsets=offsets, values_=values, sets=ValueSets.of(offsets, values))

    def _years(self, reader: object) -> FieldArray:
        """The year column (NUMERIC fills absent values with a sentinel, treated as missing).

        The column holds Whoosh's sortable encoding; only its few distinct values are decoded.
        """
        codes = np.full(self.doc_count, MISSING, dtype=np.int32)
        if not self.doc_count or not reader.has_column("year"):  # type: ignore[attr-defined]
            return FieldArray([], codes=codes)
        field = reader.schema["year"]  # type: ignore[attr-defined]
        distinct, inverse = np.unique(numeric_column(reader, "year"), return_inverse=True)
        decoded = [field.from_column_value(int(v)) for v in distinct.tolist()]
        valid = [isinstance(y, int) and 1000 <= y <= 3000 for y in decoded]
        years = sorted({y for y, ok in zip(decoded, valid) if ok})
        code_of = np.array([years.index(y) if ok else MISSING for y, ok in zip(decoded, valid)],
                           dtype=np.int32)
        codes[: len(inverse)] = code_of[inverse.ravel()]
        return FieldArray([str(y) for y in years], codes=codes)

    def field(self, name: str) -> FieldArray:
        return self.years if name == "year" else self.fields[name]

    def count_together(self, names: list[str], docs: np.ndarray) -> dict[str, Counter[str]]:
        """Value counts of several fields over the same ``docs``: the single-valued ones in
        one pass (``JointCodes``), the others one by one."""
        joint = self.joint.counts(docs) if self.joint is not None else {}
        return {name: self.field(name).counter(joint[name]) if name in joint
                else self.field(name).count(docs) for name in names}

    def sorted_codes(self, name: str) -> tuple[list[str], np.ndarray] | None:
        """(values in term order, each document's value index) of a single-valued indexed
        field, for ``indexer.docsets.range_mask``; None for any other field."""
        found = self.fields.get(name)
        if found is None or found.codes is None:
            return None
        return found.vocab, found.codes


def cache_megabytes() -> int:
    """``$PROTOKOLL_CACHE_MB`` when it is a whole number ≥ 0, else ``POSTINGS_CACHE_MB``."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    return int(raw) if raw.isdigit() else POSTINGS_CACHE_MB


class ReaderStateCache:
    """``ReaderState`` per reader generation; thread-safe, keeps the two newest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, object], ReaderState] = {}
        self._building: dict[tuple[str, object], threading.Lock] = {}

    def get(self, key: str, reader: object) -> ReaderState:
        """The state of this reader, built once even when many threads ask at the same time.

        Building outside any lock let 16 cold request threads build the same arrays 16 times
        over (a 30 s cold start at 300 meetings under load); one build lock per generation
        makes the others wait for the first build instead.
        """
        gen = (key, _reader_key(reader))
        with self._lock:
            found = self._cache.get(gen)
            if found is not None:
                return found
            building = self._building.setdefault(gen, threading.Lock())
        with building:
            with self._lock:
                found = self._cache.get(gen)
            if found is not None:
                return found
            built = ReaderState(reader, gen)
            with self._lock:
                self._cache[gen] = built
                self._building.pop(gen, None)
                while len(self._cache) > 2:
                    self._cache.pop(next(iter(self._cache)))
            return built


    def clear_caches(self) -> None:
        """Empty every held generation's posting and result caches and its remembered concept
        members (its arrays stay)."""
        with self._lock:
            states = list(self._cache.values())
        for state in states:
            state.postings.clear()
            state.results.clear()
            state.attested.clear()


def _reader_key(reader: object) -> object:
    """Identity of a reader's content: generation plus its segments (refresh may reuse them)."""
    segments = getattr(reader, "readers", None)
    parts = [reader.generation()]  # type: ignore[attr-defined]
    for sub in segments or [reader]:
        seg = getattr(sub, "segment", lambda: None)()
        parts.append(getattr(seg, "segid", None) if seg else None)
        parts.append(sub.doc_count())  # deletions change the count, not the segment id
    return tuple(parts)
