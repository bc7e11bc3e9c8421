"""A parsed meeting as the Whoosh documents that hold it: one meeting document (the whole
record, for the meeting page and the incremental indexer), one per agenda item and one per
passage. A pure function of the ``Meeting``; ``indexer.index`` writes what it returns.
"""

from __future__ import annotations

from indexer.records import Meeting
from indexer.reference import county_of
from indexer.schema import KIND_ITEM, KIND_MEETING, KIND_PASSAGE, NO, YES, item_ids, pack_meeting, passage_id


def _keywords(values: object) -> str | None:
    kept = [str(v).replace(",", " ") for v in dict.fromkeys(values) if v]  # type: ignore[call-overload]
    return ",".join(kept) or None


def documents(meeting: Meeting, stamp: tuple[int, int] | None) -> list[dict[str, object]]:
    """The meeting document, one document per agenda item, then one per passage (None values
    dropped).

    The meeting's header (organisation, body, place, document title, also when they come from
    ``protokoll.toml`` rather than the text) goes into the low-weighted ``header`` field of one
    hit per meeting: the first passage, which usually holds the header's lines anyway, or the
    first item. On every hit it would let "Skellefteå budget" find Skellefteå's budget item, but
    words such as "styrelsen" or "kommunförbund" would then post every item of the archive
    (about ten times the postings to decode per such word, at 10 000 meetings), against the
    100 ms query budget. ``kommun``/``län`` hold the participating municipalities only; places an
    item or passage merely mentions go to ``mentioned_municipality`` ("Omnämnda kommuner").
    """
    participating = tuple(dict.fromkeys(meeting.municipalities))
    counties = _keywords(county_of(m) for m in participating)
    common = {
        "meeting_id": meeting.id,
        "organisation": meeting.organisation,
        "body": meeting.body,
        "place": meeting.place,
        "date": meeting.date,
        "year": meeting.year,
        "source": meeting.source,
        "sha256": meeting.sha256,
        "municipality": _keywords(participating),
        "county": counties,
    }
    decisions = sum(1 for item in meeting.items if item.decisions)
    docs: list[dict[str, object]] = [
        {
            **common,
            "kind": KIND_MEETING,
            "item_id": meeting.id,
            "meeting_json": pack_meeting(meeting.to_dict()),
            "stamp": stamp,
            "item_count": len(meeting.items),
            "decision_count": decisions,
        }
    ]
    header = " ".join(x for x in (meeting.organisation, meeting.body, meeting.place, meeting.title) if x)
    for item, item_id in zip(meeting.items, item_ids(meeting.id, (i.number for i in meeting.items))):
        docs.append(
            {
                **common,
                "kind": KIND_ITEM,
                "item_id": item_id,
                "number": item.number,
                "anchor": item.anchor,
                "mentioned_municipality": _keywords(m for m in item.municipalities if m not in participating),
                "topic": _keywords(item.topics),
                "has_decision": YES if item.decisions else NO,
                "procedural": YES if item.procedural else NO,
                "title": item.title,
                "text": item.text,
                "decisions": "\n".join(item.decisions),
            }
        )
    mentioned = [m for m in dict.fromkeys((*meeting.mentioned_municipalities,
                                           *(m for i in meeting.items for m in i.municipalities)))
                 if m not in participating]
    for passage in meeting.passages:
        folded = passage.text.casefold()
        docs.append(
            {
                **common,
                "kind": KIND_PASSAGE,
                "item_id": passage_id(meeting.id, passage.number),
                "anchor": passage.anchor,
                "heading": passage.title,
                "passage": passage.body,
                "attendance": passage.attendance,
                "passage_text": passage.text,
                "mentioned_municipality": _keywords(m for m in mentioned if m.casefold() in folded),
            }
        )
    if len(docs) > 1:
        first = len(docs) - len(meeting.passages) if meeting.passages else 1
        docs[first]["header"] = header
    return [{k: v for k, v in d.items() if v is not None and v != ""} for d in docs]
