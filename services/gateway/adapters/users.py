"""The users table: what the account use cases read and write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.paging import page
from services.gateway.adapters.orm import User


class Taken(Exception):
    """A unique key collided: `field` is `username` or `lawyer_id`."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def user_row(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def other_active_admins(session: Session, user_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.disabled.is_(False), User.id != user_id)
        )
        or 0
    )


def active_user_ids(session: Session, role: str) -> list[str]:
    """The ids of the users of a role who may still log in."""
    return list(
        session.scalars(select(User.id).where(User.role == role, User.disabled.is_(False)).order_by(User.id))
    )


def users_page(
    session: Session,
    *,
    view: Any,
    limit: int,
    offset: int,
    role: str | None = None,
    disabled: bool | None = None,
    username_part: str | None = None,
) -> dict[str, Any]:
    """Users by username, filtered: `{items, total}`."""
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if disabled is not None:
        query = query.where(User.disabled == disabled)
    if username_part:
        query = query.where(User.username.contains(username_part, autoescape=True))
    return page(session, query, order_by=[User.username], limit=limit, offset=offset, view=view)


def flush_unique(session: Session) -> None:
    """Flush; a unique-key collision becomes `Taken` naming the field."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Taken("lawyer_id" if "lawyer_id" in str(exc.orig).lower() else "username") from exc
