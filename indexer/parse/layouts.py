"""Agenda layouts without item numbers, read when the numbered reading finds nothing.

Three layouts common on portals and in flattened PDFs:

* a bullet list of titles, one per line ("– Årsredovisning 2014", "• Val av justerare"), as
  meeting pages and press releases print an agenda;
* a timetable ("09:05 (5 min)" then the title, then the presenter), as programmes print it;
* a contents list with the titles run together after "Innehåll", "Ärendelista",
  "Innehållsförteckning" ("Gatubelysning i X Information om Y Direktiv för Z …"), split where
  a capitalised word starts a new title after a lower-case word (as ``items._title_from_run_on``
  reads a flattened title), keeping person names and known places inside a title.

Each returns (start, body, number) triples: where the item starts, where its title starts, and
its running number.
"""

from __future__ import annotations

import re

from indexer.parse.labels import regex

_BULLET_LINE = re.compile(r"^[ \t]*[–•·▪*-][ \t]+(?P<title>[A-ZÅÄÖ0-9\"”][^\n]{2,200})$", re.MULTILINE)
_TIME_SLOT = re.compile(
    r"^[ \t]*(?:kl\.?[ \t]*)?[012]?\d[:.][0-5]\d(?:[ \t]*[-–][ \t]*[012]?\d[:.][0-5]\d)?[ \t]*"
    r"(?:\n[ \t]*)*(?:\(\d+[ \t]*min\)[ \t]*)?(?:\n[ \t]*)+(?P<title>[A-ZÅÄÖ][^\n]{2,200})$",
    re.MULTILINE,
)
_PARTY = re.compile(r"^\([A-ZÅÄÖ]{1,5}\)")
MIN_ITEMS = 3


def bullet_list(text: str) -> list[tuple[int, int, str]]:
    """Lines that open with a dash or bullet and read like titles, when there are several."""
    found = [(m.start(), m.start("title"), str(i + 1)) for i, m in enumerate(_BULLET_LINE.finditer(text))]
    return found if len(found) >= MIN_ITEMS else []


def timetable(text: str) -> list[tuple[int, int, str]]:
    """Titles that follow a time ("8:00", "09:05 (5 min)") on a line of their own."""
    found = [(m.start(), m.start("title"), str(i + 1)) for i, m in enumerate(_TIME_SLOT.finditer(text))]
    return found if len(found) >= MIN_ITEMS else []


def contents_list(text: str, proper: object) -> list[tuple[int, int, str]]:
    """Titles run together after a contents heading, split at the start of each new title.

    ``proper(word)`` says whether a capitalised word is a known place or body (it continues a
    title: "Gatubelysning i Ljusdals kommun").
    """
    heading = regex("items", "contents_headings").search(text)
    if not heading:
        return []
    start = heading.end()
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    run = text[start:end]
    words = list(re.finditer(r"\S+", run))
    out: list[tuple[int, int, str]] = []
    for i, match in enumerate(words):
        word = match.group(0)
        if not word[:1].isupper() or not word[1:2].islower():
            continue
        if i and not _starts_title(words, i, proper):
            continue
        pos = start + match.start()
        out.append((pos, pos, str(len(out) + 1)))
    return out if len(out) >= MIN_ITEMS else []


def _starts_title(words: list[re.Match[str]], i: int, proper: object) -> bool:
    prev = words[i - 1].group(0)
    word = words[i].group(0)
    nxt = words[i + 1].group(0) if i + 1 < len(words) else ""
    if not (prev[:1].islower() or prev[:1].isdigit() or prev.endswith((")", '"', "”"))):
        return False  # a run of capitalised words is a name ("Ingrid Olsson", "Island Games")
    if prev.lower() in _CONTINUES or prev.endswith((",", ":", "-", "–")):
        return False
    if nxt[:1].isupper() and _PARTY.match(words[i + 2].group(0) if i + 2 < len(words) else ""):
        return False  # "Helena Brink (C)": a person inside the title
    if _PARTY.match(nxt):
        return False
    return not (callable(proper) and proper(word))


_CONTINUES = {"och", "i", "för", "från", "med", "till", "om", "av", "på", "vid", "mellan", "samt",
              "inom", "över", "gällande", "avseende", "angående", "&", "eller", "mot", "hos"}  # fmt: skip
