"""Municipality and organisation look-ups from the data files."""

from __future__ import annotations

import pytest

from indexer import reference
from indexer.reference import (
    county_of,
    find_municipalities,
    match_organisation,
    municipalities,
    organisation_members,
    organisations,
)


def test_all_municipalities_loaded() -> None:
    assert len(municipalities()) == 290
    assert county_of("Umeå") == "Västerbottens län"
    assert county_of("Umeås") == "Västerbottens län"
    assert county_of("Skåne Nordväst") == "Skåne län"
    assert county_of("Ingenstans") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tillförordnad kommunchef i Vindelns kommun", ("Vindeln",)),
        ("samarbetet mellan Umeås, Vindelns och Robertsfors kommuner", ("Umeå", "Vindeln", "Robertsfors")),
        ("Håkan Wretling, Bjurholms kommun", ("Bjurholm",)),
        ("Närvarande Norsjö: Mikael Lindfors, Katarzyna Wikström", ("Norsjö",)),
        ("Peter Andreasson, Örkeljunga", ("Örkelljunga",)),
        ("Britt-Marie Börjesson, Helsingborgs stad", ("Helsingborg",)),
        ("ORGAN LULEÅ KOMMUN", ("Luleå",)),
        ("Ängelholm-Helsingborgs flygplats", ("Ängelholm", "Helsingborg")),
    ],
)
def test_find_municipalities_forms(text: str, expected: tuple[str, ...]) -> None:
    assert find_municipalities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Palle Lundberg redovisade",  # Lund inside Lundberg
        "det kan vara så att",  # the verb "vara"
        "Nora Svensson hälsade välkommen",  # a first name
        "avd.chef Mark och Vatten",  # the word "mark"
        "Umeåregionens kansli",  # Umeå inside a longer word
        "Stellan Lund (M) redovisade",  # a surname
    ],
)
def test_no_false_municipalities(text: str) -> None:
    assert find_municipalities(text) == ()


def test_ambiguous_names_with_context() -> None:
    assert find_municipalities("Stefan Westerberg, ersättare, Vara kommun") == ("Vara",)
    assert find_municipalities("vuxenheterna Hallsberg, Kumla och Laxå") == ("Hallsberg", "Kumla", "Laxå")


def test_match_organisation() -> None:
    assert match_organisation("Umeåregionens kansli") == "Umeåregionen"
    assert match_organisation("Styrelsemöte, Kommunförbundet Västernorrland") == "Kommunförbundet Västernorrland"
    assert match_organisation("SoF Västra Skaraborg, Malmgatan 36") == "Samordningsförbundet Västra Skaraborg"
    assert match_organisation("KALMARSUNDS GYMNASIEFöRBUND") == "Kalmarsunds gymnasieförbund"
    assert match_organisation("ingen känd organisation här") is None


def test_organisation_data_is_consistent() -> None:
    names = {m.name for m in municipalities()}
    for org in organisations():
        assert set(org.members) <= names, org.name
    assert set(organisation_members("Skåne Nordväst")) >= {"Båstad", "Örkelljunga", "Bjuv"}
    assert organisation_members("Okänd") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Upplands-Bro och Upplands Väsby", [("Upplands-Bro", 0, 12), ("Upplands Väsby", 17, 31)]),
        ("Upplands  \n Väsby kommun", [("Upplands Väsby", 0, 17)]),  # any white space between
        ("Upplands–Bro", []),  # an en dash is no hyphen in a name
        ("LULEÅ KOMMUN", [("Luleå", 0, 5)]),
        ("Umeås och Vindelns kommuner", [("Umeå", 0, 5), ("Vindeln", 10, 18)]),
        ("Lundberg i Lund", [("Lund", 11, 15)]),  # a name inside a longer word is no mention
    ],
)
def test_municipality_mentions_spans(text: str, expected: list[tuple[str, int, int]]) -> None:
    mentions = reference.municipality_mentions(text, allow_ambiguous=True)
    assert [(m.name, m.start, m.end) for m in mentions] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kommunförbundet Västernorrland", [(0, 30)]),
        ("Kommunförbundet - Västernorrland", [(0, 32)]),  # spaces and hyphens join alias words
        ("Kommunförbundet\n Västernorrlands styrelse", [(0, 32)]),
        ("Kommunförbundet, Västernorrland", []),
    ],
)
def test_organisation_matches_spans(text: str, expected: list[tuple[int, int]]) -> None:
    found = reference.organisation_matches(text)
    assert [(a, b) for a, b, _ in found] == expected
    assert {name for _, _, name in found} <= {"Kommunförbundet Västernorrland"}
