"""Agenda items: where each one starts, its number as written, its title and its own text.

Numbers come at a line start ("1. Mötets öppnande", "§ 15", "§28", "8.1. Resultat") or, in
text flattened by PDF extraction, inline ("… Protokoll 1. Mötets öppnande Mötet öppnades …").
A number only counts when it continues the sequence — the next item, a close gap at a line
start or after "§", or the next sub-item — so numbered questions or lists inside an item
("1. Hur planerar ni …") are not mistaken for items. Standalone bullet paragraphs under an item
("- processtöd infrastrukturstrategi" in the Skåne Nordväst seed) become sub-items numbered
"7.1", "7.2" … because they have no number of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer import reference
from indexer.parse import label_runs, layouts, sequence
from indexer.parse.decisions import _SUBJECT_VERB
from indexer.parse.labels import regex

_LINE_NUMBER = re.compile(
    r"^[ \t]*(?:(?P<para>§\s*\d{1,4})|(?P<num>\d{1,3}(?:\.\d{1,2})?)\.?)(?:[ \t]+|$)", re.MULTILINE
)
_INLINE_NUMBER = re.compile(
    r"(?:(?<=\s)(?:(?P<para>§\s*\d{1,4})|(?P<num>\d{1,2}(?:\.\d{1,2})?)(?P<dot>\.)?)"
    r"|(?<=[a-zåäö):])(?P<glued>\d{1,2})(?P<gdot>\.))[ \t]+(?=[A-ZÅÄÖ])"
)
_BULLET_PARA = re.compile(r"(?<=\n\n)[ \t]*[-–•·][ \t]+(?P<title>[^\n]{2,100})\n(?=\s*\n)")
_TITLE_START = re.compile(r"[\"”«A-Za-zÅÄÖåäöÉé]")
_CONTINUES = {"-", "–", "och", "mellan", "för", "i", "med", "till", "om", "av", "från", "på",
              "inom", "vid", "samt", "&", "eller", "mot"}  # fmt: skip
_SENTENCE_INSIDE = re.compile(r"(\S*\w{2}\.)(?:\s+[A-ZÅÄÖ]|\s*$)")
_FILE_WORD = re.compile(r"_|\.(?:pdf|docx?|pptx?|xlsx?)\b", re.IGNORECASE)
_DNR = re.compile(r"\b(?:Dnr|D nr|Diarienr|Diarienummer)\.?:?\s*((?:[A-ZÅÄÖ]{1,5}\s?)?\d[\w./:-]*(?:\s\d[\w./-]*)?)")
# A case number before the title ("Dnr 2017:1099 Budgetramar", "LBVA 2015/0016\nVal av …",
# "Dnr Driftbudgetramar" with the number lost): kept by ``find_dnr``, never the title itself.
_LEADING_CASE = re.compile(
    r"^(?:(?:Dnr|D nr|Diarienr)\.?:?[ \t]*(?:[A-ZÅÄÖ]{1,6}[ \t]?(?=\d))?(?:\d[\w./:-]*)?"
    r"|[A-ZÅÄÖ]{2,6}[ \t]?\d{2,4}[/:]\d[\w./-]*)\s*"
)
MAX_TITLE_WORDS = 12
_PERSON_ROLE = re.compile(
    r"[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?(?: [A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?){1,2}"
    r"(?: \([A-ZÅÄÖ]{1,4}\))?,[ \t]*[a-zåäö]*(?:chef|direktör|sekreterare|ekonom|controller|samordnare|"
    r"handläggare|utredare|strateg|ordförande|ledamot|ersättare|planerare|jurist|konsult)\b"
)
_PAGE_RUN = re.compile(r"[ \t]*\n\s*\d{1,3}[ \t]*(?:\n|$)")
_LEADER = re.compile(r"(?<=\w)\s?\.{3,}|…\s*\d")


@dataclass(frozen=True)
class ItemSpan:
    number: str
    top: int
    sub: int | None
    start: int  # where the number starts
    body: int  # where the title starts
    line_mode: bool


def _parse_number(match: re.Match[str]) -> tuple[str, int, int | None, bool] | None:
    if match.group("para"):
        digits = int(re.sub(r"\D", "", match.group("para")))
        return match.group("para").strip(), digits, None, True
    raw = match.group("num") or match.groupdict().get("glued") or ""
    top, _, sub = raw.partition(".")
    return raw, int(top), (int(sub) if sub else None), False


def _accepts(last_top: int | None, last_sub: int, top: int, sub: int | None, para: bool,
             line: bool) -> bool:
    if sub is not None:
        return last_top == top and sub == last_sub + 1 and sub > 0
    if last_top is None:
        return para or top == 1 or (line and top > 0)
    gap = 3 if (para or line) else 1
    return last_top < top <= last_top + gap


def find_items(text: str) -> list[ItemSpan]:
    """Item starts in order, each continuing the numbering of the one before."""
    candidates = []
    for match in _LINE_NUMBER.finditer(text):
        rest = text[match.end() : match.end() + 40].split()
        no_title = rest and not _TITLE_START.match(rest[0]) and not re.search(r"[^\W\d_]", rest[0])
        if no_title and text[match.end() : match.end() + 1] != "\n":
            continue
        if _PAGE_RUN.match(text, match.end()):
            continue  # "2\n\n3\n\n4": page numbers standing alone, not items
        if _furniture_after(text, match.end()):
            continue
        candidates.append((match.start(), match.end(), match, True))
    for match in _INLINE_NUMBER.finditer(text):
        if match.group("num") and sequence.after_label_word(text, match.start()):
            continue  # "kl 13 Mötet": a time, not item 13
        if not _furniture_after(text, match.end()):
            candidates.append((match.start(), match.end(), match, False))
    candidates.sort(key=lambda c: (c[0], not c[3]))
    spans: list[ItemSpan] = []
    last_top: int | None = None
    last_sub = 0
    taken_until = -1
    bare_style = False  # items numbered "1 Titel" (no dot): then inline bare numbers count too
    section = 1
    for start, end, match, line in candidates:
        if start < taken_until:
            continue
        parsed = _parse_number(match)
        if not parsed:
            continue
        number, top, sub, para = parsed
        dotted = match.groupdict().get("dot") or match.groupdict().get("gdot")
        if not line and not para and not dotted and not bare_style:
            continue
        if not _accepts(last_top, last_sub, top, sub, para, line):
            if not (spans and _restarts(text, spans, top, sub, start, line)):
                continue
            section += 1
        if section > 1:
            number = f"{section}:{number}"  # "Informationsärenden 1." after "Beslutsärenden 1. … 4."
        spans.append(ItemSpan(number, top, sub, start, end, line))
        if len(spans) == 1 and line and not para:
            bare_style = not text[start:end].rstrip().endswith(".")
        last_top, last_sub = top, (sub or 0)
        taken_until = end
    spans = _drop_lonely_start(spans)
    counted = _from_sequence(text)
    spans = counted if _prefer_counted(spans, counted) else spans
    kept = [s for s in spans if not _attendance_note(text, s)]
    if len(kept) < len(spans):
        spans = _drop_lonely_start(kept)
    spans = _with_labelled(text, spans)
    if not spans:
        return _unnumbered(text)
    # A contents list can outvote a weak numbered reading (paragraph numbers in an attendance
    # list); bullets and timetables under numbered items are their sub-points, never a rival.
    found = layouts.contents_list(text, _is_proper_title_word)
    contents = _as_spans(found)
    if len(contents) > 2 * len(spans) or (layouts.has_leaders(text, found) and len(contents) > len(spans)):
        return contents
    return spans


def _restarts(text: str, spans: list[ItemSpan], top: int, sub: int | None, start: int, line: bool) -> bool:
    """Numbering that starts again under a section heading ("Beslutsärenden 1. 2. 3.
    Informationsärenden 1. 2."): the same first number, at a line start, right below a heading
    line (``section_headings`` in parse_labels.toml)."""
    if not line or sub is not None or top != spans[0].top or top >= spans[-1].top:
        return False
    before = text[max(0, start - 120) : start].rstrip()
    heading = before[before.rfind("\n") + 1 :].strip(" \t:")
    return bool(heading) and bool(regex("items", "section_headings").fullmatch(heading))


def _with_labelled(text: str, spans: list[ItemSpan]) -> list[ItemSpan]:
    """Lettered items ("A. Ekonomisk rapport") and a label column split from its titles
    ("A B C Sammanträdet öppnas Upprop Val av justerare") join the numbered items. Numbered
    spans inside a split column (its labels, read as items without titles) give way to it; a
    column whose numbers head items elsewhere is a list of contents."""
    for lo, found in (label_runs.split_columns(text, _is_proper_title_word), label_runs.lettered(text)):
        if not found:
            continue
        hi = found[-1][1] + 1  # numbered items after the last title stay
        kept = [s for s in spans if not lo <= s.start < hi]
        if {label for _, _, label in found} & {s.number for s in kept}:
            continue  # the same numbers head the items further on: the column was a contents list
        extra = [ItemSpan(label, i + 1, None, start, body, True) for i, (start, body, label) in enumerate(found)]
        spans = sorted(kept + extra, key=lambda s: s.start)
    return spans


def _unnumbered(text: str) -> list[ItemSpan]:
    """No numbered items: a bullet list, a timetable or a run-together contents list."""
    readings = (layouts.bullet_list(text), layouts.timetable(text),
                layouts.contents_list(text, _is_proper_title_word))
    return _as_spans(max(readings, key=len))


def _as_spans(found: list[tuple[int, int, str]]) -> list[ItemSpan]:
    return [ItemSpan(number, int(number), None, start, body, True) for start, body, number in found]


def _is_proper_title_word(word: str) -> bool:
    return _is_proper(word) or bool(sequence.NOT_TITLE.match(word))


def _prefer_counted(spans: list[ItemSpan], counted: list[ItemSpan]) -> bool:
    """The counted sequence wins when it is longer, or when it is the body after a contents list.

    A contents list ("§ 40 Val av justerare 3 § 41 …") numbers like the body does, and the
    first-come reading takes it; the counted reading restarts at the same number after it.
    """
    if len(counted) > len(spans):
        return True
    return bool(spans and counted) and counted[0].start > spans[-1].start and counted[0].top == spans[0].top


def _attendance_note(text: str, span: ItemSpan) -> bool:
    """ "Eva Berg, ekonom, 281 Gunilla Ek, …": paragraph numbers in an attendance list."""
    before = text[max(0, span.start - 3) : span.start]
    return "," in before or bool(_PERSON_ROLE.match(text, span.body))


def _furniture_after(text: str, end: int) -> bool:
    """A page number, not an item: a label ("1 Tid kl.", "3 Plats och tid") or "§ 4" follows;
    or an attendance note: a person and a role ("142 Malin Berg, utredare, 143")."""
    rest = text[end : end + 60].lstrip()
    return rest[:1] == "§" or bool(sequence.NOT_TITLE.match(rest)) or bool(_PERSON_ROLE.match(rest))


def _from_sequence(text: str) -> list[ItemSpan]:
    """Fallback for flattened minutes: items found by their numbers counting up by one."""
    return [
        ItemSpan(c.number, c.hi, None, c.start, c.body, c.line_start)
        for c in sequence.find_sequence(text)
    ]


def _drop_lonely_start(spans: list[ItemSpan]) -> list[ItemSpan]:
    """A single numbered line with nothing after it is not an agenda."""
    return spans if len(spans) >= 2 else []


def bullet_subitems(text: str, parent: str) -> list[tuple[int, int, str, str]]:
    """(start, body_start, number, title) for standalone bullet paragraphs inside one item."""
    out = []
    matches = list(_BULLET_PARA.finditer(text))
    for i, match in enumerate(matches):
        out.append((match.start(), match.end(), f"{parent}.{i + 1}", match.group("title").strip()))
    return out


def split_title(span: str, *, line_mode: bool) -> tuple[str, str]:
    """Title and the rest, for the text that follows an item number.

    A title ends before a decision sentence ("… Direktionen beslutar …"); a whole line is the
    title when the number stood at a line start and the line reads like a heading (short, no
    sentence inside); otherwise the end is found by ``_title_from_run_on``.
    """
    span = _LEADING_CASE.sub("", span.lstrip(), count=1)
    if line_mode:
        first, _, rest = span.partition("\n")
        if not first.strip():
            first, _, rest = rest.lstrip("\n").partition("\n")
    else:
        first, rest = span, ""
    decision = _SUBJECT_VERB.search(first)
    if decision and decision.start() > 0:
        first, rest = first[: decision.start()], first[decision.start() :] + "\n" + rest
    heading_like = len(first) <= 100 and not any(
        not _abbreviation(m.group(1)) for m in _SENTENCE_INSIDE.finditer(first)
    )
    if line_mode and heading_like:
        return _tidy_title(first), rest.strip()
    head, tail = _title_from_run_on(first)
    return head, (tail + "\n" + rest).strip()


def _title_from_run_on(span: str) -> tuple[str, str]:
    """Where a flattened title ends: at a capitalised word that starts the prose."""
    words = span.split(" ")
    cut = len(words)
    for i, word in enumerate(words):
        if i >= MAX_TITLE_WORDS:
            cut = i
            break
        if i < 2 or not word:
            continue
        prev = words[i - 1]
        if _FILE_WORD.search(word):
            cut = i
            break
        if prev.endswith(".") and word[:1].isupper() and not _abbreviation(prev):
            cut = i
            break
        if _bullet_starts(words, i):
            cut = i
            break
        if not word[:1].isupper() or prev.lower() in _CONTINUES or prev.endswith(":"):
            continue
        if _municipality_subject(words, i):
            cut = i
            break
        if _is_proper(word) or (len(word) > 1 and word[:2].isupper()):
            continue
        cut = i
        break
    return _tidy_title(" ".join(words[:cut])), " ".join(words[cut:]).strip()


def _abbreviation(word: str) -> bool:
    """ "gem.", "bl.a.", "m.fl.": a period that shortens a word, not one that ends a sentence."""
    return bool(regex("items", "abbreviations").fullmatch(word.strip("(\"”")))


def _bullet_starts(words: list[str], i: int) -> bool:
    """ "… för utvecklad - En långsiktig plan": a dash after a lower-case word opens a bullet."""
    nxt = words[i + 1] if i + 1 < len(words) else ""
    return (
        words[i] in {"-", "–", "•"}
        and words[i - 1][:1].islower()
        and nxt[:1].isupper()
        and not _is_proper(nxt)
    )


def _municipality_subject(words: list[str], i: int) -> bool:
    """ "… åtgärder Skellefteå kommun har bildat …": a municipality acting starts the prose."""
    after = words[i + 1 : i + 3]
    return (
        len(after) == 2
        and after[0] in {"kommun", "stad", "kommuns", "stads"}
        and after[1][:1].islower()
        and after[1] not in _CONTINUES
        and reference.municipality_name(words[i]) is not None
    )


@lru_cache(maxsize=50_000)
def _is_proper(word: str) -> bool:
    """A known place or body; cached per word, as every title word of every item is asked."""
    bare = word.strip(",.;:()")
    return bool(reference.municipality_name(bare) or reference.match_organisation(bare))


def _tidy_title(title: str) -> str:
    title = _LEADER.split(title, maxsplit=1)[0]  # "Muntliga informationer... 4": a contents leader
    title = _DNR.sub("", title)
    title = re.sub(r"\(\s*\)", "", title)
    title = re.sub(r"\s+", " ", title).strip(" .:-–•")
    return title


def find_dnr(text: str) -> str | None:
    match = _DNR.search(text)
    return f"Dnr {match.group(1).strip()}" if match else None
