"""The meeting's own date and times, among all the dates minutes contain.

Minutes mention many dates: earlier meetings, deadlines, adjusting and posting dates, coming
meetings. Every candidate gets a class from the words just before it — a strong label
("Sammanträdesdatum") beats a plain label ("Tid", "Dag", "Plats och tid"), which beats an
unlabelled date near the top — and candidates after "justering", "anslag", "nästa",
"föregående" … are dropped. Within the best class the earliest wins. Forms: "2017-04-06",
"Fredagen den 22 augusti 2008", "22 april 2010", "11 feb 2015", and "150612" (YYMMDD) only
right after a label, because bare six-digit numbers are usually something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parse.labels import regex

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"(?<![\d/-])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d])")
_WRITTEN = re.compile(rf"(?<!\d)(\d{{1,2}})\s+({_MONTH_ALT})\.?,?\s+((?:19|20)\d\d)(?!\d)", re.IGNORECASE)
_YYMMDD = re.compile(r"(?<!\d)(\d\d)(\d\d)(\d\d)(?!\d)")
_TIME_RANGE = re.compile(
    r"(?<![\d.:])([01]?\d|2[0-3])[.:]([0-5]\d)\s*(?:-|–|—|till)\s*([01]?\d|2[0-3])[.:]([0-5]\d)(?!\d)"
)
_TIME_SINGLE = re.compile(r"\b(?:kl\.?|klockan)\s*([01]?\d|2[0-3])[.:]([0-5]\d)(?!\d)", re.IGNORECASE)
LABEL_WINDOW = 45
EXCLUDE_WINDOW = 35
HEAD_LIMIT = 3000  # unlabelled dates further down belong to the items


@dataclass(frozen=True)
class DateCandidate:
    iso: str
    start: int
    end: int
    rank: int  # 3 strong label, 2 label, 1 unlabelled near the top


def _valid(year: int, month: int, day: int) -> str | None:
    if not (1990 <= year <= 2040 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _raw_dates(text: str) -> list[tuple[str, int, int, bool]]:
    """(iso, start, end, needs_label) for every date-shaped string."""
    found = []
    for m in _ISO.finditer(text):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((iso, m.start(), m.end(), False))
    for m in _WRITTEN.finditer(text):
        iso = _valid(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        if iso:
            found.append((iso, m.start(), m.end(), False))
    for m in _YYMMDD.finditer(text):
        iso = _valid(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((iso, m.start(), m.end(), True))
    return sorted(found, key=lambda t: t[1])


def _rank(text: str, start: int, needs_label: bool) -> int | None:
    """Class of a candidate from the words before it; None when it is someone else's date.

    Searches run on the whole text with bounds, so a label's word boundary is judged on the
    real text ("SLUTDATUM" is not the label "datum").
    """
    lo, near_lo = max(0, start - LABEL_WINDOW), max(0, start - EXCLUDE_WINDOW)
    excluded = regex("dates", "excluded", prefix=True)
    strong = list(regex("dates", "strong_labels").finditer(text, lo, start))
    if strong and not excluded.search(text, strong[-1].end(), start):
        return 3
    if excluded.search(text, near_lo, start) or start >= HEAD_LIMIT:
        return None
    label = regex("dates", "labels")
    if needs_label:
        return 2 if label.search(text, max(0, start - 15), start) else None
    return 2 if label.search(text, lo, start) else 1


def date_candidates(text: str) -> list[DateCandidate]:
    out = []
    for iso, start, end, needs_label in _raw_dates(text):
        rank = _rank(text, start, needs_label)
        if rank is not None:
            out.append(DateCandidate(iso, start, end, rank))
    return out


def meeting_date(text: str) -> DateCandidate | None:
    """The best candidate: highest class, then earliest."""
    candidates = date_candidates(text)
    if not candidates:
        return None
    return min(candidates, key=lambda c: (-c.rank, c.start))


def strip_dates(text: str) -> str:
    """The text with every date-shaped string blanked out (for place values)."""
    for pattern in (_ISO, _WRITTEN, _YYMMDD):
        text = pattern.sub(" ", text)
    return text


def _hhmm(hour: str, minute: str) -> str:
    return f"{int(hour):02d}:{minute}"


def meeting_times(text: str, near: int | None) -> tuple[str | None, str | None]:
    """Start and end time written near the date (or at the top when no date was found)."""
    centre = near if near is not None else 0
    window = text[max(0, centre - 150) : centre + 250]
    rng = _TIME_RANGE.search(window)
    if rng:
        return _hhmm(rng.group(1), rng.group(2)), _hhmm(rng.group(3), rng.group(4))
    single = _TIME_SINGLE.search(window)
    if single:
        return _hhmm(single.group(1), single.group(2)), None
    if near is not None:  # the date stood apart from the time (flattened cover pages)
        return meeting_times(text[:600], None)
    return None, None
