"""The one module that reads Whoosh's private internals; everything else uses its public API.

The numpy search layer (``indexer.docsets``, ``indexer.scoring``, ``indexer.facets``) needs
whole arrays where Whoosh's public API hands out one posting or one column value per Python
call (profiles 4–5 in BENCHMARKS.md). Postings come from our own format (``indexer.codec``)
through its public ``ArrayMatcher.record()``; the private reads left here are the per-document
columns Whoosh's codec writes, the term index's hash table (probed in its memory map without
building Whoosh's matcher, ``_MappedTerms``), and the postings of ``whoosh3`` segments (an index
written before our codec, until it is rebuilt). Six small functions return plain values:

- ``term_leaves``: a term's postings per segment, read once for the next two;
- ``term_postings``: the doc numbers and weights of a term's postings, all segments at once;
- ``term_positions``: a term's (doc, position) pairs in chosen documents, decoded only for those;
- ``doc_frequency``: a term's document frequency over all segments, as Whoosh's reader gives it;
- ``field_length_codes``: a text field's one-byte length codes for every document;
- ``numeric_column``: a numeric column's stored (untranslated) values for every document.

One writer: ``rebuild_writer`` swaps Whoosh's sorting pool for ``indexer.postingpool``'s
grouped one, in the writer and in each of its sub-writer processes, and ``GroupedFieldWriter``
takes that pool's postings a whole term at a time. One merge: ``merge_segments`` joins segments
in our format record by record (``codec.merge_records``) and copies their documents a column
at a time, through a Whoosh merge policy.

These attributes are why ``whoosh-reloaded`` is pinned exactly in ``pyproject.toml``: a Whoosh
upgrade is checked here, and ``tests/test_scoring.py`` (numpy answers against Whoosh's own on a
multi-segment index with deletions, in both posting formats) tells whether it still holds.
``tests/test_engine_boundary.py`` keeps every other module off private attributes.
"""

from __future__ import annotations

import heapq
import mmap
import pickle
import struct
from collections.abc import Iterator
from functools import lru_cache, partial
from itertools import groupby
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, W3LeafMatcher, W3TermInfo, _lenfield
from whoosh.filedb.filetables import _lengths, _pointer
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

from indexer.codec import (ArrayMatcher, FlatPositions, PostingsCodec, Record, decode_record, extent,
                           merge_records)
from indexer.postingpool import GroupedPostings
from indexer.storedblocks import BLOCKS, COLUMN_NAME

_ABSENT = object()  # the term is not in this segment
_TERMINFO = W3TermInfo._struct  # a term info's fixed part; the record's offset and length follow
_EXTENT = struct.Struct("!qi")


class _MappedTerms:
    """One segment's term index and postings as memory maps, for ``_leaf_matchers``.

    Whoosh's path to a term — ``SegmentReader.postings`` → ``W3TermsReader.matcher`` →
    ``term_info`` → ``HashReader.ranges_for_key``, five ``seek`` + ``read`` pairs, a term-info
    object, a matcher and a deletion filter — ran for every query term in every segment: 22 µs
    a lookup, 40–45 % of a first-pass query at 10 000 meetings (19 segments, most query terms
    absent from most fields). The same hash table is probed here with ``struct.unpack_from`` on
    the map; the bytes found are exactly what Whoosh's lookup returns (``tests/test_codec.py``
    compares every answer).
    """

    def __init__(self, terms: Any, tmap: mmap.mmap, pmap: mmap.mmap) -> None:
        self.tindex = terms._tindex
        self.tmap, self.pmap = tmap, pmap
        self.prefixes = {name: pack_ushort(num) for name, num in terms._fieldmap.items()}

    @staticmethod
    def of(sub: Any) -> _MappedTerms | None:
        """The maps of a segment written by our codec, or None (another codec, no maps)."""
        found = _MAPPED.get(sub, _ABSENT)
        if found is _ABSENT:
            found = None
            terms = getattr(sub, "_terms", None)
            tindex = getattr(terms, "_tindex", None)
            postfile = getattr(terms, "_postfile", None)
            if isinstance(sub.codec(), PostingsCodec) and tindex is not None and postfile is not None:
                tmap, pmap = getattr(tindex.dbfile, "file", None), getattr(postfile, "file", None)
                if isinstance(tmap, mmap.mmap) and isinstance(pmap, mmap.mmap):
                    found = _MappedTerms(terms, tmap, pmap)
            _MAPPED[sub] = found
        return found  # type: ignore[return-value]

    def _located(self, fieldname: str, tbytes: bytes) -> tuple[int, int] | None:
        """(position, length) of the term's term-info bytes in the map, or None."""
        prefix = self.prefixes.get(fieldname)
        return None if prefix is None else _hash_lookup(self.tindex, self.tmap, prefix + tbytes)

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        """Whoosh's ``W3TermInfo`` of the term in this segment, or None."""
        found = self._located(fieldname, tbytes)
        if found is None:
            return None
        datapos, datalen = found
        return W3TermInfo.from_bytes(self.tmap[datapos:datapos + datalen])

    def record(self, fieldname: str, tbytes: bytes) -> Any:
        """The term's ``Record``, ``_ABSENT``, or None when Whoosh must read it (inlined).

        The record's place is read from the term info's bytes where ``W3TermInfo.from_bytes``
        puts it (a flags byte, the fixed statistics, then offset and length unless the postings
        are inlined), without building the term-info object: a query reads about 150 records
        and probes for 400 (21 segments at 100 000 meetings)."""
        found = self._located(fieldname, tbytes)
        if found is None:
            return _ABSENT
        datapos = found[0]
        if self.tmap[datapos]:  # the flags byte: postings inlined in the term info
            return None
        offset, length = _EXTENT.unpack_from(self.tmap, datapos + _TERMINFO.size)
        return decode_record(self.pmap[offset:offset + length])


_MAPPED: WeakKeyDictionary[Any, _MappedTerms | None] = WeakKeyDictionary()


def _term_bytes(reader: Any, fieldname: str, text: str | bytes) -> bytes | None:
    if isinstance(text, bytes):
        return text
    if fieldname not in reader.schema:
        return None
    return reader.schema[fieldname].to_bytes(text)


def _leaf_matchers(reader: Any, fieldname: str, text: str) -> Iterator[tuple[Any, int]]:
    """The term's postings in every segment with the segment's doc-number offset: a ``Record``
    read straight from the memory maps of a segment in our format (``_MappedTerms``), else the
    matcher unwrapped past Whoosh's deletion filter (callers apply deletions once, with their
    own live mask)."""
    tbytes = _term_bytes(reader, fieldname, text)
    if tbytes is None:
        return
    for sub, offset in reader.leaf_readers():
        mapped = _MappedTerms.of(sub)
        record = mapped.record(fieldname, tbytes) if mapped is not None else None
        if record is _ABSENT:
            continue
        if record is not None:
            yield record, offset
            continue
        try:
            m = sub.postings(fieldname, text)
        except TermNotFound:
            continue
        while type(m) not in (ArrayMatcher, W3LeafMatcher) and hasattr(m, "child"):
            m = m.child
        yield m.record() if type(m) is ArrayMatcher else m, offset


def doc_frequency(reader: Any, fieldname: str, text: str) -> int:
    """``reader.doc_frequency(fieldname, text)`` (deleted documents included, as Whoosh's),
    from the memory maps where the segment has them."""
    tbytes = _term_bytes(reader, fieldname, text)
    if tbytes is None:
        return 0
    total = 0
    for sub, _ in reader.leaf_readers():
        mapped = _MappedTerms.of(sub)
        if mapped is None:
            total += sub.doc_frequency(fieldname, text)
            continue
        info = mapped.term_info(fieldname, tbytes)
        total += info.doc_frequency() if info is not None else 0
    return total


@lru_cache(maxsize=1 << 16)
def _key_hash(hashfn: Any, key: bytes) -> int:
    """Whoosh's hash of a term key (an MD5), once per key: a query term is looked up in every
    segment, and the key is the same in each when the field numbers agree."""
    return int(hashfn(key))


def _hash_lookup(tindex: Any, mapped: mmap.mmap, key: bytes) -> tuple[int, int] | None:
    """(data position, data length) of ``key`` in a Whoosh ``HashReader`` over ``mapped``: the
    probe sequence of ``HashReader.ranges_for_key``, reading the map directly."""
    keyhash = _key_hash(tindex.hashfn, key)
    tablestart, numslots = tindex.tables[keyhash & 255]
    if not numslots:
        return None
    size = _pointer.size
    tableend = tablestart + numslots * size
    slotpos = tablestart + ((keyhash >> 8) % numslots) * size
    for _ in range(numslots):
        slothash, itempos = _pointer.unpack_from(mapped, slotpos)
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, datalen = _lengths.unpack_from(mapped, itempos)
            keystart = itempos + _lengths.size
            if keylen == len(key) and mapped[keystart:keystart + keylen] == key:
                return keystart + keylen, datalen
        slotpos += size
        if slotpos == tableend:
            slotpos = tablestart
    return None


def term_leaves(reader: Any, fieldname: str, text: str) -> list[tuple[Any, int]]:
    """A term's postings in every segment with the segment's doc-number offset, read once: a
    ``Record`` per segment in our format, else a matcher. Handed to ``term_postings`` and then
    ``term_positions``, a phrase word's doc numbers and positions come from the same decoded
    records (a phrase had looked up and decoded every record twice: at 100 000 meetings 924
    record reads for one two-word phrase)."""
    return list(_leaf_matchers(reader, fieldname, text))


def term_postings(reader: Any, fieldname: str, text: str,
                  leaves: list[tuple[Any, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers int32, weights float32) of a term's postings over all segments.

    Doc numbers are the reader's (segment offset added); deleted documents are included. A
    segment in our format (``indexer.codec``) is two array slices; a ``whoosh3`` segment (an
    index not yet rebuilt) is read block by block from the matcher's private arrays; any other
    matcher yields its ids through the public API, each with weight 1.
    """
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for m, offset in _leaf_matchers(reader, fieldname, text) if leaves is None else leaves:
        if type(m) is Record:
            ids.append(m.ids + offset)
            weights.append(m.weights)
        elif type(m) is W3LeafMatcher:
            # Whoosh's deletion filter has already moved its child past leading deleted
            # documents; start over so every posting is read (the live mask drops them).
            m.reset()
            while m.is_active():
                if m._ids is None:
                    m._read_ids()
                if m._weights is None:
                    m._read_weights()
                ids.append(np.asarray(m._ids, dtype=np.int64) + offset)
                weights.append(np.asarray(m._weights, dtype=np.float32))
                m._next_block()
        else:
            found = np.fromiter(m.all_ids(), dtype=np.int64)
            ids.append(found + offset)
            weights.append(np.ones(len(found), dtype=np.float32))
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids).astype(np.int32), np.concatenate(weights)


def field_postings(reader: Any, fieldname: str) -> dict[str, np.ndarray]:
    """Every term of ``fieldname`` → its doc numbers (int32, ascending, deleted included).

    Each segment's terms of the field are read in order once (Whoosh's public ``iter_field``),
    and each term's record decoded from the memory map its term info points into. Asking
    ``term_postings`` term by term looked every term up in every segment: a generation's facet
    arrays at 100 000 meetings (8 300 values, most of them dates) made 175 000 hash lookups for
    72 000 postings lists, about half of a fresh process's first query.
    """
    if fieldname not in reader.schema:
        return {}
    field = reader.schema[fieldname]
    found: dict[str, list[np.ndarray]] = {}
    for sub, offset in reader.leaf_readers():
        mapped = _MappedTerms.of(sub)
        for tbytes, info in sub.iter_field(fieldname):
            text = field.from_bytes(tbytes)
            if mapped is not None and not info.is_inlined():
                start, length = extent(info)
                ids = decode_record(mapped.pmap[start:start + length]).ids
            else:  # an inlined term or a segment in another format: through the matcher
                ids = term_postings(sub, fieldname, text)[0]
            found.setdefault(text, []).append(ids.astype(np.int64) + offset)
    return {text: np.concatenate(parts).astype(np.int32) for text, parts in found.items()}


def term_positions(reader: Any, fieldname: str, text: str, wanted: np.ndarray,
                   leaves: list[tuple[Any, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(doc number, position) pairs of ``text`` in the documents ``wanted`` (a boolean mask
    over the reader's doc numbers), ordered by document then position.

    In our format only the wanted documents' position gaps are gathered and summed; in a
    ``whoosh3`` segment a block none of whose documents is wanted is never unpickled.
    ``leaves``: the term's leaves already read (``term_leaves``), when every one of them is a
    ``Record`` (a matcher is spent once its postings have been read).
    """
    docs: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    for m, offset in _leaf_matchers(reader, fieldname, text) if leaves is None else leaves:
        if type(m) is Record:
            record = m
            which = np.flatnonzero(wanted[record.ids + offset])
            if len(which) and record.counts is not None:
                index, pos = record.positions(which)
                docs.append(record.ids[index] + offset)
                positions.append(pos)
            continue
        pairs = _positions_through_api(m, offset, wanted)
        docs.append(np.array([d for d, _ in pairs], dtype=np.int64))
        positions.append(np.array([p for _, p in pairs], dtype=np.int64))
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(docs), np.concatenate(positions)


def _positions_through_api(m: Any, offset: int, wanted: np.ndarray) -> list[tuple[int, int]]:
    """(doc, position) pairs of the wanted documents from a ``whoosh3`` or other matcher."""
    out: list[tuple[int, int]] = []
    if type(m) is not W3LeafMatcher:
        for doc in [d for d in m.all_ids() if wanted[d + offset]]:
            m.skip_to(doc)
            out += [(doc + offset, p) for p in m.value_as("positions")]
        return out
    decode = m.format.decode_positions
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        hits = [i for i, doc in enumerate(m._ids) if wanted[doc + offset]]
        if hits:
            if m._values is None:
                m._read_values()
            for i in hits:
                out += [(m._ids[i] + offset, p) for p in decode(m._values[i])]
        m._next_block()
    return out


def field_length_codes(reader: Any, fieldname: str, doc_count: int) -> np.ndarray:
    """Whoosh's one-byte field-length codes (uint8) of ``fieldname`` for every document, read
    straight from each segment's stored-length column; 0 where a segment has none.
    Decode with ``whoosh.util.numeric.byte_to_length``, as ``doc_field_length`` does."""
    codes = np.zeros(doc_count, dtype=np.uint8)
    for sub, offset in reader.leaf_readers():
        perdoc = getattr(sub, "_perdoc", None)
        cached = getattr(perdoc, "_cached_reader", None)
        column = cached(_lenfield(fieldname), LENGTHS_COLUMN) if cached else None
        if column is None or not column._count:
            continue
        raw = column._dbfile.get(column._basepos, column._count)
        codes[offset : offset + len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return codes


def numeric_column(reader: Any, name: str) -> np.ndarray:
    """A numeric column's stored (untranslated) values in doc order, as int64, whole segments
    at a time; documents past a segment's stored values get the column's default. A column of
    another kind is read through the public iterator."""
    out: list[np.ndarray] = []
    for sub, _offset in reader.leaf_readers():
        column = sub.column_reader(name, translate=False)
        count = sub.doc_count_all()
        typecode = getattr(column, "_typecode", None)
        if typecode is not None and hasattr(column, "_dbfile"):
            dtype = np.dtype(">" + typecode)
            stored = min(column._count, count)
            raw = np.frombuffer(column._dbfile.get(column._basepos, stored * dtype.itemsize), dtype=dtype)
            values = np.full(count, column._default, dtype=np.int64)
            values[:stored] = raw
        else:
            values = np.fromiter((int(v) for v in column), dtype=np.int64, count=count)
        out.append(values)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


# ---------------------------------------------------------------- writing


def rebuild_writer(ix: Any, procs: int, **options: Any) -> Any:
    """A writer for a rebuild batch whose postings are grouped by term in memory
    (``indexer.postingpool``) instead of going through Whoosh's external sort. With ``procs`` > 1
    it is Whoosh's multiprocess writer, one segment per sub-writer (``multisegment``); its
    commits must not merge (``commit(merge=False)``), since a merge would pour whole segments
    into the pool. Whoosh creates the pool in ``SegmentWriter.__init__`` and has no option for
    another, hence the swap here.
    """
    if procs > 1:
        return _GroupedMpWriter(ix, procs=procs, multisegment=True, **options)
    return _GroupedSegmentWriter(ix, **options)


def _group_postings(writer: SegmentWriter) -> None:
    if not isinstance(writer.pool, GroupedPostings):
        writer.pool.cleanup()  # Whoosh's pool, still empty: no run files yet
        writer.pool = GroupedPostings()


def _fast_field(field: Any) -> bool:
    """A field whose postings ``GroupedPostings.add_positions`` can take straight from the
    analyzer: our positions format and an analyzer with ``term_positions``."""
    return type(field.format) is FlatPositions and hasattr(field.analyzer, "term_positions")


def _add_document(writer: SegmentWriter, fields: dict[str, Any]) -> None:
    """``SegmentWriter.add_document`` for a writer with the grouped pool: the same postings,
    stored values, lengths and columns (``tests/test_postingpool.py`` compares whole indexes).

    Whoosh sends every posting of a text field through ``FieldType.index`` (two generators, a
    tuple and a UTF-8 encode per term) and then ``pool.add`` (another tuple and call): profiled
    in a sub-writer, that walk cost more than the analysis. Here a text field in our positions
    format goes from ``SwedishAnalyzer.term_positions`` straight into the pool; any other
    field, or a document with boosts, takes Whoosh's own path.
    """
    schema, pool = writer.schema, writer.pool
    names = sorted(fields)
    if any(name.startswith("_") or name not in schema or schema[name].vector
           or schema[name].separate_spelling() for name in names):
        # Boosts, custom stored values, term vectors, spelling words, unknown fields (an error)
        SegmentWriter.add_document(writer, **fields)
        return
    writer._check_state()
    docnum = writer.docnum
    perdoc = writer.perdocwriter
    perdoc.start_doc(docnum)
    try:
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                if isinstance(value, str) and _fast_field(field):
                    length = pool.add_positions(name, docnum, field.analyzer.term_positions(value),
                                                field.format.field_boost, field.format.encode)
                    if not field.scorable:
                        length = 0
                else:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        pool.add((name, tbytes, docnum, weight, vbytes))
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
    except Exception:
        perdoc.cancel_doc()
        raise
    perdoc.finish_doc()
    writer._added = True
    writer.docnum += 1


class _GroupedSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """A one-process rebuild writer: the grouped pool and ``_add_document``."""

    def __init__(self, ix: Any, **options: Any) -> None:
        super().__init__(ix, **options)
        _group_postings(self)

    def add_document(self, **fields: Any) -> None:
        _add_document(self, fields)


class _GroupedSubWriter(SubWriterTask):  # type: ignore[misc]
    """Whoosh's sub-writer process, with the grouped pool in the writer it creates, adding each
    document of a batch file with ``_add_document``."""

    def _process_file(self, filename: str, doc_count: int) -> None:
        writer = self.writer
        _group_postings(writer)
        storage = writer.temp_storage()
        with storage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                code, fields = pickle.load(f)
                if code != 0:
                    raise ValueError(f"{filename}: unexpected job code {code}")
                _add_document(writer, fields)
        storage.delete_file(filename)


class _GroupedMpWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's multiprocess writer, starting ``_GroupedSubWriter``s (as its ``_new_task``)."""

    def _new_task(self) -> SubWriterTask:
        task = _GroupedSubWriter(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                                 self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


class GroupedFieldWriter(W3FieldWriter):  # type: ignore[misc]
    """Whoosh's field writer (``PostingsCodec.field_writer``) that writes a ``GroupedPostings``
    pool a whole term at a time (``FlatPostingsWriter.add_term``): Whoosh's own
    ``add_postings`` walks one tuple per posting. Any other stream of postings goes to it."""

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        if isinstance(items, _MergedPostings):
            self._add_merged(schema, items)
            return
        if not isinstance(items, GroupedPostings):
            super().add_postings(schema, lengths, items)
            return
        current = None
        for fieldname, tbytes, postings in items.terms():
            if fieldname != current:
                if current is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                current = fieldname
            self.start_term(tbytes)
            self._postwriter.add_term(postings.ids, postings.weights, postings.values())
            self.finish_term()
        if current is not None:
            self.finish_field()

    def _add_merged(self, schema: Any, items: _MergedPostings) -> None:
        for fieldname in items.fieldnames():
            self.start_field(fieldname, schema[fieldname])
            for tbytes, parts in items.terms(fieldname):
                self.start_term(tbytes)
                self._postwriter.add_record(merge_records(parts, schema[fieldname].format))
                self.finish_term()
            self.finish_field()


# ---------------------------------------------------------------- merging segments


def index_segments(ix: Any) -> list[Any]:
    """The index's segments in doc-number order."""
    return list(ix._segments())


def mergeable(segment: Any) -> bool:
    """A segment ``merge_segments`` can merge: written by our codec, nothing deleted."""
    return isinstance(segment.codec(), PostingsCodec) and not segment.has_deletions()


def merge_segments(ix: Any, chosen: list[Any], **options: Any) -> None:
    """Merge the segments ``chosen`` (consecutive, each ``mergeable``) into one new segment,
    committed as the last of the index's segments.

    Whoosh merges through its writer's sorting pool: every posting of every term of every
    segment becomes a tuple, is sorted and re-encoded one at a time (``add_reader``). Here the
    documents are copied a column at a time (``_copy_documents``) and each term's postings go
    from the source records to the merged one as arrays (``codec.merge_records``), through a
    merge policy that stands a ``_MergedPostings`` in for the pool — the same hook Whoosh's own
    ``MERGE_SMALL`` uses to add segments to a writer.
    """
    refused = [segment.segment_id() for segment in chosen if not mergeable(segment)]
    if refused:
        raise ValueError(f"merge_segments: {', '.join(refused)} has deletions or another codec")
    if any(ix.schema[name].vector for name in ix.schema.names()):
        raise ValueError("merge_segments: term vectors are not copied")
    wanted = {segment.segment_id() for segment in chosen}

    def policy(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
        sources: list[tuple[Any, int]] = []
        names = set(writer.schema.names())
        for segment in segments:
            if segment.segment_id() not in wanted:
                continue
            reader = SegmentReader(writer.storage, writer.schema, segment)
            sources.append((reader, writer.docnum))
            _copy_documents(writer, reader, names)
        writer.pool.cleanup()  # Whoosh's pool, never used: no run files
        writer.pool = _MergedPostings(sources)
        writer._added = True
        return [segment for segment in segments if segment.segment_id() not in wanted]

    writer = ix.writer(**options)
    try:
        writer.commit(mergetype=policy)
    except BaseException:
        if not writer.is_closed:  # the lock goes, and the new segment's files with it
            writer.cancel()
        raise


def _copy_documents(writer: SegmentWriter, reader: Any, names: set[str]) -> None:
    """Whoosh's ``SegmentWriter.write_per_doc`` for a segment without deletions, a column at a
    time: stored fields as their pickled bytes (``storedblocks``), each field's length codes and
    each sortable column's raw values straight into the new segment's column writers, and the
    fields' total lengths carried over exactly.

    ``write_per_doc`` asks each document's length of every field through ``doc_field_length``,
    and each ask checks with ``os.stat`` that the column file exists: at 10 000 meetings
    (151 556 documents) 75 of a merge's 89 s, profiled. It also adds back the lengths decoded
    from their byte codes, so a Whoosh merge changes a field's total length, and with it every
    BM25F score; here the totals are the sums of the segments' own.
    """
    perdoc = reader._perdoc  # a BlockedPerDocReader: the segment is in our codec
    pdw = writer.perdocwriter
    base, count = writer.docnum, reader.doc_count_all()
    schema = writer.schema

    def column(name: str, kind: Any) -> Any:
        if not pdw._has_column(name):
            pdw._create_column(name, kind)
        return pdw._get_column(name)

    stored = column(COLUMN_NAME, BLOCKS)
    for docnum in range(count):
        raw = perdoc.stored_bytes(docnum)
        if raw:
            stored.add(base + docnum, raw)
    for name in sorted(names):
        field = schema[name]
        total = reader.field_length(name) if field.scorable else 0
        if total:
            codes = field_length_codes(reader, name, count)
            lengths = column(_lenfield(name), LENGTHS_COLUMN)
            for docnum in np.flatnonzero(codes).tolist():
                lengths.add(base + docnum, int(codes[docnum]))
            pdw._fieldlengths[name] += total
        if field.column_type and reader.has_column(name):
            values = reader.column_reader(name, translate=False)
            target = column(name, field.column_type)
            for docnum in range(count):
                target.add(base + docnum, values[docnum])
    pdw._doccount = base + count
    writer.docnum = base + count


class _MergedPostings:
    """The postings of several segments, term by term, for ``GroupedFieldWriter``: each
    term's record in each segment that has it, with the segment's first doc number in the
    merged segment. Takes the place of a writer's pool (``iter_postings``, ``cleanup``)."""

    def __init__(self, sources: list[tuple[Any, int]]) -> None:
        self.sources = sources

    def iter_postings(self) -> _MergedPostings:
        return self

    def fieldnames(self) -> list[str]:
        return sorted({name for reader, _ in self.sources for name in reader.indexed_field_names()})

    def terms(self, fieldname: str) -> Iterator[tuple[bytes, list[tuple[Record, int]]]]:
        """(term bytes, [(record, start)…]) for each term of the field, in byte order."""
        streams = [self._field_terms(reader, start, i, fieldname)
                   for i, (reader, start) in enumerate(self.sources)]
        for tbytes, group in groupby(heapq.merge(*streams), key=itemgetter(0)):
            yield tbytes, [(read(), start) for _, _, start, read in group]

    @staticmethod
    def _field_terms(reader: Any, start: int, order: int, fieldname: str
                     ) -> Iterator[tuple[bytes, int, int, Any]]:
        """(term bytes, source order, start, record reader) of the field's terms in one segment."""
        terms = reader._terms
        if fieldname not in terms.indexed_field_names():
            return
        mapped = _MappedTerms.of(reader)
        field = reader.schema[fieldname]
        for (name, tbytes), info in terms.items_from(fieldname, b""):
            if name != fieldname:
                return
            # Our codec writes every term as a record (``FlatPostingsWriter``: nothing inlined).
            if mapped is not None:
                offset, length = extent(info)
                yield tbytes, order, start, partial(decode_record, mapped.pmap[offset:offset + length])
            else:  # storage that is no folder of files: Whoosh's matcher, an ArrayMatcher
                yield tbytes, order, start, terms.matcher(fieldname, tbytes, field.format).record

    def cleanup(self) -> None:
        for reader, _ in self.sources:
            reader.close()
