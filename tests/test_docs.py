"""The README is the user's manual: every command, setting and promise in it must be real."""

from __future__ import annotations

import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from webui.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, click.Command]]:
    return sorted(cli.commands.items())


def test_every_subcommand_is_documented_in_the_readme() -> None:
    for name, _ in commands():
        assert f"protokoll {name}" in README, f"`protokoll {name}` saknas i README.md"


@pytest.mark.parametrize("name", [n for n, _ in commands()])
def test_every_subcommand_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Exempel:" in result.output, f"{name} --help saknar ett exempel"
    for option in cli.commands[name].params:
        if isinstance(option, click.Option) and not option.hidden:
            assert option.help, f"{name} {option.opts[0]} saknar hjälptext"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    assert blocks[0].endswith("protokoll serve")
    assert blocks[1] == "./scripts/test"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test" in ci


def test_readme_links_point_at_files_that_exist() -> None:
    for target in re.findall(r"\]\((?!https?://|#|mailto:)([^)#]+)", README):
        assert (ROOT / target).exists(), f"README länkar till {target}, som inte finns"


def test_version_option_works_without_a_traceback() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from webui.cli import main; main()", "--version"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0 and "version" in out.stdout
