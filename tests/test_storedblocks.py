"""Stored fields compressed in blocks (``indexer.storedblocks``) read back exactly as written:
across block boundaries, for documents that store nothing, after deletions and merges, from a
memory map and from storage that is no folder, and next to segments in Whoosh's own format."""

from __future__ import annotations

import mmap
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, index as windex
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from indexer import storedblocks
from indexer.codec import PostingsCodec
from indexer.storedblocks import BLOCK_BYTES, COLUMN_NAME, BlockReader, BlockWriter


class _Sink:
    """The write side of a StructFile, collecting bytes."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, b: bytes) -> None:
        self.data += b


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.binary(max_size=3000)), max_size=120),
       st.integers(0, 5))
def test_column_round_trip(values: list[bytes | None], trailing: int) -> None:
    sink = _Sink()
    writer = BlockWriter(sink)
    for docnum, value in enumerate(values):
        if value is not None:  # None: the document stored nothing and is never added
            writer.add(docnum, value)
    writer.finish(len(values) + trailing)
    reader = BlockReader(bytes(sink.data))
    assert len(reader) == len(values) + trailing
    assert [reader[d] for d in range(len(values))] == [v or b"" for v in values]
    assert all(reader[len(values) + t] == b"" for t in range(trailing))
    assert reader[-1] == b"" and reader[len(values) + trailing] == b""


def _schema() -> fields.Schema:
    return fields.Schema(key=fields.ID(stored=True), text=fields.TEXT(stored=True),
                         note=fields.STORED(), n=fields.NUMERIC(stored=True))


def _docs(part: int, count: int) -> list[dict[str, Any]]:
    # Every seventh document stores nothing but its key; text makes several blocks per segment.
    return [{"key": f"{part}-{i}", **({} if i % 7 == 3 else
             {"text": f"möte {part} punkt {i} " + "beslut om bredband " * (i % 40),
              "note": {"i": i, "å": [part, "ä"]}, "n": i})} for i in range(count)]


def test_stored_fields_survive_segments_deletions_and_merges(tmp_path: Path) -> None:
    ix = windex.create_in(str(tmp_path), _schema())
    expected: dict[str, dict[str, Any]] = {}
    for part in range(3):
        with ix.writer(codec=PostingsCodec(), compound=False) as writer:
            writer.merge = False
            for doc in _docs(part, 400):
                writer.add_document(**doc)
                expected[doc["key"]] = doc
    with ix.writer(codec=PostingsCodec()) as writer:
        writer.merge = False
        writer.delete_by_term("key", "1-8")
    del expected["1-8"]
    column_files = list(tmp_path.glob(f"*.{COLUMN_NAME}.col"))
    assert len(column_files) == 3
    # Several blocks per segment: the text alone is far more than one block.
    assert all(f.stat().st_size < sum(len(str(d)) for d in _docs(0, 400)) / 3 for f in column_files)
    with ix.searcher() as searcher:
        got = {f["key"]: f for f in searcher.all_stored_fields()}
        assert got == expected
        assert searcher.document(key="2-399") == expected["2-399"]
    ix.writer(codec=PostingsCodec(), compound=False).commit(optimize=True)  # a merge reads every document through the block reader and writes them anew
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1
        assert {f["key"]: f for f in searcher.all_stored_fields()} == expected


def test_blocks_are_memory_mapped_and_closed_with_the_reader(tmp_path: Path) -> None:
    ix = windex.create_in(str(tmp_path), _schema())
    with ix.writer(codec=PostingsCodec(), compound=False) as writer:
        for doc in _docs(0, 50):
            writer.add_document(**doc)
    reader = ix.reader()
    (segment_reader, _), = reader.leaf_readers()
    perdoc = segment_reader._perdoc  # noqa: SLF001 - the test inspects what it wrote
    assert isinstance(perdoc, storedblocks.BlockedPerDocReader)
    assert reader.stored_fields(11)["n"] == 11
    mapped = perdoc._blocks._buf  # noqa: SLF001
    assert isinstance(mapped, mmap.mmap)
    reader.close()
    assert mapped.closed


def test_storage_that_is_no_folder_and_old_segments_are_read_too(tmp_path: Path) -> None:
    ram = RamStorage().create_index(_schema())
    with ram.writer(codec=PostingsCodec()) as writer:
        for doc in _docs(0, 30):
            writer.add_document(**doc)
    with ram.searcher() as searcher:
        assert searcher.document(key="0-29")["n"] == 29
    # A folder whose first segment is whoosh3's own format (an index from before the blocks).
    ix = windex.create_in(str(tmp_path), _schema())
    with ix.writer(codec=W3Codec()) as writer:
        for doc in _docs(0, 30):
            writer.add_document(**doc)
    with ix.writer(codec=PostingsCodec()) as writer:  # a compound segment: no memory map
        writer.merge = False
        for doc in _docs(1, 30):
            writer.add_document(**doc)
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        assert searcher.document(key="0-5")["n"] == 5 and searcher.document(key="1-5")["n"] == 5
        assert searcher.document(key="0-3") == {"key": "0-3"}


def test_a_damaged_column_is_refused() -> None:
    sink = _Sink()
    writer = BlockWriter(sink)
    writer.add(0, b"abc")
    writer.finish(1)
    data = bytes(sink.data[:-4]) + b"XXXX"
    with pytest.raises(ValueError):
        BlockReader(data)


def test_block_size_is_what_the_module_says() -> None:
    sink = _Sink()
    writer = BlockWriter(sink)
    value = bytes(range(256)) * 8  # 2 KB that zlib cannot shrink much
    for d in range(2 * BLOCK_BYTES // len(value) + 1):
        writer.add(d, value)
    writer.finish(2 * BLOCK_BYTES // len(value) + 1)
    reader = BlockReader(bytes(sink.data))
    assert len(reader._starts) == 3  # noqa: SLF001 - two full blocks and a remainder


def test_a_column_of_zlib_blocks_from_before_zstd_is_still_read() -> None:
    """The first version of the column (footer b"PSB1") compressed its blocks with zlib; an
    index built then keeps working after the upgrade, document by document."""
    import struct
    import zlib

    values = [b"a" * 70_000, b"", b"tredje", pickle.dumps({"n": 4})]
    stream = b"".join(values)
    first, second = stream[:70_000], stream[70_000:]
    blocks = zlib.compress(first, 6) + zlib.compress(second, 6)
    ends, total = [], 0
    for v in values:
        total += len(v)
        ends.append(total)
    data = (blocks + struct.pack("<2Q", 0, 70_000)
            + struct.pack("<2Q", len(zlib.compress(first, 6)), len(blocks))
            + struct.pack(f"<{len(ends)}Q", *ends) + struct.pack("<QQ4s", 2, len(values), b"PSB1"))
    reader = BlockReader(data)
    assert [reader[d] for d in range(len(values))] == values
    sink = _Sink()
    writer = BlockWriter(sink)
    writer.add(0, b"ny")
    writer.finish(1)
    assert bytes(sink.data).endswith(b"PSB2") and BlockReader(bytes(sink.data))[0] == b"ny"
