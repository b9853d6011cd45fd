"""What one gateway process holds besides the shared runtime (services.common.web.Runtime): the read-only
engine, the backends' HTTP clients, the route table, the spec cache, the login policy, the token verifier
and the lawyer lookup. Built once by create_app; views reach it through `collaborators()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.common.settings import Settings
from services.gateway.domain.throttling import ThrottlePolicy
from services.gateway.openapi import SpecCache
from services.gateway.proxy import Backends
from services.gateway.routes import RouteTable
from services.gateway.service.directory import LawyerLookup
from services.gateway.tokens import VerifiedTokens

EXTENSION = "gateway"


@dataclass
class Collaborators:
    settings: Settings
    reader: Engine
    backends: Backends
    routes: RouteTable
    specs: SpecCache
    throttle: ThrottlePolicy
    token_ttl: int
    tokens: VerifiedTokens
    lawyers: LawyerLookup


def collaborators(app: Flask | None = None) -> Collaborators:
    return (app or current_app).extensions[EXTENSION]


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads only, on the reader engine (never waits for SQLite's write lock)."""
    with Session(collaborators().reader, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
