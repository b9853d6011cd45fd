"""The gateway's lawyer directory: kept from the roster's events, and completed by asking the roster when a
user is linked to a lawyer the events have not brought yet (so a lawyer the roster has just created can get
a user at once). Which copy wins is `domain.directory.replaces`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.gateway.adapters import directory
from services.gateway.domain.accounts import unknown_lawyer
from services.gateway.domain.directory import LawyerCard, card, profile_of


class LawyerSource(Protocol):
    """The roster, asked for one lawyer: their contract fields, None when it has no such lawyer, or
    `domain.errors.Unavailable` when it cannot answer."""

    def lawyer(self, lawyer_id: str) -> dict[str, Any] | None: ...


class LawyerLookup(Protocol):
    def confirm(self, lawyer_id: str) -> LawyerCard | None: ...


class DirectoryThenRoster:
    """Is `lawyer_id` a roster lawyer? The directory first (on the read-only engine), then the roster.

    `confirm` returns None when the directory knows the lawyer, the roster's card (to keep, in the caller's
    transaction) when only the roster does, and raises `Invalid` (lawyer_id) when neither does. It opens no
    write transaction, so the roster is never asked while the gateway's database is locked."""

    def __init__(self, reader: Engine, roster: LawyerSource) -> None:
        self.reader = reader
        self.roster = roster

    def confirm(self, lawyer_id: str) -> LawyerCard | None:
        if directory.knows(self.reader, lawyer_id):
            return None
        answer = self.roster.lawyer(lawyer_id)
        if answer is None:
            raise unknown_lawyer(lawyer_id)
        return card(answer, source_at=None)


def keep_lawyer(session: Session, *, lawyer_card: LawyerCard) -> bool:
    """Keep a card the roster gave (unless an event's copy is already there)."""
    return directory.keep(session, lawyer_card)


def on_lawyer_upserted(session: Session, *, lawyer: dict[str, Any], occurred_at: datetime | None) -> bool:
    """Copy a lawyer from the roster's event; False when the stored copy is newer."""
    return directory.keep(session, card(lawyer, source_at=occurred_at))


def lawyer_profile(session: Session, *, lawyer_id: str) -> dict[str, Any] | None:
    """The lawyer as the directory knows them (None until the roster has announced them)."""
    entry = directory.entry(session, lawyer_id)
    if entry is None:
        return None
    return profile_of(
        entry.profile, id=entry.id, name=entry.name, status=entry.status, region_code=entry.region_code
    )


def lawyer_name(session: Session, lawyer_id: str) -> str:
    return directory.lawyer_name(session, lawyer_id) or "another lawyer"
