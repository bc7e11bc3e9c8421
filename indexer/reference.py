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
import itertools
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
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


_RUN = re.compile(r"[^\W_]+")  # maximal runs of letters/digits: where a name may start and end
_PLAIN_FORM = re.compile(r"^[^\W_]+(?:[ \-][^\W_]+)*$")
_LOOSE_GAP = re.compile(r"[\s\-]+")
_group = re.Match.group


def _runs(text: str) -> tuple[list[re.Match[str]], list[str]]:
    """Letter/digit runs of ``text`` and their words.

    Names are looked up over windows of consecutive runs instead of one huge regex
    alternation: the alternation with a look-behind was tried at every character and cost
    about a second per megabyte of minutes (measured); the lookup is linear in the text.
    Both lists are built by C loops (``finditer``, ``map``): Python code runs only for the
    few runs that can start a name (see ``_starts``), never for every word.
    """
    runs = list(_RUN.finditer(text))
    return runs, list(map(_group, runs))


def _starts(words: list[str], may_start: Callable[[str], bool]) -> list[int]:
    """Indexes of the runs that may start a name, in order."""
    return list(itertools.compress(range(len(words)), map(may_start, words)))


def _gap(text: str, a: re.Match[str], b: re.Match[str], *, loose: bool) -> str | None:
    """How two neighbouring runs are joined: " " (white space), "-" (a hyphen) or None.

    ``loose`` (organisation aliases): any mix of white space and hyphens counts as " ".
    """
    gap = text[a.end() : b.start()]
    if loose:
        return " " if _LOOSE_GAP.fullmatch(gap) else None
    return " " if gap.isspace() else "-" if gap == "-" else None


def _windows(
    text: str, runs: list[re.Match[str]], words: list[str], i: int, most: int, *, loose: bool = False
) -> Iterator[tuple[int, str]]:
    """(end run index, normalised lower-case text) for the windows starting at run i.

    Keys join lower-cased runs with single " " or "-": no letter or digit lower-cases to
    white space, so they need no further normalising to compare with the surface forms.
    """
    key = words[i].lower()
    yield i, key
    for j in range(i + 1, min(len(runs), i + most)):
        sep = _gap(text, runs[j - 1], runs[j], loose=loose)
        if sep is None:
            return
        key += sep + words[j].lower()
        yield j, key


@cache
def _form_width() -> int:
    """How many runs the longest municipality form spans ("Upplands-Bro" is two)."""
    return max(len(_RUN.findall(form)) for form in _surface_forms())


def _first_runs(keys: Iterable[str]) -> frozenset[str]:
    """First words of the names: a run that starts none of them needs no window at all."""
    return frozenset(_RUN.match(k).group(0) for k in keys if _RUN.match(k))  # type: ignore[union-attr]


def _may_start(run: str, firsts: frozenset[str]) -> bool:
    lower = run.lower()
    return lower in firsts or (lower.endswith("s") and lower[:-1] in firsts)


@lru_cache(maxsize=200_000)
def _may_start_municipality(run: str) -> bool:
    """Cached per word: minutes repeat their vocabulary, and every word is asked."""
    return _may_start(run, _municipality_firsts()) or damaged_municipality(run) is not None


FUZZY_MIN_LENGTH = 8  # "Östersund", "Hudiksvall": long enough that one slip leaves it unique


@cache
def _fuzzy_index() -> dict[str, frozenset[str]]:
    """One-letter deletions of the long one-word names (and their genitives) → names.

    Short names and the ambiguous ones ("Mark", "Nora") never take part: one slip away from
    them lie too many ordinary words.
    """
    _, ambiguous = _alias_data()
    index: dict[str, set[str]] = {}
    for municipality in municipalities():
        name = municipality.name
        if len(name) < FUZZY_MIN_LENGTH or not name.isalpha() or name in ambiguous:
            continue
        for form in (name.lower(), name.lower() + "s"):
            for variant in _deletions(form) | {form}:
                index.setdefault(variant, set()).add(name)
    return {key: frozenset(names) for key, names in index.items()}


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Exactly one letter wrong, missing, extra, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=200_000)
def damaged_municipality(word: str) -> str | None:
    """The one long municipality name that an OCR-damaged ``word`` stands for, else None.

    "Östersnnd", "Hudiksva1l", "Sandvikcn": one slip in a capitalised word of a long one-word
    name. Never for a known form, a word of the Swedish dictionary, or a slip that could be
    either of two names.
    """
    if len(word) < FUZZY_MIN_LENGTH - 1 or not word[:1].isupper() or not word[1:].islower():
        return None
    lower = word.lower()
    if lower in _surface_forms():
        return None
    index = _fuzzy_index()
    near: set[str] = set()
    for variant in _deletions(lower) | {lower}:
        near.update(index.get(variant, ()))
    names = {n for n in near if _one_edit(lower, n.lower()) or _one_edit(lower, n.lower() + "s")}
    if len(names) != 1 or _dictionary_word(lower):
        return None
    return names.pop()


def _dictionary_word(lower: str) -> bool:
    """An ordinary Swedish word; without the dictionary every word is taken to be one."""
    try:
        from indexer.dictionary import WORD, lexicon  # loaded only when a slip is suspected
        return bool(lexicon().roles.get(lower, 0) & WORD)
    except Exception:  # noqa: BLE001 - no dictionary: no guessing at damaged names
        return True


@cache
def _municipality_firsts() -> frozenset[str]:
    return _first_runs(_surface_forms())


@lru_cache(maxsize=8)
def _municipality_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """Non-overlapping (start, end, written) mentions, longest form first, left to right.

    Remembered for the last few texts: a document's whole text is searched by the parser's
    header, participation and mention steps alike (a third of the characters scanned, counted
    on 200 synthetic meetings)."""
    forms, width = _surface_forms(), _form_width()
    runs, words = _runs(text)
    found: list[tuple[int, int, str]] = []
    free = 0  # the first run not inside a mention already found
    for i in _starts(words, _may_start_municipality):
        if i < free:
            continue
        best = None
        for j, key in _windows(text, runs, words, i, width):
            if key in forms:
                best = j
        if best is None:
            if damaged_municipality(words[i]) is None:
                continue
            best = i
        found.append((runs[i].start(), runs[best].end(), text[runs[i].start() : runs[best].end()]))
        free = best + 1
    return tuple(found)


def _canonical_case(written: str) -> bool:
    """Capitalised like a proper name, or all capitals as in a letterhead."""
    return written[:1].isupper() or written.isupper()


def municipality_mentions(text: str, *, allow_ambiguous: bool = False) -> list[Mention]:
    """All municipality mentions in order; ambiguous names only where context supports them."""
    _, ambiguous = _alias_data()
    forms = _surface_forms()
    raw: list[Mention] = []
    for start, end, written in _municipality_spans(text):
        if not _canonical_case(written):
            continue
        canonical = forms.get(re.sub(r"[\s]+", " ", written.lower())) or damaged_municipality(written)
        if canonical is None:
            continue
        raw.append(Mention(canonical, start, end, canonical in ambiguous))
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
def _organisation_forms() -> tuple[dict[str, list[tuple[str, str, bool]]], int, tuple]:
    """Lower-case alias (words joined by one space) → [(alias, organisation, is acronym)].

    Aliases with other characters than letters, digits, spaces and hyphens keep a regex.
    """
    forms: dict[str, list[tuple[str, str, bool]]] = {}
    odd = []
    for org in organisations():
        for alias in (org.name, *org.aliases):
            acronym = alias.isupper() and " " not in alias
            if not _PLAIN_FORM.match(alias):
                flags = 0 if acronym else re.IGNORECASE
                odd.append((re.compile(_alias_regex(alias), flags), org.name))
                continue
            key = " ".join(_RUN.findall(alias.lower()))
            forms.setdefault(key, []).append((alias, org.name, acronym))
    width = max((len(k.split()) for k in forms), default=1)
    return forms, width, tuple(odd)


def organisation_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) for every known organisation name in the text."""
    forms, width, odd = _organisation_forms()
    runs, words = _runs(text)
    found = []
    for i in _starts(words, _may_start_organisation):
        # between alias words: any spaces or hyphens
        for j, key in _windows(text, runs, words, i, width, loose=True):
            for candidate in (key, key[:-1] if key.endswith("s") else None):
                for alias, name, acronym in forms.get(candidate or "", ()):
                    written = text[runs[i].start() : runs[j].end()]
                    if acronym and written not in (alias, alias + "s"):
                        continue
                    found.append((runs[i].start(), runs[j].end(), name))
    for pattern, name in odd:
        found.extend((m.start(), m.end(), name) for m in pattern.finditer(text))
    return sorted(found, key=lambda t: (t[0], -(t[1] - t[0])))


@lru_cache(maxsize=200_000)
def _may_start_organisation(run: str) -> bool:
    """Cached per word, like ``_may_start_municipality``."""
    return _may_start(run, _organisation_firsts())


@cache
def _organisation_firsts() -> frozenset[str]:
    return _first_runs(_organisation_forms()[0])


@lru_cache(maxsize=50_000)
def match_organisation(text: str) -> str | None:
    """The canonical name of the first known organisation named in the text (short texts:
    a word or a name, asked again and again, so cached)."""
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
