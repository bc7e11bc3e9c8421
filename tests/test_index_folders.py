"""Several folders in one index: adding a folder never removes another folder's meetings."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as windex

from indexer import generations as gens
from indexer.cli import cli
from indexer.errors import ProtokollError
from indexer.index import build_index, indexed_state, remove_folder
from indexer.sources import load

MINUTES = """PROTOKOLL
{org} styrelse
Datum: {date}
Plats: Stadshuset

1. Mötets öppnande
Ordföranden öppnade mötet.

2. {topic}
Styrelsen diskuterade {topic_lower}.
Beslut: Styrelsen beslutar att godkänna förslaget.
"""


def _write(folder: Path, name: str, org: str, date: str, topic: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = MINUTES.format(org=org, date=date, topic=topic, topic_lower=topic.lower())
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture()
def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    _write(a, "m1.txt", "Norrådet", "2014-03-01", "Bredband")
    _write(a, "m2.txt", "Norrådet", "2014-05-01", "Kollektivtrafik")
    # Same relative name as in A, on purpose: the two must not overwrite each other.
    _write(b, "m1.txt", "Söderrådet", "2016-02-02", "Avfallsplan")
    return a, b


def _sources(index_dir: Path) -> set[str]:
    _, ix = gens.open_generation(index_dir)
    try:
        return set(indexed_state(ix))
    finally:
        ix.close()


def test_second_folder_keeps_the_first(tmp_path: Path, two_folders: tuple[Path, Path]):
    a, b = two_folders
    index_dir = tmp_path / "index"
    build_index(a, index_dir, workers=1)
    report = build_index(b, index_dir, workers=1)
    assert report.removed == [] and len(report.added) == 1
    assert _sources(index_dir) == {"m1.txt", "m2.txt", f"{b.resolve()}/m1.txt"}
    assert dict(report.folders) == {str(a.resolve()): 2, str(b.resolve()): 1}
    assert [f.path for f in load(index_dir)] == [str(a.resolve()), str(b.resolve())]


def test_removal_only_for_files_gone_from_the_folder_being_indexed(
    tmp_path: Path, two_folders: tuple[Path, Path]
):
    a, b = two_folders
    index_dir = tmp_path / "index"
    build_index(a, index_dir, workers=1)
    build_index(b, index_dir, workers=1)
    (a / "m2.txt").unlink()
    again_b = build_index(b, index_dir, workers=1)  # A's loss is not B's business
    assert again_b.removed == [] and "m2.txt" in _sources(index_dir)
    again_a = build_index(a, index_dir, workers=1)
    assert again_a.removed == ["m2.txt"]
    assert _sources(index_dir) == {"m1.txt", f"{b.resolve()}/m1.txt"}


def test_rebuild_reads_every_folder(tmp_path: Path, two_folders: tuple[Path, Path]):
    a, b = two_folders
    index_dir = tmp_path / "index"
    build_index(a, index_dir, workers=1)
    build_index(b, index_dir, workers=1)
    report = build_index(a, index_dir, workers=1, rebuild=True)
    assert report.rebuilt and len(report.added) == 3
    assert len(_sources(index_dir)) == 3


def test_rebuild_refuses_when_a_folder_is_gone(tmp_path: Path, two_folders: tuple[Path, Path]):
    a, b = two_folders
    index_dir = tmp_path / "index"
    build_index(a, index_dir, workers=1)
    build_index(b, index_dir, workers=1)
    (b / "m1.txt").unlink()
    b.rmdir()
    with pytest.raises(ProtokollError, match="--remove"):
        build_index(a, index_dir, workers=1, rebuild=True)
    assert len(_sources(index_dir)) == 3  # nothing lost


def test_replace_and_remove(tmp_path: Path, two_folders: tuple[Path, Path]):
    a, b = two_folders
    index_dir = tmp_path / "index"
    build_index(a, index_dir, workers=1)
    build_index(b, index_dir, workers=1)
    removed = remove_folder(a, index_dir)
    assert sorted(removed.removed) == ["m1.txt", "m2.txt"]
    assert _sources(index_dir) == {f"{b.resolve()}/m1.txt"}
    replaced = build_index(a, index_dir, workers=1, replace=True)
    assert replaced.rebuilt and _sources(index_dir) == {"m1.txt", "m2.txt"}
    assert replaced.removed == [f"{b.resolve()}/m1.txt"]
    assert [f.path for f in load(index_dir)] == [str(a.resolve())]


def test_nested_folder_refused(tmp_path: Path, two_folders: tuple[Path, Path]):
    a, _ = two_folders
    _write(a / "sub", "m3.txt", "Norrådet", "2015-01-01", "Skola")
    index_dir = tmp_path / "index"
    build_index(a, index_dir, workers=1)
    with pytest.raises(ProtokollError, match="två gånger"):
        build_index(a / "sub", index_dir, workers=1)
    assert windex.exists_in(str(gens.current_generation(index_dir)))


def test_cli_summary_names_the_folders(tmp_path: Path, two_folders: tuple[Path, Path]):
    a, b = two_folders
    index_dir = str(tmp_path / "index")
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(a), "--index", index_dir]).exit_code == 0
    out = runner.invoke(cli, ["index", str(b), "--index", index_dir])
    assert out.exit_code == 0, out.output
    assert f"Lästa mappar: {b.resolve()}" in out.output
    assert "borttagna:    0" in out.output
    assert f"{a.resolve()}: 2 möten" in out.output and f"{b.resolve()}: 1 möte\n" in out.output
    gone = runner.invoke(cli, ["index", "--remove", str(tmp_path / "nowhere"), "--index", index_dir])
    assert gone.exit_code != 0 and "finns inte i indexet" in gone.output
    assert "Traceback" not in gone.output
    removed = runner.invoke(cli, ["index", "--remove", str(b), "--index", index_dir])
    assert removed.exit_code == 0 and "borttagna:    1" in removed.output
    assert f"Borttagen ur indexet: {b.resolve()}" in removed.output
