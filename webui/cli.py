"""Entry point: the indexer's command group plus ``serve``.

``serve`` lives here, not in ``indexer/cli.py``, so imports point one way (webui → indexer).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from indexer.cli import cli

PACKAGE_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def default_corpus() -> Path | None:
    """``$PROTOKOLL_CORPUS``, else ``./corpus`` if it exists, else the corpus shipped beside the package."""
    env = os.environ.get("PROTOKOLL_CORPUS")
    if env:
        return Path(env).expanduser()
    for candidate in (Path.cwd() / "corpus", PACKAGE_CORPUS):
        if candidate.is_dir():
            return candidate
    return None


def _ensure_index(index_dir: Path, corpus: Path | None) -> None:
    """Build the index from ``corpus`` when none exists yet, printing progress."""
    from indexer.generations import current_generation
    from indexer.index import build_index

    if current_generation(index_dir) is not None:
        return
    if corpus is None or not corpus.is_dir():
        raise click.ClickException(
            f"Det finns inget index i {index_dir} och ingen korpusmapp att bygga det från. "
            "Ange --corpus MAPP eller kör protokoll index MAPP först."
        )
    click.echo(f"Inget index i {index_dir}; bygger det från {corpus} …", err=True)

    def progress(done: int, total: int, source: str) -> None:
        click.echo(f"  {done}/{total} {source}", err=True)

    report = build_index(corpus, index_dir, progress=progress)
    click.echo(f"Klart: {report.items} punkter från {len(report.added)} filer"
               f"{f', {len(report.failed)} filer kunde inte läsas' if report.failed else ''}.",
               err=True)
    for source, reason in report.failed:
        click.echo(f"  misslyckades: {source}: {reason}", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adress att lyssna på. Använd 0.0.0.0 bara bakom en brandvägg eller proxy.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Indexmapp (standard: $PROTOKOLL_INDEX eller en mapp under användarens datamapp).")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Korpusmapp (standard: $PROTOKOLL_CORPUS, ./corpus eller den medföljande korpusen).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Antal arbetstrådar i webbservern.")
def serve(host: str, port: int, index_dir: Path | None, corpus_dir: Path | None, threads: int) -> None:
    """Starta webbgränssnittet med en produktionsserver (waitress).

    Bygger indexet från korpusen först om inget index finns.

    Example: protokoll serve --port 8000 --index /tmp/protokoll-index
    """
    import waitress

    from indexer.generations import default_index_dir
    from webui import create_app

    index_dir = index_dir or default_index_dir()
    corpus = corpus_dir or default_corpus()
    _ensure_index(index_dir, corpus)
    app = create_app({"INDEX_DIR": str(index_dir), "CORPUS_DIR": str(corpus) if corpus else None})
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Protokollsök kör på http://{shown}:{port}/ – avsluta med Ctrl-C", err=False)
    waitress.serve(app, host=host, port=port, threads=threads, ident="Protokollsok",
                   clear_untrusted_proxy_headers=True, _quiet=True)


def main() -> None:
    cli(prog_name="protokoll")
