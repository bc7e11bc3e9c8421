"""Which documents a query matches, as numpy boolean masks over the reader's doc numbers.

Profile 4 (BENCHMARKS.md): after ranking moved to numpy, building Python ``set``s of doc
numbers was 75 % of a search — every item query includes ``kind:item`` (every item in the index)
and broad words match half of it — and Whoosh's span matcher answered phrases one posting at a
time. Here Term, Or, And/Not, ranges, Every and Phrase are evaluated with whole-array operations:
a mask of ``doc_count_all`` booleans costs 1.5 MB at 1.5 million items and an AND is one ``&``.

One ``Postings`` per search reads each term's posting list once, so the matching pass and the
ranking pass (``indexer.scoring``) share the decoding.
Deleted documents are removed once, at the end, by ``Postings.live``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from whoosh import query as wq

from indexer.codec import Record
from indexer.whoosh_internals import term_leaves, term_positions, term_postings

from indexer.budget import QueryBudget
from indexer.lru import Lru

_EMPTY_TF = np.zeros(0, dtype=np.float32)
QUERY_KEY = "\x00query"  # cache keys of whole-query answers; no field is named like this
MAX_COMPARES = 3  # values of one coded field compared one by one before a lookup table pays


PostingList = tuple[np.ndarray, np.ndarray]  # (doc numbers int32, term frequencies float32)


class PostingCache(Lru[tuple[str, str], PostingList]):
    """Decoded posting lists of one reader generation, least recently used out first.

    Reading a term from our posting format (``indexer.codec``) is an array slice and a cumsum
    per segment, about 50 ns per posting, plus Whoosh's term lookup per segment; the decoded
    arrays (8 bytes per posting) are still kept up to ``max_bytes`` because users repeat the
    same words and a ``whoosh3`` segment (an index not yet rebuilt) costs 30 times more. A list
    over a quarter of that is not kept: one giant list must not flush everything else.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, cost=_nbytes, max_item=max_bytes // 4)

    def put(self, key: tuple[str, str], value: PostingList) -> None:
        for array in value:
            array.setflags(write=False)  # shared between threads and searches
        super().put(key, value)


def _nbytes(value: PostingList) -> int:
    return value[0].nbytes + value[1].nbytes


class Postings:
    """Decoded posting lists of one reader, memoised for the duration of one search."""

    def __init__(
        self, searcher: Any, cache: PostingCache | None = None, budget: QueryBudget | None = None,
        sorted_codes: Callable[[str], tuple[Sequence[str], np.ndarray] | None] | None = None,
    ) -> None:
        self.searcher = searcher
        self.budget = budget  # charged per posting list decoded (``indexer.budget``)
        # field → (its values in term order, each document's value index or -1): a range over
        # such a field is two binary searches and one comparison per document (``range_mask``).
        self.sorted_codes = sorted_codes
        self.reader = searcher.reader()
        self.doc_count = self.reader.doc_count_all()
        self._cache = cache
        self._memo: dict[tuple[str, str], PostingList] = {}
        self._records: dict[tuple[str, str], list[tuple[Any, int]]] = {}  # for term_positions
        self._live: np.ndarray | None = None

    def get(self, fieldname: str, text: str, *, phrase_word: bool = False) -> PostingList:
        """(doc numbers, term frequencies) of one term over all segments, deleted ones included.

        A ``phrase_word``'s decoded records are kept for the rest of the search (``records``):
        its positions are read next. Other terms' are not: keeping every record of a broad
        query (its doc numbers decoded as int64) cost the web server about 8 % more CPU a page
        at 100 000 meetings."""
        key = (fieldname, text)
        found = self._memo.get(key)
        if found is None and self._cache is not None:
            found = self._cache.get(key)
        if found is None:
            if self.budget is not None:
                self.budget.charge()
            leaves = term_leaves(self.reader, fieldname, text)
            found = term_postings(self.reader, fieldname, text, leaves)
            if phrase_word and all(type(m) is Record for m, _ in leaves):
                self._records[key] = leaves
            if self._cache is not None:
                self._cache.put(key, found)
        self._memo[key] = found
        return found

    def records(self, fieldname: str, text: str) -> list[tuple[Any, int]] | None:
        """The term's per-segment records if this search decoded them (``get``), so that its
        positions come from the same records (``term_positions``)."""
        return self._records.get((fieldname, text))

    def matches(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """The live documents ``q`` matches: as a mask, and as their doc numbers (int32,
        ascending), remembered per query in the cache.

        Paging, sorting and clicking a facet re-run the same text query, and a phrase over a
        million items costs seconds of position decoding (profile 6 in BENCHMARKS.md); the
        answer is kept as its doc numbers (4 bytes per match) beside the posting lists. The
        caller gets both forms because it needs both: finding a mask's doc numbers is a pass
        over the whole index (about 1 ms at 1.5 million items), which a search made three times.
        """
        key = (QUERY_KEY, repr(q))
        found = self._cache.get(key) if self._cache is not None else None
        if found is not None:
            return self.mask(found[0]), found[0]
        mask = doc_mask(self, q) & self.live()
        ids = np.flatnonzero(mask).astype(np.int32)
        ids.setflags(write=False)
        if self._cache is not None:
            self._cache.put(key, (ids, _EMPTY_TF))
        return mask, ids

    def mask(self, ids: np.ndarray) -> np.ndarray:
        out = np.zeros(self.doc_count, dtype=bool)
        out[ids] = True
        return out

    def live(self) -> np.ndarray:
        """False for deleted documents (a re-indexed meeting's old items)."""
        if self._live is None:
            live = np.ones(self.doc_count, dtype=bool)
            if self.reader.has_deletions():
                for sub, offset in self.reader.leaf_readers():
                    deleted = np.fromiter(getattr(sub, "deleted_docs_set", ()), dtype=np.int64)
                    live[deleted + offset] = False
            self._live = live
        return self._live


def doc_mask(postings: Postings, q: wq.Query, skip: np.ndarray | None = None) -> np.ndarray:
    """The documents ``q`` matches (deleted ones included: AND the result with ``live()``).

    ``skip`` marks documents the caller already has (an OR's earlier branches): the answer is
    exact outside ``skip`` and may be anything inside it, which lets a phrase leave those
    documents' positions undecoded. Exactness outside ``skip`` holds for every node kind, so
    the caller's union stays exact.
    """
    kind = type(q)
    if q is wq.NullQuery:
        return np.zeros(postings.doc_count, dtype=bool)
    if kind is wq.Term:
        coded = _coded_mask(postings, q.fieldname, [q.text])
        return coded if coded is not None else postings.mask(postings.get(q.fieldname, q.text)[0])
    if kind is wq.Or and not q.minmatch:
        return _or_mask(postings, q.subqueries, skip)
    if kind is wq.And:
        return _and_mask(postings, q.subqueries, skip)
    if kind is wq.Not:
        return ~doc_mask(postings, q.query, skip)
    if kind is wq.Phrase:
        return phrase_mask(postings, q.fieldname, list(q.words), q.slop, skip)
    if kind is wq.TermRange and postings.sorted_codes is not None:
        column = postings.sorted_codes(q.fieldname)
        if column is not None:
            return range_mask(q, *column)
    if kind in (wq.TermRange, wq.NumericRange):
        return doc_mask(postings, q.simplify(postings.reader))
    if kind is wq.Every and not q.fieldname:
        return np.ones(postings.doc_count, dtype=bool)
    return postings.mask(np.fromiter(postings.searcher.docs_for_query(q), dtype=np.int64))


def range_mask(q: wq.TermRange, vocab: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """The documents whose single value (``codes`` index ``vocab``, sorted as the terms are, -1
    when absent) lies in the range. Whoosh's own evaluation expands the range into one term per
    value and looks each up in every segment: ``år:2004..2008`` at 10 000 meetings was 1 200
    dates × 19 segments, 130 ms for a query that found nothing."""
    lo = 0 if q.start is None else (bisect_right if q.startexcl else bisect_left)(vocab, q.start)
    hi = len(vocab) if q.end is None else (bisect_left if q.endexcl else bisect_right)(vocab, q.end)
    return (codes >= lo) & (codes < hi)


def _or_mask(postings: Postings, subqueries: list[wq.Query], skip: np.ndarray | None) -> np.ndarray:
    """Cheap branches first, then phrases broadest first: a strict phrase (exact forms) then
    only checks documents its loose twin (stems) did not already match — usually none.

    ORs nested in this one are opened (``_or_branches``): a word is an OR per field of ORs of
    its forms, and each nested OR built a mask of the whole index only to add it to this one.
    """
    out = np.zeros(postings.doc_count, dtype=bool)
    branches = _or_branches(subqueries)
    coded = _coded_terms(postings, branches)
    for field, texts in coded.items():
        found = _coded_mask(postings, field, texts)
        assert found is not None  # the field has codes: that is how it was grouped
        out |= found
    for sub in sorted(branches, key=lambda s: _phrase_cost(postings, s)):
        if type(sub) is wq.Term:  # set its documents directly: no mask of the whole index per term
            if sub.fieldname not in coded:
                out[postings.get(sub.fieldname, sub.text)[0]] = True
            continue
        out |= doc_mask(postings, sub, out if skip is None else out | skip)
    return out


def _coded_terms(postings: Postings, branches: list[wq.Query]) -> dict[str, list[str]]:
    """The term branches on fields with one value code per document, grouped by field."""
    grouped: dict[str, list[str]] = {}
    if postings.sorted_codes is None:
        return grouped
    for sub in branches:
        if type(sub) is wq.Term and postings.sorted_codes(sub.fieldname) is not None:
            grouped.setdefault(sub.fieldname, []).append(sub.text)
    return grouped


def _coded_mask(postings: Postings, fieldname: str, texts: list[str]) -> np.ndarray | None:
    """The documents whose single value of ``fieldname`` is one of ``texts``, found in the
    field's value codes (``Postings.sorted_codes``), or None when the field has none.

    A whole-index comparison: every search is limited to hits, ``kind:item OR kind:passage``,
    and setting those 1.4 million documents from their posting lists one by one cost 5.3 ms a
    search at 100 000 meetings, comparing the codes 0.45 ms.
    """
    column = postings.sorted_codes(fieldname) if postings.sorted_codes is not None else None
    if column is None:
        return None
    vocab, codes = column
    found = sorted({i for t in texts if (i := bisect_left(vocab, t)) < len(vocab) and vocab[i] == t})
    if len(found) > MAX_COMPARES:  # one lookup per document instead of many comparisons
        wanted = np.zeros(len(vocab) + 1, dtype=bool)  # the last slot, False, is code -1's
        wanted[found] = True
        return np.take(wanted, codes)
    out = np.zeros(len(codes), dtype=bool)
    for code in found:
        out |= codes == code
    return out


def _or_branches(subqueries: list[wq.Query]) -> list[wq.Query]:
    """The branches of an OR with every plain OR among them replaced by its own branches."""
    out: list[wq.Query] = []
    for sub in subqueries:
        if type(sub) is wq.Or and not sub.minmatch:
            out.extend(_or_branches(sub.subqueries))
        else:
            out.append(sub)
    return out


def _phrase_cost(postings: Postings, q: wq.Query) -> float:
    """0 for anything without a phrase; else minus the phrase's candidate estimate."""
    if type(q) is wq.Phrase:
        return -float(min(len(postings.get(q.fieldname, w, phrase_word=True)[0]) for w in q.words)) \
            if q.words else 0.0
    subs = getattr(q, "subqueries", None)
    if subs and any(type(s) is wq.Phrase for s in subs):
        return min(_phrase_cost(postings, s) for s in subs)
    return 0.0


def _and_mask(postings: Postings, subqueries: list[wq.Query], skip: np.ndarray | None) -> np.ndarray:
    positives = [s for s in subqueries if type(s) is not wq.Not]
    shared = _shared_branch(positives)
    if shared is not None:
        return _factored_mask(postings, subqueries, shared, skip)
    out = np.ones(postings.doc_count, dtype=bool)
    for sub in positives:
        out &= doc_mask(postings, sub, skip)
        if not out.any():
            return out
    for sub in subqueries:
        if type(sub) is wq.Not:
            out &= ~doc_mask(postings, sub.query, skip)
    return out


def _shared_branch(positives: list[wq.Query]) -> wq.Query | None:
    """A branch every one of several ORs holds (equal, boosts included), or None.

    A compound word is searched as ``(w OR part1) AND (w OR part2)`` (``indexer.queryterms``:
    each share of ``w`` carries part of its weight), so ``w``, with its concept phrases,
    would otherwise be matched once per part."""
    if len(positives) < 2 or any(type(p) is not wq.Or or p.minmatch for p in positives):
        return None
    for branch in positives[0].subqueries:
        if all(any(b == branch for b in p.subqueries) for p in positives[1:]):
            return branch
    return None


def _factored_mask(
    postings: Postings, subqueries: list[wq.Query], shared: wq.Query, skip: np.ndarray | None
) -> np.ndarray:
    """AND over (S OR a_i), NOT n_j  =  (S OR AND over a_i) AND NOT n_j, with S matched once."""
    common = doc_mask(postings, shared, skip)
    rest: list[wq.Query] = []
    for sub in subqueries:
        if type(sub) is wq.Not:
            continue
        others = [b for b in sub.subqueries if b != shared]
        if not others:  # an OR of S alone: the whole AND is just S
            rest = []
            break
        rest.append(others[0] if len(others) == 1 else wq.Or(others))
    out = common
    if rest:
        out = common | _and_mask(postings, rest, common if skip is None else common | skip)
    for sub in subqueries:
        if type(sub) is wq.Not:
            out &= ~doc_mask(postings, sub.query, skip)
    return out


def phrase_mask(
    postings: Postings, fieldname: str, words: list[str], slop: int = 1, skip: np.ndarray | None = None
) -> np.ndarray:
    """Documents with ``words`` in order, each 1..``slop`` positions after the previous one.

    Same rule as Whoosh's ``Phrase`` (``SpanNear2`` with ``mindist=1``), but positions are decoded
    only for documents that hold every word (found first with masks) and are not in ``skip``,
    and matched with whole-array set operations instead of a loop over documents.
    """
    candidates = np.ones(postings.doc_count, dtype=bool)
    for word in words:
        candidates &= postings.mask(postings.get(fieldname, word, phrase_word=True)[0])
    if len(words) < 2:
        return candidates
    if skip is not None:
        candidates &= ~skip
    if not candidates.any():
        return candidates
    # Each occurrence as one int64 key, doc number above position: "q is 1..slop after e in
    # the same document" becomes "key(q) - key(e) in 1..slop". The keys come sorted (document,
    # then position), so that holds exactly when q's nearest smaller key e is within slop: one
    # binary search per occurrence, where a set of reachable keys (np.unique, then np.isin)
    # cost three times as much on phrases matching a quarter of 1.5 million documents.
    ends = _position_keys(postings, fieldname, words[0], candidates)
    for word in words[1:]:
        later = _position_keys(postings, fieldname, word, candidates)
        ends = later[_within_reach(ends, later, slop)]
        if not len(ends):
            break
    out = np.zeros(postings.doc_count, dtype=bool)
    out[ends >> 32] = True
    return out


def _within_reach(ends: np.ndarray, later: np.ndarray, slop: int) -> np.ndarray:
    """For each key of ``later``: is some key of ``ends`` 1..``slop`` below it? Both sorted."""
    if not len(ends) or slop < 1:
        return np.zeros(len(later), dtype=bool)
    below = np.searchsorted(ends, later, side="left") - 1  # the largest key under each
    nearest = ends[np.maximum(below, 0)]
    return (below >= 0) & (later - nearest <= slop)


def _position_keys(postings: Postings, fieldname: str, word: str, wanted: np.ndarray) -> np.ndarray:
    records = postings.records(fieldname, word)
    docs, positions = term_positions(postings.reader, fieldname, word, wanted, records)
    return (docs << 32) | positions
