"""/api/me: the caller's own page and notifications."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from services.common.auth import ROLES, current_identity, require_roles
from services.common.db import UnitOfWork
from services.common.schemas import ProblemOut
from services.common.web import runtime
from services.gateway.adapters.backend_pages import BackendPages
from services.gateway.api.collaborators import collaborators, read_session
from services.gateway.api.schemas import (
    MeOut,
    NotificationList,
    NotificationOut,
    NotificationQuery,
    ReadAllOut,
)
from services.gateway.service import me, notifications

blp = Blueprint("me", __name__, url_prefix="/api/me", description="The caller's own view")


@blp.route("", methods=["GET"])
@blp.response(200, MeOut)
@require_roles(*ROLES)
def my_page() -> Any:
    """Who I am; for a lawyer: profile, duties of the next 30 days, pending swaps, this month's claims."""
    identity = current_identity()
    sections = BackendPages(collaborators().backends, identity=identity, request_id=g.get("request_id"))
    with read_session() as session:
        return me.overview(session, identity=identity, sections=sections)


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, NotificationList)
@require_roles(*ROLES)
def my_notifications(query: dict[str, Any]) -> Any:
    """My notifications, newest first: rosters published, duties changed, claims decided and paid; for finance
    users, budgets whose commitments reached 80 % or 95 %."""
    with read_session() as session:
        return notifications.list_notifications(
            session,
            lawyer_id=current_identity().lawyer_id,
            user_id=current_identity().user_id,
            unread_only=query["unread"],
            limit=query["limit"],
            offset=query["offset"],
        )


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationOut)
@blp.alt_response(404, schema=ProblemOut, description="no such notification of mine")
@require_roles(*ROLES)
def read_notification(notification_id: int) -> Any:
    """Mark one of my notifications read."""
    with UnitOfWork(runtime().session_factory, producer="gateway") as uow:
        identity = current_identity()
        row = notifications.mark_read(
            uow, lawyer_id=identity.lawyer_id, user_id=identity.user_id, notification_id=notification_id
        )
        uow.commit()
    return row


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllOut)
@require_roles(*ROLES)
def read_all_notifications() -> Any:
    """Mark all my notifications read."""
    with UnitOfWork(runtime().session_factory, producer="gateway") as uow:
        identity = current_identity()
        marked = notifications.mark_all_read(uow, lawyer_id=identity.lawyer_id, user_id=identity.user_id)
        uow.commit()
    return {"marked": marked}
