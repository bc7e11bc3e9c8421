"""Snippets: escape first, then mark; matches found through stems, folds and compound parts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from indexer.highlight import mark, snippet
from indexer.querylang import compile_query


def _terms(q: str) -> frozenset[str]:
    return compile_query(q).terms


def test_marks_inflections_compounds_and_unaccented_queries():
    text = "Umeåregionens gemensamma flyktingmottagning och flyktingarna i Umeå."
    out = mark(text, _terms("flykting umea"))
    assert "<mark>flyktingmottagning</mark>" in out
    assert "<mark>flyktingarna</mark>" in out
    assert "<mark>Umeå</mark>" in out
    assert "<mark>och</mark>" not in out


def test_escapes_markup_in_the_document():
    out = snippet('<script>alert("x")</script> om e-tjänster & <b>annat</b>', _terms("e-tjänst"))
    assert isinstance(out, Markup)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert "<mark>e-tjänster</mark>" in out


def test_prefix_terms_mark_words_with_that_prefix():
    out = mark("Digitaliseringen och digitala verktyg, inte analog.", _terms("digital*"))
    assert out.count("<mark>") == 2


def test_snippet_window_centres_on_matches_and_keeps_words_whole():
    text = "inledning " * 80 + "här finns brottsofferjouren som söks " + "avslutning " * 80
    out = snippet(text, _terms("brottsofferjour"), width=120)
    assert "<mark>brottsofferjouren</mark>" in out
    assert out.startswith("… ") and out.endswith(" …")
    assert len(out) < 220
    body = str(out)[2:-2]
    assert all(w in {"inledning", "avslutning", "här", "finns", "som", "söks"} or "mark" in w
               for w in body.split())


def test_no_terms_gives_plain_escaped_text():
    assert snippet("a < b", frozenset()) == "a &lt; b"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["kommun", "e-tjänst", "umea", "beslut*"]))
def test_snippet_never_lets_markup_through(text: str, q: str):
    out = str(snippet(text, _terms(q)))
    stripped = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert out.count("<mark>") == out.count("</mark>")
