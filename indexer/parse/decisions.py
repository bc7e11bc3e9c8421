"""Decisions and action tables inside one agenda item's text.

Decisions are written three ways in the seeds: a "BESLUT:" / "Beslut:" heading with the text
after it; a "Beslut" heading or a "Styrelsen beslutar" line followed by "att …" clauses; and a
sentence whose subject is the body ("Kommunchefsgruppen beslutar …", "Styrgruppen beslutar att
…", "Dagordningen godkännes."). Each "att"-clause is one decision (kept with its "att", so it
reads as written); a heading with prose after it is one decision; a sentence is one decision.

ÅTGÄRDER–SLUTDATUM–ANSVARIG tables become ``Action``s. PDF extraction flattens them into one
line, so rows are recovered by walking the text: what is written up to a date (the due date)
and a known person's name (the responsible) forms a row.
"""

from __future__ import annotations

import re

from indexer.parse.labels import labels
from indexer.records import Action

_SPEC = labels()["decisions"]
_HEADING = re.compile(
    rf"^[ \t]*(?:BESLUT|(?i:{_SPEC['heading']}))\s*(?::|$|\n)[ \t]*(?P<rest>[^\n]*)",
    re.MULTILINE,
)
_INLINE_HEADING = re.compile(r"(?<=\s)BESLUT:?\s+(?P<rest>[A-ZÅÄÖ][^\n]*)")
_SUFFIXES = _SPEC["subject_suffixes"]
_SUBJECT_VERB = re.compile(
    rf"(?<![\w-])(?:[A-ZÅÄÖ]\w*(?:{_SUFFIXES})|{_SPEC['subjects']})"
    rf"\s+(?:också\s+|även\s+|därför\s+)?(?:{_SPEC['verbs']})(?!\w)"
)
_PASSIVE = re.compile(rf"(?<!\w)(?:{_SPEC['passive']})(?!\w)", re.IGNORECASE)
_ATT_LINE = re.compile(r"^[ \t]*(?:[-–•*][ \t]*)?(?:samt\s+)?(att\b.*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\"”])|\n")
_ACTION_HEADER = re.compile(r"ÅTGÄRDER[\s|]+SLUTDATUM[\s|]+ANSVARIG", re.IGNORECASE)
_ISO = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")
_GENERIC_NAME = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)? [A-ZÅÄÖ][a-zåäöé]+(?: [A-ZÅÄÖ][a-zåäöé]+)?\b")


def _att_clauses(lines: list[str]) -> tuple[list[str], int]:
    """Leading "att …" clauses (blank lines allowed between) and how many lines they used."""
    clauses: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _ATT_LINE.match(line)
        if not match:
            break
        clauses.append(match.group(1).strip().rstrip("*").strip())
        used = i + 1
    return clauses, used


def _paragraph(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line.strip():
            if out:
                break
            continue
        out.append(line.strip())
    return " ".join(out)


def find_decisions(text: str) -> tuple[str, ...]:
    decisions: list[str] = []
    covered: list[tuple[int, int]] = []
    for match in list(_HEADING.finditer(text)) + list(_INLINE_HEADING.finditer(text)):
        if any(a <= match.start() < b for a, b in covered):
            continue
        rest = match.group("rest").strip()
        tail = text[match.end() :].split("\n")
        paragraph_end = text.find("\n\n", match.end())
        block_end = len(text) if paragraph_end < 0 else paragraph_end
        if rest and not _ATT_LINE.match(rest):
            found = [_paragraph([rest, *tail])]
        else:
            clauses, used = _att_clauses(([rest] if rest else []) + tail)
            found = clauses or ([_paragraph(tail)] if _paragraph(tail) else [])
            if clauses:
                block_end = match.end() + sum(len(t) + 1 for t in tail[:used])
        covered.append((match.start(), block_end))
        decisions.extend(f for f in found if f)
    decisions.extend(_sentence_decisions(text, covered))
    return tuple(dict.fromkeys(d for d in decisions if len(d) > 2))


def _sentence_decisions(text: str, covered: list[tuple[int, int]]) -> list[str]:
    out: list[str] = []
    pos = 0
    for piece in _SENTENCE_END.split(text):
        start = text.find(piece, pos)
        pos = start + len(piece)
        if any(a <= start < b for a, b in covered) or not piece.strip():
            continue
        sentence = piece.strip()
        match = _SUBJECT_VERB.search(sentence)
        if match:
            remainder = sentence[match.end() :].strip(" :")
            if not remainder:
                clauses, _ = _att_clauses(text[pos:].split("\n"))
                out.extend(clauses)
                continue
            out.append(sentence[match.start() :])
        elif _PASSIVE.search(sentence) and len(sentence) < 300:
            out.append(sentence)
    return out


def find_actions(text: str, people: tuple[str, ...]) -> tuple[Action, ...]:
    header = _ACTION_HEADER.search(text)
    if not header:
        return ()
    segment = text[header.end() :]
    marks: list[tuple[int, int, str, str]] = []
    for name in people:
        for m in re.finditer(re.escape(name), segment):
            marks.append((m.start(), m.end(), "who", name))
    if not people:
        for m in _GENERIC_NAME.finditer(segment):
            marks.append((m.start(), m.end(), "who", m.group(0)))
    for m in _ISO.finditer(segment):
        marks.append((m.start(), m.end(), "due", m.group(0)))
    marks.sort()
    actions: list[Action] = []
    cursor, due, what = 0, None, ""
    for start, end, kind, value in marks:
        if start < cursor:
            continue
        piece = segment[cursor:start].strip(" ,;")
        if piece and not what:
            what = piece
        if kind == "due":
            due = due or value
        else:
            if what:
                actions.append(Action(what=re.sub(r"\s+", " ", what), due=due, responsible=value))
            what, due = "", None
        cursor = end
    return tuple(actions)
