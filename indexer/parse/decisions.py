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
_EARLIER = re.compile(rf"(?<!\w)(?:{_SPEC['earlier']})", re.IGNORECASE)
_CLAUSE_START = re.compile(r"\s(?:att|om|angående|rörande)\s|[.;:]")
EARLIER_WINDOW = 60
_PASSIVE = re.compile(rf"(?<!\w)(?:{_SPEC['passive']})(?!\w)", re.IGNORECASE)
_RELATIVE = re.compile(r"(?<!\w)som\s+(?:\w+\s+)?$", re.IGNORECASE)  # "frågor som noterades"
_PROPOSAL = re.compile(rf"(?<!\w)(?:{_SPEC['proposal']})", re.IGNORECASE)
_ATT_LINE = re.compile(r"^[ \t]*(?:[-–•*][ \t]*)?(?:samt\s+)?(att\b.*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\"”])|\n(?![a-zåäö])")
_ACTION_HEADER = re.compile(r"ÅTGÄRD(?:ER)?[\s|]+SLUTDATUM[\s|]+ANSVARIG", re.IGNORECASE)
_ISO = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")
_GENERIC_NAME = re.compile(r"[A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)? [A-ZÅÄÖ][a-zåäöé]+(?:[A-ZÅÄÖ][a-zåäöé]+)?(?: [A-ZÅÄÖ][a-zåäöé]+)?\b")


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
        if _proposal(sentence, match):
            continue
        if match and _reported(sentence, match.end()):
            continue
        if match:
            remainder = sentence[match.end() :].strip(" :")
            if not remainder:
                clauses, _ = _att_clauses(text[pos:].split("\n"))
                out.extend(clauses)
                continue
            out.append(re.sub(r"\s+", " ", sentence[match.start() :]))
        elif (passive := _PASSIVE.search(sentence)) and len(sentence) < 300 and not _RELATIVE.search(
            sentence, 0, passive.start()
        ):
            if _reported(sentence, passive.end()):
                continue
            out.append(re.sub(r"\s+", " ", sentence))
    return out


def _proposal(sentence: str, verb: re.Match[str] | None) -> bool:
    """ "Förslag till beslut: Styrelsen godkänner …" proposes; "Gruppen beslutar presentera ett
    förslag till beslut …" decides: a proposal phrase counts only before the deciding verb."""
    found = _PROPOSAL.search(sentence)
    return found is not None and (verb is None or found.start() < verb.end())


def _reported(sentence: str, verb_end: int) -> bool:
    """True when the words after the verb place the decision at an earlier meeting.

    "Styrelsen beslutade vid det senaste sammanträdet om deltagande …" (002 § 23) reports
    background; "Kommunchefsgruppen beslutade att bjuda in …" is this meeting's decision.
    Only the words before the decision's own clause ("att", "om") are read, so a date
    inside the decision ("… till regionrådsmötet den 4 september 2008") does not count.
    """
    window = sentence[verb_end : verb_end + EARLIER_WINDOW]
    clause = _CLAUSE_START.search(window)
    return _EARLIER.search(window[: clause.start()] if clause else window) is not None


def find_actions(text: str, people: tuple[str, ...]) -> tuple[Action, ...]:
    """Rows of an ÅTGÄRDER–SLUTDATUM–ANSVARIG table, as far as the text shows them.

    Row by row ("Bjud in KAC … 2017-04-25 Magnus Haglund") each task is followed by its due
    date and person. Flattened column by column, several tasks come first and then a block of
    date/person pairs ("… Karin Ahnqvist 2017-05-10 Lisa Andersson Lindberg 2017-04-17 …"):
    a date followed by a name is one row's due date and responsible. The tasks are matched to
    the rows only when the text splits into exactly as many tasks; otherwise the first row
    keeps the whole task text and the others get none — a wrong pairing would be invented.
    """
    header = _ACTION_HEADER.search(text)
    if not header:
        return ()
    segment = _table_lines(text[header.end() :])
    actions: list[Action] = []
    cursor = 0
    for start, end, rows in _pair_blocks(segment, people):
        if not any(who for _, who in rows):
            continue  # a lone date in prose ("… vid kommunchefsmötet 2017-05-10") is no row
        tasks = _split_tasks(segment[cursor:start], len(rows))
        for task, (due, who) in zip(tasks, rows):
            actions.append(Action(what=task, due=due, responsible=who))
        cursor = end
    return tuple(actions)


def _table_lines(segment: str) -> str:
    """The header's line and the lines after it that still hold a date (a flattened table)."""
    lines = segment.split("\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if not _ISO.search(line):
            break
        kept.append(line)
    return "\n".join(kept)


def _marks(segment: str, people: tuple[str, ...]) -> list[tuple[int, int, str, str]]:
    """Dates and person names in order; an unknown name counts only right after a date."""
    marks: list[tuple[int, int, str, str]] = []
    for name in people:
        marks.extend((m.start(), m.end(), "who", name) for m in re.finditer(re.escape(name), segment))
    dates = [(m.start(), m.end(), "due", m.group(0)) for m in _ISO.finditer(segment)]
    marks.extend(dates)
    for _, end, _, _ in dates:
        gap = re.match(r"[ \t|]+", segment[end:])
        after = _GENERIC_NAME.match(segment, end + gap.end()) if gap else None
        if after and not any(s <= after.start() < e for s, e, _, _ in marks):
            marks.append((after.start(), after.end(), "who", after.group(0)))
    marks.sort()
    out: list[tuple[int, int, str, str]] = []
    for mark in marks:
        if not out or mark[0] >= out[-1][1]:
            out.append(mark)
    return out


def _pair_blocks(segment: str, people: tuple[str, ...]) -> list[tuple[int, int, list[tuple[str | None, str | None]]]]:
    """(start, end, [(due, responsible) …]) for each run of marks with only spaces between."""
    blocks: list[tuple[int, int, list[tuple[str | None, str | None]]]] = []
    for start, end, kind, value in _marks(segment, people):
        joined = blocks and not segment[blocks[-1][1] : start].strip(" ,;|\t")
        if not joined:
            blocks.append((start, end, []))
        b_start, _, rows = blocks[-1]
        if kind == "due":
            rows.append((value, None))
        elif rows and rows[-1][1] is None:
            rows[-1] = (rows[-1][0], value)
        else:
            rows.append((None, value))
        blocks[-1] = (b_start, end, rows)
    return blocks


_TASK_BREAK = re.compile(r"\s*\n\s*")  # only cells on lines of their own are sure to be tasks


def _split_tasks(chunk: str, rows: int) -> list[str]:
    """``rows`` task texts: split at line ends when that gives exactly ``rows``.

    Sentence ends are no guide: one cell often holds two sentences ("Sätt samman en
    arbetsgrupp? Beskrivning av …"), so a flattened run of tasks stays whole.
    """
    chunk = re.sub(r"[ \t|]+", " ", chunk).strip(" ,;\n")
    pieces = [p.strip() for p in _TASK_BREAK.split(chunk) if p.strip()]
    if rows > 1 and len(pieces) == rows:
        return pieces
    return [chunk.replace("\n", " ")] + [""] * (rows - 1)
