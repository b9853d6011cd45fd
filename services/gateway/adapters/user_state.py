"""The read the gateway makes on every request: the caller's user row, kept off the write lock.

It goes through `services.common.db.read_only(engine)`: the same engine and pool; the read is one SELECT on
a pooled driver connection (see `user_state`), which on SQLite in WAL mode never waits for a writer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import DBAPIError

from services.gateway.adapters.orm import User
from services.gateway.domain.accounts import UserState

_QUERY = select(User.id, User.username, User.role, User.lawyer_id, User.disabled, User.token_version).where(
    User.id == bindparam("user_id")
)
_COMPILED: dict[tuple[str, str], tuple[str, bool]] = {}


def _sql(reader: Engine) -> tuple[str, bool]:
    """The query's SQL in the reader's dialect, compiled once, and whether its parameters are positional."""
    key = (reader.dialect.name, reader.dialect.paramstyle)
    compiled = _COMPILED.get(key)
    if compiled is None:
        statement = _QUERY.compile(dialect=reader.dialect)
        compiled = _COMPILED[key] = (str(statement), bool(statement.positional))
    return compiled


def user_state(reader: Engine, user_id: str) -> UserState | None:
    """The user's current state, in one primary-key read.

    It runs on every request, so it goes straight to a pooled driver connection with SQL compiled once: one
    SELECT is its own consistent read (on SQLite the connection is in autocommit, so no write lock is ever
    taken), and driver errors come out as SQLAlchemy's (a dropped connection is invalidated in the pool)."""
    sql, positional = _sql(reader)
    params: Any = (user_id,) if positional else {"user_id": user_id}
    dbapi_error = reader.dialect.loaded_dbapi.Error
    try:
        connection = reader.raw_connection()
    except dbapi_error as exc:
        dropped = reader.dialect.is_disconnect(exc, None, None)
        raise DBAPIError.instance(sql, params, exc, dbapi_error, connection_invalidated=dropped) from exc
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except dbapi_error as exc:
        dropped = reader.dialect.is_disconnect(exc, connection.dbapi_connection, None)
        if dropped:
            connection.invalidate(exc)
        raise DBAPIError.instance(sql, params, exc, dbapi_error, connection_invalidated=dropped) from exc
    finally:
        connection.close()
    if row is None:
        return None
    user_id_, username, role, lawyer_id, disabled, token_version = row
    return UserState(
        user_id=user_id_,
        username=username,
        role=role,
        lawyer_id=lawyer_id,
        disabled=bool(disabled),
        token_version=int(token_version),
    )
