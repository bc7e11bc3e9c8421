"""Organisation, body (organ), kind and place from the opening of the minutes.

The file name is never used: everything comes from the text. The organisation is, in order of
trust: a known body from ``organisations.toml`` named in the opening; a municipality's own
letterhead ("LULEÅ KOMMUN", "Organ Hässleholms kommun", "Stockholms stad"); a known body named
further down; the folder default; and last an inference — a municipal organ meeting in one
municipality belongs to that municipality, a regional organ to the county's region — which is
flagged with a warning so a reader knows it was not written in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer import reference
from indexer.parse.dates import strip_dates
from indexer.parse.labels import labels, regex

HEAD = 1500
_PLACE_LABEL = re.compile(
    r"(?<![\w])(Plats och tid|Tid och plats|Tid/Plats|Dag/tid|Plats)\s*:?[ \t]*(?:\n\s*)?", re.IGNORECASE
)
_PLACE_STOP = re.compile(
    r"\s+(?:kl\.?(?=[\s\d])|klockan|Närvarande|Beslutande|Deltagare|Ordförande|Sekreterare|"
    r"Tid\b|Dag\b|Gruppmöten|Ev\.|Justerare|Utses|Ledamöter|Omfattning|ande\b|Datum\b|"
    r"Sammanträdesdatum|Kallelse)",
)
_WEEKDAY = re.compile(
    r"\b(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(?:en)?\s+(?:den\s+)?", re.IGNORECASE
)
_MUNICIPAL_ORG = re.compile(r"(?<![\w-])([A-ZÅÄÖ][\w-]*(?:\s[A-ZÅÄÖ][\w-]*)?)\s+(kommun|stad|KOMMUN|STAD)(?![\w])")
_LETTERHEAD_BEFORE = re.compile(r"(?:^|\n|>|\bOrgan:?)[ \t]*$")


@dataclass(frozen=True)
class Found:
    value: str | None
    warning: str | None = None


def find_body(text: str) -> str | None:
    """The organ that met: the earliest body word in the opening (longest form at a tie)."""
    head = text[:HEAD]
    best: tuple[int, int, str] | None = None
    for pattern, body in labels()["bodies"].items():
        match = re.search(rf"(?<!\w)(?:{pattern})", head, re.IGNORECASE)
        if match and (best is None or (match.start(), -len(match.group(0))) < best[:2]):
            best = (match.start(), -len(match.group(0)), body)
    return best[2] if best else None


def find_kind(text: str) -> str | None:
    """minutes / agenda / meeting page, from the earliest telling word in the opening."""
    head = text[:600]
    best: tuple[int, str] | None = None
    for kind in ("agenda", "meeting page", "minutes"):
        match = regex("kinds", kind).search(head)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind)
    return best[1] if best else None


def find_place(text: str) -> str | None:
    """The value after "Plats" (not the adjusting place), without date, weekday and time."""
    for match in _PLACE_LABEL.finditer(text[:HEAD]):
        before = text[max(0, match.start() - 15) : match.start()].lower()
        if "juster" in before:
            continue
        value = text[match.end() : match.end() + 200].split("\n")[0]
        if "justering" in value.lower()[:60]:
            continue
        place = _clean_place(value)
        if place:
            return place
    return None


def _clean_place(value: str) -> str | None:
    value = " " + value
    stop = _PLACE_STOP.search(value)
    if stop:
        value = value[: stop.start()]
    value = strip_dates(value)
    value = _WEEKDAY.sub(" ", value)
    value = re.sub(r"\bden\b", " ", value)
    value = re.sub(r"\s+", " ", value).strip(" ,.;:-–")
    value = re.sub(r"(?:,\s*)+", ", ", value)
    return value[:120] if len(value) >= 3 else None


def host_municipality(place: str | None) -> str | None:
    if not place:
        return None
    found = reference.find_municipalities(place, allow_ambiguous=True)
    return found[0] if found else None


def _municipal_letterhead(head: str) -> tuple[int, str] | None:
    """ "DALS-EDS KOMMUN", "Organ Hässleholms kommun", "> Stockholms stad" — not an affiliation.

    Capitals are a letterhead wherever they stand; in ordinary case the name must open a line,
    follow a breadcrumb ">" or the "Organ" label, so "… Hällefors kommun" in an item is not one.
    """
    for match in _MUNICIPAL_ORG.finditer(head):
        written, word = match.group(1), match.group(2)
        canonical = reference.municipality_name(written)
        if not canonical:
            continue
        caps = written.isupper() and word.isupper()
        if not caps and not _LETTERHEAD_BEFORE.search(head[max(0, match.start() - 12) : match.start()]):
            continue
        suffix = "stad" if word.lower() == "stad" else "kommun"
        return match.start(), f"{reference.genitive(canonical)} {suffix}"
    return None


def _federation(head: str) -> tuple[int, str] | None:
    """An unlisted body by its own name, as written: "Dalälvens kommunförbund", "Hallandsregionen"."""
    suffixes = labels()["bodies"]["federations"]
    found = []
    match = re.search(rf"(?<![\w-])([A-ZÅÄÖ][\w-]+) ({suffixes})(?!\w)", head)
    if match:
        found.append((match.start(), f"{match.group(1)} {match.group(2)}"))
    region = re.search(r"(?<![\w-])([A-ZÅÄÖ][a-zåäö]{3,}regionen)(?!\w)", head)
    if region:
        found.append((region.start(), region.group(1)))
    return min(found) if found else None


def _named_in_head(head: str) -> str | None:
    """The earliest of a known body and a municipal letterhead, else a federation, in the opening."""
    found = []
    known = reference.organisation_matches(head)
    if known:
        found.append((known[0][0], known[0][2]))
    letterhead = _municipal_letterhead(head)
    if letterhead:
        found.append(letterhead)
    if not found:
        federation = _federation(head)
        return federation[1] if federation else None
    return min(found)[1]


def find_organisation(
    text: str, *, body: str | None, place: str | None, default: str | None
) -> Found:
    head = text[:HEAD]
    named = _named_in_head(head) or reference.match_organisation(text)
    if named:
        return Found(named)
    if default:
        return Found(default)
    return _infer_organisation(text, body=body, place=place)


def _infer_organisation(text: str, *, body: str | None, place: str | None) -> Found:
    spec = labels()["bodies"]
    host = host_municipality(place)
    head = text[:HEAD]
    regional = body in spec["regional_bodies"] or re.search(spec["regional_signals"], head, re.IGNORECASE)
    if regional:
        candidates = [host] if host else _most_mentioned(text)
        county = reference.county_of(candidates[0]) if len(candidates) == 1 else None
        region = reference.region_for_county(county) if county else None
        if region:
            return Found(region, f"Organisationen står inte i texten; härledd till {region} "
                                 f"från regionens organ och {candidates[0]}.")
    if body in spec["municipal_bodies"]:
        candidates = [host] if host else _most_mentioned(text)
        if len(candidates) == 1 and candidates[0]:
            name = f"{reference.genitive(candidates[0])} kommun"
            return Found(name, f"Organisationen står inte i texten; härledd till {name} "
                               f"från organet ({body}) och orten.")
    return Found(None, "Organisationen kunde inte utläsas ur texten.")


def _most_mentioned(text: str) -> list[str]:
    """The single municipality written as "X kommun(s)", else the single one mentioned at all."""
    with_word = re.findall(r"([A-ZÅÄÖ][\w-]*)\s+kommuns?\b", text)
    named = {reference.municipality_name(w) for w in with_word} - {None}
    if len(named) == 1:
        return [named.pop()]  # type: ignore[list-item]
    mentioned = reference.find_municipalities(text)
    return list(mentioned) if len(mentioned) == 1 else []
