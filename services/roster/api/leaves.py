"""Leave: the days a lawyer cannot be on duty."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import LeaveCreatedOut, LeaveIn, LeavePage, LeaveQuery
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import leaves as use_cases

blp = Blueprint("roster-leaves", __name__, url_prefix="/api/roster", description="Leave")


@blp.route("/leaves", methods=["POST"])
@blp.arguments(LeaveIn)
@blp.response(201, LeaveCreatedOut)
@problems(blp, 403, 404, 409, 422)
@require_roles(*STAFF, "lawyer")
def create_leave(body: dict[str, Any]) -> Any:
    """Record leave: a lawyer for themself, a scheduler for anyone; `affected_assignments` need cover."""
    with unit_of_work() as uow:
        leave = use_cases.create_leave(uow=uow, data=body, identity=current_identity())
        uow.commit()
    return leave, 201


@blp.route("/leaves", methods=["GET"])
@blp.arguments(LeaveQuery, location="query")
@blp.response(200, LeavePage)
@problems(blp, 403)
@require_roles(*STAFF, "lawyer")
def list_leaves(query: dict[str, Any]) -> Any:
    """Leave (a lawyer sees their own)."""
    with read_session() as session:
        return use_cases.list_leaves(session=session, identity=current_identity(), **query)
