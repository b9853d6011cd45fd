"""What every subsidy blueprint shares: the unit of work of a request, documented errors, and the one
place where the domain's refusals become problem+json."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, g
from flask_smorest import Api, Blueprint

from services.common.db import UnitOfWork
from services.common.http import problem_response
from services.common.web import runtime
from services.subsidy.api.schemas import PROBLEM, Problem
from services.subsidy.domain.claims import BudgetExceeded, MakerChecker, NoBudget, ReasonRequired, WrongState
from services.subsidy.domain.errors import DomainError
from services.subsidy.domain.schemes import NoMatchingRate, SchemeInvalid
from services.subsidy.service.errors import Conflict, Forbidden, Invalid, NotFound
from services.subsidy.service.unit import PRODUCER

F = TypeVar("F", bound=Callable[..., Any])

ERRORS = {
    400: "the body is not readable JSON",
    401: "no (valid) identity from the gateway",
    403: "the caller's role, or this caller, may not do this",
    404: "no such object (or another lawyer's)",
    409: "conflicts with what is stored (duplicate, wrong state, budget, overlap)",
    422: "invalid fields (`errors` names them)",
}

STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (MakerChecker, 403),
    (Conflict, 409),
    (WrongState, 409),
    (BudgetExceeded, 409),
    (NoBudget, 409),
    (Invalid, 422),
    (SchemeInvalid, 422),
    (NoMatchingRate, 422),
    (ReasonRequired, 422),
)


def unit_of_work() -> UnitOfWork:
    return UnitOfWork(runtime().session_factory, producer=PRODUCER, correlation_id=g.get("request_id"))


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem+json answers an operation can give (401 always)."""

    def decorate(view: F) -> F:
        for code in sorted({401, *codes}, reverse=True):
            view = blp.alt_response(code, schema=Problem, content_type=PROBLEM, description=ERRORS[code])(view)
        return view

    return decorate


_INDEX = re.compile(r"\[(\d+)\]")


def field_name(key: str) -> str:
    """The domain's `rates[0].amount` as the API's `rates.0.amount` (what marshmallow errors say too)."""
    return _INDEX.sub(r".\1", key)


def domain_problem(exc: DomainError) -> Response:
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 422)
    errors = getattr(exc, "errors", None)
    if errors:
        errors = {field_name(k): list(v) for k, v in errors.items()}
    return problem_response(status, str(exc), errors=errors or None)


def register(app: Flask, api: Api) -> None:
    """Domain refusals as problem+json, and the error responses flask-smorest documents by itself
    (422 for invalid arguments, the default) described as the problem+json they are."""
    app.register_error_handler(DomainError, domain_problem)
    api.spec.components.schema("Problem", schema=Problem)
    for response in api.spec.components.responses_lazy.values():
        content = response.get("content")
        if content and "application/json" in content:
            response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
