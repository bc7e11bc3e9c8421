"""Every web setting in one table: name, default, help text.

``create_app`` reads its defaults from here and the README settings table is generated from it
(``settings_markdown``), so a setting cannot exist without being documented; ``tests/test_web.py``
checks that ``README.md`` holds the generated table verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indexer.query import DEFAULT_PAGE_SIZE, MAX_QUERY_LENGTH


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


def _default_index_dir() -> str:
    from indexer.generations import default_index_dir

    return str(default_index_dir())


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX_DIR", None, "Indexmapp. Standard: `$PROTOKOLL_INDEX` eller en mapp under "
            "användarens datamapp (samma som `protokoll index`)."),
    Setting("CORPUS_DIR", None, "Mappen med originalfilerna. Källfiler visas bara om de ligger "
            "inuti den; utan den visas ingen källänk."),
    Setting("PAGE_SIZE", DEFAULT_PAGE_SIZE, "Träffar per sida när `per_sida` saknas (1–100)."),
    Setting("MAX_QUERY_LENGTH", MAX_QUERY_LENGTH, "Längsta tillåtna sökfråga i tecken (högst "
            f"{MAX_QUERY_LENGTH}); längre frågor ger 400 med ett meddelande."),
    Setting("MAX_EXPORT_ROWS", 5000, "Högst så många rader i en CSV-export av sökträffar."),
    Setting("CHART_CACHE_SIZE", 64, "Antal färdigritade trenddiagram (SVG) som hålls i minnet."),
    Setting("SHARED_RESULTS_DIR", None, "Mapp där serverns arbetsprocesser delar färdiga "
            "sökresultat, så att nästa sida eller en export av samma sökning inte räknas om i en "
            "annan process. `protokoll serve` skapar en privat tillfällig mapp och tar bort den "
            "när servern stannar; sätt den bara om du kör appen under en egen WSGI-server med "
            "flera processer (en mapp som bara du kan skriva i). Utan den minns varje process "
            "bara sina egna svar."),
)


def defaults() -> dict[str, Any]:
    """The default config; ``INDEX_DIR`` is resolved here so the env var is read at app start."""
    values = {s.name: s.default for s in SETTINGS}
    values["INDEX_DIR"] = _default_index_dir()
    return values


def settings_markdown() -> str:
    """The README table: each setting can also be given as the env var ``PROTOKOLL_<NAME>``."""
    lines = ["| Inställning | Miljövariabel | Standard | Beskrivning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = "–" if s.default is None else f"`{s.default}`"
        lines.append(f"| `{s.name}` | `PROTOKOLL_{s.name}` | {default} | {s.help} |")
    return "\n".join(lines) + "\n"
