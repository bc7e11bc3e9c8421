"""Index generations on disk: the ``CURRENT`` pointer, schema checks and the writer lock.

Layout of an index directory::

    index_dir/
        CURRENT              one line: the name of the live generation ("gen-000003")
        indexer.lock         fcntl lock held by the one running indexer
        tmp/                 temporary files of the running indexer (OCR images and the
                             like), see ``writer_lock``; emptied whenever an indexer takes the lock
        gen-000002/          the previous generation, kept so open searchers never lose files
        gen-000003/          a Whoosh index + protokoll-index.json (schema version)

A full rebuild writes a new generation and switches ``CURRENT`` with ``os.replace`` only after
its commit, so readers see either the old or the new index, never a half one. Readers re-read
``CURRENT`` on every request (``SearchService``) and move to a new generation without a restart.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex

from indexer import integrity
from indexer.errors import IndexBusy, IndexDamaged, IndexMissing
from indexer.schema import SCHEMA_VERSION

POINTER = "CURRENT"
LOCK_FILE = "indexer.lock"
SCRATCH_DIR = "tmp"
WHOOSH_SCRATCH = "MAIN.tmp"  # Whoosh's writer: "<indexname>.tmp" inside the generation
META_FILE = "protokoll-index.json"
PREFIX = "gen-"


class SchemaMismatch(IndexMissing):
    """The index was built by another schema version and must be rebuilt."""


def default_index_dir() -> Path:
    """``PROTOKOLL_INDEX`` if set, else a per-user data directory (never the working dir)."""
    env = os.environ.get("PROTOKOLL_INDEX")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("protokollsok")) / "index"


def current_generation(index_dir: Path) -> Path | None:
    """The live generation directory, or None when no complete index exists."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name.startswith(PREFIX) or "/" in name:
        return None
    gen = index_dir / name
    return gen if gen.is_dir() else None


def schema_version_of(gen: Path) -> int | None:
    try:
        return int(json.loads((gen / META_FILE).read_text(encoding="utf-8"))["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def open_generation(index_dir: Path) -> tuple[Path, windex.Index]:
    """Open the live index, with a Swedish message when it is missing or of an old schema."""
    gen = current_generation(index_dir)
    if gen is not None:
        integrity.verify(index_dir, gen)
    if gen is None or not _exists_in(index_dir, gen):
        raise IndexMissing(f"Inget index i {index_dir} – kör `protokoll index` först.")
    version = schema_version_of(gen)
    if version != SCHEMA_VERSION:
        raise SchemaMismatch(
            f"Indexet i {index_dir} har schemaversion {version}, programmet kräver "
            f"{SCHEMA_VERSION} – kör `protokoll index --rebuild`."
        )
    try:
        return gen, windex.open_dir(str(gen))
    except Exception as exc:  # noqa: BLE001 - a corrupt TOC raises anything (UnpicklingError …)
        detail = f"{type(exc).__name__} när indexet öppnades"
        raise IndexDamaged(integrity.damaged_message(index_dir, detail), gen.name) from None


def _exists_in(index_dir: Path, gen: Path) -> bool:
    """Whoosh's ``exists_in`` reads the TOC: a corrupt one is damage, not a missing index."""
    try:
        return windex.exists_in(str(gen))
    except Exception as exc:  # noqa: BLE001 - a corrupt TOC raises anything (UnpicklingError …)
        detail = f"{type(exc).__name__} när indexet öppnades"
        raise IndexDamaged(integrity.damaged_message(index_dir, detail), gen.name) from None


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation directory numbered after every existing one."""
    numbers = [_number(p) for p in index_dir.glob(PREFIX + "*")]
    gen = index_dir / f"{PREFIX}{max([n for n in numbers if n is not None] or [0]) + 1:06d}"
    gen.mkdir(parents=True)
    return gen


def write_meta(gen: Path) -> None:
    (gen / META_FILE).write_text(
        json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8"
    )


def switch_to(index_dir: Path, gen: Path) -> None:
    """Atomically make ``gen`` live: write a temp pointer, fsync, ``os.replace``, fsync dir."""
    tmp = index_dir / (POINTER + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    _fsync_dir(index_dir)


def prune_generations(index_dir: Path) -> None:
    """Keep the live generation and the newest older one; remove the rest.

    The previous generation stays because a searcher opened just before a switch may still
    read its files. Directories newer than the live one are leftovers of a crashed rebuild.
    """
    live = current_generation(index_dir)
    live_n = _number(live) if live else None
    numbered = {g: n for g in index_dir.glob(PREFIX + "*") if (n := _number(g)) is not None}
    gens = sorted(numbered, key=numbered.__getitem__)
    older = [g for g in gens if live_n is not None and numbered[g] < live_n]
    keep = {live, older[-1] if older else None}
    for g in gens:
        if g not in keep:
            shutil.rmtree(g, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path, *, wait: bool = False) -> Iterator[None]:
    """One indexer per index directory; a second refuses at once (or waits with ``wait``).

    While the lock is held, every process forked from this one (parse workers, Whoosh
    sub-writers) drops its inherited copy of the lock descriptor and exits by itself when this
    process dies: after a ``kill -9`` of the indexer no orphan can keep the lock, or the CPU.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusy(
                f"Ett annat indexeringsjobb pågår redan i {index_dir}. Vänta tills det är klart "
                "eller kör med --wait."
            ) from None
        _fork_guard.lock_fds.add(fd)
        with _scratch(index_dir / SCRATCH_DIR):
            yield
    finally:
        _fork_guard.lock_fds.discard(fd)
        os.close(fd)  # closing releases the flock; the OS also releases it if we are killed


@contextmanager
def _scratch(folder: Path) -> Iterator[None]:
    """Temporary files of the lock holder and its forked workers go to ``folder``.

    Whoosh's writer keeps its sort runs in ``<generation>/MAIN.tmp`` (the largest files on disk
    while a batch lasts, BENCHMARKS.md); everything else that asks ``tempfile`` (OCR page images,
    PDF renderings) lands here, on the disk the user chose for the index rather than a small
    ``/tmp``. Only the lock holder writes either place, so whatever a crash or ``kill -9`` left
    behind in them is removed when the next indexer takes the lock.
    """
    shutil.rmtree(folder, ignore_errors=True)
    for gen in folder.parent.glob(PREFIX + "*"):
        shutil.rmtree(gen / WHOOSH_SCRATCH, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    previous, tempfile.tempdir = tempfile.tempdir, str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


class _ForkGuard:
    """At-fork hooks that keep children of a lock holder from outliving it (see writer_lock)."""

    POLL_S = 0.2

    def __init__(self) -> None:
        self.lock_fds: set[int] = set()
        self.guarding = False  # true in a lock holder's children (and theirs)
        self.forking_pid = 0
        os.register_at_fork(before=self._before, after_in_child=self._in_child)

    def _before(self) -> None:
        self.forking_pid = os.getpid()

    def _in_child(self) -> None:
        if not (self.lock_fds or self.guarding):
            return
        for fd in self.lock_fds:  # the parent's flock must not live on in us
            try:
                os.close(fd)
            except OSError:
                pass
        self.lock_fds = set()
        self.guarding = True
        parent = self.forking_pid
        threading.Thread(target=self._exit_with, args=(parent,), daemon=True).start()

    def _exit_with(self, parent: int) -> None:
        """Polling ``getppid`` is portable and, unlike PR_SET_PDEATHSIG, does not depend on
        which thread of the parent forked us."""
        while os.getppid() == parent:
            time.sleep(self.POLL_S)
        os._exit(1)


_fork_guard = _ForkGuard()


def _number(path: Path | None) -> int | None:
    if path is None:
        return None
    tail = path.name[len(PREFIX):]
    return int(tail) if path.name.startswith(PREFIX) and tail.isdigit() else None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
