"""Which municipalities take part in a meeting, kept apart from places merely mentioned.

A clerk counts a municipality as taking part when someone attends for it ("Bo Ek, Älvsbyn,
(s", "Anna Berg (S), Kumla kommun"), when it is named as a member or as the home of
representatives ("nya representanter från Vallentuna, Vaxholm och Danderyd"), when it is part
of the body's own name ("Samordningsförbundet Sollentuna-Upplands Väsby-Sigtuna", "Region
Gotland"), when it is a known body's member named in the text, and when the meeting is held in
it. Every other mention — an item about a neighbour, a visitor's home — is only *mentioned*.
The cue words are data (``[municipalities]`` in parse_labels.toml).
"""

from __future__ import annotations

import re

from indexer import reference
from indexer.parse.labels import regex
from indexer.records import Attendee, FolderDefaults

_PERSON_BEFORE = re.compile(r"(?:[A-ZÅÄÖ][a-zåäöéü-]+|\([A-ZÅÄÖa-zåäö]{1,5}\)?)[ \t]*,[ \t]*$")
_AFFILIATION_AFTER = re.compile(r"^(?:s?[ \t]+(?:kommun|stad)\b|[ \t]*(?:,|\(|\)|\n|$))")
_SEATS_AFTER = re.compile(r"^[ \t]*:[ \t]*\d+[ \t]+(?:ledamöter|ledamot|platser|mandat|ersättare)")
_LIST_GAP = re.compile(r"^[\s•·▪*–-]*(?:,|och|samt|/|&)?[\s•·▪*–-]*(?:och\s+)?$")
_CUE_GAP = re.compile(r"^[ \t]*(?:från|för|i|ur)?[\s:•·▪*–-]*$")
ATTENDANCE_WINDOW = 3000  # attendance lists may follow the first items on flattened pages
_COUNTY = re.compile(r"\b[A-ZÅÄÖ][\w-]*s?\s+län\b")


def _in_attendance(head: str) -> list[str]:
    """Municipalities written as a person's affiliation, or in a list after a cue word."""
    found: list[str] = []
    mentions = reference.municipality_mentions(head)
    cue = regex("municipalities", "participation_cues", prefix=True)
    listed = False
    for i, mention in enumerate(mentions):
        before = head[max(0, mention.start - 60) : mention.start]
        after = head[mention.end : mention.end + 12]
        person = bool(_PERSON_BEFORE.search(before)) and bool(_AFFILIATION_AFTER.match(after))
        person = person or bool(_SEATS_AFTER.match(after))
        cues = list(cue.finditer(head, max(0, mention.start - 40), mention.start))
        cued = bool(cues) and bool(_CUE_GAP.match(re.sub(r"^\w*", "", head[cues[-1].end() : mention.start])))
        chained = listed and i > 0 and bool(_LIST_GAP.match(head[mentions[i - 1].end : mention.start]))
        listed = cued or chained
        if person or listed:
            found.append(mention.name)
    return found


def participating(
    text: str,
    head: str,
    organisation: str | None,
    people: tuple[Attendee, ...],
    host: str | None,
    defaults: FolderDefaults,
) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for person in people:
        if person.municipality:
            found.setdefault(person.municipality, None)
    for name in _in_attendance(text[: max(len(head), ATTENDANCE_WINDOW)]):
        found.setdefault(name, None)
    if organisation:
        own = _COUNTY.sub(" ", organisation)
        for name in reference.find_municipalities(own, allow_ambiguous=True):
            found.setdefault(name, None)
    members = set(reference.organisation_members(organisation)) if organisation else set()
    for name in reference.find_municipalities(text):
        if name in members:
            found.setdefault(name, None)
    if host:
        found.setdefault(host, None)
    for name in defaults.municipalities:
        found.setdefault(name, None)
    return tuple(found)
