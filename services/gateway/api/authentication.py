"""Who is calling: the gateway's check of every request but the public ones (login, API documents, health)."""

from __future__ import annotations

from flask import Flask, g, request

from services.gateway.api.collaborators import collaborators
from services.gateway.service.login import caller
from services.gateway.tokens import bearer_token, unauthorized


def authenticate(app: Flask) -> None:
    """A valid token of a user it still holds for (not disabled, same password, role and lawyer)."""
    parts = collaborators(app)
    claims = parts.tokens.verify(bearer_token(request.headers.get("Authorization")))
    identity = caller(parts.reader, user_id=claims.user_id, token_version=claims.version)
    if identity is None:
        raise unauthorized("the token has been revoked; log in again")
    g.identity = identity
