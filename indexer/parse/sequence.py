"""Agenda items found by their numbering alone, for minutes whose layout was flattened.

PDF extraction and document hosts often leave paragraph numbers as bare numbers in running
text ("… justera dagens protokoll. 383 Fastställande av dagordning …"), glued to page numbers
("4 33 Delårsbokslut") or alone on a line before the title. One number on its own proves
nothing — years, amounts, page numbers and attendance notes ("289, 290") look the same — but
agenda numbers *count up by one*. So every plausible number is a candidate, and the items are
the longest chain of candidates whose numbers increase by one (a gap of one missing number is
tolerated at lower weight, because a page join sometimes eats a number).

A table of contents lists the same numbers before the body does. When the chain restarts later
in the text (the body after the list), the later run is the items and the list only confirmed
them. A stated range ("Paragrafer 76-86", "Omfattning §§ 4-9") confirms a single item that
starts that range, so a short excerpt with just "§ 4 Årsrapport" still gets its item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parse.labels import labels

_SPEC = labels()["items"]
_TITLE = r"(?=[\"”«]?[A-ZÅÄÖ](?:[\wÅÄÖåäö]|-\w))"
_GAP = r"[ \t]*(?:\n[ \t]*){0,2}"
_PARA = re.compile(
    rf"(?<![\w§])(?P<mark>§§?)[ \t]*(?P<lo>\d{{1,4}})(?:[ \t]*[-–][ \t]*(?P<hi>\d{{1,4}}))?"
    rf"(?![\d,/])[.:]?{_GAP}{_TITLE}"
)
_WORD = re.compile(
    rf"(?<!\w)(?:{_SPEC['item_words']})[ \t]+(?P<lo>\d{{1,3}})(?![\d,/])[ \t]*[.:–-]?{_GAP}{_TITLE}",
    re.IGNORECASE,
)
_BARE = re.compile(
    rf"(?<![\w§$.,:/–-])(?<![§$] )(?P<lo>[1-9]\d{{0,3}})(?:\.(?![\d.]))?(?![\w,.:/–-]){_GAP}{_TITLE}"
)
NOT_TITLE = re.compile(rf"(?:{_SPEC['not_titles']})(?![\wåäöÅÄÖ])", re.IGNORECASE)
_NOT_BEFORE = re.compile(rf"(?<![\wåäöÅÄÖ])(?:{_SPEC['not_before']})\s*$", re.IGNORECASE)
_LIST_BEFORE = re.compile(r"\d\s*[,–-]\s*$|\bt\s?o\s?m\s*$|\boch\s*$")
_RANGE = re.compile(
    rf"(?:{_SPEC['range_labels']})\s*:?\s*(?:§§?\s*)?(?P<lo>\d{{1,4}})\s*[-–]\s*(?P<hi>\d{{1,4}})",
    re.IGNORECASE,
)
_YEARS = range(1900, 2100)
MIN_SCORE = 2.0
GAP_WEIGHT = 0.4  # two gapped steps never make a chain on their own


@dataclass(frozen=True)
class Numbered:
    """One possible item start: the number as written and the numbers it covers."""

    number: str
    lo: int
    hi: int
    start: int
    body: int
    line_start: bool


def candidates(text: str) -> list[Numbered]:
    """Every number that could start an item, in text order (one per position)."""
    found: list[tuple[int, int, Numbered]] = []
    for rank, (pattern, kind) in enumerate(((_PARA, "para"), (_WORD, "word"), (_BARE, "bare"))):
        for match in pattern.finditer(text):
            cand = _candidate(text, match, kind)
            if cand:
                found.append((cand.start, rank, cand))
    found.sort(key=lambda f: (f[0], f[1]))
    out: list[Numbered] = []
    for _, _, cand in found:  # "Punkt 3": the number inside a marked candidate is not another
        if not out or cand.start >= out[-1].body:
            out.append(cand)
    return out


def _candidate(text: str, match: re.Match[str], kind: str) -> Numbered | None:
    lo = int(match.group("lo"))
    hi = int(match.group("hi")) if kind == "para" and match.group("hi") else lo
    if hi < lo or NOT_TITLE.match(text, match.end()):
        return None
    before = text[max(0, match.start() - 12) : match.start()]
    if kind == "bare" and (lo in _YEARS or _NOT_BEFORE.search(before) or _LIST_BEFORE.search(before)):
        return None
    if kind == "word":
        number = match.group("lo")
    else:
        number = re.sub(r"\s+", " ", text[match.start() : match.end()]).strip(" .:")
    line_start = not text[text.rfind("\n", 0, match.start()) + 1 : match.start()].strip()
    return Numbered(number, lo, hi, match.start(), match.end(), line_start)


def after_label_word(text: str, start: int) -> bool:
    """ "kl 13", "år 2019", "sida 4": the number at ``start`` belongs to the word before it."""
    return bool(_NOT_BEFORE.search(text[max(0, start - 12) : start]))


def longest_chain(cands: list[Numbered]) -> tuple[float, list[Numbered]]:
    """The best chain of numbers counting up by one, later runs winning ties.

    Linear: for each number the best chain ending in it so far is kept, so a candidate looks
    up its predecessor (one less, or two less at ``GAP_WEIGHT``) instead of scanning all.
    """
    best_by_hi: dict[int, tuple[float, int]] = {}
    score: list[float] = []
    prev: list[int | None] = []
    for i, cand in enumerate(cands):
        options = [(1.0, best_by_hi.get(cand.lo - 1)), (GAP_WEIGHT, best_by_hi.get(cand.lo - 2))]
        mine, link = 1.0, None
        for step, found in options:
            if found and found[0] + step >= mine:
                mine, link = found[0] + step, found[1]
        score.append(mine)
        prev.append(link)
        if cand.hi not in best_by_hi or mine >= best_by_hi[cand.hi][0]:
            best_by_hi[cand.hi] = (mine, i)
    if not cands:
        return 0.0, []
    end = max(range(len(cands)), key=lambda i: (score[i], i))
    chain: list[Numbered] = []
    at: int | None = end
    while at is not None:
        chain.append(cands[at])
        at = prev[at]
    return score[end], chain[::-1]


def find_sequence(text: str) -> list[Numbered]:
    """The items of a flattened text, or [] when no numbering is convincing."""
    cands = candidates(text)
    total, chain = longest_chain(cands)
    if total >= MIN_SCORE:
        return _body_after_contents(cands, chain)
    if chain and _confirmed_single(text, chain[0], cands):
        return chain
    return []


def _body_after_contents(cands: list[Numbered], chain: list[Numbered]) -> list[Numbered]:
    """When the numbering restarts after the chain, the chain was a list of contents."""
    tail = [c for c in cands if c.start > chain[-1].start]
    total, body = longest_chain(tail)
    if total >= MIN_SCORE and body[0].lo == chain[0].lo:
        return body
    return chain


def _confirmed_single(text: str, cand: Numbered, cands: list[Numbered]) -> bool:
    """A lone item counts when something before it states its number.

    Either a stated range starts with it ("Omfattning §§ 4-9" before "§ 4 Årsrapport") or a
    contents list names it with the same first title word ("33 Delårsbokslut … 33
    Delårsbokslut jan-april").
    """
    if any(int(m.group("lo")) == cand.lo and m.end() <= cand.start for m in _RANGE.finditer(text)):
        return True
    word = _first_word(text, cand)
    return any(
        c.lo == cand.lo and c.start < cand.start and _first_word(text, c) == word for c in cands
    )


def _first_word(text: str, cand: Numbered) -> str:
    return text[cand.body : cand.body + 40].split(maxsplit=1)[0].casefold()
