"""Use cases of duty patterns (when a station is staffed): create, change, read. They never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.paging import page
from services.roster.adapters.orm import DutyPatternRow, StationRow
from services.roster.domain.errors import Invalid, refuse_bad_fields
from services.roster.domain.slots import validate_rrule
from services.roster.service.rows import check_version, columns, load, new_id, now, touch

PATTERN_FIELDS = [
    "id",
    "station_id",
    "days",
    "rrule",
    "start_time",
    "end_time",
    "headcount",
    "languages",
    "intern_seats",
    "skip_public_holidays",
    "active",
    "version",
]


def pattern_view(row: DutyPatternRow) -> dict[str, Any]:
    return columns(row, PATTERN_FIELDS)


def _check_pattern(session: Session, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    station = session.get(StationRow, data["station_id"])
    if station is None:
        raise Invalid(f"no station {data['station_id']}", errors={"station_id": ["no such station"]})
    if data.get("rrule"):
        try:
            validate_rrule(data["rrule"])
        except ValueError as exc:
            errors["rrule"] = [str(exc)]
    if data["end_time"] <= data["start_time"]:
        errors["end_time"] = ["must be after start_time"]
    if data.get("intern_seats") and station.level not in ("township", "village"):
        errors["intern_seats"] = [
            f"interns serve only at township or village stations, not at a {station.level}"
        ]
    refuse_bad_fields(errors)


def create_pattern(*, uow: UnitOfWork, data: dict[str, Any]) -> dict[str, Any]:
    """Say when a station is staffed."""
    data = {**data, "languages": sorted(set(data.get("languages") or []))}
    _check_pattern(uow.session, data)
    row = DutyPatternRow(id=new_id(), version=1, created_at=now(), updated_at=now(), active=True, **data)
    uow.session.add(row)
    uow.session.flush()
    return pattern_view(row)


def update_pattern(
    *, uow: UnitOfWork, pattern_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    row = load(uow.session, DutyPatternRow, pattern_id, "duty pattern")
    check_version(row, expected_version, "duty pattern")
    if "languages" in changes:
        changes["languages"] = sorted(set(changes["languages"]))
    _check_pattern(uow.session, {**pattern_view(row), **changes})
    for key, value in changes.items():
        setattr(row, key, value)
    touch(row)
    uow.session.flush()
    return pattern_view(row)


def get_pattern(*, session: Session, pattern_id: str) -> dict[str, Any]:
    return pattern_view(load(session, DutyPatternRow, pattern_id, "duty pattern"))


def list_patterns(
    *, session: Session, station_id: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    query = select(DutyPatternRow)
    if station_id:
        query = query.where(DutyPatternRow.station_id == station_id)
    return page(
        session,
        query,
        order_by=[DutyPatternRow.station_id, DutyPatternRow.start_time],
        limit=limit,
        offset=offset,
        view=pattern_view,
    )
