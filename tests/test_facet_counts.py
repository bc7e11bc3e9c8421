"""Facet counts of multi-valued fields: grouped into value sets (``facets.ValueSets``) they
equal a count of every value of every document."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.facets import FieldArray, ValueSets

VOCAB = [f"v{i}" for i in range(12)]


def _field(rows: list[list[int]], *, sets: bool) -> FieldArray:
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    values = np.array([c for r in rows for c in r], dtype=np.int32)
    return FieldArray(VOCAB, offsets=offsets, values_=values,
                      sets=ValueSets.of(offsets, values) if sets else None)  # fmt: skip


# Rows are sets of codes in ascending order, as the inverted postings give them; a few
# distinct sets repeated in runs (a meeting's items), empty rows anywhere, also at the end.
row = st.lists(st.integers(0, len(VOCAB) - 1), max_size=6, unique=True).map(sorted)
runs = st.lists(st.tuples(row, st.integers(1, 30)), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(runs=runs, data=st.data())
def test_counts_by_value_sets_equal_counting_every_value(runs, data) -> None:
    rows = [r for r, n in runs for _ in range(n)]
    docs = data.draw(st.lists(st.integers(0, len(rows) - 1), unique=True).map(sorted))
    expected = Counter(VOCAB[c] for d in docs for c in rows[d])
    grouped, direct = _field(rows, sets=True), _field(rows, sets=False)
    assert grouped.count(np.array(docs, dtype=np.int64)) == expected
    assert direct.count(np.array(docs, dtype=np.int64)) == expected


def test_value_sets_are_found_only_where_they_pay() -> None:
    few = [[1, 2, 3]] * 50 + [[4]] * 50 + [[]] * 5
    sets = _field(few, sets=True).sets
    assert sets is not None and sets.n_sets == 3  # {1, 2, 3}, {4} and the empty set
    distinct = [[i, 11] for i in range(11)] + [[0]]  # 12 rows, all different
    assert _field(distinct, sets=True).sets is None  # more sets than a quarter of the rows
    assert _field([[]] * 10, sets=True).sets is None  # no values at all
