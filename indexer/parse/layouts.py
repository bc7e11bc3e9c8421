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
from collections.abc import Callable

from indexer.parse.labels import regex
from indexer.reference import municipality_name
from indexer.parse.sequence import NOT_TITLE

_BULLET_LINE = re.compile(r"^[ \t]*[–•·▪*-][ \t]+(?P<title>[A-ZÅÄÖ0-9\"”][^\n]{2,200})$", re.MULTILINE)
_TIME_SLOT = re.compile(
    r"^[ \t]*(?:kl\.?[ \t]*)?[012]?\d[:.][0-5]\d(?:[ \t]*[-–][ \t]*[012]?\d[:.][0-5]\d)?[ \t]*"
    r"(?:\n[ \t]*)*(?:\(\d+[ \t]*min\)[ \t]*)?(?:\n[ \t]*)+(?P<title>[A-ZÅÄÖ][^\n]{2,200})$",
    re.MULTILINE,
)
_PARTY = re.compile(r"^\([A-ZÅÄÖ]{1,5}\)")
_PROSE = re.compile(
    r"(?<!\w)(?:informerar|lämnar|redovisar|genomfördes|anmäls|fastställs|godkänns|beslutar|noteras|"
    r"föreslår|öppnade|hälsade|utses|läggs)(?!\w)", re.IGNORECASE
)
_PARTY_ANYWHERE = re.compile(r"\((?:[A-ZÅÄÖ]{1,4}|[a-zåäö]{1,2})\)")
MIN_ITEMS = 3
MIN_WEAK_ITEMS = 5


def bullet_list(text: str) -> list[tuple[int, int, str]]:
    """Lines that open with a dash or bullet and read like titles, when there are several."""
    found: list[tuple[int, int, str]] = []
    for match in _BULLET_LINE.finditer(text):
        title = match.group("title").strip()
        if " " not in title or municipality_name(title):
            continue  # "• Bjuv": a list of members or keywords, not of items
        found.append((match.start(), match.start("title"), str(len(found) + 1)))
    return found if len(found) >= MIN_ITEMS else []


def timetable(text: str) -> list[tuple[int, int, str]]:
    """Titles that follow a time ("8:00", "09:05 (5 min)") on a line of their own."""
    found = [(m.start(), m.start("title"), str(i + 1)) for i, m in enumerate(_TIME_SLOT.finditer(text))]
    return found if len(found) >= MIN_ITEMS else []


def contents_list(text: str, proper: Callable[[str], bool]) -> list[tuple[int, int, str]]:
    """Titles run together after a contents heading, split at the start of each new title.

    After "Innehåll", "Ärendelista" … three titles make a list. After a weaker heading
    ("PROTOKOLL", "Föredragningslista", "Ärenden") it takes five, none of them a cover-page
    label ("Plats och tid", "Beslutande"), so a flattened cover page is not read as a list.
    ``proper(word)`` says whether a capitalised word is a known place or body, or a label.
    """
    for key, least in (("contents_headings", MIN_ITEMS), ("agenda_headings", MIN_WEAK_ITEMS)):
        for heading in regex("items", key).finditer(text):
            if key == "agenda_headings" and not heading.group(0)[:1].isupper():
                continue  # "… fastställande av föredragningslista" inside prose is no heading
            found = _split_run(text, heading.end(), proper)
            if len(found) >= least and (key == "contents_headings" or not _has_labels(text, found)):
                return found
    return []


def _has_labels(text: str, found: list[tuple[int, int, str]]) -> bool:
    """A cover page or attendance list, not titles: labels, party tags, roles, many commas."""
    run = text[found[0][0] : text.find("\n", found[-1][0]) if "\n" in text[found[-1][0] :] else len(text)]
    return (
        any(NOT_TITLE.match(text[start : start + 40]) for start, _, _ in found)
        or bool(_PARTY_ANYWHERE.search(run))
        or bool(regex("attendees", "roles").search(run))
        or run.count(",") * 3 > len(found)
        or bool(_PROSE.search(run))
    )


def split_run(text: str, start: int, proper: Callable[[str], bool], end: int | None = None) -> list[tuple[int, int, str]]:
    """Titles run together on one line from ``start`` (to ``end``), split where each one starts."""
    return _split_run(text, start, proper, end)


def _split_run(
    text: str, start: int, proper: Callable[[str], bool], stop: int | None = None
) -> list[tuple[int, int, str]]:
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    end = end if stop is None else min(end, stop)
    words = list(re.finditer(r"\S+", text[start:end]))
    out: list[tuple[int, int, str]] = []
    for i, match in enumerate(words):
        word = match.group(0)
        if not word[:1].isupper() or not word[1:2].islower() or len(word.strip(".,:;")) < 3:
            continue
        bare = word.strip(".,:;")
        if regex("items", "not_before").fullmatch(bare) or NOT_TITLE.fullmatch(bare) or (
            regex("items", "item_words").fullmatch(bare.removesuffix("n"))
        ):
            continue  # "Dnr 00041/", "Sid 3": case numbers and pages, not titles
        pos = start + match.start()
        one_word = bool(out) and out[-1][0] == start + words[i - 1].start() and _after_one_word_title(words, i)
        if out and not one_word and not _starts_title(words, i, proper):
            continue
        out.append((pos, pos, str(len(out) + 1)))
    return out


def _after_one_word_title(words: list[re.Match[str]], i: int) -> bool:
    """ "… öppnas Upprop Val av justerare": after a one-word title ("Upprop"), a capitalised word
    followed by a lower-case one starts the next title (a name would go on in capitals); not
    after "Motion." or "Interpellation:", which head the title that follows."""
    nxt = words[i + 1].group(0) if i + 1 < len(words) else ""
    return nxt[:1].islower() and not words[i - 1].group(0).endswith((".", ":", ";"))


def _starts_title(words: list[re.Match[str]], i: int, proper: Callable[[str], bool]) -> bool:
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
    return not proper(word)


_CONTINUES = {"och", "i", "för", "från", "med", "till", "om", "av", "på", "vid", "mellan", "samt",
              "inom", "över", "gällande", "avseende", "angående", "&", "eller", "mot", "hos"}  # fmt: skip


_LEADER = re.compile(r"\w[ \t]?\.{3,}[ \t]*\d")


def has_leaders(text: str, found: list[tuple[int, int, str]]) -> bool:
    """A contents list with dotted leaders and page numbers ("Månadsrapport... 3") is certain."""
    if not found:
        return False
    end = text.find("\n", found[-1][0])
    return len(_LEADER.findall(text, found[0][0], len(text) if end < 0 else end)) >= MIN_ITEMS
