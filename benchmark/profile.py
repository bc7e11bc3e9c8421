"""``protokoll bench --profile``: cProfile of parsing, analysis, Whoosh writing and search, apart.

The build pipelines parse, analysis and writing across processes, so one profile of
``protokoll index`` shows only the parent waiting. Here each stage runs alone, in this process,
on the first ``limit`` files of the archive, and its top functions go to ``profile-<stage>.txt``
next to ``results.json``: the evidence behind every optimisation recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOP = 30


def _profiled(name: str, out: Path, fn: Callable[[], Any]) -> tuple[float, Any]:
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    value = fn()
    profile.disable()
    seconds = time.perf_counter() - start
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    text.write(f"# {name}: {seconds:.2f} s under cProfile\n\n## by own time\n")
    stats.sort_stats("tottime").print_stats(TOP)
    text.write("\n## by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(TOP)
    (out / f"profile-{name}.txt").write_text(text.getvalue(), encoding="utf-8")
    return seconds, value


def profile_stages(archive: Path, out: Path, limit: int, queries: list[str]) -> dict[str, Any]:
    """Seconds per stage (under the profiler) for ``limit`` files; profiles written to ``out``."""
    from whoosh import index as windex

    from indexer import generations as gens
    from indexer.analysis import swedish_analyzer
    from indexer.codec import PostingsCodec
    from indexer.corpus import walk_corpus
    from indexer.documents import documents
    from indexer.index import _parse_one
    from indexer.query import SearchRequest
    from indexer.schema import build_schema
    from indexer.search import SearchService

    files = walk_corpus(archive)[0][:limit]
    jobs = [(src, str(path), str(archive), None) for src, path in files]
    parse_s, parsed = _profiled("parse", out, lambda: [_parse_one(j) for j in jobs])
    meetings = [p.meeting for p in parsed if p.meeting is not None]
    docs = [d for m in meetings for d in documents(m, None)]
    analyzer = swedish_analyzer()

    def analyse() -> int:
        return sum(1 for d in docs for f in ("title", "text", "decisions")
                   for _ in analyzer(str(d.get(f, "")), positions=True))  # fmt: skip

    analysis_s, tokens = _profiled("analysis", out, analyse)
    index_dir = out / "profile-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    gen = gens.new_generation(index_dir)

    def write() -> None:
        ix = windex.create_in(str(gen), build_schema())
        # One writer in this process, so the profile sees all of it; our posting format.
        writer = ix.writer(limitmb=256, codec=PostingsCodec())
        for d in docs:
            writer.add_document(**d)
        writer.commit()

    write_s, _ = _profiled("write", out, write)
    gens.write_meta(gen)
    gens.switch_to(index_dir, gen)
    service = SearchService(index_dir)
    service.search(SearchRequest(q=queries[0]))  # facet arrays are built once, not profiled
    search_s, _ = _profiled("search", out, lambda: [service.search(SearchRequest(q=q)) for q in queries])
    service.close()
    return {"files": len(files), "items": sum(1 for d in docs if d.get("kind") == "item"),
            "tokens": tokens, "parse_s": round(parse_s, 2), "analysis_s": round(analysis_s, 2),
            "write_s": round(write_s, 2), "search_s": round(search_s, 2)}  # fmt: skip
