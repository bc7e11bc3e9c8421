"""What the search service returns: plain frozen records, one shape for the web, API and CLI.

Views and the CLI only render these; they never touch Whoosh. ``to_dict()`` is the JSON form
served by ``/api/...`` and printed by ``protokoll search --json``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.lru import Lru
from indexer.records import Meeting


KIND_LABELS = {"item": "punkt", "passage": "avsnitt"}


@dataclass(frozen=True)
class Hit:
    """One agenda item or passage that matched, carrying its meeting's fields."""

    item_id: str  # f"{meeting_id}#{number}", or f"{meeting_id}#avsnitt-{n}" for a passage
    meeting_id: str
    organisation: str | None
    body: str | None
    date: str | None
    place: str | None
    item_number: str
    title: str
    anchor: str  # "punkt-3", "paragraf-15", "avsnitt-2"
    snippet: str  # HTML-safe: escaped text with <mark> added by indexer.highlight
    decisions: tuple[str, ...]
    topics: tuple[str, ...]  # topic ids
    topic_labels: tuple[str, ...]  # Swedish labels, same order
    procedural: bool
    score: float
    kind: str = "item"  # "item" (agenda item) or "passage" (text no item holds)
    source: str = ""  # the file, relative to the corpus: cite it, or map hits back to files

    @property
    def kind_label(self) -> str:
        """What a reader calls the hit's kind: "punkt" or "avsnitt" (CSV, terminal)."""
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class MeetingGroup:
    """Hits of one meeting, in rank order, so results read as items under their meeting."""

    meeting_id: str
    organisation: str | None
    body: str | None
    date: str | None
    place: str | None
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter: organisation, kommun, lan, omnamnd_kommun, ar, organ, amne, beslut
    label: str  # Swedish heading
    values: tuple[FacetValue, ...]
    truncated: bool = False


@dataclass(frozen=True)
class SearchResult:
    request: Any  # indexer.query.SearchRequest (Any avoids an import cycle)
    total: int
    hits: tuple[Hit, ...]
    groups: tuple[MeetingGroup, ...]
    facets: tuple[Facet, ...]
    page_count: int
    suggestion: str | None = None  # "Menade du …?" — a corrected query string
    message: str | None = None  # Swedish note on how a malformed query was read
    elapsed_ms: float = 0.0
    cut_short: bool = False  # the per-query budget ran out (indexer.budget); message says so

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.to_dict() if hasattr(self.request, "to_dict") else None,
            "total": self.total,
            "page": getattr(self.request, "page", 1),
            "page_count": self.page_count,
            "hits": [
                {**asdict(h), "decisions": list(h.decisions), "topics": list(h.topics)}
                for h in self.hits
            ],
            "facets": {f.name: {v.value: v.count for v in f.values} for f in self.facets},
            "suggestion": self.suggestion,
            "message": self.message,
            "elapsed_ms": round(self.elapsed_ms, 2),
            "cut_short": self.cut_short,
        }


@dataclass(frozen=True)
class TrendSeries:
    name: str  # organisation or municipality
    counts: tuple[int | None, ...]  # one per year in TrendsResult.years; None: no meetings held


@dataclass(frozen=True)
class TrendsResult:
    """Matching (non-procedural) agenda items per year, one series per organisation/kommun."""

    request: Any  # indexer.query.TrendsRequest
    years: tuple[int, ...]
    series: tuple[TrendSeries, ...]
    total: int
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.to_dict() if hasattr(self.request, "to_dict") else None,
            "years": list(self.years),
            "series": [{"name": s.name, "counts": list(s.counts)} for s in self.series],
            "total": self.total,
            "message": self.message,
        }

    def csv_rows(self) -> list[list[str]]:
        """Long format (år, serie, antal): what a researcher loads into R or a spreadsheet.

        A year without meetings in the archive has an empty count (missing, not zero).
        """
        rows = [["år", "serie", "antal"]]
        for s in self.series:
            rows.extend([str(y), s.name, "" if c is None else str(c)]
                        for y, c in zip(self.years, s.counts))  # fmt: skip
        return rows


@dataclass(frozen=True)
class MeetingPage:
    """A meeting with its neighbours in the same organisation and body."""

    meeting: Meeting
    previous_id: str | None
    next_id: str | None
    source_path: str | None  # path relative to the corpus root, None if outside it
    topic_labels: dict[str, str] = field(default_factory=dict)  # topic id → Swedish label


@dataclass(frozen=True)
class MeetingSummary:
    id: str
    organisation: str | None
    body: str | None
    date: str | None
    place: str | None
    item_count: int
    decision_count: int


@dataclass(frozen=True)
class Coverage:
    """Meetings per organisation × year: what the archive holds and where it has gaps."""

    years: tuple[int, ...]
    rows: tuple[tuple[str, tuple[int, ...], str | None], ...]  # (organisation, counts, newest date)


class ResultCache(Lru[Hashable, SearchResult]):
    """Finished ``SearchResult`` records of one reader generation, least recently used out first.

    Users repeat a search: they come back from a meeting page, page back, or a script asks the
    API for the page a person just saw. A repeat then costs a dictionary lookup instead of the
    masks, ranking, snippets and facet counts (about 25 ms warm at 100 000 meetings). It lives in
    the generation's ``ReaderState``, so a commit or a new generation starts it empty, and it is
    bounded by count: a result is a page of hits and at most 50 values per facet, about 80 KB.
    """
