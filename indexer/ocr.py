"""Scanned minutes: page images → text with Tesseract's Swedish model.

Archives before about 2012 are full of image-only PDFs. Pages are rendered with pypdfium2
(300 dpi, greyscale: what Tesseract reads best) and read by the ``tesseract`` program through
pytesseract, one page at a time so memory stays at one page bitmap (about 9 MB).

Tesseract is a system program, not a Python package: on Debian/Ubuntu it comes from the
packages ``tesseract-ocr`` and ``tesseract-ocr-swe``. Where it (or its Swedish model) is
missing the file is rejected with a message naming those packages, never dropped silently.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from indexer.errors import ExtractError

LANGUAGE = "swe"
DPI = 300
MAX_OCR_PAGES = 200
OCR_SECONDS = 240.0  # pages after this are left out, with a note (the file's budget is 300 s)
PAGE_SECONDS = 60  # one page that takes longer is skipped (tesseract is stopped)
INSTALL_HINT = (
    "installera Debianpaketen tesseract-ocr och tesseract-ocr-swe "
    "(sudo apt-get install tesseract-ocr tesseract-ocr-swe) och kör protokoll index igen."
)

PageProgress = Callable[[int, int], None]  # (page, pages)


@lru_cache(maxsize=1)
def tesseract_problem() -> str | None:
    """Why OCR cannot run here (Swedish), or None when Tesseract with Swedish is installed."""
    import pytesseract

    try:
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError):
        return "Tesseract (OCR-programmet) är inte installerat"
    except pytesseract.TesseractError:
        return "Tesseract kunde inte startas"
    if LANGUAGE not in languages:
        return "Tesseract saknar den svenska språkmodellen"
    return None


def ocr_pdf(data: bytes, name: str, progress: PageProgress | None = None) -> tuple[list[str], tuple[str, ...]]:
    """The text of every page read by OCR, and notes on what was left out."""
    import pypdfium2 as pdfium
    import pytesseract

    problem = tesseract_problem()
    if problem:
        raise ExtractError(name, f"PDF utan textlager (inskannad); {problem} – {INSTALL_HINT}")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per parse worker, not all of them
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ExtractError(name, f"trasig PDF ({exc}); ladda ner eller exportera igen.") from None
    try:
        total = len(document)
        pages: list[str] = []
        notes: list[str] = []
        started = time.monotonic()
        for number in range(1, min(total, MAX_OCR_PAGES) + 1):
            if time.monotonic() - started > OCR_SECONDS:
                notes.append(f"OCR-läsningen stoppades efter {OCR_SECONDS:.0f} s; sidorna "
                             f"{number}–{total} lästes inte.")  # fmt: skip
                break
            if progress:
                progress(number, total)
            with _one_at_a_time():
                image = document[number - 1].render(scale=DPI / 72, grayscale=True).to_pil()
                try:
                    pages.append(pytesseract.image_to_string(image, lang=LANGUAGE,
                                                             timeout=PAGE_SECONDS))  # fmt: skip
                except RuntimeError:  # pytesseract's timeout
                    pages.append("")
                    notes.append(f"Sidan {number} tog för lång tid att läsa med OCR och hoppades över.")
                del image
        if total > MAX_OCR_PAGES:
            notes.append(f"PDF:en har {total} sidor; bara de första {MAX_OCR_PAGES} lästes med OCR.")
        return pages, (*notes,)
    finally:
        document.close()


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """One page in OCR at a time on this machine, whatever the number of parse workers.

    A page bitmap plus a ``tesseract`` process is about 75 MB; two at once pushed the fault
    corpus run past its 768 MB bound (measured 785 MB). OCR is CPU-bound anyway, so two
    parallel pages gain little on the two cores this is sized for.
    """
    fd = os.open(Path(tempfile.gettempdir()) / "protokoll-ocr.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def looks_unreadable(pages: list[str]) -> bool:
    """No text layer, or one that is garbage (a broken font map, scanner noise).

    Garbage: under 40 % letters among the visible characters, or under half of the longer
    letter-only words holding a vowel (Swedish words almost always do; cid-mapped fonts
    give consonant soup or symbols).
    """
    text = "".join(pages)
    visible = [c for c in text if not c.isspace()]
    if len(visible) < 20 * max(1, len(pages)) // 4 + 10:
        return True
    letters = sum(c.isalpha() for c in visible)
    if letters < 0.4 * len(visible):
        return True
    words = [w for w in text.split() if len(w) >= 3 and w.isalpha()]
    if len(words) < 5:
        return False
    voweled = sum(any(v in w.lower() for v in "aeiouyåäöé") for w in words)
    return voweled < 0.5 * len(words)
