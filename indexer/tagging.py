"""Topic tags and the procedural flag for agenda items, from editable data files.

Topics come from ``data/topics.toml``: each topic lists base-form words and phrases. Words are
compared on Snowball stems *and* compound parts (via ``indexer.analysis``), so the topic word
"flykting" counts in "flyktingmottagningen" and "e-tjänst" in "e-tjänsteplattformen" without
listing every compound. A title hit weighs more than a hit in the text or decisions; repeated
words are capped so one long item cannot pile up evidence from a single word; an item gets at
most three topics, strongest first, each above an absolute and a relative threshold.

Procedural items ("Mötets öppnande", "Val av justerare" …) are recognised by the title
patterns of ``data/procedural.toml`` and get no topics.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.analysis import PART, WORD_RE, index_terms, is_stopword, stem_sv, tokenize
from indexer.records import AgendaItem, Meeting

DATA_DIR = Path(__file__).parent / "data"
MAX_TOPICS = 3
TITLE_WEIGHT = 3.0  # one title hit is as strong as three hits in the text
TEXT_WEIGHT = 1.0
MAX_HITS_PER_TERM = 3  # in the text: a word repeated ten times is not ten times the evidence
MIN_SCORE = 3.0  # absolute: a title hit, or three text hits
RELATIVE_MIN = 0.4  # a second/third topic needs at least this share of the best topic's score
_NUMBER_PREFIX = re.compile(r"^\s*(?:§\s*)?\d+(?:[.:]\d+)*[.):]?\s*")


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    stems: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    weight: float = 1.0


@dataclass(frozen=True)
class ProceduralRules:
    always: tuple[re.Pattern[str], ...]
    if_short: tuple[re.Pattern[str], ...]
    max_words: int


def _content_stems(text: str) -> list[str]:
    """Stems of the non-stop words, in order (for phrases)."""
    return _stems_of(list(map(str.lower, WORD_RE.findall(text))))


def _stems_of(words: list[str]) -> list[str]:
    """Stems of the non-stop words among lower-case ``words``, in order."""
    return [stem for stem in map(_content_stem, words) if stem is not None]


@lru_cache(maxsize=200_000)
def _content_stem(word: str) -> str | None:
    """The stem of a lower-case word, None for a stop word (cached: asked for every word)."""
    return None if is_stopword(word) else stem_sv(word)


def _term_stem(term: str) -> str:
    stems = _content_stems(term)
    if len(stems) != 1:
        raise ValueError(f"topics.toml: termen {term!r} ska vara ett ord")
    return stems[0]


@lru_cache(maxsize=1)
def load_topics() -> tuple[Topic, ...]:
    """The taxonomy, in file order; a malformed file fails loudly at first use."""
    data = tomllib.loads((DATA_DIR / "topics.toml").read_text(encoding="utf-8"))
    topics = []
    for entry in data["topic"]:
        topics.append(
            Topic(
                id=entry["id"],
                label=entry["label"],
                stems=frozenset(_term_stem(t) for t in entry.get("terms", ())),
                phrases=tuple(tuple(_content_stems(p)) for p in entry.get("phrases", ())),
                weight=float(entry.get("weight", 1.0)),
            )
        )
    ids = [t.id for t in topics]
    if len(ids) != len(set(ids)):
        raise ValueError("topics.toml: ämnes-id:n måste vara unika")
    return tuple(topics)


@lru_cache(maxsize=1)
def procedural_rules() -> ProceduralRules:
    data = tomllib.loads((DATA_DIR / "procedural.toml").read_text(encoding="utf-8"))
    return ProceduralRules(
        always=tuple(re.compile(p) for p in data.get("always", ())),
        if_short=tuple(re.compile(p) for p in data.get("if_short", ())),
        max_words=int(data.get("max_words", 12)),
    )


def topic_labels() -> dict[str, str]:
    """Topic id → Swedish label, in taxonomy order."""
    return {t.id: t.label for t in load_topics()}


def _normalise_title(title: str) -> str:
    """"1. Mötets öppnande." → "mötets öppnande"; also drops markdown emphasis."""
    title = title.replace("*", "").replace("_", " ").strip()
    title = _NUMBER_PREFIX.sub("", title)
    return re.sub(r"\s+", " ", title).strip(" .:;-–").lower()


def is_procedural(item: AgendaItem) -> bool:
    """Title matches an ``always`` pattern, or an ``if_short`` one and the item is near empty."""
    rules = procedural_rules()
    title = _normalise_title(item.title)
    if any(p.search(title) for p in rules.always):
        return True
    if any(p.search(title) for p in rules.if_short):
        body = " ".join((item.text, *item.decisions))
        return len(tokenize(body)) <= rules.max_words
    return False


@lru_cache(maxsize=200_000)
def _word_stems(word: str) -> frozenset[str]:
    """The stem of a word and of its compound/hyphen parts (the analyzer's ``~`` terms).

    Cached per word: tagging looks at every word of every item, and Swedish minutes repeat
    their vocabulary heavily (a third of the parse-and-tag time before the cache).
    """
    return frozenset(t[len(PART) :] for t in index_terms(word) if t.startswith(PART))


@dataclass(frozen=True)
class _Evidence:
    """What one text says about topics: stem counts and phrase counts."""

    counts: dict[str, int]  # every stem and part stem → how many words carry it
    phrases: dict[tuple[str, ...], int]  # every taxonomy phrase → occurrences in the text


def _evidence(text: str) -> _Evidence:
    """Count the stems, part stems and taxonomy phrases of ``text``.

    Stems are counted per distinct word and multiplied by its frequency, and phrases are
    counted once per text instead of once per topic: the same numbers as a word-by-word and
    topic-by-topic scan, in a third of the time (measured on generated minutes).
    """
    words = list(map(str.lower, WORD_RE.findall(text)))
    counts: dict[str, int] = {}
    for word, n in Counter(words).items():
        for stem in _word_stems(word):
            counts[stem] = counts.get(stem, 0) + n
    return _Evidence(counts, _phrase_counts(_stems_of(words)))


def _phrase_counts(sequence: list[str]) -> dict[tuple[str, ...], int]:
    """Occurrences (overlapping, like every start position) of each taxonomy phrase."""
    wanted = _taxonomy_phrases()
    found: dict[tuple[str, ...], int] = {}
    for n in {len(p) for p in wanted}:
        grams = Counter(zip(*(sequence[k:] for k in range(n))))
        for phrase in wanted:
            if len(phrase) == n and grams[phrase]:
                found[phrase] = grams[phrase]
    return found


@lru_cache(maxsize=1)
def _taxonomy_phrases() -> frozenset[tuple[str, ...]]:
    """Every non-empty phrase of the taxonomy (a phrase of stop words only never matches)."""
    return frozenset(p for t in load_topics() for p in t.phrases if p)


@lru_cache(maxsize=1)
def _topics_by_stem() -> dict[str, tuple[int, ...]]:
    """Stem → positions in the taxonomy of the topics that list it."""
    index: dict[str, list[int]] = {}
    for i, topic in enumerate(load_topics()):
        for stem in topic.stems:
            index.setdefault(stem, []).append(i)
    return {stem: tuple(found) for stem, found in index.items()}


def _scores(title: _Evidence, body: _Evidence) -> list[float]:
    """Every topic's score, in taxonomy order.

    A title hit counts ``TITLE_WEIGHT`` once, text hits ``TEXT_WEIGHT`` each up to
    ``MAX_HITS_PER_TERM``, per topic word and per phrase. Driven by the stems the texts
    contain, so a topic's words that never occur cost nothing.
    """
    topics, by_stem = load_topics(), _topics_by_stem()
    title_hits, text_hits = [0] * len(topics), [0] * len(topics)
    for stem in title.counts:
        for i in by_stem.get(stem, ()):
            title_hits[i] += 1
    for stem, n in body.counts.items():
        for i in by_stem.get(stem, ()):
            text_hits[i] += min(n, MAX_HITS_PER_TERM)
    for i, topic in enumerate(topics):
        for phrase in topic.phrases:
            title_hits[i] += min(title.phrases.get(phrase, 0), 1)
            text_hits[i] += min(body.phrases.get(phrase, 0), MAX_HITS_PER_TERM)
    return [
        (TITLE_WEIGHT * title_hits[i] + TEXT_WEIGHT * text_hits[i]) * topic.weight
        for i, topic in enumerate(topics)
    ]


def score_topics(title: str, text: str) -> list[tuple[str, float]]:
    """(topic id, score) for every topic with evidence, strongest first (ties: taxonomy order)."""
    found = zip(load_topics(), _scores(_evidence(title), _evidence(text)))
    scores = [(topic.id, score) for topic, score in found if score > 0]
    return sorted(scores, key=lambda s: -s[1])  # stable: ties keep taxonomy order


def choose_topics(scores: list[tuple[str, float]]) -> tuple[str, ...]:
    """At most three, each above ``MIN_SCORE`` and ``RELATIVE_MIN`` of the best."""
    if not scores or scores[0][1] < MIN_SCORE:
        return ()
    floor = max(MIN_SCORE, RELATIVE_MIN * scores[0][1])
    return tuple(topic for topic, score in scores[:MAX_TOPICS] if score >= floor)


def tag_item(item: AgendaItem) -> AgendaItem:
    """Set ``procedural`` and 0–3 ``topics`` (procedural items get none)."""
    if is_procedural(item):
        return dataclasses.replace(item, procedural=True, topics=())
    body = "\n".join((item.text, *item.decisions, *(a.what for a in item.actions)))
    topics = choose_topics(score_topics(item.title, body))
    return dataclasses.replace(item, procedural=False, topics=topics)


def tag_meeting(meeting: Meeting) -> Meeting:
    """Tag every item of a meeting."""
    return dataclasses.replace(meeting, items=tuple(tag_item(i) for i in meeting.items))
