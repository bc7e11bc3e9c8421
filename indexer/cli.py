"""The ``protokoll`` command group: parse, index, search, generate.

Commands only translate flags into calls on the library and render what comes back; typed
errors from the core become ``click.ClickException`` with the file or parameter and the remedy,
so no traceback reaches a user. ``webui.cli`` adds ``serve`` and is the entry point.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.errors import ProtokollError


class FriendlyGroup(click.Group):
    """Turns any ProtokollError (and, as a last resort, any exception) into a one-line message."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProtokollError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise click.ClickException("Avbrutet. Index som redan var klart finns kvar.") from None
        except Exception as exc:  # noqa: BLE001 - last line of defence, never a traceback
            raise click.ClickException(
                f"Oväntat fel ({type(exc).__name__}: {exc}). Kör igen med PROTOKOLL_DEBUG=1 "
                "för detaljer och rapportera gärna felet."
            ) from None


@click.group(cls=FriendlyGroup)
@click.version_option(package_name="protokollsok")
def cli() -> None:
    """Protokollsök: sök i protokoll från regionala samverkansorgan.

    Example: protokoll index corpus && protokoll search "e-tjänster"
    """


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Skriv hela mötet som JSON.")
def parse(file: Path, as_json: bool) -> None:
    """Tolka en protokollfil och visa möte, punkter och beslut.

    Example: protokoll parse corpus/umearegionen-kommunchefsgrupp-2008-08-22.txt --json
    """
    from indexer.pipeline import load_meeting

    meeting = load_meeting(file)
    if as_json:
        click.echo(json.dumps(meeting.to_dict(), ensure_ascii=False, indent=2))
        return
    from indexer.render import meeting_summary

    click.echo(meeting_summary(meeting))


def main() -> None:  # pragma: no cover - thin wrapper
    cli(prog_name="protokoll")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
