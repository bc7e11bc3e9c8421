"""The hunspell-sv dictionary as one table: compound roles, linking forms and word lemmas.

The *knowledge* that makes hunspell accurate is in its data: which roots may begin
(``COMPOUNDBEGIN``), sit in the middle of (``COMPOUNDMIDDLE``) or end (``COMPOUNDEND``) a
compound, which suffix rules produce the linking forms ("mottagning" → "mottagnings", "skola" →
"skol") and which produce inflected forms ("hälsa" → "hälsan"). We read ``sv_SE.dic`` and
``sv_SE.aff`` once and expand those rules into one ``Lexicon``: the compound splitter
(``indexer.decompound``) and the stemmer (``indexer.analysis.stem_sv``) both read it.

The table is pickled into the user cache directory, keyed by a hash of the dictionary files'
*content* and ``LEXICON_VERSION``, so a process starts in a fraction of a second after the first
run, and two installs under one user (other dictionaries, other versions) each keep their own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.errors import ProtokollError

# Bump when the table layout or the expansion rules change, so stale caches are rebuilt.
LEXICON_VERSION = 7
DICTIONARY_PACKAGE = "hunspell-sv"

BEGIN, MIDDLE, END, WORD = 1, 2, 4, 8

_FLAG_BEGIN, _FLAG_MIDDLE, _FLAG_END = "X", "U", "Y"
_FLAG_FORBIDDEN, _FLAG_NEEDAFFIX = "%", "¤"


class DictionaryMissing(ProtokollError):
    """The hunspell-sv data files are not installed where Python puts package data."""


@dataclass(frozen=True)
class Lexicon:
    """``roles``: form → bit set of BEGIN/MIDDLE/END/WORD; ``base``: linking form → its root.

    ``neuter_definite`` holds the "-et" forms of neuter nouns ("förbundet", "projektet"): the
    current Snowball algorithm leaves many of them unstemmed, which ``analysis.stem_sv`` repairs,
    as it repairs every other form in ``lemmas``.
    """

    roles: dict[str, int]
    base: dict[str, str]
    exceptions: frozenset[str]
    neuter_definite: frozenset[str]
    particles: frozenset[str]
    # Inflected form → its dictionary word, kept only where Snowball stems the two apart
    # ("hälsan"/"hälsa", "utbyggnaden"/"utbyggnad", "strategin"/"strategi"), and for every
    # form of a word in ``protected`` (data/stem_protected.txt: "lager" is not "lag").
    lemmas: dict[str, str]
    protected: frozenset[str]


def dictionary_dir() -> Path:
    """Where ``pip install hunspell-sv`` put ``sv_SE.dic``: the environment's data directory."""
    candidates = [
        Path(sysconfig.get_path("data")) / "share" / "hunspell",
        Path(sys.prefix) / "share" / "hunspell",
        Path("/usr/share/hunspell"),
    ]
    for directory in candidates:
        if (directory / "sv_SE.dic").is_file() and (directory / "sv_SE.aff").is_file():
            return directory
    raise DictionaryMissing(
        "Den svenska ordlistan (sv_SE.dic/sv_SE.aff) saknas. Installera paketet "
        f"'{DICTIONARY_PACKAGE}' i samma Python-miljö: pip install {DICTIONARY_PACKAGE}"
    )


def _exceptions_path() -> Path:
    return Path(__file__).parent / "data" / "compound_exceptions.txt"


def _particles_path() -> Path:
    return Path(__file__).parent / "data" / "compound_particles.txt"


def _protected_path() -> Path:
    return Path(__file__).parent / "data" / "stem_protected.txt"


def read_word_list(path: Path) -> frozenset[str]:
    """One word per line; ``#`` starts a comment."""
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words)


# --------------------------------------------------------------------------- .aff / .dic reading


@dataclass(frozen=True)
class _Suffix:
    strip: str
    add: str
    cont: str  # continuation flags of the produced form ("WXZ" marks a linking form)
    condition: str  # hunspell condition, a tiny regex anchored at the end of the root

    def apply(self, word: str) -> str | None:
        if not _condition_matches(self.condition, word):
            return None
        if self.strip and not word.endswith(self.strip):
            return None
        stem = word[: len(word) - len(self.strip)] if self.strip else word
        return stem + self.add


def _condition_units(condition: str) -> list[str]:
    """Split "[^ae]la" into ["[^ae]", "l", "a"]: one unit per character of the root's end."""
    units, i = [], 0
    while i < len(condition):
        if condition[i] == "[":
            j = condition.index("]", i)
            units.append(condition[i : j + 1])
            i = j + 1
        else:
            units.append(condition[i])
            i += 1
    return units


@lru_cache(maxsize=4096)
def _parsed_condition(condition: str) -> tuple[tuple[bool, frozenset[str] | None], ...]:
    parsed: list[tuple[bool, frozenset[str] | None]] = []
    for unit in _condition_units(condition):
        if unit == ".":
            parsed.append((False, None))
        elif unit.startswith("[^"):
            parsed.append((True, frozenset(unit[2:-1])))
        elif unit.startswith("["):
            parsed.append((False, frozenset(unit[1:-1])))
        else:
            parsed.append((False, frozenset(unit)))
    return tuple(parsed)


def _condition_matches(condition: str, word: str) -> bool:
    units = _parsed_condition(condition)
    if len(units) > len(word):
        return False
    tail = word[len(word) - len(units) :]
    for char, (negated, chars) in zip(tail, units):
        if chars is None:
            continue
        if (char in chars) == negated:
            return False
    return True


def _read_suffixes(aff: Path) -> dict[str, list[_Suffix]]:
    """All SFX rules by flag; prefixes are ignored (they only ever touch a first part)."""
    rules: dict[str, list[_Suffix]] = {}
    for line in aff.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[0] != "SFX":
            continue
        flag, strip, add_field, condition = fields[1], fields[2], fields[3], fields[4]
        add, _, cont = add_field.partition("/")
        rules.setdefault(flag, []).append(
            _Suffix("" if strip == "0" else strip, "" if add == "0" else add, cont, condition)
        )
    return rules


def _read_roots(dic: Path) -> list[tuple[str, str]]:
    """(word, flags) per single-word entry; multi-word names ("Boda Borg") cannot be parts."""
    entries = []
    lines = dic.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line or " " in line or "\t" in line:
            continue
        word, _, flags = line.partition("/")
        entries.append((word.lower(), flags))
    return entries


def _add(roles: dict[str, int], form: str, role: int) -> None:
    roles[form] = roles.get(form, 0) | role


def build_lexicon(directory: Path | None = None) -> Lexicon:
    """Expand the dictionary into the role table (about 2 s; use ``load_lexicon`` instead)."""
    directory = directory or dictionary_dir()
    suffixes = _read_suffixes(directory / "sv_SE.aff")
    roles: dict[str, int] = {}
    base: dict[str, str] = {}
    neuter: set[str] = set()
    inflected: dict[str, set[str]] = {}
    roots: set[str] = set()
    for word, flags in _read_roots(directory / "sv_SE.dic"):
        if _FLAG_FORBIDDEN in flags:
            continue
        if flags and _FLAG_NEEDAFFIX not in flags:
            roots.add(word)  # a word with its own inflection ("planet"), not a listed form
        own = WORD if _FLAG_NEEDAFFIX not in flags else 0
        own |= BEGIN if _FLAG_BEGIN in flags else 0
        own |= MIDDLE if _FLAG_MIDDLE in flags else 0
        own |= END if _FLAG_END in flags else 0
        if own:
            _add(roles, word, own)
        for flag in flags:
            for rule in suffixes.get(flag, ()):
                form = rule.apply(word)
                if not form or form == word:
                    if form == word and rule.cont:
                        _add(roles, word, _linking_role(rule.cont))
                    continue
                if rule.cont and ("X" in rule.cont or "U" in rule.cont):
                    _add(roles, form, _linking_role(rule.cont))
                    base.setdefault(form, word)
                elif not rule.cont or "Y" in rule.cont:
                    _add(roles, form, WORD | (END if _FLAG_END in flags else 0))
                    inflected.setdefault(form, set()).add(word)
                    if rule.add == "et" and not rule.strip:
                        neuter.add(form)
    protected = read_word_list(_protected_path())
    return Lexicon(
        roles,
        base,
        read_word_list(_exceptions_path()),
        frozenset(neuter),
        read_word_list(_particles_path()),
        _lemmas(inflected, roots, protected),
        protected,
    )


def _lemmas(inflected: dict[str, set[str]], roots: set[str], protected: frozenset[str]) -> dict[str, str]:
    """Forms whose Snowball stem differs from their word's: "hälsan" → "hälsa".

    A form that is also a word with its own inflection ("planet") or that several words
    produce is left to Snowball: the dictionary cannot say which one is meant. (Forms listed
    bare in ``sv_SE.dic``, such as "hälsan", are inflections like any other.)
    """
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("swedish")
    lemmas: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for form, words in inflected.items():
        guarded = words & protected
        if guarded:
            lemmas[form] = min(guarded)
        elif form not in protected and form not in roots and len(words) == 1:
            pairs.append((form, next(iter(words))))
    # One batch call per list: a million single calls cost twice as long.
    form_stems = stemmer.stemWords([f for f, _ in pairs])
    word_stems = stemmer.stemWords([w for _, w in pairs])
    for (form, word), form_stem, word_stem in zip(pairs, form_stems, word_stems):
        if form_stem != word_stem:
            lemmas[form] = word
    return lemmas


def _linking_role(cont: str) -> int:
    return (BEGIN if "X" in cont else 0) | (MIDDLE if "U" in cont else 0)


# --------------------------------------------------------------------------- cache


CACHE_PREFIX = "compound-lexicon-"
STALE_TEMP_SECONDS = 24 * 3600  # an unfinished write older than this was interrupted


def _cache_key(directory: Path) -> str:
    """Hash of the rules' version and every input file's bytes (about 10 ms for 4 MB).

    Not the files' modification times: a reinstall, a copy or a second virtual environment with
    the same dictionary would each count as new, and two different dictionaries with equal
    mtimes as the same.
    """
    digest = hashlib.sha256(f"v{LEXICON_VERSION}".encode())
    for path in (
        directory / "sv_SE.dic",
        directory / "sv_SE.aff",
        _exceptions_path(),
        _particles_path(),
        _protected_path(),
    ):
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"v{LEXICON_VERSION}-{digest.hexdigest()[:24]}"


def default_cache_dir() -> Path:
    """``PROTOKOLL_CACHE_DIR`` wins (tests, read-only homes); else the per-user cache dir."""
    override = os.environ.get("PROTOKOLL_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("protokollsok"))


def load_lexicon(cache_dir: Path | None = None, directory: Path | None = None) -> Lexicon:
    """The role table from the pickle cache, building (and caching) it when stale or missing."""
    directory = directory or dictionary_dir()
    cache_dir = cache_dir or default_cache_dir()
    cache_file = cache_dir / f"{CACHE_PREFIX}{_cache_key(directory)}.pickle"
    try:
        with cache_file.open("rb") as handle:
            lexicon = pickle.load(handle)
        if isinstance(lexicon, Lexicon):
            return lexicon
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    lexicon = build_lexicon(directory)
    write_cache(cache_file, lexicon)
    return lexicon


def write_cache(cache_file: Path, lexicon: object) -> None:
    """Write atomically; a cache we cannot write only costs start-up time, so errors pass.

    Other cache files are left alone: they may belong to another install that is still in use
    (another virtual environment, another dictionary version). Only unfinished writes of our
    own naming pattern that are more than a day old are removed: their writer was interrupted.
    A write that fails here removes its own temporary file at once.
    """
    cache_dir = cache_file.parent
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_temps(cache_dir)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=CACHE_PREFIX, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(lexicon, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_file)
    except Exception:  # noqa: BLE001 - any failure (disk full, unpicklable) leaves no trace
        Path(tmp).unlink(missing_ok=True)


def _remove_abandoned_temps(cache_dir: Path) -> None:
    for leftover in cache_dir.glob(f"{CACHE_PREFIX}*.tmp"):
        try:
            age = leftover.stat().st_mtime
            if time.time() - age > STALE_TEMP_SECONDS:
                leftover.unlink(missing_ok=True)
        except OSError:
            continue


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The process-wide lexicon, loaded on first use."""
    return load_lexicon()
