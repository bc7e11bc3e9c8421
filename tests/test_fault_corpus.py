"""Indexing a generated corpus of broken and hostile files: it finishes, keeps every good file,
reports every bad one with a reason, stays within a memory bound and exits with status 1.

The corpus comes from ``tests/reliability/faultcorpus.py`` (seeded); the long variant with a
200 MB file runs from ``scripts/reliability``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reliability.faultcorpus import (
    ACCEPT,
    REJECT,
    FaultCorpus,
    add_special_faults,
    build_fault_corpus,
)
from reliability.harness import (
    Run,
    index_command,
    indexed_sources,
    item_ids,
    record,
    run_measured,
)

from indexer.index import BuildReport, build_index

# Peak RSS of the whole `protokoll index` process tree (main process + parse workers). The
# largest file the pipeline reads is MAX_FILE_BYTES (64 MB); bytes, decoded text and the Whoosh
# writer's pool (256 MB) must all fit. Stated in README.md and RELIABILITY.md.
MEMORY_BOUND_MB = 768
EXIT_SOME_FAILED = 1
TIMEOUT_S = 120
ISSUE_FAULT_KINDS = {  # every family issue 7 names, by the kind the builder gives it
    "empty",
    "binary-txt",
    "truncated-pdf",
    "encrypted-pdf",
    "image-only-pdf",
    "junk-zip-docx",
    "deep-html",
    "oversized",
    "mixed-encoding",
    "nul-bytes",
    "hostile-name",
    "symlink-loop",
    "removed-while-indexing",
    "no-permission",
    "no-permission-root",
}


def normalise(path: str, root: Path) -> str:
    """The walker reports unreadable folders by full path, files by corpus-relative path."""
    p = Path(path)
    if p.is_absolute() or path.startswith(str(root)):
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return path
    return path


class FaultRun:
    """One fault corpus indexed twice: in-process (to delete a file mid-run) and via the CLI."""

    def __init__(self, base: Path) -> None:
        self.corpus: FaultCorpus = build_fault_corpus(base / "korpus", seed=7)
        self.index_a, self.index_b = base / "index-a", base / "index-b"
        self.deleted: list[str] = []
        self.report: BuildReport = build_index(
            self.corpus.root, self.index_a, workers=1, progress=self._delete_vanishing
        )
        self.run: Run = run_measured(
            index_command(self.corpus.root, self.index_b, "--workers", "2"), timeout=TIMEOUT_S
        )

    def _delete_vanishing(self, done: int, total: int, source: str) -> None:
        """First progress call: the vanishing file (sorted last) has been listed, not read."""
        if not self.deleted:
            (self.corpus.root / self.corpus.vanishing).unlink()
            self.deleted.append(self.corpus.vanishing)

    @property
    def failed(self) -> dict[str, str]:
        return {normalise(p, self.corpus.root): r for p, r in self.report.failed}


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    return FaultRun(tmp_path_factory.mktemp("faults"))


def test_corpus_is_large_and_covers_every_fault_family(fault_run: FaultRun) -> None:
    corpus = fault_run.corpus
    assert corpus.bad_count >= 60
    assert len(corpus.good) >= 40
    assert ISSUE_FAULT_KINDS - {"no-permission", "no-permission-root"} <= {
        f.kind for f in corpus.faults
    }
    assert {"no-permission", "no-permission-root"} & {f.kind for f in corpus.faults}


def test_every_good_and_salvageable_file_is_indexed(fault_run: FaultRun) -> None:
    indexed = indexed_sources(fault_run.index_a)
    missing = sorted(fault_run.corpus.must_index - indexed)
    reasons = {m: fault_run.failed.get(m, "inte rapporterad") for m in missing}
    assert not missing, reasons


def test_every_bad_file_is_reported_with_a_reason(fault_run: FaultRun) -> None:
    failed = fault_run.failed
    must_fail = fault_run.corpus.expected(REJECT)
    assert not sorted(must_fail - set(failed)), "inte rapporterade"
    assert all(reason.strip() for reason in failed.values())
    assert fault_run.corpus.loop_dir in failed, failed.keys()
    assert fault_run.deleted == [fault_run.corpus.vanishing]


def test_nothing_is_silently_dropped_or_counted_twice(fault_run: FaultRun) -> None:
    indexed = indexed_sources(fault_run.index_a)
    failed = set(fault_run.failed)
    corpus = fault_run.corpus
    assert not indexed & failed, "både indexerad och rapporterad"
    assert not sorted(corpus.tried - indexed - failed), "varken indexerad eller rapporterad"
    assert not sorted(indexed - corpus.tried), "indexerad men okänd"
    ids = item_ids(fault_run.index_a)
    assert len(ids) == len(set(ids))


def test_cli_finishes_with_documented_status_and_lists_failures(fault_run: FaultRun) -> None:
    run, corpus = fault_run.run, fault_run.corpus
    expected_failed = len(fault_run.failed) - 1  # the vanishing file is gone before this run
    indexed = indexed_sources(fault_run.index_b) if run.returncode is not None else set()
    record(
        "fault_corpus",
        files_tried=len(corpus.tried) - 1,
        good_files=len(corpus.good),
        bad_files=corpus.bad_count - 1,
        indexed=len(indexed),
        rejected=run.stdout.count("\n    "),
        exit_code=run.returncode,
        seconds=round(run.seconds, 1),
        peak_rss_mb=round(run.peak_rss_mb, 1),
        memory_bound_mb=MEMORY_BOUND_MB,
        root_reads_mode_000=any(f.kind == "no-permission-root" for f in corpus.faults),
    )
    assert run.returncode == EXIT_SOME_FAILED, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr
    assert f"misslyckade:  {expected_failed}" in run.stdout, run.stdout[:800]
    assert corpus.must_index - {corpus.vanishing} <= indexed


def test_peak_memory_is_bounded(fault_run: FaultRun) -> None:
    assert 0 < fault_run.run.peak_rss_mb < MEMORY_BOUND_MB


def test_mode_000_file_follows_what_the_os_allows(fault_run: FaultRun) -> None:
    """As root, chmod 000 is still readable: then the file must be indexed, not reported."""
    fault = next(f for f in fault_run.corpus.faults if f.kind.startswith("no-permission"))
    root_reads = os.geteuid() == 0
    assert fault.expect == (ACCEPT if root_reads else REJECT)
    assert (fault.source in indexed_sources(fault_run.index_a)) is root_reads


def _special_corpus(base: Path, kind: str) -> tuple[FaultCorpus, Run]:
    corpus = FaultCorpus(base / "korpus")
    (corpus.root / "kopior").mkdir(parents=True)
    for src in sorted((Path(__file__).parent.parent / "corpus").glob("*-*.*")):
        (corpus.root / "kopior" / src.name).write_bytes(src.read_bytes())
        corpus.good.append(f"kopior/{src.name}")
    add_special_faults(corpus, seed=3, kinds=(kind,))
    run = run_measured(index_command(corpus.root, base / "index"), timeout=TIMEOUT_S)
    return corpus, run


def test_fifo_named_txt_is_reported_without_hanging(tmp_path: Path) -> None:
    """A FIFO blocks a plain read forever, and unlike mode 000 it fails for root too."""
    corpus, run = _special_corpus(tmp_path, "fifo")
    assert run.returncode is not None, f"indexeringen hängde sig på en FIFO och dödades efter {TIMEOUT_S} s"
    assert run.returncode == EXIT_SOME_FAILED, run.stdout[-1500:] + run.stderr[-1500:]
    assert "fifo-ror.txt:" in run.stdout
    assert set(corpus.good) <= indexed_sources(tmp_path / "index")


def test_undecodable_file_name_does_not_abort_the_run(tmp_path: Path) -> None:
    """A name that is not valid UTF-8 may be indexed or reported, but the rest must go on."""
    corpus, run = _special_corpus(tmp_path, "non-utf8-name")
    assert run.returncode in (0, EXIT_SOME_FAILED), run.stderr[-1500:]
    assert "Oväntat fel" not in run.stdout + run.stderr, run.stderr[-1500:]
    indexed = indexed_sources(tmp_path / "index")
    assert set(corpus.good) <= indexed
    assert "ogiltig-utf8" in run.stdout or any("ogiltig-utf8" in s for s in indexed)
