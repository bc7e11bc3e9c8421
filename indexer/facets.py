"""Facet counting from per-reader cached arrays instead of Whoosh's ``groupedby``.

``groupedby`` rebuilds a per-document value list on every search (36 ms for the multi-valued
municipality facet alone; ../shared/SEARCH-NOTES.md §4.3). Instead, once per reader generation we
invert each facet field's postings into numpy document → value-code arrays, and a search then
only runs ``np.bincount`` over the matching document numbers. The same arrays give the procedural flag
used by the ranking and the year/organisation pairs used by trends.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from indexer import analysis
from indexer.docsets import PostingCache, read_postings
from indexer.facetspec import FACET_SPECS
from indexer.schema import MULTI_VALUED, YES
from indexer.scoring import RankArrays
from indexer.whoosh_internals import numeric_column

# Fields inverted into value arrays: every facet counted from postings (the facet table), plus
# the ones browsing and ranking need. The year facet is read from its column (``_years``).
COUNTED_FIELDS = tuple(dict.fromkeys(
    [s.field for s in FACET_SPECS if s.values != "year"] + ["kind", "procedural", "date"]
))
MISSING = -1
# Decoded posting lists and query answers kept per reader generation (indexer.docsets). The
# 268-query benchmark mix needs 288 MB at 100 000 meetings; with 256 MB the LRU thrashed and the
# repeated pass was as slow as the first (p95 522 ms), with 1 024 MB it took p95 63 ms.
POSTINGS_CACHE_MB = 512
CACHE_ENV = "PROTOKOLL_CACHE_MB"


@dataclass
class FieldArray:
    """Values of one field for every document of a reader, as small integer codes in numpy.

    Single-valued fields hold one code per document (``MISSING`` when absent); multi-valued
    ones hold compressed rows: the codes of document ``d`` are ``values[offsets[d]:offsets[d+1]]``.
    At 1.5 million items a Python list per document cost ~100 bytes each and seconds to build;
    these arrays cost 4–8 bytes per value and count with ``np.bincount``.
    """

    vocab: list[str]
    codes: np.ndarray | None = None  # int32 per document, single-valued fields
    offsets: np.ndarray | None = None  # int64, doc_count + 1, multi-valued fields
    values_: np.ndarray | None = None  # int32 codes, multi-valued fields

    def count(self, docs: Iterable[int] | np.ndarray) -> Counter[str]:
        """Value counts over ``docs`` (doc numbers), 1–2 ms for 50 000 documents."""
        if not isinstance(docs, np.ndarray):
            docs = np.fromiter(docs, dtype=np.int64)
        if self.codes is not None:
            codes = self.codes[docs]
            codes = codes[codes != MISSING]
        else:
            codes = self.multi_codes(docs)
        if not len(codes):
            return Counter()
        counts = np.bincount(codes, minlength=len(self.vocab))
        return Counter({self.vocab[c]: int(counts[c]) for c in np.flatnonzero(counts)})

    def multi_codes(self, docs: np.ndarray) -> np.ndarray:
        assert self.offsets is not None and self.values_ is not None
        starts = self.offsets[docs]
        lengths = self.offsets[docs + 1] - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(0, dtype=np.int32)
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return self.values_[shift + np.arange(total)]

    def values(self, doc: int) -> tuple[str, ...]:
        if self.codes is not None:
            code = int(self.codes[doc])
            return () if code == MISSING else (self.vocab[code],)
        assert self.offsets is not None and self.values_ is not None
        row = self.values_[self.offsets[doc] : self.offsets[doc + 1]]
        return tuple(self.vocab[c] for c in row.tolist())

    def resolve(self, raw: str) -> list[str]:
        """Index values a user's value means: exact, then case-insensitive, then accent-folded."""
        if raw in self.vocab:
            return [raw]
        lower = raw.casefold()
        found = [v for v in self.vocab if v.casefold() == lower]
        if found:
            return found
        folded = analysis.fold(raw)
        found = [v for v in self.vocab if analysis.fold(v) == folded]
        if found:
            return found
        core = _core(raw)  # "Västerbotten" means "Västerbottens län", "Umeås kommun" means "Umeå"
        return [v for v in self.vocab if core and _core(v) == core]


def _core(value: str) -> str:
    """A facet value without the words people leave out: län/kommun/stad and a genitive -s."""
    words = analysis.fold(value).split()
    while len(words) > 1 and words[-1] in ("lan", "kommun", "stad"):
        words.pop()
    core = " ".join(words)
    return core[:-1] if core.endswith("s") and len(core) > 4 else core


class ReaderState:
    """Everything the search layer keeps per reader generation: the facet value arrays, the
    year column, the procedural flags and ranking arrays (``rank``) and the posting cache
    (``postings``). Built once, then shared between threads read-only."""

    def __init__(self, reader: object) -> None:
        self.doc_count = reader.doc_count_all()  # type: ignore[attr-defined]
        self.fields: dict[str, FieldArray] = {}
        for name in COUNTED_FIELDS:
            self.fields[name] = self._invert(reader, name, multi=name in MULTI_VALUED)
        self.years = self._years(reader)
        proc = self.fields["procedural"]
        flags = np.zeros(self.doc_count, dtype=np.uint8)
        if YES in proc.vocab and proc.codes is not None:
            flags[proc.codes == proc.vocab.index(YES)] = 1
        self.procedural = flags.tobytes()
        self.rank = RankArrays(reader, self.procedural)
        self.postings = PostingCache(cache_megabytes() * 2**20)

    def _invert(self, reader: object, name: str, *, multi: bool) -> FieldArray:
        """Each value's posting list, read with ``indexer.docsets`` (deleted documents included:
        they never reach a count, which always starts from a live doc set)."""
        vocab: list[str] = []
        postings: list[np.ndarray] = []
        if name in reader.schema:  # type: ignore[attr-defined]
            for raw in reader.lexicon(name):  # type: ignore[attr-defined]
                value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                vocab.append(value)
                postings.append(read_postings(reader, name, value)[0])
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
        return FieldArray(vocab, offsets=offsets, values_=codes[order])

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
            built = ReaderState(reader)
            with self._lock:
                self._cache[gen] = built
                self._building.pop(gen, None)
                while len(self._cache) > 2:
                    self._cache.pop(next(iter(self._cache)))
            return built


def _reader_key(reader: object) -> object:
    """Identity of a reader's content: generation plus its segments (refresh may reuse them)."""
    segments = getattr(reader, "readers", None)
    parts = [reader.generation()]  # type: ignore[attr-defined]
    for sub in segments or [reader]:
        seg = getattr(sub, "segment", lambda: None)()
        parts.append(getattr(seg, "segid", None) if seg else None)
        parts.append(sub.doc_count())  # deletions change the count, not the segment id
    return tuple(parts)
