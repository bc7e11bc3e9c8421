"""Planning a synthetic archive: bodies, members and meeting dates, from one seed."""

from __future__ import annotations

import csv
import datetime as dt
import random
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import indexer
from indexer.records import slugify

DATA = Path(__file__).resolve().parent.parent / "data" / "generator"
MUNICIPALITIES = Path(indexer.__file__).resolve().parent / "data" / "kommuner.csv"  # the product's own table
PROJECT_CORPUS = Path(__file__).resolve().parent.parent.parent / "corpus"
FORMAT_WEIGHTS = {"txt": 0.62, "md": 0.31, "html": 0.03, "pdf": 0.02, "docx": 0.02}
STYLE_EXT = {"numbered": "txt", "paragraph": "txt", "pdftext": "txt", "web": "txt",
             "markdown": "md"}  # fmt: skip
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]  # fmt: skip
WEEKDAYS = ("Måndagen", "Tisdagen", "Onsdagen", "Torsdagen", "Fredagen")
CHARS_PER_PAGE = 2800


@dataclass(frozen=True)
class Body:
    """One organisation's group (styrelse, kommunchefsgrupp …) with its members and people."""

    organisation: str
    group: str
    forms: dict[str, str]
    style: str
    members: tuple[str, ...]
    people: tuple[str, ...]  # one representative per member, same order
    folder: str
    metadata_file: bool


@dataclass(frozen=True)
class MeetingPlan:
    number: int
    body: Body
    date: dt.date
    style: str
    fmt: str
    encoding: str
    pages: float
    items: int
    path: str


@dataclass
class Item:
    title: str
    paragraphs: list[str]
    decisions: list[str] = field(default_factory=list)
    dnr: str | None = None
    actions: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class GenerateReport:
    meetings: int
    files_per_format: dict[str, int]
    seconds: float
    megabytes: float


# --- vocabulary -----------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    municipalities: dict[str, tuple[str, ...]]  # county code → names
    genitive: dict[str, str]
    bodies: list[dict[str, Any]]
    groups: dict[str, dict[str, str]]
    topics: list[dict[str, Any]]
    names: dict[str, list[str]]
    sentences: dict[str, Any]
    messy: dict[str, Any]


@cache
def vocabulary() -> Vocabulary:
    """Read the data files once per process."""
    by_county: dict[str, list[str]] = {}
    with MUNICIPALITIES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_county.setdefault(row["county_code"], []).append(row["municipality_name"])
    gen = DATA
    bodies = tomllib.loads((gen / "bodies.toml").read_text(encoding="utf-8"))
    names = {
        m: m if m.endswith(("s", "x", "z")) else m + "s" for c in by_county.values() for m in c
    }
    return Vocabulary(
        municipalities={k: tuple(v) for k, v in by_county.items()},
        genitive=names,
        bodies=bodies["body"],
        groups=bodies["groups"],
        topics=tomllib.loads((gen / "topics.toml").read_text(encoding="utf-8"))["topic"],
        names=tomllib.loads((gen / "names.toml").read_text(encoding="utf-8")),
        sentences=tomllib.loads((gen / "sentences.toml").read_text(encoding="utf-8")),
        messy=tomllib.loads((gen / "messy.toml").read_text(encoding="utf-8")),
    )


def plan_bodies(rng: random.Random, vocab: Vocabulary) -> list[Body]:
    """Spread every municipality of a county over that county's organisations (3–12 each)."""
    by_county: dict[str, list[dict[str, Any]]] = {}
    for spec in vocab.bodies:
        by_county.setdefault(spec["county"], []).append(spec)
    members: dict[str, list[str]] = {}
    for county, specs in sorted(by_county.items()):
        pool = list(vocab.municipalities[county])
        rng.shuffle(pool)
        for i, spec in enumerate(specs):
            members[spec["name"]] = pool[i :: len(specs)][:12]
    for spec in vocab.bodies:
        own = members[spec["name"]]
        extra = [m for c in [spec["county"], *spec.get("extra_counties", [])]
                 for m in vocab.municipalities[c] if m not in own]  # fmt: skip
        rng.shuffle(extra)
        wanted = max(3 - len(own), rng.choice((0, 0, 1, 2)))
        own.extend(extra[: max(0, min(wanted, 12 - len(own)))])
    bodies = []
    for index, spec in enumerate(vocab.bodies):
        people = tuple(_person(rng, vocab) for _ in members[spec["name"]])
        for group in spec["groups"]:
            bodies.append(Body(
                organisation=spec["name"], group=group, forms=vocab.groups[group],
                style=spec["style"], members=tuple(members[spec["name"]]), people=people,
                folder=f"{slugify(spec['name'])}/{slugify(group)}", metadata_file=index % 3 == 0,
            ))  # fmt: skip
    return bodies


def _person(rng: random.Random, vocab: Vocabulary) -> str:
    return f"{rng.choice(vocab.names['first'])} {rng.choice(vocab.names['last'])}"


def plan_meetings(count: int, seed: int) -> tuple[list[Body], list[MeetingPlan]]:
    """Decide every meeting's body, date, style, format and size before rendering any."""
    from benchmark.generate.messy import pick_messy  # messy renders plans: import it late

    rng = random.Random(seed)
    vocab = vocabulary()
    bodies = plan_bodies(rng, vocab)
    weights = [rng.uniform(0.3, 3.0) for _ in bodies]
    formats, fweights = zip(*FORMAT_WEIGHTS.items())
    taken: set[str] = set()
    plans = []
    for number in range(count):
        body = rng.choices(bodies, weights)[0]
        fmt = rng.choices(formats, fweights)[0]
        style = body.style if rng.random() < 0.75 else rng.choice(list(STYLE_EXT))
        messy = pick_messy(rng)
        if messy:  # real archives' damage lives in text layers: these are .txt files
            style, fmt = messy, "txt"
        elif fmt in {"txt", "md"}:
            fmt = STYLE_EXT[style]
        pages = min(30.0, max(0.5, rng.lognormvariate(1.0, 0.75)))
        if fmt in {"pdf", "docx", "html"}:
            pages = min(pages, 8.0)  # slow writers: keep their share of the work small
        items = max(2, min(40, round(2 + pages * 2.2 + rng.gauss(0, 2))))
        date = _weekday(dt.date(2000, 1, 3) + dt.timedelta(days=rng.randrange(9860)))
        encoding = rng.choices(["utf-8", "cp1252", "utf-8-sig"], [0.8, 0.15, 0.05])[0]
        path = _unique_path(f"{body.folder}/{slugify(body.group)}-{date}", fmt, taken)
        plans.append(MeetingPlan(number, body, date, style, fmt, encoding, pages, items, path))
    return bodies, plans


def _weekday(date: dt.date) -> dt.date:
    return date - dt.timedelta(days=max(0, date.weekday() - 4))


def _unique_path(stem: str, ext: str, taken: set[str]) -> str:
    path, n = f"{stem}.{ext}", 1
    while path in taken:
        n += 1
        path = f"{stem}-{n}.{ext}"
    taken.add(path)
    return path


# --- composing one meeting ------------------------------------------------------------


