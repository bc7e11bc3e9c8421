"""Issue 11: no document ever vanishes. Every word of every file is searchable; text no agenda
item holds becomes passages, weighted below items, with attendance lists lowest.

Invented fixtures (``tests/fixtures/passages``) cover the kinds of mess; the real excerpts in
``../shared`` are probed like ``eval_real.py`` does and skip cleanly where they are absent.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import CORPUS, FIXTURES, SHARED

from indexer.index import build_index, index_meetings
from indexer.passages import MAX_WORDS, split_attendance, split_passages
from indexer.pipeline import load_meeting
from indexer.query import SearchRequest
from indexer.records import AgendaItem, Attendee, Meeting
from indexer.search import SearchService

PASSAGES = FIXTURES / "passages"
DEV_DIRS = (SHARED / "dev-minutes", SHARED / "dev-minutes-2")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+", text)}


@pytest.fixture(scope="module")
def passage_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("passages-corpus")
    for path in PASSAGES.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    index_dir = tmp_path_factory.mktemp("passages-index")
    report = build_index(corpus, index_dir, workers=1)
    assert not report.failed and report.passages > 0
    return index_dir


def _search(index_dir: Path, q: str, **kw: object) -> list:
    svc = SearchService(index_dir)
    try:
        return list(svc.search(SearchRequest(q=q, **kw)).hits)  # type: ignore[arg-type]
    finally:
        svc.close()


# ---------------------------------------------------------------- the pure stage


def test_file_without_numbered_items_becomes_passages_holding_every_word() -> None:
    meeting = load_meeting(PASSAGES / "utan-punkter.txt", corpus_root=PASSAGES)
    assert not meeting.items and len(meeting.passages) >= 2
    text = (PASSAGES / "utan-punkter.txt").read_text(encoding="utf-8")
    held = set().union(*(_words(p.text) for p in meeting.passages))
    assert _words(text) <= held
    assert [p.number for p in meeting.passages] == list(range(1, len(meeting.passages) + 1))
    assert all(p.anchor == f"avsnitt-{p.number}" for p in meeting.passages)
    # Cut at headings: a passage title is one of the file's headings.
    assert {"Besöksnäringens behov"} <= {p.title for p in meeting.passages}


def test_long_text_is_cut_into_passages_of_at_most_max_words() -> None:
    paragraph = " ".join(f"ord{i}" for i in range(170)) + "."
    text = "\n\n".join(f"Rubrik {n}\n{paragraph}" for n in range(6)) + "\n" + "x " * 900
    meeting = Meeting(id="m", source="m.txt", sha256="0", format="txt")
    passages = split_passages(text, meeting)
    sizes = [len(p.text.split()) for p in passages]
    assert max(sizes) <= MAX_WORDS and sum(sizes) == len(text.split())
    assert passages[0].title == "Rubrik 0"


def test_text_held_by_items_is_not_repeated_and_the_rest_is_kept() -> None:
    text = ("Protokoll Testförbundet\nNärvarande: Anna Ek\n\n§ 1 Beslut om budget 2020\n"
            "Styrelsen diskuterade budgeten för året.\nBeslut\n\n"
            "Efter mötet bjöds på kaffe i matsalen.")
    item = AgendaItem(number="§ 1", title="Beslut om budget 2020",
                      text="Styrelsen diskuterade budgeten för året.")
    meeting = Meeting(id="m", source="m.txt", sha256="0", format="txt", items=(item,))
    passages = split_passages(text, meeting)
    joined = "\n".join(p.text for p in passages)
    assert "Närvarande: Anna Ek" in joined and "kaffe i matsalen" in joined
    assert "diskuterade budgeten" not in joined and "budget 2020" not in joined
    assert "Beslut" not in joined  # a leftover label whose words an item already holds


def test_attendance_lines_are_split_from_the_rest() -> None:
    meeting = Meeting(id="m", source="m.txt", sha256="0", format="txt",
                      attendees=(Attendee("Per Ek", role="upphandlare"),))
    text = ("Protokoll från styrelsen\nBeslutande\nAnna Berg (S), ordförande\nBo Lund (M)\n\n"
            "Övriga: Per Ek, upphandlare\n\nJusterare: Bo Lund\nMötet hölls i Storbyn.")
    other, attendance = split_attendance(text, meeting)
    assert "Anna Berg (S), ordförande" in attendance and "Per Ek, upphandlare" in attendance
    assert "Protokoll från styrelsen" in other and "Mötet hölls i Storbyn." in other
    assert "Justerare: Bo Lund" in other


def test_passages_carry_their_attendance_lines_through_the_meeting_record() -> None:
    """The passage stage splits the attendance lines off; the record keeps them (and the JSON
    round trip too), and ``body`` is what is left, so the indexer does no splitting of its own."""
    meeting = Meeting(id="m", source="m.txt", sha256="0", format="txt",
                      attendees=(Attendee("Per Ek", role="upphandlare"),))
    text = ("Protokoll från styrelsen\nBeslutande\nAnna Berg (S), ordförande\n\n"
            "Övriga: Per Ek, upphandlare\n\nJusterare: Bo Lund\nMötet hölls i Storbyn.")
    (passage,) = split_passages(text, meeting)
    assert passage.attendance.splitlines() == ["Beslutande", "Anna Berg (S), ordförande",
                                               "Övriga: Per Ek, upphandlare"]
    assert passage.body.splitlines() == ["Protokoll från styrelsen", "Justerare: Bo Lund",
                                         "Mötet hölls i Storbyn."]
    again = Meeting.from_dict({**meeting.to_dict(), "passages": [passage.__dict__]})
    assert again.passages == (passage,)


# ---------------------------------------------------------------- indexed and ranked


def test_text_only_in_the_header_is_searchable(passage_index: Path) -> None:
    hits = _search(passage_index, "Tjärnström")  # a name only in the header's attendance list
    assert [(h.kind, h.source) for h in hits] == [("passage", "bara-sidhuvud.txt")]
    assert hits[0].anchor == "avsnitt-1" and "<mark>Tjärnström</mark>" in hits[0].snippet
    assert _search(passage_index, "Bergagården Vemdalen")[0].source == "bara-sidhuvud.txt"


def test_file_without_items_is_found_by_its_words(passage_index: Path) -> None:
    hits = _search(passage_index, "kalvningsland")
    assert len(hits) == 1 and hits[0].kind == "passage" and hits[0].source == "utan-punkter.txt"
    assert hits[0].title and hits[0].item_id == f"{hits[0].meeting_id}#{hits[0].anchor}"


def test_word_only_in_attendance_list_ranks_below_item_and_passage_about_it(passage_index: Path) -> None:
    hits = _search(passage_index, "upphandlare")
    order = [h.source for h in hits]
    assert set(order) == {"punkt-upphandlare.txt", "text-upphandlare.txt", "narvaro-upphandlare.txt"}
    assert order[-1] == "narvaro-upphandlare.txt", order
    assert hits[0].kind == "item" and hits[0].title == "Rekrytering av upphandlare"


def test_header_from_folder_metadata_is_searchable(tmp_path: Path) -> None:
    """An organisation named only in ``protokoll.toml`` (not in the text) still finds the file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PASSAGES / "text-upphandlare.txt", corpus / "a.txt")  # names no organisation
    (corpus / "protokoll.toml").write_text('organisation = "Mellanbygdens inköpsråd"\n',
                                           encoding="utf-8")
    build_index(corpus, tmp_path / "index", workers=1)
    hits = _search(tmp_path / "index", "inköpsråd")
    assert [h.source for h in hits] == ["a.txt"]


def test_meeting_page_holds_every_passage(passage_index: Path) -> None:
    svc = SearchService(passage_index)
    try:
        hit = svc.search(SearchRequest(q="kalvningsland")).hits[0]
        page = svc.meeting(hit.meeting_id)
    finally:
        svc.close()
    assert page is not None
    original = load_meeting(PASSAGES / "utan-punkter.txt", corpus_root=PASSAGES)
    assert page.meeting.passages == original.passages


# ---------------------------------------------------------------- municipalities


def _meeting(source: str, participating: tuple[str, ...], mentioned: tuple[str, ...]) -> Meeting:
    item = AgendaItem(number="1", title="E-tjänster", text="Karlstad har infört e-tjänster.",
                      municipalities=mentioned)
    return Meeting(id=source.removesuffix(".txt"), source=source, sha256="0" * 64, format="txt",
                   organisation="Testförbundet", date="2020-01-01", municipalities=participating,
                   mentioned_municipalities=mentioned, items=(item,))


def test_mentioned_places_get_their_own_facet(tmp_path: Path) -> None:
    index_meetings(tmp_path, [_meeting("a.txt", ("Umeå", "Vännäs"), ("Karlstad",))])
    svc = SearchService(tmp_path)
    try:
        result = svc.search(SearchRequest(q="e-tjänster"))
        facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
        assert facets["kommun"] == {"Umeå": 1, "Vännäs": 1}
        assert facets["lan"] == {"Västerbottens län": 1}
        assert facets["omnamnd_kommun"] == {"Karlstad": 1}
        only = svc.search(SearchRequest.from_args({"q": "e-tjänster", "omnamnd_kommun": "Karlstad"}))
        assert only.total == 1
        assert svc.search(SearchRequest.from_args({"q": "e-tjänster", "kommun": "Karlstad"})).total == 0
    finally:
        svc.close()


# ---------------------------------------------------------------- CLI, API, CSV and pages


def test_json_and_csv_hits_carry_kind_and_source(passage_index: Path, tmp_path: Path) -> None:
    from webui import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(passage_index)}).test_client()
    body = client.get("/api/search?q=upphandlare").get_json()
    assert {(h["kind"], h["source"]) for h in body["hits"]} == {
        ("item", "punkt-upphandlare.txt"), ("passage", "text-upphandlare.txt"),
        ("passage", "narvaro-upphandlare.txt")}
    assert "omnamnd_kommun" in body["facets"]
    raw = client.get("/api/search.csv?q=upphandlare").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert Counter(r["typ"] for r in rows) == {"punkt": 1, "avsnitt": 2}
    assert {r["källfil"] for r in rows} >= {"narvaro-upphandlare.txt"}
    assert any(r["länk"].endswith("#avsnitt-1") for r in rows if r["typ"] == "avsnitt")


def test_passage_hit_opens_the_meeting_page_at_the_passage_with_words_marked(passage_index: Path) -> None:
    from webui import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(passage_index)}).test_client()
    soup = BeautifulSoup(client.get("/?q=kalvningsland").data, "html.parser")
    link = soup.select_one("li.passage-hit h3 a")
    assert link is not None and "#avsnitt-" in link["href"]
    assert "markera=kalvningsland" in link["href"]
    page = BeautifulSoup(client.get(link["href"].split("#")[0]).data, "html.parser")
    anchor = link["href"].split("#")[1]
    passage = page.find(id=anchor)
    assert passage is not None and "passage" in passage["class"]
    assert [m.get_text() for m in passage.find_all("mark")] == ["kalvningsland"]
    assert len(page.select("article.passage")) == 3  # every passage is on the page


def test_cli_search_json_has_kind_and_source(passage_index: Path) -> None:
    import json

    from click.testing import CliRunner

    from indexer.cli import cli

    result = CliRunner().invoke(cli, ["search", "Tjärnström", "--index", str(passage_index), "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)["hits"]
    assert [(h["kind"], h["source"]) for h in hits] == [("passage", "bara-sidhuvud.txt")]


# ---------------------------------------------------------------- real minutes


def _unique_words(files: dict[str, str]) -> dict[str, str]:
    """One word per file that occurs in that file only (letters, 7+ characters), as eval_real."""
    words = {key: {w.casefold() for w in re.findall(r"[A-Za-zÅÄÖåäöÉéÜü]{7,}", text)}
             for key, text in files.items()}
    df = Counter(w for ws in words.values() for w in ws)
    return {key: min(w for w in ws if df[w] == 1) for key, ws in words.items()
            if any(df[w] == 1 for w in ws)}


@pytest.mark.skipif(not all(d.is_dir() for d in DEV_DIRS), reason="../shared/dev-minutes saknas")
def test_every_dev_minutes_file_is_findable_by_a_word_of_its_own(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    files: dict[str, str] = {}
    for d in DEV_DIRS:
        (corpus / d.name).mkdir(parents=True)
        for path in sorted(d.glob("*.txt")):
            shutil.copy(path, corpus / d.name / path.name)
            files[f"{d.name}/{path.name}"] = path.read_text(encoding="utf-8", errors="replace")
    report = build_index(corpus, tmp_path / "index", workers=1)
    assert not report.failed
    svc = SearchService(tmp_path / "index", corpus)
    missed = []
    try:
        for key, word in sorted(_unique_words(files).items()):
            hits = svc.search(SearchRequest(q=word)).hits[:10]
            if key not in {h.source for h in hits}:
                missed.append((key, word))
            assert all(svc.source_file(h.meeting_id) for h in hits)
    finally:
        svc.close()
    assert not missed


@pytest.mark.parametrize("corpus_dir", [CORPUS, *DEV_DIRS], ids=lambda p: p.name)
def test_no_meeting_has_zero_searchable_text(corpus_dir: Path) -> None:
    if not corpus_dir.is_dir():
        pytest.skip(f"{corpus_dir} saknas")
    for path in sorted(p for p in corpus_dir.iterdir() if p.suffix in (".txt", ".md")):
        if path.name == "README.md":
            continue
        meeting = load_meeting(path, corpus_root=corpus_dir)
        searchable = [*(i.title + i.text for i in meeting.items), *(p.text for p in meeting.passages)]
        assert any(s.strip() for s in searchable), path.name


# ---------------------------------------------------------------- property: no word vanishes

_LINE = st.text(alphabet=st.sampled_from("abcåäö ABC§1.:\t-"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_LINE, max_size=40), picks=st.lists(st.integers(0, 39), max_size=6))
def test_no_word_vanishes_whatever_the_parser_found(lines: list[str], picks: list[int]) -> None:
    text = "\n".join(lines)
    items = tuple(AgendaItem(number=str(n), title=lines[p % len(lines)].strip(),
                             text="\n".join(lines[p % len(lines) + 1 : p % len(lines) + 3]))
                  for n, p in enumerate(picks) if lines)
    meeting = Meeting(id="m", source="m.txt", sha256="0", format="txt", items=items)
    passages = split_passages(text, meeting)
    indexed = set().union(*(_words(f"{i.number} {i.title} {i.text}") for i in items),
                          *(_words(p.text) for p in passages))
    assert _words(text) <= indexed
    assert all(len(p.text.split()) <= MAX_WORDS and p.title == p.title.strip() for p in passages)


def test_protokoll_index_rebuilds_an_older_schema_and_says_so(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from test_index import _write_schema_1_index

    from indexer.cli import cli
    from indexer.schema import SCHEMA_VERSION

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    _write_schema_1_index(corpus, tmp_path / "index")
    result = CliRunner().invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    assert (f"Indexet hade schemaversion 1 men programmet kräver {SCHEMA_VERSION}; "
            "det byggdes om från början.") in result.output
    assert "avsnitt:" in result.output
