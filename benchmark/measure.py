"""Measuring tools for ``protokoll bench``: percentiles, peak memory of a process tree, machine.

Kept apart from the benchmark steps so every number in ``results.json`` is produced by one small,
testable function, and so the peers (FTS5, tantivy) are timed with exactly the same clock and
the same percentile definition as Protokollsök.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

QUERY_FILE = Path(__file__).resolve().parent / "data" / "bench_queries.txt"
RSS_INTERVAL_S = 0.1
DISK_INTERVAL_S = 0.5
PSS_EVERY = 10


@dataclass(frozen=True)
class BenchQuery:
    """One line of the fixed mix: its category and the query in our query language."""

    category: str
    text: str


def load_queries(path: Path = QUERY_FILE) -> list[BenchQuery]:
    """The fixed mix, in file order (``category<TAB>query``; ``#`` starts a comment line)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        category, _, text = line.partition("\t")
        out.append(BenchQuery(category.strip(), text.strip()) if text else BenchQuery("ord", category.strip()))
    return out


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): a reported p99 is a latency that happened."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def latency_summary(samples_ms: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples_ms, 50), 2),
        "p95_ms": round(percentile(samples_ms, 95), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "mean_ms": round(sum(samples_ms) / len(samples_ms), 2) if samples_ms else float("nan"),
        "n": len(samples_ms),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(milliseconds, return value) of one call."""
    start = time.perf_counter()
    value = fn()
    return (time.perf_counter() - start) * 1000, value


class _Sampler:
    """Calls ``sample_once`` every ``interval`` seconds on a thread, from ``with`` to its end
    (and once more at the end)."""

    interval = 0.1

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample_once()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self.interval)

    def sample_once(self) -> None:
        raise NotImplementedError


class PeakRss(_Sampler):
    """Samples the summed RSS of a process and all its children until stopped.

    Whoosh's multiprocess writer and the parsing pool run in child processes, so the parent's
    own RSS would understate the memory a build needs; sampling the tree every 100 ms catches
    the peak (a spike shorter than that can be missed, which only makes the number optimistic
    by a little).
    """

    interval = RSS_INTERVAL_S

    def __init__(self, pid: int) -> None:
        import psutil

        super().__init__()
        self._root = psutil.Process(pid)
        self._psutil = psutil
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self._samples = 0

    def sample(self) -> int:
        return self._tree_sum(lambda proc: proc.memory_info().rss)

    def sample_pss(self) -> int:
        """Proportional set size of the tree: shared pages (the forked workers' copy-on-write
        interpreter, libraries) counted once in total instead of once per process."""
        return self._tree_sum(lambda proc: getattr(proc.memory_full_info(), "pss", 0))

    def _tree_sum(self, measure: Callable[[Any], int]) -> int:
        total = 0
        try:
            procs = [self._root, *self._root.children(recursive=True)]
        except self._psutil.Error:
            return 0
        for proc in procs:
            try:
                total += measure(proc)
            except self._psutil.Error:
                continue  # a child that just exited
        return total

    def sample_once(self) -> None:
        self.peak_bytes = max(self.peak_bytes, self.sample())
        if self._samples % PSS_EVERY == 0:  # reading smaps costs more than RSS: once a second
            self.peak_pss_bytes = max(self.peak_pss_bytes, self.sample_pss())
        self._samples += 1

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / 2**20, 1)

    @property
    def peak_pss_mb(self) -> float:
        return round(self.peak_pss_bytes / 2**20, 1)


class PeakDisk(_Sampler):
    """Samples the bytes under ``folder`` (an index directory: generations and the indexer's
    scratch files, see ``indexer.generations.writer_lock``) every half second until stopped."""

    interval = DISK_INTERVAL_S

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder
        self.peak_bytes = 0

    def sample_once(self) -> None:
        self.peak_bytes = max(self.peak_bytes, _tree_bytes(self._folder))

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / 2**20, 1)


def _tree_bytes(folder: Path) -> int:
    """Allocated bytes of the files under ``folder``; files vanishing meanwhile are skipped."""
    total = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total


def dir_size_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return round(total / 2**20, 2)


def machine_info() -> dict[str, Any]:
    """What a reader needs to compare runs: cores, CPU model, RAM, Python and library versions."""
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "whoosh": version("whoosh-reloaded") or version("whoosh"),
        "tantivy": version("tantivy"),
        "sqlite": _sqlite_version(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    return info


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "okänd"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else (platform.processor() or "okänd")


def _ram_gb() -> float | None:
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        return None


@dataclass(frozen=True)
class TreeRun:
    """One command's cost: wall and CPU seconds, peak RSS and PSS of its process tree."""

    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    cpu_s: float
    done: subprocess.CompletedProcess[str]
    peak_disk_mb: float | None = None
    timed_out: bool = False


def run_tree(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600,
             watch: Path | None = None) -> TreeRun:  # fmt: skip
    """Run a command and measure its whole process tree.

    CPU seconds (user + system of every reaped descendant) say what the work costs whatever
    else the machine is doing; wall time on a shared machine also says how busy it was. Summed
    RSS counts pages the forked workers share once per process; PSS counts them once in total.
    With ``watch``, the peak bytes under that folder are sampled too (``peak_disk_mb``).
    """
    import resource

    from benchmark.children import child_group, stop_group

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    pipes: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "env": env}
    with PeakDisk(watch or Path(os.devnull)) as disk, child_group(cmd, **pipes) as proc, \
            PeakRss(proc.pid) as rss:  # fmt: skip
        timed_out = False
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            stop_group(proc)
            out, err = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return TreeRun(seconds, rss.peak_mb, rss.peak_pss_mb, cpu, done, disk.peak_mb if watch else None, timed_out)
