"""One OpenAPI document for the whole API: the gateway's own spec merged with the backends' specs.

The backends' documents are fetched from their public `/openapi.json`, kept for a short while, and merged
path by path (only their `/api/<backend>/` paths: their health checks are not part of the public API).
Component names that collide with different definitions are prefixed with the backend's name. The merged
document then says what the gateway adds to every operation: bearer security, and errors as
`application/problem+json` (401/403 from the gateway, 502/503/504 when a backend cannot answer).
Each operation keeps the `x-roles` its service declares (services/common/auth.py): the same copies of the
backends' documents are what the gateway's route table is built from (services/gateway/routes.py).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from services.common.auth import PUBLIC_EXTENSION

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error (RFC 9457)",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "field -> messages, for invalid fields",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "request_id": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "an access token from POST /api/auth/token",
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT_SECTIONS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
)
GATEWAY_ERRORS = {
    "401": "no token, or a token that is not (or no longer) valid",
    "403": "the caller's role may not do this",
}
BACKEND_ERRORS = {
    "502": "the service broke off its answer",
    "503": "the service is unavailable",
    "504": "the service did not answer in time",
}


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value in renames:
                out[key] = renames[value]
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/components/"):
        return node
    section, _, name = ref.removeprefix("#/components/").partition("/")
    return spec.get("components", {}).get(section, {}).get(name, node)


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _is_error(code: str) -> bool:
    return code == "default" or (code[:1] in ("4", "5"))


def merge(gateway: dict[str, Any], backends: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """The whole API's document; a backend whose spec is None is listed in `info.x-unavailable`."""
    doc = copy.deepcopy(gateway)
    _describe(doc)
    doc.setdefault("components", {})
    doc.setdefault("paths", {})
    unavailable = []
    for backend, spec in backends.items():
        if spec is None:
            unavailable.append(backend)
        else:
            _merge_backend(doc, backend, spec)
    _add_gateway_components(doc)
    for item in doc["paths"].values():
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                _document_errors(doc, operation)
    if unavailable:
        doc["info"]["x-unavailable"] = sorted(unavailable)
    return doc


def _describe(doc: dict[str, Any]) -> None:
    """The merged document's title and the one paragraph a reader needs to start."""
    doc.setdefault("info", {})["title"] = "legalduty API"
    doc["info"]["description"] = (
        "Lawyer duty rosters and public legal service subsidies, through one gateway. "
        "Log in with POST /api/auth/token and send `Authorization: Bearer <access_token>`."
    )


def _merge_backend(doc: dict[str, Any], backend: str, spec: dict[str, Any]) -> None:
    """One backend's components, tags and public paths into `doc`."""
    renames = _component_renames(doc["components"], backend, spec)
    spec = _rewrite_refs(spec, renames)
    _add_components(doc["components"], spec, renames)
    _add_tags(doc, spec)
    _add_paths(doc, backend, spec)


def _backend_components(spec: dict[str, Any], section: str) -> dict[str, Any]:
    return spec.get("components", {}).get(section) or {}


def _component_renames(components: dict[str, Any], backend: str, spec: dict[str, Any]) -> dict[str, str]:
    """`$ref` -> prefixed `$ref` for the backend's components whose names are taken by another definition."""
    renames: dict[str, str] = {}
    for section in COMPONENT_SECTIONS:
        mine = components.setdefault(section, {})
        for name, definition in _backend_components(spec, section).items():
            if name in mine and mine[name] != definition:
                renames[f"#/components/{section}/{name}"] = f"#/components/{section}/{backend.title()}{name}"
    return renames


def _add_components(components: dict[str, Any], spec: dict[str, Any], renames: dict[str, str]) -> None:
    for section in COMPONENT_SECTIONS:
        mine = components.setdefault(section, {})
        for name, definition in _backend_components(spec, section).items():
            renamed = renames.get(f"#/components/{section}/{name}")
            new_name = renamed.rsplit("/", 1)[1] if renamed else name
            mine[new_name] = definition


def _add_tags(doc: dict[str, Any], spec: dict[str, Any]) -> None:
    """The backend's tags that the document does not have yet."""
    for tag in spec.get("tags", []) or []:
        if tag.get("name") not in {t.get("name") for t in doc.setdefault("tags", [])}:
            doc["tags"].append(tag)


def _add_paths(doc: dict[str, Any], backend: str, spec: dict[str, Any]) -> None:
    """The backend's `/api/<backend>/` paths, each operation tagged and marked with the backend it goes to."""
    for path, item in (spec.get("paths") or {}).items():
        if not path.startswith(f"/api/{backend}/"):
            continue
        doc["paths"][path] = item
        for method in METHODS:
            if method in item:
                item[method].setdefault("tags", [backend])
                item[method]["x-backend"] = backend


def _add_gateway_components(doc: dict[str, Any]) -> None:
    """Drop the component sections left empty; add the problem schema and the bearer scheme, required by all."""
    components = doc["components"]
    for section in COMPONENT_SECTIONS:
        if not components.get(section):
            components.pop(section, None)
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})["bearerAuth"] = SECURITY_SCHEME
    doc["security"] = [{"bearerAuth": []}]


def _document_errors(doc: dict[str, Any], operation: dict[str, Any]) -> None:
    """Every error of an operation as problem+json, with the gateway's own (401/403) and, for an operation a
    backend serves, those of a backend that cannot answer (502/503/504); a public operation needs no token."""
    responses = operation.setdefault("responses", {})
    for code in list(responses):
        if _is_error(code):
            description = _resolve(doc, responses[code]).get("description") or "error"
            responses[code] = _problem_response(description)
    if operation.get(PUBLIC_EXTENSION):
        operation["security"] = []
    else:
        _add_missing(responses, GATEWAY_ERRORS)
    if operation.get("x-backend"):
        _add_missing(responses, BACKEND_ERRORS)


def _add_missing(responses: dict[str, Any], errors: dict[str, str]) -> None:
    for code, description in errors.items():
        responses.setdefault(code, _problem_response(description))


class SpecCache:
    """The backends' specs, fetched at most every `ttl` seconds per process.

    The route table and the merged document read them. A refresh that fails keeps the last good copy and is
    tried again after `retry` seconds; a backend whose document was never had is asked again on the next
    call (its routes are unknown until then). One fetch per backend at a time: while one is under way,
    other callers get the copy there is (waiting for it only when there is none)."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]], *, ttl: float = 30.0, retry: float = 5.0):
        self._fetch = fetch
        self.ttl = ttl
        self.retry = retry
        self._entries: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._fetching: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, backend: str) -> dict[str, Any] | None:
        entry = self._entries.get(backend)
        if entry is not None and time.monotonic() < entry[0]:
            return entry[1]
        with self._lock:
            fetching = self._fetching.setdefault(backend, threading.Lock())
        known = entry is not None and entry[1] is not None
        if not fetching.acquire(blocking=not known):
            return entry[1] if entry is not None else None  # another caller is refreshing it
        try:
            entry = self._entries.get(backend)
            now = time.monotonic()
            if entry is not None and now < entry[0]:
                return entry[1]  # refreshed while this caller waited
            try:
                spec: dict[str, Any] | None = self._fetch(backend)
                expires = now + self.ttl
            except Exception:  # noqa: BLE001 - a backend that is down leaves the rest of the document
                spec = entry[1] if entry is not None else None  # keep serving the last good copy
                expires = now + self.retry if spec is not None else now  # never had: ask on the next call
            self._entries[backend] = (expires, spec)
            return spec
        finally:
            fetching.release()
