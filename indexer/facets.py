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
from indexer.docsets import PostingCache
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
MISSING = -1
# Decoded posting lists and query answers kept per reader generation (indexer.docsets). The
# 268-query benchmark mix needs 288 MB at 100 000 meetings; with 256 MB the LRU thrashed and the
# repeated pass was as slow as the first (p95 522 ms), with 1 024 MB it took p95 63 ms.
POSTINGS_CACHE_MB = 512
# Finished results kept per generation (indexer.results.ResultCache): about 80 KB each in memory
# (a page of hits with snippets, up to 50 values per facet; measured on the 10 000-meeting mix),
# so a full cache is about 40 MB per server process. Off with the posting cache (cache MB 0).
RESULT_CACHE_SIZE = 512
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
    sets: ValueSets | None = None  # multi-valued fields whose documents share few value sets

    def count(self, docs: Iterable[int] | np.ndarray) -> Counter[str]:
        """Value counts over ``docs`` (doc numbers), 1–2 ms for 50 000 documents."""
        if not isinstance(docs, np.ndarray):
            docs = np.fromiter(docs, dtype=np.int64)
        if self.codes is not None:
            shifted = self.codes[docs] + 1  # MISSING (-1) lands in bin 0, dropped
            counts = np.bincount(shifted, minlength=len(self.vocab) + 1)[1:]
        elif self.sets is not None:
            counts = self.sets.counts(docs, len(self.vocab))
        else:
            counts = np.bincount(self.multi_codes(docs), minlength=len(self.vocab))
        return self.counter(counts)

    def counter(self, counts: np.ndarray) -> Counter[str]:
        """Value → count for the codes with a count above zero."""
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


@dataclass
class ValueSets:
    """A multi-valued field's rows grouped into the distinct sets of values they hold.

    An item's municipalities are mostly its organisation's members, so 1.5 million documents
    hold about 10 000 distinct municipality sets (100 000 synthetic meetings). Counting a facet
    then takes one gather and ``bincount`` over the matching documents' set ids, and a second
    ``bincount`` over the few sets' values, instead of gathering every value of every matching
    document (at 100 000 meetings and 5 % of the documents: 0.4 against 7 ms for
    municipalities).

    Rows are grouped by a sum of random 64-bit numbers, one per value (``_row_keys``): equal
    sets give equal sums, two different sets the same sum with a chance of 2⁻⁶⁴. A second,
    independent sum checks every group; should two sets share the first, the field is counted
    value by value, so a wrong merge needs both sums to agree (2⁻¹²⁸ per pair of sets). The
    numbers are drawn anew in every process, so no document can be made to collide on purpose.
    Finding the sets costs 0.4 s at 100 000 meetings, once per generation; sorting the padded
    rows instead was exact by construction but cost a second more.
    """

    MAX_SHARE = 0.25  # not worth it when the distinct sets are more than this share of the rows

    n_sets: int
    of_doc: np.ndarray  # int32 set id per document
    set_rows: np.ndarray  # int64, with set_codes: the (set, value code) pairs of all sets
    set_codes: np.ndarray  # int64

    def counts(self, docs: np.ndarray, vocab_size: int) -> np.ndarray:
        """Value counts (int64 per code) over ``docs``."""
        per_set = np.bincount(self.of_doc[docs], minlength=self.n_sets)
        weighted = np.bincount(self.set_codes, weights=per_set[self.set_rows], minlength=vocab_size)
        return weighted.astype(np.int64)  # whole numbers far below 2**53: exact

    @classmethod
    def of(cls, offsets: np.ndarray, values: np.ndarray) -> ValueSets | None:
        """The sets of CSR rows (``offsets``, ``values``), or None when grouping would not pay
        (no values, or mostly distinct rows)."""
        doc_count = len(offsets) - 1
        if not len(values) or not doc_count:
            return None
        lengths = np.diff(offsets)
        first_key, second_key = _row_keys(offsets, values, lengths)
        # Neighbouring documents (a meeting's items) mostly hold the same set: the distinct
        # sets are looked for among the first rows of runs of equal keys only.
        change = np.ones(doc_count, dtype=bool)
        change[1:] = (first_key[1:] != first_key[:-1]) | (second_key[1:] != second_key[:-1])
        heads = np.flatnonzero(change)
        _, first, head_set = np.unique(first_key[heads], return_index=True, return_inverse=True)
        if (second_key[heads] != second_key[heads[first]][head_set]).any():
            return None  # two sets share a first key: count value by value
        n_sets = len(first)
        if n_sets > cls.MAX_SHARE * doc_count:
            return None
        of_doc = head_set.ravel().astype(np.int32)[np.cumsum(change) - 1]
        holder = heads[first]  # one document holding each set
        sizes = lengths[holder]
        set_rows = np.repeat(np.arange(n_sets, dtype=np.int64), sizes)
        within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        set_codes = values[np.repeat(offsets[:-1][holder], sizes) + within].astype(np.int64)
        return cls(n_sets, of_doc, set_rows, set_codes)


def _row_keys(offsets: np.ndarray, values: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    """Two uint64 keys per row: sums (wrapping) of random numbers drawn per value code."""
    rng = np.random.default_rng()
    filled = lengths > 0  # reduceat gives an empty row its neighbour's value: left at 0
    starts = offsets[:-1][filled]
    keys = []
    for _ in range(2):
        per_code = rng.integers(0, 2**64, size=int(values.max()) + 1, dtype=np.uint64)
        key = np.zeros(len(lengths), dtype=np.uint64)
        key[filled] = np.add.reduceat(per_code[values], starts)
        keys.append(key)
    return keys


def _core(value: str) -> str:
    """A facet value without the words people leave out: län/kommun/stad and a genitive -s."""
    words = analysis.fold(value).split()
    while len(words) > 1 and words[-1] in ("lan", "kommun", "stad"):
        words.pop()
    core = " ".join(words)
    return core[:-1] if core.endswith("s") and len(core) > 4 else core


@dataclass
class JointCodes:
    """Several single-valued fields folded into one number per document, counted together.

    A results page counts every facet over the same matching documents. For the single-valued
    ones (organisation, body, year, decision) that was one gather and one ``bincount`` each over
    up to a million documents; folded, it is one of each, and every field's counts are sums over
    the small table of value combinations (at 100 000 meetings 53 × 9 × 30 × 3 cells). Code 0
    of each field means "no value"; a field joins only while the table stays under ``MAX_CELLS``.
    """

    MAX_CELLS = 1 << 20

    names: tuple[str, ...]
    sizes: tuple[int, ...]  # each field's vocabulary + 1
    joint: np.ndarray  # int32 per document

    @classmethod
    def of(cls, fields: dict[str, FieldArray]) -> JointCodes | None:
        names: list[str] = []
        sizes: list[int] = []
        for name, fa in fields.items():
            cells = np.prod([*sizes, len(fa.vocab) + 1], dtype=np.float64)
            if fa.codes is None or cells > cls.MAX_CELLS:
                continue
            names.append(name)
            sizes.append(len(fa.vocab) + 1)
        if len(names) < 2:
            return None
        joint = np.zeros(len(fields[names[0]].codes), dtype=np.int32)  # type: ignore[arg-type]
        for name, size in zip(names, sizes):
            joint *= size
            joint += fields[name].codes + 1  # type: ignore[operator]
        return cls(tuple(names), tuple(sizes), joint)

    def counts(self, docs: np.ndarray) -> dict[str, np.ndarray]:
        """Each field's counts per code (its vocabulary's length) over ``docs``."""
        cells = int(np.prod(self.sizes))
        table = np.bincount(self.joint[docs], minlength=cells).reshape(self.sizes)
        axes = range(len(self.sizes))
        return {name: table.sum(axis=tuple(a for a in axes if a != axis))[1:]
                for axis, name in enumerate(self.names)}


class ReaderState:
    """Everything the search layer keeps per reader generation: the facet value arrays, the
    year column, the procedural flags and ranking arrays (``rank``) and the posting cache
    (``postings``) and finished results (``results``). Built once, then shared between threads
    read-only (the two caches lock themselves)."""

    def __init__(self, reader: object) -> None:
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
            built = ReaderState(reader)
            with self._lock:
                self._cache[gen] = built
                self._building.pop(gen, None)
                while len(self._cache) > 2:
                    self._cache.pop(next(iter(self._cache)))
            return built


    def clear_caches(self) -> None:
        """Empty every held generation's posting and result caches (its arrays stay)."""
        with self._lock:
            states = list(self._cache.values())
        for state in states:
            state.postings.clear()
            state.results.clear()


def _reader_key(reader: object) -> object:
    """Identity of a reader's content: generation plus its segments (refresh may reuse them)."""
    segments = getattr(reader, "readers", None)
    parts = [reader.generation()]  # type: ignore[attr-defined]
    for sub in segments or [reader]:
        seg = getattr(sub, "segment", lambda: None)()
        parts.append(getattr(seg, "segid", None) if seg else None)
        parts.append(sub.doc_count())  # deletions change the count, not the segment id
    return tuple(parts)
