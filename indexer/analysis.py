"""Swedish text analysis for the Whoosh index: tokens, stems, compound parts and accent folding.

Every word answers to several terms at the same position, told apart by a prefix, so one index
serves exact, inflected, compound-part and accent-less search (see ``index_terms``):

* ``=flyktingmottagningen``  the exact lower-cased form (ranks exact matches first),
* ``flyktingmottagning``     the Snowball stem (inflections match each other),
* ``^flyktingmottagning``    the accent-folded stem ("umea" finds "Umeå"),
* ``~flykting``, ``~mottagning``, ``~flyktingmottagning``  stems of compound and hyphen parts
  and of the whole word, at index time only, so the query term ``~flykting`` matches both the
  word "flyktingar" and the compound "flyktingmottagningen".

Not all of them are written (``written_terms``): ``^x`` is left out when the folded stem equals
the plain stem ``x``, and ``~x`` when the part is the word's own stem ``x``, because the plain
stem term already says the same thing. That cuts the postings by 38 % (4.35 → 2.68 terms per
word on 1 000 synthetic meetings) and the write time with them. ``query_variants``
compensates: every ``^x`` and ``~x`` it asks for is also asked for as the plain stem ``x``, so
a query matches exactly the documents it matched when every term was written.

Whoosh pickles the schema, and with it the analyzer, into the index. So every tokenizer and
filter here is a top-level class without state; the stemmer and the compound lexicon are reached
through module-level cached functions. Never rename or move these classes: existing indexes
refer to them by import path (``indexer.analysis.SwedishTokenizer``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from indexer.decompound import split_parts, split_word
from indexer.dictionary import WORD, Lexicon, lexicon, read_word_list

EXACT = "="  # prefix of the exact (lower-cased, unfolded) original form
PART = "~"  # prefix of compound/hyphen part stems (index time only)
FOLD = "^"  # prefix of the accent-folded stem

# Words are runs of letters/digits; inner hyphens keep "e-tjänster" and "IT-samverkan" whole.
# The possessive tail matches the same words as a greedy one (nothing follows it to backtrack
# for) and scans about 15 % faster.
WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*+")
_WORD_CHAR = re.compile(r"[^\W_]")
MAX_SPANS = 10  # sub-compounds per word (a 4-part word has 9 runs of parts besides itself)
MIN_HYPHEN_PART = 2  # "e" in "e-tjänster" is no search term on its own; "it" is
# Letters NFKD does not decompose; folded by hand so "Bølle"/"Æble" behave like the rest.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ß": "ss", "œ": "oe"})


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    """One Snowball Swedish stemmer per process (PyStemmer's C backend when installed)."""
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=200_000)
def stem_sv(word: str) -> str:
    """Snowball Swedish stem of a lower-case word, after the dictionary has named its word.

    Snowball alone stems many inflections apart: "hälsa" → "häls" but "hälsan" → "hälsan",
    "utbyggnad" → "utbyggn" but "utbyggnaden" → "utbyggnad", "strategin", "bredbandet" …
    So a form the dictionary lists as an inflection of another word is stemmed as that word
    (``Lexicon.lemmas``; a compound by its last part: "elevhälsan" as "elevhälsa"). Words in
    ``data/stem_protected.txt`` keep their own stem ("lager" is not "lag"). Snowball 3 also keeps
    "-et" after some endings ("förbundet", "projektet"); a neuter definite is stripped of it.
    """
    lex = lexicon()
    lemma = _lemma(word, lex)
    if lemma in lex.protected:
        return lemma
    stem = str(_stemmer().stemWord(lemma))
    if stem.endswith("et") and _is_neuter_definite(stem):
        return str(_stemmer().stemWord(stem[:-2]))
    return stem


MIN_COMPOUND_LEMMA = 7  # shorter unknown words are not looked up as compounds


def _lemma(word: str, lex: Lexicon) -> str:
    fixed = lex.lemmas.get(word)
    known = bool(lex.roles.get(word, 0) & WORD)
    if fixed is None and word.endswith("s") and word[:-1] in lex.lemmas:
        # A genitive or linking -s ("samverkans" → "samverkan" → "samverka"), but only when
        # Snowball also reads it as an ending: "remiss" is no form of "remis" (of "remi").
        snow = _stemmer()
        if not known or snow.stemWord(word) == snow.stemWord(word[:-1]):
            fixed = lex.lemmas[word[:-1]]
    if fixed is not None:
        return fixed
    if known or len(word) < MIN_COMPOUND_LEMMA or not word.isalpha():
        return word
    parts = split_parts(word)
    if parts:
        last = parts[-1][0]
        fixed = lex.lemmas.get(last)
        if fixed is not None:
            return word[: len(word) - len(last)] + fixed
    return word


def _is_neuter_definite(form: str) -> bool:
    """Listed in the dictionary, or a compound whose last part is ("regionförbundet")."""
    neuter = lexicon().neuter_definite
    if form in neuter:
        return True
    parts = split_word(form)
    return bool(parts) and parts[-1] in neuter


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case and strip diacritics (å→a, ä→a, ö→o, é→e, ü→u); hyphens are kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return read_word_list(Path(__file__).parent / "data" / "stopwords_sv.txt")


def is_stopword(word: str) -> bool:
    """Function words ("och", "att", "som") that carry no meaning in a search."""
    return word.lower() in _stopwords()


def split_compound(word: str) -> tuple[str, ...]:
    """Parts of a compound ("flyktingmottagningen" → ("flykting", "mottagningen")); () if none.

    Non-final parts come back as dictionary roots without the linking -s-/-e-, which is what a
    user would type ("bredbandsutbyggnad" → "bredband", "utbyggnad"). Hyphenated words are
    split at the hyphens by ``index_terms``, not here.
    """
    return split_word(word.lower())


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(word, startchar, endchar) for each word, case kept; hyphenated words stay whole."""
    return [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def word_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of every word of ``text`` (as ``tokenize`` cuts them) equal to one of
    ``words``, in text order.

    The same as filtering ``tokenize(text)``, without building a tuple per word: each wanted
    word is found with ``str.find`` and kept where a word starts there (no letter or digit
    before it, nor a hyphen joined to one) and ends with it. A results page asks this of
    twenty texts of a few thousand characters for the handful of words its query matched.
    """
    spans: list[tuple[int, int]] = []
    for word in words:
        n = len(word)
        start = text.find(word)
        while start >= 0:
            if not _inside_word(text, start):
                m = WORD_RE.match(text, start)
                if m is not None and m.end() == start + n:
                    spans.append((start, start + n))
            start = text.find(word, start + 1)
    spans.sort()
    return spans


def _inside_word(text: str, pos: int) -> bool:
    """Whether a word that began before ``pos`` runs on through it."""
    if pos == 0:
        return False
    if _WORD_CHAR.match(text, pos - 1):
        return True
    return text[pos - 1] == "-" and pos >= 2 and _WORD_CHAR.match(text, pos - 2) is not None


def _hyphen_part_terms(word: str) -> list[str]:
    """Part stems of "e-tjänsteplattformen": "tjänsteplattform", "tjänst", "plattform", and
    "e-tjänst" (the prefix joined to the first compound part), so the query "e-tjänst" finds it.
    """
    pieces = word.split("-")
    terms: list[str] = []
    for k, piece in enumerate(pieces):
        if len(piece) >= MIN_HYPHEN_PART and not is_stopword(piece):
            terms.append(stem_sv(piece))
        parts = split_compound(piece)
        terms.extend(stem_sv(p) for p in parts)
        if k > 0 and parts:
            terms.append(stem_sv("-".join(pieces[:k] + [parts[0]])))
    return terms


def compound_spans(word: str) -> list[str]:
    """Every sub-compound of a compound, each as a word a user could type, longest first.

    "räddningstjänstförbundets" (räddnings + tjänst + förbundets) → "räddningstjänst",
    "tjänstförbundets", "räddning", "tjänst", "förbundets": a run of parts ending inside the
    word ends in that part's root ("räddnings" → "räddning"), a run reaching the end keeps the
    word's own ending. A part that is itself a compound is opened in turn, so
    "miljöförvaltningschefen" (miljö + förvaltningschefen) also gives "förvaltning" and "chefen".
    At most ``MAX_SPANS`` per word.
    """
    spans: list[str] = []
    queue = [word]
    while queue and len(spans) < MAX_SPANS:
        for span in _direct_spans(queue.pop(0)):
            if span not in spans and span != word:
                spans.append(span)
                queue.append(span)
    return spans[:MAX_SPANS]


def _direct_spans(word: str) -> list[str]:
    parts = split_parts(word)
    n = len(parts)
    spans: list[str] = []
    for length in range(n - 1, 0, -1):
        for i in range(n - length + 1):
            j = i + length - 1
            last = parts[j][0] if j == n - 1 else parts[j][1]
            spans.append("".join(surface for surface, _ in parts[i:j]) + last)
    return spans


@lru_cache(maxsize=200_000)
def _index_terms(word: str) -> tuple[str, ...]:
    if is_stopword(word):
        return ()
    stem = stem_sv(word)
    terms = [EXACT + word, stem, FOLD + fold(stem), PART + stem]
    if "-" in word:
        parts = _hyphen_part_terms(word)
        # Each piece as written, too: "christin" typed alone is that exact form in
        # "Ann-Christin", and must outrank "Christina" (same Snowball stem, another name).
        terms.extend(EXACT + piece for piece in word.split("-")
                     if len(piece) >= MIN_HYPHEN_PART and not is_stopword(piece))
    else:
        parts = [stem_sv(p) for p in compound_spans(word)]
    terms.extend(PART + t for t in parts)
    # Accent folding reaches the parts: "forbund" finds "kommunalförbundet".
    terms.extend(FOLD + fold(t) for t in parts if fold(t) != t)
    return tuple(dict.fromkeys(terms))


def index_terms(word: str) -> tuple[str, ...]:
    """Every term one word answers to (deduplicated, in order): a query term equal to one of
    them matches the word. Highlighting and topic tagging reason in these terms; the index
    holds the smaller ``written_terms``, and ``query_variants`` bridges the two. The tuple is
    the cached one, not a copy: a results page asks this of some 300 words per query.
    """
    return _index_terms(word.lower())


def analyse_ahead(words: Iterable[str]) -> None:
    """Fill the per-word cache ``index_terms`` reads for each of ``words`` (lower-case forms).

    A results page judges every distinct word of its twenty snippets, and a word met for the
    first time costs about 30 µs (stemming, lemmas, decompounding): on a fresh server that was
    half of a query's time. ``SearchService.warm`` runs this over the archive's most frequent
    words before the workers fork, so they share the answers.
    """
    for word in words:
        _index_terms(word)


@lru_cache(maxsize=200_000)
def _written_terms(word: str) -> tuple[str, ...]:
    terms = _index_terms(word)
    if not terms:
        return ()
    implied = {FOLD + terms[1], PART + terms[1]}  # terms[1] is the plain stem
    return tuple(t for t in terms if t not in implied)


def written_terms(word: str) -> list[str]:
    """The terms the analyzer writes for one word: ``index_terms`` minus those the plain stem
    ``x`` implies, namely ``^x`` (an accent-less stem folds to itself) and ``~x`` (a word is a
    part of itself). Measured on 1 000 synthetic meetings this drops 38 % of all postings.
    """
    return list(_written_terms(word.lower()))


def _query_terms(word: str) -> tuple[str, ...]:
    """The written terms a query-mode analysis may use: no compound parts of the query word."""
    if is_stopword(word):
        return ()
    stem = stem_sv(word)
    folded = fold(stem)
    return (EXACT + word, stem) if folded == stem else (EXACT + word, stem, FOLD + folded)


# Query weights, in the ranking order the README promises: exact > inflected > compound part >
# derivation > concept > accent-folded. Derivations and concepts are added by
# ``indexer.queryterms`` (from ``indexer.related``), through ``written_weights`` as here.
EXACT_WEIGHT = 4.0
STEM_WEIGHT = 2.0
PART_WEIGHT = 1.0
DERIVATION_WEIGHT = 0.6  # a family member as a word; as a compound part half of it
CONCEPT_WEIGHT = 0.4  # a concept member as a word; as a compound part half of it
FOLD_WEIGHT = 0.25


def logical_variants(word: str) -> dict[str, float]:
    """Weighted ``index_terms`` a user word should match: exact 4 > stem 2 > part 1 > folded 0.25.

    An accent-less word ("umea", "forbund", "sundstrom") may mean an accented one. Its own stem
    can differ from the accented word's ("umea" stems to "ume", "umeå" stays "umeå"), so both
    the folded stem and the folded word as typed are tried against the ``^`` terms.
    """
    stem = stem_sv(word)
    variants: dict[str, float] = {
        EXACT + word: EXACT_WEIGHT,
        stem: STEM_WEIGHT,
        PART + stem: PART_WEIGHT,
        FOLD + fold(stem): FOLD_WEIGHT,
    }
    if fold(word) == word:
        variants.setdefault(FOLD + word, FOLD_WEIGHT)
    return variants


def written_weights(logical: dict[str, float]) -> list[tuple[str, float]]:
    """Weighted logical terms (``index_terms`` space) → the terms the analyzer really writes.

    Each ``^x`` or ``~x`` is kept (a folded accented stem, a compound part) and its weight is
    also added to the plain stem term ``x``, which stands for the ``^x``/``~x`` it implies
    (``written_terms``). Best first.
    """
    weights: dict[str, float] = {}
    for term, weight in logical.items():
        weights[term] = weights.get(term, 0.0) + weight
        if term[:1] in (FOLD, PART):
            plain = term[1:]
            weights[plain] = weights.get(plain, 0.0) + weight
    return sorted(weights.items(), key=lambda tw: -tw[1])


def query_variants(word: str) -> list[tuple[str, float]]:
    """Weighted terms to look up in the index for one user word, best first.

    These are the weighted ``index_terms`` of ``logical_variants`` rewritten for what the
    analyzer really writes (``written_weights``). The weights combine by addition, as Whoosh's
    ``Or`` adds the scores of the terms a document matches. For "flykting": ``=flykting`` 4,
    ``flykting`` 2 + 1 + 0.25 = 3.25, ``~flykting`` 1, ``^flykting`` 0.25. A document containing
    the word "flykting" scores 4 + 3.25, as it would if ``~flykting`` and ``^flykting`` were
    written beside the stem; one containing "flyktingmottagningen" scores 1 through
    ``~flykting``, and one containing "Flyktíng" 0.25 through ``^flykting``.
    """
    word = word.lower()
    if not word or is_stopword(word):
        return []
    return written_weights(logical_variants(word))


def phrase_term(word: str) -> str | None:
    """The term a phrase query uses for this word (the stem); None for stop words."""
    word = word.lower()
    if not word or is_stopword(word):
        return None
    return stem_sv(word)


class SwedishTokenizer(Tokenizer):
    """Words by ``WORD_RE`` with positions and character offsets; hyphenated words whole."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = WORD_RE.finditer(value) if tokenize else [re.match(r".*", value, re.DOTALL)]
        for pos, match in enumerate(m for m in matches if m is not None and m.group()):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class SwedishTermFilter(Filter):
    """Lower-cases, drops stop words, and emits the prefixed terms of ``written_terms``.

    In query mode (Whoosh passes ``mode="query"``) compound parts are not emitted: a query for
    a compound should match the compound, not every document that contains one of its parts.
    Stopped words keep their position number, so phrase positions stay true to the text.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            word = token.text.lower()
            terms = _written_terms(word) if token.mode != "query" else _query_terms(word)
            if not terms:
                if not token.removestops:
                    token.text = EXACT + word
                    token.stopped = True
                    yield token
                continue
            for term in terms:
                token.text = term
                yield token


class SwedishAnalyzer(CompositeAnalyzer):  # type: ignore[misc]
    """``SwedishTokenizer | SwedishTermFilter``, plus ``term_positions``: the same terms for
    writing an index without a ``Token`` per word and filter. The schema pickles this class by
    its import path: never move or rename ``indexer.analysis.SwedishAnalyzer``."""

    def __init__(self) -> None:
        super().__init__(SwedishTokenizer(), SwedishTermFilter())

    @staticmethod
    def term_positions(value: str) -> dict[str, list[int]]:
        """term → positions, in order of first occurrence: exactly the tokens the analyzer
        yields in index mode with stop words removed (``tests/test_analysis.py``).

        Whoosh's writer runs each word through the tokenizer's and the filter's generators
        and a reused ``Token`` (``Positions.word_values``): with 2 M postings per 1 000
        synthetic meetings that was the largest part of writing a segment, profiled.
        ``codec.FlatPositions.word_values`` calls this instead.
        """
        found: dict[str, list[int]] = {}
        words = (m for m in map(re.Match.group, WORD_RE.finditer(value)) if m)
        for pos, word in enumerate(words):
            for term in _written_terms(word.lower()):
                positions = found.get(term)
                if positions is None:
                    found[term] = [pos]
                else:
                    positions.append(pos)
        return found


def swedish_analyzer() -> SwedishAnalyzer:
    """The analyzer for TEXT fields (title, text, decisions)."""
    return SwedishAnalyzer()
