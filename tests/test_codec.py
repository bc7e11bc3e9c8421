"""Our posting format (``indexer.codec``) gives the same answers as Whoosh's ``whoosh3``.

Round trips of the record format on generated postings, Whoosh's own matcher API on both
formats, and the whole bench query mix on one archive indexed three ways: every segment in
``whoosh3`` (an index from before the codec), every segment in ours, and a ``whoosh3`` index
updated by our writer (old and new segments side by side, then merged). Each index has several
segments and deleted documents.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, formats, index as windex
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Positions
from whoosh.system import pack_uint

from indexer.whoosh_internals import index_segments, merge_segments, mergeable
from indexer.codec import (
    V_POSITIONS,
    V_RAW,
    V_UINT_WEIGHT,
    ArrayMatcher,
    FlatPositions,
    PostingsCodec,
    decode_record,
    encode_record,
    merge_records,
)

POSITIONS = Positions()


@st.composite
def postings(draw: Any) -> tuple[list[int], list[list[int]]]:
    """Ascending doc numbers whose gaps fit 1, 2 or 4 bytes (up to 300 of them, so one-byte gaps
    sum past 255), each with 1..40 ascending positions."""
    widest = draw(st.sampled_from([3, 255, 65_535, 100_000]))
    gaps = draw(st.lists(st.integers(1, widest), min_size=1, max_size=300))
    ids = np.cumsum(gaps).tolist()
    first = draw(st.integers(0, 70_000))
    poses = [sorted(draw(st.sets(st.integers(0, 300_000), min_size=1, max_size=40))) for _ in ids]
    return [first + i for i in ids], poses


@settings(max_examples=60, deadline=None)
@given(postings(), st.data())
def test_positions_records_round_trip(data: tuple[list[int], list[list[int]]], draw: Any) -> None:
    ids, poses = data
    record = decode_record(encode_record(ids, [float(len(p)) for p in poses],
                                         [POSITIONS.encode(p) for p in poses], POSITIONS))
    assert record.ids.tolist() == ids
    assert record.weights.tolist() == [float(len(p)) for p in poses]
    which = np.array(sorted(draw.draw(st.sets(st.integers(0, len(ids) - 1)))), dtype=np.int64)
    index, pos = record.positions(which)
    assert list(zip(index.tolist(), pos.tolist())) == [(i, p) for i in which.tolist() for p in poses[i]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.25, 70_000.0, width=32), min_size=1, max_size=30))
def test_weights_that_are_not_position_counts_are_kept(weights: list[float]) -> None:
    ids = list(range(3, 3 + 2 * len(weights), 2))
    poses = [[1, 5]] * len(weights)
    record = decode_record(encode_record(ids, weights, [POSITIONS.encode(p) for p in poses], POSITIONS))
    assert record.weights.tolist() == weights
    assert record.positions(np.arange(len(ids)))[1].tolist() == [1, 5] * len(weights)


@st.composite
def split_postings(draw: Any) -> tuple[Any, list[int], list[float], list[bytes], list[int]]:
    """(format, ids, weights, values, cuts): one term's postings in a format and where segments
    end. Values and weights are of the kinds the format writes, or mixed (a value that is not
    the packed weight makes a ``Frequency`` record raw)."""
    ids, poses = draw(postings())
    kind = draw(st.sampled_from(["positions", "positions-weighted", "frequency", "frequency-mixed",
                                 "existence", "characters"]))
    if kind.startswith("positions"):
        format_ = FlatPositions() if draw(st.booleans()) else POSITIONS
        values = [format_.encode(p) for p in poses]
        weights = [float(len(p)) for p in poses]
        if kind == "positions-weighted":  # boosts: weights that are not position counts
            weights = [w * draw(st.sampled_from([1.0, 1.5, 2.0])) for w in weights]
    elif kind.startswith("frequency"):
        format_ = formats.Frequency()
        weights = [float(len(p)) for p in poses]
        values = [pack_uint(int(w)) for w in weights]
        if kind == "frequency-mixed":
            values[draw(st.integers(0, len(values) - 1))] = b"other"
    elif kind == "existence":
        format_ = formats.Existence()
        weights, values = [1.0] * len(ids), [b""] * len(ids)
    else:
        format_ = formats.Characters()
        weights = [float(len(p)) for p in poses]
        values = [format_.encode([(q, 0, 1) for q in p]) for p in poses]
    cuts = sorted(draw(st.sets(st.integers(1, len(ids) - 1), max_size=4))) if len(ids) > 1 else []
    return format_, ids, weights, values, cuts


@settings(max_examples=150, deadline=None)
@given(split_postings())
def test_merged_records_are_the_records_of_all_postings_at_once(data: Any) -> None:
    """``merge_records`` of a term's records in consecutive segments writes exactly the bytes
    ``encode_record`` writes for all the postings together, whatever kinds the parts have."""
    format_, ids, weights, values, cuts = data
    bounds = [0, *cuts, len(ids)]
    parts = []
    for lo, hi in zip(bounds, bounds[1:]):
        start = ids[lo] - 1 if lo else 0  # the segment's first doc number in the merged one
        part = encode_record([i - start for i in ids[lo:hi]], array("f", weights[lo:hi]), values[lo:hi], format_)
        parts.append((decode_record(part), start))
    merged = merge_records(parts, format_)
    assert merged.data == encode_record(ids, array("f", weights), values, format_)
    assert merged.ids.tolist() == ids
    assert merged.weights.tolist() == array("f", weights).tolist()


def _tiny_index(directory: Path, codec: Any, *, sortable: bool = False) -> windex.Index:
    directory.mkdir()
    schema = fields.Schema(key=fields.ID(stored=True), text=fields.TEXT(phrase=True),
                           tags=fields.KEYWORD(scorable=True), n=fields.NUMERIC(sortable=sortable),
                           chars=fields.TEXT(chars=True))  # Characters: stored as raw values
    ix = windex.create_in(str(directory), schema)
    rng = np.random.default_rng(5)
    words = "alfa beta gamma delta epsilon zeta theta iota kappa lambda".split()
    for part in range(3):
        with ix.writer(codec=codec) as writer:
            writer.merge = False
            for n in range(120):
                length = int(rng.integers(1, 300))
                writer.add_document(key=f"{part}-{n}", text=" ".join(rng.choice(words, length)),
                                    tags=" ".join(rng.choice(words, 4)), n=n,
                                    chars=" ".join(rng.choice(words, 1 + length % 7)))
    with ix.writer(codec=codec) as writer:
        writer.merge = False
        writer.delete_by_term("key", "1-7")
    return ix


def _tiny_index_in(storage: Any) -> windex.Index:
    """Three documents in a storage that is no folder of files, written by our codec."""
    ix = storage.create_index(fields.Schema(key=fields.ID(stored=True), text=fields.TEXT(phrase=True)))
    with ix.writer(codec=PostingsCodec()) as writer:
        for n in range(3):
            writer.add_document(key=f"{n}-{n}", text="alfa beta gamma")
    return ix


def _all_postings(ix: windex.Index) -> list[tuple[Any, ...]]:
    with ix.reader() as reader:
        out = []
        for fieldname, text in reader.all_terms():
            m = reader.postings(fieldname, text)
            fmt = reader.schema[fieldname].format
            while m.is_active():
                value = (m.value_as("characters") if fmt.supports("characters")
                         else m.value_as("positions") if fmt.supports("positions") else m.value() or b"")
                out.append((fieldname, text, m.id(), m.weight(), value))
                m.next()
        return out


def test_whooshs_matcher_api_reads_the_same_postings_before_and_after_a_merge(tmp_path: Path) -> None:
    old = _tiny_index(tmp_path / "w3", W3Codec())
    new = _tiny_index(tmp_path / "ours", PostingsCodec())
    with new.reader() as reader:
        leaf = reader.leaf_readers()[0][0]
        assert type(leaf.postings("text", "alfa")) is ArrayMatcher
        assert {type(leaf.postings(f, "alfa")).__name__ for f in ("text", "chars", "tags")} == {"ArrayMatcher"}
        kinds = {leaf.postings(f, "alfa").record().value_kind for f in ("text", "chars", "tags")}
        assert kinds == {V_POSITIONS, V_RAW, V_UINT_WEIGHT}
    assert len(new.reader().leaf_readers()) == 3 and new.reader().has_deletions()
    assert _all_postings(new) == _all_postings(old)
    for ix in (old, new):
        with ix.writer(codec=PostingsCodec()) as writer:
            writer.optimize = True
    assert len(new.reader().leaf_readers()) == 1 and not new.reader().has_deletions()
    assert _all_postings(new) == _all_postings(old)


def _documents(ix: windex.Index) -> list[tuple[Any, ...]]:
    """Every document's stored fields, field lengths and column value, in doc order."""
    with ix.reader() as reader:
        column = reader.column_reader("n")
        return [(reader.stored_fields(d), *(reader.doc_field_length(d, f) for f in ("text", "tags", "chars")),
                 column[d]) for d in range(reader.doc_count_all())]


def test_merging_segments_keeps_every_posting_document_and_total(tmp_path: Path) -> None:
    """``merge_segments`` (records concatenated, documents copied column by column) leaves the
    index holding exactly what it held, doc numbers in order, field totals exact; a segment
    with deletions is refused before anything is written."""
    ix = _tiny_index(tmp_path / "ours", PostingsCodec(), sortable=True)
    with ix.writer(codec=PostingsCodec()) as writer:
        writer.optimize = True  # Whoosh's own merge drops the deleted document
    with ix.writer(codec=PostingsCodec()) as writer:
        writer.merge = False
        for n in range(5):
            writer.add_document(key=f"new-{n}", text="alfa omega " * n, tags="beta", n=n, chars="gamma")
    segments = index_segments(ix)
    assert len(segments) == 2 and all(mergeable(s) for s in segments)
    before = (_all_postings(ix), _documents(ix))
    with ix.reader() as reader:
        totals = {f: reader.field_length(f) for f in ("text", "tags", "chars")}
    merge_segments(ix, segments, codec=PostingsCodec())
    assert len(index_segments(ix)) == 1
    assert (_all_postings(ix), _documents(ix)) == before
    with ix.reader() as reader:
        assert {f: reader.field_length(f) for f in ("text", "tags", "chars")} == totals

    deleted = _tiny_index(tmp_path / "deleted", PostingsCodec())
    segments = index_segments(deleted)
    assert not all(mergeable(s) for s in segments)
    with pytest.raises(ValueError, match="deletions"):
        merge_segments(deleted, segments, codec=PostingsCodec())
    assert len(index_segments(deleted)) == 3
    deleted.writer().cancel()  # nothing left locked


def test_merging_segments_in_storage_that_is_no_folder() -> None:
    """Without memory maps (``RamStorage``) the records come through Whoosh's matcher, and a
    schema storing nothing copies no stored fields."""
    for stored in (True, False):
        ix = RamStorage().create_index(fields.Schema(key=fields.ID(stored=stored), text=fields.TEXT(phrase=True)))
        for part in range(3):
            with ix.writer(codec=PostingsCodec()) as writer:
                writer.merge = False
                for n in range(4):
                    writer.add_document(key=f"{part}-{n}", text="alfa beta " * (n + part) + "gamma")
        with ix.reader() as reader:
            before = _all_postings(ix), [reader.stored_fields(d) for d in range(reader.doc_count_all())]
        merge_segments(ix, index_segments(ix)[1:], codec=PostingsCodec())
        assert len(index_segments(ix)) == 2
        with ix.reader() as reader:
            assert (_all_postings(ix), [reader.stored_fields(d) for d in range(reader.doc_count_all())]) == before
            assert bool(before[1][0]) is stored


# --- The whole bench mix on an archive indexed three ways --------------------------------


def _build(root: Path, first: Any, second: Any) -> Path:
    """A generated archive indexed in two steps (a rebuild with ``first``, then changed and
    new files with ``second``): several segments and deleted documents."""
    from benchmark.generate import generate
    from indexer import index as indexing

    archive, index_dir = root / "arkiv", root / "index"
    generate(40, archive, seed=11)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(indexing.WRITER_OPTIONS, "codec", first)
        assert not indexing.build_index(archive, index_dir, rebuild=True).failed
        for path in sorted(archive.rglob("*.txt"))[:3]:
            path.write_bytes(path.read_bytes() + "\nÖvrigt: budget och bredband.\n".encode("cp1252"))
        generate(8, archive / "nya", seed=12)
        patch.setitem(indexing.WRITER_OPTIONS, "codec", second)
        report = indexing.build_index(archive, index_dir)
    assert not report.failed and report.updated and report.added
    return index_dir


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "whoosh3": _build(tmp_path_factory.mktemp("w3"), W3Codec(), W3Codec()),
        "ours": _build(tmp_path_factory.mktemp("ours"), PostingsCodec(), PostingsCodec()),
        "mixed": _build(tmp_path_factory.mktemp("mixed"), W3Codec(), PostingsCodec()),
    }


def _answers(index_dir: Path) -> dict[str, Any]:
    """Per bench query: total, facet counts, the first page, and every matched hit's score."""
    from benchmark.measure import load_queries
    from indexer.docsets import Postings, doc_mask
    from indexer.query import SearchRequest
    from indexer.querylang import compile_query
    from indexer.scoring import score_vector, scored_terms
    from indexer.search import SearchService, _and, _base_parts

    service = SearchService(index_dir)
    try:
        searcher, arrays, _ = service._searcher()
        assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
        out = {}
        for bq in load_queries():
            result = service.search(SearchRequest(q=bq.text, page_size=20))
            cq = compile_query(bq.text)
            q = _and(_base_parts(cq, SearchRequest(q=bq.text), service._bounded(cq.query, searcher, []), arrays))
            postings = Postings(searcher)
            matched = np.flatnonzero(doc_mask(postings, q) & postings.live())
            scores = score_vector(postings, scored_terms(q), arrays.rank)
            every = {searcher.stored_fields(int(d))["item_id"]: float(scores[d]) for d in matched}
            page = [(h.item_id, h.score) for h in result.hits]
            out[bq.text] = (result.total, result.to_dict()["facets"], page, every)
        return out
    finally:
        service.close()


def test_totals_facets_and_scores_are_identical_in_both_formats(three_ways: dict[str, Path]) -> None:
    from whoosh.codec.whoosh3 import W3LeafMatcher

    from indexer import generations as gens

    kinds = {}
    for name, index_dir in three_ways.items():
        ix = windex.open_dir(str(gens.current_generation(index_dir)))
        with ix.reader() as reader:
            kinds[name] = {type(sub.postings("kind", "item")).__name__ if not sub.has_deletions()
                           else type(sub.postings("kind", "item").child).__name__
                           for sub, _ in reader.leaf_readers()}
    assert kinds["whoosh3"] == {W3LeafMatcher.__name__} and kinds["ours"] == {ArrayMatcher.__name__}
    assert kinds["mixed"] == {W3LeafMatcher.__name__, ArrayMatcher.__name__}
    expected = _answers(three_ways["whoosh3"])
    assert sum(1 for total, *_ in expected.values() if total) > 100
    for name in ("ours", "mixed"):
        got = _answers(three_ways[name])
        for text, answer in expected.items():
            assert got[text] == answer, (name, text)


def test_terms_and_postings_are_read_from_memory_maps(three_ways: dict[str, Path], tmp_path: Path) -> None:
    """Our codec opens a segment's ``.trm`` and ``.pst`` as memory maps (Whoosh's term lookup
    was 42 % of a first-pass search as seek + read calls) and answers exactly as Whoosh's own
    file-backed reader does; an empty file or RAM storage falls back to Whoosh's reader."""
    import mmap

    from whoosh.filedb.filestore import RamStorage

    from indexer.codec import _mapped

    from indexer import generations as gens

    ix = windex.open_dir(str(gens.current_generation(three_ways["ours"])))  # separate files
    storage = ix.storage
    for segment in ix._segments():  # noqa: SLF001 - the test walks the segments it wrote
        mapped = PostingsCodec().terms_reader(storage, segment)
        plain = W3Codec().terms_reader(storage, segment)
        try:
            # Mapped, and not copied: Whoosh's BufferFile would copy the file into a BytesIO.
            assert isinstance(mapped._dbfile.file, mmap.mmap) and not isinstance(plain._dbfile.file, mmap.mmap)
            assert isinstance(mapped._postfile.file, mmap.mmap)
            assert list(mapped.terms()) == list(plain.terms())
            for fieldname, text in mapped.terms():
                a = mapped.term_info(fieldname, text)
                b = plain.term_info(fieldname, text)
                assert (a.doc_frequency(), a.weight(), a.extent()) == (b.doc_frequency(), b.weight(), b.extent())
                fmt = ix.schema[fieldname].format
                assert list(mapped.matcher(fieldname, text, fmt).all_ids()) == \
                    list(PostingsCodec().postings_reader(plain._postfile, b, fmt).all_ids())  # fmt: skip
        finally:
            mapped.close()
            plain.close()
    empty = tmp_path / "tom.trm"
    empty.write_bytes(b"")
    assert _mapped(str(empty)) is None and _mapped(str(tmp_path / "saknas.trm")) is None
    ram = _tiny_index_in(RamStorage())
    with ram.reader() as reader:  # compound or in-memory segments: Whoosh's own reader
        assert sorted(reader.lexicon("key"))[:1] == [b"0-0"]
    ix.close()


@st.composite
def mostly_small(draw: Any) -> list[int]:
    """Integer runs like real gaps: most below 255, a few (or none, or all) far above."""
    large = draw(st.sampled_from([255, 300, 65_535, 65_536, 4_000_000]))
    share = draw(st.sampled_from([0.0, 0.02, 0.3, 1.0]))
    n = draw(st.integers(0, 400))
    return [draw(st.integers(large, large * 2)) if draw(st.floats(0, 1)) < share
            else draw(st.integers(0, 254)) for _ in range(n)]


@settings(max_examples=120, deadline=None)
@given(mostly_small())
def test_integer_runs_round_trip_in_the_smallest_code(values: list[int]) -> None:
    from indexer.codec import _UINTS, _run, _unrun

    code, data = _run(values)
    padded = b"xyz" + data + b"tail"  # decoded at an offset, and never past its own bytes
    decoded, size = _unrun(padded, code, len(values), 3)
    assert decoded.tolist() == values and size == len(data)
    plain = max(values, default=0)
    widest = 1 if plain < 256 else 2 if plain < 65_536 else 4
    assert len(data) <= len(values) * widest
    if code in (4, 5):  # escaped only when it is smaller than the plain dtype
        assert len(data) < len(values) * widest and _UINTS[code - 2].itemsize in (2, 4)


def test_a_few_large_position_gaps_no_longer_widen_the_whole_term() -> None:
    """Passages run to 400 words: one late repeat used to store every gap of the term as u16."""
    ids = list(range(0, 400, 4))
    poses = [[1, 3, 9, 300] for _ in ids]
    record_bytes = encode_record(ids, [4.0] * len(ids), [POSITIONS.encode(p) for p in poses], POSITIONS)
    record = decode_record(record_bytes)
    assert record.positions(np.arange(len(ids)))[1].tolist() == [p for ps in poses for p in ps]
    header, gaps, weights = 12, len(ids) - 1, len(ids)  # one byte per gap and per weight
    assert len(record_bytes) == header + gaps + weights + 4 * len(ids) + 2 * len(ids)  # not 8 × len(ids)


def test_terms_are_read_straight_from_the_maps_and_equal_whooshs_lookup(three_ways: dict[str, Path]) -> None:
    """``whoosh_internals._mapped_record`` finds a term's record by probing the memory-mapped
    hash table itself; for every term of every segment it returns what Whoosh's own matcher
    reads, a missing term is absent, and a ``whoosh3`` segment goes through Whoosh."""
    from whoosh.codec.whoosh3 import W3Codec as _W3

    from indexer import generations as gens
    from indexer.whoosh_internals import _ABSENT, _MappedTerms, doc_frequency

    def _mapped_record(sub, fieldname, text):  # noqa: ANN001, ANN202
        mapped = _MappedTerms.of(sub)
        tbytes = text if isinstance(text, bytes) else text.encode("utf-8")
        return None if mapped is None else mapped.record(fieldname, tbytes)

    for name in ("ours", "mixed"):
        ix = windex.open_dir(str(gens.current_generation(three_ways[name])))
        with ix.reader() as reader:
            ours = 0
            for sub, _ in reader.leaf_readers():
                if type(sub.codec()) is _W3:
                    assert _mapped_record(sub, "kind", "item") is None
                    continue
                ours += 1
                assert _mapped_record(sub, "text", "ordetsomintefinns") is _ABSENT
                assert _mapped_record(sub, "nosuchfield", "x") is _ABSENT
                for fieldname, btext in list(sub.all_terms())[::7]:
                    record = _mapped_record(sub, fieldname, btext)
                    m = sub.postings(fieldname, btext)
                    while not isinstance(m, ArrayMatcher):
                        m = m.child
                    expected = m.record()
                    assert record.ids.tolist() == expected.ids.tolist(), (fieldname, btext)
                    assert record.weights.tolist() == expected.weights.tolist()
            assert ours >= 1
            for fieldname, btext in list(reader.all_terms())[::11]:
                assert doc_frequency(reader, fieldname, btext) == reader.doc_frequency(fieldname, btext)
            assert doc_frequency(reader, "nosuchfield", "x") == 0 == doc_frequency(reader, "text", "ordetsomintefinns")
        ix.close()


@pytest.mark.parametrize("name", ["ours", "mixed", "whoosh3"])
def test_a_whole_field_read_at_once_equals_reading_it_term_by_term(three_ways: dict[str, Path], name: str) -> None:
    """``field_postings`` (each segment's terms in order, no lookup per term) gives every term
    of the field, in the lexicon's order once sorted, with the documents ``term_postings``
    finds for it: on several segments with deletions, in our format, Whoosh's, and both."""
    from indexer import generations as gens
    from indexer.whoosh_internals import field_postings, term_postings

    ix = windex.open_dir(str(gens.current_generation(three_ways[name])))
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
        for fieldname in ("organisation", "municipality", "date", "kind", "topic", "nosuchfield"):
            whole = field_postings(reader, fieldname)
            lexicon = [b.decode("utf-8") for b in reader.lexicon(fieldname)] if fieldname in reader.schema else []
            assert sorted(whole) == lexicon, fieldname
            for text in lexicon:
                assert whole[text].tolist() == term_postings(reader, fieldname, text)[0].tolist(), (fieldname, text)
    ix.close()


@settings(max_examples=80, deadline=None)
@given(postings(), st.booleans())
def test_flat_positions_make_the_same_records_as_whooshs_positions(
    data: tuple[list[int], list[list[int]]], many: bool
) -> None:
    """``FlatPositions`` values (no pickle) give byte-identical records, on both the Python path
    and the numpy path (``NUMPY_MIN_POSITIONS``), and decode as Whoosh's format does."""
    from indexer.codec import NUMPY_MIN_POSITIONS, FlatPositions

    ids, poses = data
    if many:  # enough positions for the numpy path
        poses = [p + list(range(max(p) + 1, max(p) + 1 + NUMPY_MIN_POSITIONS // len(ids) + 1)) for p in poses]
    flat = FlatPositions()
    weights = [float(len(p)) for p in poses]
    expected = encode_record(ids, weights, [POSITIONS.encode(p) for p in poses], POSITIONS)
    got = encode_record(ids, weights, [flat.encode(p) for p in poses], flat)
    assert got == expected
    assert all(flat.decode_positions(flat.encode(p)) == p for p in poses)
    assert all(flat.decode_frequency(flat.encode(p)) == len(p) for p in poses)


def test_new_schemas_store_flat_positions_and_phrases_still_match(tmp_path: Path) -> None:
    from indexer.codec import FlatPositions
    from indexer.schema import build_schema

    schema = build_schema()
    assert {type(schema[f].format) for f in ("title", "text", "decisions", "passage", "header", "attendance")} == {FlatPositions}
    ix = windex.create_in(str(tmp_path), schema)
    with ix.writer(codec=PostingsCodec(), compound=False) as writer:
        writer.add_document(kind="item", meeting_id="m", text="Beslut om gemensam nämnd för flyktingmottagning")
        writer.add_document(kind="item", meeting_id="n", text="Nämnd gemensam beslut")
    from whoosh import query as wq

    with ix.searcher() as searcher:
        m = searcher.reader().postings("text", "=gemensam")
        assert m.value_as("positions") == [2]
        phrase = wq.Phrase("text", ["=gemensam", "=nämnd"])
        assert [searcher.stored_fields(d)["meeting_id"] for d in searcher.docs_for_query(phrase)] == ["m"]
