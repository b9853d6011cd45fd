"""The burden ledger of published rosters: the fairness report a scheduler reads, and the burden of the months
before a roster that its generation evens out (domain/burden.py weighs and scales).

The ledger is computed from the published assignments when asked, not kept in a table: every way a duty
changes hands (reassignment, swap, replan) or a holiday arrangement changes is then in it at once, with no
second copy to keep right. One grouped query per chunk of lawyers reads it, served by the assignments'
(lawyer_id, date) index: a lawyer's duties in a date range are one index range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import String, case, func, literal, select
from sqlalchemy.orm import Session

from services.roster.adapters.orm import AssignmentRow, LawyerRow, LeaveRow, RosterRow, StationRow
from services.roster.domain.burden import (
    DAY_KINDS,
    DEFAULT_WEIGHTS,
    BurdenWeights,
    DayKind,
    Tally,
    availability,
    balance,
    check_range,
    day_kind,
    month_bounds,
    prior_burden,
    scaled,
    tally,
    window_before,
)
from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.model import region_covers
from services.roster.domain.rosters import RosterStatus
from services.roster.service.calendar import load_calendar
from services.roster.service.rows import in_chunks


def fairness_report(
    *,
    session: Session,
    region_code: str,
    from_: str,
    to: str,
    limit: int = 1000,
    offset: int = 0,
    weights: BurdenWeights = DEFAULT_WEIGHTS,
) -> dict[str, Any]:
    """Per lawyer of the region, their published duties, rest-day-or-holiday duties and burden over the months
    `from_`-`to`, most burdened (per unit of availability) first; `balance` over all of them."""
    months = check_range(from_, to)
    first, last = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    calendar = load_calendar(session)
    lawyers = [
        row
        for row in session.execute(
            select(LawyerRow.id, LawyerRow.name, LawyerRow.status, LawyerRow.region_code)
        )
        if region_covers(region_code, row.region_code)
    ]
    tallies = ledger(
        session=session,
        lawyer_ids=[r.id for r in lawyers],
        first=first,
        last=last,
        calendar=calendar,
        weights=weights,
    )
    # interns serve in intern seats, outside the ledger; a suspended lawyer counts for the months they served
    shown = [r for r in lawyers if r.status == "practising" or r.id in tallies]
    available = availabilities(session=session, lawyer_ids=[r.id for r in shown], first=first, last=last)
    items: list[dict[str, Any]] = []
    for row in shown:
        entry = tallies.get(row.id, Tally())
        share = available[row.id]
        per_unit = scaled(entry.burden, share)
        items.append(
            {
                "lawyer_id": row.id,
                "name": row.name,
                "region_code": row.region_code,
                "duties": entry.duties,
                "weekend_holiday_duties": entry.weekend_holiday_duties,
                "burden": round(entry.burden, 2),
                "availability": round(share, 4),
                "scaled_burden": None if per_unit is None else round(per_unit, 2),
            }
        )
    items.sort(key=lambda item: (-(item["scaled_burden"] or 0.0), item["name"], item["lawyer_id"]))
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "balance": round(balance(i["scaled_burden"] for i in items if i["scaled_burden"] is not None), 4),
        "from": months[0],
        "to": months[-1],
    }


def prior_burdens(
    *,
    session: Session,
    lawyer_ids: Iterable[str],
    first: date,
    calendar: WorkCalendar,
    weights: BurdenWeights = DEFAULT_WEIGHTS,
) -> dict[str, float]:
    """Each lawyer's availability-scaled burden over the months of the rolling window before `first`'s month:
    what the generation of a roster starting at `first` evens out."""
    ids = list(lawyer_ids)
    if not ids:
        return {}
    start, end = window_before(first)
    tallies = ledger(
        session=session, lawyer_ids=ids, first=start, last=end, calendar=calendar, weights=weights
    )
    available = availabilities(session=session, lawyer_ids=ids, first=start, last=end)
    return prior_burden(
        burdens={i: t.burden for i, t in tallies.items()}, available=available, lawyer_ids=ids
    )


def ledger(
    *,
    session: Session,
    lawyer_ids: Iterable[str],
    first: date,
    last: date,
    calendar: WorkCalendar,
    weights: BurdenWeights = DEFAULT_WEIGHTS,
) -> dict[str, Tally]:
    """The lawyers' published duties (not intern seats) from `first` to `last`, tallied."""
    return tally(_duty_groups(session, lawyer_ids, first, last, calendar), weights=weights)


def _duty_groups(
    session: Session, lawyer_ids: Iterable[str], first: date, last: date, calendar: WorkCalendar
) -> Iterator[tuple[str, DayKind, str, int]]:
    """(lawyer, kind of day, station level, how many) in one grouped query per chunk of lawyers: the kind of
    day is decided in the query from the calendar's non-working days of the range."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    off = {
        kind: [d for d in days if day_kind(calendar, d) == kind] for kind in DAY_KINDS if kind != "workday"
    }
    kind = case(
        *((AssignmentRow.date.in_(off[k]), literal(k, String())) for k in ("holiday", "rest_day") if off[k]),
        else_=literal("workday", String()),
    )
    for chunk in in_chunks(lawyer_ids):
        query = (
            select(AssignmentRow.lawyer_id, kind, StationRow.level, func.count())
            .join(RosterRow, RosterRow.id == AssignmentRow.roster_id)
            .join(StationRow, StationRow.id == AssignmentRow.station_id)
            .where(
                AssignmentRow.lawyer_id.in_(chunk),
                AssignmentRow.date >= first,
                AssignmentRow.date <= last,
                AssignmentRow.role == "lawyer",
                RosterRow.status == str(RosterStatus.PUBLISHED),
            )
            .group_by(AssignmentRow.lawyer_id, kind, StationRow.level)
        )
        for lawyer_id, day, level, count in session.execute(query):
            yield str(lawyer_id), cast(DayKind, day), str(level), int(count)


def availabilities(
    *, session: Session, lawyer_ids: Iterable[str], first: date, last: date
) -> dict[str, float]:
    """The share of the days from `first` to `last` each lawyer was not on (uncancelled) leave."""
    ids = list(lawyer_ids)
    away: dict[str, set[date]] = {}
    for chunk in in_chunks(ids):
        rows = session.execute(
            select(LeaveRow.lawyer_id, LeaveRow.start_date, LeaveRow.end_date).where(
                LeaveRow.lawyer_id.in_(chunk),
                LeaveRow.cancelled.is_(False),
                LeaveRow.start_date <= last,
                LeaveRow.end_date >= first,
            )
        )
        for lawyer_id, start, end in rows:
            day, stop = max(start, first), min(end, last)
            days = away.setdefault(lawyer_id, set())
            while day <= stop:
                days.add(day)
                day += timedelta(days=1)
    total = (last - first).days + 1
    return {i: availability(days=total, leave_days=len(away.get(i, ()))) for i in ids}
