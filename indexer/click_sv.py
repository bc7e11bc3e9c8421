"""Click in Swedish: its usage lines, help headings, built-in option help and error messages.

Click marks every message it prints with ``gettext`` (``from gettext import gettext as _`` in
each of its modules). The standard route, a compiled ``messages.mo`` picked by the user's
``LANGUAGE``/``LANG``, would make the language depend on the terminal's locale, and the brief
wants Swedish for every user. So this module, the only one that knows Click's internals, points
those module-level ``_``/``ngettext`` names at the catalogue in ``data/click_sv.json`` and gives
Click's parameter types Swedish names (shown as metavars: ``HELTAL``, ``MAPP``).

``install()`` must run before the commands are declared, because some help texts (``--version``)
are translated when the decorator runs. ``tests/test_cli_swedish.py`` checks that every message
of the installed Click version has a translation, so an upgrade that adds one is noticed.
"""

from __future__ import annotations

import importlib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import click

CLICK_MODULES = (
    "click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
    "click.types", "click.termui", "click.utils", "click.shell_completion", "click._termui_impl",
)  # fmt: skip
TYPES = (
    "StringParamType", "UnprocessedParamType", "DateTime", "IntParamType", "IntRange",
    "FloatParamType", "FloatRange", "BoolParamType", "UUIDParameterType", "File",
)  # fmt: skip
OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."


@cache
def catalogue() -> dict[str, Any]:
    text = resources.files("indexer").joinpath("data/click_sv.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def gettext(message: str) -> str:
    translated: str = catalogue()["messages"].get(message, message)
    return translated


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = catalogue()["plurals"].get(singular)
    if forms is None:
        return singular if n == 1 else plural
    return str(forms[0] if n == 1 else forms[1])


@cache
def install() -> None:
    """Swap Click's message lookups for the Swedish catalogue; idempotent."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    names = catalogue()["type_names"]
    for type_name in TYPES:
        cls = getattr(click.types, type_name, None)
        if cls is not None and getattr(cls, "name", None) in names:
            cls.name = names[cls.name]


def _swedish_help(text: str | None) -> str | None:
    """Docstrings end with ``Example:`` (code is English); the user reads ``Exempel:``."""
    return re.sub(r"^(\s*)Example:", r"\1Exempel:", text, flags=re.M) if text else text


class SwedishCommand(click.Command):
    """A command whose usage line says ``[FLAGGOR]``, not ``[OPTIONS]``, and help ``Exempel:``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        self.help = _swedish_help(self.help)


class SwedishGroup(click.Group):
    """A group with Swedish metavars; its subcommands are ``SwedishCommand``s."""

    command_class = SwedishCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
        self.help = _swedish_help(self.help)
