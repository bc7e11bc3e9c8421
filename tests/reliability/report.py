"""Write the numbers of the last ``scripts/reliability`` run into RELIABILITY.md.

Only the block between the two markers is replaced, so the prose around it is edited by hand
and the numbers never are.
Usage: ``python tests/reliability/report.py RESULTS.json RELIABILITY.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

START, END = "<!-- resultat:start -->", "<!-- resultat:slut -->"
TITLES = {
    "fault_corpus": "Felkorpus, snabb (fil strax över storleksgränsen)",
    "fault_corpus_long": "Felkorpus, lång (200 MB-fil)",
    "kill_trials": "SIGKILL-försök, lång (24 seedade)",
    "kill_trials_fast": "SIGKILL-försök, snabb (3 seedade)",
    "search_during_rebuild": "Sökningar under ombyggnad i annan process",
    "load_fast": "Last, snabb (16 klienter × 5 s)",
    "load_long": "Last, lång (16 klienter × 60 s)",
    "zip_bomb": "Issue 14 rad 2: DOCX-zipbomb (805 kB, ~270 MB XML)",
    "numbered_60mb": "Issue 14 rad 3: 60 MB text med ~500 000 punkter",
    "expensive_queries": "Issue 14 rad 5: 4 klienter med dyra frågor + 1 enkel (serve --workers 2, standardantal trådar)",
    "disk_full": "Issue 14 rad 6: full disk under --rebuild (20 MB tmpfs)",
    "ocr": "Issue 14: inskannad PDF läst med OCR",
}


def render(results: dict[str, dict[str, object]]) -> str:
    lines = [START, ""]
    for key, title in TITLES.items():
        if key not in results:
            continue
        numbers = results[key]
        lines.append(f"**{title}** (kördes {numbers.get('recorded', '?')})")
        lines.append("")
        lines.append("| mått | värde |")
        lines.append("|---|---|")
        for name, value in numbers.items():
            if name == "recorded":
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value) or "–"
            elif isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            lines.append(f"| {name} | {value} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def update(results_path: Path, doc_path: Path) -> None:
    results = json.loads(results_path.read_text(encoding="utf-8"))
    text = doc_path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    doc_path.write_text(head + render(results) + tail, encoding="utf-8")


if __name__ == "__main__":
    update(Path(sys.argv[1]), Path(sys.argv[2]))
