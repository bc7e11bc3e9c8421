"""The facet table: one ``FacetSpec`` per facet, read from ``indexer/data/facets.toml``.

Every module that names a facet reads it from here — the URL parameters and their checks
(``indexer.query``), the query language's field names (``indexer.querylang``), the index fields
(``indexer.schema``), the per-reader count arrays (``indexer.facets``), filtering and counting
(``indexer.search``), the ``protokoll search`` options (``indexer.cli``) and, through the search
results, the web sidebar. Adding a facet is one row in the data file plus its field in the schema.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "facets.toml"
VALUE_KINDS = ("terms", "year", "yesno")
TOPIC_LABELS = "topics"  # value_labels: the topic labels of indexer/data/topics.toml


@dataclass(frozen=True)
class FacetSpec:
    """One facet: how users name it, where its values are indexed and how it filters and counts.

    ``values`` is ``"terms"`` (any indexed value, resolved leniently and counted from the
    field's postings), ``"year"`` (four digits; a numeric range, counted from the year column)
    or ``"yesno"`` (``ja``/``nej``, stored as is).
    """

    param: str
    field: str
    label: str
    multi: bool
    values: str
    query_names: tuple[str, ...]
    cli: tuple[str, ...]
    cli_help: str
    value_labels: dict[str, str] | str = dataclasses.field(default_factory=dict)

    def labels(self, topic_labels: dict[str, str]) -> dict[str, str]:
        """Stored value → Swedish label (``topic_labels`` when the table says "topics")."""
        if self.value_labels == TOPIC_LABELS:
            return topic_labels
        return self.value_labels if isinstance(self.value_labels, dict) else {}

    def value_label(self, value: str, topic_labels: dict[str, str]) -> str:
        """The Swedish label of a stored value (the value itself when it has none)."""
        return self.labels(topic_labels).get(value, value)


def load_table(path: Path = TABLE) -> tuple[FacetSpec, ...]:
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["facet"]
    specs = tuple(
        FacetSpec(
            param=row["param"], field=row["field"], label=row["label"], multi=bool(row["multi"]),
            values=row["values"], query_names=tuple(row["query_names"]), cli=tuple(row["cli"]),
            cli_help=row["cli_help"], value_labels=row.get("value_labels", {}),
        )
        for row in rows
    )
    for spec in specs:
        if spec.values not in VALUE_KINDS:
            raise ValueError(f"{path}: facet {spec.param!r} has values={spec.values!r}, not one of {VALUE_KINDS}")
    return specs


FACET_SPECS: tuple[FacetSpec, ...] = load_table()
BY_PARAM: dict[str, FacetSpec] = {s.param: s for s in FACET_SPECS}
