"""Facet counting from per-reader cached arrays instead of Whoosh's ``groupedby``.

``groupedby`` rebuilds a per-document value list on every search (36 ms for the multi-valued
municipality facet alone; ../shared/SEARCH-NOTES.md §4.3). Instead, once per reader generation we
invert each facet field's postings into a document → value-code array, and a search then only
runs ``Counter`` over the matching document numbers. The same arrays give the procedural flag
used by the ranking and the year/organisation pairs used by trends.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np

from indexer import analysis
from indexer.schema import MULTI_VALUED, YES
from indexer.docsets import PostingCache
from indexer.scoring import RankArrays

SINGLE_FIELDS = ("kind", "organisation", "body", "has_decision", "procedural", "date")
MULTI_FIELDS = tuple(sorted(MULTI_VALUED))
MISSING = -1
POSTINGS_CACHE_MB = 256  # decoded posting lists kept per reader generation (indexer.docsets)
EMPTY: tuple[int, ...] = ()


@dataclass
class FieldArray:
    """Values of one field for every document of a reader, as small integer codes."""

    vocab: list[str]
    single: array | None  # code per document (MISSING when absent), single-valued fields
    multi: list[tuple[int, ...]] | None  # codes per document, multi-valued fields

    def count(self, docs: Iterable[int] | np.ndarray) -> Counter[str]:
        """Value counts over ``docs``; a numpy array of doc numbers takes the vectorised path."""
        if isinstance(docs, np.ndarray):
            return self._count_array(docs)
        if self.single is not None:
            codes = self.single
            counts = Counter(codes[d] for d in docs)
            counts.pop(MISSING, None)
        else:
            lists = self.multi or []
            counts = Counter(chain.from_iterable(lists[d] for d in docs))
        return Counter({self.vocab[c]: n for c, n in counts.items()})

    def _count_array(self, docs: np.ndarray) -> Counter[str]:
        """``np.bincount`` over value codes: 1–2 ms for 50 000 documents, against ~40 ms for
        ``Counter`` over a generator (profile 4 in BENCHMARKS.md)."""
        if self.single is not None:
            codes = self.codes()[docs]
            codes = codes[codes != MISSING]
        else:
            offsets, values = self.csr()
            starts, ends = offsets[docs], offsets[docs + 1]
            lengths = ends - starts
            total = int(lengths.sum())
            if not total:
                return Counter()
            shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            codes = values[shift + np.arange(total)]
        counts = np.bincount(codes, minlength=len(self.vocab)) if len(codes) else np.zeros(0, np.int64)
        return Counter({self.vocab[c]: int(counts[c]) for c in np.flatnonzero(counts)})

    def codes(self) -> np.ndarray:
        """The single-valued codes as a numpy view (no copy; built once, read-only after)."""
        found = self.__dict__.get("_codes")
        if found is None:
            found = self.__dict__["_codes"] = np.frombuffer(self.single or array("i"), dtype=np.int32)
        return found

    def csr(self) -> tuple[np.ndarray, np.ndarray]:
        """Multi-valued codes as offsets + values (compressed rows), built once."""
        found = self.__dict__.get("_csr")
        if found is None:
            lists = self.multi or []
            lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
            offsets = np.zeros(len(lists) + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            values = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(offsets[-1]))
            found = self.__dict__["_csr"] = (offsets, values)
        return found

    def values(self, doc: int) -> tuple[str, ...]:
        if self.single is not None:
            code = self.single[doc]
            return () if code == MISSING else (self.vocab[code],)
        return tuple(self.vocab[c] for c in (self.multi or [])[doc])

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


class FacetArrays:
    """All facet arrays of one reader; build once, then share between threads read-only."""

    def __init__(self, reader: object) -> None:
        self.doc_count = reader.doc_count_all()  # type: ignore[attr-defined]
        self.fields: dict[str, FieldArray] = {}
        for name in (*SINGLE_FIELDS, *MULTI_FIELDS):
            self.fields[name] = self._invert(reader, name, multi=name in MULTI_VALUED)
        self.years = self._years(reader)
        proc = self.fields["procedural"]
        yes = proc.vocab.index(YES) if YES in proc.vocab else None
        self.procedural = bytes(
            1 if yes is not None and code == yes else 0 for code in (proc.single or ())
        )
        self.rank = RankArrays(reader, self.procedural)
        self.postings = PostingCache(POSTINGS_CACHE_MB * 2**20)

    def _invert(self, reader: object, name: str, *, multi: bool) -> FieldArray:
        vocab: list[str] = []
        single = array("i", [MISSING]) * self.doc_count if not multi else None
        lists: list[list[int]] | None = [[] for _ in range(self.doc_count)] if multi else None
        if name in reader.schema:  # type: ignore[attr-defined]
            for raw in reader.lexicon(name):  # type: ignore[attr-defined]
                value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                code = len(vocab)
                vocab.append(value)
                for doc in reader.postings(name, value).all_ids():  # type: ignore[attr-defined]
                    if single is not None:
                        single[doc] = code
                    else:
                        lists[doc].append(code)  # type: ignore[index]
        multi_codes = [tuple(x) if x else EMPTY for x in lists] if lists is not None else None
        return FieldArray(vocab, single, multi_codes)

    def _years(self, reader: object) -> FieldArray:
        """The year column (NUMERIC fills absent values with a sentinel, treated as missing)."""
        vocab: list[str] = []
        index: dict[int, int] = {}
        codes = array("i", [MISSING]) * self.doc_count
        if not self.doc_count or not reader.has_column("year"):  # type: ignore[attr-defined]
            return FieldArray(vocab, codes, None)
        column = reader.column_reader("year")  # type: ignore[attr-defined]
        for doc, value in enumerate(column):
            if isinstance(value, int) and 1000 <= value <= 3000:
                if value not in index:
                    index[value] = len(vocab)
                    vocab.append(str(value))
                codes[doc] = index[value]
        return FieldArray(vocab, codes, None)

    def field(self, name: str) -> FieldArray:
        return self.years if name == "year" else self.fields[name]


class FacetCache:
    """FacetArrays per reader generation; thread-safe, keeps the two newest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, object], FacetArrays] = {}
        self._building: dict[tuple[str, object], threading.Lock] = {}

    def get(self, key: str, reader: object) -> FacetArrays:
        """The arrays for this reader, built once even when many threads ask at the same time.

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
            built = FacetArrays(reader)
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
