"""The results page's facet sidebar: ten values per facet, "Visa alla (N)" for the rest.

Runs against a real index of invented meetings with more organisations than the service returns
per facet (``FACET_LIMIT``), so one facet is long, and truncated, whatever the bundled corpus
holds. The expansion (``visa=<facet>``) is view state of the HTML page: the JSON and the CSV
never see it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from indexer.index import index_meetings
from indexer.records import AgendaItem, Meeting
from indexer.search import FACET_LIMIT
from webui.views.search import FACET_VALUES_SHOWN

ORGANISATIONS = 56  # more than FACET_LIMIT: the service itself cuts the list
YEARS = 12  # a second facet longer than FACET_VALUES_SHOWN, not cut by the service
QUERY = "budget"


def _meetings() -> list[Meeting]:
    """One meeting per organisation, and a few more for the first three, so the facet's order
    (most meetings first, then by name) is not just the alphabet; spread over ``YEARS`` years."""
    extra = {1: 2, 2: 1, 3: 1}
    out = []
    for n in range(1, ORGANISATIONS + 1):
        for k in range(1 + extra.get(n, 0)):
            day = f"{2000 + n % YEARS}-03-{k + 1:02d}"
            out.append(Meeting(
                id=f"forbund-{n:02d}-styrelse-{day}", source=f"forbund-{n:02d}-{k}.txt",
                sha256=f"{n}-{k}", format="txt", organisation=f"Kommunförbund {n:02d}",
                body="styrelse", date=day, municipalities=("Umeå",),
                items=(AgendaItem("1", "Budget", "Budgeten för 2015 diskuterades och godkändes."),),
            ))
    return out


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from webui import create_app

    index = tmp_path_factory.mktemp("facets") / "index"
    index_meetings(index, _meetings())
    return create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()


def soup_of(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


def listed(soup: BeautifulSoup, name: str = "organisation") -> list[str]:
    return [a["data-value"] for a in soup.select(f'a.facet-link[data-facet="{name}"]')]


def switch(soup: BeautifulSoup, name: str = "organisation") -> Any:
    return soup.select_one(f'.facet-more a[data-facet="{name}"]')


def api_values(client: Any, **args: Any) -> list[str]:
    data = client.get("/api/search", query_string={"q": QUERY, **args}).get_json()
    return list(data["facets"]["organisation"])


def args_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_long_facet_lists_ten_values_and_a_link_to_all_of_them(client: Any) -> None:
    everything = api_values(client)
    assert len(everything) == FACET_LIMIT > FACET_VALUES_SHOWN == 10
    soup = soup_of(client.get("/", query_string={"q": QUERY}))
    assert listed(soup) == everything[:FACET_VALUES_SHOWN]  # the service's order, most first
    more = switch(soup)
    assert more.get_text(" ", strip=True) == f"Visa alla ({FACET_LIMIT}) värden för Organisation"
    assert more["href"].endswith("#facet-organisation")
    assert ("visa", "organisation") in args_of(more["href"])
    assert not soup.find(string="Visar de vanligaste värdena.")  # said only under the full list
    assert switch(soup, "organ") is None and len(listed(soup, "organ")) == 1  # short facets as before

    expanded = soup_of(client.get(more["href"]))
    assert listed(expanded) == everything
    assert expanded.find(string="Visar de vanligaste värdena.") is not None  # the service cut at 50
    fewer = switch(expanded)
    assert fewer.get_text(" ", strip=True) == "Visa färre värden för Organisation"
    assert "visa" not in dict(args_of(fewer["href"]))
    assert listed(soup_of(client.get(fewer["href"]))) == everything[:FACET_VALUES_SHOWN]


def test_selected_value_beyond_the_tenth_is_listed_while_collapsed(client: Any) -> None:
    everything = api_values(client)
    far = everything[30]
    assert api_values(client, organisation=far).index(far) >= FACET_VALUES_SHOWN
    soup = soup_of(client.get("/", query_string={"q": QUERY, "organisation": far}))
    shown = listed(soup)
    assert shown == everything[:FACET_VALUES_SHOWN] + [far]
    chosen = soup.select_one('a.facet-link.selected[data-facet="organisation"]')
    assert chosen["data-value"] == far and chosen["aria-current"] == "true"
    assert ("organisation", far) not in args_of(chosen["href"])  # the link unselects it
    assert switch(soup) is not None


def test_json_and_csv_ignore_the_expansion(client: Any) -> None:
    plain = client.get("/api/search", query_string={"q": QUERY}).get_json()
    asked = client.get("/api/search", query_string={"q": QUERY, "visa": "organisation"}).get_json()
    assert len(asked["facets"]["organisation"]) == FACET_LIMIT > FACET_VALUES_SHOWN
    assert {k: v for k, v in asked.items() if k != "elapsed_ms"} == \
        {k: v for k, v in plain.items() if k != "elapsed_ms"}
    csv_plain = client.get("/api/search.csv", query_string={"q": QUERY}).data
    csv_asked = client.get("/", query_string={"q": QUERY, "format": "csv", "visa": "organisation"}).data
    assert csv_asked == csv_plain and csv_plain.count(b"\n") == len(_meetings()) + 1
    page = soup_of(client.get("/", query_string={"q": QUERY, "visa": "organisation"}))
    twin = page.find("link", rel="alternate", type="application/json")["href"]
    assert "visa" not in twin and "visa" not in page.select_one(".export a")["href"]


def test_links_on_an_expanded_page_keep_the_expansion(client: Any) -> None:
    soup = soup_of(client.get("/", query_string={"q": QUERY, "visa": "organisation", "per_sida": 5}))
    assert soup.select_one("details.facets-disclosure").has_attr("open")  # phones: the list stays open
    links = [a["href"] for a in soup.select("a.facet-link, .sort a, nav.paging a")]
    assert len(links) > FACET_LIMIT
    assert all(("visa", "organisation") in args_of(url) for url in links), links
    for form in soup.select("form.date-filter, form.search-form"):
        assert form.select_one("input[type=hidden][name=visa]")["value"] == "organisation"

    far = api_values(client)[40]
    pick = soup.select_one(f'a.facet-link[data-facet="organisation"][data-value="{far}"]')
    picked = soup_of(client.get(pick["href"]))
    assert far in listed(picked) and len(listed(picked)) == FACET_LIMIT  # still the full list
    assert switch(picked).get_text(" ", strip=True).startswith("Visa färre")
    chip = picked.select_one(".active-filters a.chip.removable")
    assert ("visa", "organisation") in args_of(chip["href"])
    assert len(listed(soup_of(client.get(chip["href"])))) == FACET_LIMIT


@pytest.mark.parametrize("value", ["finns-inte", "", "ORGANISATION", "organisation ", "q"])
def test_unknown_expansion_is_ignored(client: Any, value: str) -> None:
    soup = soup_of(client.get("/", query_string=[("q", QUERY), ("visa", value)]))
    assert len(listed(soup)) == FACET_VALUES_SHOWN
    assert switch(soup).get_text(" ", strip=True).startswith("Visa alla")
    assert not soup.select_one("details.facets-disclosure").has_attr("open")
    assert all("visa" not in dict(args_of(a["href"])) for a in soup.select("a.facet-link"))


def test_expansion_with_a_control_character_is_refused(client: Any) -> None:
    response = client.get("/?q=budget&visa=organisation%00")
    assert response.status_code == 400
    assert "kontrolltecken" in response.get_data(as_text=True)


def test_several_facets_expand_and_collapse_independently(client: Any) -> None:
    soup = soup_of(client.get("/", query_string={"q": QUERY, "visa": "ar"}))
    assert len(listed(soup, "ar")) == YEARS and len(listed(soup)) == FACET_VALUES_SHOWN
    both = soup_of(client.get(switch(soup)["href"]))  # "Visa alla" for Organisation
    assert len(listed(both, "ar")) == YEARS and len(listed(both)) == FACET_LIMIT
    assert [v for k, v in args_of(switch(both)["href"]) if k == "visa"] == ["ar"]
    assert [v for k, v in args_of(switch(both, "ar")["href"]) if k == "visa"] == ["organisation"]
    toggles = [a["href"] for a in both.select("a.facet-link")]
    assert all([v for k, v in args_of(url) if k == "visa"] == ["organisation", "ar"] for url in toggles)
    # "Kommun" has one value here: nothing to expand, so no link, even when asked.
    asked = soup_of(client.get("/", query_string={"q": QUERY, "visa": "kommun"}))
    assert switch(asked, "kommun") is None and len(listed(asked, "kommun")) == 1


def test_both_forms_keep_the_rest_of_the_search(client: Any) -> None:
    """A new query keeps the filters, dates, order, page size and view; a new date range keeps
    everything but the dates. Neither keeps the page number, and neither doubles what it sets."""
    far = api_values(client)[12]
    args = {"q": QUERY, "organisation": far, "fran": "2001-01-01", "till": "2030-12-31",
            "sort": "nyast", "sida": 2, "per_sida": 5, "begrepp": "av", "visa": "organisation"}
    soup = soup_of(client.get("/", query_string=args))

    def kept(form_class: str) -> list[tuple[str, str]]:
        form = soup.select_one(f"form.{form_class}")
        return sorted((i["name"], i["value"]) for i in form.select("input[type=hidden]"))

    common = [("organisation", far), ("per_sida", "5"), ("sort", "nyast"), ("visa", "organisation")]
    assert kept("search-form") == sorted(common + [("fran", "2001-01-01"), ("till", "2030-12-31")])
    assert kept("date-filter") == sorted(common + [("begrepp", "av"), ("q", QUERY)])
