"""A lawyer's secret calendar address: phones subscribe to a URL and send no Authorization header, so the
address itself is the credential. Its token is 32 random bytes (URL-safe base64); only its SHA-256 is
stored, so the database never holds a usable address. One link per lawyer: a new one replaces the old, and
revoking it (a lost phone) makes the old address unknown (NotFound), like any token never issued."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.roster.adapters.orm import CalendarLinkRow, LawyerRow
from services.roster.service.errors import NotFound
from services.roster.service.rows import now

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100  # anything longer was never issued: refused before hashing


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(*, uow: UnitOfWork, lawyer_id: str) -> str:
    """A new secret token for the lawyer's feed (the old one, if any, stops working)."""
    if uow.session.get(LawyerRow, lawyer_id) is None:
        raise NotFound(f"no lawyer {lawyer_id}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    uow.session.execute(delete(CalendarLinkRow).where(CalendarLinkRow.lawyer_id == lawyer_id))
    uow.session.add(CalendarLinkRow(lawyer_id=lawyer_id, token_hash=token_hash(token), created_at=now()))
    uow.session.flush()
    return token


def revoke_link(*, uow: UnitOfWork, lawyer_id: str) -> None:
    """The lawyer's link stops working (nothing happens when there is none)."""
    uow.session.execute(delete(CalendarLinkRow).where(CalendarLinkRow.lawyer_id == lawyer_id))


def lawyer_of_token(*, session: Session, token: str) -> str:
    """The lawyer whose link this token is; NotFound for a revoked, replaced or never issued one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound("no such calendar")
    lawyer_id = session.scalar(
        select(CalendarLinkRow.lawyer_id).where(CalendarLinkRow.token_hash == token_hash(token))
    )
    if lawyer_id is None:
        raise NotFound("no such calendar")
    return lawyer_id
