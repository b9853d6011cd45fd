"""Lawyers, stations, duty patterns, leave and the calendar."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import current_identity, require_roles
from services.roster.api.common import if_match, read_session, unit_of_work, with_etag
from services.roster.api.schemas import (
    CalendarIn,
    CalendarOut,
    LawyerIn,
    LawyerOut,
    LawyerPage,
    LawyerPatch,
    LawyerQuery,
    LeaveIn,
    LeaveOut,
    LeavePage,
    LeaveQuery,
    PatternIn,
    PatternOut,
    PatternPage,
    PatternPatch,
    PatternQuery,
    StationIn,
    StationOut,
    StationPage,
    StationPatch,
    StationQuery,
)
from services.roster.service import calendar as cal
from services.roster.service import masterdata as md

STAFF = ("scheduler", "admin")
blp = Blueprint("roster-masterdata", __name__, url_prefix="/api/roster", description="Lawyers, stations, duty patterns, leave, calendar")


@blp.route("/lawyers", methods=["POST"])
@blp.arguments(LawyerIn)
@blp.response(201, LawyerOut)
@require_roles(*STAFF)
def create_lawyer(body: dict[str, Any]) -> Any:
    """Register a lawyer (scheduler)."""
    with unit_of_work() as uow:
        lawyer = md.create_lawyer(uow=uow, data=body)
        uow.commit()
    return with_etag(lawyer, 201)


@blp.route("/lawyers", methods=["GET"])
@blp.arguments(LawyerQuery, location="query")
@blp.response(200, LawyerPage)
@require_roles(*STAFF)
def list_lawyers(query: dict[str, Any]) -> Any:
    """Lawyers, filtered by region, status, language or name."""
    with read_session() as session:
        return md.list_lawyers(session=session, **query)


@blp.route("/lawyers/<lawyer_id>", methods=["GET"])
@blp.response(200, LawyerOut)
@require_roles(*STAFF, "lawyer")
def get_lawyer(lawyer_id: str) -> Any:
    """One lawyer (a lawyer sees only themself)."""
    with read_session() as session:
        return with_etag(md.get_lawyer(session=session, lawyer_id=lawyer_id, identity=current_identity()))


@blp.route("/lawyers/<lawyer_id>", methods=["PATCH"])
@blp.arguments(LawyerPatch)
@blp.response(200, LawyerOut)
@require_roles(*STAFF)
def patch_lawyer(body: dict[str, Any], lawyer_id: str) -> Any:
    """Change a lawyer; send If-Match with the ETag you read to avoid overwriting someone else's change."""
    with unit_of_work() as uow:
        lawyer = md.update_lawyer(uow=uow, lawyer_id=lawyer_id, changes=body, expected_version=if_match())
        uow.commit()
    return with_etag(lawyer)


@blp.route("/stations", methods=["POST"])
@blp.arguments(StationIn)
@blp.response(201, StationOut)
@require_roles(*STAFF)
def create_station(body: dict[str, Any]) -> Any:
    """Register a service point or the hotline."""
    with unit_of_work() as uow:
        station = md.create_station(uow=uow, data=body)
        uow.commit()
    return with_etag(station, 201)


@blp.route("/stations", methods=["GET"])
@blp.arguments(StationQuery, location="query")
@blp.response(200, StationPage)
@require_roles(*STAFF, "lawyer")
def list_stations(query: dict[str, Any]) -> Any:
    """Service points, filtered by region or level."""
    with read_session() as session:
        return md.list_stations(session=session, **query)


@blp.route("/stations/<station_id>", methods=["GET"])
@blp.response(200, StationOut)
@require_roles(*STAFF, "lawyer")
def get_station(station_id: str) -> Any:
    """One service point."""
    with read_session() as session:
        return with_etag(md.get_station(session=session, station_id=station_id))


@blp.route("/stations/<station_id>", methods=["PATCH"])
@blp.arguments(StationPatch)
@blp.response(200, StationOut)
@require_roles(*STAFF)
def patch_station(body: dict[str, Any], station_id: str) -> Any:
    """Change a service point."""
    with unit_of_work() as uow:
        station = md.update_station(uow=uow, station_id=station_id, changes=body, expected_version=if_match())
        uow.commit()
    return with_etag(station)


@blp.route("/duty-patterns", methods=["POST"])
@blp.arguments(PatternIn)
@blp.response(201, PatternOut)
@require_roles(*STAFF)
def create_pattern(body: dict[str, Any]) -> Any:
    """Say when a station is staffed: days on China's working-day calendar, or an RRULE."""
    with unit_of_work() as uow:
        pattern = md.create_pattern(uow=uow, data=body)
        uow.commit()
    return with_etag(pattern, 201)


@blp.route("/duty-patterns", methods=["GET"])
@blp.arguments(PatternQuery, location="query")
@blp.response(200, PatternPage)
@require_roles(*STAFF)
def list_patterns(query: dict[str, Any]) -> Any:
    """Duty patterns, optionally of one station."""
    with read_session() as session:
        return md.list_patterns(session=session, **query)


@blp.route("/duty-patterns/<pattern_id>", methods=["GET"])
@blp.response(200, PatternOut)
@require_roles(*STAFF)
def get_pattern(pattern_id: str) -> Any:
    """One duty pattern."""
    with read_session() as session:
        return with_etag(md.get_pattern(session=session, pattern_id=pattern_id))


@blp.route("/duty-patterns/<pattern_id>", methods=["PATCH"])
@blp.arguments(PatternPatch)
@blp.response(200, PatternOut)
@require_roles(*STAFF)
def patch_pattern(body: dict[str, Any], pattern_id: str) -> Any:
    """Change a duty pattern (If-Match protects against lost updates)."""
    with unit_of_work() as uow:
        pattern = md.update_pattern(uow=uow, pattern_id=pattern_id, changes=body, expected_version=if_match())
        uow.commit()
    return with_etag(pattern)


@blp.route("/leaves", methods=["POST"])
@blp.arguments(LeaveIn)
@blp.response(201, LeaveOut)
@require_roles(*STAFF, "lawyer")
def create_leave(body: dict[str, Any]) -> Any:
    """Record leave: a lawyer for themself, a scheduler for anyone."""
    with unit_of_work() as uow:
        leave = md.create_leave(uow=uow, data=body, identity=current_identity())
        uow.commit()
    return leave, 201


@blp.route("/leaves", methods=["GET"])
@blp.arguments(LeaveQuery, location="query")
@blp.response(200, LeavePage)
@require_roles(*STAFF, "lawyer")
def list_leaves(query: dict[str, Any]) -> Any:
    """Leave (a lawyer sees their own)."""
    with read_session() as session:
        return md.list_leaves(session=session, identity=current_identity(), **query)


@blp.route("/calendar/<int:year>", methods=["PUT"])
@blp.arguments(CalendarIn)
@blp.response(200, CalendarOut)
@require_roles(*STAFF)
def put_calendar(body: dict[str, Any], year: int) -> Any:
    """Set the official holiday arrangement of a year (public holidays and adjusted working days)."""
    with unit_of_work() as uow:
        result = cal.put_year(uow=uow, year=year, identity=current_identity(), **body)
        uow.commit()
    return result


@blp.route("/calendar/<int:year>", methods=["GET"])
@blp.response(200, CalendarOut)
@require_roles(*STAFF, "lawyer")
def get_calendar(year: int) -> Any:
    """The arrangement in force for a year and where it comes from (override, official or fallback)."""
    with read_session() as session:
        return cal.get_year(session=session, year=year)
