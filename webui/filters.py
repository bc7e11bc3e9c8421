"""Jinja filters and globals: Swedish dates and numbers, state URLs for templates."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from markupsafe import Markup, escape

from indexer.highlight import mark
from webui.params import url_for_state

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")


def swedish_date(iso: str | None) -> str:
    """"2008-08-22" → "22 augusti 2008"; anything else is shown as it is (or "datum saknas")."""
    if not iso:
        return "datum saknas"
    try:
        year, month, day = (int(p) for p in iso[:10].split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def count_label(count: int, singular: str, plural: str) -> str:
    """``3|antal("möte", "möten")`` → "3 möten", ``1`` → "1 möte"; thousands with a thin space."""
    word = singular if count == 1 else plural
    return f"{count:,} {word}".replace(",", "\u00a0")


def hits_label(count: int) -> str:
    return count_label(count, "träff", "träffar")


def marked(text: str, terms: Iterable[str] | None) -> Markup:
    """The text, escaped, with the searched words in ``<mark>`` (a meeting page opened from a
    hit); without terms just the escaped text."""
    return mark(text, terms) if terms else escape(text)


def init_app(app: Flask) -> None:
    app.add_template_filter(marked, "markera")
    app.add_template_filter(swedish_date, "datum")
    app.add_template_filter(hits_label, "traffar")
    app.add_template_filter(count_label, "antal")
    app.add_template_global(url_for_state)
    app.add_template_global(zip, "zip")
