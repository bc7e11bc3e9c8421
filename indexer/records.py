"""Parsed minutes as plain, frozen records.

Every later stage (tagging, index, search, web, CLI) consumes these records and nothing else,
so this module is the contract between the parser and the rest. The dict form produced by
``to_dict`` is what ``protokoll parse --json``, ``/api/meetings/<id>`` and the golden test files
use; ``from_dict`` reads it back (the index stores it to rebuild meeting pages without
re-parsing the source file).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

# Bump when the shape of to_dict() changes in a way readers must know about.
FORMAT_VERSION = 2


@dataclass(frozen=True)
class ParseWarning:
    """Something the parser could not determine; the value is left empty rather than guessed."""

    field: str
    message: str


@dataclass(frozen=True)
class Attendee:
    name: str
    role: str | None = None
    municipality: str | None = None  # canonical name from kommuner.csv, or None
    present: bool = True
    affiliation: str | None = None  # free text after the name ("Umeåregionens kansli", "(S)")


@dataclass(frozen=True)
class Action:
    """One row of an ÅTGÄRDER–SLUTDATUM–ANSVARIG table."""

    what: str
    due: str | None = None
    responsible: str | None = None


@dataclass(frozen=True)
class AgendaItem:
    number: str  # as written: "3", "§ 15", "8.1"
    title: str
    text: str = ""
    decisions: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    dnr: str | None = None
    municipalities: tuple[str, ...] = ()  # canonical names mentioned in the item
    topics: tuple[str, ...] = ()  # topic ids, set by tagging
    procedural: bool = False  # "Mötets öppnande", "Val av justerare" …, set by tagging

    @property
    def anchor(self) -> str:
        """Stable HTML anchor so a single decision can be cited by link."""
        return item_anchor(self.number)


@dataclass(frozen=True)
class Passage:
    """A stretch of the file's text that no agenda item holds: header, attendance list,
    preamble, text after the last item, or all of a file in which no item was found.

    Searchable as a hit of its own, so no word of a file is ever lost (issue 11).
    """

    number: int  # 1, 2, … in document order
    title: str  # the first heading or line, shortened
    text: str  # as in the cleaned file, line breaks kept
    attendance: str = ""  # the lines of ``text`` that list attendees (names, roles, parties)

    @property
    def anchor(self) -> str:
        return passage_anchor(self.number)

    @property
    def body(self) -> str:
        """The non-blank lines of ``text`` that are not attendance lines (those are a
        subsequence of its lines, taken out in order)."""
        listed = iter(self.attendance.splitlines())
        pending = next(listed, None)
        kept: list[str] = []
        for line in self.text.splitlines():
            if pending is not None and line == pending:
                pending = next(listed, None)
            elif line.strip():
                kept.append(line)
        return "\n".join(kept)


@dataclass(frozen=True)
class Meeting:
    id: str
    source: str
    sha256: str
    format: str
    organisation: str | None = None
    body: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    start_time: str | None = None  # "09:00"
    end_time: str | None = None
    place: str | None = None
    attendees: tuple[Attendee, ...] = ()
    municipalities: tuple[str, ...] = ()  # participating municipalities (canonical)
    mentioned_municipalities: tuple[str, ...] = ()  # places merely mentioned (canonical), not participating
    items: tuple[AgendaItem, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()
    kind: str = "minutes"  # minutes | agenda | meeting page
    title: str | None = None
    ocr: bool = False  # the text was read from page images by OCR (a scanned PDF)
    date_inferred: bool = False  # the year was completed from the document ("den 3 april")
    decision_count: int = 0  # decisions recorded in the document, in items and outside them
    passages: tuple[Passage, ...] = ()  # text no item holds, set by indexer.passages
    format_version: int = FORMAT_VERSION

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Meeting:
        items = tuple(
            AgendaItem(
                **{
                    **item,
                    "decisions": tuple(item.get("decisions", ())),
                    "actions": tuple(Action(**a) for a in item.get("actions", ())),
                    "municipalities": tuple(item.get("municipalities", ())),
                    "topics": tuple(item.get("topics", ())),
                }
            )
            for item in data.get("items", ())
        )
        return cls(
            **{
                **data,
                "attendees": tuple(Attendee(**a) for a in data.get("attendees", ())),
                "municipalities": tuple(data.get("municipalities", ())),
                "mentioned_municipalities": tuple(data.get("mentioned_municipalities", ())),
                "items": items,
                "warnings": tuple(ParseWarning(**w) for w in data.get("warnings", ())),
                "passages": tuple(Passage(**p) for p in data.get("passages", ())),
            }
        )


def slugify(text: str) -> str:
    """ASCII, lower-case, dash-separated: readable ids that survive URLs and file systems."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def meeting_id(organisation: str | None, body: str | None, date: str | None, sha256: str) -> str:
    """Natural key ``organisation-body-date``; a hash prefix stands in for what is unknown."""
    parts = [slugify(organisation or "okand-organisation"), slugify(body or "okant-organ")]
    parts.append(date or sha256[:10])
    return "-".join(p for p in parts if p)


def item_anchor(number: str) -> str:
    """"§ 15" → "paragraf-15", "8.1" → "punkt-8-1"."""
    digits = re.sub(r"[^0-9]+", "-", number).strip("-") or slugify(number) or "x"
    prefix = "paragraf" if "§" in number else "punkt"
    return f"{prefix}-{digits}"


def passage_anchor(number: int) -> str:
    """Passage 3 → "avsnitt-3"."""
    return f"avsnitt-{number}"


@dataclass(frozen=True)
class FolderDefaults:
    """Values a user states for a whole archive folder (``protokoll.toml``); the document wins."""

    organisation: str | None = None
    body: str | None = None
    kind: str | None = None
    municipalities: tuple[str, ...] = field(default_factory=tuple)
