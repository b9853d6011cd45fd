"""Use cases of lawyers: register, change (optimistic locking), read. They never commit: the caller's unit
of work does, with the roster.lawyer.upserted event they emit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.common.paging import page
from services.roster.adapters.orm import LawyerRow
from services.roster.domain.errors import Conflict, refuse_bad_fields
from services.roster.domain.model import internship_errors
from services.roster.service.errors import NotFound
from services.roster.service.rows import check_version, columns, load, new_id, now, touch

LAWYER_FIELDS = [
    "id",
    "name",
    "license_no",
    "status",
    "region_code",
    "languages",
    "max_duties_per_month",
    "intern_start",
    "intern_end",
    "supervisor_id",
    "phone",
    "version",
]
EVENT_LAWYER_FIELDS = [
    "id",
    "name",
    "license_no",
    "status",
    "region_code",
    "languages",
    "max_duties_per_month",
    "intern_start",
    "intern_end",
    "supervisor_id",
]


def lawyer_view(row: LawyerRow) -> dict[str, Any]:
    return columns(row, LAWYER_FIELDS)


def _check_lawyer(session: Session, data: dict[str, Any], *, self_id: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    duplicate = session.scalar(
        select(LawyerRow.id).where(
            LawyerRow.license_no == data["license_no"], LawyerRow.id != (self_id or "")
        )
    )
    if duplicate:
        raise Conflict(
            f"licence number {data['license_no']} is already registered (lawyer {duplicate})",
            errors={"license_no": ["already registered"]},
        )
    errors.update(
        internship_errors(
            status=data["status"],
            intern_start=data.get("intern_start"),
            intern_end=data.get("intern_end"),
            supervisor_id=data.get("supervisor_id"),
        )
    )
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


def update_lawyer(
    *, uow: UnitOfWork, lawyer_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
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


def list_lawyers(
    *,
    session: Session,
    region_code: str | None = None,
    status: str | None = None,
    language: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
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
    return {"items": [lawyer_view(r) for r in rows[offset : offset + limit]], "total": len(rows)}
