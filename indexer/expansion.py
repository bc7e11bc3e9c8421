"""Query parts that need the index: bounded prefixes, and which concept members occur.

Kept apart from ``indexer.querylang``, which never sees the index: ``a*`` must not expand to the
whole lexicon, and "Visar även träffar för: …" should only name concept members the archive
holds. Both need the reader's terms and document frequencies, which only the search service has.
"""

from __future__ import annotations

from whoosh import query as wq

from indexer import analysis
from indexer.docsets import Postings, phrase_mask
from indexer.whoosh_internals import doc_frequency


def bound_expansions(q: wq.Query, reader: object, limit: int = 256) -> tuple[wq.Query, bool]:
    """Replace prefix queries by at most ``limit`` concrete terms (most frequent first).

    ``a*`` over a national archive expands to tens of thousands of terms and would tie up a
    worker; capping keeps every query bounded. Returns the query and whether anything was cut.
    """
    cut = False

    def visit(node: wq.Query) -> wq.Query:
        nonlocal cut
        if isinstance(node, wq.Prefix):
            terms = _top_terms(reader, node.fieldname, node.text, limit + 1)
            if len(terms) > limit:
                cut = True
                terms = terms[:limit]
            if not terms:
                return wq.NullQuery
            return wq.Or([wq.Term(node.fieldname, t) for t in terms], boost=node.boost)
        if isinstance(node, wq.CompoundQuery):
            return node.__class__([visit(s) for s in node.subqueries], boost=node.boost)
        if isinstance(node, wq.Not):
            return wq.Not(visit(node.query))
        return node

    return visit(q), cut


def _top_terms(reader: object, fieldname: str, prefix: str, n: int) -> list[str]:
    """Up to ``n`` terms with the prefix, preferring the most frequent when there are many."""
    found: list[tuple[int, str]] = []
    if fieldname not in reader.schema:  # type: ignore[attr-defined]
        return []
    for scanned, raw in enumerate(reader.expand_prefix(fieldname, prefix), start=1):  # type: ignore[attr-defined]
        term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        found.append((doc_frequency(reader, fieldname, term), term))
        if scanned >= 20 * n:
            break
    found.sort(key=lambda p: (-p[0], p[1]))
    return [t for _, t in found[:n]]


ATTEST_FIELDS = ("title", "decisions", "text")


def attested(postings: Postings, members: tuple[str, ...], known: dict[str, bool] | None = None) -> list[str]:
    """The concept members the index holds: a word (or compound part), or a whole phrase.

    Only these are named in "Visar även träffar för: …"; a member the archive never uses would
    promise hits that are not there. ``known`` remembers each member's answer for the reader
    generation (``ReaderState.attested``): a phrase member is checked by its positions, and the
    same few members come with every query of their concept ("digital infrastruktur" cost up to
    10 ms a query at 100 000 meetings).
    """
    out = []
    for member in members:
        found = known.get(member) if known is not None else None
        if found is None:
            found = _holds(postings, member)
            if known is not None:
                known[member] = found
        if found:
            out.append(member)
    return out


def _holds(postings: Postings, member: str) -> bool:
    """Whether the index holds ``member``: its one stem (or as a compound part) in a text
    field, or its stems as a phrase."""
    words = [w.lower() for w, _, _ in analysis.tokenize(member)]
    kept = [w for w in words if not analysis.is_stopword(w)]
    stems = [analysis.stem_sv(w) for w in kept]
    if len(stems) == 1:
        return any(
            doc_frequency(postings.reader, f, t)
            for f in ATTEST_FIELDS
            for t in (stems[0], analysis.PART + stems[0])
        )
    slop = 1 + len(words) - len(kept)
    return bool(stems) and any(phrase_mask(postings, f, stems, slop).any() for f in ATTEST_FIELDS)
