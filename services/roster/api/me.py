"""The lawyer's own duties: a list, and a calendar feed for the phone."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.api.problems import problems
from services.roster.api.schemas import DutyPage, DutyQuery
from services.roster.api.sessions import read_session
from services.roster.domain.errors import Forbidden
from services.roster.service import duties as dt
from services.roster.service.ical import my_duties_feed

blp = Blueprint("roster-me", __name__, url_prefix="/api/roster", description="My duties")


def _lawyer_id() -> str:
    identity = current_identity()
    if not identity.lawyer_id:
        raise Forbidden("this user is not linked to a lawyer")
    return identity.lawyer_id


@blp.route("/me/duties", methods=["GET"])
@blp.arguments(DutyQuery, location="query")
@blp.response(200, DutyPage)
@problems(blp, 403)
@require_roles("lawyer")
def my_duties(query: dict[str, Any]) -> Any:
    """My duties in published rosters (from / to: dates)."""
    with read_session() as session:
        return dt.my_duties(session=session, lawyer_id=_lawyer_id(), first=query.get("from_"), last=query.get("to"),
                            limit=query["limit"], offset=query["offset"])


@blp.route("/me/duties.ics", methods=["GET"])
@blp.response(200, description="text/calendar (RFC 5545), one VEVENT per duty", content_type="text/calendar")
@problems(blp, 403)
@require_roles("lawyer")
def my_duties_ics() -> Any:
    """My duties as a calendar feed for the phone (stable UIDs: updates replace, never duplicate)."""
    lawyer_id = _lawyer_id()
    with read_session() as session:
        body = my_duties_feed(session=session, lawyer_id=lawyer_id)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="duties.ics"', "Cache-Control": "private, max-age=300"})
