"""Shared fixtures: real files, real temporary indexes, a real Flask app. No mocks."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = Path(__file__).resolve().parent / "expected"
SHARED = ROOT.parent / "shared"
DEV_MINUTES = SHARED / "dev-minutes"

# The bundled seeds under their descriptive names, keyed by the seed number the issues use.
SEEDS = {
    "000": CORPUS / "umearegionen-kommunchefsgrupp-2008-08-22.txt",
    "001": CORPUS / "umearegionen-kommunchefsgrupp-2017-04-06.txt",
    "002": CORPUS / "kommunforbundet-vasternorrland-styrelse-2010-04-22.txt",
    "003": CORPUS / "skellefteregionen-styrgrupp-2015-02-11.txt",
    "004": CORPUS / "skane-nordvast-kommundirektorsgrupp-2015-06-12.md",
}


@pytest.fixture(autouse=True)
def _query_time_budget_for_a_busy_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches in the test process get 60 s of wall-clock time instead of 2 s.

    A shared two-core CI box can stall a thread for seconds (four searching threads and a commit
    in one test), and ``indexer.budget`` would then cut the search short and answer without hits:
    a test asserting hits would fail for the machine's load, not for the code. Tests of the
    budget itself set their own limit; servers started in a subprocess keep the real one.
    """
    from indexer import budget

    monkeypatch.setattr(budget, "QUERY_SECONDS", 60.0)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Whoosh index of the bundled corpus, built once per test session."""
    from indexer.index import build_index

    index_dir = tmp_path_factory.mktemp("index")
    report = build_index(CORPUS, index_dir)
    assert not report.failed, report.failed
    return index_dir


@pytest.fixture(scope="session")
def service(built_index: Path):
    from indexer.search import SearchService

    svc = SearchService(built_index, corpus_dir=CORPUS)
    yield svc
    svc.close()


@pytest.fixture()
def app(built_index: Path):
    from webui import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(built_index), "CORPUS_DIR": str(CORPUS)})


@pytest.fixture()
def client(app):
    return app.test_client()
