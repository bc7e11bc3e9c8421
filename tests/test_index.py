"""The index builder: corpus walk, incremental updates, ids, locking, generations, crash safety."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from conftest import CORPUS, ROOT

from indexer import generations as gens
from indexer.errors import IndexBusy, IndexMissing, ProtokollError
from indexer.corpus import walk_corpus
from indexer.index import MeetingIds, build_index, index_meetings
from indexer.query import SearchRequest
from indexer.records import AgendaItem, Meeting
from indexer.search import SearchService

SEED_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in {".txt", ".md"})


def _meeting(mid: str, source: str, title: str = "Budget") -> Meeting:
    return Meeting(id=mid, source=source, sha256=source, format="txt", organisation="Org",
                   body="styrelse", date="2020-01-01", items=(AgendaItem("1", title),))


def _item_ids(index_dir: Path) -> list[str]:
    svc = SearchService(index_dir)
    try:
        ids: list[str] = []
        page = 1
        while True:
            result = svc.search(SearchRequest(page_size=100, page=page))
            ids += [h.item_id for h in result.hits]
            if page >= result.page_count:
                break
            page += 1
        assert len(ids) == len(set(ids)) == result.total
        return sorted(ids)
    finally:
        svc.close()


# ---------------------------------------------------------------- walk


def test_walk_skips_hidden_metadata_and_unsupported_and_survives_loops(tmp_path: Path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".dold.txt").write_text("x", encoding="utf-8")
    (tmp_path / "protokoll.toml").write_text("", encoding="utf-8")
    (tmp_path / "bild.jpg").write_bytes(b"\xff")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "B.PDF").write_bytes(b"%PDF")
    (sub / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.txt").write_text("x", encoding="utf-8")
    files, failed = walk_corpus(tmp_path)
    assert [s for s, _ in files] == ["a.txt", "sub/B.PDF"]
    assert any("slinga" in reason for _, reason in failed)


# ---------------------------------------------------------------- ids, lock, generations


def test_same_meeting_id_from_two_sources_is_disambiguated(tmp_path: Path):
    report = index_meetings(tmp_path, [_meeting("m-2020", "a.txt"), _meeting("m-2020", "b.txt")])
    assert report.added == ["a.txt", "b.txt"]
    assert _item_ids(tmp_path) == ["m-2020#1", "m-2020-2#1"]
    index_meetings(tmp_path, [_meeting("m-2020", "b.txt", "Ny titel")])  # re-index b: stays -2
    assert _item_ids(tmp_path) == ["m-2020#1", "m-2020-2#1"]


def _claimed_by_scan(claims: list[tuple[str, str]], held: dict[str, str]) -> list[str]:
    """The ids the straightforward rule gives: free this file's other ids, then take the meeting's
    id or the first "-n" no other file holds."""
    taken = {mid: source for source, mid in held.items()}
    out = []
    for source, mid in claims:
        for owned in [i for i, s in taken.items() if s == source and i != mid]:
            del taken[owned]
        chosen, n = mid, 2
        while taken.get(chosen, source) != source:
            chosen, n = f"{mid}-{n}", n + 1
        taken[chosen] = source
        out.append(chosen)
    return out


@given(
    st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from(["m", "m-2", "n"])), max_size=30),
    st.dictionaries(st.sampled_from("abcd"), st.sampled_from(["m", "m-2", "n"]), max_size=4),
)
def test_meeting_ids_follow_the_rule_without_scanning(claims, held):
    ids = MeetingIds(held)
    got = [ids.claim(_meeting(mid, source), source).id for source, mid in claims]
    assert got == _claimed_by_scan(claims, held)


def test_a_file_whose_meeting_id_changes_frees_its_old_id():
    ids = MeetingIds({"a.txt": "m"})
    assert ids.claim(_meeting("m", "b.txt"), "b.txt").id == "m-2"
    assert ids.claim(_meeting("n", "a.txt"), "a.txt").id == "n"  # a.txt lets go of "m"
    assert ids.claim(_meeting("m", "c.txt"), "c.txt").id == "m"


def test_second_indexer_is_refused_with_index_busy(tmp_path: Path):
    with gens.writer_lock(tmp_path), pytest.raises(IndexBusy, match="Ett annat indexeringsjobb"):
        index_meetings(tmp_path, [_meeting("m", "a.txt")])
    index_meetings(tmp_path, [_meeting("m", "a.txt")])  # lock released
    assert _item_ids(tmp_path) == ["m#1"]


def test_old_schema_version_needs_a_rebuild(tmp_path: Path):
    index_meetings(tmp_path, [_meeting("m", "a.txt")])
    gen = gens.current_generation(tmp_path)
    (gen / gens.META_FILE).write_text('{"schema_version": 0}', encoding="utf-8")
    with pytest.raises(IndexMissing, match="protokoll index --rebuild"):
        SearchService(tmp_path)
    report = index_meetings(tmp_path, [_meeting("m", "a.txt")])
    assert report.rebuilt and _item_ids(tmp_path) == ["m#1"]


def test_crashed_rebuild_leftovers_are_pruned(tmp_path: Path):
    index_meetings(tmp_path, [_meeting("m", "a.txt")])
    (tmp_path / "gen-000007").mkdir()  # a rebuild that died before switching
    index_meetings(tmp_path, [_meeting("n", "b.txt")], rebuild=True)
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-000001", "gen-000002"]


# ---------------------------------------------------------------- real files (needs the parser)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_incremental_add_touch_modify_delete(corpus_copy: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    first = build_index(corpus_copy, index_dir, workers=1)
    assert not first.failed and sorted(first.added) == SEED_FILES
    before = _item_ids(index_dir)
    assert len(before) == first.items + first.passages and first.items > 20

    again = build_index(corpus_copy, index_dir, workers=1)
    assert sorted(again.unchanged) == SEED_FILES and not (again.added or again.updated)

    name = SEED_FILES[0]
    os.utime(corpus_copy / name, ns=(1, 1))  # touched: hashed again, found unchanged
    touched = build_index(corpus_copy, index_dir, workers=1)
    assert name in touched.unchanged and not touched.updated

    path = corpus_copy / SEED_FILES[-1]
    path.write_text(path.read_text(encoding="utf-8").replace("Brottsofferjouren", "Stödjouren"),
                    encoding="utf-8")
    changed = build_index(corpus_copy, index_dir, workers=1)
    assert changed.updated == [SEED_FILES[-1]]
    assert _item_ids(index_dir) == before  # replaced, not duplicated

    (corpus_copy / SEED_FILES[1]).unlink()
    removed = build_index(corpus_copy, index_dir, workers=1)
    assert removed.removed == [SEED_FILES[1]]
    after = _item_ids(index_dir)
    assert len(after) < len(before) and set(after) < set(before)


def test_unreadable_file_is_reported_and_the_rest_indexed(corpus_copy: Path, tmp_path: Path):
    (corpus_copy / "tom.txt").write_bytes(b"")
    report = build_index(corpus_copy, tmp_path / "index", workers=1)
    assert [p for p, _ in report.failed] == ["tom.txt"]
    assert report.failed[0][1]
    assert sorted(report.added) == SEED_FILES


def test_parallel_parse_gives_the_same_index(corpus_copy: Path, tmp_path: Path):
    for i in range(2):  # enough files for the process pool to start
        for name in SEED_FILES:
            dst = corpus_copy / f"kopia{i}" / name
            dst.parent.mkdir(exist_ok=True)
            shutil.copy(corpus_copy / name, dst)
    serial = build_index(corpus_copy, tmp_path / "a", workers=1)
    parallel = build_index(corpus_copy, tmp_path / "b", workers=2)
    assert serial.items == parallel.items
    assert _item_ids(tmp_path / "a") == _item_ids(tmp_path / "b")
    assert any(i.count("-") and i.split("#")[0].endswith("-3") for i in _item_ids(tmp_path / "a"))


PAUSE_MARK = "protokoll-test-pause"


def _killed_when_paused(script: str, corpus: Path, index_dir: Path) -> int | None:
    """Run ``script`` (argv: corpus, index) until it prints ``PAUSE_MARK``, SIGKILL it there;
    its return code."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(corpus), str(index_dir)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:  # type: ignore[union-attr]
            if PAUSE_MARK in line:
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:  # the loop above failed: never leave the writer running
            proc.kill()
        proc.wait(timeout=120)
    return proc.returncode


# Where a killed rebuild is held: (setup, condition on the progress callback's arguments).
KILL_POINTS = {
    "writing": ("", "done == 2"),  # after two written files
    # a segment a file, merged into two (``index.compact``): after the first merge
    "merging": ("ix.REBUILD_BATCH_MAX_BYTES = 1; ix.COMPACT_SEGMENTS = 2\n",
                "what.startswith('slår samman indexets delar (2/2)')"),
}


@pytest.mark.parametrize("stage", sorted(KILL_POINTS))
def test_killed_rebuild_leaves_the_old_index_and_a_rerun_completes(corpus_copy: Path, tmp_path: Path,
                                                                   stage: str) -> None:  # fmt: skip
    """SIGKILL while a rebuild writes its files, or between the merges of its segments: the old
    index answers as before, and a re-run completes with exactly the same items."""
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, workers=1)
    expected = _item_ids(index_dir)
    old_gen = gens.current_generation(index_dir)

    # The build's own progress callback holds it, long enough to kill.
    setup, held = KILL_POINTS[stage]
    script = (
        "import sys, time; from pathlib import Path; import indexer.index as ix\n" + setup +
        "def hold(done, total, what):\n"
        f"    if {held}:\n"
        f"        print({PAUSE_MARK!r}, file=sys.stderr, flush=True); time.sleep(120)\n"
        "ix.build_index(Path(sys.argv[1]), Path(sys.argv[2]), rebuild=True, workers=1, progress=hold)"
    )
    assert _killed_when_paused(script, corpus_copy, index_dir) == -signal.SIGKILL
    assert gens.current_generation(index_dir) == old_gen
    half = [g for g in index_dir.glob("gen-*") if g != old_gen]
    assert len(half) == 1  # the half-built generation is still there
    if stage == "merging":  # one merge done: fewer segments than files, more than the two asked
        assert 2 < len(list(half[0].glob("*.pst"))) < len(SEED_FILES)
    assert _item_ids(index_dir) == expected  # the old index answers

    rerun = build_index(corpus_copy, index_dir, rebuild=True, workers=1)
    assert not rerun.failed
    assert _item_ids(index_dir) == expected  # no loss, no duplicates


def test_missing_corpus_is_an_error_not_a_mass_removal(tmp_path: Path):
    index_meetings(tmp_path / "index", [_meeting("m", "a.txt")])
    with pytest.raises(ProtokollError, match="finns inte"):
        build_index(tmp_path / "stavfel", tmp_path / "index")
    assert _item_ids(tmp_path / "index") == ["m#1"]


def test_wait_blocks_until_the_other_indexer_is_done(tmp_path: Path):
    import threading
    import time

    released = threading.Event()

    def hold() -> None:
        with gens.writer_lock(tmp_path):
            time.sleep(0.3)
            released.set()

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.05)
    index_meetings(tmp_path, [_meeting("m", "a.txt")], wait=True)
    assert released.is_set()  # it could only run after the holder let go
    t.join()
    assert _item_ids(tmp_path) == ["m#1"]


def test_segments_are_not_compound_files(built_index) -> None:
    """A compound segment makes every searcher copy its postings into private memory (whoosh
    2.7.5), which with one searcher per web thread cost gigabytes on a large index."""
    from indexer import generations as gens

    _, ix = gens.open_generation(built_index)
    segments = ix._segments()
    assert segments and not any(s.is_compound() for s in segments)


# ---------------------------------------------------------------- schema version 2


def _write_schema_1_index(corpus: Path, index_dir: Path) -> None:
    """An index as schema 1 wrote it: every term per word, ``meeting_json`` as plain JSON text."""
    import json

    from whoosh import index as windex

    from indexer.documents import documents
    from indexer.pipeline import meeting_from_bytes
    from indexer.schema import build_schema

    gen = gens.new_generation(index_dir)
    ix = windex.create_in(str(gen), build_schema())
    with ix.writer() as writer:
        for name in SEED_FILES:
            meeting = meeting_from_bytes((corpus / name).read_bytes(), source=name, defaults={})
            for doc in documents(meeting, None):
                if "meeting_json" in doc:
                    doc["meeting_json"] = json.dumps(meeting.to_dict(), ensure_ascii=False)
                writer.add_document(**doc)
    (gen / gens.META_FILE).write_text(json.dumps({"schema_version": 1}), encoding="utf-8")
    gens.switch_to(index_dir, gen)


def test_schema_1_index_is_refused_by_the_service_and_rebuilt_by_the_indexer(
    corpus_copy: Path, tmp_path: Path
) -> None:
    from indexer.schema import SCHEMA_VERSION

    index_dir = tmp_path / "index"
    _write_schema_1_index(corpus_copy, index_dir)
    assert SCHEMA_VERSION > 1
    with pytest.raises(IndexMissing, match=rf"schemaversion 1, programmet kräver {SCHEMA_VERSION} – kör `protokoll index --rebuild`"):
        SearchService(index_dir)

    report = build_index(corpus_copy, index_dir, workers=1)  # no --rebuild needed
    assert report.rebuilt and sorted(report.added) == SEED_FILES
    assert gens.schema_version_of(gens.current_generation(index_dir)) == SCHEMA_VERSION  # type: ignore[arg-type]
    svc = SearchService(index_dir)
    try:
        first = svc.meetings()[0]
        page = svc.meeting(first.id)
        assert page is not None and page.meeting.id == first.id
        assert len(page.meeting.items) == first.item_count > 0
    finally:
        svc.close()


def test_meeting_json_leaves_item_texts_to_the_item_documents(corpus_copy: Path, tmp_path: Path) -> None:
    import json

    from indexer.pipeline import meeting_from_bytes

    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, workers=1)
    name = SEED_FILES[0]
    parsed = meeting_from_bytes((corpus_copy / name).read_bytes(), source=name, defaults={})
    _, ix = gens.open_generation(index_dir)
    with ix.searcher() as searcher:
        raw = searcher.document(kind="meeting", source=name)["meeting_json"]
    assert all("text" not in item for item in json.loads(raw)["items"])
    assert any(item.text for item in parsed.items)
    svc = SearchService(index_dir)
    try:
        page = svc.meeting(parsed.id)
        assert page is not None and page.meeting.items == parsed.items  # texts put back
    finally:
        svc.close()


def test_meeting_page_puts_back_texts_of_items_with_the_same_number(tmp_path: Path) -> None:
    items = (AgendaItem("1", "Budget", text="Första texten."), AgendaItem("1", "Budget", text="Andra texten."),
             AgendaItem("2", "Tom punkt"))
    meeting = Meeting(id="m-2020", source="a.txt", sha256="x", format="txt", organisation="Org",
                      body="styrelse", date="2020-01-01", items=items)
    index_meetings(tmp_path, [meeting])
    assert _item_ids(tmp_path) == ["m-2020#1", "m-2020#1-2", "m-2020#2"]
    svc = SearchService(tmp_path)
    try:
        page = svc.meeting("m-2020")
        assert page is not None and page.meeting.items == items
    finally:
        svc.close()


# ---------------------------------------------------------------- rebuild batches and scratch


@pytest.mark.parametrize(("limit", "compact_to", "segments_left"), [
    ("REBUILD_BATCH_MAX_BYTES", 99, len(SEED_FILES)),
    ("REBUILD_BATCH_MAX_CHARS", 99, len(SEED_FILES)),
    ("REBUILD_BATCH_MAX_BYTES", 3, 3),
    ("REBUILD_BATCH_MAX_CHARS", 2, 2),
])
def test_rebuild_in_batches_gives_the_same_answers_and_scores(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, compact_to: int,
    segments_left: int,
) -> None:
    """A rebuild committed a file at a time (one segment each) answers every query exactly like
    a rebuild committed once: same hits, same order, same scores, whether its segments are left
    as they are or merged at the end (``index.compact``: the segments' records concatenated,
    their documents' stored fields, lengths and columns copied). A batch ends at its limit of
    source bytes or of indexed characters, whichever comes first."""
    import indexer.index as index_module
    from whoosh import index as windex

    whole = build_index(corpus_copy, tmp_path / "one")
    monkeypatch.setattr(index_module, limit, 1)
    monkeypatch.setattr(index_module, "COMPACT_SEGMENTS", compact_to)
    told: list[str] = []
    batched = build_index(corpus_copy, tmp_path / "many", progress=lambda done, total, what: told.append(what))
    assert ("merge" in batched.durations) and ("merge" in whole.durations)
    merging = [what for what in told if what.startswith("slår samman")]
    assert merging == ([f"slår samman indexets delar ({n}/{compact_to}) …" for n in range(1, compact_to + 1)]
                       if segments_left < len(SEED_FILES) else [])
    assert whole.items == batched.items
    segments = []
    for name in ("one", "many"):
        gen = gens.current_generation(tmp_path / name)
        assert gen is not None
        ix = windex.open_dir(str(gen))
        with ix.reader() as reader:
            segments.append(len(list(reader.leaf_readers())))
        ix.close()
    assert segments[0] == 1 and segments[1] == segments_left
    a, b = SearchService(tmp_path / "one"), SearchService(tmp_path / "many")
    try:
        for q in ["budget", "kommunchefsgrupp", "skola OR förskola", '"gemensam nämnd"', "",
                  "år:2015", "beslut*"]:
            for sort in ("relevans", "nyast"):
                ra, rb = (s.search(SearchRequest(q=q, sort=sort, page_size=100)) for s in (a, b))
                assert ra.total == rb.total > 0
                assert ra.hits == rb.hits  # scores too, bit for bit
                assert ra.facets == rb.facets
        for hit in a.search(SearchRequest(q="", page_size=100)).hits:  # stored fields, whole
            assert a.meeting(hit.meeting_id) == b.meeting(hit.meeting_id)
    finally:
        a.close()
        b.close()


def test_indexer_scratch_files_live_in_the_index_folder_and_are_removed(tmp_path: Path) -> None:
    """While an indexer holds the lock, tempfile's folder is the index folder's ``tmp``, emptied
    at the start (a crash's leftovers, with Whoosh's sort runs) and removed at the end."""
    import tempfile

    index_dir = tmp_path / "ix"
    (index_dir / gens.SCRATCH_DIR).mkdir(parents=True)
    (index_dir / gens.SCRATCH_DIR / "kraschrest.run").write_bytes(b"x" * 100)
    runs = index_dir / "gen-000001" / gens.WHOOSH_SCRATCH  # a killed writer's sort runs
    runs.mkdir(parents=True)
    (runs / "abc.run").write_bytes(b"x" * 100)
    outside = tempfile.gettempdir()
    with gens.writer_lock(index_dir):
        assert Path(tempfile.gettempdir()) == index_dir / gens.SCRATCH_DIR
        assert not (index_dir / gens.SCRATCH_DIR / "kraschrest.run").exists()
        assert not runs.exists() and runs.parent.is_dir()
        with tempfile.NamedTemporaryFile(delete=False) as f:
            assert Path(f.name).parent == index_dir / gens.SCRATCH_DIR
    assert tempfile.gettempdir() == outside
    assert not (index_dir / gens.SCRATCH_DIR).exists()
