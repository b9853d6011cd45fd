"""The working-day calendar: official holiday arrangements per year, overridden by schedulers."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import CalendarIn, CalendarOut
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import calendar as cal

blp = Blueprint("roster-calendar", __name__, url_prefix="/api/roster", description="Working-day calendar")


@blp.route("/calendar/<int:year>", methods=["PUT"])
@blp.arguments(CalendarIn)
@blp.response(200, CalendarOut)
@problems(blp, 403, 422)
@require_roles(*STAFF)
def put_calendar(body: dict[str, Any], year: int) -> Any:
    """Set the official holiday arrangement of a year (public holidays and adjusted working days)."""
    with unit_of_work() as uow:
        result = cal.put_year(uow=uow, year=year, identity=current_identity(), **body)
        uow.commit()
    return result


@blp.route("/calendar/<int:year>", methods=["GET"])
@blp.response(200, CalendarOut)
@problems(blp, 403, 422)
@require_roles(*STAFF, "lawyer")
def get_calendar(year: int) -> Any:
    """The arrangement in force for a year and where it comes from (override, official or fallback)."""
    with read_session() as session:
        return cal.get_year(session=session, year=year)
