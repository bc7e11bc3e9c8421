"""Bytes + file name → plain text: the first stage of the pipeline, and the only one that
knows about file formats.

Pure: no file I/O, no logging output, no globals read. The format is decided by content
first (a PDF named ``.txt`` is still a PDF) and by the extension second, because archives
of minutes are full of mislabelled files. Every failure becomes an ``ExtractError`` whose
reason is short Swedish advice, so one bad file never stops a corpus build.
"""

from __future__ import annotations

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

from indexer.decode import decode_text
from indexer.errors import ExtractError
from indexer.ocr import PageProgress, looks_unreadable, ocr_pdf

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
    notes: tuple[str, ...] = ()  # Swedish: what was cut to keep the file within the limits
    ocr: bool = False  # read from page images by OCR


# Limits that keep one file's memory and time bounded (issue 14; README "Tillförlitlighet").
MAX_TEXT_BYTES = 8 * 1024 * 1024  # txt/md/html bytes decoded and parsed; the rest is cut
MAX_ZIP_MEMBER_BYTES = 24 * 1024 * 1024  # one unpacked part of a DOCX (word/document.xml …)
MAX_ZIP_TOTAL_BYTES = 128 * 1024 * 1024  # all unpacked parts together
MAX_ZIP_RATIO = 100  # unpacked ÷ packed for a part over 1 MB; Word's XML packs 5–20×
MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 500
PDF_SECONDS = 60.0  # text-layer extraction stops (keeping the pages read) after this long


_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html[\s>]|body[\s>])", re.IGNORECASE)
_STRIP_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def extract_text(data: bytes, name: str, *, progress: PageProgress | None = None) -> Extracted:
    """Turn one file's bytes into text; raise ExtractError with Swedish advice if impossible.

    ``progress`` hears of each page read by OCR (a scanned PDF), the one slow step.
    """
    suffix = PurePath(name).suffix.lower()
    if not data.strip(b" \t\r\n\x00\x0b\x0c"):
        raise ExtractError(name, "filen är tom; kontrollera att rätt fil exporterades.")
    head = data[:1024]
    if b"%PDF-" in head:
        return _pdf(data, name, progress)
    if head.startswith(b"PK") and (suffix == ".docx" or _zip_has_document_xml(data)):
        return _docx(data, name)
    if suffix == ".docx":
        raise ExtractError(
            name, "trasig DOCX (inte ett ZIP-arkiv); öppna filen i Word och spara om den."
        )
    if suffix == ".pdf":
        raise ExtractError(name, "trasig PDF (PDF-huvud saknas); ladda ner eller exportera igen.")
    data, notes = _cut_text_bytes(data)
    text, encoding = decode_text(data, name, suffix, supported=suffix in SUPPORTED_SUFFIXES)
    if suffix in {".html", ".htm"} or _HTML_SNIFF.search(data[:4096]):
        return Extracted(_finish(_html_to_text(text), name), "html", encoding, notes=notes)
    fmt = "md" if suffix in {".md", ".markdown"} else "txt"
    return Extracted(_finish(text, name), fmt, encoding, notes=notes)


def _cut_text_bytes(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """At most ``MAX_TEXT_BYTES``, cut after a line end (a UTF-16 line end keeps its NUL).

    Decoding, HTML parsing and the minutes parser all grow with the text: a 60 MB text of
    500 000 items took 1.8 GB and more than 150 s before this cut (issue 14).
    """
    if len(data) <= MAX_TEXT_BYTES:
        return data, ()
    end = data.rfind(b"\n", 0, MAX_TEXT_BYTES - 1) + 1 or MAX_TEXT_BYTES - MAX_TEXT_BYTES % 4
    if data[end : end + 1] == b"\x00" and end % 2:  # UTF-16LE: "\n\x00"
        end += 1
    mb = MAX_TEXT_BYTES // (1024 * 1024)
    note = (f"Filen är {len(data) // (1024 * 1024)} MB; bara de första {mb} MB lästes. "
            "Dela upp filen om resten ska bli sökbart.")  # fmt: skip
    return data[:end], (note,)


def _finish(text: str, name: str) -> str:
    """One text shape for every format: \\n line ends, NFC, no stray control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    text = unicodedata.normalize("NFC", _STRIP_CONTROLS.sub("", text))
    if not text.strip():
        raise ExtractError(name, "filen är tom (ingen text hittades); kontrollera källfilen.")
    return text


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


def _pdf(data: bytes, name: str, progress: PageProgress | None = None) -> Extracted:
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
            pages, notes = _pdf_pages(reader)
        except ExtractError:
            raise
        except (FileNotDecryptedError, DependencyError):
            raise ExtractError(name, locked) from None
        except Exception as exc:  # noqa: BLE001 - pypdf raises anything on corrupt input
            raise ExtractError(
                name, f"trasig PDF ({type(exc).__name__}); ladda ner eller exportera igen."
            ) from None
    ocr = looks_unreadable(pages)
    if ocr:  # a scan (or a broken text layer): read the page images instead
        pages, ocr_notes = ocr_pdf(data, name, progress)
        notes = (*notes, *ocr_notes)
        if looks_unreadable(pages):
            raise ExtractError(name, "PDF utan textlager (inskannad?) där OCR inte hittade någon "
                                     "läsbar text; skanna om sidorna i minst 300 dpi.")  # fmt: skip
    text = "\f".join(p.replace("\f", "\n") for p in pages)
    return Extracted(_finish(text, name), "pdf", None, pages=len(pages), notes=notes, ocr=ocr)


def _pdf_pages(reader: object) -> tuple[list[str], tuple[str, ...]]:
    """Text of at most ``MAX_PDF_PAGES`` pages, stopping after ``PDF_SECONDS`` (said in notes)."""
    import time

    all_pages = reader.pages  # type: ignore[attr-defined]
    started, pages = time.monotonic(), list[str]()
    for number, page in enumerate(all_pages, start=1):
        if number > MAX_PDF_PAGES:
            return pages, (f"PDF:en har {len(all_pages)} sidor; bara de första "
                           f"{MAX_PDF_PAGES} lästes.",)  # fmt: skip
        if time.monotonic() - started > PDF_SECONDS:
            return pages, (f"Textlagret tog över {PDF_SECONDS:.0f} s att läsa; bara de första "
                           f"{number - 1} av {len(all_pages)} sidorna lästes.",)  # fmt: skip
        pages.append(page.extract_text() or "")
    return pages, ()


# --- DOCX -------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)


def _zip_has_document_xml(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return False


def check_zip_limits(data: bytes, name: str) -> None:
    """Refuse a ZIP container whose parts would unpack beyond the limits (a zip bomb).

    The sizes are read from the central directory before anything is unpacked; a part that
    lies about its size cannot get past them either, because ``zipfile`` never reads more than
    the stated size (it fails the CRC check instead).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return  # not a readable ZIP: the caller reports it as broken
    advice = "Filen packas upp till för mycket data (zip-bomb?); öppna och spara om den i Word."
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ExtractError(name, f"DOCX med {len(infos)} delar (högst {MAX_ZIP_MEMBERS}). {advice}")
    total = sum(i.file_size for i in infos)
    biggest = max(infos, key=lambda i: i.file_size, default=None)
    mb = 1024 * 1024
    if total > MAX_ZIP_TOTAL_BYTES or (biggest and biggest.file_size > MAX_ZIP_MEMBER_BYTES):
        raise ExtractError(
            name, f"DOCX som packas upp till {total // mb} MB (högst {MAX_ZIP_TOTAL_BYTES // mb} "
            f"MB totalt och {MAX_ZIP_MEMBER_BYTES // mb} MB per del). {advice}",
        )
    for info in infos:
        if info.file_size > mb and info.file_size > MAX_ZIP_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise ExtractError(
                name, f"DOCX-delen {info.filename} packas upp {ratio} gånger (högst "
                f"{MAX_ZIP_RATIO}). {advice}",
            )


def _docx(data: bytes, name: str) -> Extracted:
    check_zip_limits(data, name)
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
