"""The folders an index is built from: which meetings belong to which folder.

Several folders can feed one index (``protokoll index A`` then ``protokoll index B``). The
index directory keeps the list in ``sources.json``, so a run over one folder only ever removes
meetings whose files are gone from *that* folder, and a rebuild re-reads every folder.

A meeting's ``source`` names its file. The first folder (the primary one) keeps plain
corpus-relative names (``umearegionen/2017-04-06.txt``), as the web UI expects for serving
original files from ``CORPUS_DIR``. Files of every further folder are named by their absolute
path: a walk never yields an absolute name, so the two kinds can never collide, and the name
alone tells which folder a meeting came from. Nested folders are refused, since the same file
would then be indexed twice under two names.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import ProtokollError

REGISTRY_FILE = "sources.json"


@dataclass(frozen=True)
class Folder:
    """One source folder: its absolute path and the prefix its files' sources carry."""

    path: str
    prefix: str  # "" for the primary folder, else the folder's path + "/"

    def source(self, relative: str) -> str:
        return self.prefix + relative

    def owns(self, source: str) -> bool:
        if self.prefix:
            return source.startswith(self.prefix)
        return not source.startswith("/")


def load(index_dir: Path) -> list[Folder]:
    """The registered folders; an index written before folders were recorded has none."""
    try:
        raw = json.loads((Path(index_dir) / REGISTRY_FILE).read_text(encoding="utf-8"))
        return [Folder(str(f["path"]), str(f["prefix"])) for f in raw["folders"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProtokollError(
            f"Listan över indexets mappar ({Path(index_dir) / REGISTRY_FILE}) kunde inte läsas "
            f"({exc}). Bygg om indexet med `protokoll index MAPP --replace`."
        ) from None


def save(index_dir: Path, folders: list[Folder]) -> None:
    """Write atomically (temp file + ``os.replace``): a crash leaves the old list or the new."""
    target = Path(index_dir) / REGISTRY_FILE
    tmp = target.with_name(REGISTRY_FILE + ".tmp")
    body = {"folders": [{"path": f.path, "prefix": f.prefix} for f in folders]}
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(body, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def absolute(folder: Path) -> str:
    return str(Path(folder).expanduser().resolve())


def find(folders: list[Folder], folder: Path) -> Folder | None:
    path = absolute(folder)
    return next((f for f in folders if f.path == path), None)


def register(folders: list[Folder], folder: Path) -> tuple[list[Folder], Folder]:
    """``folders`` with ``folder`` in it (unchanged if already there), and its entry.

    The first folder of an index (or the first after the primary one was removed) becomes the
    primary one. A folder inside, or around, a registered one is refused with the remedy.
    """
    known = find(folders, folder)
    if known is not None:
        return folders, known
    path = absolute(folder)
    for other in folders:
        inner, outer = Path(path), Path(other.path)
        if inner.is_relative_to(outer) or outer.is_relative_to(inner):
            raise ProtokollError(
                f"Mappen {path} ligger i, eller innehåller, mappen {other.path} som redan finns "
                "i indexet, så samma filer skulle indexeras två gånger. Ta först bort den andra "
                f"mappen (`protokoll index --remove {other.path}`) eller indexera om bara den."
            )
    has_primary = any(not f.prefix for f in folders)
    entry = Folder(path, path.rstrip("/") + "/" if has_primary else "")
    return [*folders, entry], entry


def owner(folders: list[Folder], source: str) -> Folder | None:
    """The folder a source belongs to; None for a source no registered folder claims."""
    prefixed = [f for f in folders if f.prefix and f.owns(source)]
    if prefixed:
        return max(prefixed, key=lambda f: len(f.prefix))
    return next((f for f in folders if not f.prefix and f.owns(source)), None)


def to_walk(registered: list[Folder], this: Folder, rebuild: bool) -> list[Folder]:
    """This folder; for a rebuild every registered folder, all of which must still exist."""
    if not rebuild:
        return [this]
    for folder in registered:
        if not Path(folder.path).is_dir():
            raise missing_error(folder)
    return registered


def counts(registered: list[Folder], sources: set[str]) -> list[tuple[str, int]]:
    """(folder, meetings) in registration order, for the summary."""
    per_folder = dict.fromkeys((f.path for f in registered), 0)
    for source in sources:
        folder = owner(registered, source)
        if folder is not None:
            per_folder[folder.path] += 1
    return list(per_folder.items())


def unregistered_error(folder: Path, folders: list[Folder]) -> ProtokollError:
    listed = ", ".join(f.path for f in folders) or "inga"
    return ProtokollError(
        f"Mappen {absolute(folder)} finns inte i indexet (indexets mappar: {listed}). "
        "Ange mappen precis som när den indexerades."
    )


def missing_error(folder: Folder) -> ProtokollError:
    return ProtokollError(
        f"Mappen {folder.path} ingår i indexet men finns inte längre, så en ombyggnad skulle "
        "tappa dess möten. Återställ mappen, eller ta bort den ur indexet med "
        f"`protokoll index --remove {folder.path}`."
    )
