"""Each clean-up repair on the snippet of the seed that needs it, then the whole chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.clean import (
    clean,
    drop_page_markers,
    drop_transcript_page_prefixes,
    drop_web_transcript_furniture,
    join_hyphenated_lines,
    join_letter_spaced_words,
    join_split_words,
    normalise_whitespace,
    repairs_for,
    strip_markdown,
)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("läggs där-\nefter med godkännande", "läggs därefter med godkännande"),  # 002
        ("till Kom-\nmunförbundets kansli", "till Kommunförbundets kansli"),  # 002
        ("av de läns-gemen-\nsamma frågorna", "av de läns-gemensamma frågorna"),  # 002
        ("etablera effektiva e-\n\ntjänster. Helsingborgs", "etablera effektiva e-tjänster. Helsingborgs"),  # 004
        ("initiativ till IT-\nsamverkan som", "initiativ till IT-samverkan som"),
        ("i såväl nord-\nsydlig som", "i såväl nord-sydlig som"),
        ("hälso-\noch sjukvård", "hälso- och sjukvård"),
        ("räddningstjänst Umeå-\nVindeln", "räddningstjänst Umeå-Vindeln"),
        ("Som ett för-\n\nsta steg", "Som ett första steg"),  # 002, across a paragraph break
        ("i den gemensamma e- nämnden", "i den gemensamma e-nämnden"),  # 003 transcript
    ],
)
def test_join_hyphenated_lines(snippet: str, expected: str) -> None:
    assert join_hyphenated_lines(snippet) == expected


def test_real_hyphenated_words_stay_whole_in_seeds() -> None:
    text = clean(SEEDS["004"].read_text(encoding="utf-8"), "md")
    assert "effektiva e-tjänster" in text
    text = clean(SEEDS["002"].read_text(encoding="utf-8"), "txt")
    assert "IT-samverkan" in text and "därefter" in text and "läns-gemensamma" in text
    text = clean(SEEDS["001"].read_text(encoding="utf-8"), "txt")
    assert "nord-sydlig" in text


def test_drop_page_markers_glued_to_line_ends() -> None:  # 001
    text = "för norra Sverige. Denna viljeinriktning ska formuleras skriftligt. 1 / 10\nKommunchefsgruppen"
    assert drop_page_markers(text) == (
        "för norra Sverige. Denna viljeinriktning ska formuleras skriftligt.\nKommunchefsgruppen"
    )


@pytest.mark.parametrize(
    "marker", ["Sid 1(10)", "Sida 2 (27)", "sid 1 (2)", "Page 1 of 14"]
)
def test_drop_page_markers_forms(marker: str) -> None:
    assert drop_page_markers(f"Protokoll {marker} Plats och tid").split() == [
        "Protokoll", "Plats", "och", "tid"
    ]


def test_drop_page_markers_keeps_ordinary_fractions() -> None:
    assert drop_page_markers("beslut 1/5 och 3 / 4 av ledamöterna") == "beslut 1/5 och 3 / 4 av ledamöterna"


def test_transcript_page_prefixes() -> None:  # 003: "2 6:e i Sverige" and "… orten. 2"
    text = ("Transkript\n\n1 Minnesanteckningar styrgrupp ett biosfärområde, det\n\n"
            "2 6:e i Sverige. Service på orten. 2\n\n3 5. Lägesrapport")
    assert drop_transcript_page_prefixes(text) == (
        "Transkript\n\nMinnesanteckningar styrgrupp ett biosfärområde, det\n\n"
        "6:e i Sverige. Service på orten.\n\n5. Lägesrapport"
    )


def test_page_prefixes_left_alone_without_transcript_header() -> None:  # numbered agenda lines
    text = "1 Justering av protokoll\n\n2 Budget"
    assert drop_transcript_page_prefixes(text) == text


def test_web_transcript_furniture_keeps_download_title() -> None:
    text = ('Möte med styrgruppen\n\nStorlek: px\nStarta visningen från sidan:\n\n'
            'Download "Sammanträdesdatum 2005-09-07"\n\nTranskript\n\n1 Text')
    out = drop_web_transcript_furniture(text)
    assert "Storlek" not in out and "Transkript" not in out and "Download" not in out
    assert "Sammanträdesdatum 2005-09-07" in out


def test_web_transcript_trailing_documents_removed_from_seed() -> None:  # 003
    text = clean(SEEDS["003"].read_text(encoding="utf-8"), "txt")
    for junk in ("Åland", "Västerås", "Linköping", "Läs mer", "Storlek", "Transkript"):
        assert junk not in text
    assert text.rstrip().endswith("samordnare Skellefteregionen")
    assert "\n2 6:e" not in text and "6:e i Sverige" in text


def test_strip_markdown() -> None:  # 004
    text = "### 1. **Projekt Mångfald**\n\n#### **Beslut:**\n\n*att anta projektplanen*\n**Tid/Plats:** 150612"
    assert strip_markdown(text) == "1. Projekt Mångfald\n\nBeslut:\n\natt anta projektplanen\nTid/Plats: 150612"


def test_markdown_repair_only_for_markdown() -> None:
    assert strip_markdown in repairs_for("md")
    assert strip_markdown not in repairs_for("txt")
    assert clean("Beslut *viktigt*", "txt") == "Beslut *viktigt*"


def test_letter_spaced_words() -> None:
    assert join_letter_spaced_words("Direktionen beslutar a t t utse") == "Direktionen beslutar att utse"
    assert join_letter_spaced_words("B E S L U T") == "BESLUT"
    assert join_letter_spaced_words("miljöchef t o m § 108, p g a sjukdom") == "miljöchef t o m § 108, p g a sjukdom"


def test_normalise_whitespace() -> None:
    assert normalise_whitespace("a\r\nb\u00a0c  \fd") == "a\nb c\n\nd"


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_clean_is_idempotent_on_seeds(seed: str) -> None:
    path = SEEDS[seed]
    fmt = "md" if path.suffix == ".md" else "txt"
    once = clean(path.read_text(encoding="utf-8"), fmt)
    assert clean(once, fmt) == once


def test_join_split_words_only_when_the_text_spells_them_whole() -> None:
    snippet = "8. Integrationsfrä mjande åtgärder … samordna integrationsfrämjande åtgärder"
    assert join_split_words(snippet).startswith("8. Integrationsfrämjande åtgärder")
    # "kontroll" stands alone elsewhere, so "intern kontroll" is a real pair of words.
    kept = "intern kontroll och internkontroll samt kontroll"
    assert join_split_words(kept) == kept
    assert join_split_words("kom muncheferna") == "kom muncheferna"  # no whole form in the text


def test_join_split_words_counts_the_whole_form_in_any_case() -> None:
    # The whole form counts whatever its case ("KOMMUNCHEFERNA" in a heading) …
    assert join_split_words("Kom muncheferna möts. KOMMUNCHEFERNA har") == (
        "Kommuncheferna möts. KOMMUNCHEFERNA har"
    )
    # … every occurrence of the same split is joined …
    assert join_split_words("Sam ordnare, samordnare, Sam ordnare") == "Samordnare, samordnare, Samordnare"
    # … but not when the tail also stands alone, and never into a word shorter than eight letters.
    kept = "Kom muncheferna och Kommuncheferna och muncheferna"
    assert join_split_words(kept) == kept
    assert join_split_words("Reg ion och region") == "Reg ion och region"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("ut- och in-\nför-\nvaltning", "ut- och inför-\nvaltning"),  # one pass joins the first break
        ("för-\n  valt-\nning av", "förvalt-\nning av"),
        ("IT-sam-\nverkan", "IT-samverkan"),  # only the run after the last inner hyphen
        ("x_y-\nabc", "x_yabc"),
        ("12-\n13", "12-13"),
        ("för- ändring och e- tjänst", "för- ändring och e-tjänst"),
        ("ingen radbrytning här", "ingen radbrytning här"),
    ],
)
def test_join_hyphenated_lines_word_starts(snippet: str, expected: str) -> None:
    assert join_hyphenated_lines(snippet) == expected


def test_clean_repeats_the_chain_until_nothing_changes() -> None:
    # The first pass leaves "samman-\nträde"; only a second pass joins it.
    assert clean("Ett sam-\nman-\nträde hölls.\n", "txt") == "Ett sammanträde hölls.\n"
    # Dropping "Sida 2 (4)" leaves four line breaks, which the next pass collapses to three.
    text = "§ 98\n\n\nSida 2 (4)\nSamordnad larmhantering\n"
    assert clean(text, "pdf") == "§ 98\n\n\nSamordnad larmhantering\n"


def _clean_by_the_definition(text: str, fmt: str) -> str:
    """The whole chain, again and again until a pass changes nothing (at most MAX_PASSES)."""
    from indexer.clean import MAX_PASSES

    for _ in range(MAX_PASSES):
        before = text
        for repair in repairs_for(fmt):
            text = repair(text)
        if text == before:
            break
    return text


@pytest.mark.parametrize(
    "path", [*sorted(SEEDS.values()), *sorted((Path(__file__).parent / "fixtures" / "mess").glob("*.txt"))],
    ids=lambda p: p.name,
)
def test_clean_skips_only_repairs_that_cannot_change_the_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for fmt in ("txt", "md", "pdf", "docx"):
        assert clean(text, fmt) == _clean_by_the_definition(text, fmt)


def test_normalise_whitespace_trailing_blanks_and_blank_runs() -> None:
    assert normalise_whitespace("a \nb\t\n\n\n\n\nc \t") == "a\nb\n\n\nc"
    assert normalise_whitespace("a\n\n\nb") == "a\n\n\nb"


def _joined_by_every_match(text: str) -> str:
    """The rule read straight off: every long pair whose whole form occurs and whose tail never
    stands alone (apart from in such pairs) is joined."""
    import re
    from collections import Counter

    from indexer.clean import _SPLIT_PAIR, MIN_JOINED

    matches = [m for m in _SPLIT_PAIR.finditer(text) if len(m.group(1)) + len(m.group(2)) >= MIN_JOINED]
    words = Counter(w.lower() for w in re.findall(r"[^\W\d_]+", text))
    pairs = Counter((m.group(1).lower(), m.group(2)) for m in matches)
    out, done = [], 0
    for m in matches:
        head, tail = m.group(1), m.group(2)
        if words.get((head + tail).lower()) and words.get(tail, 0) - pairs[(head.lower(), tail)] <= 0:
            out += [text[done : m.start()], head, tail]
            done = m.end()
    return "".join(out) + text[done:]


SPLIT_PIECES = ["Kom", "kom", "muncheferna", "Kommuncheferna", "KOMMUNCHEFERNA", "Sam", "ordnare",
                "samordnare", "intern", "kontroll", "internkontroll", "Reg", "ion", "region", "-"]


split_texts = st.lists(st.sampled_from(SPLIT_PIECES) | st.sampled_from([" ", ", ", "\n", "2"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(split_texts.map("".join))
def test_join_split_words_joins_exactly_what_the_rule_says(text: str) -> None:
    assert join_split_words(text) == _joined_by_every_match(text)
