"""/api/roster/* and /api/subsidy/*: looked up in the route table, then forwarded to their service.

The forwarding view itself is declared public: the table's row decides who passes. A request reaches it
only after `authenticate` (api/authentication.py) has known the caller by their token, or found the row
public (then it is forwarded with no identity, and the service authenticates it by itself)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, request

from services.common.auth import Identity, current_identity, public
from services.common.http import Problem
from services.gateway.api.collaborators import collaborators
from services.gateway.proxy import BackendUnavailable, forward
from services.gateway.routes import RoutesUnknown

log = logging.getLogger(__name__)

# a plain Flask blueprint: these operations are documented by the services' own specs, not the gateway's
bp = Blueprint("forward", __name__)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ROUTES_UNKNOWN_RETRY = "2"  # seconds: the next request asks the service for its document again


@public  # the table's row for the operation says who passes
def forward_request(rest: str = "") -> Response:
    parts = collaborators()
    try:
        match = parts.routes.match(request.method, request.path)
    except RoutesUnknown as exc:
        raise Problem(
            503, exc.detail, headers={"Retry-After": ROUTES_UNKNOWN_RETRY}, backend=exc.backend
        ) from exc
    if match.route is None:
        if match.allowed_methods:
            allowed = ", ".join(match.allowed_methods)
            raise Problem(
                405, f"{request.method} is not allowed here; allowed: {allowed}", headers={"Allow": allowed}
            )
        raise Problem(404, f"no such endpoint: {request.path}")
    identity: Identity | None = None
    if not match.route.public:
        identity = current_identity()  # 401 without one
        if identity.role not in match.route.roles:
            raise Problem(403, f"the {identity.role} role may not {match.route.method} {match.route.path}")
    try:
        return forward(parts.backends, match.route.backend, identity)
    except BackendUnavailable as exc:
        log.warning(
            "backend unavailable",
            extra={
                "backend": exc.backend,
                "status": exc.status,
                "path": match.route.path,
                "request_id": g.get("request_id"),
            },
        )
        raise exc.problem() from exc


for _backend in ("roster", "subsidy"):
    for _rule in (f"/api/{_backend}", f"/api/{_backend}/<path:rest>"):
        bp.add_url_rule(
            _rule,
            endpoint=f"{_backend}_{_rule.count('/')}",
            view_func=forward_request,
            methods=METHODS,
            provide_automatic_options=False,
        )
