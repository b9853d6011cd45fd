"""Rosters, assignments, the lawyer's own duties and calendar feed, check-in/out, swaps."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.adapters.orm import LawyerRow
from services.roster.api.common import if_match, read_session, unit_of_work, with_etag
from services.roster.api.schemas import (
    AssignmentPage,
    AssignmentQuery,
    CheckOut,
    DeclineIn,
    DutyPage,
    DutyQuery,
    ReassignIn,
    ReassignOut,
    RosterIn,
    RosterOut,
    RosterPage,
    RosterQuery,
    SwapIn,
    SwapOut,
    SwapPage,
    SwapQuery,
)
from services.roster.service import duties as dt
from services.roster.service import rosters as rs
from services.roster.service.errors import Forbidden

STAFF = ("scheduler", "admin")
blp = Blueprint("roster-rosters", __name__, url_prefix="/api/roster", description="Rosters, duties and swaps")


def _lawyer_id() -> str:
    identity = current_identity()
    if not identity.lawyer_id:
        raise Forbidden("this user is not linked to a lawyer")
    return identity.lawyer_id


@blp.route("/rosters", methods=["POST"])
@blp.arguments(RosterIn)
@blp.response(201, RosterOut)
@require_roles("scheduler")
def create_roster(body: dict[str, Any]) -> Any:
    """Open a draft roster for a region and period."""
    with unit_of_work() as uow:
        roster = rs.create_roster(uow=uow, data=body, identity=current_identity())
        uow.commit()
    return with_etag(roster, 201)


@blp.route("/rosters", methods=["GET"])
@blp.arguments(RosterQuery, location="query")
@blp.response(200, RosterPage)
@require_roles(*STAFF)
def list_rosters(query: dict[str, Any]) -> Any:
    """Rosters, newest period first."""
    with read_session() as session:
        return rs.list_rosters(session=session, **query)


@blp.route("/rosters/<roster_id>", methods=["GET"])
@blp.response(200, RosterOut)
@require_roles(*STAFF)
def get_roster(roster_id: str) -> Any:
    """A roster with its status, progress, stats and warnings."""
    with read_session() as session:
        return with_etag(rs.get_roster(session=session, roster_id=roster_id))


@blp.route("/rosters/<roster_id>/generate", methods=["POST"])
@blp.response(200, RosterOut)
@blp.alt_response(202, schema=RosterOut, description="queued: poll the roster until status is generated")
@require_roles("scheduler")
def generate_roster(roster_id: str) -> Any:
    """Generate the roster (200 when done at once; 202 when the worker does it: poll its status/progress)."""
    with unit_of_work() as uow:
        roster, done = rs.request_generation(uow=uow, roster_id=roster_id, expected_version=if_match())
        uow.commit()
    return with_etag(roster, 200 if done else 202)


@blp.route("/rosters/<roster_id>/publish", methods=["POST"])
@blp.response(200, RosterOut)
@require_roles("scheduler")
def publish_roster(roster_id: str) -> Any:
    """Publish a generated roster: lawyers see their duties."""
    with unit_of_work() as uow:
        roster = rs.publish(uow=uow, roster_id=roster_id, expected_version=if_match())
        uow.commit()
    return with_etag(roster)


@blp.route("/rosters/<roster_id>/assignments", methods=["GET"])
@blp.arguments(AssignmentQuery, location="query")
@blp.response(200, AssignmentPage)
@require_roles(*STAFF)
def list_assignments(query: dict[str, Any], roster_id: str) -> Any:
    """The roster's duties, by date, filtered by lawyer, station or date."""
    with read_session() as session:
        return rs.list_assignments(session=session, roster_id=roster_id, lawyer_id=query.get("lawyer_id"),
                                   station_id=query.get("station_id"), day=query.get("date"),
                                   limit=query["limit"], offset=query["offset"])


@blp.route("/assignments/<assignment_id>/reassign", methods=["POST"])
@blp.arguments(ReassignIn)
@blp.response(200, ReassignOut)
@require_roles("scheduler")
def reassign(body: dict[str, Any], assignment_id: str) -> Any:
    """Give one duty to another lawyer (refused with 409 naming the rule it would break)."""
    with unit_of_work() as uow:
        result = dt.reassign(uow=uow, assignment_id=assignment_id, lawyer_id=body["lawyer_id"])
        uow.commit()
    return result


@blp.route("/me/duties", methods=["GET"])
@blp.arguments(DutyQuery, location="query")
@blp.response(200, DutyPage)
@require_roles("lawyer")
def my_duties(query: dict[str, Any]) -> Any:
    """My duties in published rosters (from / to: dates)."""
    with read_session() as session:
        return rs.my_duties(session=session, lawyer_id=_lawyer_id(), first=query.get("from_"), last=query.get("to"),
                            limit=query["limit"], offset=query["offset"])


@blp.route("/me/duties.ics", methods=["GET"])
@blp.response(200, description="text/calendar (RFC 5545), one VEVENT per duty", content_type="text/calendar")
@require_roles("lawyer")
def my_duties_ics() -> Any:
    """My duties as a calendar feed for the phone (stable UIDs: updates replace, never duplicate)."""
    lawyer_id = _lawyer_id()
    with read_session() as session:
        lawyer = session.get(LawyerRow, lawyer_id)
        name = lawyer.name if lawyer else lawyer_id
        first, last = rs.default_window(dt.today_in_beijing())
        duties = rs.my_duties(session=session, lawyer_id=lawyer_id, first=first, last=last)["items"]
    body = dt.duties_ics(duties=duties, lawyer_name=name)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="duties.ics"', "Cache-Control": "private, max-age=300"})


@blp.route("/assignments/<assignment_id>/check-in", methods=["POST"])
@blp.response(200, CheckOut)
@require_roles("lawyer")
def check_in(assignment_id: str) -> Any:
    """I have arrived at the station (on the duty's date)."""
    with unit_of_work() as uow:
        duty = dt.check_in(uow=uow, assignment_id=assignment_id, identity=current_identity())
        uow.commit()
    return duty


@blp.route("/assignments/<assignment_id>/check-out", methods=["POST"])
@blp.response(200, CheckOut)
@require_roles("lawyer")
def check_out(assignment_id: str) -> Any:
    """I am leaving; the completed duty is claimed for its subsidy."""
    with unit_of_work() as uow:
        duty = dt.check_out(uow=uow, assignment_id=assignment_id, identity=current_identity())
        uow.commit()
    return duty


@blp.route("/swaps", methods=["POST"])
@blp.arguments(SwapIn)
@blp.response(201, SwapOut)
@require_roles("lawyer")  # lawyers ask; the scheduler moves a duty with reassign
def request_swap(body: dict[str, Any]) -> Any:
    """Ask another lawyer to take one of my duties."""
    with unit_of_work() as uow:
        swap = dt.request_swap(uow=uow, identity=current_identity(), **body)
        uow.commit()
    return swap, 201


@blp.route("/swaps", methods=["GET"])
@blp.arguments(SwapQuery, location="query")
@blp.response(200, SwapPage)
@require_roles("lawyer", *STAFF)
def list_swaps(query: dict[str, Any]) -> Any:
    """Swaps (a lawyer sees those asked by or of them)."""
    with read_session() as session:
        return dt.list_swaps(session=session, identity=current_identity(), **query)


@blp.route("/swaps/<swap_id>/accept", methods=["POST"])
@blp.response(200, SwapOut)
@require_roles("lawyer")
def accept_swap(swap_id: str) -> Any:
    """I agree to take the duty."""
    with unit_of_work() as uow:
        swap = dt.accept_swap(uow=uow, swap_id=swap_id, identity=current_identity())
        uow.commit()
    return swap


@blp.route("/swaps/<swap_id>/decline", methods=["POST"])
@blp.arguments(DeclineIn)
@blp.response(200, SwapOut)
@require_roles("lawyer", "scheduler")  # the lawyers in it, or the scheduler who would approve it
def decline_swap(body: dict[str, Any], swap_id: str) -> Any:
    """Say no to a swap (or withdraw my own request)."""
    with unit_of_work() as uow:
        swap = dt.decline_swap(uow=uow, swap_id=swap_id, identity=current_identity(), reason=body["reason"])
        uow.commit()
    return swap


@blp.route("/swaps/<swap_id>/approve", methods=["POST"])
@blp.response(200, SwapOut)
@require_roles("scheduler")
def approve_swap(swap_id: str) -> Any:
    """Approve an accepted swap (re-checked against every rule; 409 names the one it would break)."""
    with unit_of_work() as uow:
        swap = dt.approve_swap(uow=uow, swap_id=swap_id, identity=current_identity())
        uow.commit()
    return swap
