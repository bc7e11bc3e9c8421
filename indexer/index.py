"""Build and update the index: incremental by content hash, crash-safe, one writer.

``build_index(corpus, index_dir)`` walks the corpus, parses new and changed files in a process
pool and feeds one Whoosh writer in this process. Every source file becomes one meeting document
plus one document per agenda item and per passage, all written in the same commit and all carrying the
file's ``source``, so replacing or removing a file is one ``delete_by_term("source", …)``: re-runs
are idempotent and never duplicate.

Crash safety: Whoosh commits by atomic rename, so a killed incremental run leaves the last
commit intact (we commit every ``COMMIT_EVERY`` files, and a re-run finishes the rest). A first
build or ``rebuild=True`` writes a new generation directory that becomes live only through the
atomic ``CURRENT`` switch in ``indexer.generations``.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import index as windex

from indexer import generations as gens
from indexer import sources as folders_registry
from indexer.codec import PostingsCodec
from indexer.errors import ExtractError, ProtokollError
from indexer.corpus import OUTSIDE_REASON, outside_corpus, walk_corpus
from indexer.documents import documents
from indexer.integrity import write_checksums
from indexer.recovery import DISK_FULL_ERRNOS, disk_full, file_names, open_live
from indexer.pipeline import safe_name
from indexer.records import Meeting
from indexer.schema import build_schema, meeting_filter
from indexer.whoosh_internals import index_segments, merge_segments, mergeable, rebuild_writer


COMMIT_EVERY = 1000
WRITER_LIMIT_MB = 256
BULK_PROCS = 2  # Whoosh sub-writers for a rebuild
REBUILD_BATCH_MAX_BYTES = 96 * 2**20  # source bytes per rebuild commit at most (``rebuild_batch_bytes``)
# … and characters of indexed text, which bound the grouped postings' memory whatever the files'
# format (a DOCX or PDF holds more text per byte than a plain-text file, which gives about 1.5).
REBUILD_BATCH_MAX_CHARS = 144 * 2**20
IN_FLIGHT_PER_WORKER = 8  # parsed meetings queued ahead of the writer, per parse worker
BULK_MIN_FILES = 500  # below this the sub-writers' start-up costs more than they save
COMPACT_SEGMENTS = 3  # a rebuild's segments are merged down to this many (``compact``)

Progress = Callable[[int, int, str], None]  # (done, total, source)


@dataclass
class BuildReport:
    """What one run did; lists hold corpus-relative source paths."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, Swedish reason)
    items: int = 0  # agenda items written in this run
    passages: int = 0  # passages written in this run (text no item holds)
    rebuilt: bool = False
    old_schema: int | None = None  # the schema version of an index rebuilt because it was older
    schema: int = gens.SCHEMA_VERSION
    generation: str = ""
    folders: list[tuple[str, int]] = field(default_factory=list)  # (folder, meetings) after the run
    walked: list[str] = field(default_factory=list)  # the folders read in this run
    dropped: list[str] = field(default_factory=list)  # folders taken out of the index
    durations: dict[str, float] = field(default_factory=dict)
    repaired: str = ""  # why a damaged live index was rebuilt instead of updated (Swedish)


@dataclass(frozen=True)
class _Indexed:
    meeting_id: str
    sha256: str
    stamp: tuple[int, int] | None


@dataclass(frozen=True)
class _Parsed:
    source: str
    meeting: Meeting | None = None
    stamp: tuple[int, int] | None = None
    unchanged: bool = False
    error: str | None = None


# ---------------------------------------------------------------- parsing (worker side)


def _parse_one(args: tuple[str, str, str, str | None]) -> _Parsed:
    """Read, hash and (if changed) parse one file; runs in a worker process."""
    source, path_str, corpus_str, known_sha = args
    from indexer.pipeline import folder_defaults, meeting_from_bytes, read_source

    path = Path(path_str)
    if outside_corpus(path, Path(corpus_str).resolve()):  # swapped for a link after the walk
        return _Parsed(source, error=OUTSIDE_REASON)
    try:
        st = path.stat()
        data = read_source(path)
        stamp = (st.st_size, st.st_mtime_ns)
        sha = hashlib.sha256(data).hexdigest()
        if sha == known_sha:
            return _Parsed(source, stamp=stamp, unchanged=True)
        defaults = folder_defaults(path.parent, stop_at=Path(corpus_str))
        meeting = meeting_from_bytes(data, source=source, defaults=defaults)
        return _Parsed(source, meeting=meeting, stamp=stamp)
    except ExtractError as exc:
        return _Parsed(source, error=exc.reason)
    except OSError as exc:
        return _Parsed(source, error=f"kunde inte läsas ({exc.strerror or exc}).")
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop a build
        return _Parsed(source, error=f"oväntat fel vid tolkning ({type(exc).__name__}: {exc}).")


_worker_heap_frozen = False


def _parse_in_worker(args: tuple[str, str, str, str | None]) -> _Parsed:
    """``_parse_one`` in a pool worker, whose heap is frozen after its first file.

    The first file loads the data tables (municipalities, organisations, the word list, the
    topic taxonomy) and compiles the patterns; they live as long as the worker. ``gc.freeze``
    takes them out of the collector's view, so its full collections stop walking them again
    and again (about 6 % of a worker's CPU, measured on synthetic meetings).
    """
    global _worker_heap_frozen
    parsed = _parse_one(args)
    if not _worker_heap_frozen:
        gc.collect()  # garbage of the first file is not frozen with the tables
        gc.freeze()
        _worker_heap_frozen = True
    return parsed


def _parse_all(jobs: list[tuple[str, str, str, str | None]], workers: int) -> Iterator[_Parsed]:
    """Results in job order; a pool only when it pays for its start-up.

    At most ``IN_FLIGHT_PER_WORKER`` jobs per worker are submitted ahead of the consumer.
    ``pool.map`` submits every job at once, and when writing lags behind parsing the parsed
    meetings pile up in this process: 590 MB after 23 minutes of a 100 000-meeting build,
    which pushed the build's process tree past 2 GB (BENCHMARKS.md).
    """
    if workers <= 1 or len(jobs) < 8:
        yield from map(_parse_one, jobs)
        return
    pending_jobs = iter(jobs)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        window = deque(pool.submit(_parse_in_worker, job)
                       for job in islice(pending_jobs, workers * IN_FLIGHT_PER_WORKER))
        while window:
            result = window.popleft().result()
            following = next(pending_jobs, None)
            if following is not None:
                window.append(pool.submit(_parse_in_worker, following))
            yield result


# ---------------------------------------------------------------- build


def indexed_state(ix: windex.Index) -> dict[str, _Indexed]:
    """source → what the index holds for it, read from the meeting documents."""
    state: dict[str, _Indexed] = {}
    with ix.searcher() as s:
        for docnum in s.docs_for_query(meeting_filter()):
            f = s.stored_fields(docnum)
            stamp = tuple(f["stamp"]) if f.get("stamp") else None
            state[f["source"]] = _Indexed(f["meeting_id"], f.get("sha256", ""), stamp)  # type: ignore[arg-type]
    return state


def build_index(
    corpus: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    wait: bool = False,
) -> BuildReport:
    """Bring ``index_dir`` up to date with ``corpus``; see the module docstring for guarantees.

    Other folders already in the index keep their meetings (``indexer.sources``); a rebuild
    re-reads all of them. ``replace`` makes ``corpus`` the index's only folder.
    Raises ``IndexBusy`` when another indexer holds the lock (unless ``wait``).
    """
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.is_dir():  # a mistyped path must not look like "every file was deleted"
        raise ProtokollError(f"Korpusmappen {corpus} finns inte eller är ingen mapp.")
    with gens.writer_lock(index_dir, wait=wait):
        return _build_locked(
            corpus, index_dir, rebuild, replace, progress, workers or os.cpu_count() or 1
        )


def _build_locked(
    corpus: Path, index_dir: Path, rebuild: bool, replace: bool, progress: Progress | None,
    workers: int,
) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    gens.prune_generations(index_dir)  # leftovers of a crashed rebuild go first
    live = gens.current_generation(index_dir)
    if live is not None and not rebuild and gens.schema_version_of(live) != gens.SCHEMA_VERSION:
        rebuild = True  # an index of another schema cannot be updated in place
        report.old_schema = gens.schema_version_of(live) or 0
    opened = None if rebuild or replace or live is None else open_live(index_dir, live, report)
    rebuild = rebuild or replace or opened is None  # a damaged live index is rebuilt (repaired)
    registered = [] if replace else folders_registry.load(index_dir)
    registered, this = folders_registry.register(registered, corpus)
    walk = folders_registry.to_walk(registered, this, rebuild)
    previous = _live_sources(live) if rebuild else set()
    partial: Path | None = None  # what to clean up if the disk fills
    before = file_names(live) if opened else set()
    try:
        known: dict[str, _Indexed]
        if opened is None or live is None:
            gen = partial = gens.new_generation(index_dir)
            ix, known = windex.create_in(str(gen), build_schema()), {}
            gens.write_meta(gen)
            report.rebuilt = True
        else:
            gen = partial = live
            ix, known = opened
        report.generation = gen.name

        files, report.failed = _walk_folders(walk)
        report.durations["walk"] = time.perf_counter() - started
        present = {source for source, _, _ in files}
        gone = [s for s in known if s not in present
                and folders_registry.owner(registered, s) in walk]  # fmt: skip
        _write_all(ix, files, known, gone, report, progress, workers)
        ix.close()
        write_checksums(gen)
    except OSError as exc:
        if exc.errno not in DISK_FULL_ERRNOS:
            raise
        raise disk_full(index_dir, partial, before, report.rebuilt, corpus) from None
    if report.rebuilt:
        report.removed = sorted(previous - set(report.added))  # e.g. another folder's, --replace
        gens.switch_to(index_dir, gen)
        gens.prune_generations(index_dir)
    folders_registry.save(index_dir, registered)
    report.walked = [f.path for f in walk]
    held = set(known) - set(report.removed) | set(report.added)
    report.folders = folders_registry.counts(registered, held)
    report.durations["total"] = time.perf_counter() - started
    return report


def _live_sources(live: Path | None) -> set[str]:
    if live is None:
        return set()
    try:
        if not windex.exists_in(str(live)):
            return set()
        ix = windex.open_dir(str(live))
    except Exception:  # noqa: BLE001 - an unreadable old index is being replaced anyway
        return set()
    try:
        return set(indexed_state(ix))
    except Exception:  # noqa: BLE001 - damaged stored fields: the rebuild reports what it adds
        return set()
    finally:
        ix.close()


def _walk_folders(
    walk: list[folders_registry.Folder],
) -> tuple[list[tuple[str, Path, Path]], list[tuple[str, str]]]:
    """Supported files of every folder as (source, path, folder root); failures by source."""
    files: list[tuple[str, Path, Path]] = []
    failed: list[tuple[str, str]] = []
    for folder in walk:
        root = Path(folder.path)
        found, problems = walk_corpus(root)
        files += [(folder.source(rel), path, root) for rel, path in found]
        failed += [(folder.source(rel), reason) for rel, reason in problems]
    return files, failed


def remove_folder(folder: Path, index_dir: Path, *, wait: bool = False) -> BuildReport:
    """Take one folder's meetings out of the index (the folder itself may be gone already)."""
    index_dir = Path(index_dir)
    report = BuildReport()
    with gens.writer_lock(index_dir, wait=wait):
        registered = folders_registry.load(index_dir)
        entry = folders_registry.find(registered, folder)
        if entry is None:
            raise folders_registry.unregistered_error(folder, registered)
        gen, ix = gens.open_generation(index_dir)
        known = indexed_state(ix)
        writer = ix.writer(**WRITER_OPTIONS)
        for source in sorted(known):
            if folders_registry.owner(registered, source) == entry:
                writer.delete_by_term("source", source)
                report.removed.append(source)
        writer.commit()
        ix.close()
        remaining = [f for f in registered if f != entry]
        folders_registry.save(index_dir, remaining)
        report.dropped = [entry.path]
        report.generation = gen.name
        report.folders = folders_registry.counts(remaining, set(known) - set(report.removed))
    return report


def _write_all(
    ix: windex.Index,
    files: list[tuple[str, Path, Path]],
    known: dict[str, _Indexed],
    gone: list[str],
    report: BuildReport,
    progress: Progress | None,
    workers: int,
) -> None:
    t0 = time.perf_counter()
    writer = _new_writer(ix, rebuild=report.rebuilt, files=len(files))
    for source in sorted(gone):
        writer.delete_by_term("source", source)
        report.removed.append(source)
    # Meeting ids held by files that stay; a new file may not take one of them.
    leaving = set(gone)
    ids = MeetingIds({s: k.meeting_id for s, k in known.items() if s not in leaving})
    jobs = []
    for source, path, root in files:
        old = known.get(source)
        if old is not None and old.stamp is not None and old.stamp == _stamp(path):
            report.unchanged.append(source)  # same size and mtime: skip even the hashing
            continue
        jobs.append((source, str(path), str(root), old.sha256 if old else None))
    done = len(report.unchanged)
    sizes = {source: (_stamp(Path(path)) or (0, 0))[0] for source, path, _, _ in jobs}
    batch = rebuild_batch_bytes(sum(sizes.values())) if report.rebuilt else 0
    written = chars = 0
    for n, parsed in enumerate(_parse_all(jobs, workers), start=1):
        chars += _apply(writer, parsed, known, ids, report)
        done += 1
        if progress:
            progress(done, len(files), parsed.source)
        written += sizes.get(parsed.source, 0)
        if batch and (written >= batch or chars >= REBUILD_BATCH_MAX_CHARS) and done < len(files):
            writer.commit(merge=False)  # a merge would pour these segments through the pool again
            writer = _new_writer(ix, rebuild=True, files=len(files))
            written = chars = 0
        elif not report.rebuilt and n % COMMIT_EVERY == 0:
            writer.commit()
            writer = ix.writer(**WRITER_OPTIONS)
    report.durations["parse_and_write"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    writer.commit(merge=not report.rebuilt)
    report.durations["commit"] = time.perf_counter() - t1
    if report.rebuilt:
        t2 = time.perf_counter()
        compact(ix, (lambda n, of: progress(done, len(files), f"slår samman indexets delar ({n}/{of}) …"))
                if progress else None)
        report.durations["merge"] = time.perf_counter() - t2


def compact(ix: windex.Index, merging: Callable[[int, int], None] | None = None) -> None:
    """Merge a rebuild's segments down to ``COMPACT_SEGMENTS`` (``merge_groups``).

    A rebuild commits each batch as ``BULK_PROCS`` segments without merging them, and every
    query term is looked up and decoded in every segment: at 100 000 meetings 21 segments, about
    400 lookups a query. Merged into 3 (``whoosh_internals.merge_segments``, arrays rather than
    Whoosh's pool: 90 s at 100 000 meetings, 0.5 GB), a results page cost 18–20 % less CPU;
    into 1, no less than into 3, for twice the merge time and memory and a peak on disk of
    twice the index (BENCHMARKS.md, round 11). Segments that cannot be merged that way (another
    codec, deletions) are left as they are.
    """
    segments = index_segments(ix)
    if len(segments) <= COMPACT_SEGMENTS or not all(mergeable(s) for s in segments):
        return
    groups = merge_groups([s.doc_count_all() for s in segments], COMPACT_SEGMENTS)
    merged = False
    for n, group in enumerate(groups, start=1):
        if len(group) == 1 and not merged:
            continue  # already one segment, and still in its place
        if merging is not None:
            merging(n, len(groups))  # (n, of): "slår samman indexets delar (n/of) …"
        merge_segments(ix, [segments[i] for i in group], **WRITER_OPTIONS)
        merged = True


def merge_groups(sizes: list[int], most: int) -> list[list[int]]:
    """Runs of consecutive segments (indexes into ``sizes``, their document counts) to merge
    into at most ``most`` segments of about equal size, in order: each run is merged in turn
    and Whoosh appends the merged segment last, so doc numbers keep their order and ties
    between equal scores fall as before."""
    total = sum(sizes)
    groups: list[list[int]] = [[]]
    done = 0
    for i, size in enumerate(sizes):
        if groups[-1] and len(groups) < most and done + size / 2 > total * len(groups) / most:
            groups.append([])
        groups[-1].append(i)
        done += size
    return groups


def rebuild_batch_bytes(total: int) -> int:
    """Source bytes per commit of a rebuild: the fewest even batches of at most
    ``REBUILD_BATCH_MAX_BYTES`` each (an archive below that is one batch).

    A rebuild's writers keep a batch's postings in memory, grouped by term
    (``indexer.postingpool``), until its commit: about 6.5 bytes per source byte (29 bytes a
    posting, 61 MB for 1 000 synthetic meetings of 9.4 MB), so a full batch holds about 620 MB,
    shared by the ``BULK_PROCS`` sub-writers. Each batch adds ``BULK_PROCS`` segments, never
    merged during the rebuild (a merge would pour them through the pool again), and every query
    term is looked up in every segment, so batches are as large as memory allows. A batch also
    ends at ``REBUILD_BATCH_MAX_CHARS`` characters of indexed text (``_write_all``): the pool's
    memory follows the text (about 4.3 bytes a character), and a DOCX or PDF file holds more
    text per byte than plain text (1.5 characters a byte in the synthetic archive). Before the
    grouped pool, Whoosh's pool sorted postings through run files on disk once it passed
    ``WRITER_LIMIT_MB``, and batches were kept small to bound those runs (9 batches at 10 000
    meetings, 18 segments; BENCHMARKS.md round 3).
    """
    batches = max(1, -(-total // REBUILD_BATCH_MAX_BYTES))
    return -(-total // batches)


# Segments are written as separate files, not one compound file: a reader of a compound
# segment copies the whole postings file out of the mmap into a BytesIO (whoosh 2.7.5
# CompoundStorage.open_file), which cost 291 MB of private memory per searcher at 10 000
# meetings — and the service keeps a searcher per thread (8 threads: 7 GB RSS, measured).
# Postings in our flat format (indexer.codec); Whoosh's multiprocess writer hands these same
# options, codec included, to each of its sub-writers.
WRITER_OPTIONS: dict[str, Any] = {"limitmb": WRITER_LIMIT_MB, "compound": False, "codec": PostingsCodec()}


def _new_writer(ix: windex.Index, *, rebuild: bool, files: int) -> Any:
    """A rebuild groups its postings in memory (``whoosh_internals.rebuild_writer``); one of at
    least ``BULK_MIN_FILES`` files gets Whoosh's multiprocess writer too: one sub-writer per core
    analyses and writes its own segment (``multisegment=True``: no final merge, and no
    ``procs>1`` without it, see ../shared/SEARCH-NOTES.md §1). Measured on 1 000 synthetic
    meetings (9 653 items): 27.8 s with one writer, 10.3 s with two (BENCHMARKS.md). A rebuild
    commits without merging. Incremental runs keep one writer with Whoosh's own pool, which
    spills to disk, since their commits merge segments.
    """
    if not rebuild:
        return ix.writer(**WRITER_OPTIONS)
    procs = min(BULK_PROCS, os.cpu_count() or 1) if files >= BULK_MIN_FILES else 1
    return rebuild_writer(ix, procs, **WRITER_OPTIONS)


def _apply(
    writer: Any,
    parsed: _Parsed,
    known: dict[str, _Indexed],
    ids: MeetingIds,
    report: BuildReport,
) -> int:
    """Write one parsed file's documents; the number of characters of indexed text written."""
    source = parsed.source
    if parsed.error is not None:
        # An older version, if any, stays indexed. The reason may quote an OS message with the
        # raw name in it, so it is made printable like the name.
        report.failed.append((source, safe_name(parsed.error)))
        return 0
    if parsed.unchanged or parsed.meeting is None:
        report.unchanged.append(source)
        return 0
    meeting = ids.claim(parsed.meeting, source)
    if source in known:  # only an indexed version can be replaced; a rebuild starts empty
        writer.delete_by_term("source", source)
    schema = writer.schema
    chars = 0
    for doc in documents(meeting, parsed.stamp):
        writer.add_document(**doc)
        chars += sum(len(v) for k, v in doc.items() if isinstance(v, str) and schema[k].indexed)
    report.items += len(meeting.items)
    report.passages += len(meeting.passages)
    (report.updated if source in known else report.added).append(source)
    return chars


class MeetingIds:
    """Which file holds which meeting id: one id per file, and an id held by one file only.

    Two files describing the same meeting both stay: the later one gets "-2", "-3" … Both
    directions are kept, so a claim costs the same in a file's first meeting and in its
    100 000th (a scan over every held id per file made a large build quadratic).
    """

    def __init__(self, held: dict[str, str]) -> None:  # source → meeting id
        self._id_of = dict(held)
        self._source_of = {meeting_id: source for source, meeting_id in held.items()}

    def claim(self, meeting: Meeting, source: str) -> Meeting:
        """``meeting`` under an id no other file holds, now held by ``source``."""
        old = self._id_of.get(source)
        if old is not None and old != meeting.id and self._source_of.get(old) == source:
            del self._source_of[old]  # this file's old id is free again
        meeting_id, n = meeting.id, 2
        while self._source_of.get(meeting_id, source) != source:
            meeting_id, n = f"{meeting.id}-{n}", n + 1
        self._source_of[meeting_id] = source
        self._id_of[source] = meeting_id
        return meeting if meeting_id == meeting.id else replace(meeting, id=meeting_id)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def index_meetings(
    index_dir: Path, meetings: list[Meeting], *, rebuild: bool = False, wait: bool = False
) -> BuildReport:
    """Write already-parsed meetings (replacing earlier versions by ``source``).

    For callers that hold records rather than files: tests, the synthetic-archive benchmark.
    Same documents, ids, lock and generation rules as ``build_index``.
    """
    index_dir = Path(index_dir)
    report = BuildReport()
    with gens.writer_lock(index_dir, wait=wait):
        gens.prune_generations(index_dir)
        live = gens.current_generation(index_dir)
        if rebuild or live is None or gens.schema_version_of(live) != gens.SCHEMA_VERSION:
            gen = gens.new_generation(index_dir)
            ix = windex.create_in(str(gen), build_schema())
            gens.write_meta(gen)
            report.rebuilt, known = True, {}
        else:
            gen, ix = live, windex.open_dir(str(live))
            known = indexed_state(ix)
        ids = MeetingIds({s: k.meeting_id for s, k in known.items()})
        writer = _new_writer(ix, rebuild=report.rebuilt, files=len(meetings))
        for meeting in meetings:
            _apply(writer, _Parsed(meeting.source, meeting=meeting), known, ids, report)
        writer.commit(merge=not report.rebuilt)
        ix.close()
        write_checksums(gen)
        if report.rebuilt:
            gens.switch_to(index_dir, gen)
            gens.prune_generations(index_dir)
        report.generation = gen.name
    return report
