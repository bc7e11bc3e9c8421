"""``protokoll serve``: a real waitress server in a subprocess on a free port.

Starts from an empty index directory, so the first-run path (build the bundled corpus, then
serve) is what is tested; the server is stopped by the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT

PROTOKOLL = Path(sys.executable).with_name("protokoll")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(index_dir: Path, port: int, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``protokoll serve`` and wait for the line with the URL; returns (process, output)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [str(PROTOKOLL), "serve", "--port", str(port), "--index", str(index_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Protokollsök kör på" in line:
            return proc, "".join(lines)
    proc.kill()
    raise AssertionError("server did not start:\n" + "".join(lines))


def wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    index_dir = tmp_path_factory.mktemp("serve") / "index"
    port = free_port()
    proc, output = start_server(index_dir, port, "--corpus", str(CORPUS), "--threads", "2")
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/")
    yield base, output, index_dir
    proc.terminate()
    proc.wait(timeout=20)
    if proc.stdout:
        proc.stdout.close()


def test_serve_builds_the_missing_index_and_prints_the_url(server) -> None:  # type: ignore[no-untyped-def]
    base, output, index_dir = server
    assert "bygger det från" in output
    assert f"Protokollsök kör på {base}/ – avsluta med Ctrl-C" in output
    assert (index_dir / "CURRENT").is_file()


def test_served_pages_use_waitress_and_security_headers(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = server
    with urllib.request.urlopen(base + "/?q=e-tj%C3%A4nster", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Server"] == "Protokollsok"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        body = response.read().decode("utf-8")
    assert "träffar" in body
    with urllib.request.urlopen(base + "/api/search?q=e-tj%C3%A4nster", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base + "/mote/finns-inte", timeout=10)
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
    assert "Example: protokoll serve" in result.output and "--threads" in result.output
