"""Bodies recognised by the shape of their name, as a clerk recognises an unfamiliar letterhead.

Sweden has about 90 kommunalförbund, 80 samordningsförbund and many councils, so a list of
known bodies cannot be complete. A body names itself in a few shapes, listed as data in
``data/organisation_patterns.toml``: the kind first ("Samordningsförbundet Roslagen",
"Regionförbundet i Kalmar län"), the kind last ("Kalmarsunds gymnasieförbund", "Nerikes
Brandkår") or glued to one word ("Österlenrådet"). Each match is a ``Candidate``; one in the
letterhead (the first line, after "Organ", in capitals) outranks one in the body text, and one
right after "från", "besök från", "till" … is a visitor or a subject and does not count.

A name is kept as written, normalised (capitals, genitive "-s", spaces around hyphens), and
mapped to the canonical name of ``organisations.toml`` when it is a known body or its alias,
so variants of one body's name become one facet value.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from indexer import reference
from indexer.parse.labels import labels

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "organisation_patterns.toml"
MAX_NAME_WORDS = 4
_NAME_WORD = re.compile(r"[ \t]*(?:[-–][ \t]*)?([^\W\d_][\w]*(?:-[^\W\d_][\w]*)*)")
_BACK_WORD = re.compile(r"(?<![\w-])([^\W\d_][\w]*(?:-[^\W\d_][\w]*)*)[ \t]*(?:[-–][ \t]*)?$")
_GAP_BEFORE = 40


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    name: str
    letterhead: bool


@cache
def patterns() -> dict[str, Any]:
    return tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    spec = patterns()

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))

    prefix = re.compile(rf"(?<![\w-])(?:{alt(spec['prefix'])})(?!\w)", re.IGNORECASE)
    suffix = re.compile(rf"(?<=[ \t])(?:{alt(spec['suffix'])})s?(?!\w)", re.IGNORECASE)  # "-förbunds" too
    glued = re.compile(rf"(?<![\w-])[A-ZÅÄÖ][a-zåäöéü]{{2,}}(?:{alt(spec['glued'])})(?!\w)")
    context = "|".join(w.replace(" ", r"\s+") for w in spec["not_after"])  # regex fragments
    not_after = re.compile(rf"(?<!\w)(?:{context})[ \t]*(?:\n[ \t]*)?$", re.IGNORECASE)
    return prefix, suffix, glued, not_after


@cache
def _stops() -> frozenset[str]:
    return frozenset(w.lower() for w in patterns()["name_stops"])


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in _stops()


def _joins(previous: str, word: str, gap: str) -> bool:
    """Whether ``word`` continues a name after ``previous`` (see ``name_joiners`` in the data)."""
    if "-" in gap or "–" in gap or previous.isupper() and word.isupper():
        return True
    spec = patterns()
    return (previous in spec["name_joiners"] or word in spec["name_tails"]
            or (previous.endswith("s") and len(previous) > 3))


def _forward_name(text: str, pos: int) -> tuple[list[str], int]:
    """Capitalised words after a kind word: "Östra Kronoberg", "Sollentuna-Upplands Väsby"."""
    words: list[str] = []
    while len(words) < MAX_NAME_WORDS:
        match = _NAME_WORD.match(text, pos)
        if not match:
            break
        word = match.group(1)
        if words and word.lower() != "län" and not _joins(words[-1].lstrip("- "), word, text[pos : match.start(1)]):
            break
        if word.lower() == "län" and words:
            words.append("län")
            pos = match.end()
            break
        if not _is_name_word(word):
            break
        hyphen = words and re.search(r"[-–]", text[pos : match.start(1)])
        words.append("- " + word if hyphen else word)
        pos = match.end()
    return words, pos


def _backward_name(text: str, end: int) -> tuple[list[str], int]:
    """Capitalised words before a kind word: "Kalmarsunds", "Västra Mälardalens"."""
    words: list[str] = []
    pos = end
    while len(words) < MAX_NAME_WORDS - 1:
        lo = max(0, pos - 80)
        match = _BACK_WORD.search(text[lo:pos])
        if not match or not _is_name_word(match.group(1)):
            break
        if words and not _joins(match.group(1), words[0], match.group(0)[len(match.group(1)) :]):
            break
        words.insert(0, match.group(1))
        pos = lo + match.start()
        if pos == 0 or text[pos - 1] not in " \t-–":
            break
    return words, pos


def title_word(word: str) -> str:
    """ "NORRBOTTEN" → "Norrbotten", "SKÅNE-NORDVÄST" → "Skåne-Nordväst"; other words as written."""
    if len(word) > 1 and word.isupper():
        return "-".join(p.capitalize() for p in word.split("-"))
    return word


def normalise(kind_first: str | None, name_words: list[str], kind_last: str | None) -> str:
    """One written form for one body: capitals tidied, a genitive "-s" before a noun dropped."""
    parts = []
    if kind_first:
        kind = re.sub(r"\s+", " ", kind_first)
        parts.append(kind.capitalize() if kind.isupper() else kind[:1].upper() + kind[1:])
    parts.extend(("- " if w.startswith("- ") else "") + title_word(w.removeprefix("- ")) for w in name_words)
    if kind_last:
        parts.append(kind_last.lower() if kind_last.isupper() else kind_last)
    return re.sub(r"\s*[-–]\s*", "-", " ".join(parts))


@lru_cache(maxsize=20_000)
def _canonical(name: str) -> str:
    known = reference.organisation_matches(name)
    for start, end, canonical in known:
        if start == 0 and end >= len(name) - 1:
            return canonical
    return name


def _without_genitive(kind: str) -> str:
    """ "gymnasieförbunds" → "gymnasieförbund": "Protokoll från X gymnasieförbunds styrelse"."""
    suffixes = {w.lower() for w in patterns()["suffix"]}
    return kind[:-1] if kind[-1:].lower() == "s" and kind[:-1].lower() in suffixes else kind


def _drop_genitive(words: list[str], text: str, end: int) -> list[str]:
    """ "Samordningsförbundet Roslagens styrelse" → "… Roslagen": the name is not a genitive."""
    nxt = re.match(r"[ \t]+([a-zåäö]\w*)", text[end : end + 30])
    last = words[-1]
    if nxt and last.endswith("s") and len(last) > 4 and not last.endswith("ss") and nxt.group(1) != "län":
        return [*words[:-1], last[:-1]]
    return words


def visitor_before(text: str, start: int) -> bool:
    """A body named right after "besök från", "till" … is a visitor or a subject."""
    before = text[max(0, start - _GAP_BEFORE) : start]
    return bool(_compiled()[3].search(before)) and not _own_before().search(before)


@cache
def _own_before() -> re.Pattern[str]:
    words = "|".join(w.replace(" ", r"\s+") for w in patterns()["own_before"])
    return re.compile(rf"(?<!\w)(?:{words})[ \t]*(?:\n[ \t]*)?$", re.IGNORECASE)


def find_candidates(text: str, *, letterhead_end: int) -> list[Candidate]:
    """Every body named by its shape in ``text``, with where it stands."""
    prefix, suffix, glued, not_after = _compiled()
    found: list[Candidate] = []

    def add(start: int, end: int, name: str) -> None:
        strong = start < letterhead_end or after_label(text, start) or in_address(text, start)
        if not strong and visitor_before(text, start):
            return
        caps = text[start:end].isupper() and start < 400
        found.append(Candidate(start, end, _canonical(name), strong or caps))

    capital_only = {w.lower() for w in patterns()["prefix_capital_only"]}
    for match in prefix.finditer(text):
        if match.group(0).lower() in capital_only and not match.group(0)[:1].isupper():
            continue
        words, end = _forward_name(text, match.end())
        if words and words != ["län"]:
            words = _drop_genitive(words, text, end)
            add(match.start(), end, normalise(match.group(0), words, None))
    for match in suffix.finditer(text):
        words, start = _backward_name(text, match.start())
        if words:
            add(start, match.end(), normalise(None, words, _without_genitive(match.group(0))))
    excluded = {w.lower() for w in patterns()["glued_not_names"]}
    for match in glued.finditer(text):
        word = match.group(0)
        if word.lower() in excluded or word.lower().endswith(tuple(patterns()["glued_not_endings"])):
            continue
        add(match.start(), match.end(), _canonical(re.sub(r"s$", "", word) if word.endswith(("ets", "ens")) else word))
    found.extend(_named_meeting(text, letterhead_end))
    return sorted(found, key=lambda c: (c.start, -(c.end - c.start)))


def _named_meeting(text: str, letterhead_end: int) -> list[Candidate]:
    """ "Protokoll fört vid sammanträde med Lokala säkerhetsnämnden vid X" in the title line: the
    rest of the line names the body, unless it is only an organ ("… med kommunstyrelsen")."""
    phrase = re.compile(rf"(?<!\w)(?:{'|'.join(patterns()['meeting_with'])})[ \t]+(?=[A-ZÅÄÖ])", re.IGNORECASE)
    match = phrase.search(text, 0, letterhead_end)
    if not match:
        return []
    name = re.split(r"\s+(?:\d|den\b|kl\b|§)", text[match.end() : letterhead_end])[0].strip(" .,:;-–")
    words = name.split()
    if not 2 <= len(words) <= 10 or any(w.lower() in _stops() for w in words[:1]):
        return []
    organs = [p for p, canonical in labels()["bodies"].items() if isinstance(canonical, str) and p != "federations"]
    if any(re.match(rf"(?:{p})", name, re.IGNORECASE) for p in organs):
        return []
    return [Candidate(match.end(), match.end() + len(name), _canonical(name), True)]


@cache
def _label_regex() -> re.Pattern[str]:
    labels = "|".join(re.escape(w) for w in patterns()["letterhead_labels"])
    return re.compile(rf"(?<!\w)(?:{labels}):?[ \t]*(?:\n[ \t]*)?$")


@cache
def _address_regex() -> re.Pattern[str]:
    return re.compile("|".join(patterns()["address_markers"]))


def in_address(text: str, start: int) -> bool:
    """ "Samordningsförbundet X · Box 12 · 901 05 Umeå": a footer or address line names the owner."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return len(line) <= 200 and bool(_address_regex().search(line))


def after_label(text: str, start: int) -> bool:
    """ "Organ Förbundsdirektionen för Räddningstjänsten X": the anslag block names the body."""
    before = text[max(0, start - 50) : start]
    return bool(_label_regex().search(before)) or bool(
        re.search(r"(?<!\w)Organ:?[ \t]+(?:[A-ZÅÄÖ]\w+[ \t]+){1,2}(?:för|i|inom)[ \t]+$", before)
    )


def best(text: str, *, letterhead_end: int) -> Candidate | None:
    """The letterhead's body, else the first body named in ``text``."""
    candidates = find_candidates(text, letterhead_end=letterhead_end)
    if not candidates:
        return None
    return min(candidates, key=lambda c: (not c.letterhead, c.start))
