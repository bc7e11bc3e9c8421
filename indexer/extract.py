"""Bytes + file name → plain text: the first stage of the pipeline, and the only one that
knows about file formats.

Pure: no file I/O, no logging output, no globals read. The format is decided by content
first (a PDF named ``.txt`` is still a PDF) and by the extension second, because archives
of minutes are full of mislabelled files. Every failure becomes an ``ExtractError`` whose
reason is short Swedish advice, so one bad file never stops a corpus build.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from indexer.errors import ExtractError

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}
)


@dataclass(frozen=True)
class Extracted:
    """What a file said, which format it turned out to be, and how its bytes were decoded."""

    text: str
    format: str  # "txt" | "md" | "html" | "pdf" | "docx"
    encoding: str | None  # text formats only: "utf-8", "utf-8-sig", "cp1252", "utf-16", …
    pages: int | None = None


# Magic numbers of files that are certainly not text. Checked before any decoding so a JPEG
# renamed to .txt is reported as a picture, not indexed as mojibake.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG-bild"),
    (b"\xff\xd8\xff", "JPEG-bild"),
    (b"GIF87a", "GIF-bild"),
    (b"GIF89a", "GIF-bild"),
    (b"II*\x00", "TIFF-bild"),
    (b"MM\x00*", "TIFF-bild"),
    (b"PK\x03\x04", "ZIP-arkiv"),
    (b"PK\x05\x06", "ZIP-arkiv"),
    (b"MZ", "Windows-program"),
    (b"\x7fELF", "program"),
    (b"\x1f\x8b", "gzip-arkiv"),
    (b"Rar!", "RAR-arkiv"),
    (b"7z\xbc\xaf", "7z-arkiv"),
    (b"\xd0\xcf\x11\xe0", "gammalt Office-format (.doc/.xls); spara som DOCX eller PDF"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1A, 0x1B}
_SAMPLE = 64 * 1024
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html[\s>]|body[\s>])", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# Characters cp1252 gives to bytes that DOS code pages (cp850/cp437) use for å/ä/ö; seen
# between letters they mean the cheap cp1252 guess was wrong.
_MOJIBAKE_IN_WORD = re.compile(r"[A-Za-z][\u2020\u201e\u201d\u2030\u0160\u2039\u0152][a-z]")
_STRIP_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def extract_text(data: bytes, name: str) -> Extracted:
    """Turn one file's bytes into text; raise ExtractError with Swedish advice if impossible."""
    suffix = PurePath(name).suffix.lower()
    if not data.strip(b" \t\r\n\x00\x0b\x0c"):
        raise ExtractError(name, "filen är tom; kontrollera att rätt fil exporterades.")
    head = data[:1024]
    if b"%PDF-" in head:
        return _pdf(data, name)
    if head.startswith(b"PK") and (suffix == ".docx" or _zip_has_document_xml(data)):
        return _docx(data, name)
    if suffix == ".docx":
        raise ExtractError(
            name, "trasig DOCX (inte ett ZIP-arkiv); öppna filen i Word och spara om den."
        )
    if suffix == ".pdf":
        raise ExtractError(name, "trasig PDF (PDF-huvud saknas); ladda ner eller exportera igen.")
    text, encoding = _decode_text(data, name, suffix)
    if suffix in {".html", ".htm"} or _HTML_SNIFF.search(data[:4096]):
        return Extracted(_finish(_html_to_text(text), name), "html", encoding)
    fmt = "md" if suffix in {".md", ".markdown"} else "txt"
    return Extracted(_finish(text, name), fmt, encoding)


def _finish(text: str, name: str) -> str:
    """One text shape for every format: \\n line ends, NFC, no stray control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    text = unicodedata.normalize("NFC", _STRIP_CONTROLS.sub("", text))
    if not text.strip():
        raise ExtractError(name, "filen är tom (ingen text hittades); kontrollera källfilen.")
    return text


# --- plain text -----------------------------------------------------------------------


def _decode_text(data: bytes, name: str, suffix: str) -> tuple[str, str]:
    """Decode text bytes, rejecting binaries. HTML may name its own charset."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig":
                text, found = _decode_8bit(data[len(bom) :])
                return text, "utf-8-sig" if found == "utf-8" else f"utf-8-sig+{found}"
            return data.decode(encoding, errors="replace"), encoding
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    _reject_binary(data, name, suffix)
    declared = (
        _declared_charset(data) if suffix in {".html", ".htm"} or b"<" in data[:4096] else None
    )
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # the declaration lied; fall through to the byte-level rules
    return _decode_8bit(data)


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """Valid UTF-8 → utf-8; otherwise per line: UTF-8 where valid, cp1252 elsewhere.

    Per line because merged archives mix both (a cp1252 header pasted above UTF-8 notes).
    cp1252 is the Swedish Windows legacy; it also decodes latin-1 Swedish text identically.
    """
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8_lines = legacy_lines = 0
    out: list[str] = []
    for line in lines:
        try:
            decoded = line.decode("utf-8")
            utf8_lines += not line.isascii()
        except UnicodeDecodeError:
            decoded = _cp1252(line)
            legacy_lines += 1
        out.append(decoded)
    text = "\n".join(out)
    if utf8_lines:
        return text, "utf-8+cp1252"
    if _MOJIBAKE_IN_WORD.search(text):
        guessed = _charset_normalizer_guess(data)
        if guessed and _swedishness(guessed[0]) > _swedishness(text):
            return guessed
    return text, "cp1252"


def _cp1252(line: bytes) -> str:
    """cp1252 with latin-1 for the five bytes cp1252 leaves undefined: never fails."""
    return "".join(
        chunk.decode("cp1252") if i % 2 == 0 else chunk.decode("latin-1")
        for i, chunk in enumerate(re.split(rb"([\x81\x8d\x8f\x90\x9d]+)", line))
    )


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """Used only when cp1252 produced visible mojibake: try the DOS/Mac code pages Swedish
    archives actually contain plus charset-normalizer's statistical guess, and keep the
    decoding with the most Swedish letters and the fewest odd symbols inside words."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_SAMPLE]).best()
    candidates = ["cp850", "cp437", "mac_roman"] + ([best.encoding] if best else [])
    scored: list[tuple[int, str, str]] = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_swedishness(text), encoding.replace("_", "-"), text))
    if not scored:
        return None
    score, encoding, text = max(scored, key=lambda s: s[0])
    return (text, encoding) if score > 0 else None


def _swedishness(text: str) -> int:
    letters = sum(text.count(c) for c in "åäöÅÄÖé")
    odd = len(re.findall(r"[^\W\d_][^\w\s.,;:!?()'\"/-][^\W\d_]", text))
    return letters - 3 * odd


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM (some Windows exports): NULs on one side of almost every pair."""
    sample = data[:_SAMPLE]
    if len(sample) < 8 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _reject_binary(data: bytes, name: str, suffix: str) -> None:
    """Refuse files that are mostly not text; a few NULs in real text are merely stripped."""
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ExtractError(name, f"binärfil, inte text ({what}).")
    sample = data[:_SAMPLE]
    nuls = sample.count(0)
    controls = sum(1 for b in sample if b in _CONTROL_BYTES) - nuls
    high = sum(1 for b in sample if b >= 0x80)
    size = len(sample)
    invalid_utf8 = not _valid_utf8_prefix(sample)
    if nuls > 0.3 * size or controls > 0.05 * size or (invalid_utf8 and high > 0.3 * size):
        where = f"filtypen {suffix} stöds inte; " if suffix not in SUPPORTED_SUFFIXES else ""
        raise ExtractError(
            name,
            f"binärfil, inte text ({where}för många styrtecken); "
            "exportera protokollet som text, PDF eller DOCX.",
        )


def _valid_utf8_prefix(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # only a character cut off by the sample edge
    return True


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # Browsers read latin-1 and ascii declarations as windows-1252; so do we.
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name


# --- HTML -------------------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript",
              "template", "svg", "iframe", "button")  # fmt: skip
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "ul",
        "caption",
    ]
)
_JUNK_ATTR = re.compile(r"cookie|consent|gdpr|skip-?link|breadcrumb", re.IGNORECASE)


def _html_to_text(markup: str) -> str:
    """Main text of a web page; a pathological tree falls back to a regex tag-stripper."""
    try:
        return _soup_text(markup)
    except RecursionError:
        return _regex_text(markup)


def _soup_text(markup: str) -> str:
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, Tag

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.extract()
    for tag in soup.find_all(_is_furniture):
        tag.extract()
    root: Tag = (
        soup.find("main") or soup.find("article") or soup.select_one('[role="main"]')
        or soup.body or soup
    )  # fmt: skip
    parts: list[str] = []
    stack: list[object] = [root]
    skip = (Comment, Declaration, Doctype)
    while stack:  # iterative walk: 10 000 nested <div>s must not hit the recursion limit
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            parts.append(node)  # a newline marker pushed below
        elif isinstance(node, NavigableString):
            if not isinstance(node, skip):
                parts.append(re.sub(r"\s+", " ", str(node)))
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
            elif node.name == "tr":
                cells = [
                    c.get_text(" ", strip=True)
                    for c in node.find_all(["td", "th"], recursive=False)
                ]
                while parts and not parts[-1].strip(" ") and "\n" not in parts[-1]:
                    parts.pop()  # whitespace between rows would become a blank line
                lead = "" if not parts or parts[-1].endswith("\n") else "\n"
                parts.append(lead + " | ".join(c for c in cells if c) + "\n")
            else:
                block = node.name in _BLOCK_TAGS
                if block:
                    parts.append("\n")
                    stack.append("\n")
                stack.extend(reversed(node.contents))
    return _tidy_lines("".join(parts))


def _is_furniture(tag: object) -> bool:
    """Cookie banners, skip links, hidden and navigational landmarks: never minutes text."""
    attrs = getattr(tag, "attrs", None)
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if attrs.get("role") in {"navigation", "banner", "contentinfo", "dialog", "alertdialog"}:
        return True
    ident = " ".join([str(attrs.get("id", ""))] + list(attrs.get("class", []) or []))
    return bool(_JUNK_ATTR.search(ident))


def _regex_text(markup: str) -> str:
    import html

    drop = "|".join(_DROP_TAGS)
    markup = re.sub(rf"<({drop})\b.*?</\1\s*>", " ", markup, flags=re.IGNORECASE | re.DOTALL)
    markup = re.sub(r"<!--.*?-->", " ", markup, flags=re.DOTALL)
    markup = re.sub(r"<br\s*/?>|</?(?:p|div|li|tr|h[1-6]|table|section|article)\b[^>]*>", "\n",
                    markup, flags=re.IGNORECASE)  # fmt: skip
    markup = re.sub(r"</t[dh]\s*>", " | ", markup, flags=re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return _tidy_lines(text)


def _tidy_lines(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    lines = [line.rstrip(" |").lstrip("| ") for line in lines]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# --- PDF --------------------------------------------------------------------------------


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about every harmless quirk; the reason we raise is what matters."""
    logger = logging.getLogger("pypdf")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(previous)


def _pdf(data: bytes, name: str) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    if b"%%EOF" not in data[-2048:]:
        raise ExtractError(name, "trasig PDF (filen är avkortad); ladda ner eller exportera igen.")
    locked = "krypterad PDF (lösenordsskyddad); ta bort lösenordet och spara om filen."
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ExtractError(name, locked)
            pages = [page.extract_text() or "" for page in reader.pages]
        except ExtractError:
            raise
        except (FileNotDecryptedError, DependencyError):
            raise ExtractError(name, locked) from None
        except Exception as exc:  # noqa: BLE001 - pypdf raises anything on corrupt input
            raise ExtractError(
                name, f"trasig PDF ({type(exc).__name__}); ladda ner eller exportera igen."
            ) from None
    if not any(p.strip() for p in pages):
        raise ExtractError(name, "PDF utan textlager (inskannad?) – kör OCR först.")
    text = "\f".join(p.replace("\f", "\n") for p in pages)
    return Extracted(_finish(text, name), "pdf", None, pages=len(pages))


# --- DOCX -------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)


def _zip_has_document_xml(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return False


def _docx(data: bytes, name: str) -> Extracted:
    if not _zip_has_document_xml(data):
        raise ExtractError(
            name, "trasig DOCX (word/document.xml saknas); öppna filen i Word och spara om den."
        )
    try:
        lines = list(_docx_lines(data))
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml raise many types on bad XML
        raise ExtractError(
            name, f"trasig DOCX ({type(exc).__name__}); öppna och spara om filen i Word."
        ) from None
    return Extracted(_finish("\n".join(lines), name), "docx", None)


def _docx_lines(data: bytes) -> Iterator[str]:
    """Paragraphs and tables in body order; headings as Markdown so the parser sees structure."""
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    # Resolving block.style searches styles.xml on every paragraph (10x slower); map ids once.
    styles = {s.style_id: s.name or "" for s in document.styles}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                yield "\t".join(_unique_cells(row))
            yield ""
            continue
        text = block.text
        style = styles.get(block._p.style or "Normal", "")
        match = _HEADING_STYLE.match(style)
        if match and text.strip():
            yield "#" * int(match.group(1)) + " " + text.strip()
        elif style.lower() in {"title", "rubrik"} and text.strip():
            yield "# " + text.strip()
        else:
            yield text


def _unique_cells(row: object) -> list[str]:
    """Merged cells repeat in python-docx's row.cells; keep each underlying cell once."""
    seen: list[object] = []  # the lxml elements themselves: identity, not equality
    cells: list[str] = []
    for cell in row.cells:  # type: ignore[attr-defined]
        if any(cell._tc is tc for tc in seen):
            continue
        seen.append(cell._tc)
        cells.append(" ".join(cell.text.split()))
    return cells
