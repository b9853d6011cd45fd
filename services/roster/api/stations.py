"""Stations (service points and the 12348 hotline): register, read, change."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.common.auth import require_roles
from services.roster.api.etags import if_match, with_etag
from services.roster.api.problems import problems
from services.roster.api.roles import STAFF
from services.roster.api.schemas import StationIn, StationOut, StationPage, StationPatch, StationQuery
from services.roster.api.sessions import read_session, unit_of_work
from services.roster.service import stations as use_cases

blp = Blueprint("roster-stations", __name__, url_prefix="/api/roster", description="Stations")


@blp.route("/stations", methods=["POST"])
@blp.arguments(StationIn)
@blp.response(201, StationOut)
@problems(blp, 403, 422)
@require_roles(*STAFF)
def create_station(body: dict[str, Any]) -> Any:
    """Register a service point or the hotline."""
    with unit_of_work() as uow:
        station = use_cases.create_station(uow=uow, data=body)
        uow.commit()
    return with_etag(station, 201)


@blp.route("/stations", methods=["GET"])
@blp.arguments(StationQuery, location="query")
@blp.response(200, StationPage)
@problems(blp, 403)
@require_roles(*STAFF, "lawyer")
def list_stations(query: dict[str, Any]) -> Any:
    """Service points, filtered by region or level."""
    with read_session() as session:
        return use_cases.list_stations(session=session, **query)


@blp.route("/stations/<station_id>", methods=["GET"])
@blp.response(200, StationOut)
@problems(blp, 403, 404)
@require_roles(*STAFF, "lawyer")
def get_station(station_id: str) -> Any:
    """One service point."""
    with read_session() as session:
        return with_etag(use_cases.get_station(session=session, station_id=station_id))


@blp.route("/stations/<station_id>", methods=["PATCH"])
@blp.arguments(StationPatch)
@blp.response(200, StationOut)
@problems(blp, 403, 404, 412, 422)
@require_roles(*STAFF)
def patch_station(body: dict[str, Any], station_id: str) -> Any:
    """Change a service point."""
    with unit_of_work() as uow:
        station = use_cases.update_station(
            uow=uow, station_id=station_id, changes=body, expected_version=if_match()
        )
        uow.commit()
    return with_etag(station)
