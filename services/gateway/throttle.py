"""Login throttling per username and per client address, in the database so every worker sees it.

An attempt is counted *before* its password is checked (so a burst of parallel guesses cannot all slip
through before the first failure is written); a successful login takes its own attempt back and clears the
username's count. Throttled attempts are not counted, so waiting `Retry-After` seconds always helps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.gateway.adapters.orm import LoginAttempt


@dataclass(frozen=True)
class ThrottlePolicy:
    per_username: int = 5  # attempts per window for one username
    per_client: int = 20  # attempts per window from one address
    window: timedelta = timedelta(minutes=15)


def user_key(username: str) -> str:
    return f"user:{username.lower()[:180]}"


def client_key(client: str) -> str:
    return f"client:{client[:180]}"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def retry_after(session: Session, *, keys: dict[str, int], window: timedelta, now: datetime) -> int:
    """Seconds until every key is under its limit again (0: not throttled)."""
    wait = 0.0
    for key, limit in keys.items():
        recent = session.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.key == key, LoginAttempt.at > now - window)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            # the limit-th most recent attempt must leave the window before another is allowed
            wait = max(wait, (_utc(recent[-1]) + window - now).total_seconds())
    return max(1, int(wait) + 1) if wait > 0 else 0


def count_attempt(session: Session, *, keys: list[str], now: datetime, window: timedelta) -> list[int]:
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
