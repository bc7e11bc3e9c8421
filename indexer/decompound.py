"""Fast Swedish compound splitting driven by the hunspell-sv dictionary's compound flags.

Why not hunspell itself: a full hunspell analysis (spylls) is accurate but takes about 4 ms per
word, far too slow for an archive of a million agenda items (SEARCH-NOTES §3). The dictionary's
flags, read once into a ``form → roles`` table (``indexer.dictionary``), carry the knowledge;
a small dynamic programme over that table splits: fewest parts wins.
"""

from __future__ import annotations

from functools import lru_cache

# Re-exported: the dictionary used to live here, and callers and tests still import it from here.
from indexer.dictionary import (  # noqa: F401
    BEGIN,
    DICTIONARY_PACKAGE,
    END,
    LEXICON_VERSION,
    MIDDLE,
    WORD,
    DictionaryMissing,
    Lexicon,
    build_lexicon,
    default_cache_dir,
    dictionary_dir,
    lexicon,
    load_lexicon,
    read_word_list,
    write_cache,
)

MIN_PART = 3  # shortest part ("bil", "ord"); hunspell allows 2, which over-splits badly
MIN_LAST = 4  # shortest final part ("plan", "chef" are fine, "era"/"ren" are not)
MAX_PARTS = 4  # hunspell-sv's COMPOUNDWORDMAX
NONSTANDARD_PENALTY = 3  # per part that needs a word hunspell does not flag as a compound part
TRUNCATION_PENALTY = 1  # per part in a truncated form the dictionary does not list ("gatu")
LINKING_VOWELS = "oue"  # kyrka → kyrko-, gata → gatu-, folkhälsa → folkhälso-, skola → skole-


# --------------------------------------------------------------------------- splitting


def _part_ok(roles: dict[str, int], form: str, role: int, lenient: bool) -> int:
    """0 if ``form`` cannot fill ``role``; else 1 + penalty (lenient = any dictionary word)."""
    found = roles.get(form, 0)
    if found & role:
        return 1
    if role != END and not found and form[-1] in LINKING_VOWELS and _truncated_root(roles, form):
        return 1 + TRUNCATION_PENALTY
    if not lenient or role == END or len(form) < 4:
        return 0
    # Beyond hunspell's flags: any dictionary word as a first/middle part, bare or with the
    # (sometimes non-standard) linking -s: "räddningstjänst|s|organisationen".
    if found & WORD:
        return 1 + NONSTANDARD_PENALTY
    if form.endswith("s") and roles.get(form[:-1], 0) & (WORD | BEGIN | MIDDLE):
        return 1 + NONSTANDARD_PENALTY
    return 0


Option = tuple[int, tuple[str, ...]]


def _best_split(word: str, lex: Lexicon, lenient: bool) -> tuple[str, ...]:
    """Dynamic programme from the end: ``tails[i]`` = cheapest middle parts + end for word[i:]."""
    n = len(word)
    roles = lex.roles
    tails: dict[int, Option] = {}
    for i in range(n - MIN_LAST, MIN_PART - 1, -1):
        options: list[Option] = []
        if roles.get(word[i:], 0) & END:
            options.append((1, (word[i:],)))
        options.extend(_extend(word, i, MIDDLE, roles, lenient, tails))
        if options:
            tails[i] = min(options, key=_rank)
    firsts = _extend(word, 0, BEGIN, roles, lenient, tails)
    return min(firsts, key=_rank)[1] if firsts else ()


def _extend(
    word: str, i: int, role: int, roles: dict[str, int], lenient: bool, tails: dict[int, Option]
) -> list[Option]:
    """Every way to put one part ``word[i:j]`` in ``role`` in front of a known tail."""
    options: list[Option] = []
    for j, rest in tails.items():
        if j < i + MIN_PART or len(rest[1]) >= MAX_PARTS:
            continue
        cost = _part_ok(roles, word[i:j], role, lenient)
        if cost:
            options.append((rest[0] + cost, (word[i:j],) + rest[1]))
    return options


def _rank(option: Option) -> tuple[int, int, int]:
    """Cheapest first; then the longest shortest part; then the longest first part."""
    cost, parts = option
    return (cost, -min(len(p) for p in parts), -len(parts[0]))


@lru_cache(maxsize=500_000)
def split_word(word: str) -> tuple[str, ...]:
    """Parts of a lower-case compound, non-final parts as dictionary roots; () if not one.

    "flyktingmottagningen" → ("flykting", "mottagningen"), "bredbandsutbyggnad" →
    ("bredband", "utbyggnad"), "skolmaten" → ("skola", "maten"). Words listed in
    ``data/compound_exceptions.txt`` (lexicalised words that look like compounds, such as
    "ordförande") are never split.
    """
    return tuple(root for _, root in split_parts(word))


@lru_cache(maxsize=500_000)
def split_parts(word: str) -> tuple[tuple[str, str], ...]:
    """(surface, root) per part: ("folkhälso", "folkhälsa"), ("arbetet", "arbetet"); () if none.

    The surface forms concatenate to the word, which lets the analyzer name every
    sub-compound ("räddnings" + "tjänst" → "räddningstjänst" inside "räddningstjänstförbundet").
    """
    if len(word) < MIN_PART + MIN_LAST or not word.isalpha():
        return ()
    lex = lexicon()
    if word in lex.exceptions:
        return ()
    known = bool(lex.roles.get(word, 0) & WORD)
    parts = _best_split(word, lex, lenient=False)
    if not parts and not known:
        # Only words the dictionary does not know get the lenient pass: a known word that
        # hunspell's flags cannot split is lexicalised ("ledamöter" is not leda+möter).
        parts = _best_split(word, lex, lenient=True)
    if not parts:
        return ()
    if parts[0] in lex.particles and known:
        return ()  # "sammanträdet", "genomförande": lexicalised, not samman+trädet
    return tuple((p, _root(lex, p)) for p in parts[:-1]) + ((parts[-1], parts[-1]),)


def _root(lex: Lexicon, form: str) -> str:
    """Undo the linking form: "mottagnings" → "mottagning", "skol" → "skola", "gatu" → "gata"."""
    if form in lex.base:
        return lex.base[form]
    roles = lex.roles.get(form, 0)
    if form.endswith("s") and not roles & (BEGIN | MIDDLE) and lex.roles.get(form[:-1], 0) & WORD:
        return form[:-1]  # non-standard linking -s: "räddningstjänsts" → "räddningstjänst"
    if roles & END:
        return form  # a word of its own ("miljö"), not a truncated form
    return _truncated_root(lex.roles, form) or form


def _truncated_root(roles: dict[str, int], form: str) -> str | None:
    """The standalone word a first-part form stands for: "gatu" → "gata", "arbets" → "arbete".

    Swedish changes or drops the end of a first part (skola → skol-, kyrka → kyrko-, gata →
    gatu-, folkhälsa → folkhälso-, arbete → arbets-, tjänst → tjänste-); the dictionary lists
    some of these forms as compound beginnings without saying which word they come from.
    """
    if len(form) < 4:
        return None
    candidates = []
    if form[-1] in LINKING_VOWELS:
        candidates.append(form[:-1] + "a")
    if form[-1] not in "aeiouyåäö":
        candidates.append(form + "a")
    if form[-1] in "se":
        candidates.append(form[:-1])
    if form.endswith("s"):
        candidates.append(form[:-1] + "e")
    for candidate in candidates:
        if roles.get(candidate, 0) & WORD:
            return candidate
    return None


@lru_cache(maxsize=1)
def _linking_index() -> dict[str, tuple[str, ...]]:
    by_root: dict[str, list[str]] = {}
    for form, root in lexicon().base.items():
        by_root.setdefault(root, []).append(form)
    return {root: tuple(sorted(forms)) for root, forms in by_root.items()}


def linking_forms(root: str) -> tuple[str, ...]:
    """The forms a word takes as a first part, from the dictionary: "skola" → ("skol",)."""
    return _linking_index().get(root, ())


def is_regular_compound(word: str) -> bool:
    """True when the dictionary's compound flags alone split the word (no lenient guess).

    For words the user did not write: "intern" + "kontroll" may be read as "internkontroll",
    but "gemensam" + "flyktingmottagning" is no compound anyone writes.
    """
    if len(word) < MIN_PART + MIN_LAST or not word.isalpha():
        return False
    return bool(_best_split(word, lexicon(), lenient=False))
