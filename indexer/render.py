"""A readable Swedish summary of one parsed meeting, for ``protokoll parse FILE``.

The JSON form (``--json``) is complete; this summary is for a person checking what the parser
understood: the metadata, who attended, every item with its decisions and actions, and what
the parser could not find.
"""

from __future__ import annotations

from indexer.records import AgendaItem, Attendee, Meeting

KIND_SV = {"minutes": "protokoll/minnesanteckningar", "agenda": "kallelse/dagordning",
           "meeting page": "mötessida"}  # fmt: skip
MISSING = "–"


def _line(label: str, value: str | None) -> str:
    return f"{label:<14}{value or MISSING}"


def _time(meeting: Meeting) -> str | None:
    if meeting.start_time and meeting.end_time:
        return f"{meeting.start_time}–{meeting.end_time}"
    return meeting.start_time


def _attendee(person: Attendee) -> str:
    extra = [x for x in (person.role, person.municipality or person.affiliation) if x]
    return person.name + (f" ({', '.join(extra)})" if extra else "")


def _item(item: AgendaItem) -> list[str]:
    indent = "    " if "." in item.number else "  "
    number = f"{item.number}." if item.number.isdigit() else item.number
    lines = [f"{indent}{number} {item.title}" + (f"  [{item.dnr}]" if item.dnr else "")]
    lines += [f"{indent}    Beslut: {d}" for d in item.decisions]
    for action in item.actions:
        # A flattened table may give a row's date and person but no task text of its own.
        parts = [action.what or "(uppgift ej utläst)"] + [p for p in (action.due, action.responsible) if p]
        lines.append(f"{indent}    Åtgärd: {' – '.join(parts)}")
    return lines


def meeting_summary(meeting: Meeting) -> str:
    present = [a for a in meeting.attendees if a.present]
    absent = [a for a in meeting.attendees if not a.present]
    lines = [
        _line("Möte:", meeting.id),
        _line("Typ:", KIND_SV.get(meeting.kind, meeting.kind)),
        _line("Organisation:", meeting.organisation),
        _line("Organ:", meeting.body),
        _line("Datum:", meeting.date),
        _line("Tid:", _time(meeting)),
        _line("Plats:", meeting.place),
        _line("Kommuner:", ", ".join(meeting.municipalities) or None),
        _line("Närvarande:", "; ".join(_attendee(a) for a in present) or None),
    ]
    if absent:
        lines.append(_line("Frånvarande:", "; ".join(_attendee(a) for a in absent)))
    decisions = sum(len(i.decisions) for i in meeting.items)
    lines += ["", f"Ärenden ({len(meeting.items)}, {decisions} beslut):"]
    for item in meeting.items:
        lines += _item(item)
    if not meeting.items:
        lines.append("  (inga ärenden hittades)")
    if meeting.warnings:
        lines += ["", "Kunde inte avgöras:"]
        lines += [f"  - {w.field}: {w.message}" for w in meeting.warnings]
    lines += ["", f"Källa: {meeting.source} ({meeting.format})"]
    return "\n".join(lines)
