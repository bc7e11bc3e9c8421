"""The relevance table of issue 4, asserted on the bundled seeds (session index of ``corpus/``)."""

from __future__ import annotations

import pytest

from indexer.query import SearchRequest

# Seed number → meeting date (dates are what the parser reads from each seed).
DATES = {"000": "2008-08-22", "001": "2017-04-06", "002": "2010-04-22", "003": "2015-02-11",
         "004": "2015-06-12"}


def _number(raw: str) -> str:
    return raw.replace("§", "").strip()


def _top(service, q: str, n: int = 3) -> list[tuple[str, str]]:
    result = service.search(SearchRequest(q=q))
    return [(h.date, _number(h.item_number)) for h in result.hits[:n]]


@pytest.mark.parametrize(
    ("query", "seed", "numbers"),
    [
        ("e-tjänst", "004", {"2"}),
        ("flykting", "000", {"8"}),
        ("flykting", "001", {"4"}),
        ("räddningstjänst", "001", {"6"}),
        ('"gemensam nämnd"', "001", {"5", "6"}),
        ("brottsofferjour", "001", {"10"}),
    ],
)
def test_expected_item_in_top_three(service, query: str, seed: str, numbers: set[str]):
    top = _top(service, query)
    assert any(date == DATES[seed] and num in numbers for date, num in top), top


def test_e_forvaltning_finds_the_it_item_and_no_stripped_junk(service):
    result = service.search(SearchRequest(q="e-förvaltning"))
    top = [(h.date, h.title) for h in result.hits[:3]]
    assert any(date == DATES["003"] and "IT" in title for date, title in top), top
    for hit in result.hits:
        assert "Läs mer" not in hit.snippet and "Behovsfångst" not in hit.snippet, hit


def test_umea_without_accent_finds_umearegionen(service):
    result = service.search(SearchRequest(q="umea"))
    assert result.total > 0
    assert all(h.organisation == "Umeåregionen" for h in result.hits[:3])


@pytest.mark.parametrize("query", ["Åland", "Västerås"])
def test_places_outside_the_archive_give_no_hits(service, query: str):
    assert service.search(SearchRequest(q=query)).total == 0


def test_seed_facets_and_meeting_pages(service):
    result = service.search(SearchRequest(q=""))
    facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert set(facets["ar"]) == {"2008", "2010", "2015", "2017"}
    assert sum(facets["organisation"].values()) == result.total
    summaries = service.meetings()
    assert len(summaries) == 5
    for summary in summaries:
        page = service.meeting(summary.id)
        assert page is not None and len(page.meeting.items) == summary.item_count
        assert service.source_file(summary.id) is not None
    umea = [m for m in summaries if m.organisation == "Umeåregionen"]
    assert service.meeting(umea[0].id).previous_id == umea[1].id  # newest first → previous


def test_procedural_items_rank_below_real_ones(service):
    # "Mötets öppnande", "Nästa möte" … match "möte" in their titles, yet rank below real items.
    flags = [h.procedural for h in service.search(SearchRequest(q="möte", page_size=50)).hits]
    assert True in flags
    assert not any(flags[:5])


@pytest.mark.parametrize(
    ("typo", "fix"),
    [("flyktnig", "flykting"), ("e-tjänser", "e-tjänster"), ("brottsofferjuor", "brottsofferjour")],
)
def test_menade_du_on_the_seeds(service, typo: str, fix: str):
    result = service.search(SearchRequest(q=typo))
    assert result.suggestion == fix
    assert service.search(SearchRequest(q=fix)).total > 0


def test_trends_for_a_topic_leave_procedural_items_out(service):
    from indexer.query import TrendsRequest

    trends = service.trends(TrendsRequest(topic="digitalisering"))
    assert trends.total >= 3  # 004 item 2, 002 § 26, 003's IT item
    assert "Skåne Nordväst" in {s.name for s in trends.series}
    everything = service.trends(TrendsRequest())
    every_item = service.search(SearchRequest(page_size=100))
    assert every_item.total <= 100
    procedural = sum(1 for h in every_item.hits if h.procedural)
    passages = sum(1 for h in every_item.hits if h.kind == "passage")
    assert procedural > 0 and passages > 0
    assert everything.total == every_item.total - procedural - passages  # trends count items
