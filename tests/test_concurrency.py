"""Concurrent use: searches during a rebuild in another process, the service and the web app
following the new generation without a restart, and two indexers started at once.

The grown archive is a second folder, so it replaces the small one with ``--replace`` (a
rebuild from that folder alone); a plain ``protokoll index`` would add it beside the first."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from reliability.crash import QUERIES, snapshot
from reliability.harness import index_command, item_ids, record

from benchmark.generate import generate
from indexer.index import build_index
from indexer.query import SearchRequest
from indexer.search import SearchService

EXIT_BUSY = 3


class Corpora:
    """A small archive, its index, and a grown copy of it with a reference index."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.small, self.grown = base / "liten", base / "storre"
        generate(10, self.small, seed=21)
        shutil.copytree(self.small, self.grown)
        generate(10, base / "extra", seed=22)
        shutil.copytree(base / "extra", self.grown / "extra")
        for root in (self.small, self.grown):
            (root / "manifest.json").unlink()
        self.index = base / "index"
        build_index(self.small, self.index, workers=1)
        self.before = snapshot(self.index)
        reference = base / "facit"
        build_index(self.grown, reference, workers=1)
        self.after = snapshot(reference)
        self.after_ids = Counter(item_ids(reference))

    def fresh_index(self, name: str) -> Path:
        target = self.base / name
        shutil.copytree(self.index, target)
        return target


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Corpora:
    return Corpora(tmp_path_factory.mktemp("samtidigt"))


def _lock_is_held(index_dir: Path) -> bool:
    with open(index_dir / "indexer.lock", "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


def _start_holding_lock(corpus: Path, index_dir: Path, *extra: str) -> subprocess.Popen:  # type: ignore[type-arg]
    proc = subprocess.Popen(
        index_command(corpus, index_dir, *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600  # readiness on a loaded machine, not a speed check
    while not _lock_is_held(index_dir):
        assert proc.poll() is None, "första indexeraren avslutades innan den tog låset"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc


def test_searches_answer_throughout_a_rebuild_and_follow_the_new_index(corpora: Corpora) -> None:
    index_dir = corpora.fresh_index("under-ombyggnad")
    service = SearchService(index_dir)
    errors: list[str] = []
    answers: Counter[str] = Counter()
    stop = threading.Event()

    def searcher() -> None:
        n = 0
        while not stop.is_set():
            q = QUERIES[n % len(QUERIES)]
            n += 1
            try:
                result = service.search(SearchRequest.from_args({"q": q, "per_sida": "100"}))
            except Exception as exc:  # noqa: BLE001 - any exception is the finding
                errors.append(f"{q!r}: {exc!r}")
                continue
            if result.total == corpora.before[q][0]:
                answers["före"] += 1
            elif result.total == corpora.after[q][0]:
                answers["efter"] += 1
            else:
                errors.append(f"{q!r}: {result.total} träffar, varken före eller efter")

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        done = subprocess.run(
            index_command(corpora.grown, index_dir, "--replace"),
            capture_output=True,
            text=True,
            timeout=600,
        )
        time.sleep(0.3)  # a few searches after the switch
    finally:
        stop.set()
        for t in threads:
            t.join()
    record(
        "search_during_rebuild",
        searches=sum(answers.values()),
        errors=len(errors),
        old_answers=answers["före"],
        new_answers=answers["efter"],
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert errors == []
    assert answers["före"] > 0 and answers["efter"] > 0, answers
    assert snapshot(index_dir) == corpora.after
    result = service.search(SearchRequest.from_args({"q": "", "per_sida": "1"}))
    assert result.total == corpora.after[""][0], "tjänsten följde inte med till nya indexet"
    service.close()


def test_web_app_switches_to_new_index_without_restart(corpora: Corpora) -> None:
    from webui import create_app

    index_dir = corpora.fresh_index("webb")
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIR": str(corpora.grown)}
    )
    client = app.test_client()
    before = client.get("/api/search?q=&per_sida=1").get_json()["total"]
    assert before == corpora.before[""][0]
    done = subprocess.run(
        index_command(corpora.grown, index_dir, "--replace"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-1500:]
    after = client.get("/api/search?q=&per_sida=1").get_json()["total"]
    assert after == corpora.after[""][0]
    page = client.get("/?q=kommun")
    assert page.status_code == 200


def test_second_indexer_refuses_with_a_clear_message(corpora: Corpora) -> None:
    index_dir = corpora.fresh_index("tva-refuse")
    first = _start_holding_lock(corpora.grown, index_dir, "--replace")
    second = subprocess.run(
        index_command(corpora.grown, index_dir), capture_output=True, text=True, timeout=600
    )
    out, err = first.communicate(timeout=600)
    assert second.returncode == EXIT_BUSY, (second.returncode, second.stderr)
    assert "Ett annat indexeringsjobb pågår" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, err[-1500:]
    assert Counter(item_ids(index_dir)) == corpora.after_ids
    assert snapshot(index_dir) == corpora.after


def test_second_indexer_with_wait_runs_after_the_first(corpora: Corpora) -> None:
    index_dir = corpora.fresh_index("tva-vanta")
    first = _start_holding_lock(corpora.grown, index_dir, "--replace")
    second = subprocess.run(
        index_command(corpora.grown, index_dir, "--wait"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    first.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-1500:]
    assert "oförändrade:  " in second.stdout  # it saw the first one's work, had nothing to do
    assert Counter(item_ids(index_dir)) == corpora.after_ids


FAST_LOAD_CLIENTS, FAST_LOAD_SECONDS = 16, 5.0


def test_served_app_under_load_has_no_errors(corpora: Corpora) -> None:
    """16 clients for 5 s against `protokoll serve` on 127.0.0.1 (60 s in scripts/reliability)."""
    from reliability.harness import live_server
    from reliability.load import query_mix, warm_and_load
    from reliability.webindex import sample_ids

    index = corpora.base / "facit"
    paths = query_mix(sample_ids(index), seed=31)
    with live_server(index, corpora.grown) as url:
        warm, result = warm_and_load(
            url, paths, clients=FAST_LOAD_CLIENTS, seconds=FAST_LOAD_SECONDS
        )
    summary = result.summary()
    record("load_fast", **summary, warmup_requests=warm.requests)
    assert warm.server_errors == warm.connection_errors == 0, warm.error_samples[:5]
    assert result.requests > 50, summary
    assert result.server_errors == 0, result.error_samples[:5]
    assert result.connection_errors == 0, result.error_samples[:5]
    assert set(result.status) <= {200}, summary["status"]
