"""Users, their roles and passwords, and logging in: the gateway's use cases.

Each function takes the caller's session, changes nothing it does not say, never commits, and returns plain
data. Anything that must end a user's sessions (disabling, a new password, a new role or lawyer) bumps
`token_version`: tokens carry the version they were issued under, and older ones are refused.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.auth import ROLES
from services.common.http import Problem
from services.gateway import passwords
from services.gateway.adapters.orm import LawyerEntry, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256


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
        id=user.id, username=user.username, role=user.role, lawyer_id=user.lawyer_id,
        disabled=bool(user.disabled), created_at=_utc(user.created_at), updated_at=_utc(user.updated_at),
    )


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_password(password: str, field: str = "password") -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Problem(
            422, f"{field}: must be {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            errors={field: [f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"]},
        )


def _check_link(session: Session, *, role: str, lawyer_id: str | None) -> None:
    """A lawyer user names a roster lawyer (known to the directory, once it knows any); staff name none."""
    if role not in ROLES:
        raise Problem(422, f"role: must be one of {', '.join(ROLES)}", errors={"role": [f"must be one of {ROLES}"]})
    if role == "lawyer":
        if not lawyer_id:
            raise Problem(422, "lawyer_id: a lawyer user must name their roster lawyer",
                          errors={"lawyer_id": ["required for the lawyer role"]})
        directory_known = session.scalar(select(LawyerEntry.id).limit(1)) is not None
        if directory_known and session.get(LawyerEntry, lawyer_id) is None:
            raise Problem(422, f"lawyer_id: no lawyer {lawyer_id} in the roster",
                          errors={"lawyer_id": ["no such lawyer in the roster"]})
    elif lawyer_id:
        raise Problem(422, "lawyer_id: only a lawyer user is linked to a roster lawyer",
                      errors={"lawyer_id": [f"must be empty for the {role} role"]})


def _flush_unique(session: Session, *, username: str, lawyer_id: str | None) -> None:
    """Flush, turning a unique-key collision into a 409 that names the field."""
    try:
        session.flush()
    except IntegrityError as exc:
        message = str(exc.orig).lower()
        if "lawyer_id" in message:
            raise Problem(409, f"lawyer {lawyer_id} already has a user",
                          errors={"lawyer_id": ["already linked to another user"]}) from exc
        raise Problem(409, f"the username {username!r} is taken", errors={"username": ["already taken"]}) from exc


def create_user(
    session: Session, *, username: str, password: str, role: str, lawyer_id: str | None = None
) -> UserView:
    """Add a user with a hashed password."""
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise Problem(422, "username: 2 to 100 letters, digits or . _ @ -",
                      errors={"username": ["2 to 100 letters, digits or . _ @ -, starting with a letter or digit"]})
    _check_password(password)
    _check_link(session, role=role, lawyer_id=lawyer_id or None)
    now = datetime.now(UTC)
    user = User(
        id=str(uuid.uuid4()), username=username, password_hash=passwords.hash_password(password), role=role,
        lawyer_id=lawyer_id or None, disabled=False, token_version=1, created_at=now, updated_at=now,
    )
    session.add(user)
    _flush_unique(session, username=username, lawyer_id=user.lawyer_id)
    return _view(user)


def _load(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise Problem(404, "no such user")
    return user


def get_user(session: Session, *, user_id: str) -> UserView:
    """One user."""
    return _view(_load(session, user_id))


def list_users(
    session: Session, *, limit: int, offset: int, role: str | None = None, disabled: bool | None = None,
    username: str | None = None,
) -> tuple[list[UserView], int]:
    """Users by username, a page of them, and how many match."""
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if disabled is not None:
        query = query.where(User.disabled == disabled)
    if username:
        query = query.where(User.username.contains(normalise_username(username), autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = session.scalars(query.order_by(User.username).limit(limit).offset(offset)).all()
    return [_view(u) for u in users], total


def _other_active_admins(session: Session, user_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.disabled.is_(False), User.id != user_id)
    ) or 0


def _revoke(user: User) -> None:
    user.token_version = (user.token_version or 0) + 1
    user.updated_at = datetime.now(UTC)


def disable_user(session: Session, *, user_id: str) -> UserView:
    """Disable a user: they cannot log in, and their tokens stop working at once."""
    user = _load(session, user_id)
    if user.role == "admin" and not user.disabled and not _other_active_admins(session, user.id):
        raise Problem(409, "the last active administrator cannot be disabled")
    if not user.disabled:
        user.disabled = True
        _revoke(user)
    return _view(user)


def enable_user(session: Session, *, user_id: str) -> UserView:
    """Let a disabled user log in again (their old tokens stay revoked)."""
    user = _load(session, user_id)
    if user.disabled:
        user.disabled = False
        user.updated_at = datetime.now(UTC)
    return _view(user)


def change_password(
    session: Session, *, user_id: str, password: str, old_password: str | None, by_admin: bool
) -> UserView:
    """Set a new password; users changing their own give the old one. Every existing token is revoked."""
    user = _load(session, user_id)
    if not by_admin:
        if not old_password or not passwords.verify_password(user.password_hash, old_password):
            raise Problem(403, "the old password is wrong", errors={"old_password": ["does not match"]})
    _check_password(password)
    user.password_hash = passwords.hash_password(password)
    _revoke(user)
    return _view(user)


def change_role(session: Session, *, user_id: str, role: str | None, lawyer_id: str | None,
                lawyer_id_given: bool) -> UserView:
    """Give a user another role (and lawyer link); their tokens are revoked so the new role applies now."""
    user = _load(session, user_id)
    new_role = role or user.role
    new_lawyer = (lawyer_id or None) if lawyer_id_given else (user.lawyer_id if new_role == "lawyer" else None)
    if new_role == user.role and new_lawyer == user.lawyer_id:
        return _view(user)
    if user.role == "admin" and new_role != "admin" and not user.disabled and not _other_active_admins(session, user.id):
        raise Problem(409, "the last active administrator cannot lose the admin role")
    _check_link(session, role=new_role, lawyer_id=new_lawyer)
    user.role, user.lawyer_id = new_role, new_lawyer
    _revoke(user)
    _flush_unique(session, username=user.username, lawyer_id=new_lawyer)
    return _view(user)


@dataclass(frozen=True)
class LoginUser:
    id: str
    role: str
    lawyer_id: str | None
    token_version: int
    password_hash: str
    disabled: bool


def find_login(session: Session, *, username: str) -> LoginUser | None:
    """The user who would log in under `username`, with what checking the password needs."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        return None
    return LoginUser(user.id, user.role, user.lawyer_id, user.token_version, user.password_hash, bool(user.disabled))


def rehash_password(session: Session, *, user_id: str, password: str) -> None:
    """Store the password again with today's hashing parameters."""
    user = session.get(User, user_id)
    if user is not None:
        user.password_hash = passwords.hash_password(password)
