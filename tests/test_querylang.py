"""The query language: operators in two languages, fields, ranges, and best-effort reading."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer import analysis
from indexer.expansion import bound_expansions
from indexer.querylang import compile_query
from indexer.queryterms import TEXT_FIELDS


def leaf_terms(q: wq.Query | None) -> set[tuple[str, str]]:
    return {(t[0], t[1].decode() if isinstance(t[1], bytes) else t[1]) for t in q.all_terms()} if q else set()


def test_plain_word_searches_all_text_fields_with_variants() -> None:
    cq = compile_query("flyktingmottagning")
    terms = leaf_terms(cq.query)
    for fieldname in ("title", "decisions", "text"):
        assert (fieldname, analysis.EXACT + "flyktingmottagning") in terms
        assert (fieldname, analysis.stem_sv("flyktingmottagning")) in terms
    assert cq.message is None
    assert cq.words == ("flyktingmottagning",)


def test_words_are_anded_and_relaxed_alternative_is_ored() -> None:
    cq = compile_query("gemensam flyktingmottagning")
    assert isinstance(cq.query, wq.And)
    assert isinstance(cq.relaxed, wq.Or)


def test_swedish_and_english_operators_are_equivalent() -> None:
    assert repr(compile_query("skola OCH omsorg").query) == repr(compile_query("skola AND omsorg").query)
    assert repr(compile_query("skola ELLER omsorg").query) == repr(compile_query("skola OR omsorg").query)
    assert repr(compile_query("skola INTE omsorg").query) == repr(compile_query("skola NOT omsorg").query)
    assert isinstance(compile_query("skola OR omsorg").query, wq.Or)


def test_minus_word_excludes_and_is_not_highlighted() -> None:
    cq = compile_query("skola -gymnasium")
    assert isinstance(cq.query, wq.And)
    assert any(isinstance(s, wq.Not) for s in cq.query.subqueries)
    assert not any("gymnasi" in t for t in cq.terms)
    assert cq.words == ("skola",)


def test_only_negation_means_everything_except() -> None:
    cq = compile_query("INTE budget")
    assert isinstance(cq.query, wq.And)
    assert isinstance(cq.query.subqueries[0], wq.Every)


def test_phrase_uses_stems_and_exact_forms() -> None:
    cq = compile_query('"gemensam nämnd"')
    phrases = [q for q in cq.query.leaves() if isinstance(q, wq.Phrase)]
    assert phrases, cq.query
    words = {tuple(p.words) for p in phrases}
    assert (analysis.EXACT + "gemensam", analysis.EXACT + "nämnd") in words


def test_quoted_single_word_is_exact_form_only() -> None:
    cq = compile_query('"e-tjänster"')
    assert leaf_terms(cq.query) == {(f, analysis.EXACT + "e-tjänster") for f, _ in TEXT_FIELDS}


def test_prefix_and_too_short_prefix() -> None:
    cq = compile_query("digital*")
    assert any(isinstance(q, wq.Prefix) and q.text == analysis.EXACT + "digital" for q in cq.query.leaves())
    short = compile_query("a*")
    assert short.query is None and "minst" in short.message and short.matches_nothing


def test_field_filters_are_extracted_with_swedish_and_folded_names() -> None:
    cq = compile_query('e-tjänster kommun:Umeå år:2015 ämne:digitalisering beslut:ja organisation:"Skåne Nordväst"')
    assert ("kommun", "Umeå") in cq.field_filters
    assert ("ar", "2015") in cq.field_filters
    assert ("amne", "digitalisering") in cq.field_filters
    assert ("beslut", "ja") in cq.field_filters
    assert ("organisation", "Skåne Nordväst") in cq.field_filters
    assert cq.words == ("e-tjänster",)
    assert compile_query("amne:skola lan:Skåne").field_filters == (("amne", "skola"), ("lan", "Skåne"))


def test_negated_field_filter() -> None:
    cq = compile_query("skola -kommun:Umeå")
    assert cq.excluded_filters == (("kommun", "Umeå"),)


def test_date_ranges() -> None:
    cq = compile_query("datum:2015-01-01..2016-12-31")
    assert (cq.date_from, cq.date_to) == ("2015-01-01", "2016-12-31")
    assert cq.query is None
    years = compile_query("år:2010..2012 skola")
    assert (years.date_from, years.date_to) == ("2010-01-01", "2012-12-31")
    flipped = compile_query("datum:2016..2015")
    assert (flipped.date_from, flipped.date_to) == ("2015-01-01", "2016-12-31")
    bad = compile_query("datum:igår..imorgon")
    assert bad.date_from is None and "förstods inte" in bad.message


def test_malformed_queries_are_read_best_effort_with_a_swedish_message() -> None:
    cases = {
        '"gemensam nämnd': "citattecken",
        "AND": "AND/OCH",
        "flykting OR": "OR/ELLER",
        "NOT": "NOT/INTE",
        "(skola OR omsorg": "parentes",
        "skola)": "parentes",
        "foo:bar skola": "Okänt fält",
        "kommun: skola": "saknade värde",
    }
    for text, needle in cases.items():
        cq = compile_query(text)
        assert cq.message and needle in cq.message, (text, cq.message)


def test_unbalanced_quote_still_searches_the_phrase() -> None:
    cq = compile_query('"gemensam nämnd')
    assert any(isinstance(q, wq.Phrase) for q in cq.query.leaves())


def test_stop_words_alone_match_nothing_with_a_message() -> None:
    cq = compile_query("och att det")
    assert cq.query is None and cq.matches_nothing and "sökbara" in cq.message
    assert compile_query("a*").matches_nothing
    assert not compile_query("*").matches_nothing
    assert not compile_query("kommun:Umeå").matches_nothing
    assert not compile_query("").matches_nothing


def test_natural_question_keeps_content_words() -> None:
    cq = compile_query("vad beslutade vi om gemensam flyktingmottagning?")
    assert "flyktingmottagning" in cq.words and "gemensam" in cq.words
    assert "vi" not in cq.words


def test_huge_or_query_is_capped() -> None:
    cq = compile_query(" OR ".join(f"ord{i}" for i in range(5000)))
    assert cq.message and "fler än" in cq.message
    assert len(cq.words) <= 64


def test_bound_expansions_caps_prefix_terms(tmp_path) -> None:
    from whoosh import fields, index

    schema = fields.Schema(**{f: fields.TEXT(analyzer=analysis.swedish_analyzer()) for f in ("title", "decisions", "text")})
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        for i in range(40):
            w.add_document(text=f"arbete{i} arbetsmarknad{i}")
    with ix.searcher() as s:
        q, cut = bound_expansions(compile_query("arbe*").query, s.reader(), limit=10)
        assert cut
        assert len(list(q.leaves())) <= 30  # 10 per text field at most
        assert s.search(q, limit=None).scored_length() > 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_compile_query_never_raises(text: str) -> None:
    cq = compile_query(text)
    assert cq.query is None or isinstance(cq.query, wq.Query)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "OCH", "ELLER", "INTE", "-", "*", "kommun:",
                         "år:2015", "datum:2015..", "skola", "e-tjänst*", "ämne:x", ":", "-kommun:Umeå"]),
        max_size=12,
    )
)
def test_operator_soup_never_raises(parts: list[str]) -> None:
    compile_query(" ".join(parts))


def test_word_query_on_a_written_index_ranks_exact_stem_part_folded(tmp_path) -> None:
    """The index writes no ``~x``/``^x`` that the plain stem implies; the query must still find
    the word in every form and keep the ranking: exact > inflected > compound part > folded."""
    from whoosh import index

    from indexer.schema import build_schema

    ix = index.create_in(str(tmp_path), build_schema())
    texts = {
        "exakt": "förbund beslut idag",
        "böjd": "förbunden beslut idag",
        "del": "kommunförbund beslut idag",
        "utan-accent": "forbund beslut idag",
        "annat": "nämnden beslut idag",
    }
    with ix.writer() as w:
        for item_id, text in texts.items():
            w.add_document(kind="item", item_id=item_id, text=text)
    with ix.searcher() as s:
        hits = s.search(compile_query("förbund").query, limit=None)
        assert [h["item_id"] for h in hits] == ["exakt", "böjd", "del", "utan-accent"]
        # The accent-less spelling finds the accented words and compound parts (issue 13).
        hits = s.search(compile_query("forbund").query, limit=None)
        assert {h["item_id"] for h in hits} == {"exakt", "böjd", "del", "utan-accent"}
        hits = s.search(compile_query('"förbunden beslut"').query, limit=None)
        assert [h["item_id"] for h in hits] == ["böjd", "exakt"]
