"""Attendees from the labelled lists at the top of the minutes.

Sections start at labels ("Närvarande", "Beslutande", "Anmält förhinder", "Frånvarande" …,
see ``parse_labels.toml``) and end at the next label, the first agenda item, or a paragraph of
prose. Lists come one per line ("Kurt-Allan Egelby, Bjurholm"), run on ("Håkan Wretling,
Bjurholms kommun Karin Ahnqvist, …"), grouped by municipality ("Norsjö: Mikael Lindfors,
Katarzyna Wikström Sorsele: …") or with party codes ("Anna Karlsson (S) Nora"). The text is
first cut into tokens; a token that looks like a person's name starts an attendee, the tokens
after it are that person's role, municipality or affiliation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from indexer import reference
from indexer.parse.labels import labels, regex
from indexer.records import Attendee

_NAME_WORD = r"(?:[A-ZÅÄÖÉÜ][a-zåäöéèüø]+(?:[A-ZÅÄÖ][a-zåäöéüø]+)?(?:-[A-ZÅÄÖ]?[a-zåäöéüø]+)?)"
_NAME = re.compile(rf"^{_NAME_WORD}(?:\s+(?:[A-ZÅÄÖ]\.?(?=\s)|{_NAME_WORD})){{1,3}}")
_PARTY = re.compile(r"\(([A-Za-zÅÄÖåäö-]{1,4})\)")
_NOT_NAME_END = re.compile(r"(?:kommun|kansli|stad|AB|förbund|förbundet|regionen|län)$", re.IGNORECASE)
_PROSE_PARAGRAPH = 80
_WORD_BEFORE = re.compile(r"(?:\d|[a-zåäö])[ \t]+$")
_SURNAME_AFTER = re.compile(r"[ \t]+(?!(?:kommun|stad|län)\b)[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?(?![\w(])")


@dataclass
class _Draft:
    name: str
    present: bool
    role: str | None = None
    municipality: str | None = None
    affiliation: list[str] = field(default_factory=list)

    def done(self) -> Attendee:
        aff = ", ".join(self.affiliation) or None
        return Attendee(self.name, self.role, self.municipality, self.present, aff)


def _label_pattern(names: list[str]) -> str:
    alts = sorted(names, key=len, reverse=True)
    return "|".join(re.escape(n) for n in alts) + "|" + "|".join(re.escape(n.upper()) for n in alts)


def sections(head: str) -> list[tuple[bool, str]]:
    """(present, text) for each attendee section in the opening text."""
    spec = labels()["attendees"]
    starts = re.compile(
        rf"(?<![\w])({_label_pattern(spec['present'])}|(?P<absent>{_label_pattern(spec['absent'])}))"
        r"(?:\s*:|(?=\s))"
    )
    stops = re.compile(rf"(?<![\w])(?:{_label_pattern(spec['stop'])})(?![\wåäö])")
    out = []
    hits = list(starts.finditer(head))
    for i, hit in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(head)
        body = head[hit.end() : end]
        stop = stops.search(body)
        if stop and stop.start() > 0:
            body = body[: stop.start()]
        out.append((hit.group("absent") is None, _cut_at_prose(body)))
    return out


def _cut_at_prose(body: str) -> str:
    """A section ends at the first paragraph that reads like prose rather than a list."""
    paragraphs = body.split("\n\n")
    kept = [paragraphs[0]]
    for para in paragraphs[1:]:
        line = para.strip()
        if len(line) >= _PROSE_PARAGRAPH and line.count(",") < 2 and not _PARTY.search(line):
            break
        kept.append(para)
    return "\n\n".join(kept)


def _tokens(text: str) -> list[str]:
    """Cut a list into name / affiliation tokens."""
    text = re.sub(r"\b(kommun|kansli|stad|AB)\b(?=\s+[A-ZÅÄÖ])", r"\1\n", text)
    text = re.sub(r"\)\s+(?=[A-ZÅÄÖ])", ")\n", text)
    text = re.sub(r"\s+(?=(?:19|20)\d\d-\d\d-\d\d)", "\n", text)
    text = re.sub(r"\s*\bkl\.?\s*\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?\s*", "\n", text)
    text = re.sub(r"\s(?=[A-ZÅÄÖ][\w-]+:\s)", "\n", text)  # "… Sorsele: Kjell …"
    parts = re.split(r"\n|\t|,|\s+och\s+|;", text)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def _is_name(token: str) -> re.Match[str] | None:
    match = _NAME.match(token)
    if not match:
        return None
    words = match.group(0)
    first = words.split()[0]
    if reference.municipality_name(first) or reference.municipality_name(words):
        return None
    if reference.match_organisation(words) or _NOT_NAME_END.search(words):
        return None
    if regex("attendees", "roles").match(words) or regex("attendees", "not_names").match(first):
        return None
    return match


def _split_leading(token: str) -> tuple[str | None, str]:
    """ "Lindesberg Jerry Elvin (S)" → ("Lindesberg", "Jerry Elvin (S)"); roles likewise."""
    role = regex("attendees", "roles").match(token)
    if role and token[role.end() :].strip()[:1].isupper():
        return token[: role.end()], token[role.end() :].strip()
    first, _, rest = token.partition(" ")
    municipal_word = re.match(r"kommuns?\b|stad\b", rest, re.IGNORECASE)
    if rest and not municipal_word and reference.municipality_name(first.strip(",")):
        return first, rest
    return None, token


def _apply(draft: _Draft, token: str) -> None:
    role = regex("attendees", "roles").search(token)
    if role and draft.role is None:
        draft.role = role.group(0).rstrip(".")
    found = tuple(
        m.name for m in reference.municipality_mentions(token) if not _first_name(token, m.start, m.end)
    ) or tuple(filter(None, [reference.municipality_name(token.strip(" ,.:"))]))
    if found and draft.municipality is None:
        draft.municipality = found[0]
    if not role and not token[:1].isdigit() and len(token) < 60:
        draft.affiliation.append(token)


def _first_name(token: str, start: int, end: int) -> bool:
    """ "… paragraf 6 Vilhelmina Berg": a place name after a word or number and before a surname
    is a person's first name ("(S). Älvsbyn Tomas Berg" and "Lindesberg Jerry Elvin" are a
    municipality heading the next person)."""
    return bool(_WORD_BEFORE.search(token, 0, start)) and bool(_SURNAME_AFTER.match(token, end))


def parse_section(text: str, present: bool) -> list[Attendee]:
    drafts: list[_Draft] = []
    group: str | None = None
    for raw in _tokens(text):
        token = raw
        label = re.match(r"^([A-ZÅÄÖ][\w-]+):\s*(.*)$", token)
        if label and (reference.municipality_name(label.group(1)) or reference.match_organisation(label.group(1))):
            group, token = label.group(1), label.group(2)
            if not token:
                continue
        lead, token = _split_leading(token)
        while lead:
            if drafts:
                _apply(drafts[-1], lead)
            lead, token = _split_leading(token)
        name = _is_name(token)
        if name:
            draft = _Draft(name.group(0), present)
            drafts.append(draft)
            rest = token[name.end() :].strip()
            party = _PARTY.search(rest)
            if party:
                draft.affiliation.append(f"({party.group(1)})")
                rest = _PARTY.sub(" ", rest).strip()
            if group:
                _apply(draft, group)
            if rest:
                _apply(draft, rest)
        elif drafts:
            _apply(drafts[-1], token)
    return [d.done() for d in drafts]


def _fold(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_.lower())


def parse_attendees(head: str) -> tuple[Attendee, ...]:
    """All attendees in the opening text; a person listed twice keeps the first entry."""
    seen: dict[str, Attendee] = {}
    for present, text in sections(head):
        for attendee in parse_section(text, present):
            seen.setdefault(_fold(attendee.name), attendee)
    return tuple(seen.values())
