"""Request arguments → ``SearchRequest`` / ``TrendsRequest``, and back into URLs.

Validation and normalisation live in ``indexer.query``; this module adds only what belongs to
the web edge: the configured length limit and page size, control characters (a NUL byte in a URL
is never a real query), and ``url_for_state`` — the one helper that builds every facet, chip,
sort and paging link, so templates only loop and never assemble query strings.

The HTML results page also has view state that is no part of the search: ``visa=kommun``
(repeatable) lists that facet in full. ``expanded_facets`` reads it, ``view_args`` writes it, and
``url_for_state(..., view=...)`` appends it after the search's own parameters, so the service,
the JSON and the CSV never see it.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from flask import current_app, g, url_for
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.query import DEFAULT_PAGE_SIZE, FACETS, MAX_PAGE_SIZE, SearchRequest, TrendsRequest

# "visa=kommun": the results page lists all of that facet's values (view state, not search state).
EXPAND_PARAM = "visa"
ViewArgs = tuple[tuple[str, str], ...]

_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


def _check_text(args: MultiDict[str, str]) -> None:
    limit = int(current_app.config["MAX_QUERY_LENGTH"])
    for key, value in args.items(multi=True):
        if any(ch in _CONTROL for ch in value) or any(ch in _CONTROL for ch in key):
            raise QueryError("Förfrågan innehåller otillåtna kontrolltecken.", key)
        if key == "q" and len(value.strip()) > limit:
            raise QueryError(
                f"Sökfrågan är för lång ({len(value.strip())} tecken); högst {limit} tecken.", "q"
            )


def reject_control_characters() -> None:
    """Every parameter of every route: query arguments, their names and the URL's path parts.

    Registered as a ``before_request`` hook (``webui.security``), so a route added later cannot
    forget it; a NUL or escape byte is never part of a real query, meeting id or organisation.
    """
    from flask import request

    for key, value in request.args.items(multi=True):
        if any(ch in _CONTROL for ch in key + value):
            raise QueryError("Förfrågan innehåller otillåtna kontrolltecken.", key)
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and any(ch in _CONTROL for ch in value):
            raise QueryError("Adressen innehåller otillåtna kontrolltecken.", key)


def search_request(args: MultiDict[str, str]) -> SearchRequest:
    """The request for ``/``, ``/api/search`` and the CSV export (raises ``QueryError``)."""
    _check_text(args)
    req = SearchRequest.from_args(args)
    size = min(max(1, int(current_app.config["PAGE_SIZE"])), MAX_PAGE_SIZE)
    if "per_sida" not in args and size != DEFAULT_PAGE_SIZE:
        req = replace(req, page_size=size)
    return req


def trends_request(args: MultiDict[str, str]) -> TrendsRequest:
    _check_text(args)
    return TrendsRequest.from_args(args)


def expanded_facets(args: MultiDict[str, str]) -> tuple[str, ...]:
    """The facets the results page lists in full, in sidebar order (``visa=kommun``, repeatable).

    Names that are no facet are ignored: a stale or mistyped link still shows the search. The
    values have already passed ``reject_control_characters`` like every other parameter.
    """
    asked = set(args.getlist(EXPAND_PARAM))
    return tuple(name for name in FACETS if name in asked)


def view_args(expanded: tuple[str, ...]) -> ViewArgs:
    """``expanded`` as the URL pairs ``url_for_state(..., view=...)`` appends."""
    return tuple((EXPAND_PARAM, name) for name in expanded)


def is_empty(req: SearchRequest) -> bool:
    """Nothing asked yet: the start page shows what the archive holds instead of results."""
    return not (req.q or req.filters or req.date_from or req.date_to)


def url_for_state(
    req: SearchRequest | TrendsRequest,
    endpoint: str = "search.index",
    *,
    toggle: tuple[str, str] | None = None,
    page: int | None = None,
    sort: str | None = None,
    clear_dates: bool = False,
    view: ViewArgs = (),
    **extra: Any,
) -> str:
    """The URL of ``endpoint`` for ``req`` with one change applied.

    ``toggle`` switches a facet value on or off, ``page``/``sort`` move or reorder,
    ``clear_dates`` removes the date range; ``extra`` adds plain parameters (``format="csv"``).
    ``view`` (``view_args``) is the results page's view state, written last, after the search.
    """
    if toggle is not None and isinstance(req, SearchRequest) and page is None and sort is None \
            and not clear_dates and not extra:
        return _toggle_url(req, endpoint, toggle, view)
    if isinstance(req, SearchRequest):
        if toggle is not None:
            req = req.toggled(*toggle)
        if sort is not None:
            req = req.with_sort(sort)
        if page is not None:
            req = req.with_page(page)
        if clear_dates:
            req = req.without_dates()
    pairs = [*req.to_args(), *view, *((k, str(v)) for k, v in extra.items() if v is not None)]
    base = _endpoint_url(endpoint)
    return f"{base}?{query_string(pairs)}" if pairs else base


def _toggle_url(req: SearchRequest, endpoint: str, toggle: tuple[str, str], view: ViewArgs) -> str:
    """``url_for_state(req, endpoint, toggle=..., view=...)`` without building a request per
    link: a results page links every shown facet value, and a new ``SearchRequest`` and its
    arguments for each was most of rendering the page. The parts around the filters are
    quoted once per request (``_around_filters``); ``toggled`` restarts paging, so they hold no
    page number, and the filters stay sorted, as ``to_args`` writes them. The view state is
    part of the cached tail, so keeping it costs a link nothing."""
    head, tail = _around_filters(req, view)
    filters = sorted(set(req.filters) ^ {toggle})
    parts = [*head, *(f"{_quoted(k)}={_quoted(v)}" for k, v in filters), *tail]
    base = _endpoint_url(endpoint)
    return f"{base}?{'&'.join(parts)}" if parts else base


@lru_cache(maxsize=64)
def _around_filters(req: SearchRequest, view: ViewArgs = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The quoted ``key=value`` parts of ``req`` on page 1 before its filters (the query) and
    after them (dates, sort, page size, concepts, then the view state)."""
    pairs = [*replace(req, filters=(), page=1).to_args(), *view]
    quoted = [f"{_quoted(k)}={_quoted(v)}" for k, v in pairs]
    before = 1 if pairs and pairs[0][0] == "q" else 0
    return tuple(quoted[:before]), tuple(quoted[before:])


def _endpoint_url(endpoint: str) -> str:
    """``url_for(endpoint)``, built once per request (a results page asks for it per link)."""
    built: dict[str, str] = g.setdefault("endpoint_urls", {})
    url = built.get(endpoint)
    if url is None:
        url = built[endpoint] = url_for(endpoint)
    return url


def query_string(pairs: list[tuple[str, str]]) -> str:
    """``urllib.parse.urlencode(pairs)``, with each part quoted once per process: a results
    page links every facet value (up to 400 links), each repeating the query and the chosen
    filters, and quoting them again for every link was a third of the page's rendering."""
    return "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs)


@lru_cache(maxsize=8192)
def _quoted(text: str) -> str:
    return quote_plus(text)
