"""Loading a roster's problem (lawyers, stations, slots, leave, last month's intern stations, the burden of the
months before) from the database into the domain's RosterProblem, and assignment rows into domain assignments."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.roster.adapters.orm import (
    AssignmentRow,
    DutyPatternRow,
    LawyerRow,
    LeaveRow,
    RosterRow,
    StationRow,
)
from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.model import (
    Assignment,
    DutyPattern,
    Lawyer,
    Leave,
    RosterProblem,
    Station,
    region_covers,
    slot_key,
)
from services.roster.domain.rosters import SCHEDULED
from services.roster.domain.slots import expand_patterns
from services.roster.service.calendar import load_calendar
from services.roster.service.fairness import prior_burdens


def hhmm(value: str) -> time:
    return time.fromisoformat(value)


def to_lawyer(row: LawyerRow, *, max_duties: int | None = None) -> Lawyer:
    return Lawyer(
        id=row.id,
        name=row.name,
        status=row.status,  # type: ignore[arg-type]
        region_code=row.region_code,
        languages=frozenset(row.languages),
        max_duties_per_month=row.max_duties_per_month if max_duties is None else max_duties,
        intern_start=row.intern_start,
        intern_end=row.intern_end,
        supervisor_id=row.supervisor_id,
    )


def to_station(row: StationRow) -> Station:
    return Station(
        id=row.id,
        name=row.name,
        level=row.level,  # type: ignore[arg-type]
        region_code=row.region_code,
        parent_id=row.parent_id,
    )


def to_pattern(row: DutyPatternRow) -> DutyPattern:
    days = row.days if isinstance(row.days, str) else tuple(row.days)
    return DutyPattern(
        id=row.id,
        station_id=row.station_id,
        start_time=hhmm(row.start_time),
        end_time=hhmm(row.end_time),
        days=days,  # type: ignore[arg-type]
        rrule=row.rrule,
        headcount=row.headcount,
        languages=frozenset(row.languages),
        intern_seats=row.intern_seats,
        skip_public_holidays=row.skip_public_holidays,
    )


def to_assignment(row: AssignmentRow) -> Assignment:
    start = hhmm(row.start_time)
    return Assignment(
        slot_key=slot_key(pattern_id=row.pattern_id or f"manual:{row.id}", day=row.date, start_time=start),
        station_id=row.station_id,
        date=row.date,
        start_time=start,
        end_time=hhmm(row.end_time),
        lawyer_id=row.lawyer_id,
        role=row.role,  # type: ignore[arg-type]
    )


def build_problem(session: Session, roster: RosterRow, calendar: WorkCalendar | None = None) -> RosterProblem:
    """Everything the roster of `roster.region_code` over its period is generated and checked against.

    Duties the same lawyers already have in other rosters over the period count against them: those days are
    unavailable and their monthly maximum shrinks accordingly. The burden ledger of the months before the period
    (service/fairness.py) comes along, for generation to even out.
    """
    calendar = calendar or load_calendar(session)
    first, last = roster.period_start, roster.period_end
    lawyer_rows = [
        r for r in session.scalars(select(LawyerRow)) if region_covers(roster.region_code, r.region_code)
    ]
    station_rows = [
        r for r in session.scalars(select(StationRow)) if region_covers(roster.region_code, r.region_code)
    ]
    station_ids = {s.id for s in station_rows}
    pattern_rows = [
        r
        for r in session.scalars(select(DutyPatternRow).where(DutyPatternRow.active.is_(True)))
        if r.station_id in station_ids
    ]
    known = {r.id for r in lawyer_rows}
    leaves = [
        Leave(lawyer_id=r.lawyer_id, start_date=r.start_date, end_date=r.end_date)
        for r in session.scalars(
            select(LeaveRow).where(
                LeaveRow.cancelled.is_(False), LeaveRow.start_date <= last, LeaveRow.end_date >= first
            )
        )
        if r.lawyer_id in known
    ]
    # duties elsewhere: other rosters (not this one) that are generated or published
    elsewhere = session.execute(
        select(AssignmentRow.lawyer_id, AssignmentRow.date)
        .join(RosterRow, RosterRow.id == AssignmentRow.roster_id)
        .where(
            AssignmentRow.roster_id != roster.id,
            RosterRow.status.in_([str(s) for s in SCHEDULED]),
            AssignmentRow.date >= first,
            AssignmentRow.date <= last,
        )
    ).all()
    busy_per_month: Counter[tuple[str, int, int]] = Counter()
    for lawyer_id, day in elsewhere:
        if lawyer_id not in known:
            continue
        leaves.append(Leave(lawyer_id=lawyer_id, start_date=day, end_date=day))
        busy_per_month[(lawyer_id, day.year, day.month)] += 1
    taken: dict[str, int] = {}
    for (lawyer_id, _year, _month), n in busy_per_month.items():
        taken[lawyer_id] = max(taken.get(lawyer_id, 0), n)
    lawyers = []
    for row in lawyer_rows:
        lawyers.append(to_lawyer(row, max_duties=max(0, row.max_duties_per_month - taken.get(row.id, 0))))
    stations = [to_station(r) for r in station_rows]
    slots = expand_patterns(
        patterns=[to_pattern(r) for r in pattern_rows],
        stations=stations,
        calendar=calendar,
        period_start=first,
        period_end=last,
    )
    return RosterProblem(
        region_code=roster.region_code,
        period_start=first,
        period_end=last,
        lawyers=tuple(lawyers),
        stations=tuple(stations),
        slots=tuple(slots),
        leaves=tuple(leaves),
        previous_intern_stations=previous_intern_stations(session, lawyer_rows, first),
        min_intern_duties=roster.min_intern_duties,
        prior_burden=prior_burdens(
            session=session,
            lawyer_ids=[r.id for r in lawyer_rows if r.status == "practising"],
            first=first,
            calendar=calendar,
        ),
    )


def previous_intern_stations(session: Session, lawyer_rows: list[LawyerRow], first: date) -> dict[str, str]:
    """Where each intern served in the month before `first` (the station with most of their duties)."""
    interns = [r.id for r in lawyer_rows if r.status == "intern"]
    if not interns:
        return {}
    month_end = first.replace(day=1) - timedelta(days=1)
    month_start = month_end.replace(day=1)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    rows = session.execute(
        select(AssignmentRow.lawyer_id, AssignmentRow.station_id)
        .join(RosterRow, RosterRow.id == AssignmentRow.roster_id)
        .where(
            AssignmentRow.lawyer_id.in_(interns),
            AssignmentRow.role == "intern",
            RosterRow.status.in_([str(s) for s in SCHEDULED]),
            AssignmentRow.date >= month_start,
            AssignmentRow.date <= month_end,
        )
    ).all()
    for lawyer_id, station_id in rows:
        counts[lawyer_id][station_id] += 1
    return {lawyer_id: c.most_common(1)[0][0] for lawyer_id, c in counts.items()}
