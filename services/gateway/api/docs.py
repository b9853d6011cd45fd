"""GET /api/openapi.json (the whole API's document) and GET /api/docs (Swagger UI, served from here).

Swagger UI's files come from the PyPI package swagger-ui-bundle (pinned in requirements.txt) and are served
under /api/docs/static/, with our own start-up script beside them: the page loads nothing from another host,
so it works on an office network with no internet, and its Content-Security-Policy allows only this origin
(styles may be inline: Swagger UI sets some; images may be data: URIs, as its stylesheet uses them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]
from flask import Blueprint, Response, current_app, jsonify, send_from_directory

from services.gateway.api.collaborators import collaborators
from services.gateway.openapi import merge
from services.gateway.routes import BACKENDS

bp = Blueprint("docs", __name__)

SWAGGER_UI_FILES = Path(swagger_ui_bundle.swagger_ui_path)
OUR_FILES = Path(__file__).parent / "static"
ASSET_MAX_AGE = 24 * 3600
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>legalduty API</title>
  <link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/static/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript>The interactive documentation needs JavaScript; the document itself is
    <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
  <script src="/api/docs/static/swagger-ui-bundle.js"></script>
  <script src="/api/docs/static/swagger-init.js"></script>
</body>
</html>
"""


def gateway_spec() -> dict[str, Any]:
    """The gateway's own operations, as flask-smorest documents them (built once per process)."""
    cached = current_app.extensions.get("gateway_spec")
    if cached is None:
        cached = current_app.extensions["gateway_api"].spec.to_dict()
        current_app.extensions["gateway_spec"] = cached
    return cached


@bp.get("/api/openapi.json")
def openapi_document() -> Response:
    parts = collaborators()
    document = merge(gateway_spec(), {backend: parts.specs.get(backend) for backend in BACKENDS})
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@bp.get("/api/docs")
def swagger_ui() -> Response:
    response = Response(DOCS_PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/api/docs/static/<path:filename>")
def swagger_ui_file(filename: str) -> Response:
    """Swagger UI's own files, and our start-up script (ours first, so it cannot be shadowed)."""
    folder = OUR_FILES if (OUR_FILES / filename).is_file() else SWAGGER_UI_FILES
    response = send_from_directory(folder, filename, max_age=ASSET_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
