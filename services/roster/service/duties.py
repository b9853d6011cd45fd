"""A lawyer's side of duties: check in and out, the calendar feed, swaps; and the scheduler's
reassignment. Every change of who serves is re-checked against the roster rules first."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.roster.adapters.orm import AssignmentRow, LawyerRow, RosterRow, StationRow, SwapRow
from services.roster.domain.rules import RULES, Reassignment, check_change
from services.roster.service.calendar import load_calendar
from services.roster.service.common import get_or_404, new_id, now
from services.roster.service.errors import Conflict, Forbidden, Invalid, NotFound
from services.roster.service.problem import build_problem, to_assignment
from services.roster.service.rosters import assignment_view

BEIJING = ZoneInfo("Asia/Shanghai")
SWAP_FIELDS = ["id", "assignment_id", "from_lawyer_id", "to_lawyer_id", "status", "reason", "created_at",
               "accepted_at", "decided_at"]


def today_in_beijing() -> date:
    return datetime.now(BEIJING).date()


def _own_assignment(session: Session, assignment_id: str, identity: Identity) -> tuple[AssignmentRow, RosterRow]:
    row = session.get(AssignmentRow, assignment_id)
    if row is None or (identity.is_lawyer and row.lawyer_id != identity.lawyer_id):
        raise NotFound(f"no duty {assignment_id}")  # another lawyer's duty is not revealed
    roster = session.get(RosterRow, row.roster_id)
    assert roster is not None
    return row, roster


def check_in(*, uow: UnitOfWork, assignment_id: str, identity: Identity, today: date | None = None) -> dict[str, Any]:
    """The assigned lawyer arrives at the station, on the duty's date."""
    row, roster = _own_assignment(uow.session, assignment_id, identity)
    if row.lawyer_id != identity.lawyer_id:
        raise Forbidden("only the lawyer on duty checks in")
    if roster.status != "published":
        raise Conflict("the roster is not published yet")
    today = today or today_in_beijing()
    if row.date != today:
        raise Conflict(f"this duty is on {row.date.isoformat()}; check in on that day (today is {today.isoformat()})")
    if row.status != "scheduled":
        raise Conflict(f"already {row.status.replace('_', ' ')}")
    row.status, row.checked_in_at = "checked_in", now()
    uow.session.flush()
    return duty_view(row)


def check_out(*, uow: UnitOfWork, assignment_id: str, identity: Identity) -> dict[str, Any]:
    """The assigned lawyer leaves; the completed duty goes to the subsidy service as roster.duty.completed."""
    row, roster = _own_assignment(uow.session, assignment_id, identity)
    if row.lawyer_id != identity.lawyer_id:
        raise Forbidden("only the lawyer on duty checks out")
    if row.status == "completed":
        raise Conflict("this duty is already checked out")
    if row.status != "checked_in":
        raise Conflict("check in before checking out")
    row.status, row.checked_out_at = "completed", now()
    station = uow.session.get(StationRow, row.station_id)
    assert station is not None
    calendar = load_calendar(uow.session)
    uow.session.flush()
    uow.emit("roster.duty.completed", {
        "assignment_id": row.id, "lawyer_id": row.lawyer_id, "station_id": row.station_id,
        "station_level": station.level, "region_code": station.region_code, "date": row.date,
        "start_time": row.start_time, "end_time": row.end_time, "checked_in_at": row.checked_in_at,
        "checked_out_at": row.checked_out_at, "holiday": calendar.is_holiday(row.date),
    })
    return duty_view(row)


def duty_view(row: AssignmentRow) -> dict[str, Any]:
    return {**assignment_view(row), "checked_in_at": row.checked_in_at, "checked_out_at": row.checked_out_at}


# ------------------------------------------------------------------------------------------------ changes


def _refuse_if_rules_break(session: Session, row: AssignmentRow, roster: RosterRow, to_lawyer_id: str) -> list[str]:
    """Check handing `row` to `to_lawyer_id` against rules 1-5 (409 naming the rule); returns rule-6 notices."""
    problem = build_problem(session, roster)
    assignments = [to_assignment(a) for a in session.scalars(
        select(AssignmentRow).where(AssignmentRow.roster_id == roster.id))]
    target = to_assignment(row)
    result = check_change(problem=problem, assignments=assignments,
                          changes=[Reassignment(assignment=target, to_lawyer_id=to_lawyer_id)])
    if result.violations:
        first = result.violations[0]
        raise Conflict(
            f"rule {first.rule} ({RULES.get(first.rule, '')}): {first.message}",
            rule=first.rule, violations=[{"rule": v.rule, "code": v.code, "message": v.message}
                                         for v in result.violations],
        )
    return [n.message for n in result.notices]


def _hand_over(uow: UnitOfWork, row: AssignmentRow, roster: RosterRow, to_lawyer_id: str) -> None:
    previous = row.lawyer_id
    row.lawyer_id = to_lawyer_id
    uow.session.flush()
    if roster.status == "published":
        uow.emit("roster.duty.changed", {
            "assignment_id": row.id, "lawyer_id": to_lawyer_id, "previous_lawyer_id": previous,
            "station_id": row.station_id, "date": row.date, "start_time": row.start_time, "end_time": row.end_time,
        })


def reassign(*, uow: UnitOfWork, assignment_id: str, lawyer_id: str) -> dict[str, Any]:
    """A scheduler gives one duty to another lawyer, under the same rules as a generated roster."""
    row = get_or_404(uow.session, AssignmentRow, assignment_id, "duty")
    roster = uow.session.get(RosterRow, row.roster_id)
    assert roster is not None
    if row.status != "scheduled":
        raise Conflict(f"the duty is already {row.status.replace('_', ' ')}; it cannot change hands")
    if uow.session.get(LawyerRow, lawyer_id) is None:
        raise Invalid(f"no lawyer {lawyer_id}", errors={"lawyer_id": ["no such lawyer"]})
    if lawyer_id == row.lawyer_id:
        raise Conflict("that lawyer already has this duty")
    notices = _refuse_if_rules_break(uow.session, row, roster, lawyer_id)
    _hand_over(uow, row, roster, lawyer_id)
    return {**assignment_view(row), "notices": notices}


def swap_view(row: SwapRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in SWAP_FIELDS}


def _announce(uow: UnitOfWork, swap: SwapRow) -> None:
    """Tell the lawyers concerned (roster.swap.changed; the gateway turns it into notifications)."""
    duty = uow.session.get(AssignmentRow, swap.assignment_id)
    assert duty is not None
    uow.emit("roster.swap.changed", {
        "swap_id": swap.id, "assignment_id": swap.assignment_id, "from_lawyer_id": swap.from_lawyer_id,
        "to_lawyer_id": swap.to_lawyer_id, "status": swap.status, "station_id": duty.station_id,
        "date": duty.date, "start_time": duty.start_time, "end_time": duty.end_time,
    })


def request_swap(*, uow: UnitOfWork, assignment_id: str, to_lawyer_id: str, identity: Identity) -> dict[str, Any]:
    """A lawyer asks another to take one of their duties."""
    row, roster = _own_assignment(uow.session, assignment_id, identity)
    if identity.is_lawyer and row.lawyer_id != identity.lawyer_id:
        raise NotFound(f"no duty {assignment_id}")
    if roster.status not in ("generated", "published"):
        raise Conflict("duties of a draft roster cannot be swapped")
    if row.status != "scheduled":
        raise Conflict(f"the duty is already {row.status.replace('_', ' ')}")
    if to_lawyer_id == row.lawyer_id:
        raise Invalid("a lawyer cannot swap with themself", errors={"to_lawyer_id": ["must be another lawyer"]})
    if uow.session.get(LawyerRow, to_lawyer_id) is None:
        raise Invalid(f"no lawyer {to_lawyer_id}", errors={"to_lawyer_id": ["no such lawyer"]})
    open_swap = uow.session.scalar(select(SwapRow.id).where(
        SwapRow.assignment_id == row.id, SwapRow.status.in_(("requested", "accepted"))))
    if open_swap:
        raise Conflict(f"this duty already has an open swap request ({open_swap})")
    _refuse_if_rules_break(uow.session, row, roster, to_lawyer_id)  # say no now rather than after approval
    swap = SwapRow(id=new_id(), assignment_id=row.id, from_lawyer_id=row.lawyer_id, to_lawyer_id=to_lawyer_id,
                   status="requested", requested_by=identity.user_id, created_at=now())
    uow.session.add(swap)
    uow.session.flush()
    _announce(uow, swap)
    return swap_view(swap)


def _visible_swap(session: Session, swap_id: str, identity: Identity) -> SwapRow:
    swap = session.get(SwapRow, swap_id)
    if swap is None or (identity.is_lawyer and identity.lawyer_id not in (swap.from_lawyer_id, swap.to_lawyer_id)):
        raise NotFound(f"no swap {swap_id}")
    return swap


def accept_swap(*, uow: UnitOfWork, swap_id: str, identity: Identity) -> dict[str, Any]:
    """The other lawyer agrees to take the duty."""
    swap = _visible_swap(uow.session, swap_id, identity)
    if identity.lawyer_id != swap.to_lawyer_id:
        raise Forbidden("only the lawyer asked to take the duty accepts the swap")
    if swap.status != "requested":
        raise Conflict(f"the swap is {swap.status}, not awaiting your answer")
    swap.status, swap.accepted_at = "accepted", now()
    uow.session.flush()
    _announce(uow, swap)
    return swap_view(swap)


def decline_swap(*, uow: UnitOfWork, swap_id: str, identity: Identity, reason: str | None) -> dict[str, Any]:
    """The other lawyer or a scheduler says no; the requester may withdraw."""
    swap = _visible_swap(uow.session, swap_id, identity)
    if swap.status not in ("requested", "accepted"):
        raise Conflict(f"the swap is already {swap.status}")
    if identity.is_lawyer and identity.lawyer_id == swap.from_lawyer_id:
        swap.status = "cancelled"
    else:
        swap.status = "declined"
    swap.reason, swap.decided_at, swap.decided_by = reason, now(), identity.user_id
    uow.session.flush()
    _announce(uow, swap)
    return swap_view(swap)


def approve_swap(*, uow: UnitOfWork, swap_id: str, identity: Identity) -> dict[str, Any]:
    """A scheduler approves an accepted swap; it is re-checked against every rule first."""
    swap = get_or_404(uow.session, SwapRow, swap_id, "swap")
    if swap.status != "accepted":
        raise Conflict(f"only an accepted swap can be approved; this one is {swap.status}")
    row = uow.session.get(AssignmentRow, swap.assignment_id)
    assert row is not None
    roster = uow.session.get(RosterRow, row.roster_id)
    assert roster is not None
    if row.lawyer_id != swap.from_lawyer_id or row.status != "scheduled":
        raise Conflict("the duty changed since the swap was asked for")
    _refuse_if_rules_break(uow.session, row, roster, swap.to_lawyer_id)
    _hand_over(uow, row, roster, swap.to_lawyer_id)
    swap.status, swap.decided_at, swap.decided_by = "approved", now(), identity.user_id
    uow.session.flush()
    _announce(uow, swap)
    return swap_view(swap)


def list_swaps(*, session: Session, identity: Identity, status: str | None = None, limit: int = 100,
               offset: int = 0) -> dict[str, Any]:
    query = select(SwapRow)
    if identity.is_lawyer:
        query = query.where(or_(SwapRow.from_lawyer_id == identity.lawyer_id,
                                SwapRow.to_lawyer_id == identity.lawyer_id))
    if status == "pending":  # still waiting for someone: the other lawyer or the scheduler
        query = query.where(SwapRow.status.in_(("requested", "accepted")))
    elif status:
        query = query.where(SwapRow.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(SwapRow.created_at.desc()).limit(limit).offset(offset))
    return {"items": [swap_view(r) for r in rows], "total": total}


# ------------------------------------------------------------------------------------------------ iCalendar


def duties_ics(*, duties: list[dict[str, Any]], lawyer_name: str, host: str = "legalduty") -> bytes:
    """The lawyer's duties as RFC 5545 (one VEVENT each, stable UIDs, Beijing times)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//legalduty//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{lawyer_name} 值班 duties")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for duty in duties:
        event = Event()
        event.add("uid", f"duty-{duty['id']}@{host}")
        start = datetime.combine(duty["date"], time.fromisoformat(duty["start_time"]), BEIJING)
        end = datetime.combine(duty["date"], time.fromisoformat(duty["end_time"]), BEIJING)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("dtstamp", now())
        role = "实习律师 intern" if duty["role"] == "intern" else "值班律师 duty lawyer"
        event.add("summary", f"值班 Duty: {duty['station_name']}")
        if duty.get("station_address"):
            event.add("location", duty["station_address"])
        else:
            event.add("location", duty["station_name"])
        event.add("description", f"{role} · {duty['station_level']} · {duty['start_time']}–{duty['end_time']}")
        event.add("status", "CONFIRMED")
        event.add("sequence", 0)
        cal.add_component(event)
    return cal.to_ical()
