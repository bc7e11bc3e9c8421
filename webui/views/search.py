"""Blueprint "search": ``/`` (HTML), ``/api/search`` (JSON) and the CSV export.

One context, three renderings: ``_result()`` turns the URL into a ``SearchRequest`` and asks
the service; the HTML page, the JSON twin and the CSV export all render that same result, so
the API cannot drift from the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from indexer.query import FACETS, MAX_PAGE, MAX_PAGE_SIZE, SORTS, SearchRequest
from indexer.results import Hit, SearchResult
from webui import render
from webui.export import csv_response
from webui.params import is_empty, search_request, url_for_state
from webui.service import get_service

bp = Blueprint("search", __name__)

# Every example must find something in the bundled corpus (tests/test_examples.py checks).
EXAMPLES = ("e-tjänster", "flyktingmottagning", "\"gemensam nämnd\"", "skola OR förskola",
            "digital* beslut:ja")
CSV_COLUMNS = ("möte", "organisation", "organ", "datum", "plats", "punkt", "rubrik", "beslut",
               "ämnen", "länk", "typ", "källfil")  # typ: Hit.kind_label (the JSON's kind item | passage)
PAGE_WINDOW = 3


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
    return render.page(
        "search/index.html",
        url_for_state(req, "search.api"),
        req=req,
        result=result,
        chips=active_chips(req, result),
        sorts=[(key, label, url_for_state(req, sort=key)) for key, label in SORTS.items()],
        pages=page_links(req, result.page_count),
        csv_url=url_for_state(req, "search.api_csv"),
        suggestion_url=_suggestion_url(req, result),
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


def active_chips(req: SearchRequest, result: SearchResult) -> list[dict[str, str]]:
    """Removable chips for every active filter, labelled the way the sidebar labels them."""
    labels = {(f.name, v.value): v.label for f in result.facets for v in f.values}
    chips = [
        {"label": f"{FACETS.get(name, name)}: {labels.get((name, value), value)}",
         "url": url_for_state(req, toggle=(name, value))}
        for name, value in req.filters
    ]
    if req.date_from or req.date_to:
        span = f"{req.date_from or '…'} – {req.date_to or '…'}"
        chips.append({"label": f"Datum: {span}", "url": url_for_state(req, clear_dates=True)})
    return chips


def page_links(req: SearchRequest, page_count: int) -> dict[str, Any]:
    """Previous/next and a window of page numbers around the current page."""
    last = min(page_count, MAX_PAGE)
    low, high = max(1, req.page - PAGE_WINDOW), min(last, req.page + PAGE_WINDOW)
    return {
        "previous": url_for_state(req, page=req.page - 1) if req.page > 1 else None,
        "next": url_for_state(req, page=req.page + 1) if req.page < last else None,
        "numbers": [(n, url_for_state(req, page=n), n == req.page) for n in range(low, high + 1)],
        "last": last,
    }


def _suggestion_url(req: SearchRequest, result: SearchResult) -> str | None:
    if not result.suggestion:
        return None
    from dataclasses import replace

    return url_for_state(replace(req, q=result.suggestion, page=1))


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
