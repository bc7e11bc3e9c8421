"""Text repairs between extraction and parsing: small named ``str -> str`` fix-ups.

Each repair is pure, idempotent and names in its docstring the seed (or dev-minutes mess) that
needs it; ``clean`` applies them in order. Order matters: a format's own repairs (Markdown
markers) go first, so furniture hidden in a heading ("### Transkript") is seen by the rest;
web-transcript page prefixes are recognised by the transcript header, so they go before the
header is dropped; hyphenation is repaired after page furniture is gone, so a word split across
a page break joins up.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

Repair = Callable[[str], str]

_TRANSCRIPT_MARK = re.compile(r"^Transkript\s*$", re.MULTILINE)
_TRANSCRIPT_HEADER_LINES = re.compile(
    r"^(?:Storlek:\s*px|Starta visningen från sidan:?|Transkript|Save this PDF as:|"
    r"\s*WORD\s+PNG\s+TXT\s+JPG|Full text|Gå till innehåll|Hoppa över navigering)\s*$\n?",
    re.MULTILINE,
)
_DOWNLOAD_LINE = re.compile(r'^Download\s+"(.*)"\s*$', re.MULTILINE)
_READ_MORE = "Läs mer"


def normalise_whitespace(text: str) -> str:
    """Unify line ends, no-break spaces and trailing blanks (every seed; dev-minutes note NBSP).

    Also turns form feeds (PDF page joins) into paragraph breaks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = text.replace("\f", "\n\n").replace("\u00a0", " ").replace("\u2009", " ")
    text = drop_trailing_blanks(text)
    return _MANY_NEWLINES.sub("\n\n\n", text) if "\n\n\n\n" in text else text


_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_NEWLINES = re.compile(r"\n{4,}")


def drop_trailing_blanks(text: str) -> str:
    """Strip spaces and tabs at line ends; the regex scan is skipped when there are none.

    ``$`` matches before each newline and at the very end, so blanks there can only exist
    if the text ends in one or holds one before a newline (checked with fast ``str`` scans).
    """
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        return _TRAILING_BLANKS.sub("", text)
    return text


def drop_transcript_page_prefixes(text: str) -> str:
    """Drop "N " page numbers that start each page of a web transcript (Skellefteregionen seed).

    Document hosts print the page number before each page ("2 6:e i Sverige") and often the
    same number at the end of the page ("… på orten. 2"). Only done in texts that carry the
    host's "Transkript" header, where the numbers run 1, 2, 3 … at paragraph starts.
    """
    if not _TRANSCRIPT_MARK.search(text):
        return text
    paragraphs = text.split("\n\n")
    page, last = 1, -1
    for i, para in enumerate(paragraphs):
        prefix = re.match(rf"{page} (?=\S)", para)
        if not prefix:
            continue
        paragraphs[i] = para[prefix.end() :]
        if page > 1 and i > 0:
            paragraphs[i - 1] = re.sub(rf"\s+{page - 1}$", "", paragraphs[i - 1])
        page, last = page + 1, i
    if last >= 0:
        paragraphs[last] = re.sub(rf"\s+{page - 1}$", "", paragraphs[last])
    return "\n\n".join(paragraphs)


def drop_web_transcript_furniture(text: str) -> str:
    """Drop document-host furniture (Skellefteregionen seed; most dev-minutes).

    The header lines "Storlek: px", "Starta visningen från sidan:", "Transkript" go; the
    'Download "…"' line keeps its quoted title, which is often the only place the meeting's
    date survives. The host's trailing list of *other* documents (title, blurb, "Läs mer")
    is cut off, so words that occur only there ("Åland", "Västerås") never reach the meeting.
    """
    text = _TRANSCRIPT_HEADER_LINES.sub("", text)
    text = _DOWNLOAD_LINE.sub(lambda m: m.group(1), text)
    paragraphs = text.split("\n\n")
    stripped = [p.strip() for p in paragraphs]
    if _READ_MORE not in stripped:
        return text
    i = stripped.index(_READ_MORE)
    cut = i - 1
    if i >= 2 and stripped[i - 2] and stripped[i - 1].startswith(stripped[i - 2]):
        cut = i - 2
    return "\n\n".join(paragraphs[: max(cut, 0)]).rstrip() + "\n"


_SLASH_PAGE = re.compile(r"[ \t]*(?<![\w/])\d{1,3} / \d{1,3}[ \t]*$", re.MULTILINE)
_SIDA = re.compile(r"[ \t]*\b[Ss]ida?\s*\d{1,3}\s*\(\s*\d{1,3}\s*\)[ \t]*")
_PAGE_OF = re.compile(r"[ \t]*\bPage \d{1,3} of \d{1,3}\b[ \t]*")
_PAREN_PAGE_LINE = re.compile(r"^[ \t]*(?:\(\d{1,3}\)|-\s*\d{1,3}\s*-)[ \t]*\n", re.MULTILINE)


def drop_page_markers(text: str) -> str:
    """Remove page furniture (2017 Umeåregionen seed: "1 / 10" glued to line ends).

    Also "Sid 1(10)", "Sida 2 (27)" and "Page 1 of 14" (dev-minutes) and lines that hold only
    "(3)" or "- 3 -".
    """
    # Each pattern needs a literal its marker always contains; a plain ``in`` is far cheaper
    # than letting the regex engine try every position of a text that has none.
    if " / " in text:
        text = _SLASH_PAGE.sub("", text)
    if "id" in text:
        text = _SIDA.sub(" ", text)
    if "Page " in text:
        text = _PAGE_OF.sub(" ", text)
    text = _PAREN_PAGE_LINE.sub("", text)
    return drop_trailing_blanks(text)


# Possessive runs starting at a word start: the same matches as plain "(\w+)", which the
# engine retried at every letter of every word (2.5× slower on generated minutes).
_HYPHEN_BREAK = re.compile(r"(?<!\w)(\w++)-[ \t]*\n(?:[ \t]*\n)?[ \t]*(\w++)")
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n")
_KEEP_AFTER = {"och", "eller", "samt", "till", "resp", "respektive"}
# Direction words form hyphenated pairs ("nord-sydlig", "öst-västlig"), never split words.
_KEEP_BEFORE = {"nord", "syd", "öst", "väst", "nordost", "sydost", "nordväst", "sydväst"}
_SPACED_PREFIX = re.compile(r"(?<!\w)([a-zåäö]|[A-ZÅÄÖ]{2,5})- (?=([a-zåäö]+))")


def _keep_hyphen(before: str, after: str) -> bool:
    """A hyphen is the word's own when the first part is a letter/acronym or the next is a name."""
    last = re.split(r"[-]", before)[-1]
    return (
        last.lower() in _KEEP_BEFORE
        or len(last) == 1
        or last.isupper()
        or last.isdigit()
        or after[:1].isupper()
        or after[:1].isdigit()
        or after.lower() in _KEEP_AFTER
    )


def join_hyphenated_lines(text: str) -> str:
    """Repair words split at line ends (Kommunförbundet Västernorrland seed: "där-\\nefter").

    Real hyphenated words stay whole: "e-\\n\\ntjänster" in the Skåne Nordväst seed becomes
    "e-tjänster" (even across a paragraph break), "IT-\\nsamverkan" keeps its hyphen, and
    "hälso-\\noch" becomes "hälso- och". Transcripts' "e- nämnden" becomes "e-nämnden".
    """

    def repl(match: re.Match[str]) -> str:
        before, after = match.group(1), match.group(2)
        if after.lower() in _KEEP_AFTER:
            return f"{before}- {after}"
        if _keep_hyphen(before, after):
            return f"{before}-{after}"
        return before + after

    if _LINE_END_HYPHEN.search(text):
        text = _HYPHEN_BREAK.sub(repl, text)
    if "- " not in text:
        return text
    return _SPACED_PREFIX.sub(
        lambda m: m.group(0) if m.group(2) in _KEEP_AFTER else m.group(1) + "-", text
    )


_LETTER_SPACED = re.compile(r"(?<!\w)((?:[A-Za-zÅÄÖåäö] ){2,}[A-Za-zÅÄÖåäö])(?!\w)")
_SHORT_SPACED_WORDS = {"att", "och"}


def join_letter_spaced_words(text: str) -> str:
    """Join letter-spaced words: "beslutar a t t utse" (dev-minutes, typewriter emphasis).

    Only joined when the result is "att"/"och" or four letters or more, so abbreviations
    such as "t o m" and "p g a" stay as written.
    """

    def repl(match: re.Match[str]) -> str:
        joined = match.group(1).replace(" ", "")
        if len(joined) >= 4 or joined.lower() in _SHORT_SPACED_WORDS:
            return joined
        return match.group(1)

    return _LETTER_SPACED.sub(repl, text)


# Possessive: a shorter head or tail would be followed by a letter, so could never match.
_SPLIT_PAIR = re.compile(r"(?<![\w-])([A-Za-zÅÄÖåäöÉé]{3,}+) ([a-zåäöé]{3,}+)(?![\w-])")
_WORD = re.compile(r"[^\W\d_]+")
MIN_JOINED = 8


def join_split_words(text: str) -> str:
    """Join OCR-split words the document itself spells whole (Skellefteregionen seed).

    "Integrationsfrä mjande" becomes "Integrationsfrämjande" and "kom muncheferna"
    "kommuncheferna" because the same text writes those words unbroken elsewhere. The tail
    must never stand alone in the text ("mjande" is no word), so a real pair such as
    "intern kontroll" beside "internkontroll" stays as written.

    Nearly every text has long word pairs and almost none spells one of them whole, so the
    pairs are first read as plain tuples (``findall``); match objects, positions and counts are
    made only for a text where some pair's whole form occurs.
    """
    words: dict[str, int] | None = None
    for head, tail in _SPLIT_PAIR.findall(text):
        if len(head) + len(tail) >= MIN_JOINED:
            words = words if words is not None else _lower_word_counts(text)
            if (head + tail).lower() in words:
                return _join_pairs(text, words)
    return text


def _join_pairs(text: str, words: dict[str, int]) -> str:
    matches = [m for m in _SPLIT_PAIR.finditer(text)
               if len(m.group(1)) + len(m.group(2)) >= MIN_JOINED
               and (m.group(1) + m.group(2)).lower() in words]  # fmt: skip
    pairs = Counter((m.group(1).lower(), m.group(2)) for m in matches)
    pieces: list[str] = []
    done = 0
    for match in matches:
        head, tail = match.group(1), match.group(2)
        if words.get(tail, 0) - pairs[(head.lower(), tail)] <= 0:  # the tail never stands alone
            pieces += (text[done : match.start()], head, tail)
            done = match.end()
    return "".join((*pieces, text[done:])) if pieces else text


def _lower_word_counts(text: str) -> dict[str, int]:
    """How often each word occurs, case folded (counted per written form, then merged)."""
    words: dict[str, int] = {}
    for word, count in Counter(_WORD.findall(text)).items():
        key = word.lower()
        words[key] = words.get(key, 0) + count
    return words


_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
def strip_heading_markers(text: str) -> str:
    """Drop "#" heading markers the DOCX extractor writes for Word headings (format fixtures).

    "## 1. Mötets öppnande" must start its line with the item number, as in a plain text file.
    Emphasis is left alone: DOCX text has no Markdown emphasis, and "*" may be real text.
    """
    return _MD_HEADING.sub("", text)


_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
_MD_LINE_BREAK = re.compile(r"\\$", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """Remove Markdown heading and emphasis markers (Skåne Nordväst seed, ``fmt == "md"``).

    "### 1. **Projekt**" becomes "1. Projekt" and "*att …*" becomes "att …", so neither titles
    nor decisions carry markers. Headings stay on their own line, which the item parser uses.
    """
    text = _MD_HEADING.sub("", text)
    for _ in range(2):  # nested "***x***" / "**_x_**"
        text = _MD_EMPHASIS.sub(lambda m: m.group(2), text)
    text = re.sub(r"^[ \t]*\*{2,}[ \t]*$", "", text, flags=re.MULTILINE)
    return _MD_LINE_BREAK.sub("", text)


COMMON_REPAIRS: tuple[Repair, ...] = (
    normalise_whitespace,
    drop_transcript_page_prefixes,
    drop_web_transcript_furniture,
    drop_page_markers,
    join_hyphenated_lines,
    join_letter_spaced_words,
    join_split_words,
)
FORMAT_REPAIRS: dict[str, tuple[Repair, ...]] = {
    "md": (strip_markdown,),
    "docx": (strip_heading_markers,),
}


def repairs_for(fmt: str) -> tuple[Repair, ...]:
    """The ordered repairs for one format: the format's own, then the common chain."""
    return (normalise_whitespace, *FORMAT_REPAIRS.get(fmt, ()), *COMMON_REPAIRS)


MAX_PASSES = 3


def clean(text: str, fmt: str) -> str:
    """Apply every repair for ``fmt`` in order; the result is what the parser reads.

    One repair can expose work for another (a joined word ends in a new line-end hyphen), so
    the chain runs until nothing changes — at most ``MAX_PASSES`` times — which makes ``clean``
    idempotent on its own output.

    Almost every text needs a second pass only to confirm that nothing changes any more. The
    repairs are pure, so a repair that came after the last change of the previous pass has
    already been run on exactly this text and left it alone: that part of the confirming pass
    is skipped (it was about a third of the cleaning time on generated minutes).
    """
    repairs = repairs_for(fmt)
    settled = len(repairs)  # repairs from here on are known to leave ``text`` as it is
    for _ in range(MAX_PASSES):
        last_change = -1
        for i, repair in enumerate(repairs):
            if i >= settled and last_change < 0:
                break
            repaired = repair(text)
            if repaired != text:
                last_change = i
            text = repaired
        if last_change < 0:
            break
        settled = last_change + 1
    return text
