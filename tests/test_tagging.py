"""Topic tags and the procedural flag, on agenda items built from the seeds' real titles/texts."""

from __future__ import annotations

import pytest

from indexer.records import AgendaItem, Meeting
from indexer.tagging import (
    load_topics,
    score_topics,
    tag_item,
    tag_meeting,
    topic_labels,
)

# Short snippets copied from the seed minutes in corpus/.
E_TJANSTER = AgendaItem(  # skane-nordvast-kommundirektorsgrupp-2015-06-12.md, item 2
    number="2",
    title="Gemensamma e-tjänster",
    text=(
        "Micco Grönholm, Helsingborgs stad och Carl-Johan Ahde, Abou AB redovisade ärendet. "
        "Sverige låg, när det gäller IT-utvecklingen, i topp i början av 2000-talet. "
        "Digitaliseringen går för långsamt, när varje enskild kommun själv ska dra hela lasset "
        "med att etablera effektiva e-tjänster. Helsingborgs stad har kommit ganska långt med "
        "sin leverantör av e-tjänsteplattformen."
    ),
    decisions=("att ställa sig positivt till erbjudandet",),
)
IT_SAMVERKAN = AgendaItem(  # kommunforbundet-vasternorrland-styrelse-2010-04-22.txt, § 26
    number="§ 26",
    title="Överläggningar om IT-samverkan mellan länets kommuner",
    text=(
        "Ordförande Glenn Nordlund har väckt frågan om behovet att utveckla ett långsiktigt "
        "IT-samarbete mellan kommunerna. Charlie Wallin redovisar det initiativ till "
        "IT-samverkan som togs av IT-chefsgruppen för tre år sedan. Man avsåg då främst "
        "teknisk samverka i form av gemensamt serversystem."
    ),
)
SKELLEFTEA_IT = AgendaItem(  # skellefteregionen-styrgrupp-2015-02-11.txt, item 7
    number="7",
    title="IT ett område att gå vidare med för utvecklad samverkan",
    text=(
        "Under 2015 kommer ledningsgruppen att prioritera och undersöka möjligheterna till "
        "samverkan inom området IT och digitala tjänster. I förstudien ges förslag till "
        "områden att prioritera för samarbete, bland dessa finns verksamhetssystem/it och "
        "e-tjänster. I Karlstad har man länge arbetat med frågor om utvecklingen av "
        "e-samhället och digitaliseringen och e-förvaltning. IT-samarbetet i Värmland lyfts "
        "även fram av SKL som ett bra exempel på kommunsamarbete."
    ),
)
FLYKTING = AgendaItem(  # umearegionen-kommunchefsgrupp-2008-08-22.txt, item 8
    number="8",
    title="Remiss: Egenansvar – med professionellt stöd",
    text=(
        "I betänkandet föreslås bland annat en ny lag om kommunernas ansvar vid bosättning och "
        "introduktion av nyanlända flyktingar. Det finns från och med juni 2008 en gemensam "
        "flyktingmottagning inom Umeåregionen."
    ),
    decisions=(
        "Kommunchefsgruppen uppdrar åt Umeåregionens flyktingmottagning att formulera ett "
        "förslag till yttrande till Länsstyrelsen.",
    ),
)
RADDNING = AgendaItem(  # umearegionen-kommunchefsgrupp-2017-04-06.txt, item 6
    number="6",
    title="Information - gemensam räddningsnämnd",
    text=(
        "Karin Ahnqvist informerade kortfattat om det pågående samarbetet mellan Umeås, "
        "Vindelns och Robertsfors kommuner beträffande räddningstjänst. En gemensam nämnd "
        "kommer att bildas. Vidare diskuterades anslutning av den gemensamma "
        "räddningstjänstsorganisationen till KAC i Örnsköldsvik."
    ),
)
OVRIGA_MED_INNEHALL = AgendaItem(  # umearegionen-kommunchefsgrupp-2008-08-22.txt, item 11
    number="11",
    title="Övriga frågor",
    text=(
        "Jämställdhetsarbete, CEMR samt bidrag från länsstyrelsen. Vad gäller frågan om medel "
        "för att stärka stödjande arbete beträffande våldsutsatta kvinnor och barn berättade "
        "Magnus Haglund att han varit i kontakt med jämställdhetsdirektören. CEMR är en "
        "Europeisk deklaration om jämställdhet mellan kvinnor och män."
    ),
)


def test_topic_labels_in_taxonomy_order() -> None:
    labels = topic_labels()
    assert list(labels)[:3] == ["digitalisering", "infrastruktur", "integration"]
    assert labels["digitalisering"] == "Digitalisering & e-tjänster"
    assert len(labels) == len(load_topics()) == 13


@pytest.mark.parametrize("item", [E_TJANSTER, IT_SAMVERKAN, SKELLEFTEA_IT], ids=lambda i: i.title[:20])
def test_it_items_are_digitalisering_first(item: AgendaItem) -> None:
    tagged = tag_item(item)
    assert tagged.topics[0] == "digitalisering"
    assert not tagged.procedural
    assert 1 <= len(tagged.topics) <= 3


def test_flykting_item_is_integration() -> None:
    assert tag_item(FLYKTING).topics[0] == "integration"


def test_raddningsnamnd_is_raddningstjanst() -> None:
    assert tag_item(RADDNING).topics[0] == "raddningstjanst"


def test_compound_parts_count_as_evidence() -> None:
    # Only compounds carry the topic words here: "flyktingmottagningen", "bredbandsutbyggnaden".
    assert dict(score_topics("Flyktingmottagningen", "")).get("integration", 0) >= 3
    assert dict(score_topics("Bredbandsutbyggnaden i länet", "")).get("digitalisering", 0) >= 3


def test_weak_evidence_gives_no_topic() -> None:
    assert tag_item(AgendaItem("4", "Rapport från respektive kommun", "Inget att rapportera.")).topics == ()


def test_title_weighs_more_than_text() -> None:
    in_title = dict(score_topics("Budget 2016", ""))["ekonomi"]
    in_text = dict(score_topics("Ärende", "budget"))["ekonomi"]
    assert in_title > in_text


@pytest.mark.parametrize(
    "title",
    [
        "Mötets öppnande",
        "1. Mötets öppnande",
        "Sammanträdet öppnas",
        "Val av justerare",
        "§ 2 Dagordning",
        "Godkännande av dagordning",
        "Föregående protokoll",
        "Föregående möte",
        "Föregående mötesanteckningar",
        "Nästa möte",
        "Mötets avslutande",
        "Mötet avslutas",
        "**Övriga frågor**",
        "Information och delgivningar",
    ],
)
def test_procedural_titles(title: str) -> None:
    tagged = tag_item(AgendaItem("1", title, "Dagordningen godkännes."))
    assert tagged.procedural and tagged.topics == ()


def test_ovriga_fragor_with_business_is_tagged_normally() -> None:
    tagged = tag_item(OVRIGA_MED_INNEHALL)
    assert not tagged.procedural
    assert tagged.topics[0] == "jamstalldhet"


@pytest.mark.parametrize("title", ["Val av ordförande för nämnden", "Nästa års budget", "Information om bredband"])
def test_not_procedural(title: str) -> None:
    assert not tag_item(AgendaItem("1", title, "")).procedural


def test_tag_meeting_tags_every_item() -> None:
    meeting = Meeting(
        id="m", source="s.txt", sha256="0" * 64, format="txt",
        items=(AgendaItem("1", "Mötets öppnande"), E_TJANSTER),
    )
    tagged = tag_meeting(meeting)
    assert tagged.items[0].procedural and tagged.items[1].topics[0] == "digitalisering"
    assert meeting.items[1].topics == ()  # the input is not mutated


def _scores_by_the_definition(title: str, text: str) -> list[tuple[str, float]]:
    """Topic by topic and word by word, as the module docstring defines the score."""
    from collections import Counter

    from indexer.analysis import PART, index_terms, is_stopword, stem_sv, tokenize
    from indexer.tagging import MAX_HITS_PER_TERM, TEXT_WEIGHT, TITLE_WEIGHT

    def evidence(part: str) -> tuple[Counter[str], list[str]]:
        counts: Counter[str] = Counter()
        for word, _, _ in tokenize(part):
            counts.update({t[len(PART) :] for t in index_terms(word) if t.startswith(PART)})
        words = [w.lower() for w, _, _ in tokenize(part)]
        return counts, [stem_sv(w) for w in words if not is_stopword(w)]

    def hits(sequence: list[str], phrase: tuple[str, ...]) -> int:
        n = len(phrase)
        return sum(1 for i in range(len(sequence) - n + 1) if n and tuple(sequence[i : i + n]) == phrase)

    head, body = evidence(title), evidence(text)
    scores = []
    for topic in load_topics():
        score = 0.0
        for stem in topic.stems:
            score += TITLE_WEIGHT * bool(head[0][stem]) + TEXT_WEIGHT * min(body[0][stem], MAX_HITS_PER_TERM)
        for phrase in topic.phrases:
            score += TITLE_WEIGHT * min(hits(head[1], phrase), 1)
            score += TEXT_WEIGHT * min(hits(body[1], phrase), MAX_HITS_PER_TERM)
        scores.append((topic.id, score * topic.weight))
    return sorted((s for s in scores if s[1] > 0), key=lambda s: -s[1])


def test_scores_equal_the_definition_on_the_seeds() -> None:
    from conftest import SEEDS

    from indexer.pipeline import load_meeting

    checked = 0
    for path in SEEDS.values():
        for item in load_meeting(path).items:
            body = "\n".join((item.text, *item.decisions, *(a.what for a in item.actions)))
            assert score_topics(item.title, body) == _scores_by_the_definition(item.title, body)
            checked += 1
    assert checked > 40


def test_phrases_count_every_occurrence_and_repeated_words_are_capped() -> None:
    import tomllib

    from indexer.tagging import DATA_DIR

    data = tomllib.loads((DATA_DIR / "topics.toml").read_text(encoding="utf-8"))
    phrases = [p for entry in data["topic"] for p in entry.get("phrases", ())]
    assert len(phrases) >= 5
    for phrase in phrases:
        for text in (phrase, f"{phrase} och {phrase}. {phrase} {phrase}!", f"Om {phrase}: {phrase} i {phrase}"):
            assert score_topics(phrase, text) == _scores_by_the_definition(phrase, text)
            assert score_topics("Ärende", text) == _scores_by_the_definition("Ärende", text)
    assert score_topics("Ärende", "digitala tjänster och digitala tjänster") == [("digitalisering", 4.0)]
    text = "flyktingar flyktingmottagningen flyktingarna flykting flyktingars integration"
    assert score_topics("Flyktingmottagning", text) == _scores_by_the_definition("Flyktingmottagning", text)
