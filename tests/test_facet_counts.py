"""Facet counts of multi-valued fields: grouped into value sets (``facets.ValueSets``) they
equal a count of every value of every document. Single-valued fields counted together
(``facets.JointCodes``) equal each counted alone."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.facets import MISSING, FieldArray, JointCodes, ValueSets

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


single = st.lists(st.integers(MISSING, 4), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(columns=st.lists(single, min_size=2, max_size=4), data=st.data())
def test_single_valued_fields_counted_together_equal_each_counted_alone(columns, data) -> None:
    """Documents without a value (``MISSING``) count nowhere; vocabularies of different sizes."""
    n = min(len(c) for c in columns)
    fields = {f"f{i}": FieldArray(VOCAB[: 5 + i], codes=np.array(c[:n], dtype=np.int32))
              for i, c in enumerate(columns)}
    joint = JointCodes.of(fields)
    assert joint is not None and joint.names == tuple(fields)
    docs = np.array(data.draw(st.lists(st.integers(0, n - 1), unique=True).map(sorted)), dtype=np.int64)
    together = joint.counts(docs)
    for name, fa in fields.items():
        expected = Counter(fa.vocab[c] for c in fa.codes[docs].tolist() if c != MISSING)
        assert fa.counter(together[name]) == expected == fa.count(docs)


def test_fields_join_only_while_the_table_stays_small() -> None:
    big = FieldArray([f"v{i}" for i in range(2000)], codes=np.zeros(3, dtype=np.int32))
    small = FieldArray(VOCAB, codes=np.zeros(3, dtype=np.int32))
    multi = FieldArray(VOCAB, offsets=np.zeros(4, dtype=np.int64), values_=np.zeros(0, dtype=np.int32))
    joint = JointCodes.of({"a": big, "b": big, "c": small, "m": multi})
    assert joint is not None and joint.names == ("a", "c")  # b would pass 2²⁰ cells; m is multi
    assert int(np.prod(joint.sizes)) <= JointCodes.MAX_CELLS
    assert JointCodes.of({"a": big, "m": multi}) is None  # one field: nothing to join
