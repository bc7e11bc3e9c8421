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


_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html[\s>]|body[\s>])", re.IGNORECASE)
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
    text, encoding = decode_text(data, name, suffix, supported=suffix in SUPPORTED_SUFFIXES)
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
