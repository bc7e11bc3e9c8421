"""The benchmark's Markdown: one section per archive size, replaced in place on every run.

Each section sits between ``<!-- bench:N start -->`` and ``<!-- bench:N end -->`` markers, so a
new run of the same size replaces its own numbers and leaves the hand-written analysis and the
other sizes in ``BENCHMARKS.md`` alone.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

# Issue 6 targets per archive size: (result path, comparison, limit, unit).
TARGETS: dict[int, dict[str, tuple[str, float]]] = {
    10_000: {"index.seconds": ("≤", 180), "query.p50_ms": ("≤", 30), "query.p95_ms": ("≤", 100),
             "machine.run.total_s": ("≤", 600)},
    100_000: {"index.seconds": ("≤", 1800), "index.peak_rss_mb": ("≤", 2048),
              "size_ratio": ("≤", 1.5), "disk_ratio": ("≤", 2.0), "query.p95_ms": ("≤", 300), "trends.p95_ms": ("≤", 500),
              "incremental_s": ("≤", 30), "web.p95_ms": ("≤", 250), "web.errors": ("≤", 0)},
}  # fmt: skip

ROWS: list[tuple[str, str]] = [
    ("index.seconds", "Full index build, s (parse + analyse + write)"),
    ("index.cpu_s", "Full index build, CPU s (all processes)"),
    ("index.meetings_per_s", "Meetings/s"),
    ("index.mb_per_s", "MB source/s"),
    ("index.peak_rss_mb", "Peak RSS, MB (process tree, summed)"),
    ("index.peak_pss_mb", "Peak PSS, MB (process tree, shared pages once)"),
    ("index.size_mb", "Index size, MB"),
    ("index.peak_disk_mb", "Peak disk during the build, MB (index folder incl. sort runs)"),
    ("disk_ratio", "Peak disk during the build ÷ index size"),
    ("size_ratio", "Index size ÷ source size"),
    ("incremental_s", "100 new meetings searchable, s"),
    ("query.p50_ms", "**Query + all facets, first pass (cold cache) p50, ms**"),
    ("query.p95_ms", "**Query + all facets, first pass (cold cache) p95, ms**"),
    ("query.p99_ms", "**Query + all facets, first pass (cold cache) p99, ms**"),
    ("query.cached.p50_ms", "… cached repeats p50, ms"),
    ("query.cached.p95_ms", "… cached repeats p95, ms"),
    ("query.mean_hits", "Mean hits per query"),
    ("trends.p95_ms", "Trends p95, ms"),
    ("query.cold.process_ms", "Cold first query (fresh process), ms"),
    ("web.rps", "Web requests/s (8 clients)"),
    ("web.p95_ms", "Web p95, ms"),
    ("web.first_p95_ms", "… p95 of each query's first request (one the server had not answered before), ms"),
    ("web.errors", "Web errors"),
    ("web.start_s", "Web server start to first answer (warm-up before fork), s"),
    ("web.memory_mb", "Web server memory after the load, MB (PSS, master + workers)"),
]


FIRST_PASS_NOTE = (
    "Query rows: the headline is the **first pass** over the mix, each query answered for the "
    "first time in the process (posting cache cold, index files in the OS cache after the build); "
    "the cached repeats of the same queries are shown beside it (ours come from the result cache, "
    "so they measure a lookup, not a search). The same holds for the peers. "
    "SQLite FTS5 indexes and queries the Swedish stems of our own analyzer (`stem_sv`), so its hit "
    "counts are comparable; ours are higher only by compound parts. Work per query: the total, "
    "the first 20 hits with their stored text and all seven facets; we and tantivy also build "
    "each hit's highlighted snippet (tantivy's `SnippetGenerator`, as wide as ours), FTS5 cannot "
    "(its contentless table keeps no text to cut one from). tantivy is also timed without "
    "snippets, in one more pass after the others, and that ratio is shown beside the other."
)


def lookup(data: dict[str, Any], path: str) -> Any:
    if path == "size_ratio":
        index = data.get("index") or {}
        size, src = index.get("size_mb"), index.get("source_mb")
        return round(size / src, 2) if isinstance(size, (int, float)) and src else None
    if path == "disk_ratio":
        index = data.get("index") or {}
        peak, size = index.get("peak_disk_mb"), index.get("size_mb")
        return round(peak / size, 2) if isinstance(peak, (int, float)) and size else None
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and 0 < abs(value) < 0.1:
        return f"{value:.2g}"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ") if abs(value) < 1000 else f"{value:,.0f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _status(value: Any, target: tuple[str, float] | None) -> str:
    if target is None:
        return ""
    op, limit = target
    if not isinstance(value, (int, float)):
        return f"{op} {_fmt(limit)}: not measured"
    ok = value <= limit
    if ok:
        return f"{op} {_fmt(limit)}: **met**"
    return f"{op} {_fmt(limit)}: **missed** ({value / limit:.1f}× the limit)" if limit else f"{op} 0: **missed**"


def section(results: dict[str, Any]) -> str:
    n = results["meetings"]
    targets = TARGETS.get(n, {})
    peers = results.get("peers") or {}
    m = results.get("machine", {})
    run = m.get("run", {})
    lines = [
        f"<!-- bench:{n} start -->",
        f"## {n:,} meetings ({results.get('items', 0):,} agenda items)".replace(",", " "),
        "",
        *([("**Partial run**: the benchmark was stopped before every step finished; "
             "empty cells were not measured."), ""] if run.get("partial") else []),
        (f"Measured {dt.date.today().isoformat()} by `protokoll bench --meetings {n} --seed {run.get('seed')}` "
         f"on {m.get('cpu_model')}, {m.get('cpu_count')} cores, {m.get('ram_gb')} GB RAM, Python {m.get('python')}, "
         f"Whoosh {m.get('whoosh')}, tantivy {m.get('tantivy')}, SQLite {m.get('sqlite')} "
         f"(load average at start {m.get('load_avg_at_start')}). Whole run: {_fmt(run.get('total_s'))} s. "
         f"Archive: {_archive_line(run.get('archive') or {})}."),
        "",
        "| Measure | Protokollsök | SQLite FTS5 | tantivy | Target |",
        "|---|---|---|---|---|",
    ]
    for path, label in ROWS:
        value = lookup(results, path)
        cells = [_fmt(value)]
        for peer in ("sqlite_fts5", "tantivy"):
            cells.append(_fmt(lookup(peers.get(peer, {}), path)))
        lines.append(f"| {label} | {' | '.join(cells)} | {_status(value, targets.get(path))} |")
    total = lookup(results, "machine.run.total_s")
    lines.append(f"| Whole benchmark, s | {_fmt(total)} | | | {_status(total, targets.get('machine.run.total_s'))} |")
    lines += ["", FIRST_PASS_NOTE, "", _ratio_line(peers), "", _category_table(results),
              f"<!-- bench:{n} end -->"]
    return "\n".join(lines) + "\n"


def _archive_line(archive: dict[str, Any]) -> str:
    share = archive.get("messy_share")
    if share is None:
        return "generator without messy layouts"
    kinds = ", ".join(f"{k} {v}" for k, v in sorted((archive.get("kinds") or {}).items()))
    return f"{share:.0%} of meetings in messy layouts ({kinds})"


def _ratio_line(peers: dict[str, Any]) -> str:
    parts = []
    for name, label in (("sqlite_fts5", "SQLite FTS5"), ("tantivy", "tantivy")):
        r = (peers.get(name) or {}).get("ratio")
        if r:
            parts.append(f"{label}: index {_fmt(r.get('index_seconds'))}, first-pass query p50 {_fmt(r.get('query_p50'))}, "
                         f"p95 {_fmt(r.get('query_p95'))}{_without_snippets(r)}, "
                         f"trends p95 {_fmt(r.get('trends_p95'))}")  # fmt: skip
    if not parts:
        return "Peers were not measured in this run (`--skip-peers`)."
    return ("Ratios are **peer time ÷ Protokollsök time** (above 1: Protokollsök is faster). "
            "Peers' index time is writing only: they index the text our pipeline already parsed. "
            "No ratio is given for cached repeats: ours are answered from the result cache, a "
            "lookup, so the quotient would compare a lookup with a search (`results.json` keeps it). "
            + "; ".join(parts) + ".")  # fmt: skip


def _without_snippets(ratio: dict[str, Any]) -> str:
    value = ratio.get("query_p95_without_snippets")
    return "" if value is None else f" ({_fmt(value)} without its snippets)"


def _category_table(results: dict[str, Any]) -> str:
    cats = (results.get("query") or {}).get("by_category") or {}
    if not cats:
        return ""
    rows = ["| Query category (first pass) | n | p50 ms | p95 ms |", "|---|---|---|---|"]
    for name, s in cats.items():
        rows.append(f"| {name} | {s['n']} | {_fmt(s['p50_ms'])} | {_fmt(s['p95_ms'])} |")
    return "\n".join(rows) + "\n"


def replace_section(path: Path, text: str, n: int) -> None:
    """Insert or replace the section of size ``n``; everything else in the file is kept."""
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- bench:{n} start -->.*?<!-- bench:{n} end -->\n?", re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _: text, old)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def write_reports(results: dict[str, Any], cfg: Any) -> None:
    text = section(results)
    replace_section(cfg.out / "BENCHMARKS.md", text, results["meetings"])
    if cfg.benchmarks is not None:
        replace_section(Path(cfg.benchmarks), text, results["meetings"])
