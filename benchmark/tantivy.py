"""tantivy as a benchmark peer: Swedish Snowball stemming, facets as fast fields + aggregations.

Same items, same query lines and the same work per query as ``SearchService.search`` (see
``benchmark.peers``), snippets included: each hit of a text query gets a highlighted snippet of
its text as long as ours (tantivy's ``SnippetGenerator``), because a results page shows one and
building it is about a third of our time on the slowest queries at 10 000 meetings. With
``snippets=False`` the peer does the FTS5 peer's work (stored text, no snippet); the benchmark
times that too, so the ratio can be read both ways. tantivy has no decompounder that keeps
the original token, so compound parts ("mottagning" inside "flyktingmottagningen") are not found:
its hit counts are lower than ours on that category, and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmark.peers import (
    FACET_SIZE,
    FACETS,
    PAGE,
    TEXT_COLUMNS,
    WEIGHTS,
    Clause,
    PeerQuery,
    translate,
)
from indexer.highlight import DEFAULT_WIDTH

HEAP_BYTES = 256_000_000
SNIPPET_FIELD = "text"
ANALYZER = "sv"


def _date_int(iso: str | None) -> int | None:
    return int(iso.replace("-", "")) if iso else None


class TantivyPeer:
    name = "tantivy"

    def __init__(self, path: Path, *, snippets: bool = True) -> None:
        import tantivy

        self.t = tantivy
        self.path = path
        self.snippets = snippets
        path.mkdir(parents=True, exist_ok=True)
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("item_id", stored=True, tokenizer_name="raw")
        for name in TEXT_COLUMNS:
            sb.add_text_field(name, stored=name != "decisions", tokenizer_name=ANALYZER)
        for name, (column, _) in FACETS.items():
            if name != "ar":
                sb.add_text_field(column, stored=False, fast=True, tokenizer_name="raw")
        sb.add_integer_field("year", indexed=True, fast=True)
        sb.add_integer_field("date", indexed=True, fast=True)
        sb.add_integer_field("procedural", indexed=True, fast=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema, path=str(path))
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("swedish"))
            .build()
        )
        self.index.register_tokenizer(ANALYZER, analyzer)
        self._searcher: Any = None

    def build(self, items: Iterable[dict[str, Any]]) -> int:
        return self.add(items)

    def add(self, items: Iterable[dict[str, Any]]) -> int:
        writer = self.index.writer(heap_size=HEAP_BYTES, num_threads=2)
        n = 0
        for n, item in enumerate(items, start=1):
            writer.add_document(self._document(item))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._searcher = self.index.searcher()
        return n

    def _document(self, item: dict[str, Any]) -> Any:
        doc = self.t.Document()
        doc.add_text("item_id", item["item_id"])
        for name in TEXT_COLUMNS:
            if item[name]:
                doc.add_text(name, item[name])
        for name, (column, multi) in FACETS.items():
            if name == "ar":
                continue
            for value in item[column] if multi else [item[column]]:
                if value:
                    doc.add_text(column, value)
        if item["year"] is not None:
            doc.add_integer("year", item["year"])
        if item["date"]:
            doc.add_integer("date", int(str(item["date"]).replace("-", "")))
        doc.add_integer("procedural", 1 if item["procedural"] else 0)
        return doc

    def close(self) -> None:
        self._searcher = None

    # ------------------------------------------------------------ querying

    def _text_query(self, pq: PeerQuery) -> Any:
        Occur, Query = self.t.Occur, self.t.Query
        must = [(Occur.Must, self._group(g)) for g in pq.groups]
        must += [(Occur.MustNot, self._clause(c)) for c in pq.negated]
        if not pq.groups:
            must.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(must)

    def _group(self, group: list[Clause]) -> Any:
        if len(group) == 1:
            return self._clause(group[0])
        return self.t.Query.boolean_query([(self.t.Occur.Should, self._clause(c)) for c in group])

    def _clause(self, c: Clause) -> Any:
        Query, Occur = self.t.Query, self.t.Occur
        if c.kind == "prefix":
            stem = c.text.replace(".", "")
            parts = [Query.regex_query(self.schema, f, stem + ".*") for f in TEXT_COLUMNS]
            return Query.boolean_query([(Occur.Should, p) for p in parts])
        text = '"' + c.text.replace('"', "") + '"' if c.kind == "phrase" or "-" in c.text else c.text
        boosts = dict(zip(TEXT_COLUMNS, WEIGHTS))
        return self.index.parse_query(text, list(TEXT_COLUMNS), field_boosts=boosts)

    def _filters(self, pq: PeerQuery, skip: str | None = None) -> list[Any]:
        Query, Occur, FT = self.t.Query, self.t.Occur, self.t.FieldType
        out = []
        if pq.date_from or pq.date_to:
            out.append(Query.range_query(self.schema, "date", FT.Integer,
                                         _date_int(pq.date_from) or 0, _date_int(pq.date_to) or 99991231))  # fmt: skip
        for name, values in pq.filters.items():
            if name == skip:
                continue
            column = FACETS[name][0]
            if name == "ar":
                terms = [Query.range_query(self.schema, "year", FT.Integer, int(v), int(v)) for v in values if v.isdigit()]
            else:
                terms = [Query.term_query(self.schema, column, v) for v in values]
            out.append(Query.boolean_query([(Occur.Should, q) for q in terms]) if terms else Query.empty_query())
        return out

    def _combined(self, base: Any, filters: list[Any]) -> Any:
        if not filters:
            return base
        Occur = self.t.Occur
        return self.t.Query.boolean_query([(Occur.Must, base), *[(Occur.Must, f) for f in filters]])

    def search(self, text: str) -> dict[str, Any]:
        pq = translate(text)
        base = self._text_query(pq)
        s = self._searcher
        query = self._combined(base, self._filters(pq))
        if pq.groups:
            result = s.search(query, limit=PAGE, count=True)
        else:
            result = s.search(query, limit=PAGE, count=True, order_by_field="date")
        docs = [s.doc(addr) for _, addr in result.hits]
        snippets = self._snippets(base, docs) if self.snippets and pq.groups else []
        facets = self._facets(pq, base, query)
        return {"total": result.count, "hits": len(docs), "snippets": snippets, "facets": facets}

    def _snippets(self, query: Any, docs: list[Any]) -> list[str]:
        """Each hit's highlighted snippet, as wide as ours (``indexer.highlight.DEFAULT_WIDTH``)."""
        generator = self.t.SnippetGenerator.create(self._searcher, query, self.schema, SNIPPET_FIELD)
        generator.set_max_num_chars(DEFAULT_WIDTH)
        return [generator.snippet_from_doc(doc).to_html() for doc in docs]

    def _facets(self, pq: PeerQuery, base: Any, full: Any) -> dict[str, dict[Any, int]]:
        aggs = {n: {"terms": {"field": FACETS[n][0], "size": FACET_SIZE}} for n in FACETS}
        shared = {n: a for n, a in aggs.items() if n not in pq.filters}
        out: dict[str, dict[Any, int]] = {}
        if shared:
            out.update(_buckets(self._searcher.aggregate(full, shared)))
        for name in pq.filters:  # a filtered facet is counted without its own filter
            query = self._combined(base, self._filters(pq, skip=name))
            out.update(_buckets(self._searcher.aggregate(query, {name: aggs[name]})))
        return out

    def trends(self, text: str, by: str) -> int:
        pq = translate(text)
        Occur, Query = self.t.Occur, self.t.Query
        query = self._combined(self._text_query(pq), self._filters(pq))
        query = Query.boolean_query([(Occur.Must, query),
                                     (Occur.MustNot, Query.term_query(self.schema, "procedural", 1))])  # fmt: skip
        column = "organisation" if by == "organisation" else "municipality"
        agg = {"years": {"terms": {"field": "year", "size": 100},
                         "aggs": {"series": {"terms": {"field": column, "size": 400}}}}}  # fmt: skip
        result = self._searcher.aggregate(query, agg)
        return sum(len(b["series"]["buckets"]) for b in result["years"]["buckets"])


def _buckets(result: dict[str, Any]) -> dict[str, dict[Any, int]]:
    return {name: {b["key"]: b["doc_count"] for b in agg["buckets"]} for name, agg in result.items()}
