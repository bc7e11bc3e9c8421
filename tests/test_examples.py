"""Every example the UI or the README offers finds something in the bundled corpus.

A new user's first query is usually an example; one that answers "0 träffar" looks broken.
"""

from __future__ import annotations

import re
import shlex
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def query_table_examples() -> list[str]:
    """The "Exempel" column of the query-language table in README § Frågespråket."""
    table = README[README.index("| Skriv | Betyder | Exempel |"):]
    table = table[:table.index("\n\n")]
    rows = re.findall(r"^\|(.+)\|$", table, flags=re.M)[2:]  # past the head and the rule
    return [ex for row in rows for ex in re.findall(r"`([^`]+)`", row.split("|")[-1])]


def readme_cli_searches() -> list[list[str]]:
    return [shlex.split(line)[2:] for line in re.findall(r"^\$ (protokoll search .+)$", README, re.M)]


def readme_api_urls() -> list[str]:
    return re.findall(r"curl[^']*'http://127\.0\.0\.1:8000(/api/(?:search|trends)[^']*)'", README)


def test_the_readme_offers_examples():
    assert len(query_table_examples()) >= 10 and readme_cli_searches() and readme_api_urls()


def test_start_page_examples_find_hits(client: Any):
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    links = [a["href"] for a in soup.select(".start-examples a")]
    assert len(links) >= 3
    for href in links:
        query = dict(parse_qsl(urlsplit(href).query))
        data = client.get("/api/search", query_string=query).get_json()
        assert data["total"] > 0, f"startsidans exempel {query} ger 0 träffar"


@pytest.mark.parametrize("query", query_table_examples())
def test_query_language_examples_find_hits(client: Any, query: str):
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["total"] > 0, f"README-exemplet {query!r} ger 0 träffar"


@pytest.mark.parametrize("url", readme_api_urls())
def test_readme_api_examples_find_hits(client: Any, url: str):
    response = client.get(url.replace("/api/search.csv", "/api/search").replace(
        "/api/trends.csv", "/api/trends"))  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["total"] > 0, f"README-exemplet {url} ger 0 träffar"


@pytest.mark.parametrize("args", readme_cli_searches(), ids=" ".join)
def test_readme_cli_examples_find_hits(built_index: Any, args: list[str]):
    from webui.cli import cli

    args = [a for a in args if a != "--json"]
    out = CliRunner().invoke(cli, ["search", *args, "--index", str(built_index)])
    assert out.exit_code == 0, out.output
    assert not out.output.startswith("0 träffar") and "\n0 träffar" not in out.output, out.output


@pytest.mark.parametrize("path", ["/?q=digital*", "/trender?q=e-tj%C3%A4nster"])
def test_example_links_in_empty_and_trend_pages_find_hits(client: Any, path: str):
    query = dict(parse_qsl(urlsplit(path).query))
    api = "/api/trends" if path.startswith("/trender") else "/api/search"
    assert client.get(api, query_string=query).get_json()["total"] > 0
