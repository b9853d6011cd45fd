"""Logging in (throttled per username and per client address), and knowing on every request who calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.gateway.adapters import login_attempts, users
from services.gateway.adapters.user_state import user_state
from services.gateway.domain import passwords
from services.gateway.domain.accounts import normalise_username, token_holds
from services.gateway.domain.errors import TooManyAttempts, WrongCredentials
from services.gateway.domain.throttling import ThrottlePolicy, client_key, seconds_to_wait, user_key
from services.gateway.tokens import issue_token

PRODUCER = "gateway"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    token_type: str
    expires_in: int


@dataclass(frozen=True)
class LoginUser:
    id: str
    role: str
    lawyer_id: str | None
    token_version: int
    password_hash: str
    disabled: bool


def _find_login(session: Session, username: str) -> LoginUser | None:
    user = users.user_by_username(session, normalise_username(username))
    if user is None:
        return None
    return LoginUser(
        user.id, user.role, user.lawyer_id, user.token_version, user.password_hash, bool(user.disabled)
    )


def check_credentials(
    *,
    session_factory: sessionmaker[Session],
    username: str,
    password: str,
    client: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> LoginUser:
    """The user a username and password name; TooManyAttempts or WrongCredentials otherwise."""
    now = now or datetime.now(UTC)
    ukey, ckey = user_key(username), client_key(client)
    with UnitOfWork(session_factory, producer=PRODUCER) as uow:
        since = now - policy.window
        wait = max(
            seconds_to_wait(
                login_attempts.recent_attempts(uow.session, key=key, since=since, limit=limit),
                limit=limit,
                window=policy.window,
                now=now,
            )
            for key, limit in policy.limits(username_key=ukey, client_key=ckey).items()
        )
        if wait:
            raise TooManyAttempts(wait)
        attempt_ids = login_attempts.record_attempt(
            uow.session, keys=[ukey, ckey], now=now, window=policy.window
        )
        user = _find_login(uow.session, username)
        uow.commit()
    # argon2 takes tens of milliseconds: never inside a transaction (on SQLite it would hold the write lock)
    matches = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if user is None or not matches or user.disabled:
        raise WrongCredentials("wrong username or password")
    with UnitOfWork(session_factory, producer=PRODUCER) as uow:
        login_attempts.forgive(uow.session, username_key=ukey, attempt_ids=attempt_ids)
        if passwords.needs_rehash(user.password_hash):
            row = users.user_row(uow.session, user.id)
            if row is not None:
                row.password_hash = passwords.hash_password(password)
        uow.commit()
    return user


def log_in(
    *,
    session_factory: sessionmaker[Session],
    username: str,
    password: str,
    client: str,
    policy: ThrottlePolicy,
    secret: str,
    ttl: int,
    now: datetime | None = None,
) -> IssuedToken:
    """Check a username and password (throttled per username and per client) and issue a token."""
    user = check_credentials(
        session_factory=session_factory,
        username=username,
        password=password,
        client=client,
        policy=policy,
        now=now,
    )
    token = issue_token(
        user_id=user.id,
        role=user.role,
        lawyer_id=user.lawyer_id,
        version=user.token_version,
        secret=secret,
        ttl=ttl,
    )
    return IssuedToken(access_token=token, token_type="Bearer", expires_in=ttl)


def caller(reader: Engine, *, user_id: str, token_version: int) -> Identity | None:
    """Who a verified token speaks for, from the user's current row; None when it no longer holds."""
    user = user_state(reader, user_id)
    if user is None or not token_holds(user, version=token_version):
        return None
    return Identity(user_id=user.user_id, username=user.username, role=user.role, lawyer_id=user.lawyer_id)
