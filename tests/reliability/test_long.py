"""The long scenarios: a 200 MB file in the fault corpus, 24 seeded SIGKILL trials, and 16
clients for 60 s against ``protokoll serve``. Skipped unless ``PROTOKOLL_LONG=1``; run them
with ``scripts/reliability`` (under 10 minutes on 2 cores), which also writes RELIABILITY.md."""

from __future__ import annotations

import pytest

from reliability.crash import KillTrials
from reliability.faultcorpus import REJECT, build_fault_corpus
from reliability.harness import (
    index_command,
    indexed_sources,
    item_ids,
    live_server,
    long_mode,
    record,
    run_measured,
)
from reliability.load import query_mix, warm_and_load
from reliability.webindex import build_web_index, sample_ids

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not long_mode(), reason="lång körning: sätt PROTOKOLL_LONG=1 (scripts/reliability)"
    ),
]
BIG_FILE_MB = 200
KILL_TRIALS = 24
LOAD_CLIENTS, LOAD_SECONDS = 16, 60.0
MEMORY_BOUND_MB = 768  # the same bound as the fast fault-corpus test


def test_fault_corpus_with_a_200_mb_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    corpus = build_fault_corpus(
        tmp_path / "korpus", seed=70, big_bytes=BIG_FILE_MB << 20, generated=200
    )
    (corpus.root / corpus.vanishing).unlink()  # only the in-process fast test can time that
    run = run_measured(
        index_command(corpus.root, tmp_path / "index", "--workers", "2"), timeout=300
    )
    indexed = indexed_sources(tmp_path / "index") if run.returncode is not None else set()
    rejected = run.stdout.count("\n    ")
    record(
        "fault_corpus_long",
        files_tried=len(corpus.tried) - 1,
        good_files=len(corpus.good),
        bad_files=corpus.bad_count - 1,
        indexed=len(indexed),
        rejected=rejected,
        big_file_mb=BIG_FILE_MB,
        exit_code=run.returncode,
        seconds=round(run.seconds, 1),
        peak_rss_mb=round(run.peak_rss_mb, 1),
        memory_bound_mb=MEMORY_BOUND_MB,
    )
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    assert not sorted(corpus.must_index - {corpus.vanishing} - indexed)
    assert "jattestor.txt:" in run.stdout
    for fault in corpus.faults:
        if fault.expect == REJECT and fault.source != corpus.vanishing:
            assert f"{fault.source}:" in run.stdout, fault
    ids = item_ids(tmp_path / "index")
    assert len(ids) == len(set(ids))
    assert run.peak_rss_mb < MEMORY_BOUND_MB


def test_many_sigkill_trials(tmp_path) -> None:  # type: ignore[no-untyped-def]
    trials = KillTrials(tmp_path, meetings=24, seed=2024)
    report = trials.run(KILL_TRIALS)
    record(
        "kill_trials",
        **{**report.counts(), "problems": report.problems[:10]},
        full_run_s=round(trials.full_run_s, 1),
        expected_items=sum(trials.expected_ids.values()),
        delays_s=report.delays,
    )
    assert report.problems == []
    assert report.survived == report.trials >= 20


def test_sixteen_clients_for_sixty_seconds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    index, corpus = build_web_index(tmp_path, meetings=300)
    paths = query_mix(sample_ids(index), seed=99, size=2000)
    with live_server(index, corpus, threads=8) as url:
        warm, result = warm_and_load(url, paths, clients=LOAD_CLIENTS, seconds=LOAD_SECONDS)
    summary = result.summary()
    record(
        "load_long", **summary, warmup_requests=warm.requests, meetings=300 + 5, server_threads=8
    )
    assert warm.server_errors == warm.connection_errors == 0, warm.error_samples[:5]
    assert result.server_errors == 0, result.error_samples[:5]
    assert result.connection_errors == 0, result.error_samples[:5]
    assert result.requests > 0
