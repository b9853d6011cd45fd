"""Use cases for lawyers, stations, duty patterns and leave. They never commit: the caller's unit of
work does, with the events they emit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.common.paging import page
from services.roster.adapters.orm import DutyPatternRow, LawyerRow, LeaveRow, StationRow
from services.roster.domain.errors import Conflict, Invalid, refuse_bad_fields
from services.roster.domain.model import internship_errors
from services.roster.domain.slots import validate_rrule
from services.roster.service.errors import NotFound
from services.roster.service.rows import check_version, columns, load, new_id, now, touch

LAWYER_FIELDS = ["id", "name", "license_no", "status", "region_code", "languages", "max_duties_per_month",
                 "intern_start", "intern_end", "supervisor_id", "phone", "version"]
STATION_FIELDS = ["id", "name", "level", "region_code", "parent_id", "address", "version"]
PATTERN_FIELDS = ["id", "station_id", "days", "rrule", "start_time", "end_time", "headcount", "languages",
                  "intern_seats", "skip_public_holidays", "active", "version"]
LEAVE_FIELDS = ["id", "lawyer_id", "start_date", "end_date", "reason", "cancelled"]
EVENT_LAWYER_FIELDS = ["id", "name", "license_no", "status", "region_code", "languages", "max_duties_per_month",
                       "intern_start", "intern_end", "supervisor_id"]


def lawyer_view(row: LawyerRow) -> dict[str, Any]:
    return columns(row, LAWYER_FIELDS)


def station_view(row: StationRow) -> dict[str, Any]:
    return columns(row, STATION_FIELDS)


def pattern_view(row: DutyPatternRow) -> dict[str, Any]:
    return columns(row, PATTERN_FIELDS)


def leave_view(row: LeaveRow) -> dict[str, Any]:
    return columns(row, LEAVE_FIELDS)


# ------------------------------------------------------------------------------------------------ lawyers


def _check_lawyer(session: Session, data: dict[str, Any], *, self_id: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    duplicate = session.scalar(
        select(LawyerRow.id).where(LawyerRow.license_no == data["license_no"], LawyerRow.id != (self_id or ""))
    )
    if duplicate:
        raise Conflict(f"licence number {data['license_no']} is already registered (lawyer {duplicate})",
                       errors={"license_no": ["already registered"]})
    errors.update(internship_errors(status=data["status"], intern_start=data.get("intern_start"),
                                    intern_end=data.get("intern_end"), supervisor_id=data.get("supervisor_id")))
    if data.get("supervisor_id") is not None:
        supervisor = session.get(LawyerRow, data["supervisor_id"])
        if supervisor is None:
            errors["supervisor_id"] = [f"no lawyer {data['supervisor_id']}"]
        elif supervisor.status != "practising":
            errors["supervisor_id"] = ["a supervising lawyer must be practising"]
        elif supervisor.id == self_id:
            errors["supervisor_id"] = ["a lawyer cannot supervise themself"]
    if "zh" not in data["languages"] and not data["languages"]:
        errors["languages"] = ["name at least one language"]
    refuse_bad_fields(errors)


def create_lawyer(*, uow: UnitOfWork, data: dict[str, Any], lawyer_id: str | None = None) -> dict[str, Any]:
    """Register a lawyer (with a given id only for data loaders that must know it in advance)."""
    data = {**data, "languages": sorted(set(data["languages"]))}
    _check_lawyer(uow.session, data)
    row = LawyerRow(id=lawyer_id or new_id(), version=1, created_at=now(), updated_at=now(), **data)
    uow.session.add(row)
    uow.session.flush()
    uow.emit("roster.lawyer.upserted", columns(row, EVENT_LAWYER_FIELDS))
    return lawyer_view(row)


def update_lawyer(*, uow: UnitOfWork, lawyer_id: str, changes: dict[str, Any],
                  expected_version: int | None) -> dict[str, Any]:
    """Change some of a lawyer's fields (optimistic locking on the version)."""
    row = load(uow.session, LawyerRow, lawyer_id, "lawyer")
    check_version(row, expected_version, "lawyer")
    if "languages" in changes:
        changes["languages"] = sorted(set(changes["languages"]))
    merged = {**columns(row, LAWYER_FIELDS), **changes}
    _check_lawyer(uow.session, merged, self_id=row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    touch(row)
    uow.session.flush()
    uow.emit("roster.lawyer.upserted", columns(row, EVENT_LAWYER_FIELDS))
    return lawyer_view(row)


def get_lawyer(*, session: Session, lawyer_id: str, identity: Identity) -> dict[str, Any]:
    """One lawyer; a lawyer user sees only themself (others are 404)."""
    if identity.is_lawyer and identity.lawyer_id != lawyer_id:
        raise NotFound(f"no lawyer {lawyer_id}")
    return lawyer_view(load(session, LawyerRow, lawyer_id, "lawyer"))


def list_lawyers(*, session: Session, region_code: str | None = None, status: str | None = None,
                 language: str | None = None, q: str | None = None, limit: int = 100,
                 offset: int = 0) -> dict[str, Any]:
    query = select(LawyerRow)
    if region_code:
        query = query.where(LawyerRow.region_code == region_code)
    if status:
        query = query.where(LawyerRow.status == status)
    if q:
        query = query.where(or_(LawyerRow.name.contains(q), LawyerRow.license_no.startswith(q)))
    order = [LawyerRow.region_code, LawyerRow.name, LawyerRow.id]
    if not language:
        return page(session, query, order_by=order, limit=limit, offset=offset, view=lawyer_view)
    # JSON arrays are not portably indexable: a language filter is applied in Python
    rows = [r for r in session.scalars(query.order_by(*order)) if language in r.languages]
    return {"items": [lawyer_view(r) for r in rows[offset:offset + limit]], "total": len(rows)}


# ------------------------------------------------------------------------------------------------ stations


def _check_station(session: Session, data: dict[str, Any], *, self_id: str | None = None) -> None:
    parent_id = data.get("parent_id")
    if parent_id is not None:
        parent = session.get(StationRow, parent_id)
        if parent is None:
            raise Invalid(f"no station {parent_id}", errors={"parent_id": [f"no station {parent_id}"]})
        seen = {self_id}
        while parent is not None:
            if parent.id in seen:
                raise Invalid("a station cannot be its own ancestor", errors={"parent_id": ["makes a cycle"]})
            seen.add(parent.id)
            parent = session.get(StationRow, parent.parent_id) if parent.parent_id else None


def create_station(*, uow: UnitOfWork, data: dict[str, Any]) -> dict[str, Any]:
    """Register a service point."""
    _check_station(uow.session, data)
    row = StationRow(id=new_id(), version=1, created_at=now(), updated_at=now(), **data)
    uow.session.add(row)
    uow.session.flush()
    uow.emit("roster.station.upserted", columns(row, ["id", "name", "level", "region_code", "parent_id", "address"]))
    return station_view(row)


def update_station(*, uow: UnitOfWork, station_id: str, changes: dict[str, Any],
                   expected_version: int | None) -> dict[str, Any]:
    row = load(uow.session, StationRow, station_id, "station")
    check_version(row, expected_version, "station")
    _check_station(uow.session, {**station_view(row), **changes}, self_id=row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    touch(row)
    uow.session.flush()
    uow.emit("roster.station.upserted", columns(row, ["id", "name", "level", "region_code", "parent_id", "address"]))
    return station_view(row)


def get_station(*, session: Session, station_id: str) -> dict[str, Any]:
    return station_view(load(session, StationRow, station_id, "station"))


def list_stations(*, session: Session, region_code: str | None = None, level: str | None = None,
                  limit: int = 100, offset: int = 0) -> dict[str, Any]:
    query = select(StationRow)
    if region_code:
        query = query.where(StationRow.region_code == region_code)
    if level:
        query = query.where(StationRow.level == level)
    return page(session, query, order_by=[StationRow.region_code, StationRow.level, StationRow.name], limit=limit,
                offset=offset, view=station_view)


# ------------------------------------------------------------------------------------------------ patterns


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
        errors["intern_seats"] = [f"interns serve only at township or village stations, not at a {station.level}"]
    refuse_bad_fields(errors)


def create_pattern(*, uow: UnitOfWork, data: dict[str, Any]) -> dict[str, Any]:
    """Say when a station is staffed."""
    data = {**data, "languages": sorted(set(data.get("languages") or []))}
    _check_pattern(uow.session, data)
    row = DutyPatternRow(id=new_id(), version=1, created_at=now(), updated_at=now(), active=True, **data)
    uow.session.add(row)
    uow.session.flush()
    return pattern_view(row)


def update_pattern(*, uow: UnitOfWork, pattern_id: str, changes: dict[str, Any],
                   expected_version: int | None) -> dict[str, Any]:
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


def list_patterns(*, session: Session, station_id: str | None = None, limit: int = 100,
                  offset: int = 0) -> dict[str, Any]:
    query = select(DutyPatternRow)
    if station_id:
        query = query.where(DutyPatternRow.station_id == station_id)
    return page(session, query, order_by=[DutyPatternRow.station_id, DutyPatternRow.start_time], limit=limit,
                offset=offset, view=pattern_view)


# ------------------------------------------------------------------------------------------------ leave


def create_leave(*, uow: UnitOfWork, data: dict[str, Any], identity: Identity) -> dict[str, Any]:
    """Record leave: a lawyer for themself, a scheduler for anyone."""
    if identity.is_lawyer and data["lawyer_id"] != identity.lawyer_id:
        raise NotFound(f"no lawyer {data['lawyer_id']}")  # a lawyer cannot see, or act for, another
    lawyer = uow.session.get(LawyerRow, data["lawyer_id"])
    if lawyer is None:
        raise Invalid(f"no lawyer {data['lawyer_id']}", errors={"lawyer_id": ["no such lawyer"]})
    overlapping = uow.session.scalar(
        select(LeaveRow.id).where(LeaveRow.lawyer_id == lawyer.id, LeaveRow.cancelled.is_(False),
                                  LeaveRow.start_date <= data["end_date"], LeaveRow.end_date >= data["start_date"])
    )
    if overlapping:
        raise Conflict(f"{lawyer.name} already has leave overlapping these dates (leave {overlapping})")
    row = LeaveRow(id=new_id(), created_by=identity.user_id, created_at=now(), cancelled=False, **data)
    uow.session.add(row)
    uow.session.flush()
    return leave_view(row)


def list_leaves(*, session: Session, identity: Identity, lawyer_id: str | None = None, limit: int = 100,
                offset: int = 0) -> dict[str, Any]:
    query = select(LeaveRow).where(LeaveRow.cancelled.is_(False))
    if identity.is_lawyer:
        query = query.where(LeaveRow.lawyer_id == identity.lawyer_id)
    elif lawyer_id:
        query = query.where(LeaveRow.lawyer_id == lawyer_id)
    return page(session, query, order_by=[LeaveRow.start_date], limit=limit, offset=offset, view=leave_view)
