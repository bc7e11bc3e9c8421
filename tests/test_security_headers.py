"""Security headers on every response (errors included), no inline script for the CSP to
forbid, no debug mode or traceback even when the index breaks under a running app, and source
files only from inside the corpus root, also when the corpus holds symlinks pointing out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from indexer.index import build_index

ROOT = Path(__file__).resolve().parent.parent
STACK_MARKERS = ("Traceback", 'File "/', "werkzeug.exceptions", "Debugger", "Exception:")
SECRET = "HEMLIGT-utanför-korpusen-4711"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled corpus plus two symlinks that lead out of it: a file and a folder."""
    base = tmp_path_factory.mktemp("sakerhet")
    outside = base / "utanfor"
    outside.mkdir()
    minutes = (ROOT / "corpus" / "skellefteregionen-styrgrupp-2015-02-11.txt").read_text("utf-8")
    (outside / "hemlig.txt").write_text(minutes.replace("Skellefteå", SECRET, 1), "utf-8")
    (outside / "mapp").mkdir()
    (outside / "mapp" / "hemlig2.txt").write_text(SECRET + "\n" + minutes, "utf-8")
    corpus = base / "korpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "lank-ut.txt").symlink_to(outside / "hemlig.txt")
    (corpus / "mapplank").symlink_to(outside / "mapp")
    index = base / "index"
    build_index(corpus, index, workers=1)
    return index, corpus


@pytest.fixture()
def client(site: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    from reliability.webindex import production_app

    return production_app(*site).test_client()


def _meeting_ids(client) -> list[str]:  # type: ignore[no-untyped-def]
    hits = client.get("/api/search?q=&per_sida=100").get_json()["hits"]
    return sorted({h["meeting_id"] for h in hits})


def _urls(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    mid = _meeting_ids(client)[0]
    return [
        ("GET", u)
        for u in (
            "/",
            "/?q=kommun",
            "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
            "/api/search?q=budget",
            "/api/trends?q=kommun",
            "/trender",
            "/trender?q=kommun",
            f"/mote/{mid}",
            f"/mote/{mid}/kalla",
            f"/api/meetings/{mid}",
            "/moten",
            "/finns-inte",
            "/api/finns-inte",
            "/?sida=abc",
            "/api/search?sida=-5",
            "/mote/okant-mote",
            "/mote/okant-mote/kalla",
        )
    ] + [("POST", "/"), ("POST", "/api/search"), ("DELETE", "/api/search")]


def test_every_response_carries_the_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    for method, url in _urls(client):
        response = client.open(url, method=method)
        h = response.headers
        csp = h.get("Content-Security-Policy", "")
        assert "default-src" in csp, (url, csp)
        script_src = next((p for p in csp.split(";") if "script-src" in p), "default-src 'self'")
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
        assert h.get("X-Content-Type-Options") == "nosniff", url
        assert h.get("Referrer-Policy"), url
        assert response.status_code < 500, (url, response.status_code)


def test_html_pages_hold_no_inline_script_or_handlers(client) -> None:  # type: ignore[no-untyped-def]
    for method, url in _urls(client):
        response = client.open(url, method=method)
        if response.mimetype != "text/html":
            continue
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert all(tag.get("src") for tag in soup.find_all("script")), url
        handlers = [
            a for tag in soup.find_all(True) for a in tag.attrs if a.lower().startswith("on")
        ]
        assert handlers == [], (url, handlers)
        assert "<script>alert(1)" not in response.get_data(as_text=True), url


def test_debug_is_off_even_when_the_environment_asks(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from reliability.webindex import production_app

    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("PROTOKOLL_DEBUG", "true")
    app = production_app(*site)
    assert app.debug is False and not app.config.get("DEBUG")
    assert app.config.get("PROPAGATE_EXCEPTIONS") in (None, False)


def test_a_broken_index_under_a_running_app_gives_no_traceback(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from reliability.webindex import production_app

    index, corpus = site
    broken = tmp_path / "index"
    shutil.copytree(index, broken)
    app = production_app(broken, corpus)
    client = app.test_client()
    assert client.get("/api/search?q=kommun").status_code == 200
    # What an operator can do to a live index: delete the generation, or point CURRENT at a
    # directory holding garbage. (Overwriting mmapped segment files in place is not among
    # them: that is a SIGBUS for any mmap reader, and the indexer never writes in place.)
    for gen in broken.glob("gen-*"):
        shutil.rmtree(gen)
    check_no_traceback(client)
    fake = broken / "gen-999999"
    fake.mkdir()
    (fake / "_MAIN_1.toc").write_bytes(b"\x00garbage")
    (fake / "protokoll-index.json").write_text('{"schema_version": "x"}')
    (broken / "CURRENT").write_text("gen-999999\n")
    check_no_traceback(client)


def check_no_traceback(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/?q=budget", "/api/search?q=budget", "/api/trends?q=skola", "/trender?q=skola"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code in (500, 503), (url, response.status_code)  # handled
        assert not any(m in body for m in STACK_MARKERS), (url, body[:400])
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        if url.startswith("/api/"):
            assert response.is_json, url


def test_source_files_are_served_only_from_inside_the_corpus(client, site) -> None:  # type: ignore[no-untyped-def]
    index, corpus = site
    served_inside = 0
    for mid in _meeting_ids(client):
        response = client.get(f"/mote/{mid}/kalla")
        body = response.get_data(as_text=True)
        assert SECRET not in body, f"{mid}: fil utanför korpusen skickades"
        if response.status_code == 200:
            served_inside += 1
            assert response.headers.get("X-Content-Type-Options") == "nosniff"
        else:
            assert response.status_code == 404, (mid, response.status_code)
    assert served_inside >= 5  # the bundled minutes are still downloadable
    for attack in ("..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", "lank-ut", "mapplank%2Fhemlig2"):
        response = client.get(f"/mote/{attack}/kalla")
        assert response.status_code in (400, 404), attack
        assert SECRET not in response.get_data(as_text=True)
