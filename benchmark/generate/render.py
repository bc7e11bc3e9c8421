"""Rendering a composed meeting in the five seed styles and as HTML, PDF and DOCX."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

from benchmark.generate.compose import (
    Header,
    _Filler,
    _header,
    _meeting_title,
    compose,
    swedish_date,
)
from benchmark.generate.messy import MESSY_RENDERERS
from benchmark.generate.plan import (
    CHARS_PER_PAGE,
    MONTHS,
    WEEKDAYS,
    Body,
    Item,
    MeetingPlan,
    vocabulary,
)


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
    renderer = TEXT_RENDERERS.get(plan.style) or MESSY_RENDERERS[plan.style]
    text = renderer(plan, header, items, rng)
    encoding = "utf-8" if plan.fmt == "md" else plan.encoding
    return text.encode(encoding, errors="replace")


# --- the archive ----------------------------------------------------------------------


