"""Who may call what: the gateway's route table, built from the services' own OpenAPI documents.

There is no hand-written table. Each roster and subsidy view declares its roles once, with
`@require_roles(...)` (services/common/auth.py); the service publishes them as `x-roles` on the operation in
its `/openapi.json`; the gateway reads those documents (the same cached copies it merges into
/api/openapi.json) and makes one row per operation: method, path, roles, backend.

Every request under /api/roster/ or /api/subsidy/ is looked up here before anything else happens:
- the backend's document is not known yet (the service has not answered since the gateway started):
  `RoutesUnknown`, which the gateway answers 503 with `Retry-After`; the next request asks again;
- no row for its path: 404; a row for the path but not the method: 405 with the allowed methods;
- a row whose roles do not include the caller's: 403.
Only then is the request forwarded, to the row's backend, path kept as it is. The service checks the roles
again (with the same declaration) and checks ownership: another lawyer's object is 404 or 403 there.

An operation a service documents as public (`x-public: true`, from `@public`: the calendar feed a phone
subscribes to, whose secret address is its credential) gets a public row: the gateway lets it through
without a token (api/authentication.py), throttled per client address, and forwards it with no identity.
An operation a service documents without `x-roles` or `x-public` gets no row (404 through the gateway): the
tests in tests/unit/gateway/test_routes.py fail on it before it ships.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from services.common.auth import PUBLIC_EXTENSION, ROLES, ROLES_EXTENSION

log = logging.getLogger(__name__)

BACKENDS = ("roster", "subsidy")
METHODS = ("get", "put", "post", "delete", "patch")

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: frozenset[str]
    backend: str = field(default="")
    public: bool = False  # no token needed: the service authenticates the request itself

    def __post_init__(self) -> None:
        if not self.backend:
            object.__setattr__(self, "backend", self.path.split("/")[2])
        object.__setattr__(self, "_regex", _compile(self.path))

    @property
    def regex(self) -> re.Pattern[str]:
        return self._regex  # type: ignore[attr-defined]

    @property
    def is_template(self) -> bool:
        return "{" in self.path


def _compile(path: str) -> re.Pattern[str]:
    pattern, last = "", 0
    for m in _PARAM.finditer(path):
        pattern += re.escape(path[last : m.start()]) + r"[^/]+"
        last = m.end()
    return re.compile("^" + pattern + re.escape(path[last:]) + "$")


def routes_from_spec(backend: str, spec: dict[str, Any]) -> tuple[Route, ...]:
    """One row per operation the backend documents under /api/<backend>/ with `x-roles` (or `x-public`).

    ValueError when an operation names a role that does not exist: the document is not to be trusted."""
    rows = []
    for path, item in (spec.get("paths") or {}).items():
        if not path.startswith(f"/api/{backend}/") or not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            roles = operation.get(ROLES_EXTENSION)
            if operation.get(PUBLIC_EXTENSION) is True:
                if roles is not None:
                    raise ValueError(f"{method.upper()} {path}: public and x-roles at once")
                rows.append(Route(method.upper(), path, frozenset(), backend, public=True))
                continue
            if roles is None:
                log.warning(
                    "an operation without x-roles is not routed",
                    extra={"backend": backend, "method": method.upper(), "path": path},
                )
                continue
            if not isinstance(roles, list) or not roles or not set(roles) <= set(ROLES):
                raise ValueError(f"{method.upper()} {path}: x-roles must be some of {ROLES}, not {roles!r}")
            rows.append(Route(method.upper(), path, frozenset(roles), backend))
    return tuple(rows)


@dataclass(frozen=True)
class Match:
    """What the table says about one request: the route, or why there is none."""

    route: Route | None
    allowed_methods: tuple[str, ...] = ()


class RouteIndex:
    """Rows looked up by method and path: literal paths by dictionary, templated ones in order."""

    def __init__(self, routes: Iterable[Route]):
        routes = tuple(routes)
        seen: set[tuple[str, str]] = set()
        for route in routes:
            if route.backend not in BACKENDS:
                raise ValueError(f"{route.path}: unknown backend {route.backend!r}")
            if not route.path.startswith(f"/api/{route.backend}/"):
                raise ValueError(
                    f"{route.path}: a {route.backend} route must live under /api/{route.backend}/"
                )
            if (
                (route.public and route.roles)
                or (not route.public and not route.roles)
                or not route.roles <= set(ROLES)
            ):
                raise ValueError(f"{route.method} {route.path}: roles must be some of {ROLES} (none: public)")
            if "{" in _resource(route.path):
                raise ValueError(f"{route.path}: the first three segments must be literal")
            key = (route.method, template_of(route.path))
            if key in seen:
                raise ValueError(f"{route.method} {route.path} is in the table twice")
            seen.add(key)
        self.routes = routes
        self._literal: dict[str, list[Route]] = {}
        self._templates: dict[str, list[Route]] = {}
        for route in routes:
            if route.is_template:
                self._templates.setdefault(_resource(route.path), []).append(route)
            else:
                self._literal.setdefault(route.path, []).append(route)

    def match(self, method: str, path: str) -> Match:
        """The route for `method path`; None with the allowed methods when only the path is known."""
        if any(seg in ("", ".", "..") for seg in path.split("/")[1:]):
            return Match(None)
        candidates = self._literal.get(path, []) + [
            r for r in self._templates.get(_resource(path), ()) if r.regex.match(path)
        ]
        lookup = "GET" if method == "HEAD" else method
        for route in candidates:  # literal rows first: POST /schemes/preview before /schemes/{id}
            if route.method == lookup:
                return Match(route)
        return Match(None, tuple(sorted({r.method for r in candidates})))


class RoutesUnknown(Exception):
    """The backend's OpenAPI document has not been had yet (or cannot be trusted): its routes are unknown."""

    def __init__(self, backend: str, detail: str):
        super().__init__(detail)
        self.backend = backend
        self.detail = detail


class RouteTable:
    """The gateway's table: one `RouteIndex` per backend, rebuilt whenever its document is fetched anew.

    `spec_of(backend)` gives the backend's current document or None (services.gateway.openapi.SpecCache:
    kept for a while, refreshed, the last good copy kept while the service is down, a backend never had
    asked again on the next request)."""

    def __init__(self, spec_of: Callable[[str], dict[str, Any] | None], backends: Iterable[str] = BACKENDS):
        self._spec_of = spec_of
        self.backends = tuple(backends)
        self._built: dict[str, tuple[dict[str, Any], RouteIndex]] = {}
        self._lock = threading.Lock()

    def index(self, backend: str) -> RouteIndex:
        """The rows of one backend; RoutesUnknown while its document is not known."""
        spec = self._spec_of(backend)
        if spec is None:
            raise RoutesUnknown(
                backend, f"the {backend} service's routes are not known yet; try again shortly"
            )
        built = self._built.get(backend)
        if built is not None and built[0] is spec:
            return built[1]
        try:
            index = RouteIndex(routes_from_spec(backend, spec))
        except ValueError as exc:
            log.error(
                "a service's OpenAPI document is unusable", extra={"backend": backend, "error": str(exc)}
            )
            raise RoutesUnknown(backend, f"the {backend} service's routes cannot be read") from exc
        with self._lock:
            self._built[backend] = (spec, index)
        return index

    def match(self, method: str, path: str) -> Match:
        """The route for `method path` (see RouteIndex.match); RoutesUnknown for a backend not known yet."""
        backend = path.split("/", 3)[2] if path.startswith("/api/") and path.count("/") >= 2 else ""
        if backend not in self.backends:
            return Match(None)
        return self.index(backend).match(method, path)

    def routes(self) -> tuple[Route, ...]:
        """Every row of every backend whose document is known now."""
        rows: list[Route] = []
        for backend in self.backends:
            try:
                rows.extend(self.index(backend).routes)
            except RoutesUnknown:
                continue
        return tuple(rows)


def _resource(path: str) -> str:
    """The first three segments (`/api/roster/lawyers`): templated rows are looked up by them."""
    return "/".join(path.split("/", 4)[:4])


def template_of(openapi_path: str) -> str:
    """An OpenAPI path with its parameters renamed, to compare paths (`{id}` == `{lawyer_id}`)."""
    return _PARAM.sub("{}", openapi_path)
