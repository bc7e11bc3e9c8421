"""``protokoll serve``: a real gunicorn server (several worker processes) on a free port.

Starts from an empty index directory, so the first-run path (build the bundled corpus, then
serve) is what is tested; the server is stopped by the test. Ctrl-C, a busy port and a worker
that dies are tested against real processes too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT

PROTOKOLL = Path(sys.executable).with_name("protokoll")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Readiness waits are generous: CI machines are shared, and on a 2-core box at load 12-15 a
# first `protokoll serve` (building the bundled index, then forking workers) has taken minutes.
# A wait that is long only costs time when something is broken.
STARTUP_TIMEOUT_S = 600
STOP_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 300  # a fresh worker's first search loads the index: slow under load


def start_server(index_dir: Path, port: int, *extra: str, new_session: bool = False,
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:  # fmt: skip
    """Start ``protokoll serve`` and wait for the line with the URL; returns (process, output).

    ``new_session`` puts the server in its own process group, so a test can send SIGINT to the
    whole group the way a terminal does on Ctrl-C. On failure the process is stopped here.
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen(
        [str(PROTOKOLL), "serve", "--port", str(port), "--index", str(index_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
        start_new_session=new_session,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Protokollsök kör på" in line:
                return proc, "".join(lines)
    except BaseException:
        stop_server(proc)
        raise
    stop_server(proc)
    raise AssertionError("server did not start:\n" + "".join(lines))


def stop_server(proc: subprocess.Popen[str]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL if it does not end; always reaped."""
    try:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT_S)
    finally:
        if proc.stdout:
            proc.stdout.close()


def wait_until_up(url: str, timeout: float = STARTUP_TIMEOUT_S, attempt_timeout: float = 30) -> None:
    """Until ``url`` answers at all; a slow answer (socket ``TimeoutError``) means "not yet"."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=attempt_timeout).close()
            return
        except urllib.error.HTTPError:
            return  # an HTTP error status is still an answer
        except (urllib.error.URLError, OSError) as exc:  # refused, reset, TimeoutError
            last = exc
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered ({last!r})")


@contextmanager
def running_server(index_dir: Path, *extra: str) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """A served index on a free port, up and answering; stopped in ``finally`` whatever happens."""
    port = free_port()
    proc, output = start_server(index_dir, port, *extra)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/")
        yield base, output, proc
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    index_dir = tmp_path_factory.mktemp("serve") / "index"
    with running_server(index_dir, "--corpus", str(CORPUS), "--threads", "2",
                        "--workers", "2") as (base, output, proc):  # fmt: skip
        yield base, output, index_dir, proc


def test_wait_until_up_treats_a_slow_answer_as_not_yet() -> None:
    """A loaded machine answers the first request late: urlopen raises a socket TimeoutError."""
    import http.server
    import threading

    calls: list[int] = []

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            calls.append(1)
            if len(calls) == 1:
                time.sleep(1.5)  # longer than the attempt timeout below
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        wait_until_up(f"http://127.0.0.1:{httpd.server_address[1]}/", timeout=120, attempt_timeout=0.5)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=60)
    assert len(calls) >= 2


def test_serve_builds_the_missing_index_and_prints_the_url(server) -> None:  # type: ignore[no-untyped-def]
    base, output, index_dir, _ = server
    assert "bygger det från" in output
    assert f"Protokollsök kör på {base}/ – avsluta med Ctrl-C" in output
    assert (index_dir / "CURRENT").is_file()


def test_served_pages_have_security_headers_and_no_server_version(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    with urllib.request.urlopen(base + "/?q=e-tj%C3%A4nster", timeout=REQUEST_TIMEOUT_S) as response:
        assert response.status == 200
        assert "/" not in response.headers["Server"]  # no version number for scanners
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        body = response.read().decode("utf-8")
    assert "träffar" in body
    with urllib.request.urlopen(base + "/api/search?q=e-tj%C3%A4nster", timeout=REQUEST_TIMEOUT_S) as response:
        assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base + "/mote/finns-inte", timeout=REQUEST_TIMEOUT_S)
    assert err.value.code == 404
    assert "Sidan finns inte" in err.value.read().decode("utf-8")


def test_serve_binds_localhost_by_default() -> None:
    from webui.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_serve_without_index_or_corpus_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from webui.cli import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["serve", "--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "saknas")]
    )
    assert result.exit_code != 0
    assert "inget index" in result.output and "protokoll index" in result.output


def test_default_corpus_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from webui.cli import PACKAGE_CORPUS, default_corpus

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PROTOKOLL_CORPUS", raising=False)
    assert default_corpus() == PACKAGE_CORPUS
    (tmp_path / "corpus").mkdir()
    assert default_corpus() == tmp_path / "corpus"
    monkeypatch.setenv("PROTOKOLL_CORPUS", str(tmp_path / "annan"))
    assert default_corpus() == tmp_path / "annan"


def test_serve_help_is_swedish_with_an_example() -> None:
    from webui.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Exempel: protokoll serve" in result.output and "--threads" in result.output
    assert "--workers" in result.output and "processorkärnor" in result.output


def workers_of(proc: subprocess.Popen[str], count: int, timeout: float = STARTUP_TIMEOUT_S) -> set[int]:
    """The pids of the server's worker processes, once ``count`` of them are running."""
    master = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = {child.pid for child in master.children() if child.status() != psutil.STATUS_ZOMBIE}
        if len(pids) == count:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"expected {count} workers, have {[c.pid for c in master.children()]}")


def test_serve_answers_from_several_processes_and_replaces_a_dead_one(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, proc = server
    before = workers_of(proc, 2)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    after = workers_of(proc, 2)
    while victim in after:
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.2)
        after = workers_of(proc, 2)
    assert len(after - before) == 1  # one new worker, the survivor kept serving
    for _ in range(6):
        with urllib.request.urlopen(base + "/api/search?q=beslut", timeout=REQUEST_TIMEOUT_S) as response:
            assert response.status == 200


def test_a_busy_port_is_named_in_swedish_before_anything_starts(built_index: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(  # a timeout here means a retry loop, or a hang
            [str(PROTOKOLL), "serve", "--port", str(port), "--index", str(built_index)],
            check=False, capture_output=True, text=True, timeout=STARTUP_TIMEOUT_S, cwd=ROOT,
        )
    assert done.returncode != 0
    assert f"Port {port} används redan" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "Protokollsök kör på" not in done.stdout


def stop_with_ctrl_c(proc: subprocess.Popen[str]) -> str:
    """SIGINT to the whole process group, as a terminal sends it; returns the remaining output."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        output, _ = proc.communicate(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=STOP_TIMEOUT_S)
        raise
    return output


@pytest.mark.parametrize("access_log", [False, True], ids=["quiet", "access-log"])
def test_ctrl_c_stops_every_process_cleanly(built_index: Path, access_log: bool, tmp_path: Path) -> None:
    port = free_port()
    extra = ("--workers", "2", "--threads", "2", *(["--access-log"] if access_log else []))
    proc, _ = start_server(built_index, port, *extra, new_session=True, env={"TMPDIR": str(tmp_path)})
    try:
        workers = workers_of(proc, 2)
        wait_until_up(f"http://127.0.0.1:{port}/")
        for _ in range(4):  # whichever worker answers, the result is in the one shared store
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/?q=beslut", timeout=REQUEST_TIMEOUT_S) as response:
                assert response.status == 200
        shared = list(tmp_path.glob("protokoll-svar-*"))
        assert len(shared) == 1 and (shared[0].stat().st_mode & 0o777) == 0o700
        assert list(shared[0].glob("cache.db"))
        from benchmark.web import server_memory_mb

        memory = server_memory_mb(proc)  # type: ignore[arg-type]
        assert memory is not None and memory > 0  # master + 2 workers, what the bench reports
    finally:
        output = stop_with_ctrl_c(proc)
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "Error" not in output, output
    assert ('"GET /?q=beslut HTTP/1.1" 200' in output) is access_log, output
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
                   for pid in workers)  # fmt: skip
    assert not list(tmp_path.glob("protokoll-svar-*"))  # the shared results went with the server


def test_gunicorn_settings_are_quiet_and_generous() -> None:
    from webui.server import ServeOptions, gunicorn_settings

    options = ServeOptions(index_dir=Path("/x"), corpus_dir=None, workers=3, threads=5)
    settings = gunicorn_settings(7, options)
    assert settings["bind"] == ["fd://7"]
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == (3, 5, "gthread")
    assert settings["worker_connections"] == 5  # more wait for whichever worker frees up first
    assert settings["accesslog"] is None and settings["loglevel"] == "warning"
    assert settings["timeout"] >= 60
    assert settings["control_socket_disable"] is True
    assert settings["keepalive"] == 0  # every request back to the shared socket (webui.server)
    assert settings["forwarded_allow_ips"] == ""  # no client may claim https via a header
    assert settings["preload_app"] is True  # warmed once in the master, shared by the workers
    logged = gunicorn_settings(7, ServeOptions(Path("/x"), None, 1, 1, access_log=True))
    assert logged["accesslog"] == "-"


def test_default_workers_is_the_core_count_capped_at_eight() -> None:
    from webui.server import default_workers

    assert default_workers() == max(1, min(len(os.sched_getaffinity(0)), 8))


@pytest.mark.parametrize("index", ["built", "missing"])
def test_warm_up_before_fork_leaves_state_built_and_no_file_open(built_index: Path, tmp_path: Path,
                                                                 index: str) -> None:  # fmt: skip
    """The master warms the service before forking: the per-generation arrays and summaries are
    built, the page templates compiled, no searcher (open file) is left to cross the fork, and
    a missing index is quiet."""
    from webui import create_app
    from webui.server import warm_before_fork
    from webui.service import get_service

    index_dir = built_index if index == "built" else tmp_path / "inget-index"
    app = create_app({"INDEX_DIR": str(index_dir), "CORPUS_DIR": str(CORPUS)})
    warm_before_fork(app)
    templates = app.jinja_env.list_templates(extensions=["html"])
    assert "search/index.html" in templates and app.jinja_env.cache is not None
    assert len(app.jinja_env.cache) == len(templates)  # each compiled once, before the fork
    if index == "built":
        with app.app_context():
            service = get_service()
            assert service._open == [] and getattr(service._local, "searcher", None) is None
            built = dict(service._states._cache)
            assert len(built) == 1 and service._summaries
            # A request after the "fork" opens its own reader and finds the same arrays.
            assert app.test_client().get("/api/search?q=beslut").status_code == 200
            assert all(service._states._cache[key] is state for key, state in built.items())
    assert app.test_client().get("/api/search?q=beslut").status_code == (200 if index == "built" else 503)


def test_a_worker_that_leaves_does_not_take_the_shared_results_along(built_index: Path, tmp_path: Path) -> None:
    """gunicorn forks its workers inside the master's ``run()``: a worker leaving gracefully
    unwinds through the same frames, and must not remove the store the others use."""
    port = free_port()
    proc, _ = start_server(built_index, port, "--workers", "2", "--threads", "2",
                           env={"TMPDIR": str(tmp_path)})  # fmt: skip
    try:
        before = workers_of(proc, 2)
        wait_until_up(f"http://127.0.0.1:{port}/")
        leaving = min(before)
        os.kill(leaving, signal.SIGTERM)  # a graceful exit: SystemExit through run()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while leaving in workers_of(proc, 2):  # a replacement is forked once it has gone
            assert time.monotonic() < deadline, "the worker never left"
            time.sleep(0.2)
        assert len(list(tmp_path.glob("protokoll-svar-*/cache.db"))) == 1
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?q=beslut", timeout=REQUEST_TIMEOUT_S) as response:
            assert response.status == 200
    finally:
        stop_server(proc)


@pytest.mark.skipif(not hasattr(socket, "TCP_DEFER_ACCEPT"), reason="TCP_DEFER_ACCEPT är Linux")
def test_the_listener_hands_over_a_connection_only_with_its_request() -> None:
    from webui.server import DEFER_ACCEPT_S, listen

    sock = listen("127.0.0.1", 0)
    try:
        deferred = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT)
        assert deferred >= DEFER_ACCEPT_S > 0  # the kernel rounds up to its retransmit steps
        with socket.create_connection(sock.getsockname()[:2], timeout=30) as idle:
            sock.settimeout(0.5)
            with pytest.raises(TimeoutError):  # connected, but nothing sent: nothing to accept
                sock.accept()
            idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(60)  # generous: only a failure waits this long
            conn, _ = sock.accept()
            conn.close()
    finally:
        sock.close()
