"""No input crashes ``clean`` or ``parse_minutes``; the result is always a valid Meeting."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.clean import clean
from indexer.parse import parse_minutes
from indexer.records import Meeting

SETTINGS = settings(max_examples=150, deadline=None)
SHA = "0123456789abcdef" * 4
PIECES = [
    "§ 15", "§28", "1.", "8.1.", "12", "BESLUT:", "Beslut:", "att", "a t t", "samt att",
    "Styrelsen beslutar", "Kommunchefsgruppen beslutar att", "**", "*", "###", "#", "- ",
    "Närvarande:", "Anmält förhinder", "Frånvarande", "Plats och tid", "Tid/Plats:",
    "Sammanträdesdatum", "2017-04-06", "150612", "22 augusti 2008", "kl 09.00-12.00",
    "Umeå", "Vindelns kommun", "Örkeljunga", "Vara", "Lundberg", "Skåne Nordväst",
    "ÅTGÄRDER SLUTDATUM ANSVARIG", "Magnus Haglund", "1 / 10", "Sida 2 (27)", "Transkript",
    "Storlek: px", "Läs mer", "e-", "där-", "\n", "\n\n", "\f", "(S)", ",", ".", "Dnr",
]  # fmt: skip
swedishish = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=60).map(" ".join)
lines = st.lists(swedishish, max_size=8).map("\n".join)
fmt = st.sampled_from(["txt", "md", "html", "pdf", "docx"])


def assert_valid(meeting: Meeting) -> None:
    assert isinstance(meeting, Meeting)
    assert re.fullmatch(r"[a-z0-9-]+", meeting.id)
    assert meeting.date is None or re.fullmatch(r"\d{4}-\d\d-\d\d", meeting.date)
    assert Meeting.from_dict(meeting.to_dict()) == meeting


@SETTINGS
@given(text=st.text(max_size=400), fmt=fmt)
def test_random_text_never_crashes(text: str, fmt: str) -> None:
    cleaned = clean(text, fmt)
    assert_valid(parse_minutes(cleaned, source="x", sha256=SHA, fmt=fmt))
    assert_valid(parse_minutes(text, source="x", sha256=SHA, fmt=fmt))


@SETTINGS
@given(text=lines, fmt=fmt)
def test_minutes_like_text_never_crashes(text: str, fmt: str) -> None:
    meeting = parse_minutes(clean(text, fmt), source="x", sha256=SHA, fmt=fmt)
    assert_valid(meeting)
    assert not [w for w in meeting.warnings if w.field == "parser"], meeting.warnings


@SETTINGS
@given(text=lines, fmt=st.sampled_from(["txt", "md"]))
def test_clean_is_idempotent(text: str, fmt: str) -> None:
    once = clean(text, fmt)
    assert clean(once, fmt) == once


@SETTINGS
@given(titles=st.lists(st.sampled_from(["Presentation", "Lägesrapport", "Turistisk samverkan",
                                        "Övriga frågor", "Val av justerare"]), min_size=3,
                       max_size=5, unique=True),
       notes=st.lists(st.sampled_from(["Samordnaren ger en lägesrapport.", "Inga frågor.",
                                       "Jan/Sorsele: - Ett boende.", "En presentation hölls."]),
                      max_size=6))
def test_column_runs_never_lose_or_invent_text(titles: list[str], notes: list[str]) -> None:
    """Flattened runs are only rearranged: every title and note word ends up in one item once."""
    head = " ".join(f"{n}. {t}" for n, t in enumerate(titles, start=1))
    text = f"Minnesanteckningar styrgrupp\n{head} {' '.join(notes)}\n"
    meeting = parse_minutes(text, source="x", sha256=SHA, fmt="txt")
    assert_valid(meeting)
    def words(text: str) -> list[str]:  # titles lose trailing punctuation when tidied
        return sorted(w for w in (w.strip(".:-–") for w in text.split()) if w)

    assert words(" ".join(f"{i.title} {i.text}" for i in meeting.items)) == words(
        " ".join(titles + notes)
    )


TITLES = ["Val av justerare", "Budget", "Årsredovisning", "Övriga frågor", "Delårsrapport",
          "Motion om cykelvägar", "Taxor"]  # fmt: skip
NOISE = ["år 2019 Budgeten", "12, 13 Anna Berg", "Sida 2 (9)", "kl 13 Mötet", "2 300 kronor",
         "Paragrafer 40-49", "\n"]  # fmt: skip


@SETTINGS
@given(
    first=st.integers(min_value=1, max_value=900),
    titles=st.lists(st.sampled_from(TITLES), min_size=2, max_size=7),
    noise=st.lists(st.sampled_from(NOISE), max_size=7),
    pages=st.booleans(),
)
def test_bare_numbers_counting_up_are_the_items(
    first: int, titles: list[str], noise: list[str], pages: bool
) -> None:
    """Flattened "12 Val av justerare Text. 13 Budget …", with stray numbers and glued page
    numbers between them, gives exactly the numbers that count up, in order."""
    parts = []
    for i, title in enumerate(titles):
        page = f"{i + 2} " if pages and i % 2 else ""
        parts.append(f"{page}{first + i} {title} Styrelsen beslutar att godkänna ärendet.")
        if i < len(noise):
            parts.append(noise[i])
    meeting = parse_minutes(" ".join(parts), source="x.txt", sha256=SHA, fmt="txt")
    assert [i.number for i in meeting.items] == [str(first + i) for i in range(len(titles))]
    assert [i.title for i in meeting.items] == titles


DATE_PIECES = [
    "2017-04-06", "2014 09 03", "2014.09.03", "20130227", "201302271530", "150612", "22 april 2010",
    "11 feb. 2015", "3 Sept, 2009", "1990", "2040", "19", "20", "0", "1", "12", "-", "/", ".", ",",
    " ", "  ", "\n", "den", "Datum", "٣",
]  # fmt: skip
date_text = st.lists(st.sampled_from(DATE_PIECES) | st.text(alphabet="0129 -./,aprilmajÅ", max_size=8),
                     max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=date_text)
@example(text="Den 3 Sept, 2009 och 2014 09 03, 150612 samt 20130227 1530")
@example(text="2017-04-062017-04-06 19 2014.09.03")
def test_date_patterns_tried_at_digit_runs_find_what_finditer_finds(text: str) -> None:
    from indexer.parse import dates

    starts = [m.start() for m in dates._DIGIT_RUN.finditer(text)]
    for pattern in (dates._ISO, dates._SPACED, dates._YYYYMMDD, dates._WRITTEN, dates._YYMMDD):
        found = [m.span() for m in dates._at_digit_runs(pattern, text, starts)]
        assert found == [m.span() for m in pattern.finditer(text)], pattern.pattern
