"""Blueprint "search": ``/`` (HTML), ``/api/search`` (JSON) and the CSV export.

One context, three renderings: ``_result()`` turns the URL into a ``SearchRequest`` and asks
the service; the HTML page, the JSON twin and the CSV export all render that same result, so
the API cannot drift from the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from indexer.query import FACETS, MAX_PAGE, MAX_PAGE_SIZE, SORTS, SearchRequest
from indexer.results import Facet, FacetValue, Hit, SearchResult
from webui import render
from webui.export import csv_response
from webui.params import (
    ViewArgs,
    expanded_facets,
    is_empty,
    search_request,
    url_for_state,
    view_args,
)
from webui.service import get_service

bp = Blueprint("search", __name__)

# Every example must find something in the bundled corpus (tests/test_examples.py checks).
EXAMPLES = ("e-tjänster", "flyktingmottagning", "\"gemensam nämnd\"", "skola OR förskola",
            "digital* beslut:ja")
CSV_COLUMNS = ("möte", "organisation", "organ", "datum", "plats", "punkt", "rubrik", "beslut",
               "ämnen", "länk", "typ", "källfil")  # typ: Hit.kind_label (the JSON's kind item | passage)
PAGE_WINDOW = 3
# Values a facet lists before "Visa alla" (the service sends up to indexer.search.FACET_LIMIT);
# a selected value is listed wherever it ranks, so it can always be unselected.
FACET_VALUES_SHOWN = 10


@bp.get("/")
def index() -> Any:
    req = search_request(request.args)
    if request.args.get("format") == "csv":
        return _csv_response(req)
    service = get_service()
    if is_empty(req):
        return render.page("search/start.html", url_for("meetings.api_list"), req=req,
                           coverage=service.coverage(), examples=EXAMPLES)
    result = service.search(req)
    expanded = expanded_facets(request.args)
    view = view_args(expanded)  # kept by every link that refines this search
    return render.page(
        "search/index.html",
        url_for_state(req, "search.api"),
        req=req,
        result=result,
        view=view,
        facets=facet_panels(req, result, expanded),
        chips=active_chips(req, result, view),
        sorts=[(key, label, url_for_state(req, sort=key, view=view)) for key, label in SORTS.items()],
        pages=page_links(req, result.page_count, view),
        csv_url=url_for_state(req, "search.api_csv"),
        suggestion_url=_suggestion_url(req, result, view),
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on every page without a <link rel=icon> (JSON, CSV)."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/api/search")
def api() -> Any:
    req = search_request(request.args)
    if request.args.get("format") == "csv":
        return _csv_response(req)
    result = get_service().search(req)
    body = result.to_dict()
    body["links"] = {
        "html": url_for_state(req, "search.index"),
        "csv": url_for_state(req, "search.api_csv"),
        "next": url_for_state(req, "search.api", page=req.page + 1)
        if req.page < min(result.page_count, MAX_PAGE) else None,
    }
    return jsonify(body)


@bp.get("/api/search.csv")
def api_csv() -> Response:
    return _csv_response(search_request(request.args))


@dataclass(frozen=True)
class FacetPanel:
    """One facet of the sidebar as the page shows it: the values to list, each with its toggle
    link, and the link that lists all values or fewer again."""

    facet: Facet
    values: tuple[tuple[FacetValue, str], ...]  # (value, URL that selects or unselects it)
    expanded: bool  # listed in full (visa=<name>)
    switch_url: str | None  # "Visa alla" when collapsed, "Visa färre" when expanded; None: all fit

    @property
    def name(self) -> str:
        return self.facet.name

    @property
    def label(self) -> str:
        return self.facet.label

    @property
    def total(self) -> int:
        """Values the service returned ("Visa alla (N)")."""
        return len(self.facet.values)


def facet_panels(req: SearchRequest, result: SearchResult,
                 expanded: tuple[str, ...]) -> list[FacetPanel]:
    """The sidebar: each facet with values lists its first ``FACET_VALUES_SHOWN`` values plus
    every selected one, or all of them when it is in ``expanded``. Toggle links keep the
    expansion; the switch link changes only it (same search, same page) and returns to the
    facet's heading."""
    view = view_args(expanded)
    panels = []
    for facet in result.facets:
        if not facet.values:
            continue
        is_open = facet.name in expanded
        collapsed = [v for i, v in enumerate(facet.values) if i < FACET_VALUES_SHOWN or v.selected]
        shown = facet.values if is_open else collapsed
        switch_url = None
        if len(collapsed) < len(facet.values):
            switched = tuple(n for n in FACETS if (n in expanded) != (n == facet.name))
            switch_url = url_for_state(req, view=view_args(switched)) + f"#facet-{facet.name}"
        values = tuple((v, url_for_state(req, toggle=(facet.name, v.value), view=view)) for v in shown)
        panels.append(FacetPanel(facet, values, is_open, switch_url))
    return panels


def active_chips(req: SearchRequest, result: SearchResult, view: ViewArgs = ()) -> list[dict[str, str]]:
    """Removable chips for every active filter, labelled the way the sidebar labels them."""
    labels = {(f.name, v.value): v.label for f in result.facets for v in f.values}
    chips = [
        {"label": f"{FACETS.get(name, name)}: {labels.get((name, value), value)}",
         "url": url_for_state(req, toggle=(name, value), view=view)}
        for name, value in req.filters
    ]
    if req.date_from or req.date_to:
        span = f"{req.date_from or '…'} – {req.date_to or '…'}"
        chips.append({"label": f"Datum: {span}",
                      "url": url_for_state(req, clear_dates=True, view=view)})
    return chips


def page_links(req: SearchRequest, page_count: int, view: ViewArgs = ()) -> dict[str, Any]:
    """Previous/next and a window of page numbers around the current page."""
    last = min(page_count, MAX_PAGE)
    low, high = max(1, req.page - PAGE_WINDOW), min(last, req.page + PAGE_WINDOW)
    return {
        "previous": url_for_state(req, page=req.page - 1, view=view) if req.page > 1 else None,
        "next": url_for_state(req, page=req.page + 1, view=view) if req.page < last else None,
        "numbers": [(n, url_for_state(req, page=n, view=view), n == req.page)
                    for n in range(low, high + 1)],
        "last": last,
    }


def _suggestion_url(req: SearchRequest, result: SearchResult, view: ViewArgs) -> str | None:
    if not result.suggestion:
        return None
    from dataclasses import replace

    return url_for_state(replace(req, q=result.suggestion, page=1), view=view)


# ---------------------------------------------------------------- CSV


def _csv_row(hit: Hit) -> list[str]:
    link = url_for("meetings.meeting", meeting_id=hit.meeting_id, _external=True) + "#" + hit.anchor
    cells = [hit.meeting_id, hit.organisation or "", hit.body or "", hit.date or "",
             hit.place or "", hit.item_number, hit.title, " | ".join(hit.decisions),
             ", ".join(hit.topic_labels), link, hit.kind_label, hit.source]
    return cells


def _all_hits(req: SearchRequest) -> Iterator[Hit]:
    """Every hit of the search (all pages, fetched 100 at a time), up to ``MAX_EXPORT_ROWS``."""
    from dataclasses import replace

    limit = int(current_app.config["MAX_EXPORT_ROWS"])
    service, sent = get_service(), 0
    page_req = replace(req, page_size=MAX_PAGE_SIZE, page=1)
    while sent < limit:
        result = service.search(page_req)
        for hit in result.hits[: limit - sent]:
            yield hit
            sent += 1
        if page_req.page >= min(result.page_count, MAX_PAGE):
            return
        page_req = page_req.with_page(page_req.page + 1)


def _csv_response(req: SearchRequest) -> Response:
    rows = itertools.chain([CSV_COLUMNS], (_csv_row(hit) for hit in _all_hits(req)))
    return csv_response(rows, "protokollsok-traffar.csv")
