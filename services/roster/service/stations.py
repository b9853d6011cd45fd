"""Use cases of stations (service points and the 12348 hotline): register, change, read. They never
commit; they emit roster.station.upserted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.paging import page
from services.roster.adapters.orm import StationRow
from services.roster.domain.errors import Invalid
from services.roster.service.rows import check_version, columns, load, new_id, now, touch

EVENT_STATION_FIELDS = ["id", "name", "level", "region_code", "parent_id", "address"]
STATION_FIELDS = ["id", "name", "level", "region_code", "parent_id", "address", "version"]


def station_view(row: StationRow) -> dict[str, Any]:
    return columns(row, STATION_FIELDS)


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
    uow.emit("roster.station.upserted", columns(row, EVENT_STATION_FIELDS))
    return station_view(row)


def update_station(
    *, uow: UnitOfWork, station_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    row = load(uow.session, StationRow, station_id, "station")
    check_version(row, expected_version, "station")
    _check_station(uow.session, {**station_view(row), **changes}, self_id=row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    touch(row)
    uow.session.flush()
    uow.emit("roster.station.upserted", columns(row, EVENT_STATION_FIELDS))
    return station_view(row)


def get_station(*, session: Session, station_id: str) -> dict[str, Any]:
    return station_view(load(session, StationRow, station_id, "station"))


def list_stations(
    *,
    session: Session,
    region_code: str | None = None,
    level: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    query = select(StationRow)
    if region_code:
        query = query.where(StationRow.region_code == region_code)
    if level:
        query = query.where(StationRow.level == level)
    return page(
        session,
        query,
        order_by=[StationRow.region_code, StationRow.level, StationRow.name],
        limit=limit,
        offset=offset,
        view=station_view,
    )
