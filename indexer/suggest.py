""""Menade du …?": spelling suggestions from the corpus's own vocabulary.

The vocabulary is the exact-form terms (``=word``) the analyzer writes for every word, so a
suggestion is always a word that really occurs in the archive — "flyktnig" → "flykting",
"e-tjänser" → "e-tjänster" — never a dictionary word that would find nothing. A word is only
corrected when it (with all its stems, folds and compound parts) matches nothing or almost
nothing; among candidates within edit distance 2, frequent words win.

A word the Swedish dictionary knows (or a regular compound of known parts) is never "corrected":
it is no typo, only rare in this archive. Otherwise "fiber" became "fler", a frequent short word
two edits away; for the same reason a candidate two edits away may not be shorter than the word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from indexer import analysis
from indexer.decompound import is_regular_compound
from indexer.dictionary import WORD, lexicon

TEXT_FIELDS = ("title", "text", "decisions")
MAX_DISTANCE = 2
RARE = 1  # a word found in at most this many items may be a typo
MIN_GAIN = 5  # …if a candidate occurs at least this many times more often
STEM_PENALTY = 0.5


def _doc_frequency(reader: object, term: str) -> int:
    return sum(reader.doc_frequency(f, term) for f in TEXT_FIELDS)  # type: ignore[attr-defined]


def _hits(reader: object, word: str) -> int:
    return max((_doc_frequency(reader, t) for t, _ in analysis.query_variants(word)), default=0)


def _candidates(reader: object, word: str) -> dict[str, tuple[int, float]]:
    """Vocabulary words within the edit distance → (item frequency, penalty).

    Exact forms (``=word``) come first. Stems are a fallback with a small penalty: the seeds
    never say "flykting" alone, only "flyktingar", "flyktingmottagning" …, whose stem it is.
    """
    found: dict[str, tuple[int, float]] = {}
    for prefix, penalty in ((analysis.EXACT, 0.0), ("", STEM_PENALTY)):
        target = prefix + word
        terms: set[str] = set()
        for field in TEXT_FIELDS:
            # The marker plus the first letter must match: typos rarely change the first letter.
            terms.update(reader.terms_within(field, target, MAX_DISTANCE, prefix=len(prefix) + 1))  # type: ignore[attr-defined]
        for t in terms:
            candidate = t[len(prefix):]
            if t != target and candidate not in found and len(candidate) >= 3:
                found[candidate] = (_doc_frequency(reader, t), penalty)
    return found


def correct_word(reader: object, word: str) -> str | None:
    """A better-attested spelling of ``word``, or None when the word is fine as it is."""
    word = word.lower()
    if len(word) < 4 or not any(c.isalpha() for c in word) or word.endswith("*"):
        return None
    hits = _hits(reader, word)
    if hits > RARE or is_known_word(word):
        return None
    best, best_score = None, -math.inf
    for candidate, (freq, penalty) in _candidates(reader, word).items():
        if freq < max(1, hits * MIN_GAIN) or analysis.is_stopword(candidate):
            continue
        distance = _distance(word, candidate)
        if distance >= 2 and len(candidate) < len(word):
            continue  # "fiber" → "fler": a different, shorter word, not a typo's fix
        score = math.log1p(freq) - 1.5 * distance - penalty
        if score > best_score:
            best, best_score = candidate, score
    return best


def is_known_word(word: str) -> bool:
    """In the dictionary (any inflected form), or every hyphen piece a known word or compound."""
    roles = lexicon().roles
    pieces = [p for p in word.lower().split("-") if p]
    return bool(pieces) and all(
        len(p) < 2 or roles.get(p, 0) & WORD or is_regular_compound(p) for p in pieces
    )


def suggest_query(
    reader: object, query: str, words: tuple[str, ...], within: Callable[[], bool] | None = None
) -> str | None:
    """The query with each poorly attested word replaced, or None when nothing changed.

    ``within`` is asked before each word: the search's time budget (``indexer.budget``).
    """
    corrected = query
    changed = False
    for word in dict.fromkeys(words):
        if within is not None and not within():
            break
        better = correct_word(reader, word)
        if better and better != word:
            pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE)
            corrected, n = pattern.subn(better, corrected)
            changed = changed or n > 0
    return corrected if changed else None


def _distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (a transposition costs 1), small inputs only."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
