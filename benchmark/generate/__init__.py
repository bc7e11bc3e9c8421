"""A synthetic archive of minutes at national scale, for benchmarks and parse-accuracy tests.

Real archives cannot be shipped, so ``protokoll generate`` writes look-alikes: the five seed
styles (numbered items with BESLUT, § paragraphs with Dnr, Markdown with att-clauses,
PDF-extracted text with page markers and hyphenation, web transcripts with junk), ~40 invented
cooperation bodies covering all 290 municipalities, 2000–2026, in .txt/.md and a small share of
.html/.pdf/.docx. 40 % of the meetings are written in the messy layouts of real archives
instead (``messy.py``: viewer transcripts, run-together pages, prefixed items, agendas, portal
and news pages, pages without items). ``manifest.json`` records the truth (organisation, body,
date, item count, kind, layout) so tests and benchmarks can measure how well the parser
recovers it.

This package is benchmark tooling, shipped beside the product package ``indexer`` but never
imported by it except lazily by the ``protokoll generate`` and ``protokoll bench`` commands.

Deterministic: one ``random.Random`` for the plan and one per meeting, seeded from ``seed``
and the meeting's number, so the same seed gives the same bytes — also when meetings are
rendered in parallel. No clock, no global random. All vocabulary is in ``data/generator``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from indexer.errors import ProtokollError
from benchmark.generate.plan import (
    PROJECT_CORPUS,
    Body,
    GenerateReport,
    MeetingPlan,
    plan_meetings,
    vocabulary,
)
from benchmark.generate.messy import manifest_fields
from benchmark.generate.render import render_meeting

__all__ = ["GENERATOR_VERSION", "GenerateReport", "generate", "plan_meetings", "vocabulary"]
# Raised whenever the same seed starts to give other files, so a benchmark never reuses an
# archive written by an older generator (2: 40 % messy layouts).
GENERATOR_VERSION = 2


def _render_range(count: int, seed: int, out: str, start: int, stop: int) -> tuple[Counter, int]:
    """Worker: re-plan (cheap, cached) and write meetings[start:stop]; returns stats only."""
    plans = _cached_plan(count, seed)[1]
    formats: Counter[str] = Counter()
    size = 0
    root = Path(out)
    for plan in plans[start:stop]:
        data = render_meeting(plan)
        target = root / plan.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        formats[plan.fmt] += 1
        size += len(data)
    return formats, size


@cache
def _cached_plan(count: int, seed: int) -> tuple[list[Body], list[MeetingPlan]]:
    return plan_meetings(count, seed)


def generate(
    count: int, out: Path, *, seed: int = 0, workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerateReport:  # fmt: skip
    """Write ``count`` meetings, folder metadata files and ``manifest.json`` under ``out``."""
    began = time.perf_counter()
    _prepare_output(out)
    bodies, plans = _cached_plan(count, seed)
    workers = workers or (1 if count < 3000 else 2)
    formats: Counter[str] = Counter()
    size = 0
    for done, (fmts, written) in _run_chunks(count, seed, out, workers):
        formats.update(fmts)
        size += written
        if progress:
            progress(done)
    _write_metadata_files(out, bodies)
    _write_manifest(out, seed, bodies, plans)
    return GenerateReport(count, dict(sorted(formats.items())), time.perf_counter() - began,
                          size / 1e6)  # fmt: skip


def _run_chunks(
    count: int, seed: int, out: Path, workers: int
) -> Iterator[tuple[int, tuple[Counter, int]]]:
    step = 500
    ranges = [(s, min(count, s + step)) for s in range(0, count, step)]
    if workers <= 1:
        for start, stop in ranges:
            yield stop - start, _render_range(count, seed, str(out), start, stop)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_render_range, count, seed, str(out), a, b) for a, b in ranges]
        for (start, stop), future in zip(ranges, futures):
            yield stop - start, future.result()


def _prepare_output(out: Path) -> None:
    """Never write into the bundled corpus; only reuse a folder this generator made."""
    resolved = out.resolve()
    if resolved == PROJECT_CORPUS.resolve() or PROJECT_CORPUS.resolve() in resolved.parents:
        raise ProtokollError(
            f"{out}: syntetiska protokoll får inte hamna i corpus/; välj en annan mapp med --out."
        )
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise ProtokollError(
            f"{out}: mappen är inte tom och är inte ett genererat arkiv; välj en tom mapp."
        )
    manifest = out / "manifest.json"
    if manifest.is_file():  # a previous run: remove exactly what it wrote
        old = json.loads(manifest.read_text(encoding="utf-8"))
        for rel in [*old.get("files", {}), *old.get("metadata_files", [])]:
            (out / rel).unlink(missing_ok=True)
        manifest.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _write_metadata_files(out: Path, bodies: list[Body]) -> list[str]:
    written = []
    for body in bodies:
        if body.metadata_file and (out / body.folder).is_dir():
            rel = f"{body.folder}/protokoll.toml"
            (out / rel).write_text(
                f'organisation = "{body.organisation}"\nbody = "{body.group}"\n', encoding="utf-8"
            )
            written.append(rel)
    return written


def _write_manifest(out: Path, seed: int, bodies: list[Body], plans: list[MeetingPlan]) -> None:
    metadata = [f"{b.folder}/protokoll.toml" for b in bodies
                if b.metadata_file and (out / b.folder / "protokoll.toml").is_file()]  # fmt: skip
    manifest = {
        "generator": "protokoll generate",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "meetings": len(plans),
        "bodies": [
            {
                "organisation": b.organisation,
                "body": b.group,
                "folder": b.folder,
                "municipalities": list(b.members),
            }
            for b in bodies
        ],
        "metadata_files": metadata,
        "files": {
            p.path: {
                "organisation": p.body.organisation,
                "body": p.body.group,
                "date": p.date.isoformat(),
                "format": p.fmt,
                "style": p.style if p.fmt in {"txt", "md"} else p.fmt,
                "encoding": {"txt": p.encoding, "md": "utf-8"}.get(p.fmt),
                **manifest_fields(p.style if p.fmt in {"txt", "md"} else p.fmt, p.items),
            }
            for p in plans
        },
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
