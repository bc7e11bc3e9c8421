"""``protokoll bench``: indexing, queries, web and peers measured in one run on one archive.

Why one run: numbers taken on different days or machines cannot be compared, so the benchmark
generates (or reuses) the archive, builds the index with the real ``protokoll index`` command in
a subprocess (peak RSS sampled over the process tree), answers the fixed query mix through
``SearchService`` exactly as the web app does, loads the real server, and then feeds the very
items our pipeline extracted to SQLite FTS5 and tantivy, so peers are measured, never estimated.
The incremental step runs last, because it changes the index the other steps measure.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from benchmark.children import run_child
from benchmark.generate import GENERATOR_VERSION, generate
from benchmark.measure import (
    QUERY_FILE,
    BenchQuery,
    dir_size_mb,
    latency_summary,
    load_queries,
    machine_info,
    run_tree,
    timed,
)
from benchmark.web import protokoll_command
from indexer.errors import ProtokollError

Echo = Callable[[str], None]
INCREMENTAL_MEETINGS = 100
EXTRA_SEED_OFFSET = 1_000_003  # the 100 new meetings come from another seed: other files
NEW_FOLDER = "bench-nya-moten"
BUILD_SECONDS_PER_MEETING = 0.15  # the build's time limit per meeting (``build_timeout``)
TRENDS_CATEGORIES = ("ord", "sammansättning")
PEER_MISSING = ("{name} hoppas över: modulen {module} är inte installerad. "
                "Installera jämförelsemotorerna med: pip install -e '.[bench]'")


@dataclass
class BenchConfig:
    meetings: int
    out: Path
    seed: int = 1
    skip_web: bool = False
    skip_peers: bool = False
    passes: int = 2  # passes over the query mix (all samples count in the percentiles)
    web_requests: int = 400  # per endpoint
    web_seconds: float = 60.0  # per endpoint, whichever comes first
    queries: Path = QUERY_FILE
    benchmarks: Path | None = None  # a BENCHMARKS.md to update (the section for this size)
    workers: int | None = None
    new_meetings: int = INCREMENTAL_MEETINGS  # added to the full index in the incremental step
    profile: int = 0  # > 0: cProfile each stage on this many files (benchmark.profile)
    extra: dict[str, Any] = field(default_factory=dict)


def run_bench(cfg: BenchConfig, echo: Echo = print) -> dict[str, Any]:
    """Run every step and write ``results.json`` (and the BENCHMARKS.md section); return results.

    The top level holds exactly the keys of issue 6; run details (seed, total time, whether the
    run finished) sit under ``machine.run``. ``results.json`` is rewritten after every step, so
    a long run that is stopped still leaves what it measured, marked ``partial``.
    """
    cfg.out.mkdir(parents=True, exist_ok=True)
    queries = load_queries(cfg.queries)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "meetings": cfg.meetings, "items": None, "index": {}, "incremental_s": None, "query": {},
        "trends": {}, "web": {"rps": None, "p95_ms": None, "errors": None}, "peers": {},
        "machine": {**machine_info(), "run": {"seed": cfg.seed, "partial": True, "queries": len(queries)}},
    }  # fmt: skip
    archive = ensure_archive(cfg.out / f"arkiv-{cfg.meetings}-s{cfg.seed}", cfg.meetings, cfg.seed, echo)
    extra = ensure_archive(cfg.out / f"nya-{cfg.new_meetings}-s{cfg.seed}", cfg.new_meetings,
                           cfg.seed + EXTRA_SEED_OFFSET, echo)  # fmt: skip
    _remove_new_folder(archive)
    results["machine"]["run"]["archive"] = archive_summary(archive)
    index_dir = cfg.out / f"index-{cfg.meetings}-s{cfg.seed}"
    results["index"] = measure_index(archive, index_dir, cfg.meetings, cfg.workers, echo)
    items = export_items(index_dir)
    results["items"] = len(items)
    results["index"]["text_mb"] = round(sum(_item_bytes(i) for i in items) / 2**20, 2)
    _save(results, cfg, started)
    echo(f"Sökfrågor: {len(queries)} frågor × {cfg.passes} varv …")
    cold = measure_cold(index_dir, queries[0].text)
    results["query"], results["trends"], per_query = measure_queries(index_dir, queries, cfg.passes)
    results["query"].update(cold=cold, by_category=_by_category(queries, per_query))
    _save(results, cfg, started)
    if not cfg.skip_web:
        results["web"] = measure_web(index_dir, archive, queries, cfg, echo)
        _save(results, cfg, started)
    results["incremental_s"], new_sources = measure_incremental(archive, extra, index_dir, echo)
    _save(results, cfg, started)
    if not cfg.skip_peers:
        from benchmark.compare import measure_peers

        results["peers"] = measure_peers(cfg, items, index_dir, new_sources, queries, results, echo)
    results["machine"]["run"]["partial"] = False
    _save(results, cfg, started)
    if cfg.profile:
        from benchmark.profile import profile_stages

        echo(f"Profilerar tolkning, analys, skrivning och sökning på {cfg.profile} filer …")
        results["index"]["profile"] = profile_stages(archive, cfg.out, cfg.profile, [q.text for q in queries])
        (cfg.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    echo(f"Klart på {results['machine']['run']['total_s']:.0f} s: {cfg.out / 'results.json'}")
    return results


def _save(results: dict[str, Any], cfg: BenchConfig, started: float) -> None:
    from benchmark.report import write_reports

    results["machine"]["run"]["total_s"] = round(time.perf_counter() - started, 1)
    (cfg.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    write_reports(results, cfg)


# ---------------------------------------------------------------- archive


def ensure_archive(folder: Path, meetings: int, seed: int, echo: Echo) -> Path:
    """Reuse an archive generated earlier with the same size and seed; otherwise generate it."""
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if (data.get("seed"), data.get("meetings"), data.get("version")) == (seed, meetings, GENERATOR_VERSION):
            echo(f"Återanvänder arkivet {folder}")
            return folder
    echo(f"Genererar {meetings} möten i {folder} …")
    generate(meetings, folder, seed=seed)
    return folder


def archive_summary(archive: Path) -> dict[str, Any]:
    """What kind of archive was measured: the share of messy layouts and of each kind."""
    files = json.loads((archive / "manifest.json").read_text(encoding="utf-8")).get("files", {})
    n = len(files) or 1
    kinds: dict[str, int] = {}
    for meta in files.values():
        kinds[meta.get("kind", "minutes")] = kinds.get(meta.get("kind", "minutes"), 0) + 1
    return {"messy_share": round(sum(bool(m.get("messy")) for m in files.values()) / n, 3),
            "kinds": kinds}  # fmt: skip


def _count_files(archive: Path) -> int:
    data = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    return int(data.get("meetings", 0))


def _remove_new_folder(archive: Path) -> None:
    """An interrupted earlier run may have left the incremental meetings inside the archive."""
    shutil.rmtree(archive / NEW_FOLDER, ignore_errors=True)


def source_bytes(archive: Path) -> int:
    return sum(f.stat().st_size for f in archive.rglob("*") if f.is_file() and f.name != "manifest.json")


# ---------------------------------------------------------------- indexing


def measure_index(archive: Path, index_dir: Path, meetings: int, workers: int | None, echo: Echo) -> dict[str, Any]:
    """A full rebuild by the real command; wall time and peak RSS of its process tree."""
    echo(f"Indexerar {archive} …")
    shutil.rmtree(index_dir, ignore_errors=True)  # a first build: no older generation kept beside it
    args = ["index", str(archive), "--index", str(index_dir), "--rebuild"]
    if workers:
        args += ["--workers", str(workers)]
    limit = build_timeout(meetings)
    run = run_tree(protokoll_command(*args), watch=index_dir, timeout=limit)
    seconds, peak_mb, cpu_s, done = run.seconds, run.peak_rss_mb, run.cpu_s, run.done
    if run.timed_out:
        raise ProtokollError(
            f"Indexeringen av {meetings} möten avbröts efter {limit / 60:.0f} minuter, mätningens "
            f"tidsgräns ({BUILD_SECONDS_PER_MEETING} s per möte, minst en timme). Mät ett mindre arkiv "
            "med --meetings, eller kör på en maskin med fler kärnor."
        )
    if done.returncode not in (0, 1):  # 1 = some files failed, the index was still built
        raise ProtokollError(f"protokoll index misslyckades (kod {done.returncode}): {done.stderr[-800:]}")
    mb = source_bytes(archive) / 2**20
    failed = _failed_count(done.stdout)
    echo(f"  {seconds:.1f} s ({cpu_s:.0f} s CPU), topp-RSS {peak_mb:.0f} MB, {failed} filer misslyckades")
    return {
        "seconds": round(seconds, 2),
        "meetings_per_s": round(meetings / seconds, 1),
        "mb_per_s": round(mb / seconds, 2),
        "peak_rss_mb": peak_mb,
        "peak_pss_mb": run.peak_pss_mb,
        "peak_disk_mb": run.peak_disk_mb,  # index directory incl. Whoosh's sort runs
        "size_mb": dir_size_mb(_live_generation(index_dir)),
        "source_mb": round(mb, 2),
        "failed_files": failed,
        "cpu_s": round(cpu_s, 1),  # all processes of the build; ÷ cores = wall time on an idle machine at best
    }


def build_timeout(meetings: int) -> float:
    """Seconds a measured build may take: an hour, or ``BUILD_SECONDS_PER_MEETING`` per meeting
    when that is more. A flat hour stopped the 100 000-meeting build on two cores after 7 of its
    9 batches (BENCHMARKS.md, round 4)."""
    return max(3600.0, BUILD_SECONDS_PER_MEETING * meetings)


def _live_generation(index_dir: Path) -> Path:
    from indexer import generations as gens

    return gens.current_generation(index_dir) or index_dir


def _failed_count(stdout: str) -> int:
    for line in stdout.splitlines():
        if line.strip().startswith("misslyckade:"):
            return int(line.split(":", 1)[1].strip() or 0)
    return 0


def export_items(index_dir: Path, source_prefix: str | None = None) -> list[dict[str, Any]]:
    """Every agenda item's stored fields: what our pipeline extracted, fed unchanged to peers."""
    from indexer import generations as gens
    from indexer.schema import YES, item_filter

    _, ix = gens.open_generation(index_dir)
    items = []
    with ix.searcher() as s:
        for doc in sorted(s.docs_for_query(item_filter())):
            f = s.stored_fields(doc)
            if source_prefix and not str(f.get("source", "")).startswith(source_prefix):
                continue
            items.append(_item_record(f, YES))
    ix.close()
    return items


def _item_record(f: dict[str, Any], yes: str) -> dict[str, Any]:
    def split(value: Any) -> list[str]:
        return [v for v in str(value or "").split(",") if v]

    return {
        "item_id": f["item_id"], "meeting_id": f.get("meeting_id"),
        "organisation": f.get("organisation"), "body": f.get("body"),
        "year": f.get("year"), "date": f.get("date"),
        "has_decision": f.get("has_decision", "nej"), "procedural": f.get("procedural") == yes,
        "title": f.get("title", ""), "decisions": f.get("decisions", ""), "text": f.get("text", ""),
        "municipality": split(f.get("municipality")), "county": split(f.get("county")),
        "topic": split(f.get("topic")),
    }  # fmt: skip


def _item_bytes(item: dict[str, Any]) -> int:
    return sum(len(str(item[k]).encode("utf-8")) for k in ("title", "decisions", "text"))


# ---------------------------------------------------------------- queries


def measure_queries(index_dir: Path, queries: list[BenchQuery], passes: int) -> tuple[dict[str, Any], dict[str, Any], list[list[float]]]:
    """The mix through ``SearchService.search`` (all facets), then trends; in-process.

    The service is warmed first as ``protokoll serve`` warms it before its workers fork
    (per-generation arrays, analysis and linking tables), then its posting and result caches
    are emptied: the first pass reads every word from the index, as the headline promises,
    while the one-time table loads a server never pays per query (the first compound query
    built the linking-form table, about 50 ms at 10 000 meetings) stay out of it. A fresh
    process's first query is measured on its own (``measure_cold``).
    """
    from indexer.query import SearchRequest, TrendsRequest
    from indexer.search import SearchService

    service = SearchService(index_dir)
    service.warm()
    service.clear_caches()
    per_query: list[list[float]] = [[] for _ in queries]
    totals = []
    for _ in range(passes):
        for k, q in enumerate(queries):
            ms, result = timed(partial(service.search, SearchRequest(q=q.text)))
            per_query[k].append(ms)
            totals.append(result.total)
    trend_ms = []
    for text, by in trend_mix(queries):
        ms, _ = timed(partial(service.trends, TrendsRequest(q=text, by=by)))
        trend_ms.append(ms)
    service.close()
    return headline(per_query, totals), latency_summary(trend_ms), per_query


def headline(per_query: list[list[float]], totals: list[int]) -> dict[str, Any]:
    """First pass first: the top-level percentiles are each query's first answer.

    The search service keeps finished results (indexer.results.ResultCache) and decoded posting
    lists (indexer.docsets.PostingCache), and the OS keeps file pages, so a repeated query
    measures the caches. A user's query is usually
    new, so the first pass over the mix (every word read from the index once) is the headline;
    the cached repeats are reported beside it under ``cached``, never instead.
    """
    first = [samples[0] for samples in per_query if samples]
    repeats = [ms for samples in per_query for ms in samples[1:]]
    query: dict[str, Any] = {**latency_summary(first), "mean_hits": round(sum(totals) / len(totals), 1) if totals else None}
    query["cached"] = latency_summary(repeats) if repeats else None
    query["all_passes"] = latency_summary([ms for samples in per_query for ms in samples])
    return query


def trend_mix(queries: list[BenchQuery]) -> list[tuple[str, str]]:
    words = [q.text for q in queries if q.category in TRENDS_CATEGORIES]
    return [(w, "organisation") for w in words] + [(w, "kommun") for w in words[:20]]


def _by_category(queries: list[BenchQuery], per_query: list[list[float]]) -> dict[str, Any]:
    grouped: dict[str, list[float]] = {}
    for q, samples in zip(queries, per_query):
        grouped.setdefault(q.category, []).extend(samples[:1])  # first pass, as the headline
    return {c: latency_summary(s) for c, s in grouped.items()}


COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from indexer.query import SearchRequest
from indexer.search import SearchService
t1 = time.perf_counter()
s = SearchService(sys.argv[1])
r = s.search(SearchRequest(q=sys.argv[2]))
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "first_query_ms": (t2 - t1) * 1000, "total": r.total}))
"""


def measure_cold(index_dir: Path, query: str) -> dict[str, Any]:
    """A fresh process: imports, opening the index, facet arrays and the first answer."""
    start = time.perf_counter()
    done = run_child([sys.executable, "-c", COLD_SCRIPT, str(index_dir), query], timeout=600)
    wall_ms = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:]}
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return {"process_ms": round(wall_ms, 1), "import_ms": round(data["import_ms"], 1),
            "first_query_ms": round(data["first_query_ms"], 1)}  # fmt: skip


# ---------------------------------------------------------------- web


def measure_web(index_dir: Path, archive: Path, queries: list[BenchQuery], cfg: BenchConfig, echo: Echo) -> dict[str, Any]:
    from benchmark.web import load, server_memory_mb, start_server, stop_server

    echo("Webb: 8 samtidiga klienter mot / och /api/search …")
    started = time.perf_counter()
    try:
        proc, port = start_server(index_dir, archive)
    except RuntimeError as exc:
        echo(f"  webbservern kunde inte startas: {exc}")
        return {"rps": None, "p95_ms": None, "errors": None, "skipped": str(exc)}
    try:
        start_s = round(time.perf_counter() - started, 2)
        results = load(port, [q.text for q in queries], requests=cfg.web_requests, seconds=cfg.web_seconds)
        return {**results, "start_s": start_s, "memory_mb": server_memory_mb(proc)}
    finally:
        stop_server(proc)


# ---------------------------------------------------------------- incremental


def measure_incremental(archive: Path, extra: Path, index_dir: Path, echo: Echo) -> tuple[float | None, str]:
    """Copy 100 new meetings into the archive, run ``protokoll index``, wait until searchable."""
    from indexer.query import SearchRequest
    from indexer.search import SearchService

    before = SearchService(index_dir)
    total_before = before.search(SearchRequest(q="", page_size=1)).total
    before.close()
    target = archive / NEW_FOLDER
    shutil.copytree(extra, target, ignore=shutil.ignore_patterns("manifest.json"))
    echo(f"Inkrementellt: {_count_files(extra)} nya möten …")
    try:
        start = time.perf_counter()
        done = run_child(protokoll_command("index", str(archive), "--index", str(index_dir)), timeout=3600)
        service = SearchService(index_dir)
        total_after = service.search(SearchRequest(q="", page_size=1)).total
        service.close()
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(target, ignore_errors=True)
    if done.returncode not in (0, 1) or total_after <= total_before:
        echo(f"  de nya mötena blev inte sökbara: {done.stderr[-300:]}")
        return None, NEW_FOLDER
    echo(f"  {seconds:.1f} s ({total_after - total_before} nya punkter sökbara)")
    return round(seconds, 2), NEW_FOLDER
