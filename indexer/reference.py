"""Reference data: municipalities, counties and cooperation bodies, loaded once from ``data/``.

Minutes name municipalities in many shapes — "Vindelns kommun", "Umeås", "Norsjö:",
"Helsingborgs stad", misspelt "Örkeljunga", letterhead capitals "LULEÅ KOMMUN" — and many
municipality names are also ordinary words or person names ("Vara", "Mark", "Nora", "Lund" in
"Lundberg"). Matching therefore needs word boundaries, canonical capitalisation, and for the
ambiguous names some context. The word lists live in ``data/municipality_aliases.toml`` and the
bodies in ``data/organisations.toml`` so they can be edited without touching code.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
_WORD = r"[^\W_]"  # a letter or digit
# Separators that make two municipality mentions a list ("Hallsberg, Kumla och Laxå").
_LIST_GAP = re.compile(r"^\s*(?:,|och|samt|/|-|–|&)?\s*(?:och\s+)?$")
_CONTEXT_AFTER = re.compile(r"^s?\s+(?:kommun|stad|KOMMUN|STAD)\b")


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    county: str


@dataclass(frozen=True)
class Organisation:
    name: str
    aliases: tuple[str, ...]
    members: tuple[str, ...]
    county: str | None
    kind: str = "cooperation"


@dataclass(frozen=True)
class Mention:
    """One municipality mention: canonical name and where it was written."""

    name: str
    start: int
    end: int
    ambiguous: bool


@cache
def municipalities() -> tuple[Municipality, ...]:
    with (DATA_DIR / "kommuner.csv").open(encoding="utf-8") as fh:
        return tuple(
            Municipality(row["municipality_code"], row["municipality_name"], row["county_name"])
            for row in csv.DictReader(fh)
        )


@cache
def _alias_data() -> tuple[dict[str, str], frozenset[str]]:
    data = tomllib.loads((DATA_DIR / "municipality_aliases.toml").read_text(encoding="utf-8"))
    return dict(data.get("aliases", {})), frozenset(data.get("ambiguous", {}).get("names", ()))


@cache
def _surface_forms() -> dict[str, str]:
    """Every written form (lower-cased, single-spaced) → canonical municipality name."""
    forms: dict[str, str] = {}
    aliases, _ = _alias_data()
    pairs = [(m.name, m.name) for m in municipalities()] + list(aliases.items())
    for written, canonical in pairs:
        for form in (written, written.replace(" ", "-")):
            forms.setdefault(form.lower(), canonical)
            if not form.endswith(("s", "x", "z")):
                forms.setdefault(form.lower() + "s", canonical)
    return forms


@cache
def _municipality_pattern() -> re.Pattern[str]:
    names = sorted(_surface_forms(), key=len, reverse=True)
    alternation = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return re.compile(rf"(?<!{_WORD})(?:{alternation})(?!{_WORD})", re.IGNORECASE)


def _canonical_case(written: str) -> bool:
    """Capitalised like a proper name, or all capitals as in a letterhead."""
    return written[:1].isupper() or written.isupper()


def municipality_mentions(text: str, *, allow_ambiguous: bool = False) -> list[Mention]:
    """All municipality mentions in order; ambiguous names only where context supports them."""
    _, ambiguous = _alias_data()
    forms = _surface_forms()
    raw: list[Mention] = []
    for match in _municipality_pattern().finditer(text):
        written = match.group(0)
        if not _canonical_case(written):
            continue
        canonical = forms[re.sub(r"\s+", " ", written.lower())]
        raw.append(Mention(canonical, match.start(), match.end(), canonical in ambiguous))
    if allow_ambiguous:
        return raw
    return [m for i, m in enumerate(raw) if not m.ambiguous or _has_context(text, raw, i)]


def _has_context(text: str, mentions: list[Mention], i: int) -> bool:
    """An ambiguous name counts after "kommun"/"stad" or inside a list of sure municipalities."""
    mention = mentions[i]
    if _CONTEXT_AFTER.match(text[mention.end :]):
        return True
    for j in (i - 1, i + 1):
        if 0 <= j < len(mentions) and not mentions[j].ambiguous:
            a, b = sorted((mention, mentions[j]), key=lambda m: m.start)
            if _LIST_GAP.match(text[a.end : b.start]):
                return True
    return False


def find_municipalities(text: str, *, allow_ambiguous: bool = False) -> tuple[str, ...]:
    """Canonical names of the municipalities mentioned, in order of first mention."""
    seen: dict[str, None] = {}
    for mention in municipality_mentions(text, allow_ambiguous=allow_ambiguous):
        seen.setdefault(mention.name, None)
    return tuple(seen)


def municipality_name(text: str) -> str | None:
    """The canonical name if ``text`` is (a form of) exactly one municipality name."""
    return _surface_forms().get(re.sub(r"\s+", " ", text.strip().lower()))


def genitive(name: str) -> str:
    """The form before "kommun"/"stad": "Kungälvs", but "Ljungby", "Luleå", "Västerås"."""
    return name if name[-1:].lower() in "aeiouyåäösxz" else name + "s"


@cache
def organisations() -> tuple[Organisation, ...]:
    data = tomllib.loads((DATA_DIR / "organisations.toml").read_text(encoding="utf-8"))
    return tuple(
        Organisation(
            name=entry["name"],
            aliases=tuple(entry.get("aliases", ())),
            members=tuple(entry.get("members", ())),
            county=entry.get("county"),
            kind=entry.get("kind", "cooperation"),
        )
        for entry in data["organisation"]
    )


def _alias_regex(alias: str) -> str:
    words = [re.escape(w) for w in alias.split()]
    body = r"[\s\-]+".join(words) if len(words) > 1 else words[0]
    return rf"(?<!{_WORD}){body}s?(?!{_WORD})"


@cache
def _organisation_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    patterns = []
    for org in organisations():
        for alias in (org.name, *org.aliases):
            acronym = alias.isupper() and " " not in alias
            flags = 0 if acronym else re.IGNORECASE
            patterns.append((re.compile(_alias_regex(alias), flags), org.name))
    return tuple(patterns)


def organisation_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) for every known organisation name in the text."""
    found = []
    for pattern, name in _organisation_patterns():
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), name))
    return sorted(found, key=lambda t: (t[0], -(t[1] - t[0])))


def match_organisation(text: str) -> str | None:
    """The canonical name of the first known organisation named in the text."""
    matches = organisation_matches(text)
    return matches[0][2] if matches else None


def organisation(name: str) -> Organisation | None:
    return next((o for o in organisations() if o.name == name), None)


def organisation_members(name: str) -> tuple[str, ...]:
    org = organisation(name)
    return org.members if org else ()


def region_for_county(county: str) -> str | None:
    return next((o.name for o in organisations() if o.kind == "region" and o.county == county), None)


def county_of(name: str) -> str | None:
    """County of a municipality ("Umeå", "Umeås") or of a known organisation."""
    canonical = municipality_name(name)
    for m in municipalities():
        if m.name == canonical:
            return m.county
    org = organisation(name)
    return org.county if org else None
