"""Our posting format: one flat record per term that numpy slices, behind Whoosh's codec API.

Why: at 10 000 meetings 94 % of a cold query was getting postings out of Whoosh's ``whoosh3``
format, which stores 128 postings per zlib-compressed pickle and each posting's positions as a
pickle of their own; a phrase of common words unpickled thousands of position lists. Here a
term's postings are written once, at index time, as plain little-endian arrays, so reading them
is ``np.frombuffer`` plus a ``cumsum`` and no unpickling.

``PostingsCodec`` subclasses ``whoosh.codec.whoosh3.W3Codec`` and overrides its public methods
``postings_writer`` and ``postings_reader`` (this module's format), ``per_document_writer`` and
``per_document_reader`` (stored fields compressed in blocks, ``indexer.storedblocks``) and
``terms_reader`` (memory maps): the term index (``.trm``, with Whoosh's own ``W3TermInfo``
statistics), per-document columns, segments, merges and generations stay Whoosh's. Whoosh pickles each segment's codec
object into the index's TOC, so the class is found by its import path: never move or rename
``indexer.codec.PostingsCodec``. Segments written before it (plain ``W3Codec``) keep being read
by Whoosh's own classes until the index is rebuilt.

A term's record in the segment's ``.pst`` file (all integers little-endian)::

    header   count u32, first doc u32, then one byte each: gap code, weight kind,
             value kind, position code
    gaps     count-1 doc-number gaps as an integer run (below)
    weights  nothing when every weight is 1.0, else count × u8/u16 (whole weights) or f32
    values   POSITIONS: per-document position gaps (the first from 0), count-weighted:
             document i owns weights[i] of them (a ``Positions`` posting's weight is its
             position count; when that does not hold, POSITIONS_COUNTED stores count × u32
             counts first); RAW: count × u32 lengths, then the bytes; NONE and
             UINT_WEIGHT (``Frequency`` fields: the value is the packed weight) store nothing.

An integer run (gaps, position gaps) is stored in whichever of five codes is smallest: plain
u8, u16 or u32 (codes 1–3), or "escaped" (codes 4 and 5): one byte per value, 255 marking a
value of 255 or more, whose true value follows in an exception list of u16 (4) or u32 (5)
after the bytes, in order. Measured on the largest segment of the 10 000-meeting bench index,
96.6 % of position gaps and most doc gaps fit a byte while a few large ones forced whole terms
to u16: escaping shrank gaps 1.89 → 1.30 MB and positions 2.55 → 1.54 MB (postings −29 %).
Decoding stays vectorised: ``flatnonzero(bytes == 255)`` finds the exceptions.

Weights are Whoosh's own float32 values (``W3PostingsWriter`` keeps them in an ``array("f")``),
so BM25F scores are bit-identical to the ``whoosh3`` format's. Everything that still goes
through Whoosh's matcher API (its own scoring, highlighting, span queries, merges via
``iter_postings``) gets ``ArrayMatcher``, which re-encodes a value only when asked for it. A
rebuild's own merge (``indexer.index.compact``) joins records as arrays: ``merge_records``.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import sub
from typing import Any

import numpy as np
from whoosh.codec.base import PostingsWriter
from whoosh.codec.whoosh3 import W3Codec, W3TermsReader
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Format, Positions
from whoosh.matching import LeafMatcher, ReadTooFar
from whoosh.system import pack_uint

from indexer.storedblocks import BlockedPerDocReader, BlockedPerDocWriter, map_file

_HEADER = struct.Struct("<IIBBBB")
_UINTS = (None, np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))  # code → dtype; 0 = absent
ESCAPE = 255  # a byte of an escaped run whose value is in the exception list
_ESCAPED = {4: 2, 5: 3}  # escaped code → exception dtype code
_F32 = np.dtype("<f4")
_TYPECODES = ("", "B", "H", "I")  # the same three widths for the array module
_BIG_ENDIAN = sys.byteorder == "big"
assert array("I").itemsize == 4
W_ONES, W_U8, W_U16, W_F32 = 0, 1, 2, 3  # weight kinds
V_NONE, V_POSITIONS, V_POSITIONS_COUNTED, V_RAW, V_UINT_WEIGHT = 0, 1, 2, 3, 4  # value kinds


def _uint_code(largest: int) -> int:
    """The code of the smallest unsigned dtype that holds ``largest``."""
    return 1 if largest < 1 << 8 else 2 if largest < 1 << 16 else 3


def _run(values: Sequence[int]) -> tuple[int, bytes]:
    """(code, bytes) of an integer run in the smallest of the five codes (module docstring)."""
    largest = max(values, default=0)
    if largest < 1 << 8:
        return 1, _packed(1, values)
    plain = _uint_code(largest)
    big = [v for v in values if v >= ESCAPE]
    exc_code = _uint_code(max(big))
    if exc_code == 1:
        exc_code = 2
    width = {1: 1, 2: 2, 3: 4}
    if len(values) + len(big) * width[exc_code] >= len(values) * width[plain]:
        return plain, _packed(plain, values)
    small = _packed(1, [v if v < ESCAPE else ESCAPE for v in values])
    return (4 if exc_code == 2 else 5), small + _packed(exc_code, big)


def _unrun(buf: Any, code: int, count: int, at: int) -> tuple[np.ndarray, int]:
    """The integer run of ``count`` values at ``at`` (a view for plain codes, a uint32 copy for
    escaped ones) and its length in bytes."""
    if code not in _ESCAPED:
        view = np.frombuffer(buf, dtype=_UINTS[code], count=count, offset=at)
        return view, view.nbytes
    small = np.frombuffer(buf, dtype=_UINTS[1], count=count, offset=at)
    where = np.flatnonzero(small == ESCAPE)
    exceptions = np.frombuffer(buf, dtype=_UINTS[_ESCAPED[code]], count=len(where), offset=at + count)
    out = small.astype(np.uint32)
    out[where] = exceptions
    return out, count + exceptions.nbytes


def _packed(code: int, values: Any) -> bytes:
    """Unsigned integers as little-endian bytes of the dtype ``code`` (pure Python: most terms
    have one or two postings, where numpy's per-call overhead cost more than the work)."""
    out = array(_TYPECODES[code], values)
    if _BIG_ENDIAN:
        out.byteswap()
    return out.tobytes()


def encode_record(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes | None],
                  format_: Format) -> bytes:
    """One term's postings (ascending doc numbers) as the record described above."""
    gap_code, gap_bytes = _run(list(map(sub, ids[1:], ids)))
    parts = [gap_bytes]
    w = array("f", weights)  # W3PostingsWriter keeps float32 weights too
    if all(x == 1.0 for x in w):
        weight_kind = W_ONES
    elif all(x.is_integer() and 0 <= x < 1 << 16 for x in w):
        weight_kind = W_U8 if max(w) < 1 << 8 else W_U16
        parts.append(_packed(weight_kind, map(int, w)))
    else:
        weight_kind = W_F32
        if _BIG_ENDIAN:
            w.byteswap()
        parts.append(w.tobytes())
        if _BIG_ENDIAN:
            w.byteswap()
    value_kind, pos_code = _encode_values(w, values, format_, parts)
    header = _HEADER.pack(len(ids), ids[0], gap_code, weight_kind, value_kind, pos_code)
    return header + b"".join(parts)


class FlatPositions(Positions):
    """Whoosh's ``Positions`` with a flat value: the position count (u32, as Whoosh's, so
    ``decode_frequency`` still reads it) followed by the positions as little-endian u32, where
    Whoosh pickles a list of gaps. Writing a segment pickled every posting's positions in the
    analyzer and unpickled them again here to build our records: a sixth of the writer's CPU,
    profiled on 300 meetings. Now both sides are single C calls and a term's positions are
    read with one ``np.frombuffer``. The schema pickles this class by its import path: never
    move or rename ``indexer.codec.FlatPositions``. Indexes written with ``Positions`` keep it.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        """Whoosh's ``Positions.word_values``, from ``analyzer.term_positions`` when the
        analyzer has it (``indexer.analysis.SwedishAnalyzer``) and the value is indexed text:
        the same (term, count, weight, value) tuples without a ``Token`` per word."""
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is None or not isinstance(value, str) or kwargs.get("mode") != "index" \
                or set(kwargs) != {"mode"}:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, positions in term_positions(value).items():
            n = len(positions)
            yield term, n, float(n) * boost, encode(positions)

    def encode(self, poslist: Sequence[int]) -> bytes:
        out = array("I", poslist)
        if _BIG_ENDIAN:
            out.byteswap()
        return pack_uint(len(out)) + out.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        out = array("I")
        out.frombytes(valuestring[4:])
        if _BIG_ENDIAN:
            out.byteswap()
        return out.tolist()


NUMPY_MIN_POSITIONS = 256  # below this a term's positions are summed in Python (numpy's call cost)


def _flat_deltas(values: Sequence[bytes | None]) -> tuple[list[int], tuple[int, bytes]]:
    """(counts, encoded position run) of ``FlatPositions`` values: per-document gaps, each
    document's first position counted from 0, as ``_run`` would encode them."""
    counts = [(len(v) - 4) >> 2 if v else 0 for v in values]
    joined = b"".join(v[4:] for v in values if v)
    if len(joined) >> 2 >= NUMPY_MIN_POSITIONS:
        flat = np.frombuffer(joined, dtype="<u4").astype(np.int64)
        deltas = np.empty_like(flat)
        deltas[0] = flat[0]
        np.subtract(flat[1:], flat[:-1], out=deltas[1:])
        sizes = np.array(counts, dtype=np.int64)
        starts = (np.cumsum(sizes) - sizes)[sizes > 0]
        deltas[starts] = flat[starts]
        return counts, _run_array(deltas)
    positions = array("I")
    positions.frombytes(joined)
    if _BIG_ENDIAN:
        positions.byteswap()
    gaps: list[int] = []
    at = 0
    for n in counts:
        p = positions[at:at + n]
        gaps += map(sub, p, chain((0,), p))
        at += n
    return counts, _run(gaps)


def _pickled_deltas(values: Sequence[bytes | None], format_: Format) -> tuple[list[int], tuple[int, bytes]]:
    """``_flat_deltas`` for Whoosh's own ``Positions`` values (pickled gaps; older indexes)."""
    decoded = [format_.decode_positions(v) if v else [] for v in values]
    deltas: list[int] = []
    for p in decoded:  # each document's first position counts from 0
        deltas += map(sub, p, chain((0,), p))
    return [len(p) for p in decoded], _run(deltas)


def _run_array(values: np.ndarray) -> tuple[int, bytes]:
    """``_run`` of an int64 array, with numpy: the same code and the same bytes."""
    largest = int(values.max()) if len(values) else 0
    if largest < 1 << 8:
        return 1, values.astype(_UINTS[1]).tobytes()
    plain = _uint_code(largest)
    big = values[values >= ESCAPE]
    exc_code = max(2, _uint_code(int(big.max())))
    width = {1: 1, 2: 2, 3: 4}
    if len(values) + len(big) * width[exc_code] >= len(values) * width[plain]:
        return plain, values.astype(_UINTS[plain]).tobytes()
    small = np.minimum(values, ESCAPE).astype(_UINTS[1])
    return (4 if exc_code == 2 else 5), small.tobytes() + big.astype(_UINTS[exc_code]).tobytes()


def _encode_values(w: array, values: Sequence[bytes | None], format_: Format,
                   parts: list[bytes]) -> tuple[int, int]:
    """Append the values section to ``parts``; (value kind, position dtype code)."""
    if not any(values):
        return V_NONE, 0
    # Exactly these two formats: subclasses (Characters, boosts) encode more than positions.
    if type(format_) is FlatPositions or type(format_) is Positions:
        counts, (pos_code, pos_bytes) = (_flat_deltas(values) if type(format_) is FlatPositions
                                         else _pickled_deltas(values, format_))
        kind = V_POSITIONS
        if any(c != x for c, x in zip(counts, w)):
            kind = V_POSITIONS_COUNTED
            parts.append(_packed(3, counts))
        parts.append(pos_bytes)
        return kind, pos_code
    if all(x.is_integer() and v == pack_uint(int(x)) for v, x in zip(values, w)):
        return V_UINT_WEIGHT, 0
    raw = [v or b"" for v in values]
    parts.append(_packed(3, map(len, raw)))
    parts.append(b"".join(raw))
    return V_RAW, 0


@dataclass(frozen=True)
class Record:
    """One term's decoded postings in one segment: arrays are views of the record's bytes
    except ``ids`` (a cumsum of the gaps) and escaped runs (copies)."""

    ids: np.ndarray  # int64 segment doc numbers, ascending
    weights: np.ndarray  # float32
    value_kind: int
    values: tuple[Any, int, int] | None  # (buffer, offset, position code) of the values section
    raw: tuple[np.ndarray, bytes] | None  # (count+1 offsets, bytes) of V_RAW values

    # Counts and positions are decoded when first asked for: most queries need none. A query
    # of the 100 000-meeting mix decodes about 160 records: 2.5–3.3 ms with the counts read
    # at once, 1.6–2.2 ms without.
    @cached_property
    def counts(self) -> np.ndarray | None:
        """Positions per posting (position kinds only)."""
        if self.value_kind == V_POSITIONS:
            return self.weights.astype(np.int64)
        if self.value_kind == V_POSITIONS_COUNTED and self.values is not None:
            buf, at, _ = self.values
            return np.frombuffer(buf, dtype=_UINTS[3], count=len(self.ids), offset=at).astype(np.int64)
        return None

    @cached_property
    def deltas(self) -> np.ndarray | None:
        """Per-document position gaps (position kinds only); an escaped run is a copy."""
        counts = self.counts
        if counts is None or self.values is None:
            return None
        buf, at, pos_code = self.values
        if self.value_kind == V_POSITIONS_COUNTED:
            at += 4 * len(self.ids)
        return _unrun(buf, pos_code, int(counts.sum()), at)[0]

    def starts(self) -> np.ndarray:
        """Index of each posting's first position gap in ``deltas``."""
        assert self.counts is not None
        return np.cumsum(self.counts) - self.counts

    def positions(self, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(posting index, position) pairs of the postings ``which`` (ascending indexes),
        decoded with one segmented cumsum over just their gaps."""
        assert self.counts is not None and self.deltas is not None
        lens = self.counts[which]
        total = int(lens.sum())
        if not total:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        first = np.cumsum(lens) - lens  # where each chosen posting begins in the output
        gather = np.arange(total, dtype=np.int64) + np.repeat(self.starts()[which] - first, lens)
        gaps = self.deltas[gather].astype(np.int64)
        summed = np.cumsum(gaps)
        nonempty = lens > 0
        base = summed[first[nonempty]] - gaps[first[nonempty]]
        return np.repeat(which, lens), summed - np.repeat(base, lens[nonempty])


def decode_record(buf: bytes) -> Record:
    """The ``Record`` of bytes written by ``encode_record``."""
    count, first, gap_code, weight_kind, value_kind, pos_code = _HEADER.unpack_from(buf)
    at = _HEADER.size
    gaps, size = _unrun(buf, gap_code, count - 1, at)
    at += size
    ids = np.empty(count, dtype=np.int64)
    ids[0] = first
    ids[1:] = gaps
    ids = ids.cumsum()  # fewer calls than a cumsum into a slice plus adding first: 1.4 against 3.6 µs
    if weight_kind == W_ONES:
        weights = np.ones(count, dtype=np.float32)
    else:
        stored = np.frombuffer(buf, dtype=_F32 if weight_kind == W_F32 else _UINTS[weight_kind],
                               count=count, offset=at)
        at += stored.nbytes
        weights = stored.astype(np.float32)
    values = raw = None
    if value_kind in (V_POSITIONS, V_POSITIONS_COUNTED):
        values = (buf, at, pos_code)
    elif value_kind == V_RAW:
        lens = np.frombuffer(buf, dtype=_UINTS[3], count=count, offset=at)
        raw = (np.concatenate(([0], np.cumsum(lens, dtype=np.int64))), buf[at + 4 * count:])
    return Record(ids, weights, value_kind, values, raw)


@dataclass(frozen=True)
class MergedRecord:
    """One term's records from consecutive segments as one record (``merge_records``), with
    what Whoosh's term info reads of a written term (``FlatPostingsWriter.add_record``)."""

    data: bytes
    ids: np.ndarray  # int64 doc numbers in the merged segment, ascending
    weights: np.ndarray  # float32


def merge_records(parts: Sequence[tuple[Record, int]], format_: Format) -> MergedRecord:
    """The records of one term in several segments, each with the doc number its segment starts
    at in the merged segment (ascending, not overlapping), as the record ``encode_record``
    would write for all their postings at once: the same codes and the same bytes.

    Doc numbers, weights, counts and position gaps are concatenated as arrays (a document's
    position gaps count from its own first position, so they move unchanged); only the gaps
    between doc numbers are encoded again. Records whose values are of different kinds are
    re-encoded posting by posting, through ``ArrayMatcher.value``.
    """
    ids = np.concatenate([record.ids + start for record, start in parts])
    weights = np.concatenate([record.weights for record, _ in parts])
    kinds = {record.value_kind for record, _ in parts}
    if len(kinds) > 1 and not kinds <= {V_POSITIONS, V_POSITIONS_COUNTED}:
        values = [ArrayMatcher(record, format_, position=i).value()
                  for record, _ in parts for i in range(len(record.ids))]
        return MergedRecord(encode_record(ids.tolist(), array("f", weights.tolist()), values, format_),
                            ids, weights)
    gap_code, gap_bytes = _run_array(np.diff(ids))
    out = [gap_bytes]
    if bool(np.all(weights == 1.0)):
        weight_kind = W_ONES
    elif bool(np.all((weights == np.floor(weights)) & (weights >= 0) & (weights < 1 << 16))):
        weight_kind = W_U8 if weights.max() < 1 << 8 else W_U16
        out.append(weights.astype(_UINTS[weight_kind]).tobytes())
    else:
        weight_kind = W_F32
        out.append(weights.astype(_F32).tobytes())
    value_kind, pos_code = kinds.pop(), 0
    if value_kind in (V_POSITIONS, V_POSITIONS_COUNTED):
        if V_POSITIONS_COUNTED in kinds:
            value_kind = V_POSITIONS_COUNTED
        counts, deltas = [], []
        for record, _ in parts:
            assert record.counts is not None and record.deltas is not None
            counts.append(record.counts)
            deltas.append(record.deltas.astype(np.int64))
        if value_kind == V_POSITIONS_COUNTED:
            out.append(np.concatenate(counts).astype(_UINTS[3]).tobytes())
        pos_code, pos_bytes = _run_array(np.concatenate(deltas))
        out.append(pos_bytes)
    elif value_kind == V_RAW:
        lengths, data = [], []
        for record, _ in parts:
            assert record.raw is not None
            lengths.append(np.diff(record.raw[0]))
            data.append(record.raw[1])
        out.append(np.concatenate(lengths).astype(_UINTS[3]).tobytes())
        out.append(b"".join(data))
    header = _HEADER.pack(len(ids), int(ids[0]), gap_code, weight_kind, value_kind, pos_code)
    return MergedRecord(header + b"".join(out), ids, weights)


class FlatPostingsWriter(PostingsWriter):
    """Buffers one term's postings and writes them as one record when the term ends.

    ``W3TermInfo.add_block`` is given this writer as the "block", the whole term at once: it
    reads ``len()``, ``_weights``, ``min_id()``… exactly as from Whoosh's own block writer.
    """

    def __init__(self, postfile: Any) -> None:
        self._postfile = postfile
        self._format: Format | None = None
        self._terminfo: Any = None
        self._any_written = False
        self._reset()

    def _reset(self) -> None:
        self._ids: list[int] = []
        self._weights = array("f")  # float32, as W3PostingsWriter keeps them
        self._values: list[bytes | None] = []
        self._lengths: list[int] = []
        self._encoded: bytes | None = None

    def written(self) -> bool:
        return self._any_written

    def start_postings(self, format_: Format, terminfo: Any) -> None:
        if self._terminfo is not None:
            raise RuntimeError("start_postings inside a term")
        self._format, self._terminfo = format_, terminfo
        self._reset()

    def add_posting(self, id_: int, weight: float, vbytes: bytes | None, length: int | None = None) -> None:
        # Called once per posting: only appends; the statistics are taken in finish_postings.
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes)
        self._lengths.append(length or 0)

    def add_term(self, ids: Sequence[int], weights: array, values: Sequence[bytes | None]) -> None:
        """All of the current term's postings at once (``indexer.postingpool``), in place of
        one ``add_posting`` call each; no lengths, as with ``PostingsCodec.length_stats``."""
        self._ids, self._weights, self._values = ids, weights, values  # type: ignore[assignment]
        self._lengths = [0]

    def add_record(self, merged: MergedRecord) -> None:
        """All of the current term's postings as a record already written (``merge_records``)."""
        self._ids = merged.ids  # type: ignore[assignment]
        self._weights = array("f", merged.weights.tolist())
        self._lengths = [0]
        self._encoded = merged.data

    def finish_postings(self) -> Any:
        terminfo, self._terminfo = self._terminfo, None
        assert self._format is not None
        terminfo.add_block(self)
        record = self._encoded
        if record is None:
            record = encode_record(self._ids, self._weights, self._values, self._format)
        offset = self._postfile.tell()
        self._postfile.write(record)
        terminfo.set_extent(offset, len(record))
        self._any_written = True
        return terminfo

    def __len__(self) -> int:
        return len(self._ids)

    def min_id(self) -> int:
        return int(self._ids[0])

    def max_id(self) -> int:
        return int(self._ids[-1])

    def min_length(self) -> int | None:
        return min((n for n in self._lengths if n), default=None)  # 0: no length given

    def max_length(self) -> int:
        return max(self._lengths)

    def max_weight(self) -> float:
        return max(self._weights)


class ArrayMatcher(LeafMatcher):
    """Whoosh's matcher interface over one decoded ``Record`` (the whole list is one block).

    ``record()`` is what the numpy layer uses; the per-posting methods serve Whoosh's own
    searching and merging and convert the arrays to Python lists only when first called.
    """

    def __init__(self, record: Record, format_: Format, term: Any = None, scorer: Any = None,
                 terminfo: Any = None, position: int = 0) -> None:
        self._record = record
        self.format = format_
        self._term = term
        self.scorer = scorer
        self._terminfo = terminfo
        self._i = position
        self._ids: list[int] | None = None
        self._weights: list[float] | None = None

    def record(self) -> Record:
        return self._record

    def _lists(self) -> tuple[list[int], list[float]]:
        if self._ids is None or self._weights is None:
            self._ids = self._record.ids.tolist()
            self._weights = self._record.weights.tolist()
        return self._ids, self._weights

    def is_active(self) -> bool:
        return self._i < len(self._record.ids)

    def reset(self) -> None:
        self._i = 0

    def copy(self) -> ArrayMatcher:
        return ArrayMatcher(self._record, self.format, self._term, self.scorer, self._terminfo, self._i)

    def id(self) -> int:
        return self._lists()[0][self._i]

    def weight(self) -> float:
        return self._lists()[1][self._i]

    def all_ids(self) -> Any:
        return iter(self._lists()[0][self._i:])

    def next(self) -> None:
        if not self.is_active():
            raise ReadTooFar
        self._i += 1

    def skip_to(self, id_: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        self._i = max(self._i, int(np.searchsorted(self._record.ids, id_)))

    def value(self) -> bytes:
        r, i = self._record, self._i
        if r.value_kind in (V_POSITIONS, V_POSITIONS_COUNTED):
            return self.format.encode(self._positions())
        if r.value_kind == V_UINT_WEIGHT:
            return pack_uint(int(self._lists()[1][i]))
        if r.value_kind == V_RAW and r.raw is not None:
            bounds, data = r.raw
            return data[int(bounds[i]):int(bounds[i + 1])]
        return b""

    def _positions(self) -> list[int]:
        return self._record.positions(np.array([self._i]))[1].tolist()

    def value_as(self, astype: str) -> Any:
        if astype == "positions" and self._record.counts is not None:
            return self._positions()
        return self.format.decoder(astype)(self.value())

    def supports_block_quality(self) -> bool:
        return self.scorer is not None and self.scorer.supports_block_quality()

    def block_quality(self) -> float:
        return float(self.scorer.block_quality(self))

    def skip_to_quality(self, minquality: float) -> int:
        if self.block_quality() <= minquality:
            self._i = len(self._record.ids)
            return 1
        return 0

    def block_min_id(self) -> int:
        return int(self._record.ids[0])

    def block_max_id(self) -> int:
        return int(self._record.ids[-1])

    def block_min_length(self) -> int:
        return int(self._terminfo.min_length()) if self._terminfo is not None else 0

    def block_max_length(self) -> int:
        return int(self._terminfo.max_length()) if self._terminfo is not None else 1 << 30

    def block_max_weight(self) -> float:
        return float(self._record.weights.max())


class PostingsCodec(W3Codec):
    """``whoosh3`` with our postings records and block-compressed stored fields; everything else
    is inherited unchanged, except that a segment's term index and postings are read from
    memory maps (``terms_reader``).

    ``length_stats = False``: Whoosh otherwise looks up the document's field length for every
    posting while it writes a segment (``FieldWriter.add_postings`` → ``doc_field_length``, a
    column read and a byte decode per posting: about a fifth of writing, profiled on 300
    meetings), only to keep each term's shortest and longest document in its term info. Those
    two numbers serve Whoosh's own top-N pruning as a bound; without them the bound is the
    loosest one (length 0), which prunes less but never wrongly, and our search (``indexer.
    scoring``) never reads them. Documents' field lengths, which BM25F uses, are written as before.
    """

    length_stats = False

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        """Whoosh's terms reader over memory-mapped ``.trm`` and ``.pst`` files.

        Profiled on the 268-query mix at 10 000 meetings (18 segments): 42 % of a first-pass
        search was Whoosh's term lookup, five ``seek`` + ``read`` calls on a buffered file per
        term and segment (838 355 reads). The same reads on a memory map are C calls without
        system calls. Storage that is not a folder of files keeps Whoosh's own reader.
        """
        folder = getattr(storage, "folder", None)
        if not isinstance(folder, str):
            return super().terms_reader(storage, segment)
        terms_name = segment.make_filename(self.TERMS_EXT)
        terms = _mapped(os.path.join(folder, terms_name))
        posts = _mapped(os.path.join(folder, segment.make_filename(self.POSTS_EXT)))
        if terms is None or posts is None:
            return super().terms_reader(storage, segment)
        return W3TermsReader(self, terms, storage.file_length(terms_name), posts)

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return BlockedPerDocWriter(self, storage, segment)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        """Whoosh's field writer, taking a grouped pool whole (``indexer.postingpool``)."""
        from indexer.whoosh_internals import GroupedFieldWriter  # it imports this module

        return GroupedFieldWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return BlockedPerDocReader(storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors (none in our schema): Whoosh's own format
            return super().postings_writer(dbfile, byteids=True)
        return FlatPostingsWriter(dbfile)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Format, term: Any = None,
                        scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = extent(terminfo)
        record = decode_record(dbfile.get(offset, length))
        return ArrayMatcher(record, format_, term=term, scorer=scorer, terminfo=terminfo)


def extent(terminfo: Any) -> tuple[int, int]:
    """(offset, length) of a term's record in the segment's ``.pst`` file."""
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's tuple
        length = length[0]
    return offset, length


def _mapped(path: str) -> StructFile | None:
    """A read-only memory map of ``path`` behind Whoosh's ``StructFile`` (None when the file is
    empty or cannot be mapped). Not Whoosh's ``BufferFile``: it copies its whole buffer into a
    ``BytesIO`` (measured: server memory 647 → 1 988 MB at 10 000 meetings). An ``mmap`` has
    the ``seek``/``read``/``tell`` a ``StructFile`` calls, in C; closing the file closes it."""
    mapped = map_file(path)
    return StructFile(mapped, name=os.path.basename(path)) if mapped is not None else None
