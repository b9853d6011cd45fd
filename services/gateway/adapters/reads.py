"""The reads the gateway makes on every request, kept off the write lock.

On SQLite the shared engine begins every transaction with BEGIN IMMEDIATE, which takes the database's
write lock: fine for writes, but checking the caller's user row on every request that way would queue all
requests on one lock (and on SQLite's busy handler, which sleeps). In WAL mode a plain reader never waits
for a writer, so the gateway reads through a second, query-only engine. On PostgreSQL it is the same engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, event, select
from sqlalchemy.engine import make_url

from services.common.db import SQLITE_BUSY_TIMEOUT_MS, normalise_url
from services.gateway.adapters.orm import User


def make_read_engine(url: str, engine: Engine) -> Engine:
    """A query-only engine for per-request reads (SQLite file); `engine` itself otherwise."""
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return engine
    reader = create_engine(
        parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit: each SELECT is its own read transaction
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return reader


@dataclass(frozen=True)
class UserState:
    """What decides whether a user's token still holds, and who they are."""

    user_id: str
    username: str
    role: str
    lawyer_id: str | None
    disabled: bool
    token_version: int


_QUERY = select(
    User.id, User.username, User.role, User.lawyer_id, User.disabled, User.token_version
).where(User.id == bindparam("user_id"))


def user_state(reader: Engine, user_id: str) -> UserState | None:
    """The user's current state, in one primary-key read."""
    with reader.connect() as conn:
        row = conn.execute(_QUERY, {"user_id": user_id}).first()
    if row is None:
        return None
    return UserState(
        user_id=row.id, username=row.username, role=row.role, lawyer_id=row.lawyer_id,
        disabled=bool(row.disabled), token_version=int(row.token_version),
    )
