"""Issue 13 through the search service: concepts (told and switchable), derivations, compound
queries, the ranking order, and spelling suggestions that never propose a short common word."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from indexer import related
from indexer.analysis import compound_spans, stem_sv, swedish_analyzer, written_terms
from indexer.errors import QueryError
from indexer.index import index_meetings
from indexer.query import SearchRequest
from indexer.querylang import compile_query
from indexer.records import AgendaItem, Meeting
from indexer.search import SearchService
from indexer.suggest import is_known_word


def _meeting(mid: str, date: str, *items: AgendaItem) -> Meeting:
    return Meeting(id=mid, source=f"{mid}.txt", sha256=mid, format="txt", organisation="Testregionen",
                   body="styrelse", date=date, municipalities=("Umeå",), items=items, place="Umeå")


MEETINGS = [
    _meeting("tr-2019-03-01", "2019-03-01",
             AgendaItem("1", "Delårsrapport", "Delårsrapporten för januari till augusti godkändes."),
             AgendaItem("2", "Busstrafiken", "Länstrafiken utökar busstrafiken till Vännäs."),
             AgendaItem("3", "Fler frågor", "Fler frågor togs upp. Fler möten planeras. Fler deltar.")),
    _meeting("tr-2019-06-01", "2019-06-01",
             AgendaItem("1", "Fiber till byarna", "Utbyggnaden av fiber i byarna fortsätter."),
             AgendaItem("2", "Vindkraft", "Etablering av vindkraft i kommunens norra del diskuterades."),
             AgendaItem("3", "Kontroll", "Den interna kontrollen och internkontrollplanen följdes upp.")),
]


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory):
    index_dir = tmp_path_factory.mktemp("related-index")
    index_meetings(index_dir, MEETINGS)
    service = SearchService(index_dir)
    try:
        yield service
    finally:
        service.close()


def _titles(result) -> list[str]:
    return [h.title for h in result.hits]


def test_concepts_are_searched_and_told(svc) -> None:
    result = svc.search(SearchRequest(q="delårsbokslut"))
    assert _titles(result) == ["Delårsrapport"]
    assert result.message is not None and "Visar även träffar för: delårsrapport." in result.message
    # Only members the archive holds are named: "delårsredovisning" occurs nowhere.
    assert "delårsredovisning" not in result.message


def test_concepts_can_be_switched_off(svc) -> None:
    request = SearchRequest.from_args({"q": "delårsbokslut", "begrepp": "av"})
    assert request.concepts is False
    result = svc.search(request)
    assert result.total == 0 and not (result.message or "").startswith("Visar även")
    assert SearchRequest.from_args(dict(request.to_args())) == request
    assert ("begrepp", "av") in request.to_args()
    with pytest.raises(QueryError, match="begrepp"):
        SearchRequest.from_args({"q": "x", "begrepp": "kanske"})


def test_concept_group_of_the_start_page_example(svc) -> None:
    result = svc.search(SearchRequest(q="kollektivtrafik"))
    assert _titles(result) == ["Busstrafiken"]


def test_fiber_is_found_and_never_corrected_to_fler(svc) -> None:
    assert is_known_word("fiber") and not is_known_word("fibre")
    fiber = svc.search(SearchRequest(q="bredband OR fiber"))
    assert _titles(fiber) == ["Fiber till byarna"]
    rare = svc.search(SearchRequest(q="fiberkabel"))
    assert rare.suggestion is None  # a regular compound of known words is no typo


def test_compound_query_finds_its_parts_written_apart(svc) -> None:
    assert _titles(svc.search(SearchRequest(q="vindkraftsetablering"))) == ["Vindkraft"]
    # Two words also find the closed compound.
    assert _titles(svc.search(SearchRequest(q="intern kontroll", concepts=False))) == ["Kontroll"]


def test_nested_compounds_give_every_sub_compound() -> None:
    spans = compound_spans("miljöförvaltningschefen")
    assert {"miljö", "förvaltningschefen", "förvaltning", "chefen"} <= set(spans)
    assert {"räddningstjänst", "räddning", "tjänst"} <= set(compound_spans("räddningstjänstförbundets"))
    terms = written_terms("räddningstjänstförbundets")
    assert "~" + stem_sv("räddningstjänst") in terms and "^forbund" in terms
    assert len(compound_spans("arbetsmarknadsutbildningsenhetschefen")) <= 10


def test_derivations_and_concepts_come_from_the_data_files() -> None:
    assert len(related.concept_groups()) >= 50
    assert stem_sv("vaccination") in related.derived_stems("vaccin")
    assert stem_sv("flyktingmottagande") in related.derived_stems("flyktingmottagning")
    assert related.derived_stems("arm") == ()
    assert [m.text for m in related.concepts_for(["intern", "kontroll"])][:1] == ["internkontroll"]
    assert compile_query("delårsbokslut", concepts=False).related == ()


def test_ranking_order_exact_inflected_part_derivation_concept_folded(tmp_path: Path) -> None:
    """README's promise: exact > inflected > compound part > derivation > concept > folded."""
    analyzer = swedish_analyzer()
    schema = Schema(item_id=ID(stored=True), title=TEXT(analyzer=analyzer, phrase=True),
                    decisions=TEXT(analyzer=analyzer, phrase=True), text=TEXT(analyzer=analyzer, phrase=True))
    ix = index.create_in(str(tmp_path), schema)
    docs = {
        "exakt": "vaccination ges",
        "böjd": "vaccinationen ges",
        "del": "vaccinationsprogrammet ges",
        "avledning": "vaccinera ges",
        "begrepp": "vaccinering ges",
        "accent": "vaccinatión ges",
        "annat": "influensa ges",
    }
    with ix.writer() as writer:
        for item_id, text in docs.items():
            writer.add_document(item_id=item_id, text=text)
    query = compile_query("vaccination").query
    with ix.searcher() as searcher:
        order = [hit["item_id"] for hit in searcher.search(query, limit=None)]
    # "vaccinering" is both a family member and a concept member; it ranks with derivations.
    assert order[:3] == ["exakt", "böjd", "del"]
    assert order[-1] == "accent" and "annat" not in order
    assert set(order[3:5]) == {"avledning", "begrepp"}


def test_web_checkbox_and_api_parameter(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    from webui import create_app

    index_dir = tmp_path / "index"
    index_meetings(index_dir, MEETINGS)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    on = client.get("/api/search?q=delårsbokslut").get_json()
    off = client.get("/api/search?q=delårsbokslut&begrepp=av").get_json()
    assert on["total"] == 1 and off["total"] == 0
    bad = client.get("/api/search?q=delårsbokslut&begrepp=kanske")
    assert bad.status_code == 400
    page = BeautifulSoup(client.get("/?q=delårsbokslut&begrepp=av").data, "html.parser")
    box = page.select_one("input[type=checkbox][name=begrepp]")
    assert box is not None and box.has_attr("checked")
    shown = BeautifulSoup(client.get("/?q=delårsbokslut").data, "html.parser").get_text()
    assert "Visar även träffar för: delårsrapport" in shown


def test_bundled_corpus_fiber_suggests_nothing_and_examples_hit(service) -> None:
    """Issue 15 item 3: "fiber" suggested "fler"; every start-page example must find something."""
    from webui.views.search import EXAMPLES

    assert service.search(SearchRequest(q="fiber")).suggestion is None
    for example in EXAMPLES:
        assert service.search(SearchRequest(q=example)).total > 0, example


def test_trends_follow_the_concepts_switch(tmp_path: Path) -> None:
    """Trends count what the search finds: with concepts by default, without on begrepp=av
    (service, web page checkbox and the JSON API)."""
    from bs4 import BeautifulSoup

    from indexer.query import TrendsRequest
    from webui import create_app

    index_dir = tmp_path / "index"
    index_meetings(index_dir, MEETINGS)
    service = SearchService(index_dir)
    try:
        on = service.trends(TrendsRequest(q="delårsbokslut"))
        off = service.trends(TrendsRequest(q="delårsbokslut", concepts=False))
    finally:
        service.close()
    assert on.total == 1 and off.total == 0
    request = TrendsRequest.from_args({"q": "delårsbokslut", "begrepp": "av"})
    assert request.concepts is False and ("begrepp", "av") in request.to_args()
    assert TrendsRequest.from_args(dict(request.to_args())) == request
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/api/trends?q=delårsbokslut").get_json()["total"] == 1
    assert client.get("/api/trends?q=delårsbokslut&begrepp=av").get_json()["total"] == 0
    page = BeautifulSoup(client.get("/trender?q=delårsbokslut&begrepp=av").data, "html.parser")
    box = page.select_one("form.trend-form input[type=checkbox][name=begrepp]")
    assert box is not None and box.has_attr("checked")


def test_cli_search_can_leave_concepts_out(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from indexer.cli import cli

    index_dir = tmp_path / "index"
    index_meetings(index_dir, MEETINGS)
    runner = CliRunner()
    on = runner.invoke(cli, ["search", "delårsbokslut", "--index", str(index_dir), "--json"])
    off = runner.invoke(cli, ["search", "delårsbokslut", "--index", str(index_dir), "--json",
                               "--bara-mina-ord"])
    assert on.exit_code == 0 and off.exit_code == 0, (on.output, off.output)
    assert json.loads(on.output)["total"] == 1 and json.loads(off.output)["total"] == 0


def test_piece_of_a_hyphenated_name_is_found_as_typed(tmp_path: Path) -> None:
    """"christin" occurs as written only in "Ann-Christin"; "Christina" shares its Snowball stem.
    The piece of a hyphenated word is an exact form, so the one document holding it comes first."""
    index_dir = tmp_path / "index"
    meetings = [
        _meeting(f"cx-{n}", f"2020-0{n}-01",
                 AgendaItem("1", "Rapport", f"Christina Ek redogjorde för läget, möte {n}."))
        for n in range(1, 5)
    ] + [_meeting("cx-9", "2020-09-01",
                  AgendaItem("1", "Ekonomi", "Ann-Christin Berg redogjorde för budgeten."))]
    index_meetings(index_dir, meetings)
    service = SearchService(index_dir)
    try:
        result = service.search(SearchRequest(q="christin"))
    finally:
        service.close()
    assert result.total == 5
    assert result.hits[0].meeting_id == "cx-9"


def test_attested_members_are_remembered_per_generation(tmp_path: Path) -> None:
    """Whether the archive holds a concept member is checked once per index generation: the
    answer is kept with the generation, and a meeting that brings the member in is a new
    generation whose search names it."""
    index_dir = tmp_path / "index"
    index_meetings(index_dir, MEETINGS[:1])
    service = SearchService(index_dir)
    try:
        first = service.search(SearchRequest(q="delårsbokslut"))
        assert "Visar även träffar för: delårsrapport." in (first.message or "")
        _, state, _ = service._searcher()
        assert state.attested["delårsrapport"] is True and state.attested["delårsredovisning"] is False
        state.attested["delårsrapport"] = False  # the kept answer is the one used
        assert "Visar även" not in (service.search(SearchRequest(q="delårsbokslut", page=2)).message or "")

        index_meetings(index_dir, [_meeting("tr-2020-01-01", "2020-01-01",
                                            AgendaItem("1", "Delårsredovisning", "En ny delårsredovisning."))])
        later = service.search(SearchRequest(q="delårsbokslut"))
        assert "delårsredovisning" in (later.message or "") and "delårsrapport" in (later.message or "")
    finally:
        service.close()
