"""The one place where the gateway's refusals (domain.errors) become problem+json, and where its API
document learns the problem schema."""

from __future__ import annotations

from flask import Flask, Response
from flask_smorest import Api

from services.common.http import problem_response
from services.common.schemas import ProblemOut
from services.gateway.domain.errors import (
    Conflict,
    Forbidden,
    GatewayError,
    Invalid,
    NotFound,
    TooManyAttempts,
    Unavailable,
    WrongCredentials,
)
from services.gateway.tokens import unauthorized

RETRY_AFTER_UNAVAILABLE = 5  # seconds: what the gateway tells clients when a service it must ask is down

STATUS: tuple[tuple[type[GatewayError], int], ...] = (
    (Invalid, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (TooManyAttempts, 429),
    (Unavailable, 503),
)


def gateway_problem(exc: GatewayError) -> Response:
    if isinstance(exc, WrongCredentials):
        challenge = unauthorized(str(exc), error="")
        return problem_response(401, challenge.detail, headers=challenge.headers)
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 422)
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, Unavailable):
        headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    extra = {"backend": exc.service} if isinstance(exc, Unavailable) else None
    return problem_response(
        status, str(exc), errors=getattr(exc, "errors", None) or None, headers=headers or None, extra=extra
    )


def register(app: Flask, api: Api) -> None:
    app.register_error_handler(GatewayError, gateway_problem)
    api.spec.components.schema("Problem", schema=ProblemOut)
