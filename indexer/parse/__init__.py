"""Cleaned minutes text → one ``Meeting`` record. Pure: no files, no logging, never raises.

The stages are small modules: ``header`` (organisation, body, kind, place), ``dates`` (the
meeting's own date and times), ``attendees``, ``items`` (numbering and titles) and
``decisions`` (decisions and action tables). What cannot be found is left empty and recorded
as a ``ParseWarning``; folder defaults fill in only what the document does not say.
"""

from __future__ import annotations

import dataclasses
import re

from indexer import reference
from indexer.parse import attendees as attendees_mod
from indexer.parse import columns, dates, decisions, header, items, marks, participation
from indexer.records import (
    AgendaItem,
    Attendee,
    FolderDefaults,
    Meeting,
    ParseWarning,
    meeting_id,
)

__all__ = ["parse_minutes"]

MAX_TITLE = 160


def parse_minutes(
    text: str,
    *,
    source: str,
    sha256: str,
    fmt: str,
    defaults: FolderDefaults | None = None,
) -> Meeting:
    """Parse cleaned text; on any internal failure fall back to an empty, warned Meeting."""
    defaults = defaults or FolderDefaults()
    try:
        return _parse(text, source=source, sha256=sha256, fmt=fmt, defaults=defaults)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop a whole corpus
        warning = ParseWarning("parser", f"Tolkningen avbröts ({type(exc).__name__}); bara "
                                         "standardvärden används.")
        return Meeting(
            id=meeting_id(defaults.organisation, defaults.body, None, sha256),
            source=source, sha256=sha256, format=fmt, organisation=defaults.organisation,
            body=defaults.body, kind=defaults.kind or "minutes", warnings=(warning,),
            municipalities=tuple(defaults.municipalities),
        )


def _parse(text: str, *, source: str, sha256: str, fmt: str, defaults: FolderDefaults) -> Meeting:
    warnings: list[ParseWarning] = []
    marked = marks.repair(text)  # same length: positions hold in both texts
    spans = items.find_items(marked)
    head_end = spans[0].start if spans else min(len(text), header.HEAD)
    head = text[:head_end]

    date = dates.meeting_date(text)
    start_time, end_time = dates.meeting_times(text, date.start if date else None)
    place = header.find_place(text)
    body = header.find_body(text) or defaults.body
    org = header.find_organisation(text, body=body, place=place, default=defaults.organisation,
                                   head_end=head_end)
    if org.warning:
        warnings.append(ParseWarning("organisation", org.warning))
    if not date:
        warnings.append(ParseWarning("date", "Mötesdatum kunde inte utläsas ur texten."))
    elif date.inferred:
        warnings.append(ParseWarning("date", f"Mötesdatumet saknar årtal i texten; året ({date.iso[:4]}) "
                                             "är härlett ur dokumentets övriga datum och diarienummer."))
    if date and date.weekday is False:
        warnings.append(ParseWarning("date", f"Veckodagen i texten stämmer inte med datumet {date.iso}."))
    if not body:
        warnings.append(ParseWarning("body", "Organet (t.ex. styrelse, kommunchefsgrupp) "
                                             "kunde inte utläsas ur texten."))
    people = attendees_mod.parse_attendees(head)
    kind = header.find_kind(text) or defaults.kind or "minutes"
    agenda = _items(marked, spans, people)
    outside = decisions.find_decisions(text) if not agenda else ()
    if kind == "agenda":  # an agenda's "decisions" are proposals for the meeting to come
        agenda = tuple(dataclasses.replace(item, decisions=()) for item in agenda)
        outside = ()
    if not agenda:
        warnings.append(ParseWarning("items", "Inga numrerade ärenden hittades."))
    host = header.host_municipality(place)
    iso = date.iso if date else None
    participating = participation.participating(text, head, org.value, people, host, defaults)
    return Meeting(
        id=meeting_id(org.value, body, iso, sha256),
        source=source,
        sha256=sha256,
        format=fmt,
        organisation=org.value,
        body=body,
        date=iso,
        start_time=start_time,
        end_time=end_time,
        place=place,
        attendees=people,
        municipalities=participating,
        mentioned_municipalities=tuple(m for m in reference.find_municipalities(text) if m not in participating),
        items=agenda,
        warnings=tuple(warnings),
        kind=kind,
        title=_title(text),
        date_inferred=bool(date and date.inferred),
        decision_count=sum(len(item.decisions) for item in agenda) + len(outside),
    )


def _title(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            return re.sub(r"\s+", " ", line).strip()[:MAX_TITLE]
    return None


def _items(text: str, spans: list[items.ItemSpan], people: tuple[Attendee, ...]) -> tuple[AgendaItem, ...]:
    names = tuple(p.name for p in people)
    entries, dnrs = [], []
    for i, span in enumerate(spans):
        end = spans[i + 1].start if i + 1 < len(spans) else len(text)
        raw = text[span.body : end]
        title, body = items.split_title(raw, line_mode=span.line_mode)
        entries.append(columns.Entry(span.number, title, body, inline="\n" not in raw.strip()))
        dnrs.append(items.find_dnr(raw[:400]))
    out: list[AgendaItem] = []
    for entry, span, dnr in zip(columns.rearrange(entries), spans, dnrs):
        body = entry.text
        subs = items.bullet_subitems("\n\n" + body, span.number) if span.sub is None else []
        own = body if not subs else ("\n\n" + body)[: subs[0][0]]
        out.append(_item(span.number, entry.title, own, names, dnr=dnr))
        padded = "\n\n" + body
        for j, (_, sub_body, number, sub_title) in enumerate(subs):
            sub_end = subs[j + 1][0] if j + 1 < len(subs) else len(padded)
            sub_text = padded[sub_body:sub_end]
            out.append(_item(number, sub_title, sub_text, names, dnr=items.find_dnr(sub_text[:300])))
    return tuple(out)


def _item(
    number: str, title: str, text: str, people: tuple[str, ...], *, dnr: str | None
) -> AgendaItem:
    text = text.strip()
    return AgendaItem(
        number=number,
        title=title,
        text=text,
        decisions=decisions.find_decisions(text),
        actions=decisions.find_actions(text, people),
        dnr=dnr,
        municipalities=reference.find_municipalities(title + "\n" + text),
    )
