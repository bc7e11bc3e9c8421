"""The meeting's own date and times, among all the dates minutes contain.

Minutes mention many dates: earlier meetings, deadlines, adjusting and posting dates, coming
meetings. Every candidate gets a class from the words just before it — a strong label
("Sammanträdesdatum") beats a plain label ("Tid", "Dag", "Plats och tid"), which beats an
unlabelled date near the top — and candidates after "justering", "anslag", "nästa",
"föregående" … are dropped. Within the best class the earliest wins. Forms: "2017-04-06",
"Fredagen den 22 augusti 2008", "22 april 2010", "11 feb 2015", and "150612" (YYMMDD) only
right after a label, because bare six-digit numbers are usually something else; also
"20130227" (YYYYMMDD, a glued time allowed) and "2014 09 03".

A date without a year ("Torsdagen den 3 april", "Datum 10 december") is completed from the
document — the years of its other full dates and diary numbers ("Dnr 2014/123") count most,
bare years less — and marked ``inferred``; a weekday written before it picks the year it fits.
A weekday that fits the date is a clerk's confirmation (it wins a tie); one that contradicts
the date is reported (``weekday_conflict``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
_YYYYMMDD = re.compile(r"(?<![\d-])((?:19|20)\d\d)(\d\d)(\d\d)(?:[0-2]\d[0-5]\d)?(?![\d-])")
_SPACED = re.compile(r"(?<![\d-])((?:19|20)\d\d)[ .](\d\d)[ .](\d\d)(?![\d.-])")
_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_WEEKDAY_BEFORE = re.compile(
    rf"(?<!\w)({'|'.join(_WEEKDAYS)})(?:en)?[ \t,]+(?:den[ \t]+)?$", re.IGNORECASE
)
_YEARLESS = re.compile(
    rf"(?<![\w-])(\d{{1,2}})(?::[ae])?\s+({_MONTH_ALT})(?![\w])(?!\.?,?\s*(?:19|20)\d\d)(?!\.?,?\s*\d\d(?!\d))",
    re.IGNORECASE,
)
_DEN_BEFORE = re.compile(r"(?<!\w)den[ \t]+$", re.IGNORECASE)
_FULL_YEAR = re.compile(r"(?<![\d/-])((?:19|20)\d\d)(?![\d])")
_DNR_YEAR = re.compile(r"(?<!\d)(?:\d{1,5}/((?:19|20)\d\d)|((?:19|20)\d\d)[/:]\d{1,5})(?!\d)")
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
    rank: int  # 3 strong label, 2 label (or a weekday before it), 1 unlabelled near the top
    inferred: bool = False  # the year was completed from the rest of the document
    weekday: bool | None = None  # a written weekday fits (True) or contradicts (False) the date


def _valid(year: int, month: int, day: int) -> str | None:
    if not (1990 <= year <= 2040 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_DIGIT_RUN = re.compile(r"\d+")


def _at_digit_runs(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a date pattern, tried only where a run of digits begins.

    Every date pattern opens with a look-behind that rules out a digit before its first digit,
    so a match can only begin a run of digits. That look-behind also keeps ``re`` from skipping
    ahead to a likely start, so ``finditer`` tried the pattern at every character: a fifth of
    a millisecond per pattern for an 8 000-character minute, five patterns for every file.
    """
    end = 0
    for start in starts:
        if start < end:
            continue
        match = pattern.match(text, start)
        if match:
            yield match
            end = match.end()


def _raw_dates(text: str) -> list[tuple[str, int, int, bool]]:
    """(iso, start, end, needs_label) for every date-shaped string with a year."""
    found = []
    starts = [m.start() for m in _DIGIT_RUN.finditer(text)]
    for pattern in (_ISO, _SPACED, _YYYYMMDD):
        for m in _at_digit_runs(pattern, text, starts):
            iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if iso:
                found.append((iso, m.start(), m.end(), False))
    for m in _at_digit_runs(_WRITTEN, text, starts):
        iso = _valid(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        if iso:
            found.append((iso, m.start(), m.end(), False))
    for m in _at_digit_runs(_YYMMDD, text, starts):
        iso = _valid(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso and not text[max(0, m.start() - 2) : m.start()].strip().isdigit():
            found.append((iso, m.start(), m.end(), True))
    return sorted(set(found), key=lambda t: t[1])


def _weekday_before(text: str, start: int) -> int | None:
    """0–6 for a weekday written right before ``start`` ("Onsdagen den "), else None."""
    match = _WEEKDAY_BEFORE.search(text, max(0, start - 20), start)
    return _WEEKDAYS.index(match.group(1).lower()) if match else None


def _weekday_of(iso: str) -> int:
    import datetime

    return datetime.date.fromisoformat(iso).weekday()


def _year_weights(text: str, full: list[tuple[str, int, int, bool]]) -> dict[int, int]:
    """How strongly the document points at each year: full dates and diary numbers most."""
    weights: dict[int, int] = {}
    for iso, *_ in full:
        weights[int(iso[:4])] = weights.get(int(iso[:4]), 0) + 3
    for m in _DNR_YEAR.finditer(text):
        year = int(m.group(1) or m.group(2))
        weights[year] = weights.get(year, 0) + 2
    for m in _FULL_YEAR.finditer(text):
        year = int(m.group(1))
        if 1990 <= year <= 2040:
            weights[year] = weights.get(year, 0) + 1
    return weights


def _complete_year(month: int, day: int, weekday: int | None, weights: dict[int, int],
                   latest: str | None) -> str | None:
    """The year a clerk would read: the one whose weekday fits, else the best-attested one
    that does not put the meeting after the document's latest full date."""
    if not weights:
        return None
    years = sorted(weights, key=lambda y: (-weights[y], -y))
    if weekday is not None:
        near = sorted({y + d for y in years for d in (0, -1, 1)}, key=lambda y: (-weights.get(y, 0), -y))
        for year in near:
            iso = _valid(year, month, day)
            if iso and _weekday_of_safe(iso) == weekday:
                return iso
    for year in years:
        iso = _valid(year, month, day)
        if iso and (latest is None or iso <= latest):
            return iso
    return _valid(years[0], month, day)


def _weekday_of_safe(iso: str) -> int | None:
    try:
        return _weekday_of(iso)
    except ValueError:
        return None


def _yearless(text: str, full: list[tuple[str, int, int, bool]]) -> list[tuple[str, int, int, bool]]:
    """Year-less dates after a weekday or "den" ("Torsdagen den 3 april"), completed."""
    out = []
    weights: dict[int, int] | None = None
    latest = max((iso for iso, *_ in full), default=None)
    for m in _YEARLESS.finditer(text, 0, min(len(text), HEAD_LIMIT)):
        weekday = _weekday_before(text, m.start())
        labelled = regex("dates", "labels").search(text, max(0, m.start() - 20), m.start())
        if weekday is None and not _DEN_BEFORE.search(text, max(0, m.start() - 6), m.start()) and not labelled:
            continue
        if weights is None:
            weights = _year_weights(text, full)
        iso = _complete_year(MONTHS[m.group(2).lower()], int(m.group(1)), weekday, weights, latest)
        if iso:
            out.append((iso, m.start(), m.end(), False))
    return out


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
        short = regex("dates", "short_date_labels")
        return 2 if short.search(text, max(0, start - 15), start) else None
    labels = list(label.finditer(text, lo, start))
    if labels and excluded.search(text, max(0, labels[-1].start() - 20), labels[-1].start()):
        return None  # "Justeringens plats och tid Måndag den 21 januari"
    return 2 if labels else 1


def _after_excluded(text: str, start: int) -> bool:
    """An excluded word further back with no label since ("tid för justering: Namn, Tisdagen …")."""
    lo = max(0, start - 3 * LABEL_WINDOW)
    hits = list(regex("dates", "excluded", prefix=True).finditer(text, lo, start))
    return bool(hits) and not regex("dates", "labels").search(text, hits[-1].end(), start)


def date_candidates(text: str) -> list[DateCandidate]:
    out = []
    full = _raw_dates(text)
    completed = [(c, True) for c in _yearless(text, full)]
    for (iso, start, end, needs_label), inferred in [(c, False) for c in full] + completed:
        rank = _rank(text, start, needs_label)
        if rank is None:
            continue
        weekday = _weekday_before(text, start)
        fits = None if weekday is None else _weekday_of_safe(iso) == weekday
        if fits is not None and rank < 2 and not _after_excluded(text, start):
            rank = 2  # "tisdagen den 15 januari 2019" is how a meeting's own date is written
        out.append(DateCandidate(iso, start, end, rank, inferred, fits))
    return out


def meeting_date(text: str) -> DateCandidate | None:
    """The best candidate: highest class; then a fitting weekday, a written year; earliest."""
    candidates = date_candidates(text)
    if not candidates:
        return None
    return min(candidates, key=lambda c: (-c.rank, c.weekday is not True, c.inferred, c.start))


def strip_dates(text: str) -> str:
    """The text with every date-shaped string blanked out (for place values)."""
    for pattern in (_ISO, _SPACED, _YYYYMMDD, _WRITTEN, _YYMMDD, _YEARLESS):
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
