"""Agenda items from two-column pages flattened into one line (Skellefteregionen seed).

Minutes laid out in two columns — agenda titles on the left, notes on the right — come out of
PDF-to-web converters as "1. Presentation 2. Uppföljning av tidigare möte 3. … 4. Rapport …
En presentationsrunda genomförs …": a *run* of numbers with bare titles, then the notes of all
of them in one stretch. Left alone, every note lands under the run's last item.

A run is recognised by its shape, not by the document: two or more consecutive items whose
text is a short title on the same line as the next number, followed by an item with prose.
The prose is then cut into sentences and each item of the run is anchored at the first
sentence that clearly echoes its title (stems of the title's words, weighted by how rare they
are in the stretch, so "kommun" counts for little and "Lägesrapport" for a lot; notes open
with their subject, so beyond about one rare echo a later sentence does not outbid an
earlier one). A sentence that opens
with a short label ("Jan/Sorsele:") is a weak anchor for an item whose title is not echoed at
all. Anchors keep the agenda's order. Notes before the run's first anchor continue the item
before the run (the right column carried on from the previous page), and a paragraph that
opens in lower case ("samverkan Under 2015 …") is the end of the run's last title, wrapped
to the next page. Where the layout gives no clue the notes stay where they stood.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

MAX_RUN_TITLE_WORDS = 12
MIN_STEM = 4
MIN_BARE = 2  # one bare title before an item is just an item without notes
LABEL_WEIGHT = 0.6
COMPOUND_STEM = 6
ENOUGH = 0.9  # about one rare echo: a later sentence that echoes more does not outbid it
MIN_LEAD_WEIGHT = 0.5  # the first anchor must be this sure before notes move to the item before
_SENTENCE = re.compile(r"(?<=[.!?:])\s+(?=[-–]?\s*[A-ZÅÄÖ\"”])|\n\s*\n")
_LABEL_START = re.compile(r"^[A-ZÅÄÖ][\wåäö]*(?: [A-ZÅÄÖ]\.?)?/[A-ZÅÄÖ][\wåäö]*:")
_TITLE_WORD = re.compile(r"[^\W\d_]+")
_WRAPPED_TITLE = re.compile(r"(?:^|\n\s*\n)(?P<tail>[a-zåäö][\w-]*(?: [a-zåäö][\w-]*){0,2}) (?=[A-ZÅÄÖ])")
_STOP = {"från", "till", "inför", "inom", "samt", "eller", "över", "under", "efter", "ett", "och"}


@dataclass(frozen=True)
class Entry:
    """One agenda item's number, title and text, as the item parser found them."""

    number: str
    title: str
    text: str
    inline: bool  # the title stood on the same line as the next item's number


def rearrange(entries: list[Entry]) -> list[Entry]:
    """Entries with the notes of every flattened run moved under the item they belong to."""
    out = list(entries)
    i = 0
    while i < len(out):
        end = _run_end(out, i)
        if end is None:
            i += 1
            continue
        _spread(out, i, end)
        i = end + 1
    return out


def _is_bare_title(entry: Entry) -> bool:
    return entry.inline and not entry.text and len(entry.title.split()) <= MAX_RUN_TITLE_WORDS


def _run_end(entries: list[Entry], start: int) -> int | None:
    """Index of the item that closes a run starting at ``start`` (it holds the notes)."""
    j = start
    while j < len(entries) and _is_bare_title(entries[j]):
        j += 1
    if j - start < MIN_BARE or j >= len(entries) or len(_sentences(entries[j].text)) < j - start + 1:
        return None
    return j


def _sentences(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for piece in _SENTENCE.split(text):
        start = text.find(piece, pos)
        pos = start + len(piece)
        if piece.strip():
            out.append((start, piece))
    return out


def _stems(title: str) -> set[str]:
    """Word starts that echo a title word in the notes ("presentat" → "presentationsrunda")."""
    stems = set()
    for word in _TITLE_WORD.findall(title):
        low = word.lower()
        if word.isupper() and len(word) >= 2:
            stems.add(low)
        elif len(low) >= MIN_STEM and low not in _STOP:
            stems.add(low[: max(MIN_STEM, len(low) - 3)])
    return stems


def _echoes(stem: str, sentence: str) -> bool:
    """A stem echoes at a word start, or anywhere for long stems (compound tails)."""
    if len(stem) >= COMPOUND_STEM:
        return stem in sentence
    return re.search(rf"(?<![^\W\d_]){re.escape(stem)}", sentence) is not None


def _weights(titles: list[str], sentences: list[str]) -> list[list[float]]:
    """Weight of each sentence as the start of each title's notes (rare echoes weigh most).

    A word two titles share ("samverkan") tells them apart from nothing, so it is not used.
    """
    lowered = [s.lower() for s in sentences]
    scale = math.log(1 + len(sentences))
    stems = [_stems(title) for title in titles]
    rows = []
    for k, own in enumerate(stems):
        shared = set().union(*(other for j, other in enumerate(stems) if j != k))
        hits = {stem: [_echoes(stem, s) for s in lowered] for stem in own - shared}
        idf = {stem: math.log(1 + len(lowered) / sum(h)) / scale for stem, h in hits.items() if any(h)}
        row = []
        for i, sentence in enumerate(sentences):
            weight = sum(idf[stem] for stem in idf if hits[stem][i])
            if _LABEL_START.match(sentence.strip()):
                weight += LABEL_WEIGHT
            row.append(min(weight, ENOUGH))
        rows.append(row)
    return rows


def _anchors(weights: list[list[float]]) -> list[int | None]:
    """Increasing sentence index per item (or None) with the largest total weight.

    Dynamic programming over items × sentences; at equal totals the earlier anchor wins.
    """
    n = len(weights[0]) if weights else 0
    # best[k][s]: best total for items k.. using sentences s..
    best = [[0.0] * (n + 1) for _ in range(len(weights) + 1)]
    for k in range(len(weights) - 1, -1, -1):
        for s in range(n - 1, -1, -1):
            take = weights[k][s] + best[k + 1][s + 1] if weights[k][s] > 0 else -1.0
            best[k][s] = max(take, best[k][s + 1], best[k + 1][s])
    out: list[int | None] = []
    s = 0
    for k in range(len(weights)):
        choice = None
        for t in range(s, n):
            if weights[k][t] > 0 and abs(weights[k][t] + best[k + 1][t + 1] - best[k][s]) < 1e-9:
                choice = t
                break
            if abs(best[k][t + 1] - best[k][s]) > 1e-9:
                break
        out.append(choice)
        if choice is not None:
            s = choice + 1
    return out


def _spread(entries: list[Entry], start: int, end: int) -> None:
    """Cut the notes held by ``entries[end]`` among the run ``entries[start..end]``."""
    members = entries[start : end + 1]
    notes = entries[end].text
    wrapped = _WRAPPED_TITLE.search(notes)
    last_title = members[-1].title
    if wrapped and wrapped.start() > 0:
        last_title = f"{last_title} {wrapped.group('tail')}"
        notes = notes[: wrapped.start("tail")] + notes[wrapped.end() :]
    sentences = _sentences(notes)
    titles = [m.title for m in members[:-1]] + [last_title]
    weights = _weights(titles, [s for _, s in sentences])
    anchors = _anchors(weights)
    if all(a is None for a in anchors):
        return  # no title is echoed: an agenda without notes, or notes we cannot place
    cuts = [sentences[a][0] if a is not None else None for a in anchors]
    texts = _slice(notes, cuts)
    lead, own = texts[0], texts[1:]
    sure = anchors[0] is not None and weights[0][anchors[0]] >= MIN_LEAD_WEIGHT
    if lead and start > 0 and sure:
        before = entries[start - 1]
        entries[start - 1] = replace(before, text=f"{before.text}\n\n{lead}".strip())
    elif lead:
        own[0] = f"{lead}\n\n{own[0]}".strip()
    for k, member in enumerate(members):
        title = last_title if k == len(members) - 1 else member.title
        entries[start + k] = replace(member, title=title, text=own[k].strip())


def _slice(notes: str, cuts: list[int | None]) -> list[str]:
    """[text before the first anchor, then each member's own text] (empty when unanchored)."""
    marks = sorted((c, k) for k, c in enumerate(cuts) if c is not None)
    first_cut = marks[0][0] if marks else len(notes)
    out = [notes[:first_cut].strip()] + [""] * len(cuts)
    for i, (cut, k) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(notes)
        out[k + 1] = notes[cut:stop].strip()
    return out
