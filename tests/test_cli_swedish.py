"""The CLI's chrome is Swedish: Click's usage line, headings, built-in help and errors."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from indexer.click_sv import CLICK_MODULES, catalogue
from webui.cli import cli

ENGLISH = ("Usage:", "Options:", "Commands:", "Error:", "Show this message", "[OPTIONS]",
           "Try '", "Example:", "INTEGER", "is not", "Invalid value", "No such", "required",
           "default:")  # fmt: skip


def _click_messages() -> tuple[set[str], set[str]]:
    """Every literal message the installed Click passes to ``_()`` or ``ngettext()``."""
    singles: set[str] = set()
    plurals: set[str] = set()
    root = Path(click.__file__).parent
    for module in CLICK_MODULES:
        source = root / (module.split(".", 1)[1] + ".py")
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if node.func.id == "_":
                    singles.add(first.value)
                elif node.func.id == "ngettext":
                    plurals.add(first.value)
    return singles, plurals


def test_every_click_message_has_a_swedish_translation():
    singles, plurals = _click_messages()
    assert singles and plurals
    assert not singles - set(catalogue()["messages"])
    assert not plurals - set(catalogue()["plurals"])


def test_usage_error_is_swedish_from_the_real_entry_point():
    out = subprocess.run(
        [sys.executable, "-c", "from webui.cli import main; main()", "search", "flykting",
         "--sida", "0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2
    assert "Användning: protokoll search [FLAGGOR] [FRÅGA]" in out.stderr
    assert "Skriv 'protokoll search --help' för hjälp." in out.stderr
    assert "Fel: Parametern sida" in out.stderr
    for word in ENGLISH:
        assert word not in out.stderr


@pytest.mark.parametrize(
    "args",
    [["--help"], ["index", "--help"], ["search", "--help"], ["serve", "--help"],
     ["generate", "--help"], ["bench", "--help"], ["nosuch"], ["index", "--workers", "x"], ["search", "--sort", "x"],
     ["search", "--per-sida", "y"], ["index", "--nosuch"], ["generate"]],
)  # fmt: skip
def test_no_english_chrome(args: list[str]):
    result = CliRunner().invoke(cli, args, prog_name="protokoll")
    assert "Traceback" not in result.output
    assert "Användning:" in result.output
    for word in ENGLISH:
        assert word not in result.output, (word, result.output)
