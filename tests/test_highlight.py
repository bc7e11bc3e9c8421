"""Snippets: escape first, then mark; matches found through stems, folds and compound parts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from indexer import analysis
from indexer.highlight import mark, marked_spans, matcher, snippet
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


# Texts built from pieces that stress word boundaries: hyphens joined and loose, underscores,
# digits, accents, case, and words that occur inside longer words.
_PIECES = st.sampled_from(["kommun", "Kommun", "kommunen", "e", "-", "--", "_", " ", "  ", "\n", "é",
                           "tjänst", "e-tjänst", "IT", "2015", "ö", ".", ",", "ab", "a-b", "x_y"])  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.sets(st.sampled_from(["kommun", "Kommun", "e", "tjänst", "e-tjänst", "ab", "b", "IT",
                                        "2015", "é", "y", "a-b"])))  # fmt: skip
def test_word_spans_are_the_tokens_equal_to_the_wanted_words(text: str, words: set[str]):
    want = [(s, e) for w, s, e in analysis.tokenize(text) if w in words]
    assert analysis.word_spans(text, words) == want


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.sampled_from(["kommun", "e-tjänst", "tjänst", "umea", "beslut*", "it"]))
def test_marked_spans_are_the_tokens_the_query_terms_match(text: str, q: str):
    """The rule as stated: a word is marked when one of its index terms is a query term."""
    terms = _terms(q)
    exact, prefixes = matcher(terms)
    want = [(s, e) for w, s, e in analysis.tokenize(text)
            if not exact.isdisjoint(analysis.index_terms(w))
            or any(t.startswith(p) for t in analysis.index_terms(w) for p in prefixes)]  # fmt: skip
    assert marked_spans(text, terms) == want
