"""Swedish analysis: the token scheme the index and query layers rely on, and pickling."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Or, Term

from indexer.analysis import (
    EXACT,
    FOLD,
    PART,
    SwedishAnalyzer,
    SwedishTermFilter,
    SwedishTokenizer,
    fold,
    index_terms,
    is_stopword,
    phrase_term,
    query_variants,
    split_compound,
    stem_sv,
    swedish_analyzer,
    tokenize,
    written_terms,
)


def test_stems_match_snowball_3() -> None:
    assert stem_sv("kommunerna") == "kommun"
    assert stem_sv("beslutade") == "beslut"
    # Whoosh's bundled old Snowball leaves -et alone; the current algorithm strips it.
    assert stem_sv("sammanträdet") == "sammanträd"
    assert stem_sv("e-tjänsterna") == "e-tjänst"


@pytest.mark.parametrize("word", ["förbundet", "förbundets", "projektet", "utskottet", "landstinget", "regionförbundet"])
def test_neuter_definite_is_stemmed_like_the_bare_noun(word: str) -> None:
    bare = word.removesuffix("s").removesuffix("et")
    assert stem_sv(word) == stem_sv(bare)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Umeå", "umea"),
        ("ÖREBRO", "orebro"),
        ("Sundström", "sundstrom"),
        ("café Müller", "cafe muller"),
        ("e-tjänster", "e-tjanster"),
        ("Bølle", "bolle"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_stopwords_from_data_file() -> None:
    assert is_stopword("och") and is_stopword("Att") and is_stopword("på")
    assert not is_stopword("kommun") and not is_stopword("beslut")


def test_tokenize_keeps_hyphenated_words_and_offsets() -> None:
    text = "Gemensamma e-tjänster, IT-samverkan 2015–2016 (Umeå)."
    tokens = tokenize(text)
    assert [t[0] for t in tokens] == [
        "Gemensamma",
        "e-tjänster",
        "IT-samverkan",
        "2015",
        "2016",
        "Umeå",
    ]
    for word, start, end in tokens:
        assert text[start:end] == word


def test_index_terms_of_a_compound() -> None:
    terms = index_terms("Flyktingmottagningen")
    assert terms[:3] == (EXACT + "flyktingmottagningen", "flyktingmottagning", FOLD + "flyktingmottagning")
    assert {PART + "flyktingmottagning", PART + "flykting", PART + "mottagning"} <= set(terms)
    assert len(terms) == len(set(terms))


def test_index_terms_of_hyphenated_words() -> None:
    terms = set(index_terms("e-tjänsteplattformen"))
    assert {PART + "e-tjänsteplattform", PART + "e-tjänst", PART + "plattform", PART + "tjänst"} <= terms
    assert PART + "e" not in terms
    assert {PART + "it", PART + stem_sv("samverkan")} <= set(index_terms("IT-samverkan"))


def test_stop_words_have_no_terms() -> None:
    assert index_terms("och") == ()
    assert query_variants("och") == []
    assert phrase_term("Och") is None
    assert phrase_term("Kommunerna") == "kommun"


def test_query_variants_weights_and_folding() -> None:
    # ``~flykting`` and ``^flykting`` are not written for the word "flykting" itself, so their
    # weights (1 and 0.25) also go to the plain stem term that stands for them.
    assert query_variants("flykting") == [
        (EXACT + "flykting", 4.0),
        ("flykting", 3.25),
        (PART + "flykting", 1.0),
        (FOLD + "flykting", 0.25),
    ]
    umea = dict(query_variants("umea"))
    assert FOLD + "umea" in umea  # the stem of "umea" is "ume", of "umeå" "umeå"
    assert set(dict(query_variants("forbund"))) & set(index_terms("förbund"))
    assert set(dict(query_variants("Orebro"))) & set(index_terms("Örebro"))


@pytest.mark.parametrize(
    ("query", "document_word"),
    [
        ("flykting", "flyktingmottagningen"),
        ("e-tjänst", "e-tjänsteplattformen"),
        ("nämnd", "överförmyndarnämnd"),
        ("räddningstjänst", "räddningstjänstsorganisationen"),
        ("umea", "Umeå"),
        ("sundstrom", "Sundström"),
        ("forbund", "förbundet"),
        ("e-tjänster", "e-tjänst"),
    ],
)
def test_query_word_reaches_document_word(query: str, document_word: str) -> None:
    assert set(dict(query_variants(query))) & set(index_terms(document_word))


def _stream(text: str, mode: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in swedish_analyzer()(text, positions=True, mode=mode)]


def test_analyzer_positions_and_modes() -> None:
    indexed = _stream("Flyktingmottagningen och Umeå", "index")
    assert (PART + "flykting", 0) in indexed
    assert (FOLD + "umea", 2) in indexed  # "och" is dropped but keeps its position
    assert all(pos != 1 for _, pos in indexed)
    queried = _stream("Flyktingmottagningen och Umeå", "query")
    assert not any(text.startswith(PART) for text, _ in queried)
    assert ("flyktingmottagning", 0) in queried


def test_analyzer_keeps_stopped_tokens_when_asked() -> None:
    tokens = [(t.text, t.stopped) for t in swedish_analyzer()("i Umeå", removestops=False, mode="index")]
    assert tokens[0] == (EXACT + "i", True)
    assert (FOLD + "umea", False) in tokens


def test_analyzer_pickles() -> None:
    analyzer = swedish_analyzer()
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer
    assert [t.text for t in clone("Umeå")] == [t.text for t in analyzer("Umeå")]
    assert SwedishTokenizer() == SwedishTokenizer() and SwedishTermFilter() == SwedishTermFilter()


def test_real_whoosh_index_round_trip(tmp_path: Path) -> None:
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=swedish_analyzer()))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(id="a", text="Flyktingmottagningen i Umeå och e-tjänsteplattformen")
        writer.add_document(id="b", text="Kommunerna beslutade om bredbandsutbyggnad")
    reopened = index.open_dir(str(tmp_path))
    with reopened.searcher() as searcher:

        def ids(term: str) -> set[str]:
            return {hit["id"] for hit in searcher.search(Term("text", term))}

        assert ids(EXACT + "flyktingmottagningen") == {"a"}
        assert ids(stem_sv("kommunen")) == {"b"}
        assert ids(PART + "flykting") == {"a"}
        assert ids(PART + "bredband") == {"b"}
        assert ids(FOLD + "umea") == {"a"}
        assert ids(PART + "e-tjänst") == {"a"}
        query = Or([Term("text", t, boost=w) for t, w in query_variants("flykting")])
        assert [hit["id"] for hit in searcher.search(query)] == ["a"]


def test_split_compound_lowercases() -> None:
    assert split_compound("Flyktingmottagning") == ("flykting", "mottagning")
    assert split_compound("kommun") == ()


_WORDS = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzåäöé-")), min_size=1, max_size=30
)


@settings(max_examples=150, deadline=None)
@given(_WORDS)
def test_index_terms_properties(word: str) -> None:
    terms = index_terms(word)
    assert len(terms) == len(set(terms))
    if terms:
        assert terms[0] == EXACT + word
        assert all(t for t in terms)
        assert {t for t, _ in query_variants(word)} & set(terms)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_tokenize_offsets_property(text: str) -> None:
    for word, start, end in tokenize(text):
        assert text[start:end] == word and word


def test_written_terms_leave_out_what_the_plain_stem_implies() -> None:
    assert written_terms("kommunerna") == [EXACT + "kommunerna", "kommun"]
    assert written_terms("Umeå") == [EXACT + "umeå", "umeå", FOLD + "umea"]
    compound = written_terms("flyktingmottagningen")
    assert compound[:2] == [EXACT + "flyktingmottagningen", "flyktingmottagning"]
    assert {PART + "flykting", PART + "mottagning"} <= set(compound)
    assert PART + "flyktingmottagning" not in compound and FOLD + "flyktingmottagning" not in compound
    assert written_terms("och") == []


_RELATED = st.tuples(
    _WORDS,
    st.booleans(),
    st.sampled_from(["", "region", "kommun", "e-", "it-", "bredbands"]),
    st.sampled_from(["", "en", "er", "erna", "et", "ets", "s", "ar", "mottagning", "-samverkan"]),
)


@settings(max_examples=400, deadline=None)
@given(_RELATED, st.booleans())
def test_written_index_answers_every_query_as_the_full_one(
    related: tuple[str, bool, str, str], swap: bool
) -> None:
    """A query word meets a document word through the written terms exactly when it did
    through all of ``index_terms`` (the old, fully written index). The document word is built
    from the query word (compounds, inflections, folded accents) so that they often meet."""
    word, folded, before, after = related
    query, document_word = word, before + (fold(word) if folded else word) + after
    if swap:
        query, document_word = document_word, query
    written = set(written_terms(document_word))
    assert written <= set(index_terms(document_word))
    assert bool({t for t, _ in query_variants(query)} & written) == _matched_before(query, document_word)


def _matched_before(query: str, document_word: str) -> bool:
    """The old rule: the query's variants (all prefixes, unrewritten) against every index term."""
    from indexer.analysis import logical_variants

    word = query.lower()
    if not word or is_stopword(word):
        return False
    return bool(set(logical_variants(word)) & set(index_terms(document_word)))


@pytest.mark.parametrize(
    ("query", "document_word"),
    [("kommun", "kommunerna"), ("kommun", "Kommunförbundet"), ("umea", "Umeå"), ("umea", "umea"),
     ("forbund", "förbundet"), ("flykting", "flyktingmottagningen"), ("e-tjänst", "e-tjänsteplattformen"),
     # Accented query, accent-less document (lost in a PDF): only the stem term stands for ``^x``.
     ("nämnd", "namnden"), ("förbund", "forbunds"), ("väg", "vagen")],
)
def test_written_index_keeps_the_examples_matching(query: str, document_word: str) -> None:
    assert {t for t, _ in query_variants(query)} & set(written_terms(document_word))


_SWEDISH_TEXT = st.lists(st.one_of(_WORDS, st.sampled_from(
    ["och", "att", "§ 12", "e-tjänster", "Räddningstjänsten", "-", "  ", "2019", "Flyktíng", "–"])),
    max_size=40).map(" ".join)


@given(st.one_of(_SWEDISH_TEXT, st.text(max_size=120)))
def test_the_writers_fast_path_writes_what_whoosh_writes(text: str) -> None:
    """``FlatPositions.word_values`` through ``SwedishAnalyzer.term_positions`` gives exactly the
    (term, count, weight, value) tuples of Whoosh's own path through the tokenizer and filter."""
    from whoosh.formats import Positions

    from indexer.codec import FlatPositions

    analyzer, format_ = swedish_analyzer(), FlatPositions(field_boost=1.5)
    fast = list(format_.word_values(text, analyzer, mode="index"))
    whoosh = list(Positions.word_values(format_, text, analyzer, mode="index"))
    assert fast == whoosh
    # The fast path is the one taken for index mode, and only there.
    calls: list[str] = []

    class Counting(SwedishAnalyzer):
        def term_positions(self, value: str) -> dict[str, list[int]]:  # type: ignore[override]
            calls.append(value)
            return super().term_positions(value)

    assert list(format_.word_values(text, Counting(), mode="index")) == whoosh and calls == [text]
    list(format_.word_values(text, Counting(), mode="query"))
    assert calls == [text]


_BOUNDARY_TEXT = st.lists(st.sampled_from(["ab", "Å", "-", "--", "_", " ", "1", "é-", "-x", "\n", "."]),
                          max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_BOUNDARY_TEXT, st.text(max_size=80)))
def test_word_pattern_cuts_words_as_the_plain_greedy_pattern_does(text: str) -> None:
    """``WORD_RE``'s possessive hyphen tail is only faster: the same words as the greedy form."""
    import re

    from indexer.analysis import WORD_RE

    greedy = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
    assert [m.span() for m in WORD_RE.finditer(text)] == [m.span() for m in greedy.finditer(text)]
