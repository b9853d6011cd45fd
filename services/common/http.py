"""problem+json (RFC 9457) errors from one handler, for every error, uncaught ones included."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from flask import Flask, Response, current_app, g, json, request
from kombu.exceptions import OperationalError as KombuOperationalError
from marshmallow import ValidationError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from services.common.connections import BrokerUnavailable

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # what a 503 for an unreachable database or broker tells the client to wait
OUTAGE_LOG_INTERVAL = 30.0  # seconds: during an outage, one warning per interval, not one per request
# SQLite result codes that say the file cannot be used right now, not that the program is wrong
SQLITE_UNAVAILABLE = (
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_READONLY",
)

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
        if prefix == "" and set(messages) <= {
            "json",
            "query",
            "querystring",
            "form",
            "headers",
            "files",
            "path",
        }:
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


def unavailable_dependency(exc: BaseException) -> str | None:
    """Which dependency, "database" or "broker", `exc` (or what caused it) says cannot be reached or used
    right now; None when it is no outage. Connection-level trouble only: an integrity error, a missing table
    or a bad statement is a bug or a conflict, not an outage."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        what = _unavailable(current)
        if what:
            return what
        current = current.__cause__ or current.__context__
    return None


def _unavailable(exc: BaseException) -> str | None:
    if isinstance(exc, BrokerUnavailable | KombuOperationalError | AmqpConnectionError):
        return "broker"
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return "database"  # the pool: the connection is gone, or none was free in time
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return "database"
        return "database" if _driver_unavailable(exc.orig) else None
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return None
    return "database" if _driver_unavailable(exc) else None


def _driver_unavailable(err: BaseException | None) -> bool:
    """A DB-API driver's own error: PEP 249 OperationalError/InterfaceError (connection failures, server
    shutting down or starting up, timeouts); for SQLite only the codes that mean the file is unusable."""
    if err is None:
        return False
    if isinstance(err, sqlite3.Error):
        name = getattr(err, "sqlite_errorname", "") or ""
        return name.startswith(SQLITE_UNAVAILABLE)
    return any(cls.__name__ in ("OperationalError", "InterfaceError") for cls in type(err).__mro__)


class _OutageLog:
    """One warning when a dependency becomes unreachable, then one per interval with how many requests it
    refused meanwhile: an outage under load must not write a traceback per request."""

    def __init__(self, interval: float = OUTAGE_LOG_INTERVAL):
        self.interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._refused: dict[str, int] = {}

    def record(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._refused[what] = self._refused.get(what, 0) + 1
            last = self._last.get(what)
            if last is not None and now - last < self.interval:
                return
            refused, self._refused[what] = self._refused[what], 0
            self._last[what] = now
        first_line = (str(exc).splitlines() or [""])[0][:300]
        log.warning(  # no traceback: the cause is outside this program, and its first line names it
            "%s unavailable: answering 503",
            what,
            extra={
                "dependency": what,
                "error": f"{type(exc).__name__}: {first_line}",
                "refused_since_last_warning": refused,
                "route": route_of_request(),
                "request_id": getattr(g, "request_id", None),
            },
        )


def route_of_request() -> str:
    """The matched route's rule (`/api/roster/calendar-feeds/<token>.ics`), not the path: a path may carry a
    secret (a calendar feed's token) that has no place in a log."""
    rule = request.url_rule
    return f"{request.method} {rule.rule}" if rule is not None else f"{request.method} (no route)"


def register_error_handlers(app: Flask) -> None:
    """Make every error of this app a problem+json response."""
    outages = _OutageLog()

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Response:
        return problem_response(
            exc.status,
            exc.detail,
            title=exc.title,
            type_=exc.type,
            errors=exc.errors,
            headers=exc.headers,
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
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if status == 413 and limit:
            detail = f"the request body is larger than the {limit / 2**20:g} MB this service accepts"
        return problem_response(status, str(detail), headers=headers)

    @app.errorhandler(Exception)
    def _uncaught(exc: Exception) -> Response:
        what = unavailable_dependency(exc)
        if what is not None:
            outages.record(what, exc)
            return problem_response(
                503,
                f"the service's {what} is unreachable right now; try again in a few seconds",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        log.exception(
            "unhandled error",
            extra={"route": route_of_request(), "request_id": getattr(g, "request_id", None)},
        )
        return problem_response(500, "an unexpected error occurred; the request id identifies it in the logs")


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {'; '.join(msgs)}" for field, msgs in errors.items()]
    return "; ".join(parts)[:1000] or "invalid fields"
