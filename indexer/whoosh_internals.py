"""The one module that reads Whoosh's private internals; everything else uses its public API.

Whoosh's public API hands out postings one at a time (``Matcher.id()``/``weight()``) and column
values one at a time, which cost a Python call per posting (profiles 4–5 in BENCHMARKS.md). The
numpy search layer (``indexer.docsets``, ``indexer.scoring``, ``indexer.facets``) needs whole
arrays, which Whoosh 2.7's ``whoosh3`` codec keeps in attributes with a leading underscore.
Every such read lives here, behind four small functions that return plain numpy arrays:

- ``posting_blocks``: the doc numbers and weights of a term's postings, one block at a time;
- ``term_positions``: a term's positions in chosen documents, decoded only for those;
- ``field_length_codes``: a text field's one-byte length codes for every document;
- ``numeric_column``: a numeric column's stored (untranslated) values for every document.

These attributes are why ``whoosh-reloaded`` is pinned exactly in ``pyproject.toml``: a Whoosh
upgrade is checked here, and ``tests/test_scoring.py`` (numpy answers against Whoosh's own on a
multi-segment index with deletions) tells whether it still holds.
``tests/test_engine_boundary.py`` keeps every other module off private attributes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.reading import TermNotFound


def _leaf_matchers(reader: Any, fieldname: str, text: str) -> Iterator[tuple[Any, int]]:
    """The term's matcher in every segment with the segment's doc-number offset, unwrapped past
    Whoosh's deletion filter (callers apply deletions once, with their own live mask)."""
    for sub, offset in reader.leaf_readers():
        try:
            m = sub.postings(fieldname, text)
        except TermNotFound:
            continue
        while type(m) is not W3LeafMatcher and hasattr(m, "child"):
            m = m.child
        yield m, offset


def posting_blocks(reader: Any, fieldname: str, text: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(doc numbers int32, weights float32) of each posting block of a term, over all segments.

    Doc numbers are the reader's (segment offset added); deleted documents are included. A
    segment not written by the ``whoosh3`` codec yields its ids through the public matcher API,
    each with weight 1.
    """
    for m, offset in _leaf_matchers(reader, fieldname, text):
        if type(m) is not W3LeafMatcher:
            ids = np.fromiter(m.all_ids(), dtype=np.int32)
            yield ids + offset, np.ones(len(ids), dtype=np.float32)
            continue
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            yield np.asarray(m._ids, dtype=np.int32) + offset, np.asarray(m._weights, dtype=np.float32)
            m._next_block()


def term_positions(reader: Any, fieldname: str, text: str, wanted: set[int]) -> dict[int, list[int]]:
    """Positions of ``text`` in the ``wanted`` documents only (reader doc numbers), decoded a
    block at a time: a block none of whose documents is wanted is never unpickled."""
    out: dict[int, list[int]] = {}
    for m, offset in _leaf_matchers(reader, fieldname, text):
        if type(m) is not W3LeafMatcher:
            for doc in [d for d in m.all_ids() if d + offset in wanted]:
                m.skip_to(doc)
                out[doc + offset] = list(m.value_as("positions"))
            continue
        decode = m.format.decode_positions
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            hits = [i for i, doc in enumerate(m._ids) if doc + offset in wanted]
            if hits:
                if m._values is None:
                    m._read_values()
                for i in hits:
                    out[m._ids[i] + offset] = decode(m._values[i])
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
        column = cached(f"_{fieldname}_len", LENGTHS_COLUMN) if cached else None
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
