"""One typed word, prefix or phrase → weighted index terms across the text fields.

The query language (``indexer.querylang``) decides *what* the user asked; this module decides
*which index terms* answer each leaf: the exact form, the stem, compound parts and the
accent-folded stem of ``indexer.analysis.query_variants``, in title, decisions and text, each
field with its weight. Every leaf also reports the terms to highlight and the words typed (for
spelling suggestions) to the compiling state, through the small ``Recorder`` protocol.
"""

from __future__ import annotations

from typing import Protocol

from whoosh import query as wq

from indexer import analysis

# Searched text fields and their weight: a word in the title says more than one in the body;
# passages (text no item holds), the meeting header and attendance lists rank below items.
# The reasoning is in README.md, "Hur träffar rankas".
TEXT_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0), ("decisions", 1.5), ("text", 1.0),
    ("passage", 0.7), ("header", 0.4), ("attendance", 0.2),
)
# The form typed, found as written, multiplies its variant weight (``analysis.query_variants``
# gives it 4 against 3.5 for the stem): without this, inflections in a weightier field won over
# the typed form itself — "kommunen" listed 27 items with "kommun…" in their titles before the
# only file that says "kommunen" (a passage). Measured on the 85 dev minutes' known-item probes
# (issue 11): 249 of 254 found in the first ten with factor 1, 251 with 2, 253 with 4 and 8.
EXACT_FORM_FACTOR = 4.0
MIN_PREFIX = 2


class Recorder(Protocol):
    """What a leaf reports back while the query is compiled."""

    terms: set[str]
    words: list[str]
    leaves: list[wq.Query]

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
    variants = analysis.query_variants(word)
    if not variants:
        return None  # a stop word
    state.words.append(word)
    state.terms.update(t for t, _ in variants)

    def make(fieldname: str) -> wq.Query:
        terms = [wq.Term(fieldname, t, boost=b * EXACT_FORM_FACTOR if t.startswith(analysis.EXACT) else b)
                 for t, b in variants]
        return terms[0] if len(terms) == 1 else wq.Or(terms)

    q = _across_fields(make)
    if q is not None:
        state.leaves.append(q)
    return q


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
