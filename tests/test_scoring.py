"""The numpy matching and ranking paths agree with Whoosh's own, on a real multi-segment index.

The index is a generated archive indexed in two steps (a rebuild, then changed and new files),
so it has several segments and deleted documents: the cases where block-level shortcuts go wrong.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from benchmark.measure import load_queries
from indexer.docsets import MAX_COMPARES, Postings, _within_reach, doc_mask, phrase_mask
from indexer.query import SearchRequest
from indexer.querylang import compile_query
from indexer.scoring import B, K1, PROCEDURAL_FACTOR, score_vector, scored_terms, top_scored
from indexer.search import SearchService, _and, _base_parts


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmark.generate import generate
    from indexer.index import build_index

    root = tmp_path_factory.mktemp("segmented")
    archive, index_dir = root / "arkiv", root / "index"
    generate(40, archive, seed=11)
    assert not build_index(archive, index_dir, rebuild=True).failed
    changed = sorted(p for p in archive.rglob("*.txt"))[:3]
    for path in changed:  # re-indexed: their old items become deleted documents
        path.write_bytes(path.read_bytes() + "\nÖvrigt: budget och bredband.\n".encode("cp1252"))
    generate(8, archive / "nya", seed=12)
    report = build_index(archive, index_dir)
    assert not report.failed and report.updated and report.added
    return index_dir


@pytest.fixture(scope="module")
def opened(segmented: Path):
    service = SearchService(segmented)
    searcher, arrays, _ = service._searcher()
    assert len(list(searcher.reader().leaf_readers())) > 1 and searcher.reader().has_deletions()
    yield service, searcher, arrays
    service.close()


def _query(service: SearchService, searcher, arrays, text: str) -> wq.Query:
    cq = compile_query(text)
    return _and(_base_parts(cq, SearchRequest(q=text), service._bounded(cq.query, searcher, []), arrays))


def test_doc_masks_equal_whoosh_on_the_whole_bench_mix(opened) -> None:
    """Both ways: terms of single-valued fields (``kind``, filters) from their posting lists,
    and from the generation's value codes (``docsets._coded_mask``), as a search does."""
    service, searcher, arrays = opened
    for postings in (Postings(searcher), Postings(searcher, sorted_codes=arrays.sorted_codes)):
        live = postings.live()
        for bq in load_queries():
            q = _query(service, searcher, arrays, bq.text)
            mine = set(np.flatnonzero(doc_mask(postings, q) & live).tolist())
            assert mine == set(searcher.docs_for_query(q)), bq.text


@st.composite
def _coded_tree(draw: st.DrawFn, columns: dict[str, list[str]]) -> wq.Query:
    """ORs and ANDs of terms on single-valued fields (some values absent, up to seven values of
    one field in one OR, past ``MAX_COMPARES``), text terms and negations."""
    field = st.sampled_from(sorted(columns))
    term = st.one_of(
        field.flatmap(lambda f: st.sampled_from([*columns[f][:8], "finnsinte"]).map(lambda v: wq.Term(f, v))),
        st.sampled_from(["budget", "kommun", "finnsinte"]).map(lambda w: wq.Term("text", w)),
    )
    tree = st.recursive(term, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=7).map(wq.Or),
        st.lists(inner, min_size=1, max_size=3).map(wq.And),
        inner.map(wq.Not),
    ), max_leaves=12)
    return draw(tree)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_coded_field_terms_match_what_whoosh_matches(opened, data) -> None:
    _, searcher, arrays = opened
    columns = {f: list(arrays.sorted_codes(f)[0]) for f in ("kind", "organisation", "body", "date", "has_decision")}
    q = data.draw(_coded_tree(columns))
    postings = Postings(searcher, sorted_codes=arrays.sorted_codes)
    mine = set(np.flatnonzero(doc_mask(postings, q) & postings.live()).tolist())
    assert mine == set(searcher.docs_for_query(q)), q


@pytest.mark.parametrize("field", ["organisation", "body"])
def test_many_values_of_a_coded_field_leave_out_documents_without_one(opened, field: str) -> None:
    """Past ``MAX_COMPARES`` values the codes are looked up in a table; a document without a
    value (code -1, such as a meeting document's body) must stay out."""
    _, searcher, arrays = opened
    vocab, codes = arrays.sorted_codes(field)
    assert (codes == -1).any() and len(vocab) > MAX_COMPARES
    q = wq.Or([wq.Term(field, v) for v in vocab[: MAX_COMPARES + 2]] + [wq.Term(field, "finnsinte")])
    postings = Postings(searcher, sorted_codes=arrays.sorted_codes)
    mine = set(np.flatnonzero(doc_mask(postings, q) & postings.live()).tolist())
    assert mine == set(searcher.docs_for_query(q))


_WORDS = ["budget", "bredband", "kommun", "styrels", "beslut", "hel", "län", "digital", "finnsinte"]
_LEAF = st.one_of(
    st.sampled_from(_WORDS).map(lambda w: wq.Term("text", w)),
    st.lists(st.sampled_from(_WORDS), min_size=2, max_size=3).map(lambda ws: wq.Phrase("text", ws)),
)
_BRANCH = st.recursive(
    _LEAF, lambda inner: st.lists(inner, min_size=1, max_size=3).map(wq.Or), max_leaves=6
)


@given(shared=_BRANCH, parts=st.lists(_BRANCH, min_size=2, max_size=3),
       negated=st.lists(_LEAF, max_size=1))
@settings(max_examples=60, deadline=None)
def test_ands_of_ors_sharing_a_branch_match_what_whoosh_matches(opened, shared, parts, negated) -> None:
    """``AND (S OR a_i)`` is matched as ``S OR AND a_i`` (S once): the same documents as Whoosh,
    with the shared branch first or last in each OR and an excluded word beside them."""
    _, searcher, _ = opened
    ors = [wq.Or([shared, part] if i % 2 else [part, shared]) for i, part in enumerate(parts)]
    q = wq.And(ors + [wq.Not(n) for n in negated])
    postings = Postings(searcher)
    mine = set(np.flatnonzero(doc_mask(postings, q) & postings.live()).tolist())
    assert mine == set(searcher.docs_for_query(q)), q


_TREE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3).map(wq.Or),
                            st.lists(inner, min_size=1, max_size=3).map(wq.And)),
    max_leaves=8,
)


@given(tree=_TREE)
@settings(max_examples=80, deadline=None)
def test_nested_ors_and_ands_match_what_whoosh_matches(opened, tree) -> None:
    """ORs inside ORs are opened into one (``docsets._or_branches``), with ANDs and phrases
    between them: the same documents as Whoosh's own evaluation."""
    _, searcher, _ = opened
    postings = Postings(searcher)
    mine = set(np.flatnonzero(doc_mask(postings, tree) & postings.live()).tolist())
    assert mine == set(searcher.docs_for_query(tree)), tree


@pytest.mark.parametrize("slop", [1, 2, 3])
def test_phrase_mask_follows_whoosh_phrase_rules(opened, slop: int) -> None:
    _, searcher, _ = opened
    postings = Postings(searcher)
    for words in (["styrels", "beslut"], ["kommun", "har"], ["hel", "län"], ["budget", "bredband"]):
        q = wq.Phrase("text", words, slop=slop)
        mine = set(np.flatnonzero(phrase_mask(postings, "text", words, slop) & postings.live()).tolist())
        assert mine == set(searcher.docs_for_query(q)), (words, slop)


_KEYS = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 12)), max_size=40).map(
    lambda pairs: np.array(sorted((d << 32) | p for d, p in pairs), dtype=np.int64))


@given(ends=_KEYS, later=_KEYS, slop=st.integers(0, 4))
@settings(max_examples=300, deadline=None)
def test_within_reach_is_some_earlier_key_one_to_slop_below(ends, later, slop) -> None:
    """The binary search answers the rule as stated, for sorted keys with repeats, several
    documents and empty sides: key q is kept when some e has 1 <= q - e <= slop."""
    expected = [any(1 <= int(q) - int(e) <= slop for e in ends) for q in later]
    assert _within_reach(ends, later, slop).tolist() == expected


def test_scores_are_whooshs_bm25f_with_global_statistics(opened) -> None:
    """Each document's score equals Whoosh scoring that one document (the ``kind`` term adds a
    constant 1.0 in Whoosh, which the numpy path leaves out)."""
    service, searcher, arrays = opened
    postings = Postings(searcher)
    for text in ("budget", "bredband OR digitalisering", "kommunerna", "kommunerna budget", "e-tjänster"):
        q = _query(service, searcher, arrays, text)
        scores = score_vector(postings, scored_terms(q), arrays.rank)
        matched = np.flatnonzero(doc_mask(postings, q) & postings.live())
        assert len(matched), text
        ranked = dict(top_scored(scores, matched, arrays.rank, len(matched)))
        for doc in matched[np.argsort(-scores[matched])][:8].tolist():
            item_id = searcher.stored_fields(doc)["item_id"]
            expected = _whoosh_score(searcher, q, doc) - 1.0
            assert scores[doc] == pytest.approx(expected, rel=1e-6), (text, item_id)
            factor = PROCEDURAL_FACTOR if arrays.rank.procedural[doc] else 1.0
            assert ranked[doc] == pytest.approx(expected * factor, rel=1e-6), (text, item_id)


def test_score_vector_equals_adding_each_term_into_a_dense_vector_in_order(opened) -> None:
    """Summing every term's contributions with one ``bincount`` gives bit-identical scores to
    the plain rule: a zero vector, then each term's BM25F added in term order, with the length
    norm computed per posting from Whoosh's stored field lengths and average length."""
    from indexer.scoring import _merged

    service, searcher, arrays = opened
    postings = Postings(searcher)
    reader = searcher.reader()
    for text in [q.text for q in load_queries()][:60]:
        q = _query(service, searcher, arrays, text)
        terms = scored_terms(q)
        expected = np.zeros(arrays.doc_count, dtype=np.float64)
        for term in _merged(terms):
            if not searcher.schema[term.fieldname].scorable or term.boost == 0:
                continue
            ids, tf = postings.get(term.fieldname, term.text)
            if not len(ids):
                continue
            idf = math.log(arrays.doc_count / (len(ids) + 1)) + 1
            fl = np.array([reader.doc_field_length(int(d), term.fieldname) for d in ids],
                          dtype=np.float32)
            avgfl = searcher.avg_field_length(term.fieldname) or 1
            norm = K1 * ((1 - B) + B * fl / avgfl)
            expected[ids] += float(term.boost * idf) * (tf * (K1 + 1)) / (tf + norm)
        assert np.array_equal(score_vector(postings, terms, arrays.rank), expected), text


def _whoosh_score(searcher, q: wq.Query, doc: int) -> float:
    """Whoosh's own BM25F score of one item, from a test-only searcher on the same reader (the
    production searcher's weighting is never asked for scores)."""
    with Searcher(searcher.reader(), weighting=BM25F(B=B, K1=K1), closereader=False) as whoosh:
        hits = whoosh.search(q, filter={doc}, limit=1)
        return float(hits[0].score)


def test_pages_are_ranked_best_first_and_dated_newest_first(opened) -> None:
    service, _, _ = opened
    ranked = service.search(SearchRequest(q="budget", page_size=50))
    scores = [h.score for h in ranked.hits]
    assert scores and scores == sorted(scores, reverse=True)
    newest = service.search(SearchRequest(q="budget", sort="nyast", page_size=50))
    dates = [h.date or "" for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = [h.date or "" for h in service.search(SearchRequest(q="budget", sort="aldst", page_size=50)).hits]
    assert oldest and oldest == sorted(oldest) and oldest[0] <= dates[-1]
    page2 = service.search(SearchRequest(q="budget", page_size=10, page=2))
    assert [h.item_id for h in page2.hits] == [h.item_id for h in ranked.hits[10:20]]


def test_numpy_facet_counts_equal_counter_counts(opened) -> None:
    service, searcher, arrays = opened
    postings = Postings(searcher)
    docs = np.flatnonzero(doc_mask(postings, _query(service, searcher, arrays, "kommun*")) & postings.live())
    assert len(docs) > 10
    for name in ("organisation", "body", "municipality", "county", "topic", "has_decision", "year"):
        field = arrays.field(name)
        assert field.count(docs) == field.count(set(docs.tolist())), name
        assert field.count(docs[:0]) == {}


@pytest.mark.parametrize("by", ["organisation", "kommun"])
def test_trend_counts_equal_a_count_over_stored_fields(opened, by: str) -> None:
    """The bincount trend equals counting (series, year) over the stored items one by one."""
    from collections import Counter

    from indexer.query import TrendsRequest

    service, searcher, _ = opened
    result = service.trends(TrendsRequest(q="kommun*", by=by))
    postings = Postings(searcher)
    q = _and([wq.Term("kind", "item"), wq.Not(wq.Term("procedural", "ja")),
              service._bounded(compile_query("kommun*").query, searcher, [])])
    expected: Counter[tuple[str, int]] = Counter()
    dated = 0
    for doc in np.flatnonzero(doc_mask(postings, q) & postings.live()).tolist():
        fields = searcher.stored_fields(doc)
        if not fields.get("year"):
            continue
        dated += 1
        key = fields.get("municipality" if by == "kommun" else "organisation") or ""
        for name in [v for v in key.split(",") if v] if by == "kommun" else [key] if key else []:
            expected[(name, fields["year"])] += 1
        if not key:
            expected[("Okänd", fields["year"])] += 1
    got = {(s.name, y): n for s in result.series for y, n in zip(result.years, s.counts) if n}
    named = {k: v for k, v in expected.items() if k[0] in {s.name for s in result.series}}
    assert got and {k: v for k, v in got.items() if k[0] != "Övriga"} == named
    assert result.total == dated


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_result(opened) -> None:
    from indexer.docsets import QUERY_KEY

    service, _, arrays = opened
    for text in ('"styrelsen beslutar"', "budget -bredband", "kommun* datum:2001-01-01..2030-12-31"):
        first = service.search(SearchRequest(q=text))
        cached = [k for k in arrays.postings._items if k[0] == QUERY_KEY]
        assert cached, text
        again = service.search(SearchRequest(q=text))
        assert (again.total, [h.item_id for h in again.hits], again.facets) == (
            first.total, [h.item_id for h in first.hits], first.facets), text
        page2 = service.search(SearchRequest(q=text, page=2, page_size=5))
        assert page2.total == first.total


def test_cache_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.readerstate import POSTINGS_CACHE_MB, cache_megabytes

    monkeypatch.setenv("PROTOKOLL_CACHE_MB", "64")
    assert cache_megabytes() == 64
    monkeypatch.setenv("PROTOKOLL_CACHE_MB", "många")
    assert cache_megabytes() == POSTINGS_CACHE_MB
    monkeypatch.delenv("PROTOKOLL_CACHE_MB")
    assert cache_megabytes() == POSTINGS_CACHE_MB


def test_date_ranges_from_the_date_codes_equal_whooshs_term_expansion(opened) -> None:
    """``range_mask`` (two binary searches over the date codes) matches exactly the documents
    Whoosh's own expansion of the range into terms does, for open, closed and exclusive ends."""
    _, searcher, arrays = opened
    plain = Postings(searcher)
    coded = Postings(searcher, sorted_codes=arrays.sorted_codes)
    dates = arrays.sorted_codes("date")[0]
    assert len(dates) > 10 and arrays.sorted_codes("municipality") is None  # multi-valued: no codes
    probes = [dates[0], dates[len(dates) // 3], dates[-1], "1990-01-01", "2099-12-31", "2010-06", None]
    checked = 0
    for start in probes:
        for end in probes:
            for startexcl, endexcl in ((False, False), (True, False), (False, True)):
                if start is None and end is None:
                    continue
                q = wq.TermRange("date", start, end, startexcl=startexcl, endexcl=endexcl)
                expected = doc_mask(plain, q)
                got = doc_mask(coded, q)
                assert np.array_equal(got, expected), (start, end, startexcl, endexcl)
                checked += int(expected.any())
    assert checked > 20
    # The coded path never read a date's posting list; Whoosh's expansion read many.
    assert not any(f == "date" for f, _ in coded._memo)  # noqa: SLF001
    assert sum(f == "date" for f, _ in plain._memo) > 10  # noqa: SLF001


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    doc_count=st.integers(1, 3000),
    limit=st.integers(1, 60),
    stride=st.sampled_from([2, 3, 7, 64]),
)
def test_top_scored_is_the_full_sort_of_the_matched_scores(data, doc_count, limit, stride) -> None:
    """The page is the first ``limit`` of every matched document sorted by score (procedural
    items lowered) and then doc number, whatever the sample that bounds the last score: few
    distinct scores make many ties at the cut."""
    from types import SimpleNamespace

    import indexer.scoring as scoring

    levels = data.draw(st.integers(1, 50))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    scores = rng.integers(0, levels, doc_count).astype(np.float64) / 7
    procedural = rng.random(doc_count) < data.draw(st.sampled_from([0.0, 0.1, 0.9]))
    matched = np.flatnonzero(rng.random(doc_count) < data.draw(st.sampled_from([0.05, 0.5, 1.0])))
    matched = matched.astype(np.int32)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scoring, "SAMPLE_STRIDE", stride)
        ranked = top_scored(scores, matched, SimpleNamespace(procedural=procedural), limit)
    lowered = [(float(scores[d] * PROCEDURAL_FACTOR if procedural[d] else scores[d]), int(d)) for d in matched]
    expected = [(d, s) for s, d in sorted(lowered, key=lambda sd: (-sd[0], sd[1]))[:limit]]
    assert ranked == expected
