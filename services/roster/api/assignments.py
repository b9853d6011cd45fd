"""Assignments (duties): the lawyer checks in and out; a scheduler hands one to another lawyer."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.common.schemas import PageQuery
from services.roster.api.problems import problems
from services.roster.api.schemas import CheckOut, ReassignIn, ReassignOut, SubstitutePage
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import duties as dt
from services.roster.service import repair

blp = Blueprint(
    "roster-assignments", __name__, url_prefix="/api/roster", description="Duties: check-in/out, reassignment"
)


@blp.route("/assignments/<assignment_id>/reassign", methods=["POST"])
@blp.arguments(ReassignIn)
@blp.response(200, ReassignOut)
@problems(blp, 403, 404, 409, 422)
@require_roles("scheduler")
def reassign(body: dict[str, Any], assignment_id: str) -> Any:
    """Give one duty to another lawyer (refused with 409 naming the rule it would break)."""
    with unit_of_work() as uow:
        result = dt.reassign(uow=uow, assignment_id=assignment_id, lawyer_id=body["lawyer_id"])
        uow.commit()
    return result


@blp.route("/assignments/<assignment_id>/substitutes", methods=["GET"])
@blp.arguments(PageQuery, location="query")
@blp.response(200, SubstitutePage)
@problems(blp, 403, 404, 409)
@require_roles("scheduler")
def substitutes(query: dict[str, Any], assignment_id: str) -> Any:
    """Who could take this duty without breaking a rule: fewest duties and burden this month first, then
    least recently on duty (409 for a past or checked-in duty)."""
    with read_session() as session:
        return repair.substitutes(
            session=session, assignment_id=assignment_id, limit=query["limit"], offset=query["offset"]
        )


@blp.route("/assignments/<assignment_id>/check-in", methods=["POST"])
@blp.response(200, CheckOut)
@problems(blp, 403, 404, 409)
@require_roles("lawyer")
def check_in(assignment_id: str) -> Any:
    """I have arrived at the station (on the duty's date)."""
    with unit_of_work() as uow:
        duty = dt.check_in(uow=uow, assignment_id=assignment_id, identity=current_identity())
        uow.commit()
    return duty


@blp.route("/assignments/<assignment_id>/check-out", methods=["POST"])
@blp.response(200, CheckOut)
@problems(blp, 403, 404, 409)
@require_roles("lawyer")
def check_out(assignment_id: str) -> Any:
    """I am leaving; the completed duty is claimed for its subsidy."""
    with unit_of_work() as uow:
        duty = dt.check_out(uow=uow, assignment_id=assignment_id, identity=current_identity())
        uow.commit()
    return duty
