"""The grouped posting pool of rebuilds (indexer.postingpool) writes exactly what Whoosh's pool
writes: every term's postings, weights and values, and every stored field, through the real
schema and codec, in one writer and in Whoosh's multiprocess writer."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as windex

from indexer.index import WRITER_OPTIONS
from indexer.postingpool import GroupedPostings
from indexer.schema import build_schema
from indexer.whoosh_internals import rebuild_writer

WORDS = ["budget", "flyktingmottagning", "gemensam", "nämnd", "skola", "förskola", "och", "att",
         "Räddningstjänsten", "e-tjänster", "2019", "kommunförbund", "Östra", "bredband", "§ 12"]
MUNIS = ["Kalmar", "Borgholm", "Mörbylånga", "Umeå"]


def _text(draw: Any) -> str:
    return " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=30)))


@st.composite
def documents(draw: Any) -> list[dict[str, Any]]:
    docs = []
    for n in range(draw(st.integers(1, 25))):
        doc: dict[str, Any] = {
            "kind": draw(st.sampled_from(["item", "meeting", "passage"])),
            "item_id": f"i{n}",
            "meeting_id": f"m{draw(st.integers(0, 4))}",
            "organisation": draw(st.sampled_from(["Kalmarsunds kommunförbund", "Umeåregionen"])),
            "municipality": ",".join(draw(st.lists(st.sampled_from(MUNIS), max_size=3, unique=True))),
            "year": draw(st.integers(1995, 2026)),
            "date": f"{draw(st.integers(1995, 2026))}-01-0{draw(st.integers(1, 9))}",
            "title": _text(draw),
            "text": _text(draw),
            "source": f"s{n}.txt",
        }
        if draw(st.booleans()):
            doc["decisions"] = _text(draw)
        docs.append(doc)
    return docs


def _postings(index_dir: Path, key: str | None = None) -> tuple[dict[Any, list[Any]], list[Any]]:
    """Every term's (document, weight, value) postings and every stored document; documents by
    number, or by the stored field ``key`` when the writers may number them differently."""
    ix = windex.open_dir(str(index_dir))
    try:
        with ix.reader() as reader:
            stored = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
            name = (lambda d: d) if key is None else (lambda d: stored[d][key])
            terms: dict[Any, list[Any]] = {}
            for fieldname, tbytes in reader.all_terms():
                m = reader.postings(fieldname, tbytes)
                found = []
                while m.is_active():
                    found.append((name(m.id()), m.weight(), m.value()))
                    m.next()
                terms[(fieldname, tbytes)] = sorted(found) if key else found
            lengths = {f: reader.field_length(f) for f in ("title", "text", "decisions")}
        return terms, (sorted(stored, key=repr) if key else stored) + [lengths]
    finally:
        ix.close()


def _write(index_dir: Path, docs: list[dict[str, Any]], procs: int | None) -> None:
    index_dir.mkdir()
    ix = windex.create_in(str(index_dir), build_schema())
    writer = ix.writer(**WRITER_OPTIONS) if procs is None else rebuild_writer(ix, procs, **WRITER_OPTIONS)
    try:
        for doc in docs:
            writer.add_document(**doc)
        if procs == 1:
            assert isinstance(writer.pool, GroupedPostings)
        elif procs:  # each sub-writer process swaps its pool on its first batch
            assert writer.tasks and all(type(t).__name__ == "_GroupedSubWriter" for t in writer.tasks)
    except BaseException:
        for task in getattr(writer, "tasks", []):  # sub-writer processes wait for work forever
            task.terminate()
            task.join()
        writer.cancel()
        raise
    writer.commit(merge=False)
    ix.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=documents())
def test_one_grouped_writer_writes_what_whoosh_writes(tmp_path_factory: Any, docs: list[dict[str, Any]]) -> None:
    root = tmp_path_factory.mktemp("pool")
    _write(root / "whoosh", docs, None)
    _write(root / "grouped", docs, 1)
    assert _postings(root / "grouped") == _postings(root / "whoosh")


def test_the_multiprocess_writer_groups_in_each_sub_writer(tmp_path: Path) -> None:
    """Whoosh's sub-writers get the grouped pool (one segment each) and write the same postings
    as one plain writer, document for document."""
    docs = [{"kind": "item", "item_id": f"i{n}", "meeting_id": f"m{n % 7}", "year": 2000 + n % 20,
             "title": f"{WORDS[n % len(WORDS)]} {WORDS[(n * 7) % len(WORDS)]}",
             "text": " ".join(WORDS[(n + k) % len(WORDS)] for k in range(n % 11 + 1)),
             "municipality": MUNIS[n % 4]} for n in range(450)]
    _write(tmp_path / "whoosh", docs, None)
    _write(tmp_path / "grouped", docs, 2)
    ix = windex.open_dir(str(tmp_path / "grouped"))
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 2
    ix.close()
    assert _postings(tmp_path / "grouped", "item_id") == _postings(tmp_path / "whoosh", "item_id")


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([b"x", b"y", b"z"]),
                          st.integers(0, 50), st.sampled_from([1.0, 2.0, 0.5]),
                          st.one_of(st.none(), st.binary(max_size=6)))))
def test_iteration_is_sorted_like_whoosh_pool(items: list[tuple[str, bytes, int, float, bytes | None]]) -> None:
    """Postings added in any order come out as Whoosh's sorting pool gives them: by field, term
    and document (documents added in order keep it; a term's equal documents keep theirs)."""
    pool = GroupedPostings()
    for item in items:
        pool.add(item)
    expected = sorted(((f, t, d, w, v or b"") for f, t, d, w, v in items), key=lambda p: p[:3])
    got = [(f, t, d, w, v) for f, t, d, w, v in pool]
    assert [p[:3] for p in got] == [p[:3] for p in expected]
    assert sorted(got) == sorted((f, t, d, float(array("f", [w])[0]), v) for f, t, d, w, v in expected)
    assert pool.fieldnames == {f for f, *_ in items}


def test_documents_with_boosts_or_custom_stored_values_take_whooshs_path(tmp_path: Path) -> None:
    """Whoosh's special keys (a document boost, a field boost, a stored value other than the
    indexed one) are honoured exactly as by Whoosh's own writer."""
    docs = [{"kind": "item", "item_id": "i1", "title": "budget och skola", "_boost": 2.0},
            {"kind": "item", "item_id": "i2", "text": "flyktingmottagning", "_text_boost": 3.0},
            {"kind": "item", "item_id": "i3", "title": "Räddningstjänsten", "_stored_title": "visad"},
            {"kind": "item", "item_id": "i4", "title": "gemensam nämnd", "text": "e-tjänster 2019"}]
    _write(tmp_path / "whoosh", docs, None)
    _write(tmp_path / "grouped", docs, 1)
    assert _postings(tmp_path / "grouped") == _postings(tmp_path / "whoosh")
    terms, stored = _postings(tmp_path / "grouped")
    assert stored[2]["title"] == "visad"
    assert any(w == 2.0 for (f, _), ps in terms.items() if f == "title" for _, w, _ in ps)
