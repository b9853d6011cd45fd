"""What a use case needs from its caller: a session in an open transaction and a way to emit events.

`UnitOfWork` (a request) has both; a consumer's handler only gets a session, so `SessionUnit` wraps it.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from services.common.outbox import add_event
from services.subsidy.adapters.orm import outbox

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
        return add_event(
            self.session, outbox, event_type, data, producer=PRODUCER, correlation_id=self.correlation_id
        )


def dialect(unit: Unit) -> str:
    return unit.session.get_bind().dialect.name


def insert_or_nothing(unit: Unit, table: Any) -> Any:
    """INSERT .. ON CONFLICT DO NOTHING for the session's database (PostgreSQL or SQLite)."""
    name = dialect(unit)
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table).on_conflict_do_nothing()
    raise RuntimeError(f"unsupported database {name}")  # pragma: no cover - the project runs on these two
