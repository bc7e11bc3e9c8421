"""Ranking a result page with numpy over whole posting lists, not Whoosh's matcher tree.

Profile (BENCHMARKS.md, profile 4): on the 10 000-meeting index Whoosh's top-N pass
(``collect_matches``) was 79 % of a search — one Python call per posting per sub-matcher, and
broad words ("kommunerna", "förslaget") match half the items. Here each scored term's postings
are read as whole numpy arrays (``indexer.codec``) and its BM25F contribution is added into one score
vector; the page is an ``argpartition`` over the matched documents.

The scores are Whoosh's own: the same BM25F formula with the same ``idf`` and average field
length from the searcher, the same byte-encoded field lengths, boosts multiplied down the query
tree, And/Or as sums, and procedural items multiplied by ``PROCEDURAL_FACTOR``. Two deliberate
differences: a phrase scores as the sum of its words (Whoosh scores the phrase's own frequency),
and non-scorable fields (``kind``, facet keywords) add nothing — Whoosh adds the same constant to
every matching item, so the order is unchanged.

Whoosh's searcher keeps its default weighting and never ranks a page here; only
``tests/test_scoring.py`` asks it for scores, to check these.

Measured alternative, rejected: a single-pass collector that gathers the facet base set and the
ranked page together. It must score every match, while Whoosh's top-N collector prunes
sub-queries that cannot reach the page once it is full; ``docs_for_query`` (no scoring) plus the
top-N pass was 95 ms against 172 ms for a 9 000-item match. (Both were later replaced by the
numpy masks and score vectors of this module and ``indexer.docsets``.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from indexer.docsets import Postings
from indexer.whoosh_internals import field_length_codes

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults
# "Val av justerare" may match, but below every real item. 0.1 until the typed word form got
# more weight (queryterms.EXACT_FORM_FACTOR); then a procedural item with the exact word
# outranked a real item holding it only as a compound part, so 0.1 / EXACT_FORM_FACTOR (16).
PROCEDURAL_FACTOR = 0.1 / 16
SAMPLE_STRIDE = 64  # top_scored: the sample of scores that bounds the page's last score
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


@dataclass(frozen=True)
class ScoredTerm:
    fieldname: str
    text: str
    boost: float


def scored_terms(q: wq.Query | None, boost: float = 1.0) -> list[ScoredTerm]:
    """The leaves that contribute to a score, each with the product of the boosts above it."""
    if q is None or q is wq.NullQuery:
        return []
    boost *= q.boost
    kind = type(q)
    if kind is wq.Term:
        return [ScoredTerm(q.fieldname, q.text, boost)]
    if kind is wq.Phrase:
        return [ScoredTerm(q.fieldname, w, boost) for w in q.words]
    if kind is wq.Not:
        return []
    subs = getattr(q, "subqueries", None)
    if subs is None:
        return []  # ranges, Every: filters, not relevance
    return [t for sub in subs for t in scored_terms(sub, boost)]


class RankArrays:
    """Per-reader arrays the ranking needs: each text field's length norm and the procedural flag.

    Read eagerly (about 6 MB per field at 1.5 million items): the reader that built them is
    closed when its thread moves to a newer generation, while these arrays live on in the cache.
    The norm is BM25F's per-document denominator part, ``K1 * ((1 - B) + B * length / average
    length)``, in float32 exactly as ``score_vector`` once computed it per posting; keeping it per
    document leaves one gather per posting instead of a gather and four operations.
    """

    def __init__(self, reader: object, procedural: bytes) -> None:
        self.doc_count = reader.doc_count_all()  # type: ignore[attr-defined]
        flags = np.frombuffer(procedural, dtype=np.uint8)[: self.doc_count]
        self.procedural = np.zeros(self.doc_count, dtype=bool)
        self.procedural[: len(flags)] = flags.astype(bool)
        schema = reader.schema  # type: ignore[attr-defined]
        self._norms = {}
        for name in schema.names():
            if not schema[name].scorable:
                continue
            lengths = _BYTE_LENGTHS[field_length_codes(reader, name, self.doc_count)]
            # Whoosh's Searcher.avg_field_length: the field's total length over every document.
            avgfl = reader.field_length(name) / (self.doc_count or 1) or 1  # type: ignore[attr-defined]
            norm = K1 * ((1 - B) + B * lengths / avgfl)
            norm.setflags(write=False)
            self._norms[name] = norm

    def norms(self, fieldname: str) -> np.ndarray:
        return self._norms[fieldname]


def score_vector(postings: Postings, terms: list[ScoredTerm], arrays: RankArrays) -> np.ndarray:
    """BM25F of every document for the summed ``terms`` (zero where none occurs).

    Each term's contributions are computed over its postings only, then all terms are summed
    into one vector by a single ``bincount``: it adds in array order, so every document's sum
    runs in term order, exactly as adding term by term into a dense vector did (and 1.5–2× faster
    at 100 000 meetings, where a broad word has two million postings over its fields).
    """
    searcher = postings.searcher
    schema = searcher.schema
    doc_count = searcher.doc_count_all()
    ids_of: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    for term in _merged(terms):
        if term.fieldname not in schema or not schema[term.fieldname].scorable or term.boost == 0:
            continue
        ids, tf = postings.get(term.fieldname, term.text)
        if not len(ids):
            continue
        # Whoosh's idf (WeightingModel.idf), with the document frequency counted from the
        # postings just read (deleted documents included, as Whoosh counts them) instead of
        # one more term lookup in every segment (about 9 µs each; a rebuild writes up to 18).
        idf = math.log(doc_count / (len(ids) + 1)) + 1
        norm = arrays.norms(term.fieldname).take(ids)  # take: indexing's gather, with less overhead
        ids_of.append(ids)
        parts.append(term.boost * idf * (tf * (K1 + 1)) / (tf + norm))
    if not ids_of:
        return np.zeros(arrays.doc_count, dtype=np.float64)
    # Concatenated straight into the dtypes bincount works in: handed int32 doc numbers and
    # float32 contributions it converts them itself, slower ("kommunens" at 100 000 meetings,
    # 1.5 million postings: median 16.6 against 14.8 ms; same sums, bit for bit).
    return np.bincount(np.concatenate(ids_of, dtype=np.intp),
                       weights=np.concatenate(parts, dtype=np.float64), minlength=arrays.doc_count)


def _merged(terms: list[ScoredTerm]) -> list[ScoredTerm]:
    """One read per distinct term: repeated leaves (a word typed twice) add their boosts."""
    boosts: dict[tuple[str, str], float] = {}
    for t in terms:
        boosts[(t.fieldname, t.text)] = boosts.get((t.fieldname, t.text), 0.0) + t.boost
    return [ScoredTerm(f, x, b) for (f, x), b in boosts.items()]


def top_scored(scores: np.ndarray, matched: np.ndarray, arrays: RankArrays, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best of ``matched`` (doc numbers), highest score first, ties by doc number."""
    if not len(matched) or limit <= 0:
        return []
    s = scores.take(matched)
    s[np.flatnonzero(arrays.procedural.take(matched))] *= PROCEDURAL_FACTOR
    if len(matched) > limit * SAMPLE_STRIDE:
        # The page's last score is at least the limit-th best of every SAMPLE_STRIDE-th score
        # (those are scores of the page's rivals too), so only scores from there up compete:
        # about limit × SAMPLE_STRIDE of them. A full argpartition of a broad word's 800 000
        # scores took 8 ms at 100 000 meetings.
        sample = s[::SAMPLE_STRIDE]
        floor = np.partition(sample, len(sample) - limit)[len(sample) - limit]
        near = np.flatnonzero(s >= floor)
        matched, s = matched[near], s[near]
    if limit < len(matched):
        keep = np.argpartition(-s, limit - 1)[:limit]
        # Everything tied with the last kept score competes on doc number, like Whoosh.
        cutoff = s[keep].min()
        keep = np.flatnonzero(s >= cutoff)
        matched, s = matched[keep], s[keep]
    order = np.lexsort((matched, -s))[:limit]
    return [(int(matched[i]), float(s[i])) for i in order]


def top_by_key(keys: np.ndarray, matched: np.ndarray, limit: int, *, reverse: bool) -> list[int]:
    """The first ``limit`` of ``matched`` ordered by ``keys`` (e.g. date rank), ties by doc number."""
    if not len(matched) or limit <= 0:
        return []
    k = keys[matched]
    order = np.lexsort((matched, -k if reverse else k))[:limit]
    return [int(matched[i]) for i in order]
