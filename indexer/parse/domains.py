"""The body's own web or mail domain: "enkoping.se/anslagstavla", "info@regionvasterbotten.se".

Portal pages and short excerpts often name their body nowhere but in an address: the anslag
notice's link, the secretary's e-mail, the footer. A domain is the body's name written without
spaces and without Swedish letters, so it is compared with the known bodies
(``organisations.toml``, names and aliases) and the municipalities (``kommuner.csv``) folded the
same way. An unknown domain says nothing (its letters cannot be restored), and the domain is only
a fallback: a person's address may belong to a visitor, so a body named in the text always wins
(``header.find_organisation``).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from indexer import reference

_DOMAIN = re.compile(r"(?<![\w-])([a-z0-9][a-z0-9-]{1,40})\.se(?![\w-])", re.IGNORECASE)
_FOLD = str.maketrans("åäöéüæø", "aaoeuao")
_NOT_LETTER = re.compile(r"[^a-z0-9]")


def fold(name: str) -> str:
    """ "Region Västerbotten" → "regionvasterbotten", as the name is spelt in a domain."""
    return _NOT_LETTER.sub("", name.lower().translate(_FOLD))


@cache
def _owners() -> dict[str, str]:
    """Folded domain label → the body's name (known bodies first, then municipalities)."""
    owners: dict[str, str] = {}
    for org in reference.organisations():
        for name in (org.name, *org.aliases):
            if not (name.isupper() and " " not in name):  # "VGR", "SÖSK": too short to trust
                owners.setdefault(fold(name), org.name)
    for municipality in reference.municipalities():
        own = f"{reference.genitive(municipality.name)} kommun"
        for form in (municipality.name, f"{municipality.name}kommun", own,
                     f"{reference.genitive(municipality.name)}stad"):
            owners.setdefault(fold(form), own)
    return owners


def domain_owner(text: str) -> str | None:
    """The body whose domain the text gives most often (the first at a tie), or None."""
    owners = _owners()
    found = [owners[label] for label in (fold(m.group(1)) for m in _DOMAIN.finditer(text)) if label in owners]
    if not found:
        return None
    counts = Counter(found)
    return max(found, key=lambda name: counts[name])
