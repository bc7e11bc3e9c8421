"""A per-query cost budget, enforced inside the search (issue 14).

Four clients sending 20 random long words or very long compounds held a worker for 8–11 s per
query and pushed a simple query's p95 from 37 to 452 ms. Two limits, both checked where the
work happens rather than guessed from the query text:

* **time and postings**: ``Postings`` charges every posting list it decodes; past
  ``MAX_POSTINGS`` lists or ``QUERY_SECONDS`` the search stops with ``BudgetSpent`` and answers
  with what it has and a Swedish note that the answer was cut short. Spelling suggestions, the
  other unbounded step (an edit-distance walk of the lexicon per word), run only while time is
  left.
* **one heavy query at a time per process**: a query whose text holds more than
  ``HEAVY_TERMS`` terms waits for ``_heavy`` (the wait counts against its own time), so
  expensive queries queue behind each other instead of taking every thread's share of the
  interpreter from the simple ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

QUERY_SECONDS = 2.0  # work per query; with queueing every answer comes within LIMIT_SECONDS
LIMIT_SECONDS = 5.0  # the promise in README and RELIABILITY.md
MAX_POSTINGS = 600  # posting lists decoded per query (a simple query reads under 20)
HEAVY_TERMS = 12  # more terms than this: a heavy query
_heavy = threading.BoundedSemaphore(1)


class BudgetSpent(Exception):
    """Internal: the query used its budget (caught in ``SearchService``, never shown)."""


class QueryBudget:
    def __init__(self, seconds: float | None = None, max_postings: int | None = None) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + (QUERY_SECONDS if seconds is None else seconds)
        self.postings_left = MAX_POSTINGS if max_postings is None else max_postings
        self.spent = False

    def left(self) -> bool:
        return not self.spent and time.monotonic() < self.deadline

    def charge(self, postings: int = 1) -> None:
        """Count decoded posting lists; raise ``BudgetSpent`` when the budget is gone."""
        self.postings_left -= postings
        if self.postings_left < 0 or time.monotonic() >= self.deadline:
            self.spent = True
            raise BudgetSpent

    @contextmanager
    def turn(self, heavy: bool) -> Iterator[None]:
        """Wait for the heavy-query slot (if heavy) within the hard limit."""
        if not heavy:
            yield
            return
        waited = _heavy.acquire(timeout=max(0.0, LIMIT_SECONDS - QUERY_SECONDS - 0.5))
        if not waited:
            self.spent = True
            raise BudgetSpent
        try:
            self.deadline = time.monotonic() + QUERY_SECONDS  # waiting is not working
            yield
        finally:
            _heavy.release()


def cut_short_message() -> str:
    return (
        "Sökningen avbröts: frågan var för kostsam att besvara helt inom "
        f"{QUERY_SECONDS:.0f} sekunder, så svaret är ofullständigt. Förenkla frågan "
        "(färre eller kortare ord) för ett fullständigt svar."
    )
