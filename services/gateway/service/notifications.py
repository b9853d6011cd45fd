"""Notifications: kept from the roster's and subsidy's events for lawyers (by lawyer id) and for staff users
(by user id: every finance user hears when a budget runs out), listed and marked read by their reader."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.gateway.adapters import notifications, users
from services.gateway.adapters.orm import Notification
from services.gateway.domain.errors import NotFound
from services.gateway.domain.notifications import Notice


def keep(session: Session, *, notices: list[Notice], event_id: str) -> None:
    """Keep what an event tells lawyers or users (in the consumer's transaction)."""
    for notice in notices:
        notifications.add(session, notice, event_id=event_id)


def users_of_role(session: Session, role: str) -> list[str]:
    """Who a notice for a role goes to: its users who may log in now."""
    return users.active_user_ids(session, role)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _view(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "message": row.message,
        "data": row.data,
        "created_at": _utc(row.created_at),
        "read": bool(row.read),
    }


def list_notifications(
    session: Session,
    *,
    lawyer_id: str | None,
    user_id: str | None = None,
    unread_only: bool,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The caller's notifications (a lawyer's by lawyer id, a staff user's own), newest first, and how many
    are unread."""
    if not lawyer_id and not user_id:
        return {"items": [], "total": 0, "unread": 0}
    found = notifications.notifications_page(
        session,
        lawyer_id=lawyer_id,
        user_id=user_id,
        unread_only=unread_only,
        limit=limit,
        offset=offset,
        view=_view,
    )
    return {**found, "unread": notifications.unread_count(session, lawyer_id=lawyer_id, user_id=user_id)}


def _mine(row: Notification, *, lawyer_id: str | None, user_id: str | None) -> bool:
    if lawyer_id:
        return row.lawyer_id == lawyer_id
    return bool(user_id) and row.user_id == user_id


def mark_read(
    uow: UnitOfWork, *, lawyer_id: str | None, user_id: str | None = None, notification_id: int
) -> dict[str, Any]:
    """Mark one of the caller's notifications read; another's is not found."""
    row = notifications.notification(uow.session, notification_id)
    if row is None or not _mine(row, lawyer_id=lawyer_id, user_id=user_id):
        raise NotFound("no such notification")
    row.read = True
    return _view(row)


def mark_all_read(uow: UnitOfWork, *, lawyer_id: str | None, user_id: str | None = None) -> int:
    """Mark every notification of the caller read; returns how many were unread."""
    if not lawyer_id and not user_id:
        return 0
    return notifications.mark_all_read(uow.session, lawyer_id=lawyer_id, user_id=user_id)
