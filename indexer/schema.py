"""The Whoosh schema: one document per agenda item and per passage, plus one per meeting.

Hits are agenda items (``kind="item"``) and passages (``kind="passage"``: text no item holds,
see ``indexer.passages``), so every word of a file is searchable. Their text fields are
weighted by ``indexer.queryterms.TEXT_FIELDS``: ``title`` > ``decisions`` > ``text`` (items) >
``passage`` > ``header`` (organisation, body, place, document title, on one hit per meeting) >
``attendance`` (attendance lines of passages: names, roles, parties).

Field names are a contract with ``indexer.querylang`` (``title``, ``decisions``, ``text``) and with
the facet code in ``indexer.facets``. The schema is pickled into every index's TOC, so this module
and ``indexer.analysis`` are effectively public API: never move them, and bump ``SCHEMA_VERSION``
whenever a field or the analysis chain changes — ``build_index`` then rebuilds into a new
generation and ``SearchService`` refuses an old index with a message saying so.

Why a second document kind instead of a side store: every meeting is also stored once as a
``kind="meeting"`` document holding the whole ``Meeting.to_dict()`` as JSON (``meeting_json``),
its source path, content hash and file stamp (the items' text is left out of the JSON and
read back from the item documents: see ``pack_meeting``). It is written in the *same* Whoosh commit as the
meeting's items, so the items, the meeting page and the "what is indexed" state used by the
incremental indexer can never disagree after a crash (a SQLite side file would need a second,
separate commit). The price is that every search must be restricted to hits;
``hit_filter()`` is the one place that builds that restriction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from whoosh import query as wq
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from indexer.analysis import swedish_analyzer
from indexer.codec import FlatPositions
from indexer.facetspec import FACET_SPECS
from indexer.records import passage_anchor

# 2: fewer written terms per word (analysis.written_terms), meeting_json without item texts.
# 3: passage documents; header, attendance and mentioned-municipality fields (issue 11).
# 4: nested sub-compounds, truncated first parts and accent-folded parts (analysis.index_terms).
# 5: the pieces of a hyphenated word are exact forms too ("=christin" in "Ann-Christin").
# 6: postings in our own format (indexer.codec) instead of whoosh3's pickled blocks (issue 16).
# 7: stored fields compressed in blocks (indexer.storedblocks); item_id and sha256 stored only;
#    no sort columns for organisation, body and date (nothing read them: 6.7 MB at 10 000 meetings).
SCHEMA_VERSION = 7

KIND_ITEM = "item"
KIND_PASSAGE = "passage"
KIND_MEETING = "meeting"
YES, NO = "ja", "nej"

# Facet parameter → index field, and the multi-valued fields, from the facet table.
FACET_FIELDS: dict[str, str] = {spec.param: spec.field for spec in FACET_SPECS}
MULTI_VALUED = frozenset(spec.field for spec in FACET_SPECS if spec.multi)


def build_schema() -> Schema:
    """A fresh schema; the analyzer is created per schema because Whoosh pickles it. Every
    field with positions stores them as ``indexer.codec.FlatPositions``."""
    analyzer = swedish_analyzer()
    schema = Schema(
        kind=ID(stored=True),
        item_id=STORED(),  # looked up through meeting_id; never searched
        meeting_id=ID(stored=True),
        number=ID(stored=True),
        anchor=STORED(),
        organisation=ID(stored=True),
        body=ID(stored=True),
        place=STORED(),
        municipality=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        mentioned_municipality=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        county=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        year=NUMERIC(stored=True, sortable=True),
        date=ID(stored=True),  # sorted and ranged through readerstate.ReaderState, not a column
        topic=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        has_decision=ID(stored=True),
        procedural=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        text=TEXT(analyzer=analyzer, stored=True, phrase=True),
        decisions=TEXT(analyzer=analyzer, stored=True, phrase=True),
        # Passage documents: the searchable text without its attendance lines, those lines,
        # and the whole text as written (for snippets and the meeting page).
        passage=TEXT(analyzer=analyzer, phrase=True),
        attendance=TEXT(analyzer=analyzer, phrase=True),
        passage_text=STORED(),
        heading=STORED(),  # a passage's title: shown, never weighted like an item title
        header=TEXT(analyzer=analyzer, phrase=True),  # organisation, body, place, title (index.py)
        source=ID(stored=True),
        sha256=STORED(),
        # Meeting documents only:
        meeting_json=STORED(),  # JSON without the items' text, see pack_meeting
        stamp=STORED(),  # (size, mtime_ns) of the source file: skip hashing unchanged files
        item_count=STORED(),
        decision_count=STORED(),
    )
    for name in schema.names():
        field = schema[name]
        if type(field.format) is Positions:
            field.format = FlatPositions(field_boost=field.format.field_boost)
    return schema


def item_filter() -> wq.Query:
    """Restricts a query to agenda items."""
    return wq.Term("kind", KIND_ITEM)


def hit_filter() -> wq.Query:
    """Restricts a query to hits: agenda items and passages (meeting documents never are)."""
    return wq.Or([wq.Term("kind", KIND_ITEM), wq.Term("kind", KIND_PASSAGE)])


def meeting_filter() -> wq.Query:
    return wq.Term("kind", KIND_MEETING)


def item_ids(meeting_id: str, numbers: Iterable[str]) -> list[str]:
    """``f"{meeting_id}#{number}"`` per item; a number repeated in one meeting gets "-2", "-3" …"""
    used: set[str] = set()
    out = []
    for number in numbers:
        item_id, n = f"{meeting_id}#{number}", 2
        while item_id in used:  # the same number twice in one meeting: keep both items
            item_id, n = f"{meeting_id}#{number}-{n}", n + 1
        used.add(item_id)
        out.append(item_id)
    return out


def pack_meeting(meeting_dict: dict[str, Any]) -> str:
    """``Meeting.to_dict()`` as compact JSON *without* the items' and passages' text, the stored
    ``meeting_json``.

    Each item's text is stored once already, in its item document (snippets need it there),
    and the meeting page gets it back from there (``unpack_meeting``). Leaving it out here
    halved the stored meeting documents (3.1 → 1.4 MB at 1 000 meetings). Compressing the
    JSON ourselves did not help: Whoosh already deflates each document's stored fields (zlib
    level 3), and it pickles ``bytes`` with protocol 2, which inflates compressed bytes by half
    — zlib-6 bytes made the stored meetings 18 % *larger* (measured on 1 000 meetings).
    """
    slim = {
        **meeting_dict,
        "items": [{k: v for k, v in item.items() if k != "text"} for item in meeting_dict["items"]],
        "passages": [{k: v for k, v in p.items() if k != "text"}
                     for p in meeting_dict.get("passages", ())],
    }
    return json.dumps(slim, ensure_ascii=False, separators=(",", ":"))


def unpack_meeting(raw: str, meeting_id: str, texts: Mapping[str, str]) -> dict[str, Any]:
    """The ``Meeting.to_dict()`` that ``pack_meeting`` stored, with each item's and passage's
    text put back from ``texts`` (item or passage id → stored text of its document)."""
    data: dict[str, Any] = json.loads(raw)
    items = data["items"]
    for item, item_id in zip(items, item_ids(meeting_id, (i["number"] for i in items)), strict=True):
        item["text"] = texts.get(item_id, "")
    for passage in data.get("passages", ()):
        passage["text"] = texts.get(passage_id(meeting_id, passage["number"]), "")
    return data


def passage_id(meeting_id: str, number: int) -> str:
    """``f"{meeting_id}#avsnitt-{number}"``: the passage's anchor after the meeting id."""
    return f"{meeting_id}#{passage_anchor(number)}"
