"""The facet table (indexer/data/facets.toml) is the one place a facet is described."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.fields import KEYWORD

from indexer.facetspec import FACET_SPECS, TABLE, load_table
from indexer.query import FACETS, SearchRequest
from indexer.querylang import FIELD_ALIASES, compile_query
from indexer.schema import FACET_FIELDS, MULTI_VALUED, build_schema

ROOT = Path(__file__).resolve().parent.parent


def test_every_facet_has_an_index_field_of_the_right_shape() -> None:
    schema = build_schema()
    assert len({s.param for s in FACET_SPECS}) == len(FACET_SPECS)
    for spec in FACET_SPECS:
        assert spec.field in schema.names(), spec.param
        assert spec.label and spec.cli_help and spec.cli[0].lstrip("-").replace("-", "_") == spec.param
        # A multi-valued facet is a (comma) keyword field; a single-valued one is not.
        assert isinstance(schema[spec.field], KEYWORD) == spec.multi, spec.param


def test_query_layer_schema_and_cli_read_the_table() -> None:
    assert list(FACETS) == [s.param for s in FACET_SPECS]
    assert FACET_FIELDS == {s.param: s.field for s in FACET_SPECS}
    assert MULTI_VALUED == {s.field for s in FACET_SPECS if s.multi}
    assert all(FIELD_ALIASES[n] == s.param for s in FACET_SPECS for n in s.query_names)
    from indexer.cli import search

    options = {opt for p in search.params for opt in p.opts}
    assert all(set(s.cli) <= options for s in FACET_SPECS)


def test_each_value_kind_filters_as_the_table_says() -> None:
    assert compile_query("beslut:yes").field_filters == (("beslut", "ja"),)
    assert compile_query("år:2015..2016").date_from == "2015-01-01"
    with pytest.raises(Exception, match="fyra siffror"):
        SearchRequest.from_args({"ar": "15"})
    with pytest.raises(Exception, match="ja"):
        SearchRequest.from_args({"beslut": "kanske"})


def test_a_new_facet_is_one_row(tmp_path: Path) -> None:
    extra = TABLE.read_text(encoding="utf-8") + (
        '\n[[facet]]\nparam = "omnamnd_kommun"\nfield = "mentioned_municipality"\n'
        'label = "Omnämnda kommuner"\nmulti = true\nvalues = "terms"\n'
        'query_names = ["omnamnd"]\ncli = ["--omnamnd-kommun"]\ncli_help = "Filtrera på omnämnd kommun."\n'
    )
    (tmp_path / "facets.toml").write_text(extra, encoding="utf-8")
    specs = load_table(tmp_path / "facets.toml")
    assert specs[-1].label == "Omnämnda kommuner" and specs[-1].multi
    (tmp_path / "bad.toml").write_text(extra.replace('values = "terms"', 'values = "ord"'), encoding="utf-8")
    with pytest.raises(ValueError, match="ord"):
        load_table(tmp_path / "bad.toml")


def test_no_module_repeats_a_facet_label() -> None:
    """Labels live in the table only (a second copy is how the six vocabularies drifted)."""
    for path in sorted((ROOT / "indexer").rglob("*.py")) + sorted((ROOT / "webui").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for label in ("Endast beslut", "Med beslut", "Utan beslut"):
            assert f'"{label}"' not in text, (path.name, label)
