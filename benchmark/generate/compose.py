"""Composing a planned meeting's agenda items and header from the vocabulary."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from benchmark.generate.plan import CHARS_PER_PAGE, MONTHS, Item, MeetingPlan, vocabulary


class _Filler:
    """A lazy mapping for str.format_map: each slot is drawn only if the template uses it."""

    def __init__(self, rng: random.Random, plan: MeetingPlan, topic: dict[str, Any]) -> None:
        self.rng, self.plan, self.topic = rng, plan, topic
        self.last: str | None = None

    def __getitem__(self, key: str) -> str:
        rng, body = self.rng, self.plan.body
        match key:
            case "term" | "term2":
                return rng.choice(self.topic["terms"])
            case "term_gen":
                return rng.choice(self.topic["genitives"])
            case "verb":
                return rng.choice(self.topic["verbs"])
            case "kommun":
                self.last = rng.choice(body.members)
                return self.last
            case "kommun2":  # a different one, or "Umeå och Umeå" would appear
                others = [m for m in body.members if m != self.last]
                return rng.choice(others or body.members)
            case "kommun_gen":
                return vocabulary().genitive[rng.choice(body.members)]
            case "org":
                return body.organisation
            case "group":
                return body.forms["definite"]
            case "group_cap":
                return body.forms["definite"].capitalize()
            case "person":
                return rng.choice(body.people)
            case "year":
                return str(self.plan.date.year + rng.choice((0, 0, 1)))
            case "date" | "date2":
                return swedish_date(self.plan.date + dt.timedelta(days=rng.randrange(7, 90)))
            case "past_date":
                return swedish_date(self.plan.date - dt.timedelta(days=rng.randrange(14, 90)))
            case "amount":
                return f"{rng.randrange(50, 2500) * 1000:,}".replace(",", " ")
        raise KeyError(key)


def swedish_date(date: dt.date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def compose(plan: MeetingPlan) -> list[Item]:
    """The agenda: procedural opening and closing items around topic items of the right size."""
    rng = random.Random(plan.number * 1_000_003 + 17)
    vocab, s = vocabulary(), vocabulary().sentences
    proc = s["procedural"]
    budget = int(plan.pages * CHARS_PER_PAGE) // plan.items
    fill = _Filler(rng, plan, rng.choice(vocab.topics))
    n = plan.items
    opening = ["open"] + (["agenda"] if n >= 5 else [])
    closing = (["other"] if n >= 6 else []) + (["next"] if n >= 7 else []) + ["close"]
    topics = []
    for _ in range(n - len(opening) - len(closing)):
        fill.topic = rng.choice(vocab.topics)
        topics.append(_topic_item(rng, fill, s, budget, plan))
    procedural = [Item(rng.choice(proc[k]), [rng.choice(proc[k + "_text"]).format_map(fill)])
                  for k in opening + closing]  # fmt: skip
    return procedural[: len(opening)] + topics + procedural[len(opening) :]


def _topic_item(rng: random.Random, fill: _Filler, s: dict[str, Any], budget: int,
                plan: MeetingPlan) -> Item:  # fmt: skip
    paragraphs: list[str] = []
    size = 0
    while size < budget or not paragraphs:
        sentences = [rng.choice(s["intro"] if not paragraphs else s["body"]).format_map(fill)]
        sentences += [rng.choice(s["body"]).format_map(fill) for _ in range(rng.randrange(1, 5))]
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1])
    item = Item(rng.choice(fill.topic["titles"]), paragraphs)
    if rng.random() < 0.7:
        pool = s["numbered_decision"] if plan.style in {"numbered", "pdftext"} else s["decision"]
        item.decisions = [rng.choice(pool).format_map(fill) for _ in range(rng.randrange(1, 4))]
    if rng.random() < 0.5:
        item.dnr = f"{plan.date.year}.{rng.randrange(1, 200):03d}-{rng.randrange(1, 9)}"
    if rng.random() < 0.2:
        item.actions = [(f"{fill['verb'].capitalize()} {fill['term']}",
                         str(plan.date + dt.timedelta(days=rng.randrange(14, 120))),
                         fill["person"]) for _ in range(rng.randrange(1, 4))]  # fmt: skip
    return item


# --- rendering: one function per seed style -------------------------------------------


@dataclass(frozen=True)
class Header:
    present: list[tuple[str, str]]  # (name, municipality)
    absent: list[tuple[str, str]]
    start: str
    end: str
    place: str


def _header(rng: random.Random, plan: MeetingPlan) -> Header:
    body = plan.body
    pairs = list(zip(body.people, body.members))
    absent = [p for p in pairs[1:] if rng.random() < 0.12]
    start = rng.choice(("08.30", "09.00", "09.30", "10.00", "13.00"))
    end = f"{int(start[:2]) + rng.randrange(2, 6):02d}.{rng.choice(('00', '30'))}"
    hall = rng.choice(("Stadshuset", "Kommunhuset", "Förbundets kansli", "Rådhuset", "Folkets hus"))
    present = [p for p in pairs if p not in absent]
    return Header(present, absent, start, end, f"{hall}, {rng.choice(body.members)}")


def _meeting_title(plan: MeetingPlan) -> str:
    return f"{plan.body.forms['meeting'].capitalize()}, {plan.body.organisation}"


