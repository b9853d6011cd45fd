"""The lawyer's own duties: a list, a calendar feed, and the secret address of that feed a phone subscribes
to (phones send no Authorization header: the address's token is the credential, see
service/calendar_links.py)."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask_smorest import Blueprint

from services.common.auth import current_identity, public, require_roles
from services.roster.api.problems import problems
from services.roster.api.schemas import CalendarLinkOut, DutyPage, DutyQuery
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.domain.errors import Forbidden
from services.roster.service import calendar_links as links
from services.roster.service import duties as dt
from services.roster.service.ical import my_duties_feed

FEED_HEADERS = {
    "Content-Disposition": 'inline; filename="duties.ics"',
    "Cache-Control": "private, max-age=300",
}

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
        return dt.my_duties(
            session=session,
            lawyer_id=_lawyer_id(),
            first=query.get("from_"),
            last=query.get("to"),
            limit=query["limit"],
            offset=query["offset"],
        )


@blp.route("/me/duties.ics", methods=["GET"])
@blp.response(200, description="text/calendar (RFC 5545), one VEVENT per duty", content_type="text/calendar")
@problems(blp, 403)
@require_roles("lawyer")
def my_duties_ics() -> Any:
    """My duties as a calendar feed for the phone (stable UIDs: updates replace, never duplicate)."""
    lawyer_id = _lawyer_id()
    with read_session() as session:
        body = my_duties_feed(session=session, lawyer_id=lawyer_id)
    return Response(body, mimetype="text/calendar", headers=FEED_HEADERS)


@blp.route("/me/calendar-link", methods=["POST"])
@blp.response(201, CalendarLinkOut)
@problems(blp, 403, 404)
@require_roles("lawyer")
def create_calendar_link() -> Any:
    """A new secret address of my calendar feed, for the phone's calendar to subscribe to (it needs no
    Authorization header); the previous address stops working."""
    lawyer_id = _lawyer_id()
    with unit_of_work() as uow:
        token = links.create_link(uow=uow, lawyer_id=lawyer_id)
        uow.commit()
    url = _public_base() + url_for("roster-me.calendar_feed", token=token)
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@blp.route("/me/calendar-link", methods=["DELETE"])
@blp.response(204)
@problems(blp, 403)
@require_roles("lawyer")
def revoke_calendar_link() -> Any:
    """Revoke my calendar address (a lost phone): it answers 404 from now on."""
    lawyer_id = _lawyer_id()
    with unit_of_work() as uow:
        links.revoke_link(uow=uow, lawyer_id=lawyer_id)
        uow.commit()
    return ""


@blp.route("/calendar-feeds/<token>.ics", methods=["GET"])
@blp.response(
    200,
    description="text/calendar (RFC 5545): the lawyer's duties, and those taken away from them "
    "in the last week as cancelled",
    content_type="text/calendar",
)
@problems(
    blp,
    404,
    descriptions={404: "no such calendar (a revoked, replaced or never issued address)"},
    public=True,
)
@public
def calendar_feed(token: str) -> Any:
    """A lawyer's calendar feed at its secret address (no Authorization header: the address is the
    credential; the gateway throttles it per client address)."""
    with read_session() as session:
        lawyer_id = links.lawyer_of_token(session=session, token=token)
        body = my_duties_feed(session=session, lawyer_id=lawyer_id)
    return Response(
        body, mimetype="text/calendar", headers={**FEED_HEADERS, "Referrer-Policy": "no-referrer"}
    )


def _public_base() -> str:
    """Where clients reach the API: the gateway's scheme and host as it forwarded them (the identity header
    proves the request came through the gateway), else this service's own."""
    scheme = request.headers.get("X-Forwarded-Proto") or request.scheme
    host = request.headers.get("X-Forwarded-Host") or request.host
    return f"{scheme}://{host}"
