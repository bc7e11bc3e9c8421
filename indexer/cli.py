"""The ``protokoll`` command group: parse, index, search, generate.

Commands only translate flags into calls on the library and render what comes back; typed
errors from the core become ``click.ClickException`` with the file or parameter and the remedy,
so no traceback reaches a user. ``webui.cli`` adds ``serve`` and is the entry point.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from indexer import click_sv
from indexer.errors import ProtokollError
from indexer.facetspec import FACET_SPECS

click_sv.install()  # before the commands below: some help texts are translated at declaration


class UnexpectedError(click.ClickException):
    """A bug rather than bad input: its own exit status, so scripts can tell the two apart."""

    exit_code = 4


class FriendlyGroup(click_sv.SwedishGroup):
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
            raise UnexpectedError(
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
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True,
              help="Skriv varje möte som en JSON-rad (JSON Lines); sammanfattningen går till stderr.")
def parse(paths: tuple[Path, ...], as_json: bool) -> None:
    """Tolka protokollfiler och mappar och visa möte, punkter och beslut.

    Tar en eller flera filer och mappar (mappar gås igenom som vid indexering). Med --json
    skrivs ett möte per rad och en sammanfattning på stderr. Slutstatus som för index:
    0 allt gick bra, 1 några filer kunde inte läsas, 2 felaktiga argument.

    Example: protokoll parse corpus/umearegionen-kommunchefsgrupp-2008-08-22.txt --json
    """
    from indexer.errors import ExtractError
    from indexer.pipeline import load_meeting
    from indexer.render import meeting_summary

    files, failed = _parse_targets(paths)
    parsed = 0
    for path, root in files:
        try:
            meeting = load_meeting(path, corpus_root=root)
        except ExtractError as exc:
            failed.append((str(path), exc.reason))
            click.echo(str(exc), err=True)
            continue
        except OSError as exc:
            failed.append((str(path), exc.strerror or str(exc)))
            click.echo(f"{path}: filen kunde inte läsas ({exc.strerror or exc}).", err=True)
            continue
        parsed += 1
        if as_json:
            click.echo(json.dumps(meeting.to_dict(), ensure_ascii=False))
        else:
            if parsed > 1:
                click.echo("")
            click.echo(meeting_summary(meeting))
    if as_json or len(files) > 1 or failed:
        click.echo(_parse_summary(parsed, failed), err=True)
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _parse_targets(paths: tuple[Path, ...]) -> tuple[list[tuple[Path, Path | None]], list[tuple[str, str]]]:
    """(file, folder it was found in) for every file named or found in a named folder."""
    from indexer.corpus import walk_corpus

    files: list[tuple[Path, Path | None]] = []
    failed: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            found, unreadable = walk_corpus(path)
            files.extend((p, path) for _, p in found)
            failed.extend((f"{path}/{name}", reason) for name, reason in unreadable)
        else:
            files.append((path, None))
    return files, failed


def _parse_summary(parsed: int, failed: list[tuple[str, str]]) -> str:
    line = f"tolkade: {parsed}  misslyckade: {len(failed)}"
    if parsed == 0 and not failed:
        line += " (inga protokollfiler hittades; filtyper: .txt .md .html .pdf .docx)"
    return line


EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
EXIT_DAMAGED = 5  # the index is damaged: `protokoll index --rebuild` repairs it


def _index_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Indexmapp (standard: $PROTOKOLL_INDEX eller en mapp under användarens datamapp).",
    )(f)


def _resolve_index(index_dir: Path | None) -> Path:
    from indexer.generations import default_index_dir

    return index_dir or default_index_dir()


@cli.command()
@click.argument(
    "corpus", required=False, default="corpus", metavar="[MAPP]",
    type=click.Path(file_okay=False, path_type=Path),
)
@_index_option
@click.option("--rebuild", is_flag=True,
              help="Bygg om hela indexet i en ny generation (alla indexets mappar läses om).")
@click.option("--replace", is_flag=True,
              help="Gör MAPP till indexets enda mapp: andra mappars möten tas bort.")
@click.option("--remove", "remove", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="MAPP", help="Ta bort en mapps möten ur indexet (mappen får saknas).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Antal tolkningsprocesser.")
@click.option("--wait", is_flag=True, help="Vänta på ett annat pågående indexeringsjobb.")
@click.option("--check", is_flag=True,
              help="Kontrollera bara att indexet är helt (slutstatus 0 eller 5).")
def index(corpus: Path, index_dir: Path | None, rebuild: bool, replace: bool, remove: Path | None,
          workers: int | None, wait: bool, check: bool) -> None:  # fmt: skip
    """Indexera (eller uppdatera indexet för) alla protokoll i MAPP (standard: corpus).

    Ett index kan byggas från flera mappar: varje mapp läggs till, och andra mappars möten
    finns kvar. Bara nya och ändrade filer tolkas; möten försvinner bara när deras fil är borta
    ur mappen som indexeras. Ett skadat index byggs om av sig självt. Slutstatus: 0 allt gick
    bra, 1 några filer misslyckades men indexet uppdaterades (eller disken blev full), 2
    felaktiga argument, 3 ett annat indexeringsjobb pågår, 5 indexet är skadat (med --check).

    Example: protokoll index corpus --index /tmp/protokoll-index
    """
    from indexer.errors import IndexBusy
    from indexer.index import build_index, remove_folder

    target = _resolve_index(index_dir)
    if check:
        _check_and_exit(target)
    if remove is not None and (replace or rebuild):
        raise click.UsageError("--remove kan inte kombineras med --replace eller --rebuild.")
    if remove is None and not corpus.is_dir():
        raise click.BadParameter(f"mappen {corpus} finns inte eller är ingen mapp.",
                                 param_hint="MAPP")  # fmt: skip
    bar = _progress_bar() if remove is None else None
    try:
        if remove is not None:
            report = remove_folder(remove, target, wait=wait)
        else:
            report = build_index(
                corpus, target, rebuild=rebuild, replace=replace, workers=workers, wait=wait,
                progress=bar.update if bar else None,
            )
    except IndexBusy as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_BUSY)
    finally:
        if bar:
            bar.close()
    click.echo(_index_summary(report, target))
    sys.exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


def _check_and_exit(target: Path) -> None:
    from indexer.integrity import check_index

    problems = check_index(target)
    for problem in problems:
        click.echo(problem, err=True)
    if not problems:
        click.echo(f"Indexet i {target} är helt: alla filer stämmer och allt gick att läsa.")
    sys.exit(EXIT_DAMAGED if problems else EXIT_OK)


class _Bar:
    """tqdm on a terminal only: piped output stays clean for scripts and logs."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=0, unit="fil", desc="Indexerar", file=sys.stderr)

    def update(self, done: int, total: int, source: str) -> None:
        self._bar.total = total
        self._bar.n = done
        self._bar.set_postfix_str(source[-40:], refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


def _progress_bar() -> _Bar | None:
    return _Bar() if sys.stderr.isatty() else None


def _index_summary(report: object, target: Path) -> str:
    from indexer.pipeline import safe_name

    r = report  # indexer.index.BuildReport
    walked = ", ".join(safe_name(p) for p in r.walked)  # type: ignore[attr-defined]
    repaired = getattr(r, "repaired", "")
    lines = [f"{repaired} Indexet byggdes därför om från korpusen."] if repaired else []
    if r.old_schema is not None:  # type: ignore[attr-defined]
        lines.append(
            f"Indexet hade schemaversion {r.old_schema} men programmet kräver {r.schema}; "  # type: ignore[attr-defined]
            "det byggdes om från början."
        )
    lines += [
        f"Index: {target}" + (" (nybyggt)" if r.rebuilt else ""),  # type: ignore[attr-defined]
        *([f"Lästa mappar: {walked}"] if walked else []),
        *[f"Borttagen ur indexet: {safe_name(p)}" for p in r.dropped],  # type: ignore[attr-defined]
        f"  tillagda:     {len(r.added)}",  # type: ignore[attr-defined]
        f"  uppdaterade:  {len(r.updated)}",  # type: ignore[attr-defined]
        f"  borttagna:    {len(r.removed)}"  # type: ignore[attr-defined]
        + (" (filer som inte längre finns i de lästa mapparna)" if r.removed and walked else ""),  # type: ignore[attr-defined]
        f"  oförändrade:  {len(r.unchanged)}",  # type: ignore[attr-defined]
        f"  misslyckade:  {len(r.failed)}",  # type: ignore[attr-defined]
        f"  skrivna punkter: {r.items}, avsnitt: {r.passages}",  # type: ignore[attr-defined]
    ]
    lines += [f"    {safe_name(path)}: {safe_name(reason)}" for path, reason in r.failed]  # type: ignore[attr-defined]
    lines.append("Mappar i indexet:" if r.folders else "Indexet har inga mappar kvar.")  # type: ignore[attr-defined]
    lines += [f"  {safe_name(path)}: {n} {'möte' if n == 1 else 'möten'}"
              for path, n in r.folders]  # type: ignore[attr-defined]  # fmt: skip
    lines.append(f"Tid: {r.durations.get('total', 0.0):.1f} s")  # type: ignore[attr-defined]
    return "\n".join(lines)


def _facet_options(command: Callable[..., None]) -> Callable[..., None]:
    """One option per row of the facet table (``indexer/data/facets.toml``), in its order: a
    flag for a yes/no facet, a repeatable value option for the others."""
    for spec in reversed(FACET_SPECS):
        if spec.values == "yesno":
            option = click.option(*spec.cli, spec.param, is_flag=True, help=spec.cli_help)
        else:
            option = click.option(*spec.cli, spec.param, multiple=True, help=spec.cli_help)
        command = option(command)
    return command


@cli.command()
@click.argument("query", required=False, default="", metavar="[FRÅGA]")
@_facet_options
@click.option("--fran", "--från", "fran", default=None, help="Från datum (ÅÅÅÅ-MM-DD).")
@click.option("--till", default=None, help="Till datum (ÅÅÅÅ-MM-DD).")
@click.option("--sort", type=click.Choice(["relevans", "nyast", "aldst"]), default="relevans",
              help="Sortering: relevans, nyast eller aldst (äldst).")
@click.option("--page", "--sida", "page", type=int, default=1, help="Sida (från 1).")
@click.option("--per-sida", "page_size", type=int, default=10, help="Träffar per sida.")
@_index_option
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.option("--bara-mina-ord", "exact_words", is_flag=True,
              help="Sök bara orden du skrev, utan närliggande begrepp (som begrepp=av på webben).")
def search(
    query: str, fran: str | None, till: str | None, sort: str, page: int, page_size: int,
    index_dir: Path | None, as_json: bool, exact_words: bool, **facets: Any,
) -> None:
    """Sök i protokollen, t.ex. protokoll search "e-tjänster" --kommun Umeå.

    Träffarna är dagordningspunkter och avsnitt (text utanför punkterna), grupperade per möte.

    Frågespråk: ord, "exakta fraser", OR/ELLER, NOT/INTE, -ord, prefix*,
    kommun:Umeå år:2015 ämne:digitalisering beslut:ja datum:2015-01-01..2016-12-31.

    Example: protokoll search flyktingmottagning --ar 2017 --json
    """
    from indexer.errors import QueryError
    from indexer.query import SearchRequest
    from indexer.search import SearchService

    args: dict[str, object] = {
        "q": query, "fran": fran, "till": till, "sort": sort,
        "sida": str(page), "per_sida": str(page_size), "begrepp": "av" if exact_words else "",
    }
    for spec in FACET_SPECS:
        chosen = facets[spec.param]
        args[spec.param] = (["ja"] if chosen else []) if spec.values == "yesno" else list(chosen)
    try:
        request = SearchRequest.from_args(args)
    except QueryError as exc:
        raise click.UsageError(exc.message) from None
    result = _search_or_exit(SearchService, _resolve_index(index_dir), request)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(_render_result(result))


def _search_or_exit(service_cls: type, target: Path, request: object) -> Any:
    """Run one search; a damaged index ends the command with EXIT_DAMAGED and the remedy."""
    from indexer.errors import IndexDamaged
    from indexer.integrity import damage_behind

    try:
        service = service_cls(target)
        try:
            return service.search(request)
        finally:
            service.close()
    except IndexDamaged as exc:
        click.echo(str(exc), err=True)
    except Exception:
        damage = damage_behind(target)
        if damage is None:
            raise
        click.echo(str(damage), err=True)
    sys.exit(EXIT_DAMAGED)


def _render_result(result: object) -> str:
    """A readable list: items under their meeting, marks shown as *word*."""
    import re

    from markupsafe import Markup

    r = result  # indexer.results.SearchResult
    lines = []
    if r.message:  # type: ignore[attr-defined]
        lines.append(f"Obs: {r.message}")  # type: ignore[attr-defined]
    if r.suggestion:  # type: ignore[attr-defined]
        lines.append(f"Menade du: {r.suggestion}?")  # type: ignore[attr-defined]
    total = r.total  # type: ignore[attr-defined]
    lines.append(f"{total} träff{'ar' if total != 1 else ''}, sida {r.request.page} av {max(1, r.page_count)}")  # type: ignore[attr-defined]
    for group in r.groups:  # type: ignore[attr-defined]
        head = " · ".join(x for x in (group.organisation, group.body, group.date, group.place) if x)
        lines.append("")
        lines.append(f"{head}  [{group.meeting_id}]")
        for hit in group.hits:
            snippet = re.sub(r"</?mark>", "*", str(hit.snippet))
            number = hit.kind_label.capitalize() if hit.kind == "passage" else f"{hit.item_number}."
            lines.append(f"  {number} {hit.title}  [{hit.source}#{hit.anchor}]")
            lines.append(f"     {Markup(snippet).unescape()}")
            for decision in hit.decisions[:2]:
                lines.append(f"     Beslut: {decision}")
    return "\n".join(lines)


@cli.command(name="generate")
@click.option("--meetings", "count", type=click.IntRange(1, 1_000_000), required=True,
              help="Antal möten att skriva.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Tom mapp (eller ett tidigare genererat arkiv) att skriva till.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Samma frö ger samma filer.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Antal processer (standard: 1 under 3 000 möten, annars 2).")  # fmt: skip
def generate_command(count: int, out: Path, seed: int, workers: int | None) -> None:
    """Skriv ett syntetiskt protokollarkiv för test och prestandamätning (aldrig i corpus/).

    Example: protokoll generate --meetings 10000 --out /tmp/arkiv --seed 1
    """
    from benchmark.generate import generate  # the benchmark package, shipped beside indexer

    report = generate(count, out, seed=seed, workers=workers)
    per_format = ", ".join(f"{fmt} {n:,}".replace(",", "\u00a0") for fmt, n in
                           sorted(report.files_per_format.items(), key=lambda kv: -kv[1]))  # fmt: skip
    rate = report.meetings / report.seconds if report.seconds else float("inf")
    click.echo(f"Antal möten: {report.meetings:,}".replace(",", "\u00a0"))
    click.echo(f"Filer per format: {per_format}")
    click.echo(f"Tid: {report.seconds:.1f} s ({rate:.0f} möten/s, {report.megabytes:.1f} MB)"
               .replace(".", ","))  # fmt: skip
    click.echo(f"Facit: {out / 'manifest.json'}")


@cli.command(name="bench")
@click.option("--meetings", "count", type=click.IntRange(1, 1_000_000), required=True,
              help="Arkivets storlek i möten (granskarnas storlek: 10000).")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Mapp för arkiv, index och results.json (standard: <tmp>/protokoll-bench).")  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True, help="Arkivets frö.")
@click.option("--skip-web", is_flag=True, help="Hoppa över webbmätningen.")
@click.option("--skip-peers", is_flag=True, help="Hoppa över SQLite FTS5 och tantivy.")
@click.option("--passes", type=click.IntRange(1, 20), default=2, show_default=True,
              help="Varv genom frågemixen.")  # fmt: skip
@click.option("--web-requests", type=click.IntRange(1, 100_000), default=400, show_default=True,
              help="Anrop per webbadress (/ och /api/search).")  # fmt: skip
@click.option("--benchmarks", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Uppdatera avsnittet för denna storlek i t.ex. BENCHMARKS.md.")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Tolkningsprocesser.")
@click.option("--profile", type=click.IntRange(0, 1_000_000), default=0,
              help="Profilera tolkning, analys, skrivning och sökning var för sig på N filer.")  # fmt: skip
def bench_command(count: int, out: Path | None, seed: int, skip_web: bool, skip_peers: bool,
                  passes: int, web_requests: int, benchmarks: Path | None, workers: int | None,
                  profile: int) -> None:  # fmt: skip
    """Mät indexering, sökning, webb och jämförelse med SQLite FTS5 och tantivy.

    Genererar (eller återanvänder) ett syntetiskt arkiv och skriver OUT/results.json och
    OUT/BENCHMARKS.md. Jämförelsen med tantivy kräver pip install -e '.[bench]'; utan det
    hoppas den över. Avbryts mätningen stoppas alla processer den har startat.

    Example: protokoll bench --meetings 10000 --out /tmp/bench --benchmarks BENCHMARKS.md
    """
    import tempfile

    from benchmark import BenchConfig, run_bench  # the benchmark package, shipped beside indexer
    from benchmark.children import sigterm_as_interrupt

    cfg = BenchConfig(
        meetings=count, out=out or Path(tempfile.gettempdir()) / "protokoll-bench", seed=seed,
        skip_web=skip_web, skip_peers=skip_peers, passes=passes, web_requests=web_requests,
        benchmarks=benchmarks, workers=workers, profile=profile,
    )
    with sigterm_as_interrupt():  # SIGTERM unwinds like Ctrl-C: no child process is left behind
        results = run_bench(cfg, echo=lambda line: click.echo(line, err=True))
    q, i = results["query"], results["index"]
    cached = q.get("cached") or {}
    click.echo(f"Index: {i['seconds']:.1f} s, {i['meetings_per_s']:.0f} möten/s, "
               f"topp-RSS {i['peak_rss_mb']:.0f} MB, {i['size_mb']:.0f} MB på disk")  # fmt: skip
    click.echo(f"Sökning med alla facetter, första varvet (kall cache): p50 {q['p50_ms']:.1f} ms, "
               f"p95 {q['p95_ms']:.1f} ms, p99 {q['p99_ms']:.1f} ms")  # fmt: skip
    if cached:
        click.echo(f"  upprepade frågor (varm cache): p50 {cached['p50_ms']:.1f} ms, p95 {cached['p95_ms']:.1f} ms")
    for name, peer in (results.get("peers") or {}).items():
        ratio = peer.get("ratio") or {}
        if ratio:
            click.echo(f"{name}: tid ÷ Protokollsöks tid: index {ratio.get('index_seconds')}, "
                       f"p50 {ratio.get('query_p50')}, p95 {ratio.get('query_p95')} (första varvet)")  # fmt: skip
        elif peer.get("skipped"):
            click.echo(peer["skipped"])
    click.echo(f"Resultat: {cfg.out / 'results.json'}")


def main() -> None:  # pragma: no cover - thin wrapper
    cli(prog_name="protokoll")


if __name__ == "__main__":  # pragma: no cover
    main()
