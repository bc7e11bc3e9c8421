"""Entry point: the indexer's command group plus ``serve``.

``serve`` lives here, not in ``indexer/cli.py``, so imports point one way (webui → indexer).
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import click

from indexer.cli import cli
from webui.server import DEFAULT_THREADS, default_workers

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


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


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
    failed = f", {_count(len(report.failed), 'fil', 'filer')} kunde inte läsas" if report.failed else ""
    click.echo(f"Klart: {_count(report.items, 'punkt', 'punkter')} från "
               f"{_count(len(report.added), 'fil', 'filer')}{failed}.", err=True)  # fmt: skip
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
@click.option("--workers", type=click.IntRange(1, 64), default=default_workers,
              show_default="antalet processorkärnor, högst 8",
              help="Antal serverprocesser. Varje process har ett eget sökindex öppet i minnet.")
@click.option("--threads", type=click.IntRange(1, 64), default=DEFAULT_THREADS, show_default=True,
              help="Förfrågningar som varje serverprocess tar emot samtidigt; fler väntar på "
                   "den process som blir ledig först.")
@click.option("--access-log", is_flag=True, default=False,
              help="Skriv en rad per förfrågan (åtkomstlogg) till standard ut.")
def serve(host: str, port: int, index_dir: Path | None, corpus_dir: Path | None,
          workers: int, threads: int, access_log: bool) -> None:  # fmt: skip
    """Starta webbgränssnittet med en produktionsserver (gunicorn, flera processer).

    Bygger indexet från korpusen först om inget index finns. Varje serverprocess svarar på egen
    hand, så flera processer använder flera processorkärnor samtidigt.

    Example: protokoll serve --port 8000 --index /tmp/protokoll-index --workers 2
    """
    from indexer.generations import default_index_dir
    from webui.server import ServeOptions, run

    index_dir = index_dir or default_index_dir()
    corpus = corpus_dir or default_corpus()
    _ensure_index(index_dir, corpus)
    listener = _listen_or_explain(host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Protokollsök kör på http://{shown}:{port}/ – avsluta med Ctrl-C", err=False)
    run(listener, ServeOptions(index_dir=index_dir, corpus_dir=corpus, workers=workers,
                               threads=threads, access_log=access_log))  # fmt: skip


def _listen_or_explain(host: str, port: int) -> socket.socket:
    """Bind the port in this process, so a busy port is reported before any worker starts."""
    from webui.server import listen

    try:
        return listen(host, port)
    except OSError as exc:
        raise click.ClickException(_listen_error(host, port, exc)) from None


def _listen_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"Port {port} används redan av ett annat program (kanske en annan protokoll serve). "
                f"Avsluta det programmet eller välj en annan port, t.ex. --port {port + 1}.")
    if exc.errno == errno.EACCES:
        return f"Port {port} kräver administratörsbehörighet. Välj en port över 1023, t.ex. --port 8000."
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return f"Adressen {host} finns inte på den här datorn. Använd t.ex. --host 127.0.0.1."
    return f"Kan inte lyssna på {host}:{port}: {exc.strerror or exc}."


def main() -> None:
    cli(prog_name="protokoll")
