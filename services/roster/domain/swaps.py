"""A swap's lifecycle: requested -> accepted -> approved, or declined / cancelled on the way.

A lawyer asks another to take one of their scheduled duties (of a generated or published roster); the
other accepts or declines; a scheduler approves an accepted swap (the duty changes hands) or declines it;
the asker may withdraw (cancelled) while it is open. Objects are immutable: every transition returns a new
one, and the roster rules are checked apart (`rules.check_change`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .duties import Duty, DutyStatus
from .errors import Conflict, Forbidden, Invalid
from .rosters import SCHEDULED


class SwapStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN = (SwapStatus.REQUESTED, SwapStatus.ACCEPTED)  # still waiting for the other lawyer or the scheduler


@dataclass(frozen=True, kw_only=True)
class Swap:
    id: str
    assignment_id: str
    from_lawyer_id: str
    to_lawyer_id: str
    status: SwapStatus = SwapStatus.REQUESTED
    requested_by: str | None = None
    created_at: datetime | None = None
    accepted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None


def request(duty: Duty, *, swap_id: str, to_lawyer_id: str, requested_by: str | None, at: datetime) -> Swap:
    """The duty's lawyer asks `to_lawyer_id` to take it."""
    if duty.roster_status not in SCHEDULED:
        raise Conflict("duties of a draft roster cannot be swapped")
    if duty.status != DutyStatus.SCHEDULED:
        raise Conflict(f"the duty is already {duty.status.replace('_', ' ')}")
    if to_lawyer_id == duty.lawyer_id:
        raise Invalid(
            "a lawyer cannot swap with themself", errors={"to_lawyer_id": ["must be another lawyer"]}
        )
    return Swap(
        id=swap_id,
        assignment_id=duty.id,
        from_lawyer_id=duty.lawyer_id,
        to_lawyer_id=to_lawyer_id,
        requested_by=requested_by,
        created_at=at,
    )


def accept(swap: Swap, *, lawyer_id: str | None, at: datetime) -> Swap:
    """The lawyer asked agrees to take the duty."""
    if lawyer_id != swap.to_lawyer_id:
        raise Forbidden("only the lawyer asked to take the duty accepts the swap")
    if swap.status != SwapStatus.REQUESTED:
        raise Conflict(f"the swap is {swap.status}, not awaiting your answer")
    return replace(swap, status=SwapStatus.ACCEPTED, accepted_at=at)


def decline(swap: Swap, *, asker_withdraws: bool, reason: str | None, by: str | None, at: datetime) -> Swap:
    """The other lawyer or a scheduler says no (declined); the asker withdraws (cancelled)."""
    if swap.status not in OPEN:
        raise Conflict(f"the swap is already {swap.status}")
    status = SwapStatus.CANCELLED if asker_withdraws else SwapStatus.DECLINED
    return replace(swap, status=status, reason=reason, decided_at=at, decided_by=by)


def approve(swap: Swap, duty: Duty, *, by: str | None, at: datetime) -> tuple[Swap, Duty]:
    """A scheduler approves an accepted swap: the duty passes to the lawyer who accepted it."""
    if swap.status != SwapStatus.ACCEPTED:
        raise Conflict(f"only an accepted swap can be approved; this one is {swap.status}")
    if duty.lawyer_id != swap.from_lawyer_id or duty.status != DutyStatus.SCHEDULED:
        raise Conflict("the duty changed since the swap was asked for")
    return (
        replace(swap, status=SwapStatus.APPROVED, decided_at=at, decided_by=by),
        replace(duty, lawyer_id=swap.to_lawyer_id),
    )
