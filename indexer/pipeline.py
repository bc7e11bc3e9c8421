"""One source file → one tagged ``Meeting``: the I/O edge in front of the pure stages.

Reads bytes and the folder metadata file, then runs the pure stages in data-flow order:
``extract_text`` → ``clean`` → ``parse_minutes`` → ``tag_meeting`` → ``split_passages``. Both
``protokoll parse`` and the index builder go through here, so a file parses the same way
everywhere.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from indexer.errors import ExtractError
from indexer.records import FolderDefaults, Meeting, ParseWarning

FOLDER_METADATA = "protokoll.toml"
MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are rejected, not read into memory
MAX_TEXT_CHARS = 1_000_000  # characters handed to the parser (about 400 pages of minutes)
MAX_ITEMS = 2000  # agenda items kept per document
FILE_SECONDS = 300  # one file is read, parsed and tagged within this, or rejected
TRIM_AFTER_BYTES = 1024 * 1024


def read_source(path: Path) -> bytes:
    """Read a file, turning every OS-level failure into an ExtractError naming the path.

    Only regular files are opened: a FIFO named ``x.txt`` would block the run forever and a
    device could be endless or react to being opened. The name is checked with ``stat`` first,
    and the descriptor again with ``fstat`` (opened non-blocking), so a file swapped in between
    cannot hang the run either.
    """
    try:
        st = os.stat(path)
        _check_regular(st.st_mode, st.st_size, path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise ExtractError(str(path), "saknar läsbehörighet; ändra filens rättigheter.") from None
    except IsADirectoryError:
        raise ExtractError(str(path), "är en mapp, inte en fil.") from None
    except OSError as exc:
        raise ExtractError(str(path), f"kunde inte läsas ({exc.strerror or exc}).") from None
    try:
        return _read_regular(fd, path)
    except OSError as exc:
        raise ExtractError(str(path), f"kunde inte läsas ({exc.strerror or exc}).") from None
    finally:
        os.close(fd)


def _read_regular(fd: int, path: Path) -> bytes:
    """The bytes of an open regular file of at most MAX_FILE_BYTES (never more are read)."""
    st = os.fstat(fd)
    _check_regular(st.st_mode, st.st_size, path)
    os.set_blocking(fd, True)
    chunks, total = [], 0
    while chunk := os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_FILE_BYTES:  # the file grew while we read it
            raise ExtractError(str(path), _too_big(total))
    return b"".join(chunks)


def _check_regular(mode: int, size: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise ExtractError(str(path), "är en mapp, inte en fil.")
    if not stat.S_ISREG(mode):
        raise ExtractError(
            str(path), f"är inte en vanlig fil ({_file_kind(mode)}); den lästes inte."
        )
    if size > MAX_FILE_BYTES:
        raise ExtractError(str(path), _too_big(size))


def _too_big(size: int) -> str:
    return (
        f"filen är {size // (1024 * 1024)} MB; högst {MAX_FILE_BYTES // (1024 * 1024)} MB "
        "läses. Dela upp den eller konvertera till PDF/DOCX."
    )


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "namngivet rör, FIFO"
    if stat.S_ISSOCK(mode):
        return "uttag, socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "enhetsfil"
    return "okänd filtyp"


def safe_name(name: str) -> str:
    """A file name that can be stored, indexed and printed, even if it is not valid UTF-8.

    Python hands such names over with lone surrogates (``surrogateescape``), which no UTF-8
    writer accepts; their raw bytes are spelt out instead (``\\xff``), so the file is still
    indexed and its name stays readable. Valid names come back unchanged.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file system decoding produced
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def folder_defaults(directory: Path, stop_at: Path | None = None) -> FolderDefaults:
    """Merge ``protokoll.toml`` files from ``stop_at`` down to ``directory`` (nearest wins)."""
    chain: list[Path] = []
    current = directory.resolve()
    root = stop_at.resolve() if stop_at else None
    while True:
        chain.append(current)
        if root is None or current == root or current.parent == current:
            break
        current = current.parent
    merged: dict[str, object] = {}
    for folder in reversed(chain):
        meta = folder / FOLDER_METADATA
        if meta.is_file():
            merged.update(_read_metadata(meta))
    return FolderDefaults(
        organisation=_opt_str(merged.get("organisation")),
        body=_opt_str(merged.get("body")),
        kind=_opt_str(merged.get("kind")),
        municipalities=_str_list(merged.get("municipalities")),
    )


def _str_list(value: object) -> tuple[str, ...]:
    """A TOML list of names; a lone string is one name, not a list of letters."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return ()


def _opt_str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _read_metadata(meta: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExtractError(
            str(meta), f"mappens metadatafil {meta.name} kunde inte tolkas ({exc}); rätta TOML-syntaxen."
        ) from None
    allowed = {"organisation", "body", "kind", "municipalities"}
    return {k: v for k, v in data.items() if k in allowed}


def meeting_from_bytes(
    data: bytes, *, source: str, defaults: FolderDefaults | None = None
) -> Meeting:
    """The pure part: bytes in, tagged Meeting out (used by tests and parallel indexing).

    Within ``FILE_SECONDS`` or an ``ExtractError`` saying so; text and items capped with a
    warning on the meeting (``MAX_TEXT_CHARS``, ``MAX_ITEMS``).
    """
    try:
        with time_budget(FILE_SECONDS, source):
            return _meeting_within_budget(data, source, defaults)
    finally:
        if len(data) > TRIM_AFTER_BYTES or data[:5] == b"%PDF-":
            _give_back_memory()


def _meeting_within_budget(data: bytes, source: str, defaults: FolderDefaults | None) -> Meeting:
    from indexer.clean import clean
    from indexer.extract import extract_text
    from indexer.parse import parse_minutes
    from indexer.passages import split_passages
    from indexer.tagging import tag_meeting

    extracted = extract_text(data, source, progress=lambda n, total: _ocr_line(source, n, total))
    text, notes = _capped(clean(extracted.text, extracted.format), extracted.notes)
    sha = hashlib.sha256(data).hexdigest()
    meeting = parse_minutes(
        text, source=source, sha256=sha, fmt=extracted.format, defaults=defaults
    )
    if len(meeting.items) > MAX_ITEMS:
        notes += (f"Dokumentet har {len(meeting.items)} punkter; bara de första {MAX_ITEMS} "
                  "indexerades. Dela upp filen.",)  # fmt: skip
        meeting = replace(meeting, items=meeting.items[:MAX_ITEMS])
    warnings = tuple(ParseWarning("text", note) for note in notes)
    meeting = replace(meeting, warnings=meeting.warnings + warnings, ocr=extracted.ocr)
    tagged = tag_meeting(meeting)
    return replace(tagged, passages=split_passages(text, tagged))


def _give_back_memory() -> None:
    """Return the heap a big file used to the OS, so a parse worker does not stay at its
    high-water mark for the rest of the run (glibc keeps freed arenas otherwise). Fault corpus
    with OCR, one run each: 772 MB peak for the process tree without this, 634 MB with it."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _ocr_line(source: str, page: int, pages: int) -> None:
    """One line per page read by OCR (seconds each), on stderr beside the progress bar."""
    print(f"OCR {source}: sida {page} av {pages}", file=sys.stderr, flush=True)


def _capped(text: str, notes: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """At most ``MAX_TEXT_CHARS``, cut at a line end: the parser's time grows faster than the
    text (a 60 MB file of 500 000 items ran for minutes before this cap)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text, notes
    end = text.rfind("\n", 0, MAX_TEXT_CHARS) + 1 or MAX_TEXT_CHARS
    note = (f"Texten har {len(text):,} tecken; bara de första {end:,} tolkades. "
            "Dela upp filen om resten ska bli sökbart.").replace(",", "\u00a0")  # fmt: skip
    return text[:end], (*notes, note)


@contextmanager
def time_budget(seconds: float, name: str) -> Iterator[None]:
    """Raise ``ExtractError`` in this thread if the block runs longer than ``seconds``.

    A ``SIGALRM`` timer, so only in a process's main thread (the CLI and every parse worker);
    elsewhere the block simply runs. Python code is interrupted between bytecodes, so a single
    long C call (one regex, one lxml parse) finishes first; the byte and character limits keep
    those short.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise ExtractError(name, f"tolkningen tog mer än {seconds:.0f} s och avbröts; dela upp "
                                 "filen eller spara om den i ett enklare format.")  # fmt: skip

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load_meeting(path: Path, *, corpus_root: Path | None = None) -> Meeting:
    """Read, extract, clean, parse and tag one file. Raises ExtractError for unreadable files."""
    data = read_source(path)
    defaults = folder_defaults(path.parent, stop_at=corpus_root)
    source = str(path.relative_to(corpus_root)) if corpus_root else str(path)
    return meeting_from_bytes(data, source=source, defaults=defaults)
