"""A rebuild writer's postings, grouped by term in memory, in place of Whoosh's sorting pool.

Whoosh's ``SegmentWriter`` collects every posting as a tuple ``(field, term, doc, weight,
value)`` in ``whoosh.writing.PostingPool``, an external sort: past its memory limit it pickles
sorted runs to disk, and at commit it merges the runs with a heap and unpickles every posting
again. Profiled on 1 000 synthetic meetings (2.1 M postings, one spilled run), committing a
segment took 11.5 CPU-s, of which pickling, unpickling and the heap merge were about 9; at
100 000 meetings one batch's runs reached 2.7 GB on disk (BENCHMARKS.md, round 4).

A rebuild writes each document once, in order, so the postings can be kept per term as they
arrive: doc numbers, weights and value lengths in flat arrays and the values in one byte
string. Nothing is sorted but the terms, nothing spills, and the segment's field writer
(``indexer.whoosh_internals.GroupedFieldWriter``) takes each term's postings whole. The price
is memory: about 29 bytes a posting (measured), bounded by the rebuild's batch size
(``indexer.index.rebuild_batch_bytes``). Incremental writers, whose commits merge segments,
keep Whoosh's pool.

``GroupedPostings`` offers the pool methods a ``SegmentWriter`` calls (``add``,
``iter_postings``, ``cleanup``, ``fieldnames``); iterating it yields Whoosh's sorted posting
tuples, so any field writer can consume it.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(slots=True)
class TermPostings:
    """One term's postings in the order they were added."""

    ids: array  # "I": document numbers within the segment
    weights: array  # "f": float32, as Whoosh's writer keeps them
    lengths: array  # "I": length of each posting's value (0 for None)
    blob: bytearray  # the values, one after another

    def values(self) -> list[bytes]:
        """Each posting's value (empty where it had none, as Whoosh's field writer passes it)."""
        out: list[bytes] = []
        at = 0
        blob = bytes(self.blob)
        for n in self.lengths:
            out.append(blob[at:at + n])
            at += n
        return out

    def in_doc_order(self) -> TermPostings:
        """The postings sorted by document (a rebuild adds them in order: then unchanged)."""
        ids = self.ids
        if len(ids) < 2 or all(a <= b for a, b in zip(ids, ids[1:])):
            return self
        values = self.values()
        order = sorted(range(len(ids)), key=ids.__getitem__)
        lengths = array("I", (self.lengths[i] for i in order))
        blob = bytearray(b"".join(values[i] for i in order))
        return TermPostings(array("I", (ids[i] for i in order)),
                            array("f", (self.weights[i] for i in order)), lengths, blob)


class GroupedPostings:
    """The pool: field name → term bytes → ``TermPostings``."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, TermPostings]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting (Whoosh's tuple), as Whoosh's writer adds them."""
        fieldname, tbytes, docnum, weight, vbytes = item
        try:
            postings = self._fields[fieldname][tbytes]
        except KeyError:
            postings = self._new_term(self._terms_of(fieldname), tbytes)
        postings.ids.append(docnum)
        postings.weights.append(weight)
        if vbytes:
            postings.blob += vbytes
            postings.lengths.append(len(vbytes))
        else:
            postings.lengths.append(0)

    def add_positions(self, fieldname: str, docnum: int, positions: dict[str, list[int]],
                      boost: float, encode: Callable[[list[int]], bytes]) -> int:
        """One document's postings in a positional field, from term → positions (what
        ``SwedishAnalyzer.term_positions`` gives): the postings ``add`` would get from Whoosh's
        ``Positions.word_values``, weight ``count × boost`` and value ``encode(positions)``,
        without a tuple and a call per posting. Returns the field's length (positions counted
        once per term, as Whoosh counts it)."""
        terms = self._terms_of(fieldname)
        length = 0
        for term, where in positions.items():
            tbytes = term.encode("utf-8")
            postings = terms.get(tbytes)
            if postings is None:
                postings = self._new_term(terms, tbytes)
            n = len(where)
            length += n
            value = encode(where)
            postings.ids.append(docnum)
            postings.weights.append(float(n) * boost)
            postings.blob += value
            postings.lengths.append(len(value))
        return length

    def _terms_of(self, fieldname: str) -> dict[bytes, TermPostings]:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    @staticmethod
    def _new_term(terms: dict[bytes, TermPostings], tbytes: bytes) -> TermPostings:
        postings = terms[tbytes] = TermPostings(array("I"), array("f"), array("I"), bytearray())
        return postings

    def terms(self) -> Iterator[tuple[str, bytes, TermPostings]]:
        """Every term's postings, by field name, then term bytes, then document."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, terms[tbytes].in_doc_order()

    def __iter__(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname, tbytes, postings in self.terms():
            for docnum, weight, value in zip(postings.ids, postings.weights, postings.values()):
                yield fieldname, tbytes, docnum, weight, value

    def iter_postings(self) -> GroupedPostings:
        return self

    def cleanup(self) -> None:
        self._fields.clear()
