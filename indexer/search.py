"""The one search service: the CLI and the web UI both call this, and never Whoosh directly.

Thread model: one Whoosh searcher per thread (searchers are not thread-safe), checked on
every call and reopened when a new commit or a new generation in ``CURRENT`` appeared, so a
running web app follows updates and rebuilds without a restart. Facet arrays are built once per reader
generation and shared read-only (``indexer.facets``).

Bounded cost: prefix queries are expanded to at most ``MAX_EXPANSION`` terms, the query
language keeps at most 64 clauses, and ranking reads each scored term's postings once
(``indexer.scoring``); whatever is cut is said in ``SearchResult.message``.
"""

from __future__ import annotations

import gc
import math
import threading
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq

from indexer import analysis, highlight, suggest
from indexer import generations as gens
from indexer.budget import HEAVY_TERMS, BudgetSpent, QueryBudget, cut_short_message
from indexer.decompound import linking_forms
from indexer.docsets import Postings, doc_mask
from indexer.expansion import attested, bound_expansions
from indexer.facetspec import BY_PARAM, FACET_SPECS, FacetSpec
from indexer.query import FACETS, MAX_QUERY_LENGTH, SearchRequest, TrendsRequest
from indexer.querylang import CompiledQuery, compile_query
from indexer.readerstate import ReaderState, ReaderStateCache
from indexer.results import (
    Coverage,
    Facet,
    FacetValue,
    Hit,
    MeetingGroup,
    MeetingPage,
    MeetingSummary,
    SearchResult,
    TrendsResult,
)
from indexer.schema import KIND_PASSAGE, YES, hit_filter, item_filter
from indexer.scoring import score_vector, scored_terms, top_by_key, top_scored
from indexer.sharedresults import SharedResults
from indexer.tagging import topic_labels

MAX_EXPANSION = 256
FACET_LIMIT = 50
SUGGEST_BELOW = 3  # offer "Menade du …?" when fewer hits than this
# Spelling suggestions walk the lexicon once per word (edit distance 2): 92 % of the time of a
# 20-random-word query. A typo fix is for a few words a person typed, not for 20 words or a
# 60-letter compound, so those get none (issue 14).
SUGGEST_MAX_WORDS = 6
# A warm-up search: a common word, so the analysis tables, the spelling dictionary and the
# ranking arrays are all loaded; "kommun" occurs in nearly every archive of minutes.
WARM_QUERY = "kommun"
# Words analysed ahead by ``warm`` (``analysis.analyse_ahead``): the most frequent written forms
# of the biggest segment's text field. 30 000 cover nearly every word a snippet meets (the
# 100 000-meeting benchmark archive has 14 000 in all) in about a second.
WARM_WORDS = 30_000
SUGGEST_MAX_LENGTH = 24


def frequent_words(reader: Any, limit: int) -> list[str]:
    """The ``limit`` most frequent written forms (``analysis.EXACT`` terms) of the text field in
    the reader's biggest segment: a segment of thousands of items has the archive's common
    words, and reading one segment's lexicon is a twentieth of reading all of them (3 s at
    100 000 meetings)."""
    leaves = [sub for sub, _ in reader.leaf_readers() if "text" in sub.schema]
    if not leaves:
        return []
    biggest = max(leaves, key=lambda sub: sub.doc_count_all())
    prefix = analysis.EXACT.encode("utf-8")
    found = biggest.most_frequent_terms("text", limit, prefix=prefix)
    return [term[len(prefix):].decode("utf-8") for _, term in found]


class SearchService:
    def __init__(self, index_dir: str | Path, corpus_dir: str | Path | None = None,
                 shared: SharedResults | None = None) -> None:  # fmt: skip
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir) if corpus_dir else None
        # Results computed by the other worker processes of the same server (``protokoll serve``
        # passes one store to all of them); None in the CLI, the benchmark and tests.
        self.shared = shared
        self._local = threading.local()
        self._states = ReaderStateCache()
        self._lock = threading.Lock()
        # One ordinary search computes at a time in this process; the server's other threads
        # meanwhile only read requests and write answers, so a slow client still holds only its
        # own thread. A search is Python and numpy under one interpreter lock: four threads
        # taking turns at it every few milliseconds cost 17 % more CPU per page than one working
        # through it (100 000 meetings, 8 clients, 2 processes: 44 against 37 ms a page), and
        # every answer came later. Heavy queries skip this slot: they queue machine-wide for
        # their own (``budget.turn``) and pace themselves, and must not hold the others up.
        # Waiting here counts against the query's time budget, as waiting for the GIL did.
        self._computing = threading.Lock()
        self._open: list[object] = []
        self._summaries: dict[object, tuple[MeetingSummary, ...]] = {}
        gens.open_generation(self.index_dir)[1].close()  # fail early with a Swedish message

    # ------------------------------------------------------------ searcher per thread

    def _searcher(self) -> tuple[Any, ReaderState, str]:
        """This thread's searcher, reopened when a commit or a new generation appeared.

        Not ``Searcher.refresh()``: in Whoosh 2.7 it reuses segment readers by segment id, and a
        reused reader keeps its old deletion set, so replaced items showed up twice (measured:
        600 items + 10 re-indexed → 610 hits). A fresh reader only on change costs little.
        """
        gen = gens.current_generation(self.index_dir)
        local = self._local
        current = getattr(local, "searcher", None)
        same_gen = gen is not None and getattr(local, "gen", None) == gen.name
        if not same_gen or current is None or not current.up_to_date():
            # The generation actually opened: CURRENT may have switched since it was read above.
            opened, ix = gens.open_generation(self.index_dir)
            searcher = ix.searcher()
            local.gen, local.searcher = opened.name, searcher
            with self._lock:
                self._open = [s for s in self._open if s is not current] + [searcher]
            if current is not None:
                current.close()
        searcher = local.searcher
        arrays = self._states.get(local.gen, searcher.reader())
        return searcher, arrays, local.gen

    def close(self) -> None:
        with self._lock:
            opened, self._open = self._open, []
        for s in opened:
            s.close()  # type: ignore[attr-defined]
        if self.shared is not None:
            self.shared.close()  # no SQLite connection may cross ``warm``'s fork either

    def warm(self) -> None:
        """Build what a first search needs, then close every searcher this service opened.

        ``protokoll serve`` calls this in gunicorn's master before it forks the workers: the
        per-generation arrays (facets, field lengths, procedural flags), the meeting summaries
        and the analysis tables are then built once and shared copy-on-write by every worker,
        instead of each worker paying seconds for its first query and holding its own copy.
        No open Whoosh file may cross the fork (a shared file offset would mix two processes'
        reads), so the searchers are closed and the per-thread slots emptied: each worker opens
        its own readers, whose generation and segments key into the arrays built here.
        """
        self.search(SearchRequest(q=WARM_QUERY))
        linking_forms(WARM_QUERY)  # the table "skol- och kulturfrågor" needs: 45 ms at first use
        searcher, _, gen = self._searcher()
        analysis.analyse_ahead(frequent_words(searcher.reader(), WARM_WORDS))
        self._all_summaries(searcher, gen)
        self.close()
        self._local = threading.local()
        # Everything built here lives as long as the process. Frozen, it is no longer walked by
        # the garbage collector's full passes (one per benchmark query mix, landing on some
        # query: 172 ms at 100 000 meetings, 30 ms frozen) nor written to by them in a forked
        # worker, whose pages then stay shared (the fork advice of Python's ``gc.freeze``).
        gc.collect()
        gc.freeze()

    def clear_caches(self) -> None:
        """Forget every decoded posting list and finished result, keeping the arrays and tables
        ``warm`` built: the benchmark's first pass then starts where a warmed server that has
        answered nothing would, instead of with the warm-up query's words already read."""
        self._states.clear_caches()
        if self.shared is not None:
            self.shared.clear()

    # ------------------------------------------------------------ search

    def search(self, request: SearchRequest) -> SearchResult:
        """Search within a per-query budget (``indexer.budget``): past it, the answer is cut
        short (no hits, or hits in date order) and says so in ``message``."""
        started = time.perf_counter()
        searcher, arrays, _ = self._searcher()
        cached = self._remembered(arrays, request)
        if cached is not None:
            return replace(cached, elapsed_ms=(time.perf_counter() - started) * 1000)
        result = self._search_within_budget(request, searcher, arrays, started)
        if not result.cut_short:  # a cut-short answer depends on the moment's load
            self._remember(arrays, request, result)
        return result

    def _remembered(self, arrays: ReaderState, request: SearchRequest) -> SearchResult | None:
        """A finished answer to ``request`` on this generation: this process's own
        (``ResultCache``), else one another worker of the same server computed
        (``SharedResults``), which this process then keeps too."""
        found = arrays.results.get(request)
        if found is None and self.shared is not None:
            found = self.shared.get(arrays.key, request)
            if found is not None:
                arrays.results.put(request, found)
        return found

    def _remember(self, arrays: ReaderState, request: SearchRequest, result: SearchResult) -> None:
        arrays.results.put(request, result)
        if self.shared is not None:
            self.shared.put(arrays.key, request, result)

    def _search_within_budget(
        self, request: SearchRequest, searcher: Any, arrays: ReaderState, started: float
    ) -> SearchResult:
        cq = compile_query(request.q, concepts=request.concepts)
        budget = QueryBudget()
        postings = _postings(searcher, arrays, budget)
        notes = [cq.message] if cq.message else []
        text_q = self._bounded(cq.query, searcher, notes)
        heavy = text_q is not None and len({repr(q) for q in text_q.leaves()}) > HEAVY_TERMS  # distinct terms
        try:
            with budget.turn(heavy), nullcontext() if heavy else self._computing:
                return self._search(request, cq, searcher, arrays, postings, text_q, notes, started)
        except BudgetSpent:
            empty = np.zeros(postings.doc_count, dtype=bool)
            return SearchResult(
                request=request, total=0, hits=(), groups=(),
                facets=self._facets_of(request, cq, arrays, empty, _NO_DOCS, {}), page_count=0,
                suggestion=None, message=" ".join([*notes, cut_short_message()]),
                elapsed_ms=(time.perf_counter() - started) * 1000, cut_short=True,
            )

    def _search(
        self, request: SearchRequest, cq: CompiledQuery, searcher: Any, arrays: ReaderState,
        postings: Postings, text_q: wq.Query | None, notes: list[str], started: float,
    ) -> SearchResult:
        budget = postings.budget
        assert budget is not None
        shown = attested(postings, cq.related, arrays.attested)
        if shown:
            notes.append("Visar även träffar för: " + ", ".join(shown) + ".")
        filters = _filter_queries(request.filters + cq.field_filters, arrays)
        fmasks = {n: doc_mask(postings, q) for n, q in filters.items()}
        base_q = _and(_base_parts(cq, request, text_q, arrays))
        base, base_docs = postings.matches(base_q)
        if cq.matches_nothing:  # the facets must count the same (empty) set as the hits
            base, base_docs = np.zeros_like(base), _NO_DOCS
        matched_docs = _within(base, base_docs, fmasks)
        if not len(matched_docs) and cq.relaxed is not None:
            relaxed_notes: list[str] = []
            text = self._bounded(cq.relaxed, searcher, relaxed_notes)
            retry_q = _and(_base_parts(cq, request, text, arrays))
            retry, retry_docs = postings.matches(retry_q)
            retry_matched = _within(retry, retry_docs, fmasks)
            if len(retry_matched):
                base_q, base, base_docs, matched_docs = retry_q, retry, retry_docs, retry_matched
                notes += relaxed_notes
                notes.append("Inga träffar innehöll alla orden; visar träffar med något av dem.")
        ranked_q = _without_ranges(base_q) if cq.query is not None else None
        try:
            hits = self._page(postings, ranked_q, matched_docs, arrays, request, cq)
        except BudgetSpent:  # every match is known; only ranking them cost too much
            hits = self._page(postings, None, matched_docs, arrays, request, cq)
            notes.append(cut_short_message() + " Träffarna visas i datumordning.")
        suggestion = None
        words = tuple(w for w in cq.words if len(w) <= SUGGEST_MAX_LENGTH)
        if len(matched_docs) < SUGGEST_BELOW and 0 < len(words) <= SUGGEST_MAX_WORDS and budget.left():
            suggestion = suggest.suggest_query(searcher.reader(), request.q, words,
                                               within=budget.left)  # fmt: skip
        return SearchResult(
            request=request,
            total=len(matched_docs),
            hits=hits,
            groups=_groups(hits),
            facets=self._facets_of(request, cq, arrays, base, base_docs, fmasks),
            page_count=math.ceil(len(matched_docs) / request.page_size),
            suggestion=suggestion,
            message=" ".join(notes) or None,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            cut_short=budget.spent,
        )

    def _page(
        self,
        postings: Postings,
        q: wq.Query | None,
        matched: np.ndarray,
        arrays: ReaderState,
        request: SearchRequest,
        cq: CompiledQuery,
    ) -> tuple[Hit, ...]:
        """The requested page among ``matched`` (every filter already applied, as doc numbers).

        Ranked by ``indexer.scoring`` with numpy over whole posting blocks; Whoosh's own top-N
        pass was 79 % of a search on the 10 000-meeting index (BENCHMARKS.md, profile 4).
        """
        if not len(matched):
            return ()
        start = (request.page - 1) * request.page_size
        limit = start + request.page_size
        if request.sort in ("nyast", "aldst") or q is None:
            dates = arrays.field("date").codes  # lexicon order is date order
            assert dates is not None  # "date" is a single-valued facet field
            docs = top_by_key(dates, matched, limit, reverse=request.sort != "aldst")
            ranked = [(d, 0.0) for d in docs]
        else:
            scores = score_vector(postings, scored_terms(q), arrays.rank)
            ranked = top_scored(scores, matched, arrays.rank, limit)
        labels = self.topics()
        return tuple(
            _hit(postings.searcher.stored_fields(doc), score, cq, labels)
            for doc, score in ranked[start:limit]
        )

    def _bounded(self, q: wq.Query | None, searcher: Any, notes: list[str]) -> wq.Query | None:
        if q is None:
            return None
        bounded, cut = bound_expansions(q, searcher.reader(), MAX_EXPANSION)  # type: ignore[attr-defined]
        if cut:
            notes.append(
                f"Prefixet matchade väldigt många ord; bara de {MAX_EXPANSION} vanligaste söktes."
            )
        return bounded

    def _facets_of(
        self,
        request: SearchRequest,
        cq: CompiledQuery,
        arrays: ReaderState,
        base: np.ndarray,
        base_docs: np.ndarray,
        fmasks: dict[str, np.ndarray],
    ) -> tuple[Facet, ...]:
        """Each facet counted over ``base`` (a mask; ``base_docs`` its doc numbers) with every
        other facet's filter applied, but not its own."""
        selected = {(n, v) for n, v in (*request.filters, *cq.field_filters)}
        topic_labels = self.topics()
        others_of = {s.param: [m for other, m in fmasks.items() if other != s.param] for s in FACET_SPECS}
        unfiltered = [s.field for s in FACET_SPECS if not others_of[s.param]]
        over_base = arrays.count_together(unfiltered, base_docs)  # the same documents for all
        out = []
        for spec in FACET_SPECS:
            name = spec.param
            others = others_of[name]
            if others:
                counts = arrays.field(spec.field).count(np.flatnonzero(_intersect(base, others)))
            else:
                counts = over_base[spec.field]
            for n, v in selected:  # a chosen value stays visible even at zero
                if n == name and v not in counts:
                    counts[v] = 0
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            values = tuple(
                FacetValue(v, spec.value_label(v, topic_labels), c, (name, v) in selected)
                for v, c in ordered[:FACET_LIMIT]
            )
            out.append(Facet(name, spec.label, values, truncated=len(ordered) > FACET_LIMIT))
        return tuple(out)

    # ------------------------------------------------------------ meetings, trends, coverage

    def meeting(self, meeting_id: str) -> MeetingPage | None:
        from indexer.browse import meeting_page

        searcher, _, gen = self._searcher()
        return meeting_page(searcher, self._all_summaries(searcher, gen), meeting_id,
                            self.corpus_dir, self.topics())

    def meetings(self, organisation: str | None = None, year: int | None = None) -> list[MeetingSummary]:
        searcher, _, gen = self._searcher()
        found = [
            m for m in self._all_summaries(searcher, gen)
            if (organisation is None or m.organisation == organisation)
            and (year is None or (m.date or "").startswith(f"{year}-"))
        ]
        return sorted(found, key=lambda m: (m.date or "", m.id), reverse=True)

    def coverage(self) -> Coverage:
        from indexer.browse import coverage

        searcher, _, gen = self._searcher()
        return coverage(self._all_summaries(searcher, gen))

    def trends(self, request: TrendsRequest) -> TrendsResult:
        from indexer.browse import mark_gaps, trend_series

        cq = compile_query(request.q, concepts=request.concepts)
        searcher, arrays, _ = self._searcher()
        notes = [cq.message] if cq.message else []
        # Trends count agenda items, as they always have: a passage is no unit of business, and
        # header and attendance words would make every item of a body's meetings count.
        parts = [item_filter(), wq.Not(wq.Term("procedural", YES))]
        text_q = self._bounded(cq.query, searcher, notes)
        if text_q is not None:
            parts.append(text_q)
        if request.topic:
            parts.append(wq.Term("topic", request.topic))
        parts.extend(_filter_queries(request.filters + cq.field_filters, arrays).values())
        postings = _postings(searcher, arrays)
        docs = postings.matches(_and(parts))[1]
        years, series, total = trend_series(docs, arrays, request)
        series = mark_gaps(years, series, self.coverage(), request.by)
        return TrendsResult(request, years, series, total, " ".join(notes) or None)

    def marked_terms(self, q: str) -> frozenset[str]:
        """The index terms to mark on a meeting page opened from a hit for the query ``q``."""
        if not q.strip() or len(q) > MAX_QUERY_LENGTH:
            return frozenset()
        return compile_query(q).terms

    def topics(self) -> dict[str, str]:
        """Topic id → Swedish label from the taxonomy (``indexer.tagging``, cached there)."""
        return topic_labels()

    def facet_labels(self) -> dict[str, str]:
        return dict(FACETS)

    def source_file(self, meeting_id: str) -> Path | None:
        """The meeting's source file, only if it resolves to a file inside ``corpus_dir``."""
        if self.corpus_dir is None:
            return None
        searcher, _, _ = self._searcher()
        fields = searcher.document(meeting_id=meeting_id, kind="meeting")  # type: ignore[attr-defined]
        if not fields or not fields.get("source"):
            return None
        root = self.corpus_dir.resolve()
        path = (root / fields["source"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    def _all_summaries(self, searcher: Any, gen: str) -> tuple[MeetingSummary, ...]:
        from indexer.browse import summaries

        key = (gen, searcher.reader().generation())  # type: ignore[attr-defined]
        with self._lock:
            cached = self._summaries.get(key)
        if cached is None:
            cached = summaries(searcher)
            with self._lock:
                self._summaries = {key: cached}
        return cached


# ---------------------------------------------------------------- query assembly


def _postings(searcher: Any, arrays: ReaderState, budget: QueryBudget | None = None) -> Postings:
    """The posting reader of one search or trend: the generation's posting cache, and its date
    codes so that date ranges never expand into terms (``indexer.docsets.range_mask``)."""
    return Postings(searcher, arrays.postings, budget, arrays.sorted_codes)


def _and(parts: list[wq.Query]) -> wq.Query:
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _base_parts(
    cq: CompiledQuery, request: SearchRequest, text_q: wq.Query | None, arrays: ReaderState
) -> list[wq.Query]:
    parts: list[wq.Query] = [hit_filter()]
    if text_q is not None:
        parts.append(text_q)
    date_from = max(filter(None, (request.date_from, cq.date_from)), default=None)
    date_to = min(filter(None, (request.date_to, cq.date_to)), default=None)
    if date_from or date_to:
        parts.append(wq.TermRange("date", date_from, date_to, startexcl=False, endexcl=False))
    for query in _filter_queries(cq.excluded_filters, arrays).values():
        if query is not wq.NullQuery:
            parts.append(wq.Not(query))  # -kommun:Umeå
    return parts


def _filter_queries(
    pairs: Iterable[tuple[str, str]], arrays: ReaderState
) -> dict[str, wq.Query]:
    """One query per facet: values of one facet are OR-ed, facets are AND-ed by the caller."""
    grouped: dict[str, list[str]] = {}
    for name, raw in pairs:
        spec = BY_PARAM.get(name)
        if spec is None:
            continue
        raw = raw.strip()
        if spec.values == "yesno":
            values = [raw]
        else:
            values = arrays.field(spec.field).resolve(raw)
            if not values and spec.value_labels:  # "ämne:Kultur & fritid": a label, not an id
                labels = spec.labels(topic_labels())
                values = [v for v, label in labels.items() if label.casefold() == raw.casefold()]
        grouped.setdefault(name, []).extend(values)
    return {name: _value_query(BY_PARAM[name], values) for name, values in grouped.items()}


def _value_query(spec: FacetSpec, values: list[str]) -> wq.Query:
    if not values:
        return wq.NullQuery
    if spec.values == "year":
        terms = [wq.NumericRange(spec.field, int(v), int(v)) for v in values if v.isdigit()]
    else:
        terms = [wq.Term(spec.field, v) for v in dict.fromkeys(values)]
    if not terms:
        return wq.NullQuery
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _without_ranges(q: wq.Query) -> wq.Query:
    """The scored pass needs no date range: its allow-set (``matched``) already applies it, and
    a TermRange over thousands of dates made that pass up to 20× slower (BENCHMARKS.md)."""
    if type(q) is wq.And:
        kept = [s for s in q.subqueries if type(s) is not wq.TermRange]
        if kept and len(kept) < len(q.subqueries):
            return _and(kept)
    return q


_NO_DOCS = np.zeros(0, dtype=np.int32)
_NO_DOCS.setflags(write=False)


def _within(base: np.ndarray, base_docs: np.ndarray, fmasks: dict[str, np.ndarray]) -> np.ndarray:
    """The doc numbers of ``base`` (a mask, ``base_docs`` its doc numbers) that pass every filter."""
    return np.flatnonzero(_intersect(base, fmasks.values())) if fmasks else base_docs


def _intersect(base: np.ndarray, others: Iterable[np.ndarray]) -> np.ndarray:
    result = base
    for mask in others:
        result = result & mask
    return result


# ---------------------------------------------------------------- result shapes


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def _hit(f: dict[str, Any], score: float, cq: CompiledQuery, labels: dict[str, str]) -> Hit:
    """An item or a passage hit; a passage's snippet and title come from its stored text."""
    passage = f.get("kind") == KIND_PASSAGE
    decisions = tuple(d for d in (f.get("decisions") or "").split("\n") if d)
    if passage:
        text = f.get("passage_text") or ""
    else:
        text = f.get("text") or f.get("decisions") or f.get("title") or ""
    topics = _split(f.get("topic"))
    return Hit(
        item_id=f["item_id"],
        meeting_id=f["meeting_id"],
        organisation=f.get("organisation"),
        body=f.get("body"),
        date=f.get("date"),
        place=f.get("place"),
        item_number=f.get("number", ""),
        title=f.get("heading", "") if passage else f.get("title", ""),
        anchor=f.get("anchor", ""),
        snippet=highlight.snippet(text, cq.terms),
        decisions=decisions,
        topics=topics,
        topic_labels=tuple(labels.get(t, t) for t in topics),
        procedural=f.get("procedural") == YES,
        score=round(float(score or 0.0), 4),
        kind=f.get("kind", "item"),
        source=f.get("source", ""),
    )


def _groups(hits: tuple[Hit, ...]) -> tuple[MeetingGroup, ...]:
    order: dict[str, list[Hit]] = {}
    for h in hits:
        order.setdefault(h.meeting_id, []).append(h)
    return tuple(
        MeetingGroup(hs[0].meeting_id, hs[0].organisation, hs[0].body, hs[0].date, hs[0].place, tuple(hs))
        for hs in order.values()
    )
