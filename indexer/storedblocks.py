"""Stored fields compressed a block of neighbouring documents at a time.

Why: Whoosh's ``whoosh3`` format pickles and zlib-compresses each document's stored fields on
their own. Our documents are small (an agenda item is about 1.6 KB pickled) and a meeting's items
repeat the same meeting fields (organisation, municipalities, source, hash, place …), which a
per-document compressor never sees twice. Measured on the largest segment of the 10 000-meeting
bench index (9 256 documents, 15.2 MB pickled): per document 7.07 MB; in blocks of 16 KB
2.80 MB, 32 KB 2.24 MB, 64 KB 1.88 MB (zlib level 6; a block decompresses in 56, 103 and
141 µs). Stored fields were 132 of the index's 269 MB; 64 KB blocks cost a results page of
ten hits about 1.4 ms. The blocks are now zstd (level 9): on 64 KB blocks of the 10 000-meeting
index a block decompresses in 42 µs against zlib's 110, and is 8 % smaller; a results page's
twenty hits spend about 1.3 ms less on it.

A segment's stored fields live in the column file ``<segment>._blocks.col``::

    blocks     zstd-compressed runs of whole pickled documents, each run ≥ BLOCK_BYTES
               uncompressed (a document never spans two blocks)
    starts     u64 × blocks: each block's offset in the uncompressed stream
    ends       u64 × blocks: each block's end offset in this file
    doc ends   u64 × documents: each document's end offset in the uncompressed stream
               (a document without stored fields has length 0)
    footer     u64 blocks, u64 documents, 4 bytes b"PSB2" (b"PSB1": the same with zlib
               blocks, written before zstd and still read)

Reading a document is a binary search over ``starts``, one decompression of its block
(about 0.04 ms; the last few blocks are kept) and a slice. Merges read documents in
order, so each block is decompressed once.

``BlockedPerDocWriter`` and ``BlockedPerDocReader`` plug this column into Whoosh's per-document
writer and reader through their public methods (``start_doc``, ``add_field``, ``finish_doc``,
``add_column_value``, ``has_column``, ``column_reader``); everything else, lengths and sortable
columns included, stays Whoosh's. Segments written before this column keep Whoosh's ``_stored``.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import zstandard
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, ColumnReader, ColumnWriter

COLUMN_NAME = "_blocks"
BLOCK_BYTES = 64 * 1024
LEVEL = 9  # zstd; level 3 compresses 10 % worse and decompresses no faster
_FOOTER = struct.Struct("<QQ4s")
_MAGIC = b"PSB2"  # blocks compressed with zstd
_ZLIB_MAGIC = b"PSB1"  # the first version: zlib level 6, still read
_U64 = np.dtype("<u8")


def _u64_bytes(values: array) -> bytes:
    out = array("Q", values)
    if out.itemsize != 8:  # pragma: no cover - every platform we run on has 8-byte "Q"
        raise RuntimeError("array('Q') is not 64 bits here")
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


class BlockColumn(Column):
    """Variable-length byte values (pickled stored fields), compressed in blocks."""

    def writer(self, dbfile: Any) -> BlockWriter:
        return BlockWriter(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> BlockReader:
        return BlockReader(dbfile.get(basepos, length))


class BlockWriter(ColumnWriter):
    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self._compress = zstandard.ZstdCompressor(level=LEVEL).compress
        self._block = bytearray()
        self._open = False  # a block has been started (it may hold only empty values)
        self._written = 0  # bytes of this column written so far
        self._total = 0  # uncompressed bytes so far
        self._starts = array("Q")
        self._block_ends = array("Q")
        self._doc_ends = array("Q")

    def add(self, docnum: int, value: bytes) -> None:
        self._fill(docnum)
        if not self._open:
            self._starts.append(self._total)
            self._open = True
        self._block += value
        self._total += len(value)
        self._doc_ends.append(self._total)
        if len(self._block) >= BLOCK_BYTES:
            self._flush()

    def _fill(self, docnum: int) -> None:
        """Documents before ``docnum`` that stored nothing get length 0."""
        while len(self._doc_ends) < docnum:
            self._doc_ends.append(self._total)

    def _flush(self) -> None:
        data = self._compress(bytes(self._block))
        self._dbfile.write(data)
        self._written += len(data)
        self._block_ends.append(self._written)
        self._block = bytearray()
        self._open = False

    def finish(self, doccount: int) -> None:
        self._fill(doccount)
        if self._open:
            self._flush()
        for part in (self._starts, self._block_ends, self._doc_ends):
            self._dbfile.write(_u64_bytes(part))
        self._dbfile.write(_FOOTER.pack(len(self._starts), len(self._doc_ends), _MAGIC))


class BlockReader(ColumnReader):
    """Reads a column from ``buf`` (a memory map or bytes holding exactly the column)."""

    def __init__(self, buf: Any) -> None:
        length = len(buf)
        blocks, docs, magic = _FOOTER.unpack(buf[length - _FOOTER.size:length])
        self._inflate: Callable[[Any], bytes]
        if magic == _MAGIC:
            self._inflate = zstandard.ZstdDecompressor().decompress
        elif magic == _ZLIB_MAGIC:
            self._inflate = zlib.decompress
        else:
            raise ValueError("not a stored-fields block column")
        super().__init__(None, 0, length, docs)
        index_at = length - _FOOTER.size - 8 * (2 * blocks + docs)
        # Copies (small: 8 bytes a document) so that the memory map can be closed at any time.
        index = np.frombuffer(bytes(buf[index_at:length - _FOOTER.size]), dtype=_U64)
        self._buf = buf
        self._starts = index[:blocks]
        self._block_ends = index[blocks:2 * blocks]
        self._doc_ends = index[2 * blocks:]
        self.block = lru_cache(maxsize=8)(self._decompress)

    def _decompress(self, i: int) -> bytes:
        begin = int(self._block_ends[i - 1]) if i else 0
        return self._inflate(self._buf[begin:int(self._block_ends[i])])

    def __getitem__(self, docnum: int) -> bytes:
        if not 0 <= docnum < self._doccount:
            return b""
        start = int(self._doc_ends[docnum - 1]) if docnum else 0
        end = int(self._doc_ends[docnum])
        if start == end:
            return b""
        i = int(np.searchsorted(self._starts, start, side="right")) - 1
        offset = start - int(self._starts[i])
        return self.block(i)[offset:offset + end - start]

    def close(self) -> None:
        self.block.cache_clear()
        if isinstance(self._buf, mmap.mmap):
            self._buf.close()


BLOCKS = BlockColumn()


def map_file(path: str) -> mmap.mmap | None:
    """A read-only memory map of the file at ``path``; None when it is empty or cannot be
    mapped (the caller then reads it the ordinary way)."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return None
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


class BlockedPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer with the stored fields going to the block column."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._fields: dict[str, Any] = {}

    def start_doc(self, docnum: int) -> None:
        super().start_doc(docnum)
        self._fields = {}

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int | None) -> None:
        super().add_field(fieldname, fieldobj, None, length)  # lengths only
        if value is not None:
            self._fields[fieldname] = value

    def finish_doc(self) -> None:
        if self._fields:
            self.add_column_value(COLUMN_NAME, BLOCKS, pickle.dumps(self._fields, protocol=5))
            self._fields = {}
        super().finish_doc()


class BlockedPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader; stored fields come from the block column when the
    segment has one, memory-mapped when the index is a folder of files."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._blocks: BlockReader | None = None
        self._has_blocks = self.has_column(COLUMN_NAME)
        folder = getattr(storage, "folder", None)
        self._path = (os.path.join(folder, W3Codec.column_filename(segment, COLUMN_NAME))
                      if isinstance(folder, str) else None)

    def _block_reader(self) -> BlockReader:
        if self._blocks is None:
            mapped = map_file(self._path) if self._path is not None else None
            reader = BlockReader(mapped) if mapped is not None else self.column_reader(COLUMN_NAME, BLOCKS)
            self._blocks = reader
        return self._blocks

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        if not self._has_blocks:
            return super().stored_fields(docnum)
        raw = self._block_reader()[docnum]
        return pickle.loads(raw) if raw else {}

    def stored_bytes(self, docnum: int) -> bytes:
        """The document's stored fields as the block column holds them (pickled; empty when it
        stored nothing), for copying into another segment without unpickling them."""
        if self._has_blocks:
            return self._block_reader()[docnum]
        fields = super().stored_fields(docnum)  # a segment written before the block column
        return pickle.dumps(fields, protocol=5) if fields else b""

    def close(self) -> None:
        if self._blocks is not None:
            self._blocks.close()
            self._blocks = None
        super().close()
