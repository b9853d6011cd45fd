"""Users, their roles and passwords: the administrator's use cases (and a user's own password).

Writes take the request's unit of work and never commit; anything that must end a user's sessions bumps
their `token_version` (domain.accounts). A lawyer user's `lawyer_id` is confirmed with the directory, or
the roster itself, *before* the unit's transaction begins (see service.directory.DirectoryThenRoster).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.gateway.adapters import users
from services.gateway.adapters.orm import User
from services.gateway.domain import passwords
from services.gateway.domain.accounts import (
    check_admin_remains,
    check_role_link,
    check_username,
    next_token_version,
    normalise_username,
)
from services.gateway.domain.errors import Conflict, Forbidden, NotFound
from services.gateway.service.directory import LawyerLookup, keep_lawyer


@dataclass(frozen=True)
class UserView:
    id: str
    username: str
    role: str
    lawyer_id: str | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _view(user: User) -> UserView:
    return UserView(
        id=user.id,
        username=user.username,
        role=user.role,
        lawyer_id=user.lawyer_id,
        disabled=bool(user.disabled),
        created_at=_utc(user.created_at),
        updated_at=_utc(user.updated_at),
    )


def _load(session: Session, user_id: str) -> User:
    user = users.user_row(session, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def _flush_unique(session: Session, *, username: str, lawyer_id: str | None) -> None:
    try:
        users.flush_unique(session)
    except users.Taken as exc:
        if exc.field == "lawyer_id":
            raise Conflict(
                f"lawyer {lawyer_id} already has a user",
                errors={"lawyer_id": ["already linked to another user"]},
            ) from exc
        raise Conflict(f"the username {username!r} is taken", errors={"username": ["already taken"]}) from exc


def _revoke(user: User) -> None:
    user.token_version = next_token_version(user.token_version)
    user.updated_at = datetime.now(UTC)


def create_user(
    uow: UnitOfWork,
    *,
    lawyers: LawyerLookup,
    username: str,
    password: str,
    role: str,
    lawyer_id: str | None = None,
) -> UserView:
    """Add a user with a hashed password (a lawyer user names a lawyer the roster knows)."""
    username = normalise_username(username)
    lawyer_id = lawyer_id or None
    check_username(username)
    passwords.check_password(password)
    check_role_link(role=role, lawyer_id=lawyer_id)
    card = lawyers.confirm(lawyer_id) if lawyer_id else None  # before the transaction: may ask the roster
    password_hash = passwords.hash_password(password)  # argon2 takes tens of ms: not inside the transaction
    session = uow.session
    if card is not None:
        keep_lawyer(session, lawyer_card=card)
    now = datetime.now(UTC)
    user = User(
        id=str(uuid.uuid4()),
        username=username,
        password_hash=password_hash,
        role=role,
        lawyer_id=lawyer_id,
        disabled=False,
        token_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    _flush_unique(session, username=username, lawyer_id=lawyer_id)
    return _view(user)


def get_user(session: Session, *, user_id: str) -> UserView:
    """One user."""
    return _view(_load(session, user_id))


def list_users(
    session: Session,
    *,
    limit: int,
    offset: int,
    role: str | None = None,
    disabled: bool | None = None,
    username: str | None = None,
) -> dict[str, Any]:
    """Users by username, a page of them, and how many match."""
    return users.users_page(
        session,
        view=_view,
        limit=limit,
        offset=offset,
        role=role,
        disabled=disabled,
        username_part=normalise_username(username) if username else None,
    )


def disable_user(uow: UnitOfWork, *, user_id: str) -> UserView:
    """Disable a user: they cannot log in, and their tokens stop working at once."""
    user = _load(uow.session, user_id)
    check_admin_remains(
        role=user.role,
        disabled=bool(user.disabled),
        new_role=user.role,
        new_disabled=True,
        other_active_admins=users.other_active_admins(uow.session, user.id),
    )
    if not user.disabled:
        user.disabled = True
        _revoke(user)
    return _view(user)


def enable_user(uow: UnitOfWork, *, user_id: str) -> UserView:
    """Let a disabled user log in again (their old tokens stay revoked)."""
    user = _load(uow.session, user_id)
    if user.disabled:
        user.disabled = False
        user.updated_at = datetime.now(UTC)
    return _view(user)


def change_password(
    uow: UnitOfWork, *, user_id: str, password: str, old_password: str | None, by_admin: bool
) -> UserView:
    """Set a new password; users changing their own give the old one. Every existing token is revoked."""
    user = _load(uow.session, user_id)
    if not by_admin and (not old_password or not passwords.verify_password(user.password_hash, old_password)):
        raise Forbidden("the old password is wrong", errors={"old_password": ["does not match"]})
    passwords.check_password(password)
    user.password_hash = passwords.hash_password(password)
    _revoke(user)
    return _view(user)


def change_role(
    uow: UnitOfWork,
    *,
    lawyers: LawyerLookup,
    user_id: str,
    role: str | None,
    lawyer_id: str | None,
    lawyer_id_given: bool,
) -> UserView:
    """Give a user another role (and lawyer link); their tokens are revoked so the new role applies now."""
    card = None
    if lawyer_id_given and lawyer_id:
        if role is not None:
            check_role_link(role=role, lawyer_id=lawyer_id)
        card = lawyers.confirm(lawyer_id)  # before the transaction: may ask the roster
    user = _load(uow.session, user_id)
    new_role = role or user.role
    new_lawyer = (
        (lawyer_id or None) if lawyer_id_given else (user.lawyer_id if new_role == "lawyer" else None)
    )
    if new_role == user.role and new_lawyer == user.lawyer_id:
        return _view(user)
    check_admin_remains(
        role=user.role,
        disabled=bool(user.disabled),
        new_role=new_role,
        new_disabled=bool(user.disabled),
        other_active_admins=users.other_active_admins(uow.session, user.id),
    )
    check_role_link(role=new_role, lawyer_id=new_lawyer)
    if card is not None:
        keep_lawyer(uow.session, lawyer_card=card)
    user.role, user.lawyer_id = new_role, new_lawyer
    _revoke(user)
    _flush_unique(uow.session, username=user.username, lawyer_id=new_lawyer)
    return _view(user)
