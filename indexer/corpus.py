"""Which files of a corpus folder are minutes to index: a walk that skips hidden files, folder
metadata and unsupported formats, follows symlinked folders once, and never reads a file
whose real path lies outside the corpus (reported instead, also when swapped in later).

The first stage of the data flow (files → text → meetings → index); ``indexer.index`` and
``protokoll parse`` walk with it.
"""

from __future__ import annotations

import os
from pathlib import Path

from indexer.extract import SUPPORTED_SUFFIXES
from indexer.pipeline import safe_name


def walk_corpus(corpus: Path) -> tuple[list[tuple[str, Path]], list[tuple[str, str]]]:
    """Supported files as (relative source, path), sorted; plus unreadable places with reasons.

    Hidden files and folders and ``protokoll.toml`` are skipped; symlinked folders are followed
    once (a loop is reported, not walked forever). A symlink, file or folder, whose target lies
    outside the corpus is never read: it is reported (``outside_corpus``).
    """
    files: list[tuple[str, Path]] = []
    failed: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    real_root = corpus.resolve()

    def relative(place: str | os.PathLike[str]) -> str:
        """Failures are named like sources: relative to the corpus root where possible."""
        try:
            return safe_name(Path(place).relative_to(corpus).as_posix())
        except ValueError:
            return safe_name(str(place))

    def on_error(exc: OSError) -> None:
        failed.append((relative(exc.filename), f"mappen kunde inte läsas ({exc.strerror or exc})."))

    for root, dirs, names in os.walk(corpus, followlinks=True, onerror=on_error):
        try:
            st = os.stat(root)
        except OSError as exc:
            on_error(exc)
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            failed.append((relative(root), "symbolisk länk i en slinga; mappen hoppades över."))
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in [d for d in dirs if outside_corpus(Path(root) / d, real_root)]:
            dirs.remove(d)
            failed.append((relative(Path(root) / d), OUTSIDE_REASON))
        for name in sorted(names):
            if name.startswith(".") or name == "protokoll.toml":
                continue
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            path = Path(root) / name
            if outside_corpus(path, real_root):
                failed.append((relative(path), OUTSIDE_REASON))
                continue
            files.append((safe_name(path.relative_to(corpus).as_posix()), path))
    files.sort()
    return files, failed


OUTSIDE_REASON = (
    "symbolisk länk som pekar utanför korpusmappen; den lästes inte. Kopiera filen in i "
    "korpusen om den ska indexeras."
)


def outside_corpus(path: Path, real_root: Path) -> bool:
    """True when ``path`` (through any symlinks) resolves to a place outside ``real_root``.

    A dangling link resolves to where it points and is judged by that, like any other link.
    """
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: reported as unreadable later
        return False
    return not target.is_relative_to(real_root)
