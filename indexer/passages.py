"""Cleaned text + parsed Meeting → the passages no agenda item holds (issue 11).

The parser finds agenda items where it can, but a file's header, attendance list, preamble,
the text after the last item, and *all* of a file in which no item was found (a portal page, a
transcript without §, a scan with broken numbering) would otherwise never be searchable. This
stage finds every line of the cleaned text that no item holds and cuts those lines into
passages of roughly ``MIN_WORDS``–``MAX_WORDS`` words at headings, blank-line blocks and page
breaks (``indexer.clean`` turns form feeds into blank lines), so each passage is a hit of its
own with an anchor on the meeting page.

"Held by an item" is decided by word n-grams, not by the parser's line numbers, so it works
whatever the parser found and however it reshaped an item's text (joined lines, dropped
labels): a line is held when every run of three consecutive words in it (fewer for short lines)
occurs in some item's number, title, text, decisions or actions. A held line's words are all in
an item, so dropping it from the passages never makes a word unsearchable.

``split_attendance`` separates, at index time, a passage's attendance lines (names, roles,
parties) from the rest, so that a word found only in an attendance list ranks below items and
passages that are about it (``indexer.queryterms`` weights the fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from indexer.records import AgendaItem, Meeting, Passage

T = TypeVar("T")

MIN_WORDS = 100  # a heading starts a new passage once the current one has this many words
MAX_WORDS = 400  # a passage never grows past this; longer blocks are cut at line ends
TITLE_CHARS = 80
SHINGLE = 3  # words per n-gram in the "held by an item" test
SHORT_LINE = 3  # a held line this short between unheld lines stays with its neighbours
TINY_REGION = 12  # a leftover this short whose words all occur in items is dropped
SMALL_REGION = 30  # leftovers this short between items are gathered into one passage

_WORD = re.compile(r"\w+")
_HEADING_END = re.compile(r"[.,;]\s*$")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


# ---------------------------------------------------------------- what the items hold


def _item_strings(item: AgendaItem) -> Iterable[str]:
    yield f"{item.number} {item.title}"
    yield item.title
    yield item.text
    yield from item.decisions
    for action in item.actions:
        yield " ".join(x for x in (action.what, action.due, action.responsible) if x)


def _item_grams(items: Sequence[AgendaItem]) -> set[tuple[str, ...]]:
    """Every 1-, 2- and 3-word run in the items' strings."""
    grams: set[tuple[str, ...]] = set()
    for item in items:
        for text in _item_strings(item):
            words = _words(text)
            for n in range(1, SHINGLE + 1):
                grams.update(zip(*(words[i:] for i in range(n))))
    return grams


def _held(words: list[str], grams: set[tuple[str, ...]]) -> bool:
    if not words:
        return False
    n = min(SHINGLE, len(words))
    return all(g in grams for g in zip(*(words[i:] for i in range(n))))


# ---------------------------------------------------------------- regions of unheld lines


def _regions(lines: list[str], items: Sequence[AgendaItem]) -> list[list[str]]:
    """Runs of consecutive lines no item holds (blank lines kept inside a run)."""
    if not items:
        return [lines]
    grams = _item_grams(items)
    words = [_words(line) for line in lines]
    held = [_held(w, grams) for w in words]
    # A short held line ("Protokoll", "Beslut") inside unheld text belongs to that text.
    for i, w in enumerate(words):
        if held[i] and len(w) <= SHORT_LINE and _neighbour_unheld(held, words, i):
            held[i] = False
    vocab = {g[0] for g in grams if len(g) == 1}
    regions: list[list[str]] = []
    current: list[str] = []
    for line, w, h in zip(lines, words, held):
        if h:
            _close(current, regions, vocab)
            current = []
        elif w or current:
            current.append(line)
    _close(current, regions, vocab)
    return regions


def _neighbour_unheld(held: list[bool], words: list[list[str]], i: int) -> bool:
    """Whether the nearest non-blank lines before and after line ``i`` are both unheld."""
    def nearest(step: int) -> bool:
        j = i + step
        while 0 <= j < len(words):
            if words[j]:
                return not held[j]
            j += step
        return True  # the start or end of the file counts as unheld text

    return nearest(-1) and nearest(1)


def _close(region: list[str], regions: list[list[str]], vocab: set[str]) -> None:
    words = [w for line in region for w in _words(line)]
    if not words:
        return
    if len(words) < TINY_REGION and all(w in vocab for w in words):
        return  # "Forts." or a label the parser dropped: every word is in an item already
    regions.append(region)


# ---------------------------------------------------------------- cutting into passages


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    words = stripped.split()
    return (
        0 < len(words) <= 10
        and len(stripped) <= TITLE_CHARS
        and any(c.isalpha() for c in stripped)
        and not _HEADING_END.search(stripped)
        and (stripped[0].isupper() or stripped[0].isdigit() or stripped[0] == "§")
    )


def _blocks(region: list[str]) -> list[list[str]]:
    """Blank-line blocks, with a heading after a non-heading line starting a block of its own."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in region:
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
            continue
        if current and _is_heading(line) and not _is_heading(current[-1]):
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return [piece for block in blocks for piece in _cut_long(block)]


def _cut_long(block: list[str]) -> list[list[str]]:
    """A block of more than ``MAX_WORDS`` words, cut at line ends (or inside a long line)."""
    lines: list[str] = []
    for line in block:
        words = line.split()
        if len(words) <= MAX_WORDS:
            lines.append(line)
        else:  # OCR text or a page without line breaks
            lines.extend(" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS))
    return _pack(lines, lambda line: len(line.split()), lambda line, count: False)


def _group(blocks: list[list[str]]) -> list[list[list[str]]]:
    """Blocks merged into passages: grow to ``MIN_WORDS``, then break at a heading, never past
    ``MAX_WORDS``."""
    return _pack(
        blocks,
        lambda block: sum(len(line.split()) for line in block),
        lambda block, count: count >= MIN_WORDS and _is_heading(block[0]),
    )


def _pack(
    units: list[T], words: Callable[[T], int], breaks_before: Callable[[T, int], bool]
) -> list[list[T]]:
    """Consecutive units in runs of at most ``MAX_WORDS`` words (a longer unit stands alone);
    a new run also starts before a unit for which ``breaks_before(unit, words so far)`` holds."""
    runs: list[list[T]] = []
    current: list[T] = []
    count = 0
    for unit in units:
        n = words(unit)
        if current and (count + n > MAX_WORDS or breaks_before(unit, count)):
            runs.append(current)
            current, count = [], 0
        current.append(unit)
        count += n
    if current:
        runs.append(current)
    return runs


def _title(lines: list[str]) -> str:
    first = next((line.strip() for line in lines if _is_heading(line)), None)
    if first is None:
        first = next((line.strip() for line in lines if line.strip()), "")
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[:TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " …"


def _gathered(regions: list[list[str]]) -> list[list[str]]:
    """Consecutive short leftovers (a diary number the parser did not attach, a page footer)
    joined into one region, so a meeting does not get a dozen two-word hits."""
    out: list[list[str]] = []
    small: list[str] = []
    for region in regions:
        if sum(len(line.split()) for line in region) < SMALL_REGION:
            small += ([""] if small else []) + region
            continue
        if small:
            out.append(small)
            small = []
        out.append(region)
    if small:
        out.append(small)
    return out


def split_passages(text: str, meeting: Meeting) -> tuple[Passage, ...]:
    """The passages of ``text`` (the cleaned file) that ``meeting``'s items do not hold."""
    lines = text.splitlines()
    out: list[Passage] = []
    for region in _gathered(_regions(lines, meeting.items)):
        for blocks in _group(_blocks(region)):
            body = "\n\n".join("\n".join(line.rstrip() for line in b) for b in blocks)
            lines_of = [line for b in blocks for line in b]
            out.append(Passage(number=len(out) + 1, title=_title(lines_of), text=body,
                               attendance=split_attendance(body, meeting)[1]))
    return tuple(out)


# ---------------------------------------------------------------- attendance lines


def _attendance_labels() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Section labels that open an attendance list, and labels that end one (parser data)."""
    from indexer.parse.labels import labels

    table = labels()["attendees"]
    opening = "|".join(re.escape(x) for x in (*table["present"], *table["absent"]))
    closing = "|".join(re.escape(x) for x in table["stop"])
    return (re.compile(rf"^\s*(?:{opening})\b", re.IGNORECASE),
            re.compile(rf"^\s*(?:{closing})\b", re.IGNORECASE))


def split_attendance(text: str, meeting: Meeting) -> tuple[str, str]:
    """``(other lines, attendance lines)`` of a passage's text.

    A line belongs to the attendance list when it names one of the meeting's attendees, or
    lies in a section opened by an attendance label ("Beslutande", "Närvarande", "Frånvarande"
    …) and not yet closed by a blank line after content or by a closing label ("Justerare",
    "Plats och tid" …).
    """
    opening, closing = _attendance_labels()
    names = [a.name.casefold() for a in meeting.attendees if len(a.name) >= 4]
    other: list[str] = []
    attendance: list[str] = []
    in_section, listed = False, 0
    for line in text.splitlines():
        if not line.strip():
            in_section = in_section and not listed  # "Beslutande" + blank line + the names
            continue
        if closing.match(line):
            in_section = False
        elif opening.match(line):
            in_section, listed = True, -1
        listed += in_section
        folded = line.casefold()
        is_attendance = in_section or any(name in folded for name in names)
        (attendance if is_attendance else other).append(line)
    return "\n".join(other), "\n".join(attendance)
