"""Measuring tools for the reliability scenarios: real subprocesses, real sockets, no mocks.

Everything here observes the product from outside, the way an operator would: ``protokoll
index`` and ``protokoll serve`` run as child processes, memory is read from the OS, load goes
over TCP on 127.0.0.1. Numbers are appended to the JSON file named by ``PROTOKOLL_RELIABILITY_OUT``
(set by ``scripts/reliability``) so ``RELIABILITY.md`` shows what the last run measured.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
PROTOKOLL = [sys.executable, "-c", "from webui.cli import main; main()"]  # as the console script
RESULTS_ENV = "PROTOKOLL_RELIABILITY_OUT"
LONG_ENV = "PROTOKOLL_LONG"


def long_mode() -> bool:
    return os.environ.get(LONG_ENV) == "1"


def record(scenario: str, **numbers: object) -> None:
    """Merge one scenario's numbers into the results file, if a run asked for one."""
    target = os.environ.get(RESULTS_ENV)
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[scenario] = {**numbers, "recorded": time.strftime("%Y-%m-%d %H:%M:%S")}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


# ------------------------------------------------------------------ processes


@dataclass(frozen=True)
class Run:
    returncode: int | None  # None: killed by us on timeout
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float  # the whole process tree (parse workers included), sampled every 20 ms


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in members:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(args: list[str], *, timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run a command, sampling the RSS of its whole tree; kill it (and say so) on timeout."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None and time.perf_counter() - started < timeout:
        peak = max(peak, _tree_rss(watched))
        time.sleep(0.02)
    if proc.poll() is None:
        kill_tree(proc)
        out, err = proc.communicate()
        return Run(None, out, err, time.perf_counter() - started, peak / 2**20)
    out, err = proc.communicate()
    return Run(proc.returncode, out, err, time.perf_counter() - started, peak / 2**20)


def kill_tree(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """SIGKILL the process group we started (our child and its parse workers, nothing else)."""
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass
    proc.wait()


def index_command(corpus: Path, index_dir: Path, *extra: str) -> list[str]:
    """``protokoll index`` through ``indexer.cli``: the same click group as the console script,
    minus ``serve``, so indexer scenarios do not depend on the web layer importing."""
    return [
        sys.executable,
        "-m",
        "indexer.cli",
        "index",
        str(corpus),
        "--index",
        str(index_dir),
        *extra,
    ]


# ------------------------------------------------------------------ index inspection


def indexed_sources(index_dir: Path) -> set[str]:
    """Sources that have a meeting document in the live generation."""
    from indexer.generations import open_generation
    from indexer.index import indexed_state

    _, ix = open_generation(index_dir)
    try:
        return set(indexed_state(ix))
    finally:
        ix.close()


def item_ids(index_dir: Path) -> list[str]:
    """Every ``item_id`` stored in the live generation (meeting documents included)."""
    from indexer.generations import open_generation

    _, ix = open_generation(index_dir)
    try:
        with ix.searcher() as s:
            return [f["item_id"] for f in s.all_stored_fields()]
    finally:
        ix.close()


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


# ------------------------------------------------------------------ live server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(
    index_dir: Path, corpus_dir: Path, *, threads: int = 8, workers: int | None = None
) -> Iterator[str]:
    """``protokoll serve`` on a free 127.0.0.1 port; yields its base URL, stops it afterwards."""
    port = free_port()
    args = [
        *PROTOKOLL,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--index",
        str(index_dir),
        "--corpus",
        str(corpus_dir),
        "--threads",
        str(threads),
        *(["--workers", str(workers)] if workers else []),
    ]
    # The server's output goes to a file, never to an unread pipe: under load a server logs
    # warnings (waitress's "Task queue depth", gunicorn's worker timeouts), and once a pipe's
    # 64 kB buffer was full the server blocked on that write and stopped answering (seen as a
    # "hang" after ~3 000 requests).
    log = tempfile.NamedTemporaryFile(prefix="protokoll-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, proc, timeout=30, log=Path(log.name))
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
        log.close()


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = log.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"protokoll serve avslutades med {proc.returncode}:\n{out[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"protokoll serve svarade inte på port {port} inom {timeout} s")
