"""Calls of the services' public operations (no token: a phone fetching its calendar feed), counted per
client address in the database like login attempts, so every worker sees the same count."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from services.common.db import UnitOfWork
from services.gateway.adapters import login_attempts
from services.gateway.domain.errors import TooManyAttempts
from services.gateway.domain.throttling import ThrottlePolicy, public_client_key, seconds_to_wait

PRODUCER = "gateway"


def count_public_call(
    *,
    session_factory: sessionmaker[Session],
    client: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> None:
    """Count one public call from `client`; TooManyAttempts (not counted) when it is over its limit."""
    now = now or datetime.now(UTC)
    key, limit = public_client_key(client), policy.per_client_public
    with UnitOfWork(session_factory, producer=PRODUCER) as uow:
        recent = login_attempts.recent_attempts(uow.session, key=key, since=now - policy.window, limit=limit)
        wait = seconds_to_wait(recent, limit=limit, window=policy.window, now=now)
        if wait:
            raise TooManyAttempts(wait, what="requests from this address")
        login_attempts.record_attempt(uow.session, keys=[key], now=now, window=policy.window)
        uow.commit()
