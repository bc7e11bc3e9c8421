"""Is an index generation sound? Checksums written after each commit, checked on open.

Whoosh stores no checksums, and a damaged file (a truncated ``.toc``, a cut postings file, a
flipped byte, a zeroed column) shows up as any exception, anywhere, on any request (issue 14:
every request 500, a hundred tracebacks per hundred requests). So every run of the indexer
writes ``protokoll-checksums.json`` (file name → size and SHA-256) beside its commit, and
readers compare before they trust the files:

* Whoosh never rewrites a file: segments get fresh names and each commit a new numbered
  ``.toc``. A listed file that still exists must therefore match exactly; a file not yet listed
  belongs to a commit whose list is still being written and is left alone (no false alarm
  while an indexer runs).
* Each entry also records the file's modification time. A file whose size and mtime still
  match its entry is trusted without hashing: every way of damaging a file short of forging
  its timestamp (a write, a truncation, a copy without ``-p``) changes one of them, and hashing
  costs about 0.3 s per 100 MB — 15 s for each ``protokoll search`` process on a 100 000-meeting
  index, and again for every incremental run if unchanged files were hashed anew. A file whose
  mtime differs is hashed (once per process, cached by size and mtime) and compared.

``check_index`` (``protokoll index --check``) hashes every listed file whatever its mtime and
adds a full read: every stored document, every term and every posting list.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from indexer.errors import IndexDamaged

CHECKSUMS = "protokoll-checksums.json"
_CHUNK = 1 << 20
_cache: dict[tuple[str, int, int], str] = {}
_cache_lock = threading.Lock()


def damaged_message(index_dir: Path, detail: str) -> str:
    """The one Swedish sentence the CLI and the web show for a damaged index."""
    return (
        f"Sökindexet i {index_dir} är skadat ({detail}). Bygg om det med: "
        f"protokoll index --rebuild --index {index_dir}"
    )


def _sha256(path: Path, *, cached: bool = True) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _cache_lock:
        known = _cache.get(key) if cached else None
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    with _cache_lock:
        _cache[key] = digest.hexdigest()
    return digest.hexdigest()


def _listed(gen: Path) -> dict[str, dict[str, object]]:
    """The checksum list of ``gen`` (raises ``FileNotFoundError``, ``OSError``, ``ValueError``)."""
    listed = json.loads((gen / CHECKSUMS).read_text(encoding="utf-8"))
    if not isinstance(listed, dict):
        raise ValueError(CHECKSUMS)
    return listed


def write_checksums(gen: Path) -> None:
    """List every index file of ``gen`` with its size, mtime and hash (after a commit).

    Whoosh never rewrites a file, so an entry of the previous list whose size and mtime still
    match is kept as it is: an incremental run hashes only the files its commit wrote.
    """
    try:
        previous = _listed(gen)
    except (OSError, ValueError):
        previous = {}
    entries = {}
    for path in sorted(gen.iterdir()):
        if path.is_file() and not path.name.startswith(("protokoll-", ".")):
            st = path.stat()
            old = previous.get(path.name)
            if isinstance(old, dict) and _unchanged(old, st) and old.get("sha256"):
                entries[path.name] = old
            else:
                entries[path.name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                      "sha256": _sha256(path)}
    tmp = gen / (CHECKSUMS + ".tmp")
    tmp.write_text(json.dumps(entries, indent=0), encoding="utf-8")
    os.replace(tmp, gen / CHECKSUMS)


def _unchanged(entry: dict[str, object], st: os.stat_result) -> bool:
    return entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns


def checksum_problems(gen: Path, *, strict: bool = False) -> list[str]:
    """Listed files that no longer match (empty: sound, or an index from before checksums).

    ``strict`` hashes every listed file; otherwise a file with its listed size and mtime is
    trusted (see the module docstring)."""
    try:
        listed = _listed(gen)
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return [f"{CHECKSUMS} går inte att läsa"]
    problems = []
    for name, entry in listed.items():
        path = gen / name
        try:
            st = path.stat()
        except FileNotFoundError:
            continue  # merged away by a later commit; a live file that is missing fails on open
        if not isinstance(entry, dict) or st.st_size != entry.get("size"):
            expected = entry.get("size") if isinstance(entry, dict) else "?"
            problems.append(f"{name} har {st.st_size} byte, {expected} väntades")
        elif (strict or not _unchanged(entry, st)) and _sha256(path, cached=not strict) != entry.get("sha256"):
            problems.append(f"{name} har ändrats efter att indexet skrevs")
    return problems


def verify(index_dir: Path, gen: Path) -> None:
    """Raise ``IndexDamaged`` with the Swedish advice when a listed file does not match."""
    problems = checksum_problems(gen)
    if problems:
        raise IndexDamaged(damaged_message(index_dir, problems[0]), gen.name)


def damage_behind(index_dir: Path) -> IndexDamaged | None:
    """After an unexpected error while searching: was it a damaged index? (checksums only)"""
    from indexer.generations import current_generation

    gen = current_generation(index_dir)
    problems = checksum_problems(gen) if gen is not None else []
    return IndexDamaged(damaged_message(index_dir, problems[0]), gen.name) if gen and problems else None


def full_read(ix: object) -> None:
    """Read every stored document, term, posting list and column (raises on any damage)."""
    with ix.reader() as reader:  # type: ignore[attr-defined]
        for _ in reader.all_stored_fields():
            pass
        for fieldname, text in reader.all_terms():
            for _ in reader.postings(fieldname, text).all_ids():
                pass
        for fieldname in reader.schema.names():
            if reader.has_column(fieldname):
                for _ in reader.column_reader(fieldname):
                    pass


def check_index(index_dir: Path) -> list[str]:
    """Everything wrong with the live generation, in Swedish; an empty list means sound."""
    from indexer.errors import IndexMissing
    from indexer.generations import open_generation

    from indexer.generations import current_generation

    gen = current_generation(index_dir)
    problems = checksum_problems(gen, strict=True) if gen is not None else []
    if gen is not None and problems:
        return [damaged_message(index_dir, problems[0])]
    try:
        _, ix = open_generation(index_dir)
    except IndexDamaged as exc:
        return [str(exc)]
    except IndexMissing as exc:
        return [str(exc)]
    try:
        full_read(ix)
    except Exception as exc:  # noqa: BLE001 - any failure to read is damage
        return [damaged_message(index_dir, f"{type(exc).__name__} vid fullständig läsning")]
    finally:
        ix.close()
    return []
