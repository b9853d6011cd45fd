"""Use cases of swaps: a lawyer asks another to take a duty, the other accepts or declines, a scheduler
approves (the duty changes hands, re-checked against every rule) or declines, the asker may withdraw. Each
loads, calls one domain transition, stores it and tells the lawyers concerned (roster.swap.changed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.common.paging import page
from services.roster.adapters.orm import AssignmentRow, RosterRow, SwapRow
from services.roster.domain import swaps as lifecycle
from services.roster.domain.errors import Conflict
from services.roster.domain.swaps import OPEN, Swap, SwapStatus
from services.roster.service.duties import (
    as_duty,
    hand_over,
    refuse_if_rules_break,
    require_lawyer,
    visible_duty,
)
from services.roster.service.errors import NotFound
from services.roster.service.rows import load, new_id, now

SWAP_FIELDS = [
    "id",
    "assignment_id",
    "from_lawyer_id",
    "to_lawyer_id",
    "status",
    "reason",
    "created_at",
    "accepted_at",
    "decided_at",
]
STORED = [*SWAP_FIELDS, "requested_by", "decided_by"]


def swap_view(row: SwapRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in SWAP_FIELDS}


def as_swap(row: SwapRow) -> Swap:
    return Swap(
        **{name: getattr(row, name) for name in STORED if name != "status"}, status=SwapStatus(row.status)
    )


def store(row: SwapRow, swap: Swap) -> None:
    for name in STORED:
        value = getattr(swap, name)
        setattr(row, name, str(value) if name == "status" else value)


def _announce(uow: UnitOfWork, swap: SwapRow) -> None:
    """Tell the lawyers concerned (roster.swap.changed; the gateway turns it into notifications)."""
    duty = uow.session.get(AssignmentRow, swap.assignment_id)
    assert duty is not None
    uow.emit(
        "roster.swap.changed",
        {
            "swap_id": swap.id,
            "assignment_id": swap.assignment_id,
            "from_lawyer_id": swap.from_lawyer_id,
            "to_lawyer_id": swap.to_lawyer_id,
            "status": swap.status,
            "station_id": duty.station_id,
            "date": duty.date,
            "start_time": duty.start_time,
            "end_time": duty.end_time,
        },
    )


def _visible_swap(session: Session, swap_id: str, identity: Identity) -> SwapRow:
    swap = session.get(SwapRow, swap_id)
    if swap is None or (
        identity.is_lawyer and identity.lawyer_id not in (swap.from_lawyer_id, swap.to_lawyer_id)
    ):
        raise NotFound(f"no swap {swap_id}")
    return swap


def request_swap(
    *, uow: UnitOfWork, assignment_id: str, to_lawyer_id: str, identity: Identity
) -> dict[str, Any]:
    """A lawyer asks another to take one of their duties."""
    row, roster = visible_duty(uow.session, assignment_id, identity)
    swap = lifecycle.request(
        as_duty(row, roster),
        swap_id=new_id(),
        to_lawyer_id=to_lawyer_id,
        requested_by=identity.user_id,
        at=now(),
    )
    require_lawyer(uow.session, to_lawyer_id, "to_lawyer_id")
    open_swap = uow.session.scalar(
        select(SwapRow.id).where(SwapRow.assignment_id == row.id, SwapRow.status.in_([str(s) for s in OPEN]))
    )
    if open_swap:
        raise Conflict(f"this duty already has an open swap request ({open_swap})")
    refuse_if_rules_break(uow.session, row, roster, to_lawyer_id)  # say no now rather than after approval
    stored = SwapRow()
    store(stored, swap)
    uow.session.add(stored)
    uow.session.flush()
    _announce(uow, stored)
    return swap_view(stored)


def accept_swap(*, uow: UnitOfWork, swap_id: str, identity: Identity) -> dict[str, Any]:
    """The other lawyer agrees to take the duty."""
    row = _visible_swap(uow.session, swap_id, identity)
    store(row, lifecycle.accept(as_swap(row), lawyer_id=identity.lawyer_id, at=now()))
    uow.session.flush()
    _announce(uow, row)
    return swap_view(row)


def decline_swap(*, uow: UnitOfWork, swap_id: str, identity: Identity, reason: str | None) -> dict[str, Any]:
    """The other lawyer or a scheduler says no; the requester may withdraw."""
    row = _visible_swap(uow.session, swap_id, identity)
    withdraws = identity.is_lawyer and identity.lawyer_id == row.from_lawyer_id
    store(
        row,
        lifecycle.decline(
            as_swap(row), asker_withdraws=withdraws, reason=reason, by=identity.user_id, at=now()
        ),
    )
    uow.session.flush()
    _announce(uow, row)
    return swap_view(row)


def approve_swap(*, uow: UnitOfWork, swap_id: str, identity: Identity) -> dict[str, Any]:
    """A scheduler approves an accepted swap; it is re-checked against every rule first."""
    row = load(uow.session, SwapRow, swap_id, "swap")
    assignment = uow.session.get(AssignmentRow, row.assignment_id)
    assert assignment is not None
    roster = uow.session.get(RosterRow, assignment.roster_id)
    assert roster is not None
    swap, duty = lifecycle.approve(as_swap(row), as_duty(assignment, roster), by=identity.user_id, at=now())
    refuse_if_rules_break(uow.session, assignment, roster, swap.to_lawyer_id)
    hand_over(uow, assignment, roster, duty)
    store(row, swap)
    uow.session.flush()
    _announce(uow, row)
    return swap_view(row)


def list_swaps(
    *, session: Session, identity: Identity, status: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    query = select(SwapRow)
    if identity.is_lawyer:
        query = query.where(
            or_(SwapRow.from_lawyer_id == identity.lawyer_id, SwapRow.to_lawyer_id == identity.lawyer_id)
        )
    if status == "pending":  # still waiting for someone: the other lawyer or the scheduler
        query = query.where(SwapRow.status.in_([str(s) for s in OPEN]))
    elif status:
        query = query.where(SwapRow.status == status)
    return page(
        session, query, order_by=[SwapRow.created_at.desc()], limit=limit, offset=offset, view=swap_view
    )
