"""Protokollsök web UI: a thin HTTP edge over ``indexer.search.SearchService``.

``create_app(config)`` applies the defaults from ``webui.settings``, then ``PROTOKOLL_*``
environment variables, then the argument (tests pass ``TESTING``/``INDEX_DIR``/``CORPUS_DIR``).
Views only translate request arguments into requests for the service and render the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from webui import errors, filters, security, service, settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.json = _HtmlSafeJSON(app)
    app.config.from_mapping(settings.defaults())
    app.config.from_prefixed_env("PROTOKOLL")
    if config:
        app.config.from_mapping(config)
    app.config["DEBUG"] = False  # never the debugger, whatever the environment says
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    service.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    filters.init_app(app)

    from webui.views import meetings, search, trends

    app.register_blueprint(search.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(trends.bp)
    return app


class _HtmlSafeJSON(DefaultJSONProvider):
    """JSON with < > & written as \\u escapes, so a query or document text holding
    ``<script>`` stays inert even if a client renders the JSON as HTML. The characters can only
    occur inside JSON strings, so replacing them in the output is exact."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
