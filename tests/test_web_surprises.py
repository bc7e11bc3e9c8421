"""What a new user tried and was surprised by (issue 15): every answer here was wrong once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from indexer.index import index_meetings
from indexer.records import AgendaItem, Meeting

ONE_MEETING = Meeting(
    id="norradet-styrelse-2014-03-01", source="a.txt", sha256="x", format="txt",
    organisation="Norrådet", body="styrelse", date="2014-03-01", municipalities=("Umeå",),
    items=(AgendaItem("2", "Budget", "Budgeten för 2015 diskuterades.",
                      decisions=("Budgeten godkänns.",)),),
)


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("q=x&ar=abcd", "ar", "fyra siffror"),
        ("fran=2015&till=2010", "fran", "bakvänt"),
        ("beslut=kanske", "beslut", "ja"),
    ],
)
def test_invalid_filter_values_are_400_with_swedish_reason(
    client: Any, query: str, parameter: str, words: str
):
    resp = client.get(f"/api/search?{query}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["parameter"] == parameter and words in body["error"]
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and words in page.get_data(as_text=True)


def test_backwards_year_range_in_trends_is_400(client: Any):
    resp = client.get("/api/trends?q=budget&fran_ar=2016&till_ar=2010")
    assert resp.status_code == 400 and "bakvänt" in resp.get_json()["error"]


@pytest.mark.parametrize("query", ["a*", "a* kommun:Umeå", "budget"])
def test_facets_agree_with_hits(client: Any, query: str):
    """A single-valued facet (organisation) counts each hit once: its counts add up to the total."""
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert sum(data["facets"]["organisation"].values()) == data["total"]
    if query.startswith("a*"):
        assert "ignorerades" in (data["message"] or "")


def test_counts_agree_in_number(tmp_path: Path):
    """One meeting is "1 möte", one item "1 punkt", one hit "1 träff" — never "1 möten"."""
    from webui import create_app

    index_meetings(tmp_path / "index", [ONE_MEETING])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    start = _text(client.get("/"))
    assert "1 möte," in start and "1 möten" not in start
    browse = _text(client.get("/moten"))
    assert "1 punkt," in browse and "1 punkter" not in browse
    trends = _text(client.get("/trender?q=budget"))
    assert "1 punkt " in trends and "1 punkter" not in trends
    facets = client.get("/?q=budget").get_data(as_text=True)
    assert "1<span class=\"visually-hidden\"> träff</span>" in facets


def _text(resp: Any) -> str:
    assert resp.status_code == 200
    return " ".join(BeautifulSoup(resp.get_data(as_text=True), "html.parser").get_text().split())


def test_trend_years_without_meetings_are_gaps_not_zeros(client: Any):
    """The bundled archive holds Umeåregionen's minutes for 2008 and 2017 only, and nobody's
    for 2009: those years are missing data (null, "inga möten i arkivet"), never a drawn 0."""
    data = client.get("/api/trends", query_string={"q": "kommun"}).get_json()
    years = data["years"]
    counts = {s["name"]: dict(zip(years, s["counts"])) for s in data["series"]}
    ur = counts["Umeåregionen"]
    assert ur[2009] is None and ur[2012] is None  # no Umeåregionen minutes in the archive
    assert isinstance(ur[2008], int) and isinstance(ur[2017], int)
    assert all(series[2009] is None for series in counts.values())  # no minutes at all
    page = _text(client.get("/trender", query_string={"q": "kommun"}))
    assert "inga möten i arkivet" in page
    svg = client.get("/trender.svg", query_string={"q": "kommun"}).get_data(as_text=True)
    assert "Inga möten i arkivet" in svg  # the shaded years are named in the legend
    csv = client.get("/api/trends", query_string={"q": "kommun", "format": "csv"})
    assert "2009,Umeåregionen,\r\n" in csv.get_data(as_text=True)
