"""Items labelled by letters, and labels standing apart from their titles.

Two layouts a clerk reads without thinking:

* letters instead of numbers ("A. Ekonomisk rapport", "B) Val av justerare"), often for the
  opening points before the numbered items; capitals in order from "A", at line starts;
* a column of labels and a column of titles that PDF text extraction has pulled apart: first
  the labels ("A B C D E" — joined to "ABCDE" by ``clean`` — or "1 2 3 4", on one line or one
  per line), then the titles, one per
  line or run together ("Sammanträdet öppnas Upprop Val av justerare …"). The titles are paired
  with the labels in order; a run-together line is split where a new title starts (as a
  contents list is, ``layouts.split_run``) and ends at the next numbered item.

Each reading returns where its labels start and (start, body, label) triples. For a split column, start and body are both
where the title stands: the labels themselves hold no text of the item.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from indexer.parse import layouts

MIN_LABELS = 3
MAX_TITLE_LINE = 120
_LETTER_LINE = re.compile(r"^[ \t]*(?P<label>[A-H])[.):][ \t]+(?=[\"”«]?[A-ZÅÄÖ][a-zåäö])", re.MULTILINE)
_GAP = r"(?:[ \t]*\n[ \t]*|[ \t]+)"  # never empty, one way to read it: no backtracking blow-up
_LABEL_RUN = re.compile(
    rf"(?<![^\s])(?P<run>ABCD(?:E(?:F(?:G(?:H)?)?)?)?|[A-H][.)]?(?:{_GAP}[A-H][.)]?){{2,25}}|\d{{1,2}}[.)]?(?:{_GAP}\d{{1,2}}[.)]?){{2,40}})"
    rf"(?={_GAP}[\"”«]?[A-ZÅÄÖ][a-zåäö])"
)
_LABEL = re.compile(r"[A-H]|\d{1,2}")  # "ABCDE" (letters joined by clean.py) gives five
_NEWLINE_NEXT = re.compile(r"[ \t]*\n")
_LINE = re.compile(r"[^\n]+")
_SPACES = re.compile(r"\s*")
_NEXT_ITEM = re.compile(r"(?<=\s)(?:§[ \t]*\d|\d{1,3}[.)][ \t]+[A-ZÅÄÖ])")


Found = tuple[int, list[tuple[int, int, str]]]  # where the labels start, and the items


def lettered(text: str) -> Found:
    """ "A. Ekonomisk rapport" … "C. Övrigt": capitals in order from A at line starts."""
    found: list[tuple[int, int, str]] = []
    for match in _LETTER_LINE.finditer(text):
        label = match.group("label")
        if ord(label) - ord("A") != len(found):
            if label == "A":
                found = []
            else:
                continue
        if label == "A" and found:
            break
        found.append((match.start(), match.end(), label))
    return (found[0][0], found) if len(found) >= 2 else (0, [])


def split_columns(text: str, proper: Callable[[str], bool]) -> Found:
    """Labels in a run ("A B C D E", "1\\n2\\n3"), then their titles: paired in order."""
    for match in _LABEL_RUN.finditer(text):
        labels = _LABEL.findall(match.group("run"))
        if not _in_order(labels):
            continue
        titles = _title_lines(text, match.end(), len(labels)) or _run_together(text, match.end(), proper)
        if len(titles) >= max(2, len(labels) - 1):
            return match.start(), [(start, start, label) for (start, _), label in zip(titles, labels)]
    return 0, []


def _in_order(labels: list[str]) -> bool:
    if len(labels) < MIN_LABELS:
        return False
    if labels[0].isdigit():
        numbers = [int(x) if x.isdigit() else -1 for x in labels]
        return numbers[0] > 0 and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))
    return labels[0] == "A" and all(ord(b) == ord(a) + 1 for a, b in zip(labels, labels[1:]))


def _title_lines(text: str, start: int, count: int) -> list[tuple[int, int]]:
    """One title per line right after the labels, when the next ``count`` lines read so."""
    if not _NEWLINE_NEXT.match(text, start):
        return []
    out: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start):
        stripped = line.group(0).strip()
        if not stripped:
            continue
        if len(stripped) > MAX_TITLE_LINE or not stripped[:1].isupper() or _LABEL.fullmatch(stripped):
            break
        offset = line.start() + (len(line.group(0)) - len(line.group(0).lstrip()))
        out.append((offset, offset + len(stripped)))
        if len(out) == count:
            break
    return out if len(out) == count else []


def _run_together(text: str, start: int, proper: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Titles run together on the line after the labels, up to the next numbered item."""
    begin = _SPACES.match(text, start).end()  # type: ignore[union-attr]  # always matches
    line_end = text.find("\n", begin)
    line_end = len(text) if line_end < 0 else line_end
    nxt = _NEXT_ITEM.search(text, begin, line_end)
    found = layouts.split_run(text, begin, proper, nxt.start() if nxt else line_end)
    return [(pos, pos) for pos, _, _ in found]
