"""One typed word, prefix or phrase → weighted index terms across the text fields.

The query language (``indexer.querylang``) decides *what* the user asked; this module decides
*which index terms* answer each leaf, in title, decisions and text, each field with its weight:

* the exact form, the stem, compound parts and the accent-folded stem
  (``indexer.analysis.logical_variants``);
* word families and concept groups (``indexer.related``), with lower weights;
* a compound query written apart: "vindkraftsetablering" also finds an item with both
  "vindkraft" and "etablering" ("etablering av vindkraft"), below the compound itself;
* two typed words as one closed compound: "intern kontroll" also finds "internkontrollen".

Every leaf also reports the terms to highlight, the words typed (for spelling suggestions) and
the concept members used (for "Visar även träffar för: …") to the compiling state, through the
small ``Recorder`` protocol.
"""

from __future__ import annotations

from typing import Protocol

from whoosh import query as wq

from indexer import analysis, related
from indexer.decompound import is_regular_compound, linking_forms, split_word

# Searched text fields and their weight: a word in the title says more than one in the body;
# passages (text no item holds), the meeting header and attendance lists rank below items.
# The reasoning is in README.md, "Hur träffar rankas".
TEXT_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0), ("decisions", 1.5), ("text", 1.0),
    ("passage", 0.7), ("header", 0.4), ("attendance", 0.2),
)
# The form typed, found as written, multiplies its variant weight (``analysis.query_variants``
# gives it 4 against 3.5 for the stem), so a document holding the very word typed ranks above
# documents holding only other forms of it, even in a weightier field or many times over
# (issue 13: exact > inflected > …). Measured on the 85 dev minutes' known-item probes (issue
# 11; a word found in one file only must find that file in the first ten): 249 of 254 with
# factor 1, 251 with 2, 253 with 4 and 8 before the new parser; with it, 251 with 4 and 253
# with 16 (at 4, "kommunen" once in a long passage lost to 123 items with "kommun…" in their
# titles, and "ekonomer" in an attendance line lost to "ekonom…" in item text).
EXACT_FORM_FACTOR = 16.0
MIN_PREFIX = 2
APART_WEIGHT = 0.5  # boost of a compound's parts found apart (each part's stem scores this)
CLOSED_WEIGHT = 0.75  # a two-word query as one closed compound (stem; as a part half); counted twice
MIN_APART_PART = 3  # parts shorter than this ("el", "it") are too vague to search alone


def _form_factor(term: str) -> float:
    """``EXACT_FORM_FACTOR`` for the typed form found as written, 1 for every other variant."""
    return EXACT_FORM_FACTOR if term.startswith(analysis.EXACT) else 1.0


class Recorder(Protocol):
    """What a leaf reports back while the query is compiled."""

    terms: set[str]
    words: list[str]
    leaves: list[wq.Query]
    concepts: bool  # apply concept groups (switchable by the user)
    related: list[str]  # concept members used, told to the user

    def note(self, text: str) -> None: ...


def _across_fields(make: object) -> wq.Query | None:
    """One sub-query per text field, weighted, OR-ed: a word may be in title, decision or text."""
    subs = []
    for fieldname, weight in TEXT_FIELDS:
        q = make(fieldname)  # type: ignore[operator]
        if q is not None:
            subs.append(_boosted(q, weight))
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def _boosted(q: wq.Query, weight: float) -> wq.Query:
    if weight != 1.0:
        q.boost = q.boost * weight
    return q


def word_query(raw: str, state: Recorder) -> wq.Query | None:
    word = raw.strip().strip(".,;:!?¿¡'`´’”“()[]{}").lower()
    if not word:
        return None
    if word == "*":
        return None
    if word.endswith("*"):
        return prefix_query(word.rstrip("*"), state)
    if "*" in word or "?" in word:
        word = word.replace("*", "").replace("?", "")
        state.note("Jokertecken mitt i ord stöds inte; ordet söktes utan dem.")
    if not word or analysis.is_stopword(word):
        return None
    logical = analysis.logical_variants(word)
    _add_derivations(logical, word)
    phrases: list[related.Member] = []
    if state.concepts:
        phrases = _add_concepts(logical, related.concepts_for([word]), state)
    variants = analysis.written_weights(logical)
    state.words.append(word)
    state.terms.update(t for t, _ in variants)

    phrases_q = [c for c in (_concept_phrase(m, state) for m in phrases) if c is not None]

    def word_terms(scale: float) -> wq.Query | None:
        def make(fieldname: str) -> wq.Query:
            terms = [wq.Term(fieldname, t, boost=b * scale * _form_factor(t)) for t, b in variants]
            return terms[0] if len(terms) == 1 else wq.Or(terms)

        q = _across_fields(make)
        return wq.Or([q, *phrases_q]) if q is not None and phrases_q else q

    parts = _apart_parts(word, state)
    if parts:
        # q OR (part AND part …), written as AND over (q/n OR part): the same documents, and
        # every score is the plain sum of the terms a document holds, which is what
        # indexer.scoring computes (it does not follow the boolean structure).
        shares = [word_terms(1.0 / len(parts)) for _ in parts]
        q = wq.And([wq.Or([share, part]) for share, part in zip(shares, parts) if share is not None])
    else:
        q = word_terms(1.0)
    if q is None:
        return None
    state.leaves.append(q)
    return q


def _add_derivations(logical: dict[str, float], word: str) -> None:
    for stem in related.derived_stems(word):
        logical.setdefault(stem, analysis.DERIVATION_WEIGHT)
        logical.setdefault(analysis.PART + stem, analysis.DERIVATION_WEIGHT / 2)


def _add_concepts(
    logical: dict[str, float], members: tuple[related.Member, ...], state: Recorder
) -> list[related.Member]:
    """Single-word members join the word's terms; expressions come back for phrase queries."""
    phrases = []
    for member in members:
        if member.text not in state.related:
            state.related.append(member.text)
        if len(member.stems) > 1:
            phrases.append(member)
            continue
        # The member as a word only, not as a compound part: a concept group of eight members
        # would otherwise add 48 terms to one word (indexer.budget counts them).
        logical.setdefault(member.stems[0], analysis.CONCEPT_WEIGHT)
    return phrases


def _concept_phrase(member: related.Member, state: Recorder) -> wq.Query | None:
    """"digital förvaltning" as a phrase of stems (stop words inside widen the slop).

    Weight 0: the phrase finds items but adds no score, because the numpy ranking scores a
    phrase's words wherever they occur (``indexer.scoring``), phrase matched or not.
    """
    state.terms.update(member.stems)
    return _across_fields(
        lambda f: wq.Phrase(f, list(member.stems), slop=1 + member.stopped, boost=0.0)
    )


def _apart_parts(word: str, state: Recorder) -> list[wq.Query]:
    """One query per part of a compound word (its stem, in any field, ``APART_WEIGHT``)."""
    parts = [analysis.stem_sv(p) for p in split_word(word)]
    if len(parts) < 2 or any(len(p) < MIN_APART_PART for p in parts):
        return []
    state.terms.update(parts)
    found = [_across_fields(lambda f, p=p: wq.Term(f, p, boost=APART_WEIGHT)) for p in parts]
    return [q for q in found if q is not None]


def closed_compound_query(first: str, second: str, state: Recorder) -> wq.Query | None:
    """Two typed words as the compound they may form: "intern kontroll" → "internkontroll".

    The candidates are the first word as it is and in the linking forms the dictionary gives it
    ("skola" → "skol"), plus the linking -s; only those the splitter accepts as a compound are
    searched, as a word (``CLOSED_WEIGHT``) and as a compound part (half of it). Concept groups
    with the two words as a member ("digital förvaltning") come in here too.
    """
    first, second = first.lower(), second.lower()
    if not (first.isalpha() and second.isalpha()) or analysis.is_stopword(first) or analysis.is_stopword(second):
        return None
    joins = [first + second, first + "s" + second, *(f + second for f in linking_forms(first))]
    logical: dict[str, float] = {}
    for joined in dict.fromkeys(joins):
        if is_regular_compound(joined):
            stem = analysis.stem_sv(joined)
            logical.setdefault(stem, CLOSED_WEIGHT)
            logical.setdefault(analysis.PART + stem, CLOSED_WEIGHT / 2)
    phrases = _add_concepts(logical, related.concepts_for([first, second]), state) if state.concepts else []
    alternatives = [_concept_phrase(m, state) for m in phrases]
    if logical:
        variants = analysis.written_weights(logical)
        state.terms.update(t for t, _ in variants)
        alternatives.append(
            _across_fields(lambda f: wq.Or([wq.Term(f, t, boost=b) for t, b in variants]))
        )
    kept = [a for a in alternatives if a is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.Or(kept)


def prefix_query(stem: str, state: Recorder) -> wq.Query | None:
    if len(stem) < MIN_PREFIX:
        state.note(f"Prefixsökning kräver minst {MIN_PREFIX} tecken före *; ”{stem}*” ignorerades.")
        return None
    state.terms.add(analysis.EXACT + stem + "*")
    q = _across_fields(lambda f: wq.Prefix(f, analysis.EXACT + stem))
    if q is not None:
        state.leaves.append(q)
    return q


def phrase_query(text: str, state: Recorder) -> wq.Query | None:
    words = [w.lower() for w, _, _ in analysis.tokenize(text)]
    if not words:
        return None
    if len(words) == 1:  # a quoted single word means exactly that form
        state.terms.add(analysis.EXACT + words[0])
        state.words.append(words[0])
        q = _across_fields(lambda f: wq.Term(f, analysis.EXACT + words[0]))
        if q is not None:
            state.leaves.append(q)
        return q
    stems = [t for t in (analysis.phrase_term(w) for w in words) if t]
    if not stems:
        return None
    state.words.extend(words)
    for w in words:
        state.terms.update(t for t, _ in analysis.query_variants(w) if not t.startswith(analysis.PART))
    exact = [analysis.EXACT + w for w in words if not analysis.is_stopword(w)]

    def make(fieldname: str) -> wq.Query:
        if len(stems) == 1:
            return wq.Term(fieldname, stems[0])
        loose = wq.Phrase(fieldname, stems)
        strict = wq.Phrase(fieldname, exact, boost=2.0) if len(exact) == len(stems) else None
        return wq.Or([strict, loose]) if strict is not None else loose

    q = _across_fields(make)
    if q is not None:
        state.leaves.append(q)
    return q
