"""Use cases of repairing a published roster: replan it from a date on, list who could take one duty, and
the duties a new leave takes from its lawyer. None commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.roster.adapters.orm import AssignmentRow, RosterRow, StationRow, SwapRow
from services.roster.domain import duties as lifecycle
from services.roster.domain.burden import DEFAULT_WEIGHTS, day_kind
from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.duties import DutyStatus
from services.roster.domain.errors import Conflict, Invalid
from services.roster.domain.model import InternShortfall, RosterProblem, Unfilled, month_of, region_covers
from services.roster.domain.replan import Change, Duty, Repair, replan
from services.roster.domain.rosters import SCHEDULED, RosterStatus
from services.roster.domain.rules import HARD_RULES, RULES, check_reassignment, check_roster
from services.roster.domain.swaps import SwapStatus
from services.roster.service.calendar import load_calendar
from services.roster.service.duties import as_duty, hand_over, today_in_beijing
from services.roster.service.problem import build_problem, hhmm, to_assignment
from services.roster.service.rows import load, new_id, touch

# ------------------------------------------------------------------------------------------------ replan


def replan_roster(
    *,
    uow: UnitOfWork,
    roster_id: str,
    from_date: date,
    reason: str | None = None,
    today: date | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Re-solve a published roster from `from_date` on (coverage first, then the fewest changed duties, then
    fairness); duties before it (and before today), checked-in duties and approved swaps never move. Each
    duty handed to another lawyer raises roster.duty.changed; the answer is the diff and what stays open.
    With `dry_run` the same diff is computed (and refused alike) but nothing is written or raised: a new
    duty then has no assignment_id yet."""
    session = uow.session
    roster = load(session, RosterRow, roster_id, "roster")
    if roster.status != RosterStatus.PUBLISHED:
        raise Conflict(
            f"only a published roster is replanned; this one is {roster.status} (generate it again)"
        )
    if not roster.period_start <= from_date <= roster.period_end:
        raise Invalid(
            f"from_date {from_date.isoformat()} is outside the roster",
            errors={
                "from_date": [
                    f"must be within the roster's period {roster.period_start.isoformat()} to "
                    f"{roster.period_end.isoformat()}"
                ]
            },
        )
    start = max(from_date, today or today_in_beijing())
    calendar = load_calendar(session)
    problem = build_problem(session, roster, calendar)
    rows = {
        row.id: row
        for row in session.scalars(select(AssignmentRow).where(AssignmentRow.roster_id == roster.id))
    }
    duties = [Duty(id=row.id, assignment=to_assignment(row)) for row in rows.values()]
    repair = replan(problem=problem, duties=duties, from_date=start, pinned=_pinned(session, roster))
    unfilled_before, shortfalls = _reported(roster)
    unfilled_after = [u for u in unfilled_before if u.date < start] + list(repair.unfilled)
    shortfalls_after = shortfalls + _interns_left_short(problem, repair, shortfalls)
    _refuse_new_violations(
        problem=problem,
        before=[d.assignment for d in duties],
        repair=repair,
        unfilled_before=unfilled_before,
        unfilled_after=unfilled_after,
        shortfalls_before=shortfalls,
        shortfalls_after=shortfalls_after,
    )
    unfilled_view = [_unfilled_view(u) for u in repair.unfilled]
    if dry_run:
        return {
            "changes": [_preview(rows, change, problem) for change in repair.changes],
            "unfilled": unfilled_view,
        }
    answered = [_apply(uow, roster, rows, change, problem) for change in repair.changes]
    _restate(roster, problem, repair, unfilled_after, shortfalls_after, from_date=from_date, reason=reason)
    session.flush()
    return {"changes": answered, "unfilled": unfilled_view}


def _pinned(session: Session, roster: RosterRow) -> set[str]:
    """Duties that never move: checked in (or completed), and approved swaps."""
    moved = select(AssignmentRow.id).where(
        AssignmentRow.roster_id == roster.id, AssignmentRow.status != str(DutyStatus.SCHEDULED)
    )
    swapped = (
        select(SwapRow.assignment_id)
        .join(AssignmentRow, AssignmentRow.id == SwapRow.assignment_id)
        .where(AssignmentRow.roster_id == roster.id, SwapRow.status == str(SwapStatus.APPROVED))
    )
    return set(session.scalars(moved)) | set(session.scalars(swapped))


def _interns_left_short(
    problem: RosterProblem, repair: Repair, reported: list[InternShortfall]
) -> list[InternShortfall]:
    """Interns whose seats the repair took away (their duty lost its practising lawyer, or they are away)
    and who now have fewer than the minimum that month: reported, as generation reports them."""
    known = {(s.lawyer_id, s.month) for s in reported}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for a in repair.assignments:
        counts[(a.lawyer_id, month_of(a.date))] += 1
    found: list[InternShortfall] = []
    for change in repair.removed:
        key = (change.from_lawyer_id or "", month_of(change.date))
        if change.role == "intern" and key not in known and counts[key] < problem.min_intern_duties:
            known.add(key)
            found.append(
                InternShortfall(
                    lawyer_id=key[0],
                    month=key[1],
                    duties=counts[key],
                    required=problem.min_intern_duties,
                    reason=f"intern seats taken away by a replan: the duty of {change.date.isoformat()} lost its "
                    "practising lawyer or the intern is away",
                )
            )
    return found


def _reported(roster: RosterRow) -> tuple[list[Unfilled], list[InternShortfall]]:
    """The gaps and intern shortfalls the roster's stats report (they excuse what they name)."""
    stats = roster.stats or {}
    unfilled = [
        Unfilled(
            station_id=u["station_id"],
            date=date.fromisoformat(u["date"]),
            start_time=hhmm(u["start_time"]),
            reason=u["reason"],
        )
        for u in stats.get("unfilled", [])
    ]
    shortfalls = [
        InternShortfall(
            lawyer_id=s["lawyer_id"],
            month=s["month"],
            duties=s["duties"],
            required=s["required"],
            reason=s["reason"],
        )
        for s in stats.get("intern_shortfalls", [])
    ]
    return unfilled, shortfalls


def _refuse_new_violations(
    *,
    problem: RosterProblem,
    before: list[Any],
    repair: Repair,
    unfilled_before: list[Unfilled],
    unfilled_after: list[Unfilled],
    shortfalls_before: list[InternShortfall],
    shortfalls_after: list[InternShortfall],
) -> None:
    """Rules 1-5 re-checked on the whole roster (as swaps are): the repair may only remove violations."""
    old = set(
        check_roster(
            problem=problem,
            assignments=before,
            unfilled=unfilled_before,
            intern_shortfalls=shortfalls_before,
            rules=HARD_RULES,
        )
    )
    new = [
        v
        for v in check_roster(
            problem=problem,
            assignments=repair.assignments,
            unfilled=unfilled_after,
            intern_shortfalls=shortfalls_after,
            rules=HARD_RULES,
        )
        if v not in old
    ]
    if new:
        first = new[0]
        raise Conflict(
            f"rule {first.rule} ({RULES.get(first.rule, '')}): {first.message}",
            rule=first.rule,
            violations=[{"rule": v.rule, "code": v.code, "message": v.message} for v in new],
        )


def _apply(
    uow: UnitOfWork, roster: RosterRow, rows: dict[str, AssignmentRow], change: Change, problem: RosterProblem
) -> dict[str, Any]:
    """Store one change: a duty handed over (through hand_over), taken away (deleted), or new; each raises
    roster.duty.changed."""
    session = uow.session
    if change.assignment_id is None:
        assert change.to_lawyer_id is not None
        slot = problem.slot_by_key[change.slot_key]
        row_id = new_id()
        session.execute(
            insert(AssignmentRow),
            [
                {
                    "id": row_id,
                    "roster_id": roster.id,
                    "station_id": slot.station_id,
                    "pattern_id": slot.pattern_id,
                    "date": slot.date,
                    "start_time": slot.start_time.strftime("%H:%M"),
                    "end_time": slot.end_time.strftime("%H:%M"),
                    "lawyer_id": change.to_lawyer_id,
                    "role": change.role,
                    "status": str(DutyStatus.SCHEDULED),
                }
            ],
        )
        uow.emit(
            "roster.duty.changed",
            {
                "assignment_id": row_id,
                "lawyer_id": change.to_lawyer_id,
                "previous_lawyer_id": None,
                "station_id": slot.station_id,
                "date": slot.date,
                "start_time": slot.start_time.strftime("%H:%M"),
                "end_time": slot.end_time.strftime("%H:%M"),
            },
        )
        return _change_view(change, row_id, slot.start_time.strftime("%H:%M"))
    row = rows[change.assignment_id]
    start_time = row.start_time
    if change.to_lawyer_id is None:
        # the duty goes with nobody to take it: its lawyer hears of it (lawyer_id null), then it is deleted
        uow.emit(
            "roster.duty.changed",
            {
                "assignment_id": row.id,
                "lawyer_id": None,
                "previous_lawyer_id": row.lawyer_id,
                "station_id": row.station_id,
                "date": row.date,
                "start_time": row.start_time,
                "end_time": row.end_time,
            },
        )
        for swap in session.scalars(select(SwapRow).where(SwapRow.assignment_id == row.id)):
            session.delete(swap)
        session.delete(row)
    else:
        hand_over(
            uow, row, roster, lifecycle.reassign(as_duty(row, roster), to_lawyer_id=change.to_lawyer_id)
        )
    return _change_view(change, change.assignment_id, start_time)


def _preview(rows: dict[str, AssignmentRow], change: Change, problem: RosterProblem) -> dict[str, Any]:
    """What `_apply` would answer for one change, without storing it (a new duty has no id yet)."""
    if change.assignment_id is None:
        return _change_view(change, None, problem.slot_by_key[change.slot_key].start_time.strftime("%H:%M"))
    return _change_view(change, change.assignment_id, rows[change.assignment_id].start_time)


def _change_view(change: Change, assignment_id: str | None, start_time: str) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id,
        "date": change.date,
        "station_id": change.station_id,
        "start_time": start_time,
        "from_lawyer_id": change.from_lawyer_id,
        "to_lawyer_id": change.to_lawyer_id,
    }


def _unfilled_view(item: Unfilled) -> dict[str, Any]:
    return item.as_stats()


def _restate(
    roster: RosterRow,
    problem: RosterProblem,
    repair: Repair,
    unfilled: list[Unfilled],
    shortfalls: list[InternShortfall],
    *,
    from_date: date,
    reason: str | None,
) -> None:
    """The roster's stats after the repair: gaps, filled slots, duties per lawyer, and the repair itself."""
    stats = dict(roster.stats or {})
    counts: dict[str, int] = defaultdict(int)
    for a in repair.assignments:
        counts[a.lawyer_id] += 1
    open_keys = {(u.station_id, u.date, u.start_time) for u in unfilled}
    stats["unfilled"] = [
        u.as_stats() for u in sorted(unfilled, key=lambda u: (u.date, u.start_time, u.station_id))
    ]
    stats["filled"] = sum(1 for s in problem.slots if (s.station_id, s.date, s.start_time) not in open_keys)
    stats["duties_per_lawyer"] = {
        lawyer.id: counts.get(lawyer.id, 0) for lawyer in problem.lawyers if lawyer.status != "suspended"
    }
    stats["intern_shortfalls"] = [s.as_stats() for s in shortfalls]
    stats["last_replan"] = {
        "from_date": from_date.isoformat(),
        "reason": reason,
        "changes": len(repair.changes),
    }
    roster.stats = stats
    touch(roster)


# ------------------------------------------------------------------------------------------------ leave


def affected_by_leave(session: Session, *, lawyer_id: str, first: date, last: date) -> list[str]:
    """The lawyer's published, not yet checked-in duties from `first` to `last`: they now need cover."""
    return list(
        session.scalars(
            select(AssignmentRow.id)
            .join(RosterRow, RosterRow.id == AssignmentRow.roster_id)
            .where(
                AssignmentRow.lawyer_id == lawyer_id,
                RosterRow.status == str(RosterStatus.PUBLISHED),
                AssignmentRow.status == str(DutyStatus.SCHEDULED),
                AssignmentRow.date >= first,
                AssignmentRow.date <= last,
            )
            .order_by(AssignmentRow.date, AssignmentRow.start_time, AssignmentRow.id)
        )
    )


# ------------------------------------------------------------------------------------------------ substitutes


@dataclass(frozen=True)
class MonthLoad:
    """A lawyer's duties in one calendar month: how many, their burden, and the last one before a date."""

    duties: int
    burden: float
    last_duty: date | None


def duty_weight(day: date, level: str, calendar: WorkCalendar) -> float:
    """The burden of one duty, as the burden ledger weighs it (`domain.burden`: working day 1, rest day 2,
    public holiday 3, plus travel at township and village posts)."""
    return DEFAULT_WEIGHTS.of(day_kind(calendar, day), level)


def month_loads(
    session: Session, *, lawyer_ids: list[str], day: date, calendar: WorkCalendar
) -> dict[str, MonthLoad]:
    """Each lawyer's duties in generated or published rosters in the month of `day`, weighted by
    `duty_weight` (the burden ledger's weights), and their last duty before `day`."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    found: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for start in range(0, len(lawyer_ids), 500):
        for lawyer_id, when, level in session.execute(
            select(AssignmentRow.lawyer_id, AssignmentRow.date, StationRow.level)
            .join(RosterRow, RosterRow.id == AssignmentRow.roster_id)
            .join(StationRow, StationRow.id == AssignmentRow.station_id)
            .where(
                AssignmentRow.lawyer_id.in_(lawyer_ids[start : start + 500]),
                RosterRow.status.in_([str(s) for s in SCHEDULED]),
                AssignmentRow.date >= first - timedelta(days=366),
                AssignmentRow.date <= last,
            )
        ):
            found[lawyer_id].append((when, level))
    loads = {}
    for lawyer_id in lawyer_ids:
        duties = found.get(lawyer_id, [])
        this_month = [(d, level) for d, level in duties if first <= d <= last]
        before = [d for d, _ in duties if d < day]
        loads[lawyer_id] = MonthLoad(
            duties=len(this_month),
            burden=sum(duty_weight(d, level, calendar) for d, level in this_month),
            last_duty=max(before) if before else None,
        )
    return loads


def substitutes(
    *, session: Session, assignment_id: str, today: date | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """The lawyers who could take this duty without breaking rules 1-5, the best first: fewest duties and
    burden this month, then least recently on duty."""
    row = load(session, AssignmentRow, assignment_id, "duty")
    roster = session.get(RosterRow, row.roster_id)
    assert roster is not None
    today = today or today_in_beijing()
    if row.status != DutyStatus.SCHEDULED:
        raise Conflict(f"the duty is already {row.status.replace('_', ' ')}; it cannot change hands")
    if row.date < today:
        raise Conflict(f"the duty on {row.date.isoformat()} is past; nobody can take it now")
    calendar = load_calendar(session)
    problem = build_problem(session, roster, calendar)
    assignments = [
        to_assignment(a)
        for a in session.scalars(select(AssignmentRow).where(AssignmentRow.roster_id == roster.id))
    ]
    duty = to_assignment(row)
    station = problem.station_by_id.get(row.station_id)
    busy = {a.lawyer_id for a in assignments if a.date == row.date}
    month = month_of(row.date)
    in_month: dict[str, int] = defaultdict(int)
    for a in assignments:
        if month_of(a.date) == month:
            in_month[a.lawyer_id] += 1
    wanted_status = "practising" if row.role == "lawyer" else "intern"
    candidates = [
        lawyer
        for lawyer in problem.lawyers
        if lawyer.status == wanted_status
        and lawyer.id not in busy
        and station is not None
        and (
            region_covers(problem.region_code, lawyer.region_code)
            if station.is_hotline
            else lawyer.region_code == station.region_code
        )
        and not problem.is_on_leave(lawyer.id, row.date)
        and in_month[lawyer.id] < lawyer.max_duties_per_month
    ]
    able = [
        lawyer
        for lawyer in candidates
        if check_reassignment(
            problem=problem, assignments=assignments, assignment=duty, to_lawyer_id=lawyer.id
        ).allowed
    ]
    loads = month_loads(session, lawyer_ids=[lawyer.id for lawyer in able], day=row.date, calendar=calendar)
    ranked = sorted(
        able,
        key=lambda lawyer: (
            loads[lawyer.id].duties,
            loads[lawyer.id].burden,
            loads[lawyer.id].last_duty or date.min,
            lawyer.name,
            lawyer.id,
        ),
    )
    items = [
        {
            "lawyer_id": lawyer.id,
            "name": lawyer.name,
            "duties_this_month": loads[lawyer.id].duties,
            "burden": loads[lawyer.id].burden,
        }
        for lawyer in ranked
    ]
    return {"items": items[offset : offset + limit], "total": len(items)}
