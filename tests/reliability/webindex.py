"""An index worth attacking: the bundled corpus plus a generated archive, so prefix queries
such as ``a*`` really expand over thousands of terms and facets have many values."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_web_index(base: Path, *, meetings: int, seed: int = 5) -> tuple[Path, Path]:
    """Write corpus and index under ``base``; returns (index_dir, corpus_dir)."""
    from benchmark.generate import generate
    from indexer.index import build_index

    corpus = base / "korpus"
    generate(meetings, corpus / "arkiv", seed=seed)
    (corpus / "arkiv" / "manifest.json").unlink()
    for src in (ROOT / "corpus").iterdir():
        if src.is_file():
            shutil.copy2(src, corpus / src.name)
    index = base / "index"
    report = build_index(corpus, index)
    assert not report.failed, report.failed
    return index, corpus


def production_app(index: Path, corpus: Path):  # type: ignore[no-untyped-def]
    """The app as ``protokoll serve`` makes it: no TESTING flag, so errors are handled."""
    from webui import create_app

    return create_app({"INDEX_DIR": str(index), "CORPUS_DIR": str(corpus)})


def sample_ids(index: Path) -> list[str]:
    """A few meeting ids for /mote/<id> requests in the load mix."""
    from indexer.generations import open_generation
    from indexer.index import indexed_state

    _, ix = open_generation(index)
    try:
        return sorted(k.meeting_id for k in indexed_state(ix).values())
    finally:
        ix.close()
