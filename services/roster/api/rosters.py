"""Rosters: open, generate, publish, read; and a roster as a printable workbook."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app
from flask_smorest import Blueprint
from werkzeug.sansio.response import Response as BaseResponse

from services.common.auth import current_identity, require_roles
from services.roster.api.etags import if_match, with_etag
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import (
    FILE,
    AssignmentPage,
    AssignmentQuery,
    ReplanIn,
    ReplanOut,
    RosterIn,
    RosterOut,
    RosterPage,
    RosterQuery,
    SpreadsheetProblem,
)
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import repair
from services.roster.service import rosters as rs
from services.roster.service.spreadsheets.upload import XLSX_MIME
from services.roster.service.spreadsheets.workbook import roster_workbook

blp = Blueprint("roster-rosters", __name__, url_prefix="/api/roster", description="Rosters")


@blp.route("/rosters", methods=["POST"])
@blp.arguments(RosterIn)
@blp.response(201, RosterOut)
@problems(blp, 403, 422)
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
@problems(blp, 403)
@require_roles(*STAFF)
def list_rosters(query: dict[str, Any]) -> Any:
    """Rosters, newest period first."""
    with read_session() as session:
        return rs.list_rosters(session=session, **query)


@blp.route("/rosters/<roster_id>", methods=["GET"])
@blp.response(200, RosterOut)
@problems(blp, 403, 404)
@require_roles(*STAFF)
def get_roster(roster_id: str) -> Any:
    """A roster with its status, progress, stats and warnings."""
    with read_session() as session:
        return with_etag(rs.get_roster(session=session, roster_id=roster_id))


@blp.route("/rosters/<roster_id>/generate", methods=["POST"])
@blp.response(200, RosterOut)
@blp.alt_response(202, schema=RosterOut, description="queued: poll the roster until status is generated")
@problems(blp, 403, 404, 409, 412)
@require_roles("scheduler")
def generate_roster(roster_id: str) -> Any:
    """Generate the roster (200 when done at once; 202 when the worker does it: poll its status/progress)."""
    with unit_of_work() as uow:
        roster, done = rs.request_generation(uow=uow, roster_id=roster_id, expected_version=if_match())
        uow.commit()
    return with_etag(roster, 200 if done else 202)


@blp.route("/rosters/<roster_id>/publish", methods=["POST"])
@blp.response(200, RosterOut)
@problems(blp, 403, 404, 409, 412)
@require_roles("scheduler")
def publish_roster(roster_id: str) -> Any:
    """Publish a generated roster: lawyers see their duties."""
    with unit_of_work() as uow:
        roster = rs.publish(uow=uow, roster_id=roster_id, expected_version=if_match())
        uow.commit()
    return with_etag(roster)


@blp.route("/rosters/<roster_id>/replan", methods=["POST"])
@blp.arguments(ReplanIn)
@blp.response(200, ReplanOut)
@problems(blp, 403, 404, 409, 422)
@require_roles("scheduler")
def replan_roster(body: dict[str, Any], roster_id: str) -> Any:
    """Repair a published roster from `from_date` on (after leave, a suspension, a new lawyer or a changed
    pattern): the most points open, then the fewest changed duties, then fairness; the past, checked-in duties
    and approved swaps never move. Each change raises roster.duty.changed. With `dry_run` the same answer
    is a preview: nothing is stored or announced."""
    with unit_of_work() as uow:
        result = repair.replan_roster(
            uow=uow,
            roster_id=roster_id,
            from_date=body["from_date"],
            reason=body.get("reason"),
            dry_run=body["dry_run"],
        )
        if not body["dry_run"]:
            uow.commit()
    return result


@blp.route("/rosters/<roster_id>/assignments", methods=["GET"])
@blp.arguments(AssignmentQuery, location="query")
@blp.response(200, AssignmentPage)
@problems(blp, 403, 404)
@require_roles(*STAFF)
def list_assignments(query: dict[str, Any], roster_id: str) -> Any:
    """The roster's duties, by date, filtered by lawyer, station or date."""
    with read_session() as session:
        found = rs.list_assignments(
            session=session,
            roster_id=roster_id,
            lawyer_id=query.get("lawyer_id"),
            station_id=query.get("station_id"),
            day=query.get("date"),
            limit=query["limit"],
            offset=query["offset"],
        )
    return assignments_answer(found)


def assignments_answer(found: dict[str, Any]) -> BaseResponse:
    """What `AssignmentPage` dumps of a page of duties, written directly: a county's grid reads thousands of
    duties, and the schema's walk over each cost a third of the answer (a test compares the two)."""
    body = {
        "items": [{**duty, "date": duty["date"].isoformat()} for duty in found["items"]],
        "total": found["total"],
    }
    return current_app.json.response(body)  # as flask-smorest answers the schema's dump


@blp.route("/rosters/<roster_id>/export.xlsx", methods=["GET"])
@blp.response(
    200,
    FILE,
    content_type=XLSX_MIME,
    description=(
        "a workbook to print and post: a sheet per county (a column per station and shift, a row per date, the "
        "lawyers' names in the cells, interns marked 实习, holidays marked), the 12348 hotline on its own sheet; "
        "landscape A4, fitted to the page width, header rows repeated on every page"
    ),
)
@problems(
    blp,
    403,
    404,
    409,
    schema=SpreadsheetProblem,
    descriptions={
        404: "no such roster",
        409: "the roster is not generated yet",
        403: "only schedulers and administrators",
    },
)
@require_roles(*STAFF)
def export_roster(roster_id: str) -> Any:
    """The roster as an Excel workbook laid out for printing."""
    with read_session() as session:
        content, filename, fallback = roster_workbook(session=session, roster_id=roster_id)
    return Response(
        content,
        mimetype=XLSX_MIME,
        headers={
            "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-cache",
        },
    )
