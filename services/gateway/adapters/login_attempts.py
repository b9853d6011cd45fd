"""Login attempts in the database (so every gunicorn worker counts the same ones)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.gateway.adapters.orm import LoginAttempt


def recent_attempts(session: Session, *, key: str, since: datetime, limit: int) -> Sequence[datetime]:
    """When `key` tried, newest first, at most `limit` attempts after `since`."""
    return session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()


def record_attempt(session: Session, *, keys: list[str], now: datetime, window: timedelta) -> list[int]:
    """Record one attempt under each key (and forget attempts older than the window); returns row ids."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - window))
    rows = [LoginAttempt(key=key, at=now) for key in keys]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def forgive(session: Session, *, username_key: str, attempt_ids: list[int]) -> None:
    """A successful login: clear the username's count and take this attempt back."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == username_key))
    if attempt_ids:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(attempt_ids)))
