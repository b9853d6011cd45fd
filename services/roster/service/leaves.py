"""Use cases of leave: a lawyer records their own, a scheduler anyone's; lists. They never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.common.paging import page
from services.roster.adapters.orm import LawyerRow, LeaveRow
from services.roster.domain.errors import Conflict, Invalid
from services.roster.service.errors import NotFound
from services.roster.service.repair import affected_by_leave
from services.roster.service.rows import columns, new_id, now

LEAVE_FIELDS = ["id", "lawyer_id", "start_date", "end_date", "reason", "cancelled"]


def leave_view(row: LeaveRow) -> dict[str, Any]:
    return columns(row, LEAVE_FIELDS)


def create_leave(*, uow: UnitOfWork, data: dict[str, Any], identity: Identity) -> dict[str, Any]:
    """Record leave: a lawyer for themself, a scheduler for anyone; answers the published, not yet checked-in
    duties it takes from the lawyer (`affected_assignments`), which now need cover."""
    if identity.is_lawyer and data["lawyer_id"] != identity.lawyer_id:
        raise NotFound(f"no lawyer {data['lawyer_id']}")  # a lawyer cannot see, or act for, another
    lawyer = uow.session.get(LawyerRow, data["lawyer_id"])
    if lawyer is None:
        raise Invalid(f"no lawyer {data['lawyer_id']}", errors={"lawyer_id": ["no such lawyer"]})
    overlapping = uow.session.scalar(
        select(LeaveRow.id).where(
            LeaveRow.lawyer_id == lawyer.id,
            LeaveRow.cancelled.is_(False),
            LeaveRow.start_date <= data["end_date"],
            LeaveRow.end_date >= data["start_date"],
        )
    )
    if overlapping:
        raise Conflict(f"{lawyer.name} already has leave overlapping these dates (leave {overlapping})")
    row = LeaveRow(id=new_id(), created_by=identity.user_id, created_at=now(), cancelled=False, **data)
    uow.session.add(row)
    uow.session.flush()
    affected = affected_by_leave(uow.session, lawyer_id=lawyer.id, first=row.start_date, last=row.end_date)
    return {**leave_view(row), "affected_assignments": affected}


def list_leaves(
    *, session: Session, identity: Identity, lawyer_id: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    query = select(LeaveRow).where(LeaveRow.cancelled.is_(False))
    if identity.is_lawyer:
        query = query.where(LeaveRow.lawyer_id == identity.lawyer_id)
    elif lawyer_id:
        query = query.where(LeaveRow.lawyer_id == lawyer_id)
    return page(session, query, order_by=[LeaveRow.start_date], limit=limit, offset=offset, view=leave_view)
