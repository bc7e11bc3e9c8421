"""Meeting pages, the meeting list, coverage and trend series, read from the index.

Everything here works from the ``kind="meeting"`` documents (see ``indexer.schema``) and the
cached facet arrays, so a meeting page never re-parses its source file and trends never touch
stored text. Called only by ``SearchService``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from indexer.facets import MISSING, FieldArray
from indexer.readerstate import ReaderState
from indexer.records import Meeting
from indexer.results import Coverage, MeetingPage, MeetingSummary, TrendSeries
from indexer.schema import KIND_ITEM, KIND_PASSAGE, meeting_filter, unpack_meeting

MAX_SERIES = 12  # a chart with more lines is unreadable; the rest are summed as "Övriga"
OTHER = "Övriga"


def summaries(searcher: Any) -> tuple[MeetingSummary, ...]:
    """Every indexed meeting, oldest first (by date, then id)."""
    out = []
    for doc in searcher.docs_for_query(meeting_filter()):  # type: ignore[attr-defined]
        f = searcher.stored_fields(doc)  # type: ignore[attr-defined]
        out.append(
            MeetingSummary(
                id=f["meeting_id"],
                organisation=f.get("organisation"),
                body=f.get("body"),
                date=f.get("date"),
                place=f.get("place"),
                item_count=int(f.get("item_count") or 0),
                decision_count=int(f.get("decision_count") or 0),
            )
        )
    return tuple(sorted(out, key=lambda m: (m.date or "", m.id)))


def meeting_page(
    searcher: Any,
    all_meetings: tuple[MeetingSummary, ...],
    meeting_id: str,
    corpus_dir: Path | None,
    topic_labels: dict[str, str],
) -> MeetingPage | None:
    fields = searcher.document(meeting_id=meeting_id, kind="meeting")  # type: ignore[attr-defined]
    if not fields or "meeting_json" not in fields:
        return None
    texts = {
        f["item_id"]: f.get("text", "") if f.get("kind") == KIND_ITEM else f.get("passage_text", "")
        for f in searcher.documents(meeting_id=meeting_id)  # type: ignore[attr-defined]
        if f.get("kind") in (KIND_ITEM, KIND_PASSAGE)
    }
    meeting = Meeting.from_dict(unpack_meeting(fields["meeting_json"], meeting_id, texts))
    meeting = _with_index_id(meeting, meeting_id)
    same = [
        m for m in all_meetings if m.organisation == meeting.organisation and m.body == meeting.body
    ]
    ids = [m.id for m in same]
    pos = ids.index(meeting_id) if meeting_id in ids else -1
    previous_id = ids[pos - 1] if pos > 0 else None
    next_id = ids[pos + 1] if 0 <= pos < len(ids) - 1 else None
    return MeetingPage(
        meeting=meeting,
        previous_id=previous_id,
        next_id=next_id,
        source_path=_source_path(fields.get("source"), corpus_dir),
        topic_labels={t: topic_labels.get(t, t) for i in meeting.items for t in i.topics},
    )


def _with_index_id(meeting: Meeting, meeting_id: str) -> Meeting:
    """The stored JSON holds the parser's id; a duplicate got a suffix in the index."""
    if meeting.id == meeting_id:
        return meeting
    from dataclasses import replace

    return replace(meeting, id=meeting_id)


def _source_path(source: str | None, corpus_dir: Path | None) -> str | None:
    if not source or corpus_dir is None:
        return None
    root = corpus_dir.resolve()
    path = (root / source).resolve()
    return source if path.is_relative_to(root) else None


def coverage(all_meetings: Iterable[MeetingSummary]) -> Coverage:
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    newest: dict[str, str | None] = {}
    for m in all_meetings:
        org = m.organisation or "Okänd organisation"
        newest.setdefault(org, None)
        if m.date:
            counts[org][int(m.date[:4])] += 1
            newest[org] = max(newest[org] or "", m.date)
        else:
            counts[org]
    years = sorted({y for c in counts.values() for y in c})
    if years:
        years = list(range(years[0], years[-1] + 1))  # gaps are what coverage should show
    rows = tuple(
        (org, tuple(counts[org][y] for y in years), newest[org]) for org in sorted(newest)
    )
    return Coverage(tuple(years), rows)


def trend_series(
    docs: Iterable[int] | np.ndarray, arrays: ReaderState, request: object
) -> tuple[tuple[int, ...], tuple[TrendSeries, ...], int]:
    """Items per (year, series) where the series is the organisation or each municipality.

    One ``np.bincount`` over (series, year) pairs: a trend over half of 1.5 million items is
    counted in milliseconds, where a Python loop per item took seconds.
    """
    field = arrays.field("municipality" if getattr(request, "by", "") == "kommun" else "organisation")
    found = np.asarray(docs if isinstance(docs, np.ndarray) else list(docs), dtype=np.int64)
    years_field = arrays.field("year")
    assert years_field.codes is not None
    year_of_code = np.array([int(v) for v in years_field.vocab] or [0], dtype=np.int64)
    ycodes = years_field.codes[found]
    found, years_all = found[ycodes != MISSING], year_of_code[ycodes[ycodes != MISSING]]
    year_from = getattr(request, "year_from", None)
    year_to = getattr(request, "year_to", None)
    keep = np.ones(len(found), dtype=bool)
    if year_from:
        keep &= years_all >= year_from
    if year_to:
        keep &= years_all <= year_to
    found, years_all = found[keep], years_all[keep]
    if not len(found):
        return (), (), 0
    names = [*field.vocab, "Okänd"]
    series_codes, series_years = _series_pairs(field, found, years_all, unknown=len(field.vocab))
    first, last = int(series_years.min()), int(series_years.max())
    years = tuple(range(year_from or first, (year_to or last) + 1))
    width = len(years)
    counts = np.bincount(series_codes * width + (series_years - years[0]),
                         minlength=len(names) * width).reshape(len(names), width)
    totals = counts.sum(axis=1)
    ranked = sorted((int(i) for i in np.flatnonzero(totals)), key=lambda i: (-int(totals[i]), names[i]))
    series = [TrendSeries(names[i], tuple(int(n) for n in counts[i])) for i in ranked[:MAX_SERIES]]
    if len(ranked) > MAX_SERIES:
        rest = counts[ranked[MAX_SERIES:]].sum(axis=0)
        series.append(TrendSeries(OTHER, tuple(int(n) for n in rest)))
    return years, tuple(series), len(found)


def mark_gaps(
    years: tuple[int, ...], series: tuple[TrendSeries, ...], held: Coverage, by: str
) -> tuple[TrendSeries, ...]:
    """Counts for years the archive holds no meetings of become ``None``: missing data, not 0.

    A zero drawn where the archive simply has no minutes reads as a fall. For an organisation
    series the test is that organisation's own meetings (``Coverage``); for municipalities, the
    rest ("Övriga") and items without a value, any meeting in the archive that year.
    """
    per_org = {org: {y for y, n in zip(held.years, counts) if n} for org, counts, _ in held.rows}
    archive = set().union(*per_org.values()) if per_org else set()
    out = []
    for s in series:
        have = per_org.get(s.name, archive) if by == "organisation" else archive
        out.append(TrendSeries(s.name, tuple(
            None if (c == 0 and y not in have) else c for y, c in zip(years, s.counts)
        )))
    return tuple(out)


def _series_pairs(field: FieldArray, docs: np.ndarray, years: np.ndarray, *, unknown: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(series code, year) for every value of every document; no value counts as ``unknown``."""
    if field.codes is not None:
        codes = field.codes[docs].astype(np.int64)
        return np.where(codes == MISSING, unknown, codes), years
    assert field.offsets is not None
    lengths = field.offsets[docs + 1] - field.offsets[docs]
    codes = field.multi_codes(docs).astype(np.int64)
    none = lengths == 0
    return (np.concatenate([codes, np.full(int(none.sum()), unknown, dtype=np.int64)]),
            np.concatenate([np.repeat(years, lengths), years[none]]))
