"""What one gateway process holds besides the shared runtime: its reader, backends, route table, policies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.common.settings import Settings, SettingsError
from services.gateway.openapi import SpecCache
from services.gateway.proxy import Backends
from services.gateway.routes import RouteTable
from services.gateway.throttle import ThrottlePolicy
from services.gateway.tokens import VerifiedTokens

MIN_SECRET_BYTES = 32


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


def check_secrets(settings: Settings) -> None:
    """In production both signing secrets are at least 32 bytes, and different; SettingsError otherwise."""
    if not settings.production:
        return
    for name, value in (("LEGALDUTY_JWT_SECRET", settings.jwt_secret),
                        ("LEGALDUTY_INTERNAL_SECRET", settings.internal_secret)):
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"{name} must be set to at least {MIN_SECRET_BYTES} bytes in production")
    if settings.jwt_secret == settings.internal_secret:
        raise SettingsError("LEGALDUTY_JWT_SECRET and LEGALDUTY_INTERNAL_SECRET must differ in production")
