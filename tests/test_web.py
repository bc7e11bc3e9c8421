"""The web UI through Flask's test client: every route, its JSON twin, and the error paths.

Runs against the real index of the bundled corpus (``conftest.built_index``). Expected values
are read from the JSON API where possible, so the page and its twin are checked against each
other rather than against numbers copied by hand.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conftest import CORPUS, ROOT, SEEDS

from indexer.query import SearchRequest

QUERY = "e-tjänster"
README_PART = ROOT / "README.md"


def soup_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


def alternate_json(client, soup: BeautifulSoup) -> dict:  # type: ignore[no-untyped-def]
    link = soup.find("link", rel="alternate", type="application/json")
    assert link is not None, "every HTML page links its JSON twin"
    response = client.get(link["href"])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def facet_links(soup: BeautifulSoup, name: str) -> list:  # type: ignore[type-arg]
    return soup.select(f'a.facet-link[data-facet="{name}"]')


def link_count(link) -> int:  # type: ignore[no-untyped-def]
    return int(link.select_one(".count").get_text(" ", strip=True).split()[0])


def result_total(soup: BeautifulSoup) -> int:
    text = soup.select_one(".result-count").get_text(" ", strip=True)
    return int(text.split()[0].replace("\u00a0", ""))


# ---------------------------------------------------------------- start page


def test_start_page_shows_archive_examples_and_search_box(client) -> None:
    soup = soup_of(client.get("/"))
    assert soup.html["lang"] == "sv"
    box = soup.find("input", id="q")
    assert box is not None and soup.find("label", attrs={"for": "q"}) is not None
    assert soup.find("form", role="search")["action"] == "/"
    examples = [a["href"] for a in soup.select(".start-examples a")]
    assert examples and all(h.startswith("/?q=") for h in examples)
    archive = soup.select(".archive-list li")
    organisations = {m["organisation"] for m in client.get("/api/meetings").get_json()["meetings"]}
    assert len(archive) == len(organisations) >= 3
    assert soup.find("a", class_="skip-link")["href"] == "#innehall"
    assert soup.find("main", id="innehall") is not None


# ---------------------------------------------------------------- search page and twin


def test_search_page_groups_hits_under_meetings_with_count_and_twin(client) -> None:
    soup = soup_of(client.get("/", query_string={"q": QUERY}))
    data = alternate_json(client, soup)
    assert data["total"] > 0
    assert result_total(soup) == data["total"]
    assert "träff" in soup.select_one(".result-count").get_text()
    groups = soup.select("article.meeting-group")
    assert groups
    for group in groups:
        assert group.select_one(".meeting-head a")["href"].startswith("/mote/")
        assert " · " in group.select_one(".meeting-meta").get_text()
        for hit in group.select("li.hit"):
            href = hit.select_one(".hit-title a")["href"]
            assert href.startswith("/mote/") and "#" in href
    hit_hrefs = [a["href"] for a in soup.select(".hit-title a")]
    marked = urlencode({"markera": QUERY})  # the page opens with the query words marked
    expected = [f"/mote/{h['meeting_id']}?{marked}#{h['anchor']}" for h in data["hits"]]
    assert sorted(hit_hrefs) == sorted(expected)
    assert soup.select(".snippet mark"), "the query words are highlighted"


def test_decisions_and_topic_chips_are_shown(client) -> None:
    data = client.get("/api/search", query_string={"q": QUERY, "per_sida": 100}).get_json()
    with_decision = [h for h in data["hits"] if h["decisions"]]
    soup = soup_of(client.get("/", query_string={"q": QUERY, "per_sida": 100}))
    assert len(soup.select(".hit .decision-box")) == len(with_decision)
    if any(h["topics"] for h in data["hits"]):
        chip = soup.select_one(".topic-chips a.chip")
        assert "amne=" in chip["href"]


def test_facet_sidebar_counts_match_filtered_totals(client) -> None:
    soup = soup_of(client.get("/", query_string={"q": QUERY}))
    names = {s["aria-labelledby"].removeprefix("facet-") for s in soup.select("section.facet")}
    assert {"organisation", "ar"} <= names
    links = facet_links(soup, "organisation")
    assert len(links) >= 2
    for link in links:
        filtered = soup_of(client.get(link["href"]))
        assert result_total(filtered) == link_count(link)
        assert result_total(filtered) < result_total(soup)


def test_active_filter_is_a_removable_chip(client) -> None:
    soup = soup_of(client.get("/", query_string={"q": QUERY}))
    first = facet_links(soup, "organisation")[0]
    filtered = soup_of(client.get(first["href"]))
    chips = filtered.select(".active-filters a.chip.removable")
    assert len(chips) == 1
    assert first["data-value"] in chips[0].get_text()
    selected = filtered.select_one('a.facet-link.selected[data-facet="organisation"]')
    assert selected is not None and selected["aria-current"] == "true"
    back = soup_of(client.get(chips[0]["href"]))
    assert result_total(back) == result_total(soup)
    assert not back.select(".active-filters a.chip.removable")


def test_sort_links_reorder_by_date(client) -> None:
    soup = soup_of(client.get("/", query_string={"q": QUERY}))
    sorts = {a.get_text(strip=True): a["href"] for a in soup.select(".sort a")}
    assert set(sorts) == {"Nyast", "Äldst"}
    assert soup.select_one(".sort .current").get_text(strip=True) == "Relevans"
    newest = client.get(sorts["Nyast"].replace("/?", "/api/search?")).get_json()
    dates = [h["date"] for h in newest["hits"] if h["date"]]
    assert dates == sorted(dates, reverse=True)
    oldest = client.get(sorts["Äldst"].replace("/?", "/api/search?")).get_json()
    dates = [h["date"] for h in oldest["hits"] if h["date"]]
    assert dates == sorted(dates)


def test_paging_links_and_second_page(client) -> None:
    total = client.get("/api/search", query_string={"q": QUERY}).get_json()["total"]
    assert total >= 2
    soup = soup_of(client.get("/", query_string={"q": QUERY, "per_sida": 1}))
    paging = soup.select_one("nav.paging")
    assert paging is not None
    assert paging.select_one('[aria-current="page"]').get_text(strip=True) == "1"
    nxt = paging.find("a", rel="next")
    assert dict(parse_qsl(urlsplit(nxt["href"]).query))["sida"] == "2"
    second = soup_of(client.get(nxt["href"]))
    assert second.select_one('nav.paging [aria-current="page"]').get_text(strip=True) == "2"
    assert second.select_one("nav.paging a[rel=prev]") is not None


def test_date_range_filter_and_chip(client) -> None:
    everything = client.get("/api/search", query_string={"q": QUERY, "per_sida": 100}).get_json()
    years = sorted({h["date"][:4] for h in everything["hits"] if h["date"]})
    soup = soup_of(client.get("/", query_string={"q": QUERY, "fran": years[-1], "till": years[-1]}))
    data = alternate_json(client, soup)
    assert data["total"] > 0
    assert all(h["date"].startswith(years[-1]) for h in data["hits"])
    chip = [c for c in soup.select(".active-filters a.chip") if "Datum" in c.get_text()]
    assert len(chip) == 1
    assert "fran" not in chip[0]["href"] and "till" not in chip[0]["href"]
    assert soup.find("input", id="fran")["value"] == f"{years[-1]}-01-01"


def test_no_hits_shows_help_and_suggestion_is_a_link(client) -> None:
    soup = soup_of(client.get("/", query_string={"q": "flyktingmotagning"}))
    link = soup.select_one(".suggestion a")
    assert link.get_text() == "flyktingmottagning"
    assert soup.select_one(".suggestion").get_text().startswith("Menade du")
    assert result_total(soup_of(client.get(link["href"]))) > 0
    soup = soup_of(client.get("/", query_string={"q": "qqqxyzzy"}))
    assert result_total(soup) == 0
    assert "Inga träffar" in soup.select_one(".empty").get_text()


def test_malformed_query_is_answered_with_a_message_not_an_error(client) -> None:
    response = client.get("/", query_string={"q": '"gemensam nämnd'})
    soup = soup_of(response)
    data = alternate_json(client, soup)
    assert data["message"] and data["total"] > 0
    assert soup.select_one(".notice").get_text(strip=True) == data["message"]


def test_csv_export_has_every_hit(client) -> None:
    total = client.get("/api/search", query_string={"q": QUERY}).get_json()["total"]
    for url in ("/api/search.csv", "/"):
        query = {"q": QUERY} if url.endswith(".csv") else {"q": QUERY, "format": "csv"}
        response = client.get(url, query_string=query)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert rows[0][:3] == ["möte", "organisation", "organ"]
        assert len(rows) - 1 == total
        link, kind, source = (rows[0].index(c) for c in ("länk", "typ", "källfil"))
        assert all(r[link].startswith("http://localhost/mote/") for r in rows[1:])
        assert all(r[kind] in ("punkt", "avsnitt") and r[source] for r in rows[1:])


def test_search_link_on_page_is_the_html_twin_of_the_api(client) -> None:
    data = client.get("/api/search", query_string={"q": QUERY, "sort": "nyast"}).get_json()
    assert data["links"]["html"] == "/?" + "&".join(
        f"{k}={v}" for k, v in [("q", "e-tj%C3%A4nster"), ("sort", "nyast")]
    )
    assert data["query"]["sort"] == "nyast"


# ---------------------------------------------------------------- url_for_state


@pytest.mark.parametrize(
    "args",
    [{"q": QUERY}, {"q": "x", "organisation": ["B", "A"], "sida": "3"}, {"fran": "2010", "till": "2012"}],
)
def test_url_for_state_round_trips(app, args) -> None:  # type: ignore[no-untyped-def]
    from webui.params import url_for_state

    req = SearchRequest.from_args(args)
    with app.test_request_context("/"):
        on = url_for_state(req, toggle=("kommun", "Umeå"))
        off = url_for_state(req.toggled("kommun", "Umeå"), toggle=("kommun", "Umeå"))
        paged = url_for_state(req, page=4)
    parsed_on = SearchRequest.from_args(_multidict(on))
    assert ("kommun", "Umeå") in parsed_on.filters and parsed_on.page == 1
    assert SearchRequest.from_args(_multidict(off)) == req.with_page(1)
    assert SearchRequest.from_args(_multidict(paged)).page == 4


_VALUE = st.sampled_from(["Umeå", "A & B", "Skåne Nordväst", "x=y", "2015", "ja"])
_PAIR = st.tuples(st.sampled_from(["organisation", "kommun", "ar", "beslut"]), _VALUE)


@given(
    q=st.sampled_from(["", "e-tjänster", "budget OR \"hela länet\""]),
    filters=st.lists(_PAIR, max_size=4, unique=True),
    dates=st.sampled_from([(None, None), ("2010-01-01", None), ("2010-01-01", "2012-12-31")]),
    sort=st.sampled_from(["relevans", "nyast"]),
    page=st.integers(1, 5),
    page_size=st.sampled_from([20, 50]),
    concepts=st.booleans(),
    toggle=_PAIR,
    expanded=st.lists(st.sampled_from(["organisation", "kommun", "ar"]), max_size=2, unique=True),
)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # app: only its URL map is read
def test_facet_links_equal_the_toggled_requests_own_url(app, q, filters, dates, sort, page, page_size,  # type: ignore[no-untyped-def]
                                                        concepts, toggle, expanded) -> None:
    """A facet link (``url_for_state(req, toggle=..., view=...)``, built from parts quoted once
    per request) is exactly the URL of the toggled request's own arguments followed by the
    page's view state (``visa=…``), for any state; the view state never reaches the request."""
    from webui.params import expanded_facets, query_string, url_for_state, view_args

    req = SearchRequest(q, tuple(sorted(filters)), dates[0], dates[1], sort, page, page_size, concepts)
    view = view_args(tuple(expanded))
    with app.test_request_context("/"):
        for endpoint in ("search.index", "search.api"):
            expected_args = req.toggled(*toggle).to_args() + list(view)
            base = url_for_state(SearchRequest(), endpoint)
            expected = f"{base}?{query_string(expected_args)}" if expected_args else base
            url = url_for_state(req, endpoint, toggle=toggle, view=view)
            assert url == expected
            pairs = parse_qsl(urlsplit(url).query)
            assert [p for p in pairs if p[0] != "visa"] == req.toggled(*toggle).to_args()
            assert set(expanded_facets(_multidict(url))) == set(expanded)


def _multidict(url: str):  # type: ignore[no-untyped-def]
    from werkzeug.datastructures import MultiDict

    return MultiDict(parse_qsl(urlsplit(url).query))


# ---------------------------------------------------------------- meeting page


def _meeting_id(client, seed: str) -> str:  # type: ignore[no-untyped-def]
    name = SEEDS[seed].name
    for m in client.get("/api/meetings").get_json()["meetings"]:
        data = client.get(f"/api/meetings/{m['id']}").get_json()
        if data["source"].endswith(name):
            return m["id"]
    raise AssertionError(f"no meeting from {name}")


def test_meeting_page_header_anchors_and_twin(client) -> None:
    mid = _meeting_id(client, "001")
    soup = soup_of(client.get(f"/mote/{mid}"))
    data = alternate_json(client, soup)
    assert data["id"] == mid
    facts = soup.select_one(".meeting-facts").get_text(" ", strip=True)
    for label in ("Organisation", "Organ", "Datum", "Tid", "Plats"):
        assert label in facts
    assert data["organisation"] in facts
    assert "april 2017" in soup.find("h1").get_text()
    anchors = [a for a in (i["number"] for i in data["items"])]
    assert len(soup.select("article.agenda-item")) == len(anchors) >= 5
    for item in soup.select("article.agenda-item"):
        anchor = item["id"]
        assert anchor.startswith(("punkt-", "paragraf-"))
        assert item.select_one(".permalink a")["href"] == f"#{anchor}"
    assert soup.find(id="punkt-2") is not None


def test_meeting_page_marks_absent_members_and_groups_by_municipality(client) -> None:
    mid = _meeting_id(client, "001")
    data = client.get(f"/api/meetings/{mid}").get_json()
    soup = soup_of(client.get(f"/mote/{mid}"))
    absent = [a for a in data["attendees"] if not a["present"]]
    assert absent, "the 2017 seed lists Frånvarande"
    marked = soup.select(".attendees li.absent")
    assert len(marked) == len(absent)
    assert all("anmält förhinder" in li.get_text() for li in marked)
    municipalities = {a["municipality"] for a in data["attendees"] if a["municipality"]}
    headings = {h.get_text(strip=True) for h in soup.select(".attendees h3")}
    assert municipalities <= headings


def test_meeting_page_sets_decisions_and_actions_apart(client) -> None:
    mid = _meeting_id(client, "001")
    data = client.get(f"/api/meetings/{mid}").get_json()
    soup = soup_of(client.get(f"/mote/{mid}"))
    n_actions = sum(1 for i in data["items"] if i["actions"])
    n_decisions = sum(1 for i in data["items"] if i["decisions"])
    assert len(soup.select("table.actions")) == n_actions
    assert len(soup.select(".agenda-item .decision-box")) == n_decisions
    if n_actions:
        assert soup.select_one("table.actions caption").get_text(strip=True) == "Åtgärder"


def test_previous_and_next_meeting_of_the_same_body(client) -> None:
    older, newer = _meeting_id(client, "000"), _meeting_id(client, "001")
    old = client.get(f"/api/meetings/{older}").get_json()
    new = client.get(f"/api/meetings/{newer}").get_json()
    assert old["next_id"] == newer and new["previous_id"] == older
    soup = soup_of(client.get(f"/mote/{older}"))
    assert soup.select_one(".prev-next a[rel=next]")["href"] == f"/mote/{newer}"
    assert soup.select_one(".prev-next a[rel=prev]") is None
    soup = soup_of(client.get(f"/mote/{newer}"))
    assert soup.select_one(".prev-next a[rel=prev]")["href"] == f"/mote/{older}"


def test_source_file_is_served_from_the_corpus(client) -> None:
    mid = _meeting_id(client, "003")
    soup = soup_of(client.get(f"/mote/{mid}"))
    link = soup.find("a", href=f"/mote/{mid}/kalla")
    assert link is not None
    response = client.get(link["href"])
    assert response.status_code == 200
    assert response.data == SEEDS["003"].read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert mid in disposition and "/" not in disposition.split("filename=")[1]
    response.close()


def test_unknown_meeting_is_a_swedish_404(client) -> None:
    response = client.get("/mote/finns-inte-2099-01-01")
    assert response.status_code == 404
    soup = BeautifulSoup(response.data, "html.parser")
    assert "Sidan finns inte" in soup.find("h1").get_text()
    assert "inget möte" in soup.select_one(".error-message").get_text()
    api = client.get("/api/meetings/finns-inte-2099-01-01")
    assert api.status_code == 404 and "error" in api.get_json()
    assert client.get("/mote/finns-inte-2099-01-01/kalla").status_code == 404


# ---------------------------------------------------------------- browse


def test_browse_page_coverage_table_and_lists(client) -> None:
    soup = soup_of(client.get("/moten"))
    data = alternate_json(client, soup)
    years = data["coverage"]["years"]
    head = [th.get_text(strip=True) for th in soup.select("table.coverage thead th")]
    assert head[1:-1] == [str(y) for y in years]
    rows = soup.select("table.coverage tbody tr")
    assert len(rows) == len(data["coverage"]["rows"])
    gaps = soup.select("table.coverage td.gap")
    assert gaps, "the bundled corpus has years without meetings"
    listed = soup.select(".meeting-list a")
    assert len(listed) == len(data["meetings"])
    org = data["coverage"]["rows"][0]["organisation"]
    only = soup_of(client.get("/moten", query_string={"organisation": org}))
    assert all(h.get_text(strip=True) == org for h in only.select(".org-meetings h2"))


def test_browse_rejects_a_malformed_year(client) -> None:
    response = client.get("/moten", query_string={"ar": "tjugohundra"})
    assert response.status_code == 400
    assert "fyra siffror" in response.get_data(as_text=True)


# ---------------------------------------------------------------- trends


def test_trends_page_chart_table_and_downloads(client) -> None:
    soup = soup_of(client.get("/trender", query_string={"q": QUERY}))
    data = alternate_json(client, soup)
    assert data["total"] > 0 and len(data["series"]) >= 2
    img = soup.select_one("img.chart")
    assert img["src"].startswith("/trender.svg?") and "e-tj" in img["alt"] or QUERY in img["alt"]
    svg = client.get(img["src"])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert 'role="img"' in text and "<title>" in text
    rows = soup.select("table.trend-table tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == [s["name"] for s in data["series"]]
    head = [th.get_text(strip=True) for th in soup.select("table.trend-table thead th")][1:-1]
    assert head == [str(y) for y in data["years"]]
    csv_link = soup.find("a", string="Ladda ned siffrorna som CSV")
    rows_csv = list(csv.reader(io.StringIO(client.get(csv_link["href"]).data.decode("utf-8-sig"))))
    assert rows_csv[0] == ["år", "serie", "antal"]
    assert sum(int(r[2] or 0) for r in rows_csv[1:]) == sum(  # empty: no meetings that year
        c or 0 for s in data["series"] for c in s["counts"])


def test_trends_per_municipality_and_topic_dropdown(client, service) -> None:
    soup = soup_of(client.get("/trender", query_string={"q": QUERY, "per": "kommun"}))
    assert soup.find("option", value="kommun").has_attr("selected")
    assert "Kommun" == soup.select_one("table.trend-table thead th").get_text(strip=True)
    options = {o["value"] for o in soup.select("#amne_trend option") if o["value"]}
    assert options == set(service.topics())
    topic = min(options)
    chosen = soup_of(client.get("/trender", query_string={"amne_trend": topic}))
    assert chosen.find("option", value=topic).has_attr("selected")


def test_trends_start_and_api_errors(client) -> None:
    soup = soup_of(client.get("/trender"))
    assert soup.select_one("img.chart") is None and soup.select_one("p.empty")
    bad = client.get("/api/trends", query_string={"q": QUERY, "per": "planet"})
    assert bad.status_code == 400
    assert bad.get_json()["parameter"] == "per"


def test_chart_is_cached_per_arguments(client) -> None:
    from webui import charts

    client.get("/trender.svg", query_string={"q": QUERY})
    before = charts._render.cache_info().hits
    client.get("/trender.svg", query_string={"q": QUERY})
    assert charts._render.cache_info().hits == before + 1


# ---------------------------------------------------------------- errors and headers


@pytest.mark.parametrize(
    "url",
    ["/", f"/?q={QUERY}", "/api/search?q=x", "/api/search.csv?q=x", "/moten", "/trender",
     "/trender.svg?q=x", "/api/trends?q=x", "/finns-inte", "/?sida=0", "/static/style.css"],
)
def test_security_headers_on_every_response(client, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[-1].split(";")[0]
    assert "default-src" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if response.mimetype == "text/html":
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        html = response.get_data(as_text=True)
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find_all("script"), "no inline or external script at all"
        assert not soup.select("[style]"), "no style attributes (CSP style-src 'self')"
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_custom_404_400_and_json_errors(client) -> None:
    response = client.get("/finns/inte")
    assert response.status_code == 404 and "Sidan finns inte" in response.get_data(as_text=True)
    response = client.get("/", query_string={"sida": "0"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Frågan kunde inte förstås" in text and "sida" in text
    api = client.get("/api/search", query_string={"sort": "slump"})
    assert api.status_code == 400
    assert api.get_json() == {"error": "Okänd sortering; välj relevans, nyast eller aldst.",
                              "parameter": "sort", "status": 400}
    assert client.post("/").status_code == 405


def test_unexpected_error_is_a_swedish_500_without_traceback(built_index: Path) -> None:
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(built_index), "CORPUS_DIR": str(CORPUS)})

    @app.get("/krasch")
    def crash() -> str:
        raise RuntimeError("hemlig intern detalj")

    @app.get("/api/krasch")
    def api_crash() -> str:
        raise KeyError("hemlig")

    client = app.test_client()
    response = client.get("/krasch")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Något gick fel" in text and "hemlig" not in text and "Traceback" not in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    api = client.get("/api/krasch")
    assert api.status_code == 500 and "hemlig" not in api.get_data(as_text=True)
    assert app.debug is False


def test_missing_index_is_a_503_with_the_remedy(tmp_path: Path) -> None:
    from webui import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "inget")}).test_client()
    response = client.get("/", query_string={"q": QUERY})
    assert response.status_code == 503
    assert "protokoll index" in response.get_data(as_text=True)
    assert client.get("/api/search").get_json()["status"] == 503


def test_config_from_prefixed_env_and_argument(monkeypatch: pytest.MonkeyPatch, built_index: Path) -> None:
    from webui import create_app

    monkeypatch.setenv("PROTOKOLL_PAGE_SIZE", "2")
    monkeypatch.setenv("PROTOKOLL_MAX_QUERY_LENGTH", "30")
    app = create_app({"TESTING": True, "INDEX_DIR": str(built_index), "MAX_QUERY_LENGTH": 40})
    assert app.config["PAGE_SIZE"] == 2 and app.config["MAX_QUERY_LENGTH"] == 40
    client = app.test_client()
    assert len(client.get("/api/search", query_string={"q": QUERY}).get_json()["hits"]) <= 2
    assert client.get("/", query_string={"q": "x" * 41}).status_code == 400
    assert client.get("/", query_string={"q": "x" * 39}).status_code == 200


def test_csv_export_is_capped_by_max_export_rows(built_index: Path) -> None:
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(built_index), "MAX_EXPORT_ROWS": 1})
    response = app.test_client().get("/api/search.csv", query_string={"q": QUERY})
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2  # header + one row, although the search has more hits


def test_readme_holds_the_generated_settings_table() -> None:
    from webui.settings import SETTINGS, settings_markdown

    text = README_PART.read_text(encoding="utf-8")
    assert settings_markdown() in text
    for setting in SETTINGS:
        assert f"PROTOKOLL_{setting.name}" in text


@pytest.mark.parametrize("url", ["/", f"/?q={QUERY}", "/moten", f"/trender?q={QUERY}"])
def test_link_header_names_the_json_twin(client, url: str) -> None:
    response = client.get(url)
    soup = soup_of(response)
    href = soup.find("link", rel="alternate", type="application/json")["href"]
    assert response.headers["Link"] == f'<{href}>; rel="alternate"; type="application/json"'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=6))
def test_query_strings_are_exactly_urlencodes(pairs: list[tuple[str, str]]) -> None:
    from webui.params import query_string

    assert query_string(pairs) == urlencode(pairs)
