"""What the indexer does when the disk or the index itself fails it (issue 14).

* A damaged live index (a file that no longer matches its checksum, or that Whoosh cannot
  read) is not updated in place: ``open_live`` says so, and ``build_index`` writes a fresh
  generation instead, so a plain ``protokoll index`` repairs it.
* A full disk ends the run with ``DiskFull``: a Swedish message naming the folder and the space
  needed; the half-written generation (or, in an update, the files this run added) is removed
  so the disk is not left at 100 %, and the old index keeps serving.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

from whoosh import index as windex

from indexer import generations as gens
from indexer.errors import IndexDamaged, ProtokollError

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_MB = 1024 * 1024


class DiskFull(ProtokollError):
    """No space left where the index is written; nothing already indexed was lost."""


def open_live(index_dir: Path, live: Path, report: Any) -> tuple[windex.Index, dict[str, Any]] | None:
    """The live index and what it holds, or None (with ``report.repaired`` set) when damaged."""
    from indexer.index import indexed_state

    try:
        _, ix = gens.open_generation(index_dir)
    except IndexDamaged as exc:
        report.repaired = str(exc)
        return None
    try:
        return ix, indexed_state(ix)
    except Exception as exc:  # noqa: BLE001 - any failure to read the live index is damage
        ix.close()
        report.repaired = f"Sökindexet i {index_dir} gick inte att läsa ({type(exc).__name__})."
        return None


def file_names(gen: Path | None) -> set[str]:
    return {p.name for p in gen.iterdir()} if gen is not None and gen.is_dir() else set()


def disk_full(index_dir: Path, gen: Path | None, before: set[str], rebuilt: bool, corpus: Path) -> DiskFull:
    """Remove what this run wrote, then describe the problem and the space it needs."""
    if gen is not None and rebuilt:
        shutil.rmtree(gen, ignore_errors=True)
    elif gen is not None:
        for name in file_names(gen) - before:
            (gen / name).unlink(missing_ok=True)
    folder = index_dir.resolve()
    free = shutil.disk_usage(folder).free if folder.exists() else 0
    # A rebuild writes a second copy of the live index, plus room for Whoosh's merge.
    need = max(_size(gens.current_generation(index_dir)) * 3 // 2, _size(corpus) // 2) + 5 * _MB
    return DiskFull(
        f"Disken är full: indexet i {folder} kunde inte skrivas. Det behövs ungefär "
        f"{need // _MB + 1} MB ledigt där (nu {free // _MB} MB). Frigör utrymme eller välj en "
        "annan mapp med --index och kör igen. Det gamla indexet är orört och används fortfarande."
    )


def _size(path: Path | None) -> int:
    if path is None:
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
