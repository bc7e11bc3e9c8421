"""Hostile input against the web UI: markup in queries and documents, path tricks, oversize
and malformed parameters. Every answer is a well-formed 2xx/4xx, never a 500 or a traceback.
"""

from __future__ import annotations

import json
import shutil

import pytest
from bs4 import BeautifulSoup
from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCRIPT = "<script>alert('x')</script>"

EVIL_MINUTES = """Protokoll Kommunchefsgrupp, Umeåregionen
Datum: 2016-05-04
Plats: Umeå

1. Mötets öppnande
Ordföranden öppnade mötet.

2. Skadlig kod i e-tjänster <script>alert('x')</script>
Vi diskuterade e-tjänster och <img src=x onerror=alert(1)> säkerhet.
Beslut: att godkänna <b>rapporten</b> om e-tjänster.
"""


def assert_no_live_markup(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script")
    assert not soup.find_all("img", onerror=True)
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    return soup


# ---------------------------------------------------------------- markup in the query


def test_script_in_query_is_escaped_in_page_and_json(client) -> None:
    page = client.get("/", query_string={"q": SCRIPT})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert_no_live_markup(html)
    api = client.get("/api/search", query_string={"q": SCRIPT})
    raw = api.get_data(as_text=True)
    assert "<script" not in raw and "\\u003cscript\\u003e" in raw
    assert api.get_json()["query"]["q"] == SCRIPT  # the data itself is intact
    trends = client.get("/trender", query_string={"q": SCRIPT})
    assert trends.status_code == 200 and SCRIPT not in trends.get_data(as_text=True)
    svg = client.get("/trender.svg", query_string={"q": SCRIPT}).get_data(as_text=True)
    assert "<script" not in svg


# ---------------------------------------------------------------- markup inside a document


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real index of a corpus holding a file with markup and a symlink leading outside it."""
    from indexer.index import build_index
    from webui import create_app

    root = tmp_path_factory.mktemp("evil")
    corpus, outside = root / "corpus", root / "utanfor"
    corpus.mkdir()
    outside.mkdir()
    (corpus / "umearegionen-kommunchefsgrupp-2016-05-04.txt").write_text(EVIL_MINUTES, encoding="utf-8")
    shutil.copy(SEEDS["003"], outside / "hemlig.txt")
    (corpus / "lank.txt").symlink_to(outside / "hemlig.txt")
    index_dir = root / "index"
    report = build_index(corpus, index_dir)
    assert [path for path, _ in report.failed] == ["lank.txt"]  # outside the corpus: not read
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIR": str(corpus)})
    return app


def test_script_inside_an_indexed_document_comes_back_inert(evil_app) -> None:  # type: ignore[no-untyped-def]
    client = evil_app.test_client()
    page = client.get("/", query_string={"q": "e-tjänster"})
    html = page.get_data(as_text=True)
    soup = assert_no_live_markup(html)
    assert "&lt;script&gt;" in html or "&lt;img" in html
    hit = soup.select_one(".hit-title a")
    meeting = client.get(hit["href"].split("#")[0])
    assert meeting.status_code == 200
    meeting_html = meeting.get_data(as_text=True)
    assert_no_live_markup(meeting_html)
    assert "&lt;script&gt;" in meeting_html
    api = client.get("/api/search", query_string={"q": "e-tjänster"}).get_data(as_text=True)
    assert "<script" not in api and "<img" not in api
    csv_text = client.get("/api/search.csv", query_string={"q": "e-tjänster"}).get_data(as_text=True)
    assert "e-tjänster" in csv_text


def test_a_symlink_out_of_the_corpus_is_neither_indexed_nor_served(evil_app) -> None:  # type: ignore[no-untyped-def]
    client = evil_app.test_client()
    statuses, linked = {}, {}
    for m in client.get("/api/meetings").get_json()["meetings"]:
        source = client.get(f"/api/meetings/{m['id']}").get_json()["source"]
        statuses[source] = client.get(f"/mote/{m['id']}/kalla").status_code
        linked[source] = f"/mote/{m['id']}/kalla" in client.get(f"/mote/{m['id']}").get_data(as_text=True)
    assert statuses == {"umearegionen-kommunchefsgrupp-2016-05-04.txt": 200}
    assert linked == {"umearegionen-kommunchefsgrupp-2016-05-04.txt": True}


@pytest.mark.parametrize(
    "path",
    [
        "/mote/../../etc/passwd/kalla",
        "/mote/..%2F..%2Fetc%2Fpasswd/kalla",
        "/mote/%2e%2e%2f%2e%2e%2fetc%2fpasswd/kalla",
        "/mote/..%5C..%5Cwindows%5Cwin.ini/kalla",
        "/mote/%2Fetc%2Fpasswd/kalla",
        "/mote/" + "a" * 5000 + "/kalla",
        "/mote/" + "a" * 5000,
    ],
)
def test_path_traversal_in_source_links_is_404(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"root:" not in response.data


# ---------------------------------------------------------------- oversize and malformed parameters


@pytest.mark.parametrize("url", ["/", "/api/search", "/api/search.csv", "/trender", "/api/trends"])
def test_ten_thousand_character_query_is_400(client, url: str) -> None:
    response = client.get(url, query_string={"q": "ord " * 2500})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "för lång" in body
    if url.startswith("/api/"):
        assert response.get_json()["parameter"] == "q"


@pytest.mark.parametrize(
    "args, parameter",
    [
        ({"sida": "-1"}, "sida"),
        ({"sida": "abc"}, "sida"),
        ({"sida": "501"}, "sida"),
        ({"sida": "9" * 400}, "sida"),
        ({"per_sida": "101"}, "per_sida"),
        ({"per_sida": "0"}, "per_sida"),
        ({"fran": "igår"}, "fran"),
        ({"till": "2015-13-45"}, "till"),
        ({"sort": "<b>"}, "sort"),
        ({"organisation": "x" * 300}, "organisation"),
    ],
)
def test_bounded_parameters_are_400_with_the_parameter(client, args: dict, parameter: str) -> None:  # type: ignore[type-arg]
    response = client.get("/api/search", query_string={"q": "e-tjänster", **args})
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter
    page = client.get("/", query_string={"q": "e-tjänster", **args})
    assert page.status_code == 400
    assert "Frågan kunde inte förstås" in page.get_data(as_text=True)


def test_unknown_facet_values_give_zero_hits(client) -> None:
    for args in ({"organisation": "Finns Inte AB"}, {"ar": "1066"}, {"kommun": "Atlantis"},
                 {"amne": "okänt-ämne"}):  # beslut=kanske is malformed: 400 (test_web_surprises)
        response = client.get("/api/search", query_string={"q": "e-tjänster", **args})
        assert response.status_code == 200, args
        assert response.get_json()["total"] == 0
        page = client.get("/", query_string={"q": "e-tjänster", **args})
        assert page.status_code == 200 and "Inga träffar" in page.get_data(as_text=True)


def test_repeated_keys_use_the_first_single_value(client) -> None:
    response = client.get("/api/search?q=e-tj%C3%A4nster&q=bredband&sida=1&sida=2&sort=nyast&sort=x")
    assert response.status_code == 200
    data = response.get_json()
    assert data["query"]["q"] == "e-tjänster" and data["query"]["sort"] == "nyast"
    both = client.get("/api/search?q=e-tj%C3%A4nster&ar=2015&ar=2017&ar=2015").get_json()
    assert both["query"]["filters"] == [["ar", "2015"], ["ar", "2017"]]


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "e-tj\x00änster", "\x1b[31m"])
def test_control_characters_are_400(client, value: str) -> None:
    for url in ("/", "/api/search", "/trender"):
        response = client.get(url, query_string={"q": value})
        assert response.status_code == 400, url
    assert client.get("/", query_string={"organisation": value}).status_code == 400


def test_odd_but_valid_text_is_searched(client) -> None:
    for q in ("🙂 e-tjänster", "ÅÄÖ åäö", "\"\"", "*", "OR OR", "((", "kommun:", "ö" * 400, "%s %n"):
        response = client.get("/api/search", query_string={"q": q})
        assert response.status_code == 200, q
        json.loads(response.get_data(as_text=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["q", "sida", "per_sida", "sort", "fran", "till", "organisation",
                             "kommun", "ar", "amne", "beslut", "per", "amne_trend", "format", "x"]),
            st.text(max_size=40),
        ),
        max_size=6,
    ),
    st.sampled_from(["/", "/api/search", "/api/trends", "/trender", "/moten"]),
)
def test_fuzzed_parameters_never_500(client, pairs: list[tuple[str, str]], url: str) -> None:
    response = client.get(url, query_string=pairs)
    assert response.status_code in (200, 400), (url, pairs, response.data[:200])
    if url.startswith("/api/") and response.mimetype == "application/json":
        json.loads(response.get_data(as_text=True))
    assert b"Traceback" not in response.data
