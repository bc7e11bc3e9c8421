"""Seeded SIGKILL trials against ``protokoll index``.

Each trial starts from a copy of the same finished index (state *before*), changes the corpus
to state *after* (new, changed and deleted files), starts the indexer as a child process and
kills it with SIGKILL after a seeded random delay. Then:

1. the index still opens and every fixed query returns exactly the *before* answer, or exactly
   the *after* answer if the kill came after the commit: never a mixture, never an error;
2. no parse worker outlives the killed indexer (it would hold the lock), and a re-run
   completes and the index holds exactly the item ids of a clean build of *after*: nothing
   lost, nothing twice.

Trials alternate between incremental runs and ``--rebuild`` (a new generation that only
becomes live through the atomic ``CURRENT`` switch).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from reliability.harness import index_command, item_ids

QUERIES = (
    "budget",
    "kommun",
    "beslut",
    "samverkan",
    "avfall OR skola",
    '"e-tjänster"',
    "närings*",
    "INTE budget",
    "",
)
ORPHAN_GRACE_S = 1.5
Snapshot = dict[str, tuple[int, tuple[str, ...]]]


def snapshot(index_dir: Path) -> Snapshot:
    """Total and matched item ids of every fixed query, from a fresh service (a new reader).

    Ids are compared as sets: BM25 statistics of an incrementally updated index legitimately
    differ from a clean build's, so rank order is not part of "the same results".
    """
    from indexer.query import MAX_PAGE_SIZE, SearchRequest
    from indexer.search import SearchService

    service = SearchService(index_dir)
    try:
        out: Snapshot = {}
        for q in QUERIES:
            ids: list[str] = []
            page, total = 1, 1
            while len(ids) < total:
                args = {"q": q, "per_sida": str(MAX_PAGE_SIZE), "sida": str(page)}
                result = service.search(SearchRequest.from_args(args))
                total, page = result.total, page + 1
                ids += [h.item_id for h in result.hits]
                if not result.hits:
                    break
            out[q] = (total, tuple(sorted(ids)))
        return out
    finally:
        service.close()


@dataclass
class TrialReport:
    trials: int = 0
    survived: int = 0  # every check below passed
    index_intact: int = 0  # old or new answers after the kill, and exact ids after the re-run
    orphaned_workers: int = 0  # trials where parse workers outlived the killed indexer
    killed_before_commit: int = 0
    killed_after_commit: int = 0
    finished_before_kill: int = 0
    delays: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, object]:
        """The numbers RELIABILITY.md reports, in one place for the fast and the long run."""
        return {
            "trials": self.trials,
            "survived": self.survived,
            "index_intact": self.index_intact,
            "orphaned_workers": self.orphaned_workers,
            "killed_before_commit": self.killed_before_commit,
            "killed_after_commit": self.killed_after_commit,
            "finished_before_kill": self.finished_before_kill,
            "problems": self.problems,
        }


class KillTrials:
    """Prepares *before*/*after* corpora and a pristine *before* index once, then runs trials."""

    def __init__(self, base: Path, *, meetings: int, seed: int) -> None:
        from benchmark.generate import generate
        from indexer.index import build_index

        self.base, self.seed = base, seed
        self.corpus = base / "korpus"
        generate(meetings, self.corpus, seed=seed)
        (self.corpus / "manifest.json").unlink()
        self.pristine = base / "index-fore"
        build_index(self.corpus, self.pristine, workers=1)
        self.before = snapshot(self.pristine)
        self._change_corpus(random.Random(seed))
        reference = base / "index-facit"
        build_index(self.corpus, reference, workers=1)
        self.after = snapshot(reference)
        self.expected_ids = Counter(item_ids(reference))
        # The shortest of two runs: a single timing taken while the machine was briefly busy
        # spread the kill moments past the end of most runs, and no trial was killed mid-run.
        self.run_s = {mode: min(self._timed_run(mode), self._timed_run(mode)) for mode in (False, True)}
        self.full_run_s = self.run_s[True]

    def _change_corpus(self, rng: random.Random) -> None:
        """State *after*: a fresh batch of generated files, some edits, some deletions."""
        from benchmark.generate import generate

        files = sorted(p for p in self.corpus.rglob("*") if p.suffix in {".txt", ".md"})
        for path in rng.sample(files, max(1, len(files) // 10)):
            path.unlink()
        for path in rng.sample([p for p in files if p.exists()], max(1, len(files) // 10)):
            with open(path, "ab") as fh:  # bytes and ASCII: generated files may be cp1252
                fh.write(b"\nTillagg: avfall och skola.\n")
        extra = self.base / "nya"
        generate(max(4, len(files) // 2), extra, seed=self.seed + 1000)
        (extra / "manifest.json").unlink()
        shutil.copytree(extra, self.corpus / "nya")

    def _timed_run(self, rebuild: bool) -> float:
        """How long an unkilled run takes, so kill moments can be spread over its whole span."""
        target = self.base / f"index-tid-{int(rebuild)}"
        shutil.copytree(self.pristine, target)
        extra = ("--rebuild",) if rebuild else ()
        started = time.perf_counter()
        subprocess.run(index_command(self.corpus, target, *extra), capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        shutil.rmtree(target, ignore_errors=True)
        return elapsed

    def run(self, trials: int) -> TrialReport:
        rng = random.Random(self.seed)
        report = TrialReport()
        for n in range(trials):
            rebuild = n % 2 == 1
            # The first trial kills in the first half of a run, so at least one kill lands mid-run
            # even when this run is faster than the timed ones; the rest spread over the whole run.
            span = self.run_s[rebuild] * (0.5 if n == 0 else 0.95)
            delay = rng.uniform(0.05, span)
            self._one(n, delay, rebuild=rebuild, report=report)
        return report

    def _one(self, n: int, delay: float, *, rebuild: bool, report: TrialReport) -> None:
        index_dir = self.base / f"index-{n:03d}"
        shutil.copytree(self.pristine, index_dir)
        extra = ("--rebuild",) if rebuild else ()
        proc = subprocess.Popen(
            index_command(self.corpus, index_dir, *extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)  # the indexer only, as `kill -9 PID` would
        proc.wait()
        report.trials += 1
        report.delays.append(round(delay, 2))
        no_orphans = self._no_orphans(n, proc.pid, report)
        intact = self._check_after_kill(n, index_dir, finished, report)
        intact = self._check_rerun(n, index_dir, report) and intact
        report.orphaned_workers += not no_orphans
        report.index_intact += intact
        report.survived += intact and no_orphans
        shutil.rmtree(index_dir, ignore_errors=True)

    def _no_orphans(self, n: int, group: int, report: TrialReport) -> bool:
        """Parse workers must not outlive a killed indexer: they would keep its lock forever.

        Survivors are reported, then killed (they belong to the session we started) so the
        remaining checks still say something.
        """
        deadline = time.monotonic() + ORPHAN_GRACE_S
        while True:
            orphans = _session_members(group)
            if not orphans or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if not orphans:
            return True
        report.problems.append(
            f"försök {n}: {len(orphans)} tolkningsprocesser levde kvar efter SIGKILL av "
            "indexeraren och höll indexer.lock (nästa körning skulle få IndexBusy)"
        )
        os.killpg(group, signal.SIGKILL)
        for p in orphans:
            with contextlib.suppress(psutil.Error):
                p.wait(5)
        return False

    def _check_after_kill(
        self, n: int, index_dir: Path, finished: bool, report: TrialReport
    ) -> bool:
        try:
            seen = snapshot(index_dir)
        except Exception as exc:  # noqa: BLE001 - any failure to answer is the finding
            report.problems.append(f"försök {n}: indexet svarar inte efter kill ({exc!r})")
            return False
        if finished:
            report.finished_before_kill += 1
        if seen == self.before:
            report.killed_before_commit += 1
            return True
        if seen == self.after:
            report.killed_after_commit += not finished
            return True
        wrong = [q for q in QUERIES if seen[q] not in (self.before[q], self.after[q])]
        report.problems.append(f"försök {n}: blandade svar efter kill för {wrong}")
        return False

    def _check_rerun(self, n: int, index_dir: Path, report: TrialReport) -> bool:
        done = subprocess.run(
            index_command(self.corpus, index_dir),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            report.problems.append(
                f"försök {n}: omkörning gav {done.returncode}: {done.stderr[-300:]}"
            )
            return False
        ids = Counter(item_ids(index_dir))
        if ids != self.expected_ids:
            lost = sorted(self.expected_ids - ids)[:5]
            extra = sorted(ids - self.expected_ids)[:5]
            report.problems.append(
                f"försök {n}: fel id-mängd efter omkörning; saknas {lost}, extra {extra}"
            )
            return False
        if snapshot(index_dir) != self.after:
            report.problems.append(f"försök {n}: frågorna svarar inte som facit efter omkörning")
            return False
        return True


def _session_members(session: int) -> list[psutil.Process]:
    """Live processes of the session (process group) we started for one trial."""
    members = []
    for p in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(p.pid) == session and p.status() != psutil.STATUS_ZOMBIE:
                members.append(p)
    return members
