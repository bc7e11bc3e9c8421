"""SIGKILL the indexer at seeded random moments: the old index keeps answering, a re-run ends
with exactly the expected items. Three trials here; ``scripts/reliability`` runs 24."""

from __future__ import annotations

import pytest
from reliability.crash import KillTrials, snapshot
from reliability.harness import item_ids, record

FAST_TRIALS = 3


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> KillTrials:
    return KillTrials(tmp_path_factory.mktemp("kill"), meetings=12, seed=11)


def test_the_scenario_changes_what_queries_answer(trials: KillTrials) -> None:
    """Otherwise "same answers as before" would prove nothing."""
    assert trials.before != trials.after
    assert all(total > 0 for total, _ in trials.after.values())
    assert len(trials.expected_ids) > 100
    assert max(trials.expected_ids.values()) == 1


def test_killed_indexer_leaves_old_or_new_index_and_rerun_is_exact(trials: KillTrials) -> None:
    report = trials.run(FAST_TRIALS)
    record("kill_trials_fast", **report.counts())
    assert report.problems == []
    assert report.survived == report.trials == FAST_TRIALS
    assert report.finished_before_kill < FAST_TRIALS, "inget försök dödades mitt i körningen"


def test_pristine_index_untouched_by_trials(trials: KillTrials) -> None:
    assert snapshot(trials.pristine) == trials.before
    ids = item_ids(trials.pristine)
    assert len(ids) == len(set(ids))
