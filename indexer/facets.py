"""Facet counting from per-reader cached arrays instead of Whoosh's ``groupedby``.

``groupedby`` rebuilds a per-document value list on every search (36 ms for the multi-valued
municipality facet alone; ../shared/SEARCH-NOTES.md §4.3). Instead, once per reader generation
(``indexer.readerstate``) each facet field's postings are inverted into numpy document →
value-code arrays (``FieldArray``), and a search then only runs ``np.bincount`` over the matching
document numbers: single-valued fields together (``JointCodes``), multi-valued ones through the
few value sets their documents share (``ValueSets``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from indexer import analysis

MISSING = -1


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
            shifted = self.codes.take(docs) + 1  # MISSING (-1) lands in bin 0, dropped
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
        """Value counts (int64 per code) over ``docs``. ``take`` is indexing's gather with less
        overhead: the facets of the 100 000-meeting bench mix 5.25 → 4.87 ms a query."""
        per_set = np.bincount(self.of_doc.take(docs), minlength=self.n_sets)
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
        table = np.bincount(self.joint.take(docs), minlength=cells).reshape(self.sizes)
        axes = range(len(self.sizes))
        return {name: table.sum(axis=tuple(a for a in axes if a != axis))[1:]
                for axis, name in enumerate(self.names)}
