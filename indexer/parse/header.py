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
from functools import cache

from indexer import reference
from indexer.parse import domains, organisation
from indexer.parse.dates import strip_dates
from indexer.parse.labels import labels, regex

HEAD = 1500
SHAPE_WINDOW = 800  # a body by name shape further down is a subject (contents lists, items)
_PLACE_LABEL = re.compile(
    r"(?<![\w])(Plats och tid|Tid och plats|Tid/Plats|Dag/tid|Plats|Sammanträdeslokal|Mötesplats|Lokal)(?!\w)"
    r"\s*:?[ \t]*(?:\n\s*)?",
    re.IGNORECASE,
)
_PLACE_STOP = re.compile(
    r"\s+(?:kl\.?(?=[\s\d])|klockan|Närvarande|Beslutande|Deltagare|Ordförande|Sekreterare|"
    r"Tid\b|Dag\b|Gruppmöten|Ev\.|Justerare|Utses|Ledamöter|Omfattning|ande\b|Datum\b|"
    r"Sammanträdesdatum|Kallelse|Beslutande|Övriga|Enligt|Utses|Omfattning|Paragrafer|Sekreterare|"
    r"Frånvarande|Anmält förhinder|Förhinder|Protokoll\b)",
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
    first = _any_body().search(head)
    if not first:
        return None
    best: tuple[int, str] | None = None
    for pattern, body in _body_patterns():
        match = pattern.match(head, first.start())
        if match and (best is None or len(match.group(0)) > best[0]):
            best = (len(match.group(0)), body)
    return best[1] if best else None


def _body_words() -> list[tuple[str, str]]:
    """(pattern, organ) pairs of ``[bodies]``; the other keys there ("municipal_bodies") are settings."""
    return [(p, body) for p, body in labels()["bodies"].items()
            if isinstance(body, str) and "_" not in p and p != "federations"]


@cache
def _body_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"(?<!\w)(?:{p})", re.IGNORECASE), body) for p, body in _body_words())


@cache
def _any_body() -> re.Pattern[str]:
    """All body words in one pattern: where the earliest one starts, in a single pass."""
    alternatives = "|".join(f"(?:{p})" for p, _ in _body_words())
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


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
    """The value after "Plats" (not the adjusting place), without date, weekday and time.

    In a flattened cover page the labels stand in a row before their values ("Plats och tid
    Beslutande Kommunhuset i Leksand, …"), so other labels right after "Plats" are skipped.
    Without a usable label, a phrase that opens with a venue word ("Konferensrum Uniformen",
    "Kommunhuset i Leksand"; ``[place] venues`` in parse_labels.toml) near the top is the place.
    """
    for match in _PLACE_LABEL.finditer(text[:HEAD]):
        before = text[max(0, match.start() - 15) : match.start()].lower()
        if "juster" in before:
            continue
        start = match.end()
        skip = regex("place", "skip_labels", prefix=True).match(text, start)
        while skip:
            start = skip.end()
            skip = regex("place", "skip_labels", prefix=True).match(text, start)
        value = text[start : start + 200].split("\n")[0]
        if "justering" in value.lower()[:60]:
            continue
        place = _clean_place(value)
        if place:
            return place
    return _venue(text)


def _venue(text: str) -> str | None:
    venue = regex("place", "venues", prefix=True).search(text, 0, min(len(text), HEAD))
    if not venue or "juster" in text[max(0, venue.start() - 40) : venue.start()].lower():
        return None
    return _clean_place(text[venue.start() : venue.start() + 120].split("\n")[0].split("(")[0])


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


def _municipal_letterhead(head: str, top: int = 0) -> tuple[int, str, bool] | None:
    """ "DALS-EDS KOMMUN", "Organ Hässleholms kommun", "> Stockholms stad" — not an affiliation.

    Capitals are a letterhead wherever they stand; in ordinary case the name must stand in the
    title line, open a line, follow a breadcrumb ">" or the "Organ" label, so "… Hällefors
    kommun" in an item is not one. The name is kept as written ("Kalmar kommun", not a
    constructed genitive), with capitals tidied. Returns (start, name, in capitals).
    """
    for match in _MUNICIPAL_ORG.finditer(head):
        written, word = match.group(1), match.group(2)
        if not reference.municipality_name(written):
            continue
        caps = written.isupper() and word.isupper()
        before = head[max(0, match.start() - 12) : match.start()]
        if not caps and match.start() >= top and not _LETTERHEAD_BEFORE.search(before):
            continue
        if organisation.visitor_before(head, match.start()) and not caps and match.start() >= top:
            continue
        name = " ".join(organisation.title_word(w) for w in written.split())
        return match.start(), f"{name} {'stad' if word.lower() == 'stad' else 'kommun'}", caps
    return None


def _letterhead_end(text: str) -> int:
    """End of the first line with words: the title or letterhead names the body that met."""
    stripped = len(text) - len(text.lstrip())
    end = text.find("\n", stripped)
    return min(stripped + 200, len(text) if end < 0 else end)


def _is_region(name: str) -> bool:
    """A region or a county council (landsting): a county's body, far more often the subject of
    an item (a party to an agreement, a sender) than the body that met."""
    known = reference.organisation(name)
    return (known is not None and known.kind == "region") or name.startswith(("Region ", "Landstinget ")) or (
        name.endswith((" landsting", " läns landsting")))


def _ranked(text: str, head_end: int) -> list[tuple[bool, bool, int, str]]:
    """(weak, late, start, name) for every body named in the opening, best first.

    Candidates come from ``organisation.find_candidates`` (name shapes), ``organisations.toml``
    (known names) and municipal letterheads. One in the letterhead (title line, "Organ", capitals)
    is strong; a body named after "besök från", "till" … is someone else; a body by shape after
    the first item or far down is "late" (an item about "Nerikes Brandkår" is its subject).
    """
    top = _letterhead_end(text)
    found = []
    for c in organisation.find_candidates(text, letterhead_end=top):
        late = not c.letterhead and c.start >= min(head_end, SHAPE_WINDOW)
        found.append((not c.letterhead, late, c.start, c.name))
    for start, _, name in reference.organisation_matches(text):
        strong = start < top or organisation.after_label(text, start)
        if strong or not organisation.visitor_before(text, start):
            found.append((not strong, False, start, name))
    letterhead = _municipal_letterhead(text, top)
    if letterhead:
        start, name, caps = letterhead
        strong = start < top or caps or organisation.after_label(text, start)
        found.append((not strong, False, start, name))
    return sorted(found)


def find_organisation(
    text: str, *, body: str | None, place: str | None, default: str | None, head_end: int = HEAD
) -> Found:
    """As a clerk reads it: the letterhead; a body named early; a known body further down; the
    folder default; an inference from the organ and the place; a body named late; last a
    Region merely mentioned in the text (a region is far more often a subject than the author).
    """
    ranked = _ranked(text[:HEAD], head_end)
    strong = [r for r in ranked if not r[0]]
    if strong:
        return Found(strong[0][3])
    early = [r for r in ranked if not r[1] and not _is_region(r[3])]
    if early:
        return Found(early[0][3])
    known = [name for _, _, name in reference.organisation_matches(text) if not _is_region(name)]
    if known:
        return Found(known[0])
    if default:
        return Found(default)
    own_domain = domains.domain_owner(text)
    if own_domain:
        return Found(own_domain)
    inferred = _infer_organisation(text, body=body, place=place)
    if inferred.value:
        return inferred
    rest = [r[3] for r in ranked if not _is_region(r[3])] + [r[3] for r in ranked]
    rest += [name for _, _, name in reference.organisation_matches(text)]
    return Found(rest[0]) if rest else inferred


def _infer_organisation(text: str, *, body: str | None, place: str | None) -> Found:
    spec = labels()["bodies"]
    host = host_municipality(place)
    head = text[:HEAD]
    landsting = re.search(spec["county_council_signals"], head, re.IGNORECASE)
    if landsting:  # before 2019 a county's health care and regional bodies were its landsting
        candidates = [host] if host else _most_mentioned(text)
        county = reference.county_of(candidates[0]) if len(candidates) == 1 else None
        if county:
            name = labels()["county_councils"].get(county) or f"{county.removesuffix(' län')} läns landsting"
            return Found(name, f"Organisationen står inte i texten; härledd till {name} "
                               f"från landstingets organ och {candidates[0]}.")
    regional = body in spec["regional_bodies"] or re.search(spec["regional_signals"], head, re.IGNORECASE)
    if regional:
        candidates = [host] if host else _most_mentioned(text)
        county = reference.county_of(candidates[0]) if len(candidates) == 1 else None
        region = reference.region_for_county(county) if county else None
        if region:
            return Found(region, f"Organisationen står inte i texten; härledd till {region} "
                                 f"från regionens organ och {candidates[0]}.")
    own_house = bool(place and re.search(spec["municipal_venues"], place, re.IGNORECASE))
    if body in spec["municipal_bodies"] or (own_house and host and body is None):
        candidates = [host] if host else _most_mentioned(text)
        if len(candidates) == 1 and candidates[0]:
            name = f"{reference.genitive(candidates[0])} kommun"
            return Found(name, f"Organisationen står inte i texten; härledd till {name} "
                               f"från organet ({body or 'okänt'}) och orten.")
    return Found(None, "Organisationen kunde inte utläsas ur texten.")


def _most_mentioned(text: str) -> list[str]:
    """The single municipality written as "X kommun(s)", else the single one mentioned at all."""
    with_word = re.findall(r"([A-ZÅÄÖ][\w-]*)\s+kommuns?\b", text)
    named = {reference.municipality_name(w) for w in with_word} - {None}
    if len(named) == 1:
        return [named.pop()]  # type: ignore[list-item]
    mentioned = reference.find_municipalities(text)
    return list(mentioned) if len(mentioned) == 1 else []
