"""Logging in, and knowing on every request who is calling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, g, request
from sqlalchemy.orm import Session, sessionmaker

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.common.http import Problem
from services.gateway import accounts, passwords
from services.gateway.adapters.reads import user_state
from services.gateway.state import gateway
from services.gateway.throttle import (
    ThrottlePolicy,
    client_key,
    count_attempt,
    forgive,
    retry_after,
    user_key,
)
from services.gateway.tokens import bearer_token, issue_token, unauthorized


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    token_type: str
    expires_in: int


def log_in(
    *, session_factory: sessionmaker[Session], username: str, password: str, client: str, policy: ThrottlePolicy,
    secret: str, ttl: int, now: datetime | None = None,
) -> IssuedToken:
    """Check a username and password (throttled per username and per client) and issue a token."""
    now = now or datetime.now(UTC)
    ukey, ckey = user_key(username), client_key(client)
    with UnitOfWork(session_factory, producer="gateway") as uow:
        wait = retry_after(uow.session, keys={ukey: policy.per_username, ckey: policy.per_client},
                           window=policy.window, now=now)
        if wait:
            raise Problem(429, f"too many login attempts; try again in {wait} seconds",
                          headers={"Retry-After": str(wait)})
        attempt_ids = count_attempt(uow.session, keys=[ukey, ckey], now=now, window=policy.window)
        user = accounts.find_login(uow.session, username=username)
        uow.commit()
    # argon2 takes tens of milliseconds: never inside a transaction (on SQLite it would hold the write lock)
    matches = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if user is None or not matches or user.disabled:
        raise unauthorized("wrong username or password", error="")
    with UnitOfWork(session_factory, producer="gateway") as uow:
        forgive(uow.session, username_key=ukey, attempt_ids=attempt_ids)
        if passwords.needs_rehash(user.password_hash):
            accounts.rehash_password(uow.session, user_id=user.id, password=password)
        uow.commit()
    token = issue_token(user_id=user.id, role=user.role, lawyer_id=user.lawyer_id, version=user.token_version,
                        secret=secret, ttl=ttl)
    return IssuedToken(access_token=token, token_type="Bearer", expires_in=ttl)


def authenticate(app: Flask) -> None:
    """The gateway's check of every non-public request: a valid token of a user it still holds for."""
    state = gateway(app)
    claims = state.tokens.verify(bearer_token(request.headers.get("Authorization")))
    user = user_state(state.reader, claims.user_id)
    if user is None or user.disabled or user.token_version != claims.version:
        raise unauthorized("the token has been revoked; log in again")
    g.identity = Identity(user_id=user.user_id, username=user.username, role=user.role, lawyer_id=user.lawyer_id)
