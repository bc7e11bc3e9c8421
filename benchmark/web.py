"""Web load for the benchmark: ``protokoll serve`` in a subprocess, 8 keep-alive clients on loopback.

The server is the real production command (gunicorn, one worker process per core by default),
started on a free port of 127.0.0.1 only, so the numbers include WSGI, Flask, templates and JSON,
not just the search service. The load is bounded twice, by a request count and by a time limit,
so a slow server cannot stall a benchmark.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmark.children import stop_group
from benchmark.measure import latency_summary

HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def protokoll_command(*args: str) -> list[str]:
    """The ``protokoll`` entry point run by this very interpreter (no PATH lookup)."""
    return [sys.executable, "-c", "from webui.cli import main; main()", *args]


def start_server(index_dir: Path, corpus: Path | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    cmd = protokoll_command("serve", "--host", HOST, "--port", str(port), "--index", str(index_dir))
    if corpus is not None:
        cmd += ["--corpus", str(corpus)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_until_up(proc, port)
    except BaseException:  # also Ctrl-C while waiting: no server outlives the benchmark
        stop_server(proc)
        raise
    return proc, port


def _wait_until_up(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            raise RuntimeError(f"protokoll serve avslutades direkt: {err.strip()[-500:]}")
        try:
            # A generous timeout: the first answer includes the cold start (facet arrays), and a
            # probe that gives up early only queues another expensive request behind it.
            conn = http.client.HTTPConnection(HOST, port, timeout=START_TIMEOUT_S)
            conn.request("GET", "/api/search?q=")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"protokoll serve svarade inte inom {START_TIMEOUT_S:.0f} s")


def server_memory_mb(proc: subprocess.Popen[bytes]) -> float | None:
    """The server's memory: PSS summed over the master and its workers (pages shared between
    them counted once, split between the sharers), so it shows whether memory grows with
    the worker count. None where the system reports no PSS."""
    import psutil

    try:
        root = psutil.Process(proc.pid)
        total = 0
        for p in [root, *root.children(recursive=True)]:
            total += p.memory_full_info().pss
    except (psutil.Error, AttributeError):
        return None
    return round(total / 2**20, 1)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """The server and its gunicorn workers: the whole process group (see benchmark.children)."""
    stop_group(proc)


def _paths(queries: Sequence[str]) -> dict[str, list[str]]:
    """Request paths per endpoint: the search page and the API, over the same query mix."""
    return {
        "/": [f"/?{urlencode({'q': q})}" for q in queries],
        "/api/search": [f"/api/search?{urlencode({'q': q})}" for q in queries],
    }


def load(port: int, queries: Sequence[str], *, clients: int = 8, requests: int = 400,
         seconds: float = 60.0) -> dict[str, Any]:  # fmt: skip
    """``requests`` per endpoint (or until ``seconds``), ``clients`` threads.

    The endpoints ask the same queries, and the mix repeats once it runs out, so most requests
    repeat a search some earlier request made (the server may answer those from its result
    cache). ``first_p95_ms`` is the p95 of the others: each query's first request, which the
    server must compute, whatever it caches.
    """
    results: dict[str, Any] = {}
    asked: set[int] = set()  # queries (by index in the mix) requested on any endpoint so far
    for endpoint, paths in _paths(queries).items():
        results[endpoint] = _load_one(port, paths, clients, requests, seconds, asked)
    all_ms = [ms for r in results.values() for ms in r.pop("_samples")]
    first_ms = [ms for r in results.values() for ms in r.pop("_first_samples")]
    total_s = sum(r["seconds"] for r in results.values())
    return {
        "rps": round(len(all_ms) / total_s, 1) if total_s else 0.0,
        "p95_ms": latency_summary(all_ms)["p95_ms"],
        "first_requests": len(first_ms),
        "first_p95_ms": latency_summary(first_ms)["p95_ms"] if first_ms else None,
        "errors": sum(r["errors"] for r in results.values()),
        "clients": clients,
        "endpoints": results,
    }


def _load_one(port: int, paths: list[str], clients: int, requests: int, seconds: float,
              asked: set[int]) -> dict[str, Any]:  # fmt: skip
    lock = threading.Lock()
    counter = iter(range(requests))
    samples: list[float] = []
    first_samples: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
                if n is None:
                    break
                first = n % len(paths) not in asked
                asked.add(n % len(paths))
            path = paths[n % len(paths)]
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                path = f"{path} ({type(exc).__name__})"
            ms = (time.perf_counter() - start) * 1000
            with lock:
                samples.append(ms)
                if first:
                    first_samples.append(ms)
                if not ok:
                    errors.append(path)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    summary = latency_summary(samples)
    return {
        "requests": len(samples),
        "seconds": round(elapsed, 2),
        "rps": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": summary["p50_ms"],
        "p95_ms": summary["p95_ms"],
        "errors": len(errors),
        "error_examples": errors[:5],
        "_samples": samples,
        "_first_samples": first_samples,
    }
