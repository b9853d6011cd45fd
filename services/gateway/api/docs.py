"""GET /api/openapi.json (the whole API's document) and GET /api/docs (Swagger UI)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from services.gateway.openapi import merge
from services.gateway.routes import BACKENDS
from services.gateway.state import gateway

bp = Blueprint("docs", __name__)

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>legalduty API</title>
  <link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript>The interactive documentation needs JavaScript; the document itself is
    <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
  <script src="{SWAGGER_UI}/swagger-ui-bundle.js" crossorigin></script>
  <script>
    window.onload = function () {{
      window.ui = SwaggerUIBundle({{url: "/api/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true}});
    }};
  </script>
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
    state = gateway()
    document = merge(gateway_spec(), {backend: state.specs.get(backend) for backend in BACKENDS})
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@bp.get("/api/docs")
def swagger_ui() -> Response:
    return Response(DOCS_PAGE, mimetype="text/html")
