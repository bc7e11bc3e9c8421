"""Blueprint "trends": ``/trender`` (page), ``/trender.svg`` (chart), ``/api/trends`` (JSON, CSV).

The page shows the chart as an ``<img>`` of ``/trender.svg`` with the same arguments, with the
numbers as a table under it (the accessible form of the chart) and a CSV download.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, jsonify, request

from indexer.query import TrendsRequest
from indexer.results import TrendsResult
from webui import charts, render
from webui.export import csv_response
from webui.params import trends_request, url_for_state
from webui.service import get_service

bp = Blueprint("trends", __name__)
EXAMPLE = "e-tjänster"


@bp.record_once
def _configure(state: Any) -> None:
    charts.set_cache_size(int(state.app.config["CHART_CACHE_SIZE"]))


def _result() -> tuple[TrendsRequest, TrendsResult | None]:
    """The user's request (for links) and its result over the archive's whole span of years.

    Without ``fran_ar``/``till_ar`` the chart spans every year the archive covers, so a topic
    that appears late shows as zeros before, not as a chart that starts when it did.
    """
    req = trends_request(request.args)
    if not (req.q or req.topic or req.filters):
        return req, None
    service = get_service()
    spanned = req
    if not (req.year_from or req.year_to):
        years = service.coverage().years
        if years:
            spanned = replace(req, year_from=years[0], year_to=years[-1])
    result = service.trends(spanned)
    return req, replace(result, request=req)


def chart_title(req: TrendsRequest, topics: dict[str, str]) -> str:
    parts = []
    if req.q:
        parts.append(f"”{req.q}”")
    if req.topic:
        parts.append(f"ämnet {topics.get(req.topic, req.topic)}")
    what = " och ".join(parts) or "valda filter"
    per = "kommun" if req.by == "kommun" else "organisation"
    return f"Punkter om {what} per år och {per}"


@bp.get("/trender")
def page() -> Response:
    req, result = _result()
    topics = get_service().topics()
    return render.page(
        "trends/index.html",
        url_for_state(req, "trends.api"),
        req=req,
        result=result,
        topics=sorted(topics.items(), key=lambda kv: kv[1]),
        title=chart_title(req, topics),
        chart_url=url_for_state(req, "trends.svg"),
        csv_url=url_for_state(req, "trends.api", format="csv"),
        search_url=url_for_state(req, "search.index") if req.q else None,
        example=EXAMPLE,
    )


@bp.get("/trender.svg")
def svg() -> Response:
    req, result = _result()
    if result is None:
        result = TrendsResult(req, (), (), 0)
    svg_text = charts.trend_svg(chart_title(req, get_service().topics()), result)
    response = Response(svg_text, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/api/trends")
def api() -> Any:
    req, result = _result()
    if result is None:
        result = TrendsResult(req, (), (), 0, "Ange en sökfråga (q) eller ett ämne (amne_trend).")
    if request.args.get("format") == "csv":
        return _csv(result)
    body = result.to_dict()
    body["links"] = {"html": url_for_state(req, "trends.page"),
                     "svg": url_for_state(req, "trends.svg"),
                     "csv": url_for_state(req, "trends.api", format="csv")}
    return jsonify(body)


@bp.get("/api/trends.csv")
def api_csv() -> Response:
    _, result = _result()
    return _csv(result or TrendsResult(None, (), (), 0))


def _csv(result: TrendsResult) -> Response:
    return csv_response(result.csv_rows(), "protokollsok-trender.csv")
