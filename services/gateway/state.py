"""What one gateway process holds besides the shared runtime: its reader, backends, route table, policies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.common.settings import Settings
from services.gateway.openapi import SpecCache
from services.gateway.proxy import Backends
from services.gateway.routes import RouteTable
from services.gateway.throttle import ThrottlePolicy
from services.gateway.tokens import VerifiedTokens


@dataclass
class Gateway:
    settings: Settings
    reader: Engine
    backends: Backends
    routes: RouteTable
    specs: SpecCache
    throttle: ThrottlePolicy
    token_ttl: int
    tokens: VerifiedTokens


def gateway(app: Flask | None = None) -> Gateway:
    return (app or current_app).extensions["gateway"]


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads only, on the reader engine (never waits for SQLite's write lock)."""
    with Session(gateway().reader, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
