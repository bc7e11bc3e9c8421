"""The peers of the benchmark: the same items and query mix in SQLite FTS5 and in tantivy.

Both peers index the text our own pipeline extracted (read back from the Whoosh index, so
every engine sees identical items) and answer the same query lines with the same work as
``SearchService.search``: total count, the first page of 20 hits with their stored text, and the
counts of all seven facets, each facet counted with the other facets' filters applied. Our
results page also shows a highlighted snippet per hit: tantivy builds one too
(``benchmark.tantivy``); FTS5 cannot, its contentless table keeping no text to cut it from.

Analysis: FTS5 has no Swedish stemmer, so it is fed the stems we index ourselves: every word of
the documents and of the queries goes through ``indexer.analysis.stem_sv`` (stop words dropped,
as our analyzer drops them) before ``unicode61`` sees it. Inflected forms then find the same
items in both engines; only compound parts ("mottagning" inside "flyktingmottagningen"), which
our index adds and FTS5 cannot, still make our counts higher. tantivy uses its own Snowball
Swedish stemmer (the same algorithm, without our "-et" repair and without decompounding).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.analysis import is_stopword, stem_sv, tokenize
from indexer.querylang import compile_query

PAGE = 20
FACET_SIZE = 50
# Our facet parameter → (item column or side table, multi-valued?)
FACETS: dict[str, tuple[str, bool]] = {
    "organisation": ("organisation", False),
    "organ": ("body", False),
    "kommun": ("municipality", True),
    "lan": ("county", True),
    "ar": ("year", False),
    "amne": ("topic", True),
    "beslut": ("has_decision", False),
}
TEXT_COLUMNS = ("title", "decisions", "text")
WEIGHTS = (3.0, 1.5, 1.0)  # the same field weights as indexer.queryterms.TEXT_FIELDS
_TOKEN = re.compile(r'(?P<field>-?[^\W\d_]{2,20}:(?:"[^"]*"|\S*))|(?P<phrase>"[^"]*")|(?P<word>\S+)')
OPS = {"OR": "OR", "ELLER": "OR", "AND": "AND", "OCH": "AND", "NOT": "NOT", "INTE": "NOT"}


@dataclass
class Clause:
    kind: str  # word | phrase | prefix
    text: str


@dataclass
class PeerQuery:
    """A line of the mix, decomposed once so both peers build the same logical query."""

    groups: list[list[Clause]] = field(default_factory=list)  # AND of OR-groups
    negated: list[Clause] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet → values (OR)
    date_from: str | None = None
    date_to: str | None = None


def translate(text: str) -> PeerQuery:
    """Our query language (the subset the mix uses) → PeerQuery; filters via our own parser."""
    cq = compile_query(text)
    pq = PeerQuery(date_from=cq.date_from, date_to=cq.date_to)
    for name, value in cq.field_filters:
        pq.filters.setdefault(name, []).append("ja" if name == "beslut" and value == "ja" else value)
    pending_or = negate = False
    for m in _TOKEN.finditer(text):
        if m.group("field"):
            continue
        raw = m.group()
        if raw in OPS:
            pending_or, negate = OPS[raw] == "OR", OPS[raw] == "NOT"
            continue
        if raw.startswith("-") and len(raw) > 1:
            negate, raw = True, raw[1:]
        clause = _clause(raw)
        if clause is None:
            continue
        if negate:
            pq.negated.append(clause)
        elif pending_or and pq.groups:
            pq.groups[-1].append(clause)
        else:
            pq.groups.append([clause])
        pending_or = negate = False
    return pq


def _clause(raw: str) -> Clause | None:
    if raw.startswith('"'):
        inner = raw.strip('"').strip()
        return Clause("phrase", inner) if inner else None
    word = raw.strip(".,;:!?()").lower()
    if word.endswith("*"):
        return Clause("prefix", word.rstrip("*")) if len(word) > 2 else None
    return Clause("word", word) if word else None


def stem_text(text: str) -> str:
    """Our index-time stems of a text, in order, stop words dropped: what FTS5 indexes."""
    return " ".join(stem_sv(w) for w in (m[0].lower() for m in tokenize(text)) if not is_stopword(w))


def stem_clause(clause: Clause) -> Clause | None:
    """The same stems on the query side; a prefix is matched as typed (it is no word)."""
    if clause.kind == "prefix":
        return clause
    text = stem_text(clause.text)
    return Clause(clause.kind, text) if text else None


# ================================================================ SQLite FTS5


class Fts5Peer:
    """SQLite FTS5 the way a Datasette user would set it up, with facet tables beside it.

    The full-text table is contentless (``content=''``): it holds the stemmed words only, the
    readable text stays in ``items``, so the index size counts the stems once.
    """

    name = "sqlite_fts5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(str(path))

    def build(self, items: Iterable[dict[str, Any]]) -> int:
        db = self.db
        db.executescript(_FTS5_SCHEMA)
        n = 0
        with db:
            for n, item in enumerate(items, start=1):
                self._insert(n, item)
                db.execute("INSERT INTO fts(rowid, title, decisions, text) VALUES (?, ?, ?, ?)",
                           _stemmed_row(n, item))
            db.executescript(_FTS5_INDEXES)
        db.execute("ANALYZE")
        return n

    def add(self, items: Iterable[dict[str, Any]]) -> None:
        """Incremental: new items into the same tables and FTS index, one transaction."""
        db = self.db
        start = db.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]
        with db:
            for k, item in enumerate(items, start=start + 1):
                self._insert(k, item)
                db.execute("INSERT INTO fts(rowid, title, decisions, text) VALUES (?, ?, ?, ?)",
                           _stemmed_row(k, item))

    def _insert(self, rowid: int, item: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (rowid, item["item_id"], item["meeting_id"], item["organisation"], item["body"],
             item["year"], item["date"], item["has_decision"], item["procedural"],
             item["title"], item["decisions"], item["text"]),
        )
        for table in ("municipality", "county", "topic"):
            self.db.executemany(f"INSERT INTO item_{table} VALUES (?, ?)", [(rowid, v) for v in item[table]])

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ querying

    def _match(self, pq: PeerQuery) -> str | None:
        def lit(c: Clause) -> str:
            body = '"' + c.text.replace('"', "") + '"'
            return body + "*" if c.kind == "prefix" else body

        stemmed = [[sc for c in g if (sc := stem_clause(c))] for g in pq.groups]
        groups = ["(" + " OR ".join(lit(c) for c in g) + ")" for g in stemmed if g]
        if not groups:
            return None
        expr = " AND ".join(groups)
        for c in filter(None, map(stem_clause, pq.negated)):
            expr = f"({expr}) NOT {lit(c)}"
        return expr

    def _conditions(self, pq: PeerQuery, skip: str | None = None) -> tuple[list[str], list[Any]]:
        sql: list[str] = []
        args: list[Any] = []
        for op, bound in ((">=", pq.date_from), ("<=", pq.date_to)):
            if bound:
                sql.append(f"i.date {op} ?")
                args.append(bound)
        for name, values in pq.filters.items():
            if name == skip:
                continue
            column, multi = FACETS[name]
            marks = ",".join("?" * len(values))
            vals: list[Any] = [int(v) if name == "ar" and v.isdigit() else v for v in values]
            if multi:
                sql.append(f"i.id IN (SELECT item FROM item_{column} WHERE value IN ({marks}))")
            else:
                sql.append(f"i.{column} IN ({marks})")
            args.extend(vals)
        return sql, args

    def search(self, text: str) -> dict[str, Any]:
        pq = translate(text)
        db = self.db
        db.execute("DELETE FROM temp.b")
        match = self._match(pq)
        if match:
            db.execute("INSERT INTO temp.b SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        else:
            db.execute("INSERT INTO temp.b SELECT id FROM items")
        where, args = self._conditions(pq)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        total = db.execute(f"SELECT count(*) FROM temp.b JOIN items i ON i.id = b.id{cond}", args).fetchone()[0]
        if match:
            page = db.execute(
                "SELECT i.item_id, i.title, i.text FROM fts JOIN items i ON i.id = fts.rowid "
                f"WHERE fts MATCH ?{' AND ' + ' AND '.join(where) if where else ''} "
                f"ORDER BY bm25(fts, {', '.join(map(str, WEIGHTS))}) LIMIT {PAGE}",
                [match, *args],
            ).fetchall()
        else:
            page = db.execute(
                f"SELECT i.item_id, i.title, i.text FROM temp.b JOIN items i ON i.id = b.id{cond} "
                f"ORDER BY i.date DESC LIMIT {PAGE}", args,
            ).fetchall()
        return {"total": total, "hits": len(page), "facets": self._facets(pq)}

    def _facets(self, pq: PeerQuery) -> dict[str, dict[Any, int]]:
        out = {}
        for name, (column, multi) in FACETS.items():
            where, args = self._conditions(pq, skip=name)
            cond = (" WHERE " + " AND ".join(where)) if where else ""
            if multi:
                sql = (f"SELECT v.value, count(*) FROM temp.b JOIN items i ON i.id = b.id "
                       f"JOIN item_{column} v ON v.item = b.id{cond} GROUP BY 1")  # fmt: skip
            else:
                sql = f"SELECT i.{column}, count(*) FROM temp.b JOIN items i ON i.id = b.id{cond} GROUP BY 1"
            rows = self.db.execute(sql + f" ORDER BY 2 DESC LIMIT {FACET_SIZE}", args).fetchall()
            out[name] = dict(rows)
        return out

    def trends(self, text: str, by: str) -> int:
        """Matching non-procedural items per year and organisation (or municipality)."""
        pq = translate(text)
        match = self._match(pq)
        where, args = self._conditions(pq)
        where = ["i.procedural = 0", *where]
        src = "fts JOIN items i ON i.id = fts.rowid" if match else "items i"
        if match:
            where.insert(0, "fts MATCH ?")
            args.insert(0, match)
        group = "i.organisation" if by == "organisation" else "v.value"
        join = "" if by == "organisation" else " JOIN item_municipality v ON v.item = i.id"
        rows = self.db.execute(
            f"SELECT i.year, {group}, count(*) FROM {src}{join} WHERE {' AND '.join(where)} GROUP BY 1, 2",
            args,
        ).fetchall()
        return len(rows)


def _stemmed_row(rowid: int, item: dict[str, Any]) -> tuple[int, str, str, str]:
    return (rowid, stem_text(item["title"]), stem_text(item["decisions"]), stem_text(item["text"]))


_FTS5_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE items(id INTEGER PRIMARY KEY, item_id TEXT, meeting_id TEXT, organisation TEXT,
  body TEXT, year INTEGER, date TEXT, has_decision TEXT, procedural INTEGER,
  title TEXT, decisions TEXT, text TEXT);
CREATE TABLE item_municipality(item INTEGER, value TEXT);
CREATE TABLE item_county(item INTEGER, value TEXT);
CREATE TABLE item_topic(item INTEGER, value TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, decisions, text, content='', tokenize='unicode61');
CREATE TEMP TABLE b(id INTEGER PRIMARY KEY);
"""
_FTS5_INDEXES = """
CREATE INDEX items_org ON items(organisation);
CREATE INDEX items_body ON items(body);
CREATE INDEX items_year ON items(year);
CREATE INDEX items_date ON items(date);
CREATE INDEX mun_item ON item_municipality(item, value);
CREATE INDEX mun_value ON item_municipality(value, item);
CREATE INDEX county_item ON item_county(item, value);
CREATE INDEX county_value ON item_county(value, item);
CREATE INDEX topic_item ON item_topic(item, value);
CREATE INDEX topic_value ON item_topic(value, item);
"""


def timed_build(peer: Any, items: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    peer.build(items)
    return time.perf_counter() - start
