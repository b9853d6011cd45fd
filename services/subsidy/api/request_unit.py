"""The unit of work of a request: the service's session factory, its events correlated with the request id."""

from __future__ import annotations

from flask import g

from services.common.db import UnitOfWork
from services.common.web import runtime
from services.subsidy.service.unit_of_work import PRODUCER


def unit_of_work() -> UnitOfWork:
    return UnitOfWork(runtime().session_factory, producer=PRODUCER, correlation_id=g.get("request_id"))
