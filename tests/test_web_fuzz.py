"""Hostile query strings against ``/``, ``/api/search`` and ``/api/trends`` (hypothesis), and
expensive queries that must come back quickly with a message instead of tying up a worker.

The app is made as ``protokoll serve`` makes it (no TESTING flag), so an exception would show
up as the 500 a real visitor gets, not as a re-raised error in the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability.webindex import build_web_index, production_app

PATHS = ("/", "/api/search", "/api/trends", "/trender")
KEYS = (
    "q",
    "organisation",
    "organ",
    "kommun",
    "lan",
    "ar",
    "amne",
    "beslut",
    "sort",
    "sida",
    "per_sida",
    "fran",
    "till",
    "per",
    "amne_trend",
    "fran_ar",
    "till_ar",
    "format",
    "visa",
)
OPERATORS = (
    "OR",
    "ELLER",
    "AND",
    "OCH",
    "NOT",
    "INTE",
    "-",
    "+",
    "*",
    "?",
    '"',
    "(",
    ")",
    ":",
    "..",
    "kommun:",
    "år:",
    "datum:",
    "ämne:",
    "beslut:ja",
    "~",
    "^",
    "\\",
    "%",
    "&",
    "<script>",
    "</main>",
    "\x00",
    "\u202e",
    "🔥",
    "ﬁ",
    "İ",
    "ß",
    "\ud800",
)
HUGE_NUMBERS = (
    "0",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "٣",
    "２０１５",
    "2015-02-30",
    "9999-12-31",
    "-0001-01-01",
)
STACK_MARKERS = ("Traceback", 'File "/', "werkzeug.exceptions", "jinja2.exceptions", "Debugger")
OR_2000 = " OR ".join(["x"] * 2000)
OR_3000 = " OR ".join(f"ord{i}" for i in range(3000))
# Queries a user must be told about: match-everything wildcards and over-long OR chains.
NEEDS_MESSAGE = {"*", "a*", "*a", "a* OR e* OR i* OR o* OR u*", OR_2000, OR_3000}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    index, corpus = build_web_index(tmp_path_factory.mktemp("fuzz"), meetings=25)
    return production_app(index, corpus).test_client()


values = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(OPERATORS) | st.text(max_size=8), max_size=12).map(" ".join),
    st.sampled_from(HUGE_NUMBERS),
    st.sampled_from(KEYS),  # visa=kommun: a facet listed in full (and keys as values elsewhere)
    st.integers().map(str),
    st.text(min_size=480, max_size=700),
)
pairs = st.lists(st.tuples(st.sampled_from(KEYS) | st.text(max_size=10), values), max_size=8)


def _query_string(params: list[tuple[str, str]], raw_tail: str) -> str:
    """Repeated keys kept; surrogates survive as the bytes a browser would send (or fail to)."""
    parts = [
        f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}" for k, v in params
    ]
    return "&".join(parts) + raw_tail


def check_response(path: str, response) -> None:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (path, response.status_code, body[:300])
    assert not any(marker in body for marker in STACK_MARKERS), body[:500]
    if path.startswith("/api/"):
        assert response.mimetype == "application/json", response.mimetype
        json.loads(body)
    elif response.mimetype == "text/html":
        assert BeautifulSoup(body, "html.parser").find("main") is not None, body[:300]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(PATHS),
    params=pairs,
    raw_tail=st.sampled_from(("", "&", "&&q", "&q=%", "&q=%zz", "&q=%ff%fe", "&=x", "&q")),
)
def test_fuzzed_parameters_never_break_a_page(client, path: str, params, raw_tail: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, query_string=_query_string(params, raw_tail))
    check_response(path, response)


@pytest.mark.parametrize(
    "q",
    [
        "*",
        "a*",
        "*a",
        "?",
        "??*",
        "a* OR e* OR i* OR o* OR u*",
        OR_2000,
        OR_3000,
        "(" * 400 + "kommun" + ")" * 400,
        '"' + "kommun " * 70 + '"',
        "-" * 500,
        "INTE " * 100,
    ],
    ids=[
        "star",
        "a-star",
        "leading-star",
        "question",
        "wild-mix",
        "vowel-prefixes",
        "2000-or",
        "3000-or-terms",
        "deep-parens",
        "long-phrase",
        "dashes",
        "not-chain",
    ],
)
@pytest.mark.parametrize("path", ["/api/search", "/api/trends", "/"])
def test_expensive_queries_are_bounded_and_explained(client, path: str, q: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, query_string={"q": q})
    check_response(path, response)
    if path == "/api/search" and q in NEEDS_MESSAGE:
        data = response.get_json()
        assert data.get("message") or data.get("error"), f"inget meddelande för {q[:40]!r}"


def test_many_two_letter_prefixes_stay_within_the_time_limit(client) -> None:  # type: ignore[no-untyped-def]
    letters = "abdefghiklmnoprstuvå"
    prefixes = " OR ".join(f"{a}{b}*" for a in letters for b in "aeiou")[:500].rsplit(" OR ", 1)[0]
    response = client.get("/api/search", query_string={"q": prefixes})
    check_response("/api/search", response)
    assert response.get_json()["message"]  # the expansion was bounded, and it says so


def test_source_files_only_from_inside_the_corpus(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for meeting_id in (
        "..%2F..%2Fetc%2Fpasswd",
        "../../etc/passwd",
        "%2e%2e%2f%2e%2e%2fpyproject.toml",
        "..",
        ".",
        "x/../../../etc/shadow",
        "\\..\\..\\windows",
    ):
        response = client.get(f"/mote/{meeting_id}/kalla")
        assert response.status_code in (400, 404), (meeting_id, response.status_code)
        assert b"root:" not in response.data and b"[project]" not in response.data
