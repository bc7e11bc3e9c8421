"""Serving the web app from several processes that share one listening socket (gunicorn).

Why processes and not more threads: every search and facet count is Python work under the GIL,
so the threads of one process share one core's worth of CPU (BENCHMARKS.md measured 4.8 req/s
and p95 3.9 s with 8 clients on one waitress process). gunicorn's pre-fork model gives each
worker its own interpreter, replaces a worker that dies, and kills one that hangs.

The parent binds the socket itself and hands gunicorn the descriptor (``fd://``): a busy port is
then an ``OSError`` the CLI can explain in Swedish before anything forks, instead of gunicorn's
five English retries. The app is built and its search service warmed once in the master
(``preload_app``, ``warm_before_fork``); the workers inherit it with every Whoosh file closed.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

MAX_DEFAULT_WORKERS = 8
REQUEST_TIMEOUT_S = 60  # a worker silent this long is killed and replaced
GRACEFUL_TIMEOUT_S = 10  # on SIGTERM, time for requests in flight to finish
# No keep-alive: a kept-alive connection stays with the worker that accepted it, so 8 browsers or
# clients could sit on one worker while the other idled (measured at 10 000 meetings, 8 clients,
# 2 workers: 54–132 req/s from run to run with 5 s keep-alive, 158–164 req/s without). Closing
# after each answer sends every request to the listening socket, where an idle worker, whose
# thread is not waiting for the GIL, is the first to accept it. A new local TCP connection costs
# well under a millisecond; a reverse proxy in front keeps its own connections to browsers.
KEEPALIVE_S = 0
BACKLOG = 2048
# A worker takes a new connection only while it handles fewer than ``--threads`` (gunicorn's
# ``worker_connections``); the rest wait in the listening socket's queue for whichever worker
# frees up first. With gunicorn's default (1 000) a busy worker kept accepting, and a request
# queued behind its searches while the other worker idled. Alternating runs at 100 000 meetings,
# 8 clients, 2 workers: p95 192, 191, 216 ms with 2 connections per worker against 271, 258,
# 356 ms with 1 000 and 4 threads (BENCHMARKS.md, round 10). The default is 3, not 2: a heavy
# query holds its place while it waits for its machine-wide turn (``indexer.budget``), and with
# 2 per worker four clients sending heavy queries filled all four places of a 2-worker server,
# so simple queries waited behind them (issue 14's scenario failed; with 3 it passes).
DEFAULT_THREADS = 3
# The kernel hands a worker a connection only once its request has arrived (``TCP_DEFER_ACCEPT``,
# Linux), so a browser's idle pre-opened connection cannot hold one of those few places; one
# that stays silent this many seconds is handed over anyway (gunicorn then closes it).
DEFER_ACCEPT_S = 5


@dataclass(frozen=True)
class ServeOptions:
    """What ``protokoll serve`` decided; everything a worker needs to build its app."""

    index_dir: Path
    corpus_dir: Path | None
    workers: int
    threads: int
    access_log: bool = False


def default_workers() -> int:
    """One worker per core this process may run on, at most ``MAX_DEFAULT_WORKERS``.

    The workers share the arrays built before the fork (``warm_before_fork``); after the index
    changes each worker builds its own, so memory then grows with the count. Beyond a few
    cores the searches stop being the bottleneck anyway.
    """
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS and other systems without affinity masks
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; raises ``OSError`` (e.g. ``EADDRINUSE``)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Allows a restart while old connections sit in TIME_WAIT; a live listener on the port
        # still makes bind() fail on Linux.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "TCP_DEFER_ACCEPT"):  # Linux: see DEFER_ACCEPT_S
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, DEFER_ACCEPT_S)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def gunicorn_settings(listener_fd: int, options: ServeOptions) -> dict[str, Any]:
    """gunicorn's configuration for ``protokoll serve``: quiet, no debug, generous timeouts."""
    return {
        "bind": [f"fd://{listener_fd}"],
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "worker_connections": options.threads,  # see DEFAULT_THREADS
        "timeout": REQUEST_TIMEOUT_S,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "keepalive": KEEPALIVE_S,
        "accesslog": "-" if options.access_log else None,
        "errorlog": "-",
        "loglevel": "warning",  # worker crashes and timeouts, not every boot and signal
        "proc_name": "protokollsok",
        # Trust no client's X-Forwarded-* headers (gunicorn trusts 127.0.0.1 by default, which on
        # a shared machine is every local user); waitress was run with the same policy.
        "forwarded_allow_ips": "",
        # gunicorn ≥ 25.1 opens a control socket at one fixed per-user path by default; two
        # servers (or test runs) at once would fight over it, and nothing here uses it.
        "control_socket_disable": True,
        # Load the app and warm its search service once, before forking (``warm_before_fork``).
        "preload_app": True,
    }


class _Application(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from ``ServeOptions`` instead of its own command line."""

    def __init__(self, listener: socket.socket, options: ServeOptions, shared_dir: Path) -> None:
        self._listener = listener
        self._options = options
        self._shared_dir = shared_dir
        super().__init__(prog="protokoll serve")

    def load_config(self) -> None:
        for key, value in gunicorn_settings(self._listener.fileno(), self._options).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Runs once, in gunicorn's master before it forks (``preload_app``): the app and its
        warmed search service are inherited by every worker."""
        from webui import create_app

        corpus = self._options.corpus_dir
        app = create_app({"INDEX_DIR": str(self._options.index_dir),
                          "CORPUS_DIR": str(corpus) if corpus else None,
                          "SHARED_RESULTS_DIR": str(self._shared_dir)})  # fmt: skip
        warm_before_fork(app)
        return app


def warm_before_fork(app: Flask) -> None:
    """Build the search service's shared state once, in the master, before the workers fork.

    Measured before this (BENCHMARKS.md): a fresh worker needed about 1.3 s for its first query
    at 10 000 meetings and 6.1 s at 100 000, and every worker held its own copy of the facet
    and ranking arrays. Built here, the arrays sit in memory the workers share copy-on-write
    (numpy buffers are never written after they are built), so a worker's first query starts
    warm and memory does not grow with ``--workers``. ``SearchService.warm`` closes every
    reader it opened, so no open file crosses the fork, and it runs synchronously: no thread
    may be alive in the master when it forks. A missing or damaged index is left for the first
    request to report (a Swedish 503 page).

    The page templates are compiled here too: each worker compiled them again for its first
    page, 60 ms of it (the results page and its includes, profiled at 100 000 meetings).
    """
    from indexer.errors import ProtokollError
    from webui.service import get_service

    with app.app_context():
        for name in app.jinja_env.list_templates(extensions=["html"]):
            app.jinja_env.get_template(name)  # kept in the environment's cache, shared on fork
        try:
            get_service().warm()
        except (ProtokollError, OSError):
            pass  # no index yet, or one being swapped in: the first request reports it


def run(listener: socket.socket, options: ServeOptions) -> None:
    """Serve until SIGINT/SIGTERM; gunicorn's master exits the process when it stops.

    The workers share finished results through a private temporary folder
    (``indexer.sharedresults``), created here before anything forks and removed when the master
    leaves, however it leaves. gunicorn forks its workers inside ``run()``, so a worker that
    exits unwinds through this frame too: only the process that created the folder removes it.
    """
    master = os.getpid()
    shared = Path(tempfile.mkdtemp(prefix="protokoll-svar-"))
    try:
        _Application(listener, options, shared).run()
    finally:
        if os.getpid() == master:
            shutil.rmtree(shared, ignore_errors=True)
