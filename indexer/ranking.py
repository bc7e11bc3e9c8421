"""Scoring: BM25F with procedural items ("Mötets öppnande", "Val av justerare") ranked low.

Measured alternative, rejected: a single-pass collector that gathers the facet base set and the
ranked page together. It must score every match, while Whoosh's top-N collector prunes
sub-queries that cannot reach the page once it is full; ``docs_for_query`` (no scoring) plus the
top-N pass was 95 ms against 172 ms for a 9 000-item match.
"""

from __future__ import annotations

from whoosh.scoring import BM25F

# "Val av justerare" may match, but below every real item. 0.1 until the typed word form got
# four times its weight (queryterms.EXACT_FORM_FACTOR); then a procedural item with the exact
# word outranked a real item holding it only as a compound part, so 0.1 / 4.
PROCEDURAL_FACTOR = 0.025


class ItemWeighting(BM25F):
    """BM25F, with procedural items' scores multiplied down (set ``procedural`` per search)."""

    use_final = True

    def __init__(self) -> None:
        super().__init__()
        self.procedural: bytes = b""

    def final(self, searcher: object, docnum: int, score: float) -> float:
        flags = self.procedural
        if docnum < len(flags) and flags[docnum]:
            return score * PROCEDURAL_FACTOR
        return score
