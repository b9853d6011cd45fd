"""The operations each app serves and documents, for the tests of who may call what.

The services' apps are built once per test process, on SQLite files in a scratch folder (building one
connects nothing), and asked for their OpenAPI document as the gateway asks for it.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask

from services.common.auth import ROLES_EXTENSION
from services.common.settings import load_settings
from services.gateway.routes import template_of

SERVICES = ("roster", "subsidy")
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH")
# not API operations: health, metrics, the documents, Flask's static files, and the gateway's two catch-all
# rules that forward to the services (their operations are the services'), and its forwarding of every
# path outside /api to the web console (pages for people, not API operations)
NOT_OPERATIONS = re.compile(
    r"^(healthz|readyz|metrics|static|api-docs\..*|docs\..*|forward\..*|console\..*)$"
)
_FLASK_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

_scratch = Path(tempfile.mkdtemp(prefix="legalduty-operations-"))
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)


@functools.cache
def app_of(name: str) -> Flask:
    """The real app of `name` (roster, subsidy or gateway), built once."""
    settings = load_settings(
        name, {"LEGALDUTY_DATA_DIR": str(_scratch / name), "LEGALDUTY_LOG_LEVEL": "WARNING"}
    )
    (_scratch / name).mkdir(parents=True, exist_ok=True)
    if name == "roster":
        from services.roster.app import create_app
    elif name == "subsidy":
        from services.subsidy.app import create_app
    else:
        from services.gateway.app import create_app
    return create_app(settings)


@functools.cache
def spec_of(name: str) -> dict[str, Any]:
    """The app's own OpenAPI document, as served at /openapi.json."""
    response = app_of(name).test_client().get("/openapi.json")
    assert response.status_code == 200, f"the {name} service serves no /openapi.json"
    return response.get_json()  # type: ignore[no-any-return]


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /calendar/<int:year> -> /calendar/{year}."""
    return _FLASK_PARAM.sub(r"{\1}", rule)


def served(app: Flask) -> dict[tuple[str, str], str]:
    """(method, path template) -> endpoint for every operation the app serves (HEAD and OPTIONS aside)."""
    out = {}
    for rule in app.url_map.iter_rules():
        if NOT_OPERATIONS.match(rule.endpoint):
            continue
        for method in sorted((rule.methods or set()) & set(METHODS)):
            out[(method, template_of(openapi_path(rule.rule)))] = rule.endpoint
    return out


def documented(spec: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(method, path template) -> (path, operation) for every operation of an OpenAPI document."""
    out = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in METHODS:
            operation = item.get(method.lower())
            if operation is not None:
                out[(method, template_of(path))] = (path, operation)
    return out


def roles_documented(operation: dict[str, Any]) -> frozenset[str]:
    return frozenset(operation.get(ROLES_EXTENSION) or ())


def concrete(path: str) -> str:
    """A path template filled in: `{year}` with a year, every other parameter with an id."""
    return re.sub(r"\{[^}]+\}", "obj-7", path.replace("{year}", "2027"))


# a JSON body no schema of this API accepts (a field nobody declares, the required ones missing), and a
# query string no list accepts
INVALID_BODY = {"no_such_field": "x"}
INVALID_QUERY = "limit=-1&offset=not-a-number&month=13-2026"
