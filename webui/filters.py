"""Jinja filters and globals: Swedish dates and numbers, state URLs for templates."""

from __future__ import annotations

from flask import Flask

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


def hits_label(count: int) -> str:
    return "1 träff" if count == 1 else f"{count:,} träffar".replace(",", "\u00a0")


def init_app(app: Flask) -> None:
    app.add_template_filter(swedish_date, "datum")
    app.add_template_filter(hits_label, "traffar")
    app.add_template_global(url_for_state)
    app.add_template_global(zip, "zip")
