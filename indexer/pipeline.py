"""One source file → one tagged ``Meeting``: the I/O edge in front of the pure stages.

Reads bytes and the folder metadata file, then runs the pure stages in data-flow order:
``extract_text`` → ``clean`` → ``parse_minutes`` → ``tag_meeting``. Both ``protokoll parse``
and the index builder go through here, so a file parses the same way everywhere.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from indexer.errors import ExtractError
from indexer.records import FolderDefaults, Meeting

FOLDER_METADATA = "protokoll.toml"
MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are rejected, not read into memory


def read_source(path: Path) -> bytes:
    """Read a file, turning every OS-level failure into an ExtractError naming the path."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExtractError(
                str(path),
                f"filen är {size // (1024 * 1024)} MB; högst {MAX_FILE_BYTES // (1024 * 1024)} MB "
                "läses. Dela upp den eller konvertera till PDF/DOCX.",
            )
        return path.read_bytes()
    except ExtractError:
        raise
    except PermissionError:
        raise ExtractError(str(path), "saknar läsbehörighet; ändra filens rättigheter.") from None
    except IsADirectoryError:
        raise ExtractError(str(path), "är en mapp, inte en fil.") from None
    except OSError as exc:
        raise ExtractError(str(path), f"kunde inte läsas ({exc.strerror or exc}).") from None


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
        municipalities=tuple(str(m) for m in merged.get("municipalities", ()) or ()),  # type: ignore[union-attr]
    )


def _opt_str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _read_metadata(meta: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExtractError(
            str(meta), f"mappens metadatafil kunde inte tolkas ({exc}); rätta TOML-syntaxen."
        ) from None
    allowed = {"organisation", "body", "kind", "municipalities"}
    return {k: v for k, v in data.items() if k in allowed}


def meeting_from_bytes(
    data: bytes, *, source: str, defaults: FolderDefaults | None = None
) -> Meeting:
    """The pure part: bytes in, tagged Meeting out (used by tests and parallel indexing)."""
    from indexer.clean import clean
    from indexer.extract import extract_text
    from indexer.parse import parse_minutes
    from indexer.tagging import tag_meeting

    extracted = extract_text(data, source)
    text = clean(extracted.text, extracted.format)
    sha = hashlib.sha256(data).hexdigest()
    meeting = parse_minutes(
        text, source=source, sha256=sha, fmt=extracted.format, defaults=defaults
    )
    return tag_meeting(meeting)


def load_meeting(path: Path, *, corpus_root: Path | None = None) -> Meeting:
    """Read, extract, clean, parse and tag one file. Raises ExtractError for unreadable files."""
    data = read_source(path)
    defaults = folder_defaults(path.parent, stop_at=corpus_root)
    source = str(path.relative_to(corpus_root)) if corpus_root else str(path)
    return meeting_from_bytes(data, source=source, defaults=defaults)
