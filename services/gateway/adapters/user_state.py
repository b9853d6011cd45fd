"""The read the gateway makes on every request: the caller's user row, kept off the write lock.

It goes through `services.common.db.read_only(engine)`: the same engine and pool, with transactions that
begin as plain BEGIN on SQLite (in WAL mode a reader never waits for a writer) and READ ONLY on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, select

from services.gateway.adapters.orm import User
from services.gateway.domain.accounts import UserState

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
