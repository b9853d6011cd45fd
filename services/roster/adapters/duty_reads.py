"""The lawyer's own duties (`GET /api/roster/me/duties`): the roster's hottest read, kept cheap.

Each request of a lawyer's phone or of the gateway's `/api/me` asks for it, so it runs one prepared Core
statement instead of building and compiling ORM queries per request:

- the statements are built once per filter shape (from / to given or not) with bind parameters, so
  SQLAlchemy's compiled cache hits without walking a new statement each time;
- the total comes from `count(*) OVER ()` in the same query instead of a second COUNT over a subquery (a
  page past the end has no row to carry it: only then a separate count is run);
- rows are plain tuples, never ORM objects.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from services.roster.adapters.orm import AssignmentRow, RosterRow, StationRow

_ASSIGNMENTS, _ROSTERS, _STATIONS = AssignmentRow.__table__, RosterRow.__table__, StationRow.__table__
_A, _R, _S = _ASSIGNMENTS.c, _ROSTERS.c, _STATIONS.c
_FIELDS = (
    _A.id,
    _A.roster_id,
    _A.station_id,
    _A.date,
    _A.start_time,
    _A.end_time,
    _A.lawyer_id,
    _A.role,
    _A.status,
    _S.name.label("station_name"),
    _S.address.label("station_address"),
    _S.level.label("station_level"),
    _A.checked_in_at,
    _A.checked_out_at,
    _A.sequence,
)
_KEYS = tuple(column.key for column in _FIELDS)


def _filtered(columns: Any, *, first: bool, last: bool) -> Select[Any]:
    statement = (
        select(*columns)
        .select_from(
            _ASSIGNMENTS.join(_ROSTERS, _R.id == _A.roster_id).join(_STATIONS, _S.id == _A.station_id)
        )
        .where(_A.lawyer_id == bindparam("lawyer_id"), _R.status == "published")
    )
    if first:
        statement = statement.where(_A.date >= bindparam("first"))
    if last:
        statement = statement.where(_A.date <= bindparam("last"))
    return statement


def _page(first: bool, last: bool) -> Select[Any]:
    return (
        _filtered((*_FIELDS, func.count().over().label("total")), first=first, last=last)
        .order_by(_A.date, _A.start_time, _A.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


_PAGES = {(f, t): _page(f, t) for f in (False, True) for t in (False, True)}
_COUNTS = {(f, t): _filtered((func.count(),), first=f, last=t) for f in (False, True) for t in (False, True)}


def my_duties(
    conn: Connection, *, lawyer_id: str, first: date | None, last: date | None, limit: int, offset: int
) -> dict[str, Any]:
    """`{items, total}`: a lawyer's duties in published rosters, by date and start, with where to go."""
    shape = (first is not None, last is not None)
    params = {"lawyer_id": lawyer_id, "first": first, "last": last, "limit": limit, "offset": offset}
    rows = conn.execute(_PAGES[shape], params).all()
    if rows:
        total = rows[0][-1]
    elif offset == 0:
        total = 0
    else:  # past the last page: no row carries the total
        total = conn.execute(_COUNTS[shape], params).scalar_one()
    return {"items": [dict(zip(_KEYS, row[:-1], strict=True)) for row in rows], "total": total}
