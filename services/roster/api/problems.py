"""The one place where the roster's refusals become HTTP: each kind of domain or service error has its
status here, and every blueprint documents its problem+json answers with `problems`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response
from flask_smorest import Blueprint

from services.common.http import PROBLEM, problem_response
from services.common.schemas import ProblemOut
from services.roster.domain.errors import Conflict, DomainError, Forbidden, Invalid
from services.roster.service.errors import NotFound, Stale, TooLarge, UnsupportedMedia

F = TypeVar("F", bound=Callable[..., Any])

STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Stale, 412),
    (TooLarge, 413),
    (UnsupportedMedia, 415),
    (Invalid, 422),
)

ERRORS = {
    401: "no (valid) identity from the gateway",
    403: "the caller's role, or this caller, may not do this",
    404: "no such object (or another lawyer's)",
    409: "conflicts with the object's state or a roster rule (`rule` names it)",
    412: "changed by someone else since you read it (If-Match)",
    422: "invalid fields (`errors` names them)",
}


def status_of(exc: DomainError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def domain_problem(exc: DomainError) -> Response:
    return problem_response(status_of(exc), exc.detail, errors=exc.errors, extra=dict(exc.extra) or None)


def problems(
    blp: Blueprint,
    *codes: int,
    schema: Any = ProblemOut,
    descriptions: dict[int, str] | None = None,
    public: bool = False,
) -> Callable[[F], F]:
    """Document the problem+json answers an operation can give (401 always, but for a public one)."""
    texts = {**ERRORS, **(descriptions or {})}

    def decorate(view: F) -> F:
        for code in sorted(set(codes) | ({401} if not public else set()), reverse=True):
            view = blp.alt_response(code, schema=schema, content_type=PROBLEM, description=texts[code])(view)
        return view

    return decorate


def register(app: Flask) -> None:
    """Domain and service refusals as problem+json."""
    app.register_error_handler(DomainError, domain_problem)
