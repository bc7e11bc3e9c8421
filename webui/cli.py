"""Entry point: the indexer's command group plus ``serve``.

``serve`` lives here, not in ``indexer/cli.py``, so imports point one way (webui → indexer).
"""

from __future__ import annotations

from indexer.cli import cli


def main() -> None:
    cli(prog_name="protokoll")
