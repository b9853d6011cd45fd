"""The one place where the domain's refusals become problem+json, and the problem answers every operation
documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response
from flask_smorest import Api, Blueprint

from services.common.http import PROBLEM, problem_response
from services.common.schemas import ProblemOut
from services.common.uploads import UploadRefused, UploadTooLarge, UploadUnsupported
from services.subsidy.domain.bank_accounts import AccountInvalid
from services.subsidy.domain.bank_files import BankFileRefused, UnknownProfile
from services.subsidy.domain.claims import (
    BudgetExceeded,
    DocumentsInvalid,
    DocumentsMissing,
    GradeInvalid,
    MakerChecker,
    NoBudget,
    NotGraded,
    ReasonRequired,
    WrongState,
)
from services.subsidy.domain.errors import DomainError
from services.subsidy.domain.schemes import NoMatchingRate, SchemeInvalid
from services.subsidy.service.errors import Conflict, Forbidden, Invalid, NotFound

F = TypeVar("F", bound=Callable[..., Any])

ERRORS = {
    400: "the body is not readable JSON",
    401: "no (valid) identity from the gateway",
    403: "the caller's role, or this caller, may not do this",
    404: "no such object (or another lawyer's)",
    409: "conflicts with what is stored (duplicate, wrong state, budget, overlap)",
    413: "the upload is larger than the import reads (`errors.file` says the limit)",
    415: "an upload neither multipart/form-data, text/csv nor XLSX",
    422: "invalid fields (`errors` names them)",
}

STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (UnknownProfile, 404),
    (BankFileRefused, 409),
    (AccountInvalid, 422),
    (Forbidden, 403),
    (MakerChecker, 403),
    (Conflict, 409),
    (WrongState, 409),
    (BudgetExceeded, 409),
    (NoBudget, 409),
    (DocumentsMissing, 409),
    (NotGraded, 409),
    (GradeInvalid, 422),
    (DocumentsInvalid, 422),
    (Invalid, 422),
    (SchemeInvalid, 422),
    (NoMatchingRate, 422),
    (ReasonRequired, 422),
)


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem+json answers an operation can give (401 always)."""

    def decorate(view: F) -> F:
        for code in sorted({401, *codes}, reverse=True):
            view = blp.alt_response(code, schema=ProblemOut, content_type=PROBLEM, description=ERRORS[code])(
                view
            )
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


def upload_problem(exc: UploadRefused) -> Response:
    status = 413 if isinstance(exc, UploadTooLarge) else 415 if isinstance(exc, UploadUnsupported) else 422
    return problem_response(status, str(exc), errors=exc.errors)


def register_problems(app: Flask, api: Api) -> None:
    """Domain refusals and unreadable uploads as problem+json, and the error responses flask-smorest documents
    by itself (422 for invalid arguments, the default) described as the problem+json they are."""
    app.register_error_handler(DomainError, domain_problem)
    app.register_error_handler(UploadRefused, upload_problem)
    api.spec.components.schema("Problem", schema=ProblemOut)  # the name the gateway's merged document uses
    for response in api.spec.components.responses_lazy.values():
        content = response.get("content")
        if content and "application/json" in content:
            response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
