"""The notifications table: what lawyers (by lawyer id) and staff users (by user id) should hear about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.common.paging import page
from services.gateway.adapters.orm import Notification
from services.gateway.domain.notifications import Notice


def add(session: Session, notice: Notice, *, event_id: str) -> None:
    session.add(
        Notification(
            lawyer_id=notice.lawyer_id,
            user_id=notice.user_id,
            event_id=event_id,
            kind=notice.kind,
            message=notice.message,
            data=notice.data,
            created_at=datetime.now(UTC),
            read=False,
        )
    )


def _addressed(*, lawyer_id: str | None, user_id: str | None) -> Any:
    """Whose notifications: a lawyer's, or else a staff user's own."""
    return Notification.lawyer_id == lawyer_id if lawyer_id else Notification.user_id == user_id


def unread_count(session: Session, *, lawyer_id: str | None, user_id: str | None = None) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(_addressed(lawyer_id=lawyer_id, user_id=user_id), Notification.read.is_(False))
        )
        or 0
    )


def notifications_page(
    session: Session,
    *,
    lawyer_id: str | None,
    user_id: str | None = None,
    unread_only: bool,
    limit: int,
    offset: int,
    view: Callable[[Notification], Any],
) -> dict[str, Any]:
    """A lawyer's (or a staff user's) notifications, newest first: `{items, total}`."""
    query = select(Notification).where(_addressed(lawyer_id=lawyer_id, user_id=user_id))
    if unread_only:
        query = query.where(Notification.read.is_(False))
    return page(session, query, order_by=[Notification.id.desc()], limit=limit, offset=offset, view=view)


def notification(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id) if 0 < notification_id < 2**62 else None


def mark_all_read(session: Session, *, lawyer_id: str | None, user_id: str | None = None) -> int:
    result = session.execute(
        update(Notification)
        .where(_addressed(lawyer_id=lawyer_id, user_id=user_id), Notification.read.is_(False))
        .values(read=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)
