"""Word families and concept groups: which other words a query word should also find.

Two editable data files, read once per process:

* ``data/derivations.txt``: word families (vaccin, vaccination, vaccinera). A word finds its
  family members, ranked below its own inflections and compound parts. A compound whose last
  part has a family finds the compound with the other member ("flyktingmottagning" →
  "flyktingmottagande").
* ``data/concepts.txt``: concept groups of this domain (delårsbokslut, delårsrapport,
  delårsredovisning). A word or a two-word expression finds the other members with a low
  weight, and the user is told which ("Visar även träffar för: …"); it can be switched off.

Members are matched on their Snowball stems and accent-folded stems, so "delårsrapporten" and
"delarsrapport" both find the group of "delårsrapport". Pure functions over the data files; the
query layer (``indexer.queryterms``) turns the answers into weighted index terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer import analysis
from indexer.decompound import split_parts

DATA = Path(__file__).parent / "data"
MAX_FAMILY = 8  # members looked up per word: bounds the query's term count
MAX_CONCEPTS = 8
MIN_STEM = 4  # "mot" from "motta" would find every "mot" (against)


@dataclass(frozen=True)
class Member:
    """One word or expression of a group, as written in the data file and as stems."""

    text: str
    stems: tuple[str, ...]  # one stem per non-stop word
    stopped: int  # stop words inside ("vatten och avlopp": 1), for the phrase's slop

    @property
    def key(self) -> str:
        return " ".join(self.stems)


def _member(text: str) -> Member | None:
    words = [w.lower() for w, _, _ in analysis.tokenize(text)]
    stems = tuple(analysis.stem_sv(w) for w in words if not analysis.is_stopword(w))
    if not stems:
        return None
    return Member(text.strip().lower(), stems, len(words) - len(stems))


def read_groups(path: Path) -> tuple[tuple[Member, ...], ...]:
    """One group per line, members separated by commas; ``#`` starts a comment."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0]
        members = [m for m in (_member(part) for part in text.split(",")) if m is not None]
        unique = tuple({m.key: m for m in members}.values())
        if len(unique) > 1:
            groups.append(unique)
    return tuple(groups)


def _index(groups: tuple[tuple[Member, ...], ...]) -> dict[str, tuple[Member, ...]]:
    """Member key (stems, and folded stems) → the other members of every group it is in."""
    found: dict[str, dict[str, Member]] = {}
    for group in groups:
        for member in group:
            for key in {member.key, analysis.fold(member.key)}:
                others = found.setdefault(key, {})
                others.update((m.key, m) for m in group if m.key != member.key)
    return {key: tuple(others.values()) for key, others in found.items()}


@lru_cache(maxsize=1)
def _families() -> dict[str, tuple[Member, ...]]:
    return _index(read_groups(DATA / "derivations.txt"))


@lru_cache(maxsize=1)
def _concepts() -> dict[str, tuple[Member, ...]]:
    return _index(read_groups(DATA / "concepts.txt"))


def _key(words: list[str]) -> str:
    return " ".join(analysis.stem_sv(w.lower()) for w in words if not analysis.is_stopword(w))


@lru_cache(maxsize=20_000)
def derived_stems(word: str) -> tuple[str, ...]:
    """Stems of the word's family members, and of its compound with the last part's family.

    "vaccin" → ("vaccination", "vaccin"…); "flyktingmottagning" → ("flyktingmottagand",).
    The word's own stem is never among them.
    """
    word = word.lower()
    own = analysis.stem_sv(word)
    stems = [m.stems[0] for m in _families().get(own, ()) if len(m.stems) == 1]
    parts = split_parts(word)
    if parts:
        prefix = "".join(surface for surface, _ in parts[:-1])
        last = analysis.stem_sv(parts[-1][0])
        for member in _families().get(last, ()):
            if len(member.stems) == 1 and " " not in member.text:
                stems.append(analysis.stem_sv(prefix + member.text))
    stems = [s for s in stems if len(s) >= MIN_STEM]
    return tuple(s for s in dict.fromkeys(stems) if s != own)[:MAX_FAMILY]


def concepts_for(words: list[str]) -> tuple[Member, ...]:
    """The other members of every concept group the word (or two-word expression) is in."""
    key = _key(words)
    if not key:
        return ()
    table = _concepts()
    return (table.get(key) or table.get(analysis.fold(key)) or ())[:MAX_CONCEPTS]


def concept_groups() -> tuple[tuple[Member, ...], ...]:
    """Every concept group (for tests and documentation)."""
    return read_groups(DATA / "concepts.txt")


def derivation_groups() -> tuple[tuple[Member, ...], ...]:
    return read_groups(DATA / "derivations.txt")
