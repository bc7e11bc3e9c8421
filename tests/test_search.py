"""SearchService on a small index of hand-built Meeting records (independent of the parser)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.errors import IndexMissing
from indexer.index import index_meetings
from indexer.query import SearchRequest, TrendsRequest
from indexer.records import AgendaItem, Meeting
from indexer.search import SearchService


def _meeting(mid: str, org: str, body: str, date: str, munis: tuple[str, ...], *items: AgendaItem,
             source: str | None = None) -> Meeting:
    return Meeting(id=mid, source=source or f"{mid}.txt", sha256=mid, format="txt", organisation=org,
                   body=body, date=date, municipalities=munis, items=items, place="Umeå")


MEETINGS = [
    _meeting(
        "ur-kcg-2017-04-06", "Umeåregionen", "kommunchefsgrupp", "2017-04-06", ("Umeå", "Vännäs"),
        AgendaItem("1", "Mötets öppnande", "Mötet öppnades av ordföranden. Flykting nämndes.",
                   procedural=True),
        AgendaItem("4", "Samråd - gemensam flyktingmottagning",
                   "Förslag om flyktingmottagning <script>alert('x')</script> i regionen.",
                   decisions=("Kommunchefsgruppen beslutar att ta fram ett förslag.",),
                   topics=("integration",)),
        AgendaItem("6", "Gemensam räddningsnämnd", "En gemensam nämnd för räddningstjänst bildas.",
                   municipalities=("Robertsfors",), topics=("raddning",)),
    ),
    _meeting(
        "ur-kcg-2008-08-22", "Umeåregionen", "kommunchefsgrupp", "2008-08-22", ("Umeå",),
        AgendaItem("8", "Flyktingmottagande", "Flyktingar och flyktingmottagande i kommunerna.",
                   decisions=("Beslut att utreda.",), topics=("integration",)),
    ),
    _meeting(
        "sn-kdg-2015-06-12", "Skåne Nordväst", "kommundirektörsgrupp", "2015-06-12", ("Höganäs",),
        AgendaItem("2", "Gemensamma e-tjänster", "Arbetet med e-tjänsteplattformen fortsätter.",
                   topics=("digitalisering",)),
        AgendaItem("3", "Budget", "Budget för flykting-samordning diskuterades."),
    ),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchService, Path]:
    index_dir = tmp_path_factory.mktemp("small-index")
    corpus = tmp_path_factory.mktemp("small-corpus")
    (corpus / "ur-kcg-2017-04-06.txt").write_text("källa", encoding="utf-8")
    report = index_meetings(index_dir, MEETINGS)
    assert report.items == 6
    svc = SearchService(index_dir, corpus_dir=corpus)
    yield svc, index_dir
    svc.close()


def _ids(result) -> list[str]:
    return [h.item_id for h in result.hits]


def test_hits_carry_meeting_fields_and_rank_procedural_items_low(small):
    svc, _ = small
    result = svc.search(SearchRequest(q="flykting"))
    ids = _ids(result)
    assert "ur-kcg-2017-04-06#1" in ids
    assert ids[-1] == "ur-kcg-2017-04-06#1"  # procedural, so last despite matching
    # "flykting" stands as written in "flykting-samordning" (a hyphen piece is an exact form).
    assert result.hits[0].organisation == "Skåne Nordväst"
    hit = next(h for h in result.hits if h.item_id == "ur-kcg-2008-08-22#8")
    assert hit.organisation == "Umeåregionen" and hit.body == "kommunchefsgrupp"
    assert hit.score > 0 and hit.anchor.startswith("punkt-")


def test_script_in_document_comes_back_escaped(small):
    svc, _ = small
    hit = next(h for h in svc.search(SearchRequest(q="flyktingmottagning")).hits
               if h.item_id.endswith("#4"))
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>" in hit.snippet


def test_facet_counts_reflect_the_other_filters(small):
    svc, _ = small
    req = SearchRequest(q="flykting", filters=(("organisation", "Skåne Nordväst"),))
    result = svc.search(req)
    assert result.total == 1
    facets = {f.name: {v.value: (v.count, v.selected) for v in f.values} for f in result.facets}
    # The organisation facet ignores its own filter, so the other choice still shows its count.
    assert facets["organisation"]["Umeåregionen"] == (3, False)
    assert facets["organisation"]["Skåne Nordväst"] == (1, True)
    # Other facets are counted within the filter.
    assert facets["kommun"] == {"Höganäs": (1, False)}
    assert facets["ar"] == {"2015": (1, False)}


def test_facet_values_labels_and_multi_valued_municipality(small):
    svc, _ = small
    result = svc.search(SearchRequest(q=""))
    facets = {f.name: f for f in result.facets}
    kommun = {v.value: v.count for v in facets["kommun"].values}
    assert kommun["Umeå"] == 4 and kommun["Vännäs"] == 3
    # Robertsfors is only mentioned in an item: "Omnämnda kommuner", not a participant.
    assert "Robertsfors" not in kommun
    assert {v.value: v.count for v in facets["omnamnd_kommun"].values} == {"Robertsfors": 1}
    counts = [v.count for v in facets["kommun"].values]
    assert counts == sorted(counts, reverse=True)
    beslut = {v.value: v.label for v in facets["beslut"].values}
    assert beslut["ja"] == "Med beslut"


def test_filter_values_match_without_case_or_accents(small):
    svc, _ = small
    assert svc.search(SearchRequest(q="kommun:umea")).total == 4
    assert svc.search(SearchRequest(filters=(("omnamnd_kommun", "ROBERTSFORS"),))).total == 1
    assert svc.search(SearchRequest(filters=(("kommun", "ROBERTSFORS"),))).total == 0
    assert svc.search(SearchRequest(filters=(("kommun", "Åland"),))).total == 0
    assert svc.search(SearchRequest(filters=(("beslut", "ja"),))).total == 2
    assert svc.search(SearchRequest(filters=(("ar", "2008"),))).total == 1


def test_date_range_from_request_and_query(small):
    svc, _ = small
    assert svc.search(SearchRequest(date_from="2015-01-01", date_to="2016-12-31")).total == 2
    assert svc.search(SearchRequest(date_from="2015-06-12", date_to="2015-06-12")).total == 2
    assert svc.search(SearchRequest(q="datum:2017-01-01..2017-12-31")).total == 3
    assert svc.search(SearchRequest(date_to="2009-01-01")).total == 1


def test_sort_orders(small):
    svc, _ = small
    newest = [h.date for h in svc.search(SearchRequest(q="flykting", sort="nyast")).hits]
    oldest = [h.date for h in svc.search(SearchRequest(q="flykting", sort="aldst")).hits]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert newest[0] == "2017-04-06" and oldest[0] == "2008-08-22"


def test_paging_bounds(small):
    svc, _ = small
    first = svc.search(SearchRequest(page_size=2, page=1))
    second = svc.search(SearchRequest(page_size=2, page=2))
    beyond = svc.search(SearchRequest(page_size=2, page=50))
    assert first.total == 6 and first.page_count == 3
    assert len(first.hits) == 2 and len(second.hits) == 2
    assert not set(_ids(first)) & set(_ids(second))
    assert beyond.hits == () and beyond.total == 6


def test_results_grouped_by_meeting(small):
    svc, _ = small
    result = svc.search(SearchRequest(q="gemensam"))
    assert sum(len(g.hits) for g in result.groups) == len(result.hits)
    assert len({g.meeting_id for g in result.groups}) == len(result.groups)


def test_spelling_suggestion_from_corpus_vocabulary(small):
    svc, _ = small
    assert svc.search(SearchRequest(q="flyktnig")).suggestion == "flykting"
    assert svc.search(SearchRequest(q="e-tjänser")).suggestion == "e-tjänster"
    assert svc.search(SearchRequest(q="flykting")).suggestion is None


def test_no_hits_for_words_absent_from_the_archive(small):
    svc, _ = small
    for q in ("Åland", "Västerås"):
        assert svc.search(SearchRequest(q=q)).total == 0


def test_expensive_queries_are_bounded_with_a_message(small):
    svc, _ = small
    many = " OR ".join(f"ord{i}" for i in range(3000))
    result = svc.search(SearchRequest(q=many[:480]))
    assert result.total == 0
    wide = svc.search(SearchRequest(q=" OR ".join(["fl*"] * 100)))
    assert wide.message  # more than 64 clauses: said so
    assert wide.total >= 3


def test_meeting_page_with_neighbours_and_source(small):
    svc, _ = small
    page = svc.meeting("ur-kcg-2017-04-06")
    assert page is not None and len(page.meeting.items) == 3
    assert page.previous_id == "ur-kcg-2008-08-22" and page.next_id is None
    assert svc.meeting("ur-kcg-2008-08-22").next_id == "ur-kcg-2017-04-06"
    assert svc.meeting("finns-inte") is None
    assert svc.source_file("ur-kcg-2017-04-06").name == "ur-kcg-2017-04-06.txt"
    assert svc.source_file("ur-kcg-2008-08-22") is None  # not on disk


def test_meetings_coverage_and_trends(small):
    svc, _ = small
    assert [m.id for m in svc.meetings(organisation="Umeåregionen")] == [
        "ur-kcg-2017-04-06", "ur-kcg-2008-08-22"]
    assert [m.id for m in svc.meetings(year=2015)] == ["sn-kdg-2015-06-12"]
    cov = svc.coverage()
    assert cov.years[0] == 2008 and cov.years[-1] == 2017 and len(cov.years) == 10
    rows = {org: counts for org, counts, _ in cov.rows}
    assert sum(rows["Umeåregionen"]) == 2
    trends = svc.trends(TrendsRequest(q="flykting"))
    series = {s.name: dict(zip(trends.years, s.counts)) for s in trends.series}
    assert series["Umeåregionen"][2017] == 1  # the procedural item is left out
    assert series["Umeåregionen"][2008] == 1 and series["Skåne Nordväst"][2015] == 1
    by_kommun = svc.trends(TrendsRequest(q="flykting", by="kommun"))
    assert {s.name for s in by_kommun.series} == {"Umeå", "Vännäs", "Höganäs"}


def test_source_file_never_leaves_corpus(tmp_path: Path):
    outside = tmp_path / "secret.txt"
    outside.write_text("hemligt", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    index_dir = tmp_path / "index"
    m = _meeting("x-y-2020-01-01", "X", "Y", "2020-01-01", (), AgendaItem("1", "T"),
                 source="../secret.txt")
    index_meetings(index_dir, [m])
    svc = SearchService(index_dir, corpus_dir=corpus)
    try:
        assert svc.source_file("x-y-2020-01-01") is None
        assert svc.meeting("x-y-2020-01-01").source_path is None
    finally:
        svc.close()


def test_missing_index_gives_swedish_message(tmp_path: Path):
    with pytest.raises(IndexMissing, match="kör `protokoll index`"):
        SearchService(tmp_path / "ingenting")


def test_threads_and_new_generation_without_restart(tmp_path: Path):
    index_dir = tmp_path / "index"
    index_meetings(index_dir, MEETINGS[:1])
    svc = SearchService(index_dir)
    try:
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                for _ in range(5):
                    assert svc.search(SearchRequest(q="flykting")).total >= 2
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        index_meetings(index_dir, MEETINGS[1:])  # a commit while threads search
        for t in threads:
            t.join()
        assert not errors
        assert svc.search(SearchRequest(q="e-tjänst")).total == 1  # picked up without restart
    finally:
        svc.close()


def test_service_follows_a_rebuild_to_a_new_generation(tmp_path: Path):
    index_dir = tmp_path / "index"
    index_meetings(index_dir, MEETINGS[:1])
    svc = SearchService(index_dir)
    try:
        assert svc.search(SearchRequest(q="e-tjänst")).total == 0
        report = index_meetings(index_dir, MEETINGS[2:], rebuild=True)
        assert report.rebuilt and report.generation == "gen-000002"
        assert svc.search(SearchRequest(q="e-tjänst")).total == 1
        assert svc.search(SearchRequest(q="flyktingmottagning")).total == 0  # old content gone
        index_meetings(index_dir, MEETINGS[:1], rebuild=True)
        assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000002", "gen-000003"]
        assert svc.search(SearchRequest(q="flyktingmottagning")).total == 1
    finally:
        svc.close()


def test_excluded_filter_in_the_query(small):
    svc, _ = small
    assert svc.search(SearchRequest(q="flykting -kommun:vannas")).total == 2
    assert svc.search(SearchRequest(q="-organisation:umeåregionen")).total == 2


def test_topic_filter_by_id_or_swedish_label(small):
    svc, _ = small
    assert svc.search(SearchRequest(filters=(("amne", "integration"),))).total == 2
    label = svc.topics()["integration"]
    assert svc.search(SearchRequest(filters=(("amne", label.upper()),))).total == 2
    facet = next(f for f in svc.search(SearchRequest()).facets if f.name == "amne")
    assert {v.value: v.label for v in facet.values}["integration"] == label


def test_prefix_expansion_is_capped_with_a_message(tmp_path: Path):
    words = " ".join(f"ordning{i}x" for i in range(400))
    index_meetings(tmp_path, [_meeting("p-q-2020-01-01", "P", "Q", "2020-01-01", (),
                                       AgendaItem("1", "Många ord", words))])
    svc = SearchService(tmp_path)
    try:
        result = svc.search(SearchRequest(q="ordning*"))
        assert result.total == 1
        assert "256 vanligaste" in (result.message or "")
    finally:
        svc.close()


def test_a_running_service_sees_replaced_items_once(tmp_path: Path):
    meetings = [_meeting(f"o-b-2020-01-{i:02d}", "O", "b", f"2020-01-{i:02d}", (),
                         AgendaItem("1", "Budget", "budget för året")) for i in range(1, 21)]
    index_meetings(tmp_path, meetings)
    index_meetings(tmp_path, meetings[10:])  # a second segment
    svc = SearchService(tmp_path)
    try:
        assert svc.search(SearchRequest(q="budget")).total == 20
        index_meetings(tmp_path, meetings[:3])  # replaced: deletions in an existing segment
        assert svc.search(SearchRequest(q="budget")).total == 20
        assert len(svc.meetings()) == 20
    finally:
        svc.close()


def test_query_with_nothing_searchable_returns_no_hits_and_says_why(service) -> None:
    from indexer.query import SearchRequest

    for q in ("och att det", "a*"):
        result = service.search(SearchRequest(q=q))
        assert result.total == 0 and result.hits == ()
        assert result.message
    assert service.search(SearchRequest(q="*")).total > 0


def test_every_hit_on_every_sort_order_satisfies_the_filters(service) -> None:
    """Regression: date-sorted pages once ignored facet filters (collector wrapping order)."""
    from indexer.query import SearchRequest

    for sort in ("relevans", "nyast", "aldst"):
        for q in ("", "ämne:digitalisering", "samverkan"):
            req = SearchRequest(q=q, filters=(("amne", "digitalisering"),), sort=sort)
            result = service.search(req)
            assert result.total >= 1
            assert len(result.hits) == min(result.total, req.page_size)
            assert all("digitalisering" in h.topics for h in result.hits), (sort, q, result.hits)
    dated = service.search(SearchRequest(filters=(("ar", "2015"),), sort="aldst"))
    assert dated.hits and all(h.date.startswith("2015") for h in dated.hits)


def test_filter_values_without_lan_or_genitive_still_match(service) -> None:
    from indexer.query import SearchRequest

    full = service.search(SearchRequest(q="flykting", filters=(("lan", "Västerbottens län"),))).total
    assert full > 0
    for typed in ("Västerbotten", "vasterbotten", "Västerbottens"):
        assert service.search(SearchRequest(q=f"flykting län:{typed}")).total == full, typed
    assert service.search(SearchRequest(q="flykting kommun:Umeås")).total > 0


def test_facet_arrays_are_built_once_for_many_cold_threads(built_index) -> None:
    import threading

    from indexer import readerstate
    from indexer.query import SearchRequest
    from indexer.search import SearchService

    built = []
    original = readerstate.ReaderState.__init__

    def counting(self, reader, *key):  # type: ignore[no-untyped-def]
        built.append(1)
        original(self, reader, *key)

    readerstate.ReaderState.__init__ = counting  # type: ignore[method-assign]
    try:
        svc = SearchService(built_index)
        errors: list[BaseException] = []

        def ask() -> None:
            try:
                assert svc.search(SearchRequest(q="flykting")).total > 0
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        svc.close()
    finally:
        readerstate.ReaderState.__init__ = original  # type: ignore[method-assign]
    assert not errors
    assert len(built) == 1


def test_a_repeated_search_comes_from_the_result_cache_until_the_index_changes(tmp_path: Path):
    index_meetings(tmp_path, MEETINGS[:1])
    svc = SearchService(tmp_path)
    try:
        first = svc.search(SearchRequest(q="flykting"))
        again = svc.search(SearchRequest(q="flykting"))
        assert again.hits is first.hits and again.facets is first.facets  # the kept record
        other_page = svc.search(SearchRequest(q="flykting", page_size=1))
        assert other_page.hits is not first.hits and len(other_page.hits) == 1
        index_meetings(tmp_path, MEETINGS[1:2])  # a commit in the same generation
        after = svc.search(SearchRequest(q="flykting"))
        assert after.total == first.total + 1
        assert "ur-kcg-2008-08-22" in {h.meeting_id for h in after.hits}
    finally:
        svc.close()


@pytest.fixture
def own_service(tmp_path: Path) -> Iterator[SearchService]:
    """A service of its own over ``MEETINGS`` (for tests that warm it or clear its caches)."""
    index_meetings(tmp_path, MEETINGS)
    svc = SearchService(tmp_path)
    try:
        yield svc
    finally:
        svc.close()


def test_clearing_the_caches_keeps_the_answers_and_the_arrays(own_service: SearchService):
    """What the benchmark's first pass starts from: warmed, nothing read for a query yet."""
    svc = own_service
    svc.warm()
    _, state, _ = svc._searcher()
    first = svc.search(SearchRequest(q="flykting"))
    assert len(state.postings) and len(state.results)
    svc.clear_caches()
    assert len(state.postings) == 0 and len(state.results) == 0
    again = svc.search(SearchRequest(q="flykting"))
    assert again.hits is not first.hits and again.hits == first.hits
    assert svc._searcher()[1] is state  # the generation's arrays were kept


def test_warm_analyses_the_archives_frequent_words_ahead(own_service: SearchService):
    """A snippet's words are judged from the cache ``warm`` filled, most frequent first."""
    from collections import Counter

    from indexer import analysis
    from indexer.search import frequent_words

    svc = own_service
    words = frequent_words(svc._searcher()[0].reader(), 5)
    written = [w.lower() for m in MEETINGS for i in m.items for w in analysis.WORD_RE.findall(i.text)]
    counts = Counter(w for w in written if analysis.index_terms(w))  # stop words are not indexed
    pieces = {p for w in written for p in w.split("-")}  # "e-tjänst" is also written "tjänst"
    assert len(words) == 5 and set(words) <= set(counts) | pieces
    assert counts.most_common(1)[0][0] in words
    analysis._index_terms.cache_clear()
    gc.unfreeze()
    svc.warm()  # closes the searchers it opened
    assert gc.get_freeze_count() > 0  # what it built is out of the collector's full passes
    top = frequent_words(svc._searcher()[0].reader(), 50)
    before = analysis._index_terms.cache_info().hits
    assert all(analysis.index_terms(w) for w in top)
    assert analysis._index_terms.cache_info().hits - before == len(top)


def test_no_result_is_kept_when_the_cache_is_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROTOKOLL_CACHE_MB", "0")
    index_meetings(tmp_path, MEETINGS)
    svc = SearchService(tmp_path)
    try:
        first = svc.search(SearchRequest(q="flykting"))
        again = svc.search(SearchRequest(q="flykting"))
        assert again.hits is not first.hits and again.hits == first.hits
    finally:
        svc.close()


def test_result_cache_keeps_the_most_recently_used() -> None:
    from indexer.results import ResultCache, SearchResult

    def result(n: int) -> SearchResult:
        return SearchResult(request=n, total=n, hits=(), groups=(), facets=(), page_count=0)

    cache = ResultCache(2)
    for n in (1, 2):
        cache.put(n, result(n))
    assert cache.get(1) is not None  # 1 is now the most recent
    cache.put(3, result(3))
    assert cache.get(2) is None and cache.get(1).total == 1 and cache.get(3).total == 3
    assert len(cache) == 2
    off = ResultCache(0)
    off.put(1, result(1))
    assert off.get(1) is None and len(off) == 0


@pytest.mark.parametrize("q", ["flykting", "gemensam", "budget OR e-tjänster"])
def test_single_valued_facets_count_what_the_hits_hold(small, q: str):
    """Organisation, body and year, counted together over the matches (``facets.JointCodes``),
    equal a count over every hit's own fields; a filter on one leaves the others' counts alone."""
    from collections import Counter

    svc, _ = small
    result = svc.search(SearchRequest(q=q, page_size=100))
    assert result.total == len(result.hits) > 0
    facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert facets["organisation"] == Counter(h.organisation for h in result.hits)
    assert facets["organ"] == Counter(h.body for h in result.hits)
    assert facets["ar"] == Counter(h.date[:4] for h in result.hits)
    org = result.hits[0].organisation
    narrowed = svc.search(SearchRequest(q=q, page_size=100, filters=(("organisation", org),)))
    kept = [h for h in result.hits if h.organisation == org]
    by_name = {f.name: {v.value: v.count for v in f.values} for f in narrowed.facets}
    assert by_name["organisation"] == facets["organisation"]  # its own filter not applied
    assert by_name["organ"] == Counter(h.body for h in kept)
    assert by_name["ar"] == Counter(h.date[:4] for h in kept)


def test_posting_cache_is_bounded_by_bytes_and_keeps_no_giant_list() -> None:
    import numpy as np

    from indexer.docsets import PostingCache

    def postings(n: int) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(n, dtype=np.int32), np.zeros(n, dtype=np.float32)  # 8 bytes a posting

    cache = PostingCache(800)  # 100 postings in all, 25 in one list
    cache.put(("text", "stor"), postings(26))
    assert cache.get(("text", "stor")) is None and len(cache) == 0
    for word in ("a", "b", "c", "d"):
        cache.put(("text", word), postings(25))
    first = cache.get(("text", "a"))
    assert first is not None and not first[0].flags.writeable  # shared read-only
    cache.put(("text", "a"), postings(1))  # a key held keeps its first value
    assert cache.get(("text", "a")) is first
    cache.put(("text", "e"), postings(25))  # over 800 bytes: "b", least recently used, goes
    assert cache.get(("text", "b")) is None and len(cache) == 4
    assert all(cache.get(("text", w)) is not None for w in ("a", "c", "d", "e"))


class _Watched(SearchService):
    """A search service that records how many searches compute at the same moment."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir)
        self.guard = threading.Lock()
        self.inside = 0
        self.most = 0

    def _search(self, *args):  # type: ignore[no-untyped-def]
        import time

        with self.guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.005)  # every chance for another thread to come in meanwhile
            return super()._search(*args)
        finally:
            with self.guard:
                self.inside -= 1


def _ask_concurrently(svc: SearchService, words: list[str]) -> list[BaseException]:
    errors: list[BaseException] = []

    def ask(word: str) -> None:
        try:
            svc.search(SearchRequest(q=word))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(w,)) for w in words]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


WORDS = ["flykting", "budget", "skola", "e-tjänster", "räddningstjänst", "bredband", "kommun",
         "beslut", "integration", "äldreomsorg", "upphandling", "revision"]


def test_ordinary_searches_of_one_process_compute_one_at_a_time(built_index) -> None:
    svc = _Watched(built_index)
    try:
        svc.search(SearchRequest(q="nämnd"))  # arrays built before the threads start
        assert not _ask_concurrently(svc, WORDS)
        assert svc.most == 1
    finally:
        svc.close()


def test_heavy_queries_do_not_take_the_process_slot(built_index, monkeypatch) -> None:
    """A heavy query queues machine-wide for its own slot and paces itself; it must not wait
    for (or hold) the slot ordinary searches take turns at."""
    import indexer.search as search_module

    monkeypatch.setattr(search_module, "HEAVY_TERMS", 0)  # every query is heavy
    svc = SearchService(built_index)
    try:
        svc.search(SearchRequest(q="nämnd"))
        with svc._computing:  # an ordinary search is computing
            errors: list[BaseException] = []
            worker = threading.Thread(target=lambda: errors.extend(_ask_concurrently(svc, ["flykting"])))
            worker.start()
            worker.join(timeout=120)
            assert not worker.is_alive()
        assert not errors
    finally:
        svc.close()
