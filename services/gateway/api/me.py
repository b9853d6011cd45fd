"""/api/me: the caller's own page and notifications."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from services.common.auth import ROLES, current_identity, require_roles
from services.common.db import UnitOfWork
from services.common.web import runtime
from services.gateway import me
from services.gateway.api.schemas import (
    MeOut,
    NotificationList,
    NotificationOut,
    NotificationQuery,
    Problem,
    ReadAllOut,
)
from services.gateway.state import gateway, read_session

blp = Blueprint("me", __name__, url_prefix="/api/me", description="The caller's own view")


@blp.route("", methods=["GET"])
@blp.response(200, MeOut)
@require_roles(*ROLES)
def my_page() -> Any:
    """Who I am; for a lawyer: profile, duties of the next 30 days, pending swaps, this month's claims."""
    with read_session() as session:
        page = me.overview(session, identity=current_identity(), backends=gateway().backends,
                           request_id=g.request_id)
    return page


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, NotificationList)
@require_roles(*ROLES)
def my_notifications(query: dict[str, Any]) -> Any:
    """My notifications, newest first: rosters published, duties changed, claims decided and paid."""
    with read_session() as session:
        page = me.list_notifications(session, lawyer_id=current_identity().lawyer_id, unread_only=query["unread"],
                                     limit=query["limit"], offset=query["offset"])
    return page


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationOut)
@blp.alt_response(404, schema=Problem, description="no such notification of mine")
@require_roles(*ROLES)
def read_notification(notification_id: int) -> Any:
    """Mark one of my notifications read."""
    with UnitOfWork(runtime().session_factory, producer="gateway") as uow:
        row = me.mark_read(uow.session, lawyer_id=current_identity().lawyer_id, notification_id=notification_id)
        uow.commit()
    return row


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllOut)
@require_roles(*ROLES)
def read_all_notifications() -> Any:
    """Mark all my notifications read."""
    with UnitOfWork(runtime().session_factory, producer="gateway") as uow:
        marked = me.mark_all_read(uow.session, lawyer_id=current_identity().lawyer_id)
        uow.commit()
    return {"marked": marked}
