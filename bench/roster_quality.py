"""Roster quality under shortage (rule 7): the project's solver against an exact CP-SAT model of rules 1-4 and 7
on the same instances, in the same run; and a repair after leave (replan) against the number of duties the
leave took away.

For each instance it prints one JSON line: open points (a slot with at least one practising lawyer and every
language it names spoken), seats staffed and fully staffed slots, for the project and for the reference,
with the reference's proven bounds and whether it proved optimality, and the times. The reference is
lexicographic like rule 7: first the most open points, then (with that many open) the most seats; it is
given the project's roster as a hint (a starting point only: its bounds are its own).

The repair lines: on the full prefecture, the lawyers with the most duties after 10 December go on leave
one at a time and the roster is replanned from that date (domain only): changes against N, new rule
violations, time; then the same through the roster service on SQLite, with one duty's substitutes.

    python -m bench.roster_quality [--time-limit 60] [--only NAME|replan]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time as clock
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ortools.sat.python import cp_model
from sqlalchemy import select, update

from bench.roster_bench import build_instance, build_instance_with_patterns
from services.roster.domain.model import (
    Assignment,
    Lawyer,
    Leave,
    RosterProblem,
    Slot,
    Station,
    region_covers,
)
from services.roster.domain.replan import Duty, replan
from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.solver import generate

FIRST, LAST = date(2026, 12, 1), date(2026, 12, 31)


@dataclass(frozen=True)
class Figures:
    """What a roster achieves under rule 7."""

    open_points: int
    seats: int
    full: int

    @classmethod
    def of(cls, problem: RosterProblem, assignments: Sequence[Assignment]) -> Figures:
        """Count open points, staffed seats and fully staffed slots of a roster."""
        lawyers = problem.lawyer_by_id
        crews: dict[str, list[Lawyer]] = defaultdict(list)
        for assignment in assignments:
            lawyer = lawyers[assignment.lawyer_id]
            if assignment.role == "lawyer" and lawyer.is_practising:
                crews[assignment.slot_key].append(lawyer)
        open_points = seats = full = 0
        for slot in problem.slots:
            crew = crews.get(slot.key, [])
            spoken = frozenset().union(*(lawyer.languages for lawyer in crew)) if crew else frozenset()
            covered = slot.languages <= spoken
            seats += len(crew)
            open_points += bool(crew) and covered
            full += len(crew) >= slot.headcount and covered and slot.headcount > 0
        return cls(open_points=open_points, seats=seats, full=full)


def eligible(problem: RosterProblem, lawyer: Lawyer, slot: Slot) -> bool:
    """Rules 2 and 3 for one practising lawyer and one slot (leave and region)."""
    station = problem.station_by_id[slot.station_id]
    if station.is_hotline:
        in_region = region_covers(problem.region_code, lawyer.region_code)
    else:
        in_region = station.region_code == lawyer.region_code
    return (
        in_region
        and slot.date not in problem.leave_days.get(lawyer.id, ())
        and lawyer.max_duties_per_month > 0
    )


@dataclass
class ExactModel:
    """The CP-SAT model of rules 1-4 and 7: x[lawyer, slot] booleans and, per slot, `open` (staffed, every
    language spoken) over its crew."""

    model: cp_model.CpModel
    x: dict[tuple[str, str], cp_model.IntVar]
    slots: list[tuple[Slot, cp_model.IntVar, list[tuple[Lawyer, cp_model.IntVar]]]]


def exact_model(problem: RosterProblem) -> ExactModel:
    """One boolean per (practising lawyer, slot) they may serve; rules 1-4 as constraints."""
    model = cp_model.CpModel()
    practising = [lawyer for lawyer in problem.lawyers if lawyer.is_practising]
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    by_slot: dict[str, list[tuple[Lawyer, cp_model.IntVar]]] = defaultdict(list)
    by_lawyer_day: dict[tuple[str, date], list[cp_model.IntVar]] = defaultdict(list)
    by_lawyer_month: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    for slot in problem.slots:
        for lawyer in practising:
            if slot.headcount > 0 and eligible(problem, lawyer, slot):
                var = model.new_bool_var(f"x{len(x)}")
                x[(lawyer.id, slot.key)] = var
                by_slot[slot.key].append((lawyer, var))
                by_lawyer_day[(lawyer.id, slot.date)].append(var)
                by_lawyer_month[(lawyer.id, slot.date.month)].append(var)
    slots = []
    for slot in problem.slots:
        crew = by_slot.get(slot.key, [])
        if not crew:
            continue
        staffed = model.new_bool_var(f"open:{slot.key}")  # rule 4: staffed only with every language spoken
        everyone = [var for _, var in crew]
        model.add(sum(everyone) <= slot.headcount)  # rule 1
        model.add(sum(everyone) >= staffed)
        for var in everyone:
            model.add_implication(var, staffed)
        for code in slot.languages:
            model.add(sum(var for lawyer, var in crew if code in lawyer.languages) >= staffed)
        slots.append((slot, staffed, crew))
    for variables in by_lawyer_day.values():
        model.add_at_most_one(variables)  # rule 2: one duty a day
    for (lawyer_id, _), variables in by_lawyer_month.items():
        maximum = problem.lawyer_by_id[lawyer_id].max_duties_per_month
        if len(variables) > maximum:
            model.add(sum(variables) <= maximum)  # rule 2: the monthly maximum
    return ExactModel(model=model, x=x, slots=slots)


def reference(
    problem: RosterProblem, *, time_limit: float, hint: Sequence[Assignment] = ()
) -> dict[str, Any]:
    """Rule 7 solved exactly, lexicographically: the most open points, then with that many the most seats.

    `hint` (the project's roster) is only a starting point for the search: the bounds are the model's own.
    """
    exact = exact_model(problem)
    model, x = exact.model, exact.x
    opened = [staffed for _, staffed, _ in exact.slots]
    hinted = {(a.lawyer_id, a.slot_key) for a in hint if a.role == "lawyer"}
    for key, var in x.items():
        model.add_hint(var, key in hinted)
    for slot, staffed, crew in exact.slots:
        model.add_hint(staffed, any((lawyer.id, slot.key) in hinted for lawyer, _ in crew))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 8  # the full portfolio (with LP workers): 1-2 workers prove far less
    started = clock.perf_counter()
    model.maximize(sum(opened))
    status = solver.solve(model)
    open_best, open_bound = int(solver.objective_value), int(solver.best_objective_bound + 1e-6)
    open_proven = status == cp_model.OPTIMAL
    model.clear_hints()
    for var in x.values():
        model.add_hint(var, solver.value(var))
    for staffed in opened:
        model.add_hint(staffed, solver.value(staffed))
    model.add(sum(opened) >= open_best)
    model.maximize(sum(x.values()))
    status = solver.solve(model)
    seats_best, seats_bound = int(solver.objective_value), int(solver.best_objective_bound + 1e-6)
    return {
        "open_points": open_best,
        "open_points_bound": open_bound,
        "open_points_proven": open_proven,
        "seats": seats_best,
        "seats_bound": seats_bound,
        "seats_proven": status == cp_model.OPTIMAL and open_proven,
        "full": sum(
            bool(solver.value(staffed)) and sum(solver.value(v) for _, v in crew) >= slot.headcount
            for slot, staffed, crew in exact.slots
        ),
        "variables": len(x),
        "reference_s": round(clock.perf_counter() - started, 2),
    }


# ------------------------------------------------------------------------------------------------ instances


def _station(station_id: str, level: str, region: str = "654021") -> Station:
    return Station(id=station_id, name=station_id, level=level, region_code=region)  # type: ignore[arg-type]


def _slot(station_id: str, day: date, headcount: int = 1, languages: Sequence[str] = ()) -> Slot:
    return Slot(
        pattern_id=f"P-{station_id}",
        station_id=station_id,
        date=day,
        start_time=time(10),
        end_time=time(14),
        headcount=headcount,
        languages=frozenset(languages),
    )


def _lawyer(
    lawyer_id: str, languages: Sequence[str] = ("zh",), maximum: int = 8, region: str = "654021"
) -> Lawyer:
    return Lawyer(
        id=lawyer_id,
        name=lawyer_id,
        status="practising",
        region_code=region,
        languages=frozenset(languages),
        max_duties_per_month=maximum,
    )


def centre_and_villages() -> RosterProblem:
    """Two lawyers, a county centre of two and two village posts on one day: both villages open."""
    return RosterProblem(
        region_code="654000",
        period_start=FIRST,
        period_end=LAST,
        lawyers=(_lawyer("a"), _lawyer("b")),
        stations=(_station("C", "county"), _station("V1", "village"), _station("V2", "village")),
        slots=(_slot("C", FIRST, 2), _slot("V1", FIRST), _slot("V2", FIRST)),
    )


def county_week() -> RosterProblem:
    """One county for a fortnight: a Kazakh-speaking centre of two every working day, six townships, twenty
    village posts (a third Kazakh, a sixth Uyghur), nine lawyers with leave and small monthly maxima."""
    stations = (
        [_station("C", "county")]
        + [_station(f"T{i}", "township") for i in range(6)]
        + [_station(f"V{i}", "village") for i in range(20)]
    )
    slots: list[Slot] = []
    for offset in range(14):
        day = FIRST + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        slots.append(_slot("C", day, 2, ("kk",)))
        slots.append(_slot(f"T{offset % 6}", day, 1, ("ug",) if offset % 3 == 0 else ()))
        for v in range(20):
            if (v + offset) % 7 == 0:
                slots.append(_slot(f"V{v}", day, 1, ("kk",) if v % 3 == 0 else ("ug",) if v % 6 == 1 else ()))
    lawyers = [
        _lawyer("L0", ("zh", "kk"), 4),
        _lawyer("L1", ("zh", "kk")),
        _lawyer("L2", ("zh", "ug"), 3),
        _lawyer("L3", ("zh",), 5),
        _lawyer("L4", ("zh",)),
        _lawyer("L5", ("zh", "kk", "ug"), 4),
        _lawyer("L6", ("zh",), 2),
        _lawyer("L7", ("zh", "ug")),
        _lawyer("L8", ("zh",), 6),
    ]
    leaves = (
        Leave(lawyer_id="L1", start_date=date(2026, 12, 3), end_date=date(2026, 12, 9)),
        Leave(lawyer_id="L4", start_date=date(2026, 12, 10), end_date=date(2026, 12, 14)),
    )
    return RosterProblem(
        region_code="654000",
        period_start=FIRST,
        period_end=LAST,
        lawyers=tuple(lawyers),
        stations=tuple(stations),
        slots=tuple(slots),
        leaves=leaves,
    )


def prefecture(staffing: float, seed: int = 7) -> Callable[[], RosterProblem]:
    """The generated Ili prefecture (about 1,000 stations, language seats, leave, monthly maxima of 6-10)
    for December 2026 with only `staffing` of its lawyers."""

    def build() -> RosterProblem:
        problem, _ = build_instance(scale="prefecture", seed=seed, first=FIRST, last=LAST, staffing=staffing)
        return problem

    return build


def without_hotline(build: Callable[[], RosterProblem]) -> Callable[[], RosterProblem]:
    """The instance without the 12348 hotline (every region independent)."""

    def stripped() -> RosterProblem:
        problem = build()
        hotline = {s.id for s in problem.stations if s.is_hotline}
        return replace(
            problem,
            stations=tuple(s for s in problem.stations if s.id not in hotline),
            slots=tuple(s for s in problem.slots if s.station_id not in hotline),
        )

    return stripped


INSTANCES: dict[str, Callable[[], RosterProblem]] = {
    "centre_and_two_villages": centre_and_villages,
    "county_fortnight_languages_leave_maxima": county_week,
    "prefecture_7pct_lawyers_no_hotline": without_hotline(prefecture(0.07)),
    "prefecture_7pct_lawyers": prefecture(0.07),
    "prefecture_15pct_lawyers_no_hotline": without_hotline(prefecture(0.15)),
    "prefecture_15pct_lawyers": prefecture(0.15),
}


def compare(name: str, problem: RosterProblem, *, time_limit: float) -> dict[str, Any]:
    """The project's solver and the exact reference on one instance."""
    started = clock.perf_counter()
    result = generate(problem)
    project_s = clock.perf_counter() - started
    violations = check_roster(
        problem=problem,
        assignments=result.assignments,
        unfilled=result.unfilled,
        intern_shortfalls=result.intern_shortfalls,
        rules=HARD_RULES,
    )
    ours = Figures.of(problem, result.assignments)
    ref = reference(problem, time_limit=time_limit, hint=result.assignments)
    return {
        "instance": name,
        "practising": sum(lawyer.is_practising for lawyer in problem.lawyers),
        "slots": len(problem.slots),
        "seats_wanted": sum(slot.headcount for slot in problem.slots),
        "project": {
            "open_points": ours.open_points,
            "seats": ours.seats,
            "full": ours.full,
            "time_s": round(project_s, 3),
            "hard_rule_violations": len(violations),
            "unfilled_explained": sum(bool(u.reason) for u in result.unfilled),
            "unfilled": len(result.unfilled),
        },
        "reference": ref,
        "gap_open_points": ref["open_points"] - ours.open_points,
        "gap_seats": ref["seats"] - ours.seats,
        "verdict": _verdict(ours, ref),
    }


def _verdict(ours: Figures, ref: dict[str, Any]) -> str:
    """In words: is the project's roster proven optimal under rule 7, and if not, how far could it be?"""
    parts = []
    for name, mine, proven in (
        ("open points", ours.open_points, ref["open_points_proven"]),
        ("seats", ours.seats, ref["seats_proven"]),
    ):
        key = name.replace(" ", "_")
        bound = ref[f"{key}_bound"]
        if mine >= bound:
            parts.append(f"{name} optimal (proven: bound {bound})")
        elif proven:
            parts.append(f"{name} {bound - mine} below the proven optimum {bound}")
        else:
            parts.append(f"{name}: optimum not proven; best found {ref[key]}, bound {bound}, project {mine}")
    return "; ".join(parts)


def measure_replan(*, leave_from: date, trials: int = 3) -> list[dict[str, Any]]:
    """The full prefecture generated and published; the lawyers with the most duties after `leave_from`
    go on leave (one at a time) and the roster is replanned from that date: changes against N, and time."""
    problem, _ = build_instance(scale="prefecture", seed=7, first=FIRST, last=LAST)
    result = generate(problem)
    duties = [Duty(id=f"A{i}", assignment=a) for i, a in enumerate(result.assignments)]
    ahead = Counter(a.lawyer_id for a in result.assignments if a.role == "lawyer" and a.date >= leave_from)
    figures = []
    for lawyer_id, n in sorted(ahead.items(), key=lambda item: (-item[1], item[0]))[:trials]:
        ill = replace(
            problem,
            leaves=(*problem.leaves, Leave(lawyer_id=lawyer_id, start_date=leave_from, end_date=LAST)),
        )
        started = clock.perf_counter()
        repair = replan(problem=ill, duties=duties, from_date=leave_from)
        elapsed = clock.perf_counter() - started
        before = set(
            check_roster(
                problem=ill,
                assignments=result.assignments,
                unfilled=result.unfilled,
                intern_shortfalls=result.intern_shortfalls,
                rules=HARD_RULES,
            )
        )
        after = check_roster(
            problem=ill,
            assignments=repair.assignments,
            unfilled=[*result.unfilled, *repair.unfilled],
            intern_shortfalls=result.intern_shortfalls,
            rules=HARD_RULES,
        )
        figures.append(
            {
                "instance": "prefecture_replan_after_leave",
                "lawyer_id": lawyer_id,
                "from_date": leave_from.isoformat(),
                "duties_taken_by_leave_N": n,
                "changes": len(repair.changes),
                "reassigned": len(repair.reassigned),
                "removed": len(repair.removed),
                "added": len(repair.added),
                "unfilled": len(repair.unfilled),
                "new_hard_rule_violations": sum(v not in before for v in after),
                "time_s": round(elapsed, 3),
                "goal": "changes == N, time < 2 s",
            }
        )
    return figures


def measure_service_replan(*, leave_from: date) -> dict[str, Any]:
    """The same repair through the roster service on SQLite (load, re-check every rule, store, emit), and the
    substitutes of one of the duties, with their times."""
    from bench.roster_service_bench import MIGRATIONS, load
    from services.common.db import UnitOfWork, make_engine, make_session_factory
    from services.common.migrate import upgrade
    from services.roster.adapters.orm import AssignmentRow, LeaveRow, RosterRow, metadata
    from services.roster.service.generation_worker import run_queued_generation
    from services.roster.service.repair import replan_roster, substitutes

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/roster.sqlite3"
        problem, patterns, _ = build_instance_with_patterns(
            scale="prefecture", seed=7, first=FIRST, last=LAST
        )
        upgrade(url, MIGRATIONS)
        load(url, problem, patterns)
        factory = make_session_factory(make_engine(url), metadata)
        run_queued_generation(factory)
        with factory() as session:
            session.execute(update(RosterRow).values(status="published"))
            rows = session.scalars(
                select(AssignmentRow).where(AssignmentRow.role == "lawyer", AssignmentRow.date >= leave_from)
            ).all()
            lawyer_id, n = Counter(row.lawyer_id for row in rows).most_common(1)[0]
            duty_id = next(row.id for row in rows if row.lawyer_id == lawyer_id)
            session.add(
                LeaveRow(
                    id=str(uuid.uuid4()),
                    lawyer_id=lawyer_id,
                    start_date=leave_from,
                    end_date=LAST,
                    reason=None,
                    created_by="bench",
                    created_at=datetime.now(UTC),
                    cancelled=False,
                )
            )
            session.commit()
        today = FIRST - timedelta(days=1)
        with factory() as session:
            started = clock.perf_counter()
            found = substitutes(session=session, assignment_id=duty_id, today=today)
            substitutes_s = clock.perf_counter() - started
        with UnitOfWork(factory, producer="roster") as uow:
            started = clock.perf_counter()
            result = replan_roster(uow=uow, roster_id="bench-roster", from_date=leave_from, today=today)
            uow.commit()
            replan_s = clock.perf_counter() - started
    return {
        "instance": "prefecture_replan_through_the_service_sqlite",
        "duties_taken_by_leave_N": n,
        "changes": len(result["changes"]),
        "unfilled": len(result["unfilled"]),
        "replan_s": round(replan_s, 3),
        "substitutes": found["total"],
        "substitutes_s": round(substitutes_s, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per CP-SAT phase")
    parser.add_argument("--only", default=None, help="one instance (or 'replan')")
    args = parser.parse_args(argv)
    for name, build in INSTANCES.items():
        if args.only and args.only != name:
            continue
        print(json.dumps(compare(name, build(), time_limit=args.time_limit)), flush=True)
    if args.only in (None, "replan"):
        for line in measure_replan(leave_from=date(2026, 12, 10)):
            print(json.dumps(line), flush=True)
        print(json.dumps(measure_service_replan(leave_from=date(2026, 12, 10))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
