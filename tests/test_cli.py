"""`protokoll index` and `protokoll search` through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from indexer import generations as gens
from indexer.cli import EXIT_BUSY, cli
from indexer.index import index_meetings
from indexer.records import AgendaItem, Meeting

MEETING = Meeting(
    id="ur-kcg-2017-04-06", source="a.txt", sha256="x", format="txt", organisation="Umeåregionen",
    body="kommunchefsgrupp", date="2017-04-06", municipalities=("Umeå",),
    items=(
        AgendaItem("4", "Gemensam flyktingmottagning", "Flyktingmottagning <b>i</b> regionen.",
                   decisions=("Förslag tas fram.",), topics=("integration",)),
        AgendaItem("5", "Budget", "Budgeten för 2018."),
    ),
)


@pytest.fixture()
def small_index(tmp_path: Path) -> Path:
    index_meetings(tmp_path / "index", [MEETING])
    return tmp_path / "index"


def test_search_json_shape(small_index: Path):
    result = CliRunner().invoke(cli, ["search", "flykting", "--index", str(small_index), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 1 and data["suggestion"] is None
    hit = data["hits"][0]
    for key in ("meeting_id", "organisation", "body", "date", "item_number", "title", "snippet",
                "decisions", "topics", "score"):
        assert key in hit
    assert hit["item_number"] == "4" and hit["decisions"] == ["Förslag tas fram."]
    assert "&lt;b&gt;" in hit["snippet"] and "<mark>" in hit["snippet"]
    assert data["facets"]["organisation"] == {"Umeåregionen": 1}
    assert data["facets"]["beslut"] == {"ja": 1}


def test_search_readable_list_with_filters(small_index: Path):
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "budget", "--index", str(small_index), "--ar", "2017"])
    assert out.exit_code == 0, out.output
    assert "1 träff, sida 1 av 1" in out.output
    assert "Umeåregionen · kommunchefsgrupp · 2017-04-06" in out.output
    assert "5. Budget" in out.output and "*Budgeten*" in out.output
    none = runner.invoke(cli, ["search", "budget", "--index", str(small_index), "--beslut"])
    assert "0 träffar" in none.output


def test_search_suggestion_and_bad_date(small_index: Path):
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "flyktingmotagning", "--index", str(small_index)])
    assert "Menade du: flyktingmottagning?" in out.output
    bad = runner.invoke(cli, ["search", "x", "--index", str(small_index), "--fran", "igår"])
    assert bad.exit_code == 2 and "ÅÅÅÅ-MM-DD" in bad.output


def test_search_without_index_says_how_to_build_one(tmp_path: Path):
    out = CliRunner().invoke(cli, ["search", "x", "--index", str(tmp_path / "saknas")])
    assert out.exit_code == 1
    assert "Inget index i" in out.output and "protokoll index" in out.output


def test_index_dir_defaults_to_env_var(small_index: Path):
    out = CliRunner().invoke(cli, ["search", "budget", "--json"],
                             env={"PROTOKOLL_INDEX": str(small_index)})
    assert out.exit_code == 0 and json.loads(out.output)["total"] == 1


def test_index_refuses_while_another_indexer_runs(tmp_path: Path):
    with gens.writer_lock(tmp_path / "index"):
        out = CliRunner().invoke(cli, ["index", str(CORPUS), "--index", str(tmp_path / "index")])
    assert out.exit_code == EXIT_BUSY
    assert "Ett annat indexeringsjobb pågår" in out.output


def test_index_summary_and_failure_exit_status(tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "trasig.txt").write_bytes(b"")
    runner = CliRunner()
    out = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "i"), "--workers", "1"])
    assert out.exit_code == 1, out.output
    assert "tillagda:     5" in out.output and "misslyckade:  1" in out.output
    assert "trasig.txt:" in out.output
    (corpus / "trasig.txt").unlink()
    again = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "i")])
    assert again.exit_code == 0, again.output
    assert "oförändrade:  5" in again.output


def test_index_rejects_a_missing_corpus(tmp_path: Path):
    out = CliRunner().invoke(cli, ["index", str(tmp_path / "finns-inte")])
    assert out.exit_code == 2


def test_unexpected_errors_have_their_own_exit_status_and_no_traceback(tmp_path) -> None:
    from click.testing import CliRunner

    from webui.cli import cli

    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / "protokoll.toml").write_text("organisation = [", encoding="utf-8")  # broken TOML
    (corpus / "a.txt").write_text("Protokoll\n1. Mötets öppnande\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)  # a bad metadata file is reported like a bad source file
    assert "protokoll.toml" in result.output
    from indexer.cli import UnexpectedError

    assert UnexpectedError("x").exit_code == 4
