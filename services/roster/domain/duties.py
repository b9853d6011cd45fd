"""A duty's lifecycle: scheduled -> checked in -> completed.

Only the lawyer on duty checks in, on the duty's date (in Beijing), once the roster is published; checking
out completes the duty (the subsidy service claims it). A scheduled duty may still change hands (swap or
reassignment); once checked in it may not. Objects are immutable: every transition returns a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import Conflict, Forbidden
from .rosters import RosterStatus


class DutyStatus(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"


def _said(status: str) -> str:
    return status.replace("_", " ")


@dataclass(frozen=True, kw_only=True)
class Duty:
    id: str
    roster_status: RosterStatus
    lawyer_id: str
    date: date
    status: DutyStatus = DutyStatus.SCHEDULED
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None


def check_in(duty: Duty, *, lawyer_id: str | None, today: date, at: datetime) -> Duty:
    """The assigned lawyer arrives at the station on the duty's date."""
    if duty.lawyer_id != lawyer_id:
        raise Forbidden("only the lawyer on duty checks in")
    if duty.roster_status != RosterStatus.PUBLISHED:
        raise Conflict("the roster is not published yet")
    if duty.date != today:
        raise Conflict(
            f"this duty is on {duty.date.isoformat()}; check in on that day (today is {today.isoformat()})"
        )
    if duty.status != DutyStatus.SCHEDULED:
        raise Conflict(f"already {_said(duty.status)}")
    return replace(duty, status=DutyStatus.CHECKED_IN, checked_in_at=at)


def check_out(duty: Duty, *, lawyer_id: str | None, at: datetime) -> Duty:
    """The assigned lawyer leaves: the duty is completed."""
    if duty.lawyer_id != lawyer_id:
        raise Forbidden("only the lawyer on duty checks out")
    if duty.status == DutyStatus.COMPLETED:
        raise Conflict("this duty is already checked out")
    if duty.status != DutyStatus.CHECKED_IN:
        raise Conflict("check in before checking out")
    return replace(duty, status=DutyStatus.COMPLETED, checked_out_at=at)


def reassign(duty: Duty, *, to_lawyer_id: str) -> Duty:
    """A scheduler gives a scheduled duty to another lawyer (the roster rules are checked apart)."""
    if duty.status != DutyStatus.SCHEDULED:
        raise Conflict(f"the duty is already {_said(duty.status)}; it cannot change hands")
    if to_lawyer_id == duty.lawyer_id:
        raise Conflict("that lawyer already has this duty")
    return replace(duty, lawyer_id=to_lawyer_id)
