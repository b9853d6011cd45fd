"""problem+json (RFC 9457) errors from one handler, for every error, uncaught ones included."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid fields",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An error the client should see as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str | None = None,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Error")
        self.type = type_ or "about:blank"
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    if extra:
        body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"json": {"a": {"0": {"b": ["x"]}}}} -> {"a.0.b": ["x"]}; the location key is dropped."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        if prefix == "" and set(messages) <= {"json", "query", "querystring", "form", "headers", "files", "path"}:
            for value in messages.values():
                out.update(flatten_messages(value, ""))
            return out
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_messages(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = list(messages)
        return out
    if isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(flatten_messages(value, f"{prefix}.{i}" if prefix else str(i)))
        return out
    out[prefix or "_schema"] = [str(messages)]
    return out


def register_error_handlers(app: Flask) -> None:
    """Make every error of this app a problem+json response."""

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Response:
        return problem_response(
            exc.status, exc.detail, title=exc.title, type_=exc.type, errors=exc.errors, headers=exc.headers,
            extra=exc.extra,
        )

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> Response:
        errors = flatten_messages(exc.messages)
        return problem_response(422, _summary(errors), errors=errors)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        if messages:
            errors = flatten_messages(messages)
            if status == 422:
                return problem_response(422, _summary(errors), errors=errors)
            return problem_response(status, _summary(errors), errors=errors)
        detail = data.get("message") or exc.description or TITLES.get(status, "Error")
        headers = {}
        if status == 405 and exc.get_response().headers.get("Allow"):
            headers["Allow"] = exc.get_response().headers["Allow"]
        if status == 400 and "json" in (detail or "").lower():
            detail = "the request body is not valid JSON"
        return problem_response(status, str(detail), headers=headers)

    @app.errorhandler(Exception)
    def _uncaught(exc: Exception) -> Response:
        log.exception(
            "unhandled error", extra={"path": request.path, "request_id": getattr(g, "request_id", None)}
        )
        return problem_response(500, "an unexpected error occurred; the request id identifies it in the logs")


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {'; '.join(msgs)}" for field, msgs in errors.items()]
    return "; ".join(parts)[:1000] or "invalid fields"
