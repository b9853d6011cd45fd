"""Who is calling: the gateway's check of every request but the public ones (login, API documents, health,
and the services' operations their documents declare public, such as the calendar feed a phone subscribes
to by its secret address: those need no token, are throttled per client address, and reach the service
with no identity)."""

from __future__ import annotations

from flask import Flask, g, request

from services.common.web import runtime
from services.gateway.api.collaborators import collaborators
from services.gateway.routes import RoutesUnknown
from services.gateway.service.login import caller
from services.gateway.service.public_calls import count_public_call
from services.gateway.tokens import bearer_token, unauthorized


def authenticate(app: Flask) -> None:
    """A valid token of a user it still holds for (not disabled, same password, role and lawyer); none for
    a public operation of a service."""
    parts = collaborators(app)
    if _is_public_operation(app):
        count_public_call(
            session_factory=runtime(app).session_factory,
            client=request.remote_addr or "unknown",
            policy=parts.throttle,
        )
        return
    claims = parts.tokens.verify(bearer_token(request.headers.get("Authorization")))
    identity = caller(parts.reader, user_id=claims.user_id, token_version=claims.version)
    if identity is None:
        raise unauthorized("the token has been revoked; log in again")
    g.identity = identity


def _is_public_operation(app: Flask) -> bool:
    """Whether the route table says this request is a public operation of a service (a service whose
    document is not known yet has none: the token is asked for as usual)."""
    try:
        route = collaborators(app).routes.match(request.method, request.path).route
    except RoutesUnknown:
        return False
    return route is not None and route.public
