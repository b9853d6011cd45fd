"""Glue between the roster use cases and HTTP: units of work per request, ETags, error mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.http import problem_response
from services.common.web import runtime
from services.roster.service.errors import RosterError


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    with UnitOfWork(runtime().session_factory, producer="roster", correlation_id=g.get("request_id")) as uow:
        yield uow


@contextmanager
def read_session() -> Iterator[Session]:
    with runtime().read_factory() as session:
        try:
            yield session
        finally:
            session.rollback()


def etag(version: int) -> str:
    return f'"{version}"'


def if_match() -> int | None:
    """The version the client based its change on (If-Match: "3"), or None when it sent none."""
    raw = request.headers.get("If-Match")
    if not raw or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        return -1  # matches no version: 412


def with_etag(body: dict[str, Any], status: int = 200) -> tuple[dict[str, Any], int, dict[str, str]]:
    return body, status, {"ETag": etag(body["version"])}


def register_roster_errors(app: Flask) -> None:
    @app.errorhandler(RosterError)
    def _roster_error(exc: RosterError) -> Response:
        return problem_response(exc.status, exc.detail, errors=exc.errors, extra=dict(exc.extra) or None)
