"""Municipality and organisation look-ups from the data files."""

from __future__ import annotations

import pytest

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
