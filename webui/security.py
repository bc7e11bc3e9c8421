"""Security headers on every response.

The CSP forbids inline script and inline style (no ``<script>`` blocks, ``on…=`` handlers or
``style=`` attributes in any template), so an injected snippet cannot run even if escaping were
ever to fail. The trend chart SVG is the one exception for styles: matplotlib writes ``style``
attributes, and that response is an image document that runs no script at all.
"""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
# An original PDF from the archive is someone else's document: shown inline, but in a sandbox
# (no script, no forms, an opaque origin), so nothing in it acts on this site's origin.
SOURCE_PDF_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'"
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_headers(response: Response) -> Response:
    if response.mimetype == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_CSP
    else:
        response.headers.setdefault("Content-Security-Policy", CSP)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    from webui.params import reject_control_characters

    app.before_request(reject_control_characters)
    app.after_request(add_headers)
