"""The database work of one request: a unit of work for a change (committed by the view, with its
events), or a read-only session for a query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.web import runtime

PRODUCER = "roster"


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    with UnitOfWork(runtime().session_factory, producer=PRODUCER, correlation_id=g.get("request_id")) as uow:
        yield uow


@contextmanager
def read_session() -> Iterator[Session]:
    with runtime().read_factory() as session:
        try:
            yield session
        finally:
            session.rollback()
