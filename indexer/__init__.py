"""Protokollsök indexer: files → text → Meeting records → Swedish analysis → Whoosh → search.

Public API is re-exported lazily so that ``import indexer`` stays cheap for the CLI.
"""

from indexer.records import (
    Action,
    AgendaItem,
    Attendee,
    FolderDefaults,
    Meeting,
    ParseWarning,
)

__all__ = ["Action", "AgendaItem", "Attendee", "FolderDefaults", "Meeting", "ParseWarning"]
