"""Use cases of duties: the lawyer checks in and out, a scheduler hands a duty to another lawyer (re-checked
against the roster rules first), a lawyer reads their own duties. Each loads, calls one domain transition,
stores it and emits the events; none commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.roster.adapters import duty_reads
from services.roster.adapters.orm import AssignmentRow, DutyTakenAwayRow, LawyerRow, RosterRow, StationRow
from services.roster.domain import duties as lifecycle
from services.roster.domain.duties import Duty, DutyStatus
from services.roster.domain.errors import Conflict, Invalid
from services.roster.domain.rosters import RosterStatus
from services.roster.domain.rules import RULES, check_reassignment
from services.roster.service.calendar import load_calendar
from services.roster.service.errors import NotFound
from services.roster.service.problem import build_problem, to_assignment
from services.roster.service.rosters import assignment_view
from services.roster.service.rows import load, now

BEIJING = ZoneInfo("Asia/Shanghai")


def today_in_beijing() -> date:
    return datetime.now(BEIJING).date()


def default_window(today: date) -> tuple[date, date]:
    """The duties a calendar feed carries: from a week ago to two months ahead."""
    return today - timedelta(days=7), today + timedelta(days=60)


def duty_view(row: AssignmentRow) -> dict[str, Any]:
    return {
        **assignment_view(row),
        "checked_in_at": row.checked_in_at,
        "checked_out_at": row.checked_out_at,
        "sequence": row.sequence or 0,
    }


def as_duty(row: AssignmentRow, roster: RosterRow) -> Duty:
    """The stored assignment's lifecycle state."""
    return Duty(
        id=row.id,
        roster_status=RosterStatus(roster.status),
        lawyer_id=row.lawyer_id,
        date=row.date,
        status=DutyStatus(row.status),
        checked_in_at=row.checked_in_at,
        checked_out_at=row.checked_out_at,
    )


def store(row: AssignmentRow, duty: Duty) -> None:
    row.status, row.lawyer_id = str(duty.status), duty.lawyer_id
    row.checked_in_at, row.checked_out_at = duty.checked_in_at, duty.checked_out_at


def visible_duty(session: Session, assignment_id: str, identity: Identity) -> tuple[AssignmentRow, RosterRow]:
    """The duty and its roster; another lawyer's duty is not revealed to a lawyer (NotFound)."""
    row = session.get(AssignmentRow, assignment_id)
    if row is None or (identity.is_lawyer and row.lawyer_id != identity.lawyer_id):
        raise NotFound(f"no duty {assignment_id}")
    roster = session.get(RosterRow, row.roster_id)
    assert roster is not None
    return row, roster


def check_in(
    *, uow: UnitOfWork, assignment_id: str, identity: Identity, today: date | None = None
) -> dict[str, Any]:
    """The assigned lawyer arrives at the station, on the duty's date."""
    row, roster = visible_duty(uow.session, assignment_id, identity)
    store(
        row,
        lifecycle.check_in(
            as_duty(row, roster), lawyer_id=identity.lawyer_id, today=today or today_in_beijing(), at=now()
        ),
    )
    uow.session.flush()
    return duty_view(row)


def check_out(*, uow: UnitOfWork, assignment_id: str, identity: Identity) -> dict[str, Any]:
    """The assigned lawyer leaves; the completed duty goes to the subsidy service as roster.duty.completed."""
    row, roster = visible_duty(uow.session, assignment_id, identity)
    store(row, lifecycle.check_out(as_duty(row, roster), lawyer_id=identity.lawyer_id, at=now()))
    station = uow.session.get(StationRow, row.station_id)
    assert station is not None
    calendar = load_calendar(uow.session)
    uow.session.flush()
    uow.emit(
        "roster.duty.completed",
        {
            "assignment_id": row.id,
            "lawyer_id": row.lawyer_id,
            "station_id": row.station_id,
            "station_level": station.level,
            "region_code": station.region_code,
            "date": row.date,
            "start_time": row.start_time,
            "end_time": row.end_time,
            "checked_in_at": row.checked_in_at,
            "checked_out_at": row.checked_out_at,
            "holiday": calendar.is_holiday(row.date),
        },
    )
    return duty_view(row)


# ------------------------------------------------------------------------------------------------ changing hands


def refuse_if_rules_break(
    session: Session, row: AssignmentRow, roster: RosterRow, to_lawyer_id: str
) -> list[str]:
    """Check handing `row` to `to_lawyer_id` against rules 1-5 (Conflict naming the rule); returns rule-6
    notices."""
    problem = build_problem(session, roster)
    assignments = [
        to_assignment(a)
        for a in session.scalars(select(AssignmentRow).where(AssignmentRow.roster_id == roster.id))
    ]
    result = check_reassignment(
        problem=problem, assignments=assignments, assignment=to_assignment(row), to_lawyer_id=to_lawyer_id
    )
    if result.violations:
        first = result.violations[0]
        raise Conflict(
            f"rule {first.rule} ({RULES.get(first.rule, '')}): {first.message}",
            rule=first.rule,
            violations=[{"rule": v.rule, "code": v.code, "message": v.message} for v in result.violations],
        )
    return [n.message for n in result.notices]


def hand_over(uow: UnitOfWork, row: AssignmentRow, roster: RosterRow, duty: Duty) -> None:
    """Store the duty's new lawyer. In a published roster the duty's sequence goes up (phones replace the
    event), the previous lawyer keeps a record of the duty taken away (their feed shows it cancelled), and
    both lawyers hear of it (roster.duty.changed). The one place a duty changes hands: swaps, reassignment
    and replanning all come here."""
    previous = row.lawyer_id
    store(row, duty)
    published = roster.status == RosterStatus.PUBLISHED
    if published and previous != row.lawyer_id:
        row.sequence = (row.sequence or 0) + 1
        uow.session.add(
            DutyTakenAwayRow(assignment_id=row.id, lawyer_id=previous, sequence=row.sequence, taken_at=now())
        )
    uow.session.flush()
    if published:
        uow.emit(
            "roster.duty.changed",
            {
                "assignment_id": row.id,
                "lawyer_id": row.lawyer_id,
                "previous_lawyer_id": previous,
                "station_id": row.station_id,
                "date": row.date,
                "start_time": row.start_time,
                "end_time": row.end_time,
            },
        )


def require_lawyer(session: Session, lawyer_id: str, field: str) -> None:
    if session.get(LawyerRow, lawyer_id) is None:
        raise Invalid(f"no lawyer {lawyer_id}", errors={field: ["no such lawyer"]})


def reassign(*, uow: UnitOfWork, assignment_id: str, lawyer_id: str) -> dict[str, Any]:
    """A scheduler gives one duty to another lawyer, under the same rules as a generated roster."""
    row = load(uow.session, AssignmentRow, assignment_id, "duty")
    roster = uow.session.get(RosterRow, row.roster_id)
    assert roster is not None
    duty = lifecycle.reassign(as_duty(row, roster), to_lawyer_id=lawyer_id)
    require_lawyer(uow.session, lawyer_id, "lawyer_id")
    notices = refuse_if_rules_break(uow.session, row, roster, lawyer_id)
    hand_over(uow, row, roster, duty)
    return {**assignment_view(row), "notices": notices}


# ------------------------------------------------------------------------------------------------ my duties


def my_duties(
    *,
    session: Session,
    lawyer_id: str,
    first: date | None,
    last: date | None,
    limit: int = 1000,
    offset: int = 0,
) -> dict[str, Any]:
    """A lawyer's duties in published rosters, with where to go: the hottest read, one prepared statement on a
    plain connection of the session's (read-only) engine, without the ORM's unit of work around it."""
    bind = session.get_bind()
    if isinstance(bind, Connection):  # a session bound to one connection reads on it
        return duty_reads.my_duties(
            bind, lawyer_id=lawyer_id, first=first, last=last, limit=limit, offset=offset
        )
    with bind.connect() as conn:
        return duty_reads.my_duties(
            conn, lawyer_id=lawyer_id, first=first, last=last, limit=limit, offset=offset
        )
