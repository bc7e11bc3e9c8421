"""CSV responses shared by the search and trends exports.

UTF-8 with a BOM so Excel shows å/ä/ö, and formula-looking cells defused: a spreadsheet runs
a cell that starts with = + - @ as a formula, so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response


def safe_cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_response(rows: Iterable[Iterable[str]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(str(c)) for c in row])
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
