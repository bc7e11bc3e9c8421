"""The only exceptions the edges (CLI, web) need to know.

The core raises these with enough context to build a helpful message; ``cli.py`` and
``webui/errors.py`` translate them once, so no traceback ever reaches a user.
"""

from __future__ import annotations


class ProtokollError(Exception):
    """Base class: every error here carries a message fit to show a user."""


class ExtractError(ProtokollError):
    """A source file could not be turned into text (empty, binary, encrypted, truncated …)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QueryError(ProtokollError):
    """A query or request parameter could not be understood; ``message`` is Swedish UI text."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class IndexBusy(ProtokollError):
    """Another indexer holds the write lock on this index."""


class IndexMissing(ProtokollError):
    """No index exists at the given directory (build one with ``protokoll index``)."""


class IndexDamaged(ProtokollError):
    """The index files are corrupt or unreadable; the message says to run ``--rebuild``."""

    def __init__(self, message: str, generation: str = "") -> None:
        super().__init__(message)
        self.generation = generation
