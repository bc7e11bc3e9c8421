"""The parser's word lists, loaded once from ``data/parse_labels.toml``."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "parse_labels.toml"


@cache
def labels() -> dict[str, Any]:
    return tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def regex(section: str, key: str, *, prefix: bool = False) -> re.Pattern[str]:
    """A case-insensitive pattern from one entry of the labels file.

    Word-bounded on both sides, or with ``prefix`` only at the start, so a stem such as
    "anslag" also matches "anslags" and "justering" matches "justeringens".
    """
    end = "" if prefix else r"(?!\w)"
    return re.compile(rf"(?<!\w)(?:{labels()[section][key]}){end}", re.IGNORECASE)
