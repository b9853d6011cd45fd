"""The lawyer_directory table: the gateway's copy of roster lawyers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.gateway.adapters.orm import LawyerEntry
from services.gateway.domain.directory import LawyerCard, replaces


def entry(session: Session, lawyer_id: str) -> LawyerEntry | None:
    return session.get(LawyerEntry, lawyer_id)


def knows(reader: Engine, lawyer_id: str) -> bool:
    """Whether the directory holds the lawyer (one primary-key read on the read-only engine)."""
    with reader.connect() as conn:
        return conn.execute(select(LawyerEntry.id).where(LawyerEntry.id == lawyer_id)).first() is not None


def keep(session: Session, card: LawyerCard) -> bool:
    """Store the card unless the stored copy wins (domain.directory.replaces); True when stored."""
    stored = session.get(LawyerEntry, card.id)
    if not replaces(
        stored=stored is not None, stored_at=stored.source_at if stored else None, incoming_at=card.source_at
    ):
        return False
    row = stored or LawyerEntry(id=card.id)
    row.name, row.status, row.region_code = card.name, card.status, card.region_code
    row.profile = card.profile
    row.source_at = card.source_at
    row.updated_at = datetime.now(UTC)
    if stored is None and card.source_at is None:
        # the roster's answer fills a gap; an event's copy inserted meanwhile (by a consumer on another
        # connection) wins, and must not fail the caller's transaction
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            return False
        return True
    session.add(row)
    return True


def lawyer_name(session: Session, lawyer_id: str) -> str | None:
    return session.scalar(select(LawyerEntry.name).where(LawyerEntry.id == lawyer_id))
