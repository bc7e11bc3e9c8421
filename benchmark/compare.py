"""The peers' half of ``protokoll bench``: the same items and query mix in SQLite FTS5 and tantivy.

Timed with the same clock and summarised the same way as Protokollsök (``headline``: first pass
first, cached repeats beside it), so every ratio compares like with like.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmark import PEER_MISSING, BenchConfig, Echo, export_items, headline, trend_mix
from benchmark.measure import BenchQuery, dir_size_mb, latency_summary, timed

def measure_peers(cfg: BenchConfig, items: list[dict[str, Any]], index_dir: Path, new_source: str,
                  queries: list[BenchQuery], ours: dict[str, Any], echo: Echo) -> dict[str, Any]:  # fmt: skip
    from benchmark.peers import Fts5Peer
    from benchmark.tantivy import TantivyPeer

    new_items = export_items(index_dir, source_prefix=new_source)
    out: dict[str, Any] = {}
    folder = cfg.out / f"peers-{cfg.meetings}-s{cfg.seed}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    makers: dict[str, Callable[[], Any]] = {"sqlite_fts5": lambda: Fts5Peer(folder / "fts5.db"), "tantivy": lambda: TantivyPeer(folder / "tantivy")}
    for name, make in makers.items():
        echo(f"Jämförelse: {name} …")
        try:
            peer = make()
        except ImportError as exc:
            out[name] = {"skipped": PEER_MISSING.format(name=name, module=exc.name or exc)}
            continue
        path = folder / ("fts5.db" if name == "sqlite_fts5" else "tantivy")
        out[name] = measure_peer(peer, path, items, new_items, queries, cfg, ours)
        peer.close()
    return out


def measure_peer(peer: Any, path: Path, items: list[dict[str, Any]], new_items: list[dict[str, Any]],
                 queries: list[BenchQuery], cfg: BenchConfig, ours: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    build_ms, _ = timed(lambda: peer.build(items))
    seconds = build_ms / 1000
    source_mb = ours["index"]["source_mb"]
    result: dict[str, Any] = {
        "index": {"seconds": round(seconds, 2), "meetings_per_s": round(cfg.meetings / seconds, 1),
                  "mb_per_s": round(source_mb / seconds, 2),
                  "size_mb": dir_size_mb(path) if path.is_dir() else round(path.stat().st_size / 2**20, 2),
                  "note": "bara skrivning: texten är redan tolkad av vår pipeline"},
    }  # fmt: skip
    per_query: list[list[float]] = [[] for _ in queries]
    totals = []
    for _ in range(cfg.passes):
        for k, q in enumerate(queries):
            ms, answer = timed(partial(peer.search, q.text))
            per_query[k].append(ms)
            totals.append(answer["total"])
    result["query"] = headline(per_query, totals)
    if getattr(peer, "snippets", False):  # the same pass without snippets, for the other reading
        peer.snippets = False
        result["query_without_snippets"] = latency_summary([timed(partial(peer.search, q.text))[0] for q in queries])
        peer.snippets = True
    trend = [timed(partial(peer.trends, text, by))[0] for text, by in trend_mix(queries)]
    result["trends"] = latency_summary(trend)
    if new_items:
        result["incremental_s"] = round(timed(lambda: peer.add(new_items))[0] / 1000, 3)
    result["ratio"] = _ratios(result, ours)
    return result


def _ratios(peer: dict[str, Any], ours: dict[str, Any]) -> dict[str, float | None]:
    """Peer time ÷ Protokollsök time: above 1 means Protokollsök is faster."""

    def ratio(a: Any, b: Any) -> float | None:
        return round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None

    return {
        "index_seconds": ratio(peer["index"]["seconds"], ours["index"]["seconds"]),
        "query_p50": ratio(peer["query"]["p50_ms"], ours["query"]["p50_ms"]),
        "query_p95": ratio(peer["query"]["p95_ms"], ours["query"]["p95_ms"]),
        "query_p95_without_snippets": ratio((peer.get("query_without_snippets") or {}).get("p95_ms"),
                                            ours["query"]["p95_ms"]),
        "cached_query_p95": ratio((peer["query"].get("cached") or {}).get("p95_ms"),
                                  (ours["query"].get("cached") or {}).get("p95_ms")),
        "trends_p95": ratio(peer["trends"]["p95_ms"], ours["trends"]["p95_ms"]),
    }
