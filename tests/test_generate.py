"""The synthetic archive generator: deterministic, fast, varied, truthful manifest, safe output."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.errors import ProtokollError
from indexer.extract import extract_text
from benchmark.generate import generate, vocabulary
from benchmark.generate.messy import MESSY_STYLES

ROOT = Path(__file__).resolve().parent.parent


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("arkiv")
    generate(200, out, seed=7)
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    generate(30, tmp_path / "a", seed=42)
    generate(30, tmp_path / "b", seed=42)
    generate(30, tmp_path / "c", seed=43)
    a, b, c = (files_of(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c
    assert len([f for f in a if f != "manifest.json" and not f.endswith(".toml")]) == 30


def test_parallel_rendering_gives_the_same_bytes(tmp_path: Path) -> None:
    generate(120, tmp_path / "one", seed=3, workers=1)
    generate(120, tmp_path / "two", seed=3, workers=2)
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_all_formats_styles_and_municipalities_appear(archive: Path) -> None:
    data = manifest(archive)
    files = data["files"]
    assert len(files) == data["meetings"] == 200
    assert {f["format"] for f in files.values()} == {"txt", "md", "html", "pdf", "docx"}
    assert {f["style"] for f in files.values()} >= {"numbered", "paragraph", "markdown",
                                                     "pdftext", "web"}  # fmt: skip
    formats = Counter(f["format"] for f in files.values())
    assert formats["txt"] + formats["md"] >= 0.8 * len(files)
    all_municipalities = {m for names in vocabulary().municipalities.values() for m in names}
    assert len(all_municipalities) == 290
    assert {m for b in data["bodies"] for m in b["municipalities"]} == all_municipalities
    assert all(3 <= len(b["municipalities"]) <= 12 for b in data["bodies"])
    assert 35 <= len({b["organisation"] for b in data["bodies"]}) <= 45


def test_manifest_is_plausible_and_matches_the_files(archive: Path) -> None:
    data = manifest(archive)
    folders = {(b["organisation"], b["body"]): b["folder"] for b in data["bodies"]}
    for rel, meta in data["files"].items():
        assert (archive / rel).is_file()
        assert 2000 <= int(meta["date"][:4]) <= 2026
        assert 2 <= meta["items"] <= 40 or (meta["style"] == "noitems" and meta["items"] == 0)
        assert meta["kind"] in {"minutes", "agenda", "meeting page"}
        assert str(Path(rel).parent) == folders[(meta["organisation"], meta["body"])]
        assert meta["date"] in rel


@pytest.mark.parametrize(("style", "heading"), [("numbered", r"^\d+\. \S"), ("paragraph", r"^§ \d+$"),
                                                ("markdown", r"^### \d+\. \*\*")])  # fmt: skip
def test_item_count_in_manifest_is_the_number_of_headings(
    archive: Path, style: str, heading: str
) -> None:
    checked = glued = 0
    for rel, meta in manifest(archive)["files"].items():
        if meta["style"] != style:
            continue
        text = extract_text((archive / rel).read_bytes(), rel).text
        assert len(re.findall(heading, text, flags=re.MULTILINE)) == meta["items"], rel
        checked += 1
    assert checked >= 3


def test_every_file_extracts_and_encodings_vary(archive: Path) -> None:
    encodings = Counter()
    for rel in manifest(archive)["files"]:
        result = extract_text((archive / rel).read_bytes(), rel)
        assert len(result.text) > 200
        encodings[result.encoding] += 1
    assert {"utf-8", "cp1252"} <= set(encodings)


def test_seed_styles_show_their_quirks(archive: Path) -> None:
    texts = {}
    for rel, meta in manifest(archive)["files"].items():
        texts.setdefault(meta["style"], extract_text((archive / rel).read_bytes(), rel).text)
    assert "BESLUT: " in texts["numbered"] or "Närvarande" in texts["numbered"]
    assert re.search(r"\w-\n\w", texts["paragraph"] + texts["pdftext"])  # line-end hyphenation
    assert re.search(r" 1 / \d+\n", texts["pdftext"])
    assert "Storlek: px\nStarta visningen från sidan:" in texts["web"]
    assert texts["web"].rstrip().endswith("Läs mer")
    assert "**Tid/Plats:**" in texts["markdown"]
    assert texts["pdf"].startswith("Sida 1 (")


def test_some_bodies_get_a_folder_metadata_file(archive: Path) -> None:
    listed = manifest(archive)["metadata_files"]
    assert listed
    for rel in listed:
        meta = tomllib.loads((archive / rel).read_text(encoding="utf-8"))
        assert meta["organisation"] and meta["body"]
    folders = {str(Path(rel).parent) for rel in manifest(archive)["files"]}
    assert len(listed) < len(folders)  # only some


def test_output_never_lands_in_corpus_or_a_foreign_folder(tmp_path: Path) -> None:
    with pytest.raises(ProtokollError, match="corpus"):
        generate(2, ROOT / "corpus" / "syntetiskt", seed=1)
    assert not (ROOT / "corpus" / "syntetiskt").exists()
    foreign = tmp_path / "annat"
    foreign.mkdir()
    (foreign / "viktig.txt").write_text("rör inte", encoding="utf-8")
    with pytest.raises(ProtokollError, match="inte tom"):
        generate(2, foreign, seed=1)


def test_regenerating_replaces_the_previous_archive(tmp_path: Path) -> None:
    generate(40, tmp_path, seed=1)
    generate(5, tmp_path, seed=2)
    written = [
        f for f in files_of(tmp_path) if f.endswith((".txt", ".md", ".html", ".pdf", ".docx"))
    ]
    assert sorted(written) == sorted(manifest(tmp_path)["files"])


def test_cli_prints_a_swedish_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["generate", "--meetings", "25", "--out", str(tmp_path / "ut"), "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "Antal möten: 25" in result.output
    assert "Filer per format: " in result.output and "möten/s" in result.output
    refused = CliRunner().invoke(
        cli, ["generate", "--meetings", "2", "--out", str(ROOT / "corpus")]
    )
    assert refused.exit_code != 0 and "corpus/" in refused.output


def test_at_least_30_percent_are_messy_and_every_messy_layout_appears(archive: Path) -> None:
    files = manifest(archive)["files"].values()
    messy = [f for f in files if f["messy"]]
    assert len(messy) >= 0.3 * len(files)
    assert {f["style"] for f in messy} == set(MESSY_STYLES)
    assert all(f["format"] == "txt" for f in messy)


# One mark per messy layout that a parser written for the seed styles would trip over.
MESSY_MARKS = {
    "transcript": r"Storlek: px\nStarta visningen från sidan:[\s\S]*^1 [A-ZÅÄÖ]",
    "runtogether": r"\A[^\n]+ \d+ [A-ZÅÄÖ][^\n]+ Sida 1 av \d+ Justerandes signatur ",
    "prefixed": r"^(KS|Ks|AU|KSAU|RS|FS|DIR|PU) \d+ [A-ZÅÄÖ]",
    "agenda": r"^(Kallelse|Föredragningslista)[\s\S]*^1\. .+ \d+$",
    "portal": r"^\d{1,2}:\d\d\n\(\d+ min\)$",
    "news": r"^– [A-ZÅÄÖ]",
}


@pytest.mark.parametrize("style", sorted(MESSY_STYLES))
def test_each_messy_layout_shows_its_damage(archive: Path, style: str) -> None:
    checked = glued = 0
    for rel, meta in manifest(archive)["files"].items():
        if meta["style"] != style:
            continue
        text = extract_text((archive / rel).read_bytes(), rel).text
        assert "§" not in text, rel  # none of these layouts keeps a paragraph sign
        if style == "noitems":
            assert meta["items"] == 0 and not re.search(r"^\d+\. ", text, flags=re.MULTILINE)
        else:
            assert re.search(MESSY_MARKS[style], text, flags=re.MULTILINE), rel
        if style == "agenda":
            assert "beslutar" not in text  # proposals only
        glued += bool(re.search(r"^[2-9] \d+ [A-ZÅÄÖ]", text, flags=re.MULTILINE))  # "2 117 Budget"
        checked += 1
    assert checked >= 3
    assert glued > 0 or style != "transcript"
