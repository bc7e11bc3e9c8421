"""Every format fixture parses to the same kind of meeting through ``load_meeting``.

The fixtures are written by ``tests/fixtures/make_fixtures.py`` (read it for their content):
cp1252, UTF-8 with BOM and latin-1 text, Markdown, HTML, PDF (form-feed pages, "Sida 1 (3)",
line-end hyphenation) and DOCX ("#" headings, tab-separated table cells). Broken files must be
rejected with a Swedish reason, and a generated archive must parse in agreement with its
manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.errors import ExtractError
from benchmark.generate import generate
from indexer.pipeline import load_meeting
from indexer.records import Action, Meeting

FIXTURES = Path(__file__).parent / "fixtures"

# file: (organisation, date, [(number, title)], {number: decisions}, present, absent)
EXPECTED = {
    "styrelse-cp1252.txt": (
        "Dalälvens kommunförbund", "2012-03-14",
        [("§ 12", "Sammanträdets öppnande"), ("§ 13", "Föregående protokoll"),
         ("§ 14", "Gemensam räddningstjänst – förstudie"),
         ("§ 15", "Bredbandsutbyggnad på landsbygden"), ("§ 16", "Sammanträdets avslutande")],
        {"§ 12": ("Till justerare utses Göran Västerlind.",),  # passive forms count (issue 12)
         "§ 13": ("Protokollet från sammanträdet den 8 februari 2012 läggs till handlingarna.",),
         "§ 14": (("Styrelsen beslutar att godkänna förstudien och överlämna den till "
                  "medlemskommunerna för yttrande."),),
         "§ 15": (("Styrelsen beslutar att ge kansliet i uppdrag att ta fram en gemensam "
                  "bredbandsstrategi till nästa sammanträde."),)},
        {"Birgitta Ålund", "Göran Västerlind", "Märta Öhrn", "Per-Åke Sjölander", "Lena Kärrman",
         "Jörgen Bäckström"}, set(),
    ),
    "utf8-bom.txt": (
        None, "2019-10-03",  # "Norrbottens kustkommuner" is no known body: left empty, warned
        [("1", "Mötets öppnande"), ("2", "Föregående mötesanteckningar"),
         ("3", "Gemensam e-tjänsteplattform"), ("4", "Flyktingmottagning och etablering"),
         ("5", "Mötets avslutande")],
        {"2": ("Anteckningarna från mötet den 5 september gicks igenom och lades till handlingarna.",),
         "3": ("Kommunchefsgruppen ställer sig bakom en gemensam upphandling under 2020.",),
         "4": ("Frågan återkommer på nästa möte med ett förslag till samordnad mottagning.",)},
        {"Anna-Karin Lindqvist", "Jonas Strömbäck", "Ingrid Åkesson", "Mattias Östlund"},
        {"Sören Häggström"},
    ),
    "latin1.txt": (
        "Höglandsförbundet", "2004-05-27",
        [("§ 31", "Äldreomsorg i samverkan"), ("§ 32", "Kulturmiljöprogram")],
        {"§ 31": (("Styrelsen beslutar att tillsätta en arbetsgrupp med en representant från "
                  "varje kommun."),),
         "§ 32": (("Styrelsen beslutar att remissen om kulturmiljöprogrammet besvaras enligt "
                  "kansliets förslag."),)},
        {"Kjell Åström", "Eva Nyström", "Bengt Öberg", "Ulla Hällberg", "Rolf Sjöö"}, set(),
    ),
    "kommunchefer.md": (
        None, "2021-09-16",  # no body is named in the text
        [("1", "Gemensam digitaliseringsstrategi"), ("2", "Kompetensförsörjning inom äldreomsorgen")],
        {"1": ("att anta strategin i sin helhet",
               "att uppdra åt kansliet att ta fram en handlingsplan till december"),
         "2": ("att notera informationen",)},
        {"Lotta Bergkvist", "Håkan Ödman", "Sofia Ljungqvist", "Mikael Jönsson", "Åsa Thörn"},
        {"Peter Fält"},
    ),
    "protokoll.html": (
        None, "2018-11-22",  # the body's name is only in <title>/<header>, which are not text
        [("§ 45", "Gemensam kollektivtrafik"), ("§ 46", "Åtgärder")],
        {"§ 45": (("Styrelsen beslutar att ställa sig bakom förslaget om utökad kollektivtrafik "
                  "mellan medlemskommunerna."),)},
        {"Ulf Olsson", "Tuula Sjöberg", "Annika Åhlén", "Kenneth Öst"}, set(),
    ),
    "protokoll.pdf": (
        "Fyrbodals kommunalförbund", "2016-09-15",
        [("§ 21", "Mötets öppnande"), ("§ 22", "Regional infrastrukturplan"),
         ("§ 23", "Övriga frågor")],
        {"§ 22": ("Styrelsen beslutar att godkänna remissvaret.",)},
        {"Åke Lindén", "Gunilla Öhman", "Lars-Göran Sjö", "Märit Håkansson"}, set(),
    ),
    "protokoll.docx": (
        None, "2020-02-13",  # "Västra Mälardalen" alone is not the federation's name
        [("1", "Mötets öppnande"), ("2", "Gemensam överförmyndarnämnd"),
         ("3", "Mötets avslutande")],
        {"2": ("Förslaget tas upp på nästa möte.",)},
        {"Sara Öberg", "Tomas Ärlig", "Kurt Åhs"}, set(),
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def meetings() -> dict[str, Meeting]:
    return {name: load_meeting(FIXTURES / name) for name in EXPECTED}


def test_every_fixture_is_covered() -> None:
    files = {p.name for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".py"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_in_every_format(meetings: dict[str, Meeting], name: str) -> None:
    organisation, date, items, decisions, present, absent = EXPECTED[name]
    meeting = meetings[name]
    assert (meeting.organisation, meeting.date) == (organisation, date)
    assert [(i.number, i.title) for i in meeting.items] == items
    assert {i.number: i.decisions for i in meeting.items if i.decisions} == decisions
    assert {a.name for a in meeting.attendees if a.present} == present
    assert {a.name for a in meeting.attendees if not a.present} == absent
    if organisation is None:
        assert [w for w in meeting.warnings if w.field == "organisation"]


def test_pdf_furniture_and_hyphenation_are_gone(meetings: dict[str, Meeting]) -> None:
    items = {i.number: i for i in meetings["protokoll.pdf"].items}
    everything = " ".join(i.text for i in items.values())
    assert "Sida" not in everything and "\f" not in everything
    assert "därefter till handlingarna" in items["§ 21"].text
    assert "satsningar på vägar" in items["§ 22"].text
    assert "e-tjänster" in items["§ 22"].text


def test_table_rows_from_docx_cells_and_html_table(meetings: dict[str, Meeting]) -> None:
    docx = {i.number: i for i in meetings["protokoll.docx"].items}
    assert docx["2"].actions == (
        Action("Ta fram avtalsförslag", "2020-03-31", "Sara Öberg"),
        Action("Förankra i kommunstyrelserna", "2020-04-30", "Kurt Åhs"),
    )
    html = {i.number: i for i in meetings["protokoll.html"].items}
    assert html["§ 46"].actions == (Action("Ta fram trafikplan", "2019-02-28", "Tuula Sjöberg"),)
    assert "#" not in " ".join(i.title + i.text for i in docx.values())


def test_html_keeps_main_text_only(meetings: dict[str, Meeting]) -> None:
    text = " ".join(i.title + " " + i.text for i in meetings["protokoll.html"].items)
    for junk in ("kakor", "Analysverktyg", "reklamtext", "badhus", "Telefon"):
        assert junk not in text


@pytest.mark.parametrize("path", sorted((FIXTURES / "broken").iterdir()), ids=lambda p: p.name)
def test_broken_files_are_rejected_in_swedish(path: Path) -> None:
    with pytest.raises(ExtractError) as caught:
        load_meeting(path)
    message = str(caught.value)
    assert path.name in message
    assert any(ch in message for ch in "åäö") or any(
        word in message for word in ("fil", "inte", "trasig", "kontrollera")
    )


def test_generated_archive_agrees_with_its_manifest(tmp_path: Path) -> None:
    """Measured at seed 1: dates 59/60, top-level item counts 60/60, organisations 38/60.

    Organisations lag because many generated bodies are invented names the reference data
    cannot know and that the text names without a telling suffix; the parser leaves them
    empty rather than guessing.
    """
    out = tmp_path / "archive"
    generate(60, out, seed=1)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    agree = {"organisation": 0, "date": 0, "items": 0}
    seed_styles = 0
    for rel, info in manifest["files"].items():
        meeting = load_meeting(out / rel, corpus_root=out)  # messy layouts too: none may fail
        if info["messy"]:  # their truth is harder to recover; the benchmark measures them
            continue
        seed_styles += 1
        top = [i for i in meeting.items if "." not in i.number]
        agree["organisation"] += meeting.organisation == info["organisation"]
        agree["date"] += meeting.date == info["date"]
        agree["items"] += len(top) == info["items"]
    total = seed_styles
    assert len(manifest["files"]) == 60 and total >= 30
    assert agree["date"] / total >= 0.95
    assert agree["items"] / total >= 0.95
    assert agree["organisation"] / total >= 0.55
