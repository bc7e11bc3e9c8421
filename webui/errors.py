"""Errors are translated once, here: Swedish pages, or JSON bodies under ``/api/``.

``QueryError`` (a parameter the user can fix) → 400 with its message; ``IndexMissing`` and
``IndexDamaged`` → 503 with the command that fixes it (a damaged index is logged once per
incident); every other exception is logged and becomes a plain Swedish
500 page. No traceback or exception text ever reaches a response.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexDamaged, IndexMissing, QueryError

TITLES = {
    400: "Frågan kunde inte förstås",
    404: "Sidan finns inte",
    405: "Metoden stöds inte",
    413: "Förfrågan är för stor",
    500: "Något gick fel",
    503: "Sökindexet saknas",
}
MESSAGES = {
    400: "Förfrågan innehöll något som inte kunde tolkas.",
    404: "Adressen finns inte i Protokollsök. Kontrollera länken eller sök efter mötet.",
    405: "Den här adressen kan bara läsas, inte skickas till.",
    413: "Förfrågan är för stor.",
    500: "Ett oväntat fel inträffade. Felet är loggat; försök igen om en stund.",
    503: "Det finns inget sökindex ännu. Bygg det med: protokoll index corpus",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int, message: str | None = None, parameter: str | None = None,
    title: str | None = None,
) -> Response:
    """One place that shapes every error: JSON under /api/, the Swedish page otherwise."""
    text = message or MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        response = jsonify({"error": text, "parameter": parameter, "status": status})
    else:
        title = title or TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
        html = render_template("errors/error.html", status=status, title=title, message=text,
                               parameter=parameter)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def _query_error(exc: QueryError) -> Response:
    return error_response(400, exc.message, exc.parameter)


def _index_missing(exc: IndexMissing) -> Response:
    return error_response(503)


def _http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    # Our own abort(404, "…") messages are Swedish; werkzeug's English defaults are not shown.
    description = exc.description if getattr(exc, "swedish", False) else None
    return error_response(status, description)


DAMAGED_TITLE = "Sökindexet är skadat"
_incidents: set[tuple[str, str, str]] = set()  # (index dir, generation, message) already logged


def _index_damaged(exc: IndexDamaged) -> Response:
    """503 with the remedy; logged once per incident (index, generation, fault), not per request."""
    from flask import current_app

    incident = (str(current_app.config["INDEX_DIR"]), exc.generation, str(exc))
    if incident not in _incidents:
        _incidents.add(incident)
        current_app.logger.error("%s", exc)
    response = error_response(503, str(exc), title=DAMAGED_TITLE)
    response.headers["Retry-After"] = "300"
    return response


def _unexpected(exc: Exception) -> Response:
    from flask import current_app

    from indexer.integrity import damage_behind

    damage = damage_behind(Path(current_app.config["INDEX_DIR"]))
    if damage is not None:  # a damaged file, not a bug: the operator's remedy, no traceback
        return _index_damaged(damage)
    current_app.logger.exception("Oväntat fel vid %s %s", request.method, request.path)
    return error_response(500)


class SwedishNotFound(HTTPException):
    """A 404 whose description is a Swedish sentence meant for the user."""

    code = 404
    swedish = True


def not_found(message: str) -> SwedishNotFound:
    return SwedishNotFound(description=message)


def init_app(app: Flask) -> None:
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(IndexDamaged, _index_damaged)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
