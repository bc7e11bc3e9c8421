"""Issue 14: safe ingestion and a service that survives hostile files, broken disks and
expensive queries. Each test reproduces one row of the red-team table as fixed; the slow
variants (zip bomb at full size, 60 MB file, four clients of expensive queries) live in
``tests/reliability/test_issue14.py`` and run through ``scripts/reliability``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from indexer.index import OUTSIDE_REASON, build_index

PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


# ---------------------------------------------------------------- 1. symlinks out of the corpus


def test_symlinks_leading_out_of_the_corpus_are_skipped_and_listed(tmp_path: Path) -> None:
    from indexer.cli import cli
    from webui import create_app

    corpus, outside = tmp_path / "C", tmp_path / "utanfor"
    (corpus / "org").mkdir(parents=True)
    (outside / "mapp").mkdir(parents=True)
    (outside / "passwd").write_text(PASSWD, encoding="utf-8")
    shutil.copy(SEEDS["003"], outside / "mapp" / "skellefteregionen-styrgrupp-2016-01-01.txt")
    shutil.copy(SEEDS["001"], corpus / "org" / SEEDS["001"].name)
    (corpus / "org" / "passwd-2021-08-09.txt").symlink_to(outside / "passwd")
    (corpus / "mapplank").symlink_to(outside / "mapp", target_is_directory=True)
    (corpus / "inne.txt").symlink_to(corpus / "org" / SEEDS["001"].name)  # inside: works
    (corpus / "org" / "extra").mkdir()
    shutil.copy(SEEDS["000"], corpus / "org" / "extra" / SEEDS["000"].name)
    (corpus / "innemapp").symlink_to(corpus / "org" / "extra", target_is_directory=True)

    result = CliRunner().invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "I")])
    assert result.exit_code == 1, result.output
    assert f"org/passwd-2021-08-09.txt: {OUTSIDE_REASON}" in result.output
    assert f"mapplank: {OUTSIDE_REASON}" in result.output
    assert "utanför korpusmappen" in OUTSIDE_REASON
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "I"),
                         "CORPUS_DIR": str(corpus)}).test_client()  # fmt: skip
    listed = client.get("/api/meetings").get_json()["meetings"]
    sources = {client.get(f"/api/meetings/{m['id']}").get_json()["source"] for m in listed}
    # the linked folder is walked once, under the name met first
    assert sources == {"inne.txt", f"innemapp/{SEEDS['000'].name}", f"org/{SEEDS['001'].name}"}
    assert "root:x" not in client.get("/moten").get_data(as_text=True)
    assert "root:x" not in client.get("/api/meetings").get_data(as_text=True)


def test_a_file_swapped_for_an_outside_link_after_the_walk_is_not_read(tmp_path: Path) -> None:
    from indexer.index import _parse_one

    corpus = tmp_path / "C"
    corpus.mkdir()
    (tmp_path / "passwd").write_text(PASSWD, encoding="utf-8")
    (corpus / "a.txt").symlink_to(tmp_path / "passwd")
    parsed = _parse_one(("a.txt", str(corpus / "a.txt"), str(corpus), None))
    assert parsed.meeting is None and parsed.error == OUTSIDE_REASON
