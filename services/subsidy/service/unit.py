"""What a use case needs from its caller: a session in an open transaction and a way to emit events.

`UnitOfWork` (a request) has both; a consumer's handler only gets a session, so `SessionUnit` wraps it.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from services.common.outbox import add_event

PRODUCER = "subsidy"


class Unit(Protocol):
    session: Session

    def emit(self, event_type: str, data: dict[str, Any]) -> str: ...


class SessionUnit:
    """A consumer's transaction seen as a unit of work (it never commits: the consumer does)."""

    def __init__(self, session: Session, *, correlation_id: str | None = None) -> None:
        self.session = session
        self.correlation_id = correlation_id

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        return add_event(self.session, event_type, data, producer=PRODUCER, correlation_id=self.correlation_id)


def dialect(unit: Unit) -> str:
    return unit.session.get_bind().dialect.name


def lock(unit: Unit, *parts: str) -> None:
    """Serialise writers that must not race on a key (PostgreSQL advisory lock, released at commit).

    SQLite needs nothing: its write transactions begin IMMEDIATE and so run one at a time."""
    if dialect(unit) != "postgresql":
        return
    import hashlib

    from sqlalchemy import text

    key = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big", signed=True)
    unit.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
