"""POST /api/auth/token: log in."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from services.common.auth import public
from services.common.clientaddr import HEADER, vouched
from services.common.schemas import ProblemOut
from services.common.web import runtime
from services.gateway.api.collaborators import collaborators
from services.gateway.api.schemas import TokenIn, TokenOut
from services.gateway.service.login import log_in

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Logging in")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenIn)
@blp.response(200, TokenOut)
@blp.alt_response(401, schema=ProblemOut, description="wrong username or password")
@blp.alt_response(
    429,
    schema=ProblemOut,
    description="too many attempts; see Retry-After",
    headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
)
@public
def issue_token(body: dict[str, Any]) -> Any:
    """Exchange a username and password for an access token."""
    parts = collaborators()
    token = log_in(
        session_factory=runtime().session_factory,
        username=body["username"],
        password=body["password"],
        client=vouched(request.headers.get(HEADER), secret=parts.settings.internal_secret)
        or request.remote_addr
        or "unknown",
        policy=parts.throttle,
        secret=parts.settings.jwt_secret,
        ttl=parts.token_ttl,
    )
    return token, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}
