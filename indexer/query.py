"""Search requests: one canonical, round-trippable form for URLs, the API and the CLI.

``SearchRequest.from_args(mapping)`` validates and normalises (bounded lengths, page ≥ 1, sorted
filters) and raises ``QueryError`` naming the parameter; ``to_args()`` gives it back, so
``from_args(to_args(r)) == r``. Turning the user's query string into a Whoosh query also lives
here (``parse_user_query``), so no view or template ever builds query logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from indexer.errors import QueryError
from indexer.facetspec import BY_PARAM, FACET_SPECS

MAX_QUERY_LENGTH = 500
MAX_PAGE = 500
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

# URL parameter → Swedish label, from the facet table. Order is the sidebar order.
FACETS: dict[str, str] = {spec.param: spec.label for spec in FACET_SPECS}
SORTS: dict[str, str] = {"relevans": "Relevans", "nyast": "Nyast", "aldst": "Äldst"}
# "begrepp=av" searches the typed words without their concept groups (indexer.related).
CONCEPTS_PARAM = "begrepp"
CONCEPTS_OFF = {"av", "0", "nej", "false"}
CONCEPTS_ON = {"", "på", "pa", "1", "ja", "true"}
MAX_FILTER_VALUE_LENGTH = 200
MAX_FILTERS = 30


def _single(args: Mapping[str, Any], key: str) -> str | None:
    """First value of a parameter, whether the mapping is a MultiDict, dict or list-valued."""
    if hasattr(args, "getlist"):
        values = args.getlist(key)
        return values[0] if values else None
    value = args.get(key)
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def _multi(args: Mapping[str, Any], key: str) -> list[str]:
    if hasattr(args, "getlist"):
        return [str(v) for v in args.getlist(key)]
    value = args.get(key)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _bounded_int(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"Parametern {name} måste vara ett heltal.", name) from None
    if not low <= value <= high:
        raise QueryError(f"Parametern {name} måste ligga mellan {low} och {high}.", name)
    return value


def _iso_date(raw: str | None, name: str) -> str | None:
    if not raw:
        return None
    import datetime as _dt

    text = raw.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return f"{text}-01-01" if name == "fran" else f"{text}-12-31"
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise QueryError(
            f"Datumet i {name} ska skrivas ÅÅÅÅ-MM-DD, till exempel 2015-06-12.", name
        ) from None


def _check_filter_value(name: str, value: str) -> None:
    """Filters with a fixed form: a year is four digits, the decision filter is ``ja`` or ``nej``."""
    kind = BY_PARAM[name].values
    if kind == "year" and not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise QueryError(
            f"Året i {name} ska skrivas med fyra siffror, till exempel 2015 (inte {value!r}).", name
        )
    if kind == "yesno" and value not in ("ja", "nej"):
        raise QueryError(f"Filtret {name} tar värdet ja (punkter med beslut) eller nej.", name)


def _concepts_flag(raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    if value in CONCEPTS_OFF:
        return False
    if value in CONCEPTS_ON:
        return True
    raise QueryError(
        f"Parametern {CONCEPTS_PARAM} ska vara ”av” (bara de skrivna orden) eller ”på”.",
        CONCEPTS_PARAM,
    )


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()  # sorted, unique (facet, value) pairs
    date_from: str | None = None  # ISO, inclusive
    date_to: str | None = None
    sort: str = "relevans"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    concepts: bool = True  # also search concept groups ("Visar även träffar för: …")

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> SearchRequest:
        q = (_single(args, "q") or "").strip()
        if len(q) > MAX_QUERY_LENGTH:
            raise QueryError(
                f"Sökfrågan är för lång ({len(q)} tecken); högst {MAX_QUERY_LENGTH} tecken.", "q"
            )
        filters: set[tuple[str, str]] = set()
        for name in FACETS:
            for value in _multi(args, name):
                value = value.strip()
                if not value:
                    continue
                if len(value) > MAX_FILTER_VALUE_LENGTH:
                    raise QueryError(f"Värdet för {name} är för långt.", name)
                _check_filter_value(name, value)
                filters.add((name, value))
        if len(filters) > MAX_FILTERS:
            raise QueryError(f"För många filter (högst {MAX_FILTERS}).", "filter")
        sort = _single(args, "sort") or "relevans"
        if sort not in SORTS:
            raise QueryError(
                "Okänd sortering; välj relevans, nyast eller aldst.", "sort"
            )
        page = _bounded_int(_single(args, "sida"), "sida", 1, 1, MAX_PAGE)
        size = _bounded_int(_single(args, "per_sida"), "per_sida", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        date_from = _iso_date(_single(args, "fran"), "fran")
        date_to = _iso_date(_single(args, "till"), "till")
        if date_from and date_to and date_from > date_to:
            raise QueryError(
                f"Datumintervallet är bakvänt: från {date_from} ligger efter till {date_to}. "
                "Byt plats på datumen.", "fran"
            )
        concepts = _concepts_flag(_single(args, CONCEPTS_PARAM))
        return cls(q, tuple(sorted(filters)), date_from, date_to, sort, page, size, concepts)

    def to_args(self) -> list[tuple[str, str]]:
        """Canonical URL parameters; defaults are left out so URLs stay short."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out.extend(self.filters)
        if self.date_from:
            out.append(("fran", self.date_from))
        if self.date_to:
            out.append(("till", self.date_to))
        if self.sort != "relevans":
            out.append(("sort", self.sort))
        if self.page != 1:
            out.append(("sida", str(self.page)))
        if self.page_size != DEFAULT_PAGE_SIZE:
            out.append(("per_sida", str(self.page_size)))
        if not self.concepts:
            out.append((CONCEPTS_PARAM, "av"))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "filters": [list(f) for f in self.filters],
            "date_from": self.date_from,
            "date_to": self.date_to,
            "sort": self.sort,
            "page": self.page,
            "page_size": self.page_size,
            "concepts": self.concepts,
        }

    def selected(self, name: str) -> list[str]:
        return [v for n, v in self.filters if n == name]

    def toggled(self, name: str, value: str) -> SearchRequest:
        """The request with one facet value switched on or off; paging restarts."""
        pair = (name, value)
        filters = set(self.filters) ^ {pair}
        return replace(self, filters=tuple(sorted(filters)), page=1)

    def with_page(self, page: int) -> SearchRequest:
        return replace(self, page=max(1, min(page, MAX_PAGE)))

    def with_sort(self, sort: str) -> SearchRequest:
        return replace(self, sort=sort if sort in SORTS else "relevans", page=1)

    def without_dates(self) -> SearchRequest:
        return replace(self, date_from=None, date_to=None, page=1)


@dataclass(frozen=True)
class TrendsRequest:
    """Items per year for a query and/or topic, split by organisation or municipality."""

    q: str = ""
    topic: str | None = None  # topic id from topics.toml
    filters: tuple[tuple[str, str], ...] = ()
    by: str = "organisation"  # organisation | kommun
    year_from: int | None = None
    year_to: int | None = None
    concepts: bool = True  # count concept-group members too, as the search does

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> TrendsRequest:
        base = SearchRequest.from_args({k: _multi(args, k) for k in ("q", CONCEPTS_PARAM, *FACETS)})
        by = _single(args, "per") or "organisation"
        if by not in ("organisation", "kommun"):
            raise QueryError("Parametern per ska vara organisation eller kommun.", "per")
        topic = (_single(args, "amne_trend") or "").strip() or None
        year_from = _bounded_int(_single(args, "fran_ar"), "fran_ar", 0, 0, 2100) or None
        year_to = _bounded_int(_single(args, "till_ar"), "till_ar", 0, 0, 2100) or None
        if year_from and year_to and year_from > year_to:
            raise QueryError(
                f"Årsintervallet är bakvänt: från {year_from} ligger efter till {year_to}. "
                "Byt plats på åren.", "fran_ar"
            )
        return cls(base.q, topic, base.filters, by, year_from, year_to, base.concepts)

    def to_args(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        if self.topic:
            out.append(("amne_trend", self.topic))
        out.extend(self.filters)
        if self.by != "organisation":
            out.append(("per", self.by))
        if self.year_from:
            out.append(("fran_ar", str(self.year_from)))
        if self.year_to:
            out.append(("till_ar", str(self.year_to)))
        if not self.concepts:
            out.append((CONCEPTS_PARAM, "av"))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "topic": self.topic,
            "filters": [list(f) for f in self.filters],
            "by": self.by,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "concepts": self.concepts,
        }
