"""A synthetic archive of minutes at national scale, for benchmarks and parse-accuracy tests.

Real archives cannot be shipped, so ``protokoll generate`` writes look-alikes: the five seed
styles (numbered items with BESLUT, § paragraphs with Dnr, Markdown with att-clauses,
PDF-extracted text with page markers and hyphenation, web transcripts with junk), ~40 invented
cooperation bodies covering all 290 municipalities, 2000–2026, in .txt/.md and a small share of
.html/.pdf/.docx. ``manifest.json`` records the truth (organisation, body, date, item count)
so tests and benchmarks can measure how well the parser recovers it.

Deterministic: one ``random.Random`` for the plan and one per meeting, seeded from ``seed``
and the meeting's number, so the same seed gives the same bytes — also when meetings are
rendered in parallel. No clock, no global random. All vocabulary is in ``data/generator``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from indexer.errors import ProtokollError
from indexer.records import slugify

DATA = Path(__file__).resolve().parent / "data"
PROJECT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
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


@cache
def vocabulary() -> Vocabulary:
    """Read the data files once per process."""
    by_county: dict[str, list[str]] = {}
    with (DATA / "kommuner.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_county.setdefault(row["county_code"], []).append(row["municipality_name"])
    gen = DATA / "generator"
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
        if fmt in {"txt", "md"}:
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


def render_numbered(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> str:
    d = plan.date
    out = [" Minnesanteckningar ", _meeting_title(plan).replace(",", ""), "Dag", "",
           f"{WEEKDAYS[d.weekday()]} den {swedish_date(d)}", "Tid", "", f"{h.start} – {h.end}",
           "Plats", "", h.place, "", "Närvarande"]  # fmt: skip
    out += [f"{n}, {m}" for n, m in h.present]
    if h.absent:
        out += ["Anmält förhinder "] + [f"{n}, {m}" for n, m in h.absent]
    for number, item in enumerate(items, 1):
        out += ["", f"{number}. {item.title}", *item.paragraphs]
        if item.decisions:
            out.append("BESLUT: " + " ".join(item.decisions))
    return "\n".join(out) + "\n"


def render_paragraph(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> str:
    first = rng.randrange(1, 120)
    chair, *others = h.present
    out = ["", "", "Protokoll", "", _meeting_title(plan), "", f"Plats {h.place}", "",
           f"Tid {swedish_date(plan.date)}, kl {h.start} -{h.end}", "",
           f"Beslutande {chair[0]}, {chair[1]}, ordförande", *(f"{n}, {m}" for n, m in others),
           "", f"Utses att justera {rng.choice(others or [chair])[0]}", "",
           f"Paragrafer {first} - {first + len(items) - 1}"]  # fmt: skip
    group = plan.body.forms["definite"].capitalize()
    for number, item in enumerate(items, first):
        out += ["", f"§ {number}", "", item.title]
        if item.dnr:
            out += ["", f"Dnr {item.dnr}"]
        for paragraph in item.paragraphs:
            out += ["", *wrap(paragraph, 82, rng)]
        if len(item.decisions) == 1:
            out += ["", f"{group} beslutar {item.decisions[0]}"]
        elif item.decisions:
            out += ["", f"{group} beslutar", *(f"\n{d}" for d in item.decisions)]
    return "\n".join(out) + "\n"


def render_markdown(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> str:
    d = plan.date
    out = [f"## {plan.body.forms['genitive'].capitalize()} protokoll {rng.randrange(1, 11)}/{d.year}",
           "", f"**Tid/Plats:** {d:%y%m%d}, {h.place} kl {h.start}-{h.end}.", "",
           "Närvarande: " + ", ".join(f"{n}, {m}" for n, m in h.present) + "."]  # fmt: skip
    if h.absent:
        out += ["", "Anmält förhinder: " + ", ".join(f"{n}, {m}" for n, m in h.absent)]
    for number, item in enumerate(items, 1):
        out += ["", f"### {number}. **{item.title}**"]
        for paragraph in item.paragraphs:
            out += ["", _emphasise(paragraph, rng)]
        if item.decisions:
            out += ["", "#### **Beslut:**", "", "  \n".join(item.decisions)]
    return "\n".join(out) + "\n"


def _emphasise(paragraph: str, rng: random.Random) -> str:
    if rng.random() > 0.3:
        return paragraph
    words = paragraph.split(" ")
    i = rng.randrange(len(words))
    if words[i].isalpha():
        words[i] = f"*{words[i]}*"
    return " ".join(words)


def _flat_body(plan: MeetingPlan, h: Header, items: list[Item]) -> list[str]:
    """Item text as the PDF-to-text seeds show it: one run of words, tables flattened."""
    words = []
    for number, item in enumerate(items, 1):
        words.append(f"{number}. {item.title} " + " ".join(item.paragraphs))
        if item.decisions:
            words.append("Beslut: " + " ".join(item.decisions))
        if item.actions:
            words.append(
                "ÅTGÄRDER SLUTDATUM ANSVARIG " + " ".join(" ".join(a) for a in item.actions)
            )
    return words


def render_pdftext(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> str:
    head = (
        f"{_meeting_title(plan)} Beslutande: "
        + " ".join(f"{n}, {_gen(m)} kommun" for n, m in h.present)
        + f" {plan.date} {h.start.replace('.', ':')}-{h.end.replace('.', ':')} {h.place}"
    )
    if h.absent:
        head += " Frånvarande: " + " ".join(f"{n}, {_gen(m)} kommun" for n, m in h.absent)
    lines = wrap(" ".join([head, "Protokoll", *_flat_body(plan, h, items)]), 95, rng)
    pages = paginate(lines, CHARS_PER_PAGE // 95)
    return (
        "\n".join("\n".join(page) + f" {i} / {len(pages)}" for i, page in enumerate(pages, 1))
        + "\n"
    )


def _gen(municipality: str) -> str:
    return vocabulary().genitive[municipality]


def render_web(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> str:
    title = _meeting_title(plan)
    s, vocab = vocabulary().sentences, vocabulary()
    head = (f"Minnesanteckningar {title} Dag/tid {plan.date.day} {MONTHS[plan.date.month - 1][:3]}"
            f" {plan.date.year}, kl {h.start} Plats {h.place} Närvarande "
            + " ".join(f"{m}: {n}" for n, m in h.present))  # fmt: skip
    agenda = " ".join(f"{i}. {item.title}" for i, item in enumerate(items, 1))
    words = " ".join([head, agenda, *_flat_body(plan, h, items)]).split(" ")
    per_page = CHARS_PER_PAGE // 7
    pages = [" ".join(words[i : i + per_page]) for i in range(0, len(words), per_page)]
    out = [title, "", "Storlek: px", "Starta visningen från sidan:", "", f'Download "{title}"',
           "", "Transkript", ""] + [f"{i} {p}" for i, p in enumerate(pages, 1)]  # fmt: skip
    others = [m for c in vocab.municipalities.values() for m in c if m not in plan.body.members]
    junk = _Filler(rng, plan, rng.choice(vocab.topics))
    for _ in range(rng.randrange(3, 7)):
        junk.plan = _with_members(plan, rng.sample(others, 2))
        name = rng.choice(s["web_junk_titles"]).format_map(junk)
        out += ["", name, "", f"{name} {rng.choice(s['web_junk_text']).format_map(junk)}...", "",
                "Läs mer"]  # fmt: skip
    return "\n".join(out)


def _with_members(plan: MeetingPlan, members: Sequence[str]) -> MeetingPlan:
    """A copy whose slots draw other municipalities: junk must not name the real members."""
    body = Body(**{**plan.body.__dict__, "members": tuple(members)})
    return MeetingPlan(**{**plan.__dict__, "body": body})


def wrap(text: str, width: int, rng: random.Random) -> list[str]:
    """Greedy line wrap with occasional line-end hyphenation, as PDF text layers have it."""
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for word in text.split():
        if used + len(word) + bool(line) <= width or not line:
            line.append(word)
            used += len(word) + (len(line) > 1)
            continue
        head, tail = _hyphenate(word, width - used - 1, rng)
        if head:
            line.append(head)
        lines.append(" ".join(line))
        line, used = [tail], len(tail)
    if line:
        lines.append(" ".join(line))
    return lines


_VOWELS = frozenset("aeiouyåäöéAEIOUYÅÄÖÉ")


def _hyphenate(word: str, room: int, rng: random.Random) -> tuple[str, str]:
    """Split ``word`` for a line end: at its own hyphen, or before a consonant–vowel pair."""
    if room < 4 or len(word) < 8 or rng.random() > 0.4:
        return "", word
    if "-" in word[:room]:
        cut = word.index("-") + 1
        return word[:cut], word[cut:]
    if not word.isalpha():
        return "", word
    for i in range(min(room - 1, len(word) - 3), 2, -1):
        if word[i] not in _VOWELS and word[i + 1] in _VOWELS:
            return word[:i] + "-", word[i:]
    return "", word


def paginate(lines: list[str], per_page: int) -> list[list[str]]:
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[""]]


# --- binary formats -------------------------------------------------------------------

_LATIN1_SAFE = str.maketrans({"–": "-", "—": "-", "”": '"', "“": '"', "’": "'", "…": "..."})
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def render_html(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> bytes:
    from html import escape

    title = escape(_meeting_title(plan))
    main = [
        f"<h1>{title}</h1>",
        f"<p>Datum: {plan.date}<br>Tid: kl {h.start}–{h.end}<br>Plats: {escape(h.place)}</p>",
        "<p>Närvarande: " + escape(", ".join(f"{n} ({m})" for n, m in h.present)) + "</p>",
    ]
    for number, item in enumerate(items, 1):
        main.append(f"<h2>{number}. {escape(item.title)}</h2>")
        main += [f"<p>{escape(p)}</p>" for p in item.paragraphs]
        if item.decisions:
            main.append(
                "<p><strong>Beslut:</strong></p><ul>"
                + "".join(f"<li>{escape(d)}</li>" for d in item.decisions)
                + "</ul>"
            )
        if item.actions:
            rows = "".join(
                f"<tr><td>{escape(w)}</td><td>{d}</td><td>{escape(r)}</td></tr>"
                for w, d, r in item.actions
            )
            main.append(
                f"<table><tr><th>Åtgärd</th><th>Slutdatum</th><th>Ansvarig</th></tr>{rows}</table>"
            )
    org = escape(plan.body.organisation)
    page = (
        f'<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif}</style><script>var besok=1;</script></head><body>"
        '<div class="cookie-banner">Vi använder kakor. <button>Godkänn</button></div>'
        f"<header>{org}</header><nav><a href='/'>Startsida</a> <a href='/moten'>Möten</a></nav>"
        "<main>" + "\n".join(main) + f"</main><footer>© {org}</footer></body></html>\n"
    )
    return page.encode("utf-8")


def render_pdf(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> bytes:
    from fpdf import FPDF

    text = render_paragraph(plan, h, items, rng).translate(_LATIN1_SAFE)
    lines = text.encode("latin-1", "replace").decode("latin-1").splitlines()
    pages = paginate(lines, 58)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(plan.date.year, plan.date.month, plan.date.day,
                                      tzinfo=dt.UTC))  # fmt: skip
    pdf.set_auto_page_break(False)
    for number, page in enumerate(pages, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=8)
        pdf.text(170, 10, f"Sida {number} ({len(pages)})")
        pdf.set_font("Helvetica", size=10)
        for row, line in enumerate(page):
            pdf.text(15, 18 + row * 4.6, line)
    return bytes(pdf.output())


def render_docx(plan: MeetingPlan, h: Header, items: list[Item], rng: random.Random) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_heading(_meeting_title(plan), level=1)
    document.add_paragraph(f"Datum: {plan.date}, kl {h.start}–{h.end}. Plats: {h.place}.")
    document.add_paragraph("Närvarande: " + ", ".join(f"{n}, {m}" for n, m in h.present))
    for number, item in enumerate(items, 1):
        document.add_heading(f"{number}. {item.title}", level=2)
        for paragraph in item.paragraphs:
            document.add_paragraph(paragraph)
        if item.actions:
            table = document.add_table(rows=1, cols=3)
            for cell, text in zip(table.rows[0].cells, ("ÅTGÄRDER", "SLUTDATUM", "ANSVARIG")):
                cell.text = text
            for action in item.actions:
                for cell, text in zip(table.add_row().cells, action):
                    cell.text = text
        if item.decisions:
            document.add_paragraph("BESLUT: " + " ".join(item.decisions))
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_dates(out.getvalue())


def _fixed_zip_dates(data: bytes) -> bytes:
    """python-docx stamps the current time on every ZIP entry; determinism needs a fixed one."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


TEXT_RENDERERS: dict[str, Callable[[MeetingPlan, Header, list[Item], random.Random], str]] = {
    "numbered": render_numbered, "paragraph": render_paragraph, "markdown": render_markdown,
    "pdftext": render_pdftext, "web": render_web,
}  # fmt: skip
BINARY_RENDERERS = {"html": render_html, "pdf": render_pdf, "docx": render_docx}


def render_meeting(plan: MeetingPlan) -> bytes:
    """The file's bytes for one planned meeting."""
    rng = random.Random(plan.number * 1_000_003 + 29)
    items = compose(plan)
    header = _header(rng, plan)
    if plan.fmt in BINARY_RENDERERS:
        return BINARY_RENDERERS[plan.fmt](plan, header, items, rng)
    text = TEXT_RENDERERS[plan.style](plan, header, items, rng)
    encoding = "utf-8" if plan.fmt == "md" else plan.encoding
    return text.encode(encoding, errors="replace")


# --- the archive ----------------------------------------------------------------------


def _render_range(count: int, seed: int, out: str, start: int, stop: int) -> tuple[Counter, int]:
    """Worker: re-plan (cheap, cached) and write meetings[start:stop]; returns stats only."""
    plans = _cached_plan(count, seed)[1]
    formats: Counter[str] = Counter()
    size = 0
    root = Path(out)
    for plan in plans[start:stop]:
        data = render_meeting(plan)
        target = root / plan.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        formats[plan.fmt] += 1
        size += len(data)
    return formats, size


@cache
def _cached_plan(count: int, seed: int) -> tuple[list[Body], list[MeetingPlan]]:
    return plan_meetings(count, seed)


def generate(
    count: int, out: Path, *, seed: int = 0, workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerateReport:  # fmt: skip
    """Write ``count`` meetings, folder metadata files and ``manifest.json`` under ``out``."""
    began = time.perf_counter()
    _prepare_output(out)
    bodies, plans = _cached_plan(count, seed)
    workers = workers or (1 if count < 3000 else 2)
    formats: Counter[str] = Counter()
    size = 0
    for done, (fmts, written) in _run_chunks(count, seed, out, workers):
        formats.update(fmts)
        size += written
        if progress:
            progress(done)
    _write_metadata_files(out, bodies)
    _write_manifest(out, seed, bodies, plans)
    return GenerateReport(count, dict(sorted(formats.items())), time.perf_counter() - began,
                          size / 1e6)  # fmt: skip


def _run_chunks(
    count: int, seed: int, out: Path, workers: int
) -> Iterator[tuple[int, tuple[Counter, int]]]:
    step = 500
    ranges = [(s, min(count, s + step)) for s in range(0, count, step)]
    if workers <= 1:
        for start, stop in ranges:
            yield stop - start, _render_range(count, seed, str(out), start, stop)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_render_range, count, seed, str(out), a, b) for a, b in ranges]
        for (start, stop), future in zip(ranges, futures):
            yield stop - start, future.result()


def _prepare_output(out: Path) -> None:
    """Never write into the bundled corpus; only reuse a folder this generator made."""
    resolved = out.resolve()
    if resolved == PROJECT_CORPUS.resolve() or PROJECT_CORPUS.resolve() in resolved.parents:
        raise ProtokollError(
            f"{out}: syntetiska protokoll får inte hamna i corpus/; välj en annan mapp med --out."
        )
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise ProtokollError(
            f"{out}: mappen är inte tom och är inte ett genererat arkiv; välj en tom mapp."
        )
    manifest = out / "manifest.json"
    if manifest.is_file():  # a previous run: remove exactly what it wrote
        old = json.loads(manifest.read_text(encoding="utf-8"))
        for rel in [*old.get("files", {}), *old.get("metadata_files", [])]:
            (out / rel).unlink(missing_ok=True)
        manifest.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _write_metadata_files(out: Path, bodies: list[Body]) -> list[str]:
    written = []
    for body in bodies:
        if body.metadata_file and (out / body.folder).is_dir():
            rel = f"{body.folder}/protokoll.toml"
            (out / rel).write_text(
                f'organisation = "{body.organisation}"\nbody = "{body.group}"\n', encoding="utf-8"
            )
            written.append(rel)
    return written


def _write_manifest(out: Path, seed: int, bodies: list[Body], plans: list[MeetingPlan]) -> None:
    metadata = [f"{b.folder}/protokoll.toml" for b in bodies
                if b.metadata_file and (out / b.folder / "protokoll.toml").is_file()]  # fmt: skip
    manifest = {
        "generator": "protokoll generate",
        "seed": seed,
        "meetings": len(plans),
        "bodies": [
            {
                "organisation": b.organisation,
                "body": b.group,
                "folder": b.folder,
                "municipalities": list(b.members),
            }
            for b in bodies
        ],
        "metadata_files": metadata,
        "files": {
            p.path: {
                "organisation": p.body.organisation,
                "body": p.body.group,
                "date": p.date.isoformat(),
                "items": p.items,
                "format": p.fmt,
                "style": p.style if p.fmt in {"txt", "md"} else p.fmt,
                "encoding": {"txt": p.encoding, "md": "utf-8"}.get(p.fmt),
            }
            for p in plans
        },
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
