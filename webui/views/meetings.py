"""Blueprint "meetings": a meeting page, its source file, the browse page and their JSON twins."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file, url_for

from indexer.errors import QueryError
from indexer.records import Attendee, Meeting
from indexer.results import MeetingPage
from webui import render, security
from webui.errors import not_found
from webui.service import get_service

bp = Blueprint("meetings", __name__)

NO_MUNICIPALITY = "Övriga"
MAX_ID_LENGTH = 300


def _page_or_404(meeting_id: str) -> MeetingPage:
    page = get_service().meeting(meeting_id) if len(meeting_id) <= MAX_ID_LENGTH else None
    if page is None:
        raise not_found("Det finns inget möte med det id:t i arkivet. Sök efter mötet eller "
                        "bläddra bland alla möten.")
    return page


@bp.get("/mote/<meeting_id>")
def meeting(meeting_id: str) -> Response:
    page = _page_or_404(meeting_id)
    # The service's source_file() is the authority on whether the file may be served.
    source = get_service().source_file(meeting_id) if page.source_path else None
    return render.page(
        "meetings/meeting.html",
        url_for("meetings.api_meeting", meeting_id=meeting_id),
        page=page,
        m=page.meeting,
        groups=attendee_groups(page.meeting.attendees),
        source_name=_download_name(page.meeting, source.name) if source else None,
        terms=get_service().marked_terms(request.args.get("markera", "")),
    )


@bp.get("/mote/<meeting_id>/kalla")
def source(meeting_id: str) -> Any:
    """The original file, only from inside the corpus root (the service checks the path)."""
    path = get_service().source_file(meeting_id) if len(meeting_id) <= MAX_ID_LENGTH else None
    if path is None:
        raise not_found("Originalfilen för mötet finns inte i arkivet.")
    page = get_service().meeting(meeting_id)
    name = _download_name(page.meeting, path.name) if page else "protokoll" + path.suffix
    return _send_original(path, name)


def _send_original(path: Path, name: str) -> Response:
    """A PDF inline under a sandboxing CSP; every other format as a download.

    An original ``.html`` (or a ``.txt`` a browser might sniff as HTML) shown inline would run
    its markup, refreshes and redirects on this site's own origin; as an attachment it never
    renders here.
    """
    is_pdf = path.suffix.lower() == ".pdf"
    response = send_file(path, as_attachment=not is_pdf, download_name=name, max_age=3600,
                         mimetype="application/pdf" if is_pdf else "application/octet-stream")  # fmt: skip
    if is_pdf:
        response.headers["Content-Security-Policy"] = security.SOURCE_PDF_CSP
    return response


@bp.get("/api/meetings/<meeting_id>")
def api_meeting(meeting_id: str) -> Any:
    page = _page_or_404(meeting_id)
    body = page.meeting.to_dict()
    body["previous_id"] = page.previous_id
    body["next_id"] = page.next_id
    body["source_path"] = page.source_path
    body["topic_labels"] = page.topic_labels
    body["links"] = {"html": url_for("meetings.meeting", meeting_id=meeting_id)}
    return jsonify(body)


@bp.get("/moten")
def browse() -> Response:
    organisation, year = _browse_args()
    service = get_service()
    meetings = service.meetings(organisation, year)
    by_org: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for m in meetings:
        by_org[m.organisation or "Okänd organisation"][(m.date or "")[:4] or "Okänt år"].append(m)
    return render.page(
        "meetings/browse.html",
        url_for("meetings.api_list", organisation=organisation, ar=year),
        coverage=service.coverage(),
        by_org=by_org,
        organisation=organisation,
        year=year,
    )


@bp.get("/api/meetings")
def api_list() -> Any:
    organisation, year = _browse_args()
    service = get_service()
    cov = service.coverage()
    return jsonify({
        "meetings": [vars(m) for m in service.meetings(organisation, year)],
        "coverage": {
            "years": list(cov.years),
            "rows": [{"organisation": org, "counts": list(counts), "newest": newest}
                     for org, counts, newest in cov.rows],
        },
    })


def _browse_args() -> tuple[str | None, int | None]:
    organisation = (request.args.get("organisation") or "").strip() or None
    if organisation and len(organisation) > 200:
        raise QueryError("Organisationsnamnet är för långt.", "organisation")
    raw_year = (request.args.get("ar") or "").strip()
    if raw_year and not re.fullmatch(r"\d{4}", raw_year):
        raise QueryError("Året ska skrivas med fyra siffror, till exempel 2015.", "ar")
    return organisation, int(raw_year) if raw_year else None


def attendee_groups(attendees: tuple[Attendee, ...]) -> list[tuple[str, list[Attendee]]]:
    """Attendees by municipality (in order of first appearance); those without one last."""
    groups: dict[str, list[Attendee]] = {}
    for a in attendees:
        groups.setdefault(a.municipality or NO_MUNICIPALITY, []).append(a)
    rest = groups.pop(NO_MUNICIPALITY, None)
    ordered = list(groups.items())
    if rest:
        ordered.append((NO_MUNICIPALITY, rest))
    return ordered


def _download_name(m: Meeting, original: str) -> str:
    """A plain ASCII name: the meeting id plus the original extension, never a client path."""
    suffix = re.sub(r"[^A-Za-z0-9.]", "", "." + original.rsplit(".", 1)[-1]) if "." in original else ""
    return re.sub(r"[^A-Za-z0-9._-]", "-", m.id)[:120] + suffix[:10]


