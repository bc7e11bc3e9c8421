"""Render an HTML page together with a pointer to its JSON twin.

The twin is named twice, as Datasette does: ``<link rel="alternate">`` in the page (read by
people and browsers) and a ``Link`` header (read by scripts that never parse HTML).
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template


def page(template: str, json_url: str, **context: Any) -> Response:
    response = make_response(render_template(template, json_url=json_url, **context))
    response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return response
