"""HTML-safe snippets: escape first, then add ``<mark>`` — the only place that builds Markup.

A word is marked when any of its index terms (exact form, stem, folded stem, compound parts;
see ``indexer.analysis.index_terms``) is among the query's terms, so "flykting" marks
"flyktingmottagningen" and "umea" marks "Umeå". Everything else in the text is escaped, so a
``<script>`` inside a document comes back as inert text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

from indexer import analysis

DEFAULT_WIDTH = 240  # characters of context around the best cluster of matches
MAX_JUDGED = 20_000  # words remembered per query before the memo starts over


def matcher(terms: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Split the query terms into exact terms and prefixes (from ``=digital*``)."""
    exact, prefixes = set(), []
    for t in terms:
        if t.endswith("*"):
            prefixes.append(t[:-1])
        else:
            exact.add(t)
    return frozenset(exact), tuple(prefixes)


def _is_match(word: str, exact: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    terms = analysis.index_terms(word)
    if exact and not exact.isdisjoint(terms):
        return True
    return bool(prefixes) and any(t.startswith(p) for t in terms for p in prefixes)


def marked_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of every word in ``text`` that the query terms match.

    Each distinct word is judged once per query (``_judged``): a results page's texts repeat
    their words ("och", "kommunen", the subject itself), and judging them was most of a page's
    snippet time. Only the matched words are then located (``analysis.word_spans``): cutting
    every word of a text into a (word, start, end) tuple cost more than judging them.
    """
    exact, prefixes = matcher(terms)
    if not exact and not prefixes:
        return []
    judged = _judged(exact, prefixes)
    if len(judged) > MAX_JUDGED:
        judged.clear()
    hits = []
    for w in set(analysis.WORD_RE.findall(text)):
        hit = judged.get(w)
        if hit is None:
            hit = judged[w] = _is_match(w, exact, prefixes)
        if hit:
            hits.append(w)
    return analysis.word_spans(text, hits) if hits else []


@lru_cache(maxsize=64)
def _judged(exact: frozenset[str], prefixes: tuple[str, ...]) -> dict[str, bool]:
    """Word → whether it matches, for one query's terms (the last 64 queries are kept)."""
    return {}


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width``-character window holding the most marked words (first such window)."""
    if len(text) <= width:
        return 0, len(text)
    if not spans:
        return 0, width
    best, best_count, j = spans[0][0], 0, 0
    for i, (start, _) in enumerate(spans):  # two pointers: spans are in text order
        j = max(j, i)
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        if j - i > best_count:
            best, best_count = start, j - i
    begin = max(0, best - width // 4)
    end = min(len(text), begin + width)
    begin = max(0, end - width)
    # Widen to word boundaries so no word is cut in half.
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return begin, end


def mark(text: str, terms: Iterable[str]) -> Markup:
    """The whole text, escaped, with matching words in ``<mark>``."""
    return _render(text, marked_spans(text, terms), 0, len(text))


def snippet(text: str, terms: Iterable[str], width: int = DEFAULT_WIDTH) -> Markup:
    """The most relevant ``width`` characters of ``text``, escaped, matches in ``<mark>``."""
    text = " ".join(text.split())
    spans = marked_spans(text, terms)
    begin, end = _window(text, spans, width)
    return _render(text, spans, begin, end)


def _render(text: str, spans: list[tuple[int, int]], begin: int, end: int) -> Markup:
    parts: list[str] = ["… " if begin > 0 else ""]
    pos = begin
    for s, e in spans:
        if s < begin or e > end:
            continue
        parts.append(str(escape(text[pos:s])))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(str(escape(text[pos:end])))
    if end < len(text):
        parts.append(" …")
    return Markup("".join(parts))
