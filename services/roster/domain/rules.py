"""The roster rules 1-6, each a separate check (rule 6 in `fairness`), and the check of one change (swap,
reassignment)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from .fairness import check_fairness
from .model import (
    Assignment,
    InternShortfall,
    Lawyer,
    RosterProblem,
    Slot,
    Unfilled,
    language_name,
    month_of,
    region_covers,
)
from .roster_view import RosterView, Violation

RULES: Mapping[str, str] = {
    "1": "each slot has its headcount of practising lawyers; interns sit only in intern seats, "
    "never alone, only at township or village stations",
    "2": "no lawyer has two duties on one day, a duty on a leave day, or more than the monthly maximum; "
    "suspended lawyers have none",
    "3": "a lawyer serves only at stations of their own region code, except the hotline",
    "4": "every language a duty names is spoken by a practising lawyer on it",
    "5": "an intern serves at one station a month, a different one from the month before, "
    "and gets the minimum number of duties",
    "6": "duty counts, and weekend-or-holiday duty counts, differ by at most one among lawyers "
    "of a region with the same availability",
}
HARD_RULES: tuple[str, ...] = ("1", "2", "3", "4", "5")
ALL_RULES: tuple[str, ...] = (*HARD_RULES, "6")


@dataclass(frozen=True, kw_only=True)
class Reassignment:
    """One duty handed to another lawyer (a swap is two of them)."""

    assignment: Assignment
    to_lawyer_id: str


@dataclass(frozen=True, kw_only=True)
class ChangeCheck:
    """What a change would break: `violations` refuse it (rules 1-5), `notices` only inform (rule 6)."""

    violations: tuple[Violation, ...]
    notices: tuple[Violation, ...]

    @property
    def allowed(self) -> bool:
        """Whether the change keeps rules 1-5."""
        return not self.violations


def check_headcount_and_intern_seats(
    *, view: RosterView, slots: Iterable[Slot] | None = None, lawyer_ids: Iterable[str] | None = None
) -> list[Violation]:
    """Rule 1: headcount practising lawyers per slot; interns only in intern seats, never alone, only grassroots."""
    problem = view.problem
    violations = [
        v
        for assignment in _assignments_of(view, lawyer_ids=lawyer_ids, slots=slots)
        for v in _seat_violations(view=view, assignment=assignment)
    ]
    for slot in problem.slots if slots is None else slots:
        violations.extend(_slot_staffing_violations(view=view, slot=slot))
    return violations


def _seat_violations(*, view: RosterView, assignment: Assignment) -> list[Violation]:
    lawyer = view.lawyer(assignment.lawyer_id)
    slot = view.problem.slot_by_key.get(assignment.slot_key)
    station = view.station(assignment.station_id)
    where = view.duty(assignment)

    def violation(code: str, message: str) -> Violation:
        return _violation("1", code, message, assignment)

    if slot is None:
        return [
            violation(
                "unknown_slot",
                f"{view.who(assignment.lawyer_id)} is on a duty at {where} that this roster does not have",
            )
        ]
    if lawyer is None:
        return [
            violation(
                "unknown_lawyer",
                f"the duty at {where} names lawyer {assignment.lawyer_id}, who is not on this roster's list",
            )
        ]
    found: list[Violation] = []
    if assignment.role == "lawyer" and lawyer.status == "intern":
        found.append(
            violation(
                "intern_in_lawyer_seat",
                f"{lawyer.name} is an intern and cannot take a practising lawyer's seat at {where}",
            )
        )
    if assignment.role == "intern":
        if lawyer.status == "practising":
            found.append(
                violation(
                    "lawyer_in_intern_seat",
                    f"{lawyer.name} is a practising lawyer, "
                    f"not an intern, but sits in an intern seat at {where}",
                )
            )
        elif lawyer.status == "intern" and not lawyer.is_interning_on(assignment.date):
            found.append(
                violation(
                    "outside_internship",
                    f"{lawyer.name}'s internship does not cover {assignment.date.isoformat()} ({where})",
                )
            )
        if station is not None and not station.is_grassroots:
            found.append(
                violation(
                    "intern_station_level",
                    f"{lawyer.name} is an intern at {where}, a "
                    f"{station.level} station; interns serve only at "
                    "township or village stations",
                )
            )
    return found


def _slot_staffing_violations(*, view: RosterView, slot: Slot) -> list[Violation]:
    assigned = view.by_slot.get(slot.key, ())
    practising = [a for a in assigned if a.role == "lawyer" and _is_practising(view, a.lawyer_id)]
    interns = [a for a in assigned if a.role == "intern"]
    where = view.duty(slot)
    found: list[Violation] = []
    if len(practising) > slot.headcount:
        found.append(
            _slot_violation(
                "1", "overstaffed", f"{where} has {len(practising)} lawyers for {slot.headcount} seats", slot
            )
        )
    if len(interns) > slot.intern_seats:
        found.append(
            _slot_violation(
                "1",
                "intern_seats",
                f"{where} has {len(interns)} interns for {slot.intern_seats} intern seats",
                slot,
            )
        )
    if interns and not practising:
        names = ", ".join(view.who(a.lawyer_id) for a in interns)
        found.append(
            _slot_violation(
                "1",
                "intern_alone",
                f"{names} would staff {where} without a practising lawyer; an intern never sits alone",
                slot,
            )
        )
    missing = slot.headcount - len(practising)
    if missing > 0 and missing > view.excused_seats(slot):
        found.append(
            _slot_violation(
                "1",
                "headcount",
                f"{where} has {len(practising)} of {slot.headcount} lawyers and is not reported as unfilled",
                slot,
            )
        )
    return found


def check_lawyer_availability(
    *, view: RosterView, lawyer_ids: Iterable[str] | None = None
) -> list[Violation]:
    """Rule 2: one duty a day, none on leave, none over the monthly maximum, none for a suspended lawyer."""
    problem = view.problem
    found: list[Violation] = []
    for lawyer_id in sorted(view.by_lawyer if lawyer_ids is None else set(lawyer_ids)):
        duties = sorted(view.by_lawyer.get(lawyer_id, ()), key=lambda a: (a.date, a.start_time, a.slot_key))
        lawyer = view.lawyer(lawyer_id)
        name = view.who(lawyer_id)
        for assignment in duties:
            if lawyer is not None and lawyer.status == "suspended":
                found.append(
                    _violation(
                        "2",
                        "suspended",
                        f"{name} is suspended (停止执业) and cannot be on duty at {view.duty(assignment)}",
                        assignment,
                    )
                )
            if problem.is_on_leave(lawyer_id, assignment.date):
                found.append(
                    _violation(
                        "2",
                        "on_leave",
                        f"{name} is on leave on {assignment.date.isoformat()} "
                        f"but on duty at {view.duty(assignment)}",
                        assignment,
                    )
                )
        per_day = Counter(a.date for a in duties)
        for day, n in sorted(per_day.items()):
            if n > 1:
                found.append(
                    Violation(
                        rule="2",
                        code="double_duty",
                        lawyer_id=lawyer_id,
                        date=day,
                        message=f"{name} has {n} duties on {day.isoformat()}; one a day at most",
                    )
                )
        if lawyer is not None:
            per_month = Counter(month_of(a.date) for a in duties)
            for month, n in sorted(per_month.items()):
                if n > lawyer.max_duties_per_month:
                    found.append(
                        Violation(
                            rule="2",
                            code="monthly_maximum",
                            lawyer_id=lawyer_id,
                            message=f"{name} has {n} duties in {month}, over their monthly "
                            f"maximum of {lawyer.max_duties_per_month}",
                        )
                    )
    return found


def check_region(*, view: RosterView, lawyer_ids: Iterable[str] | None = None) -> list[Violation]:
    """Rule 3: own region code only, except hotline stations, open to every lawyer of the roster's region."""
    found: list[Violation] = []
    for assignment in _assignments_of(view, lawyer_ids=lawyer_ids):
        lawyer = view.lawyer(assignment.lawyer_id)
        station = view.station(assignment.station_id)
        if lawyer is None or station is None:
            continue
        if station.is_hotline:
            if not region_covers(view.problem.region_code, lawyer.region_code):
                found.append(
                    _violation(
                        "3",
                        "region",
                        f"{lawyer.name} ({lawyer.region_code}) is not a lawyer of "
                        f"{view.problem.region_code} and cannot take the hotline "
                        f"duty at {view.duty(assignment)}",
                        assignment,
                    )
                )
        elif station.region_code != lawyer.region_code:
            found.append(
                _violation(
                    "3",
                    "region",
                    f"{lawyer.name} is a lawyer of {lawyer.region_code} and cannot "
                    f"serve at {view.duty(assignment)} in {station.region_code}",
                    assignment,
                )
            )
    return found


def check_languages(*, view: RosterView, slots: Iterable[Slot] | None = None) -> list[Violation]:
    """Rule 4: each language a duty names is spoken by at least one practising lawyer on it."""
    found: list[Violation] = []
    for slot in view.problem.slots if slots is None else slots:
        if not slot.languages:
            continue
        spoken: set[str] = set()
        for assignment in view.by_slot.get(slot.key, ()):
            lawyer = view.lawyer(assignment.lawyer_id)
            if assignment.role == "lawyer" and lawyer is not None and lawyer.is_practising:
                spoken |= lawyer.languages
        missing = slot.languages - spoken - view.excused_languages(slot)
        if missing:
            names = " and ".join(language_name(code) for code in sorted(missing))
            found.append(
                _slot_violation(
                    "4",
                    "language",
                    f"no {names}-speaking practising lawyer on the duty at {view.duty(slot)}",
                    slot,
                )
            )
    return found


def check_intern_rotation(*, view: RosterView, lawyer_ids: Iterable[str] | None = None) -> list[Violation]:
    """Rule 5: one station a month, not last month's where the county has another, the minimum duties."""
    problem = view.problem
    interns = [lawyer for lawyer in problem.lawyers if lawyer.status == "intern"]
    if lawyer_ids is not None:
        wanted = set(lawyer_ids)
        interns = [lawyer for lawyer in interns if lawyer.id in wanted]
    found: list[Violation] = []
    for intern in interns:
        previous = problem.previous_intern_stations.get(intern.id)
        duties = view.by_lawyer.get(intern.id, ())
        for first, last in problem.months():
            stations = sorted({a.station_id for a in duties if first <= a.date <= last})
            found.extend(
                _rotation_violations(
                    view=view, intern=intern, month=(first, last), stations=stations, previous=previous
                )
            )
            found.extend(
                _minimum_violations(
                    view=view,
                    intern=intern,
                    month=(first, last),
                    duties=sum(first <= a.date <= last for a in duties),
                )
            )
            previous = stations[0] if len(stations) == 1 else (None if stations else previous)
    return found


def _rotation_violations(
    *, view: RosterView, intern: Lawyer, month: tuple[date, date], stations: list[str], previous: str | None
) -> list[Violation]:
    label = month_of(month[0])
    if len(stations) > 1:
        names = ", ".join(view.where(s) for s in stations)
        return [
            Violation(
                rule="5",
                code="intern_one_station",
                lawyer_id=intern.id,
                message=f"{intern.name} serves at {len(stations)} stations in {label} ({names}); "
                "an intern stays at one station a month",
            )
        ]
    if stations and previous and stations[0] == previous:
        others = view.intern_stations.get((intern.region_code, label), frozenset())
        if others - {previous}:
            return [
                Violation(
                    rule="5",
                    code="intern_same_station",
                    lawyer_id=intern.id,
                    station_id=previous,
                    message=f"{intern.name} stays at {view.where(previous)} for a second month in "
                    f"{label} although {intern.region_code} has other township or village "
                    "stations with intern seats",
                )
            ]
    return []


def _minimum_violations(
    *, view: RosterView, intern: Lawyer, month: tuple[date, date], duties: int
) -> list[Violation]:
    required = view.problem.min_intern_duties
    if duties >= required or not intern.is_interning_between(*month):
        return []
    label = month_of(month[0])
    for shortfall in view.intern_shortfalls:
        if shortfall.lawyer_id == intern.id and shortfall.month == label and duties >= shortfall.duties:
            return []
    return [
        Violation(
            rule="5",
            code="intern_minimum",
            lawyer_id=intern.id,
            message=f"{intern.name} has {duties} duties in {label}; an intern gets at least {required} "
            "and no shortfall was reported",
        )
    ]


def check_roster(
    *,
    problem: RosterProblem,
    assignments: Iterable[Assignment],
    unfilled: Iterable[Unfilled] = (),
    intern_shortfalls: Iterable[InternShortfall] = (),
    rules: Sequence[str] = ALL_RULES,
) -> list[Violation]:
    """Every violation of the given rules in a roster; reported unfilled slots and shortfalls are excused."""
    view = RosterView(
        problem=problem, assignments=assignments, unfilled=unfilled, intern_shortfalls=intern_shortfalls
    )
    return _check(view=view, rules=rules)


def _check(
    *,
    view: RosterView,
    rules: Sequence[str],
    slots: Iterable[Slot] | None = None,
    lawyer_ids: Iterable[str] | None = None,
) -> list[Violation]:
    slot_list = None if slots is None else list(slots)
    lawyer_list = None if lawyer_ids is None else list(lawyer_ids)
    found: list[Violation] = []
    if "1" in rules:
        found += check_headcount_and_intern_seats(view=view, slots=slot_list, lawyer_ids=lawyer_list)
    if "2" in rules:
        found += check_lawyer_availability(view=view, lawyer_ids=lawyer_list)
    if "3" in rules:
        found += check_region(view=view, lawyer_ids=lawyer_list)
    if "4" in rules:
        found += check_languages(view=view, slots=slot_list)
    if "5" in rules:
        found += check_intern_rotation(view=view, lawyer_ids=lawyer_list)
    if "6" in rules:
        found += check_fairness(view=view)
    return found


def check_change(
    *,
    problem: RosterProblem,
    assignments: Sequence[Assignment],
    changes: Sequence[Reassignment],
    unfilled: Iterable[Unfilled] = (),
    intern_shortfalls: Iterable[InternShortfall] = (),
) -> ChangeCheck:
    """What handing duties to other lawyers would newly break: rules 1-5 refuse it, rule 6 informs."""
    unfilled = tuple(unfilled)
    intern_shortfalls = tuple(intern_shortfalls)
    after = apply_changes(assignments=assignments, changes=changes)
    lawyer_ids = {c.assignment.lawyer_id for c in changes} | {c.to_lawyer_id for c in changes}
    slots = [
        problem.slot_by_key[k]
        for k in sorted({c.assignment.slot_key for c in changes})
        if k in problem.slot_by_key
    ]
    before_view = RosterView(
        problem=problem, assignments=assignments, unfilled=unfilled, intern_shortfalls=intern_shortfalls
    )
    after_view = RosterView(
        problem=problem, assignments=after, unfilled=unfilled, intern_shortfalls=intern_shortfalls
    )

    def scoped(view: RosterView) -> list[Violation]:
        return _check(view=view, rules=HARD_RULES, slots=slots, lawyer_ids=sorted(lawyer_ids))

    before = set(scoped(before_view))
    violations = tuple(v for v in scoped(after_view) if v not in before)
    before_fairness = set(check_fairness(view=before_view))
    notices = tuple(v for v in check_fairness(view=after_view) if v not in before_fairness)
    return ChangeCheck(violations=violations, notices=notices)


def check_reassignment(
    *,
    problem: RosterProblem,
    assignments: Sequence[Assignment],
    assignment: Assignment,
    to_lawyer_id: str,
    unfilled: Iterable[Unfilled] = (),
    intern_shortfalls: Iterable[InternShortfall] = (),
) -> ChangeCheck:
    """What handing one duty to another lawyer (a swap request or a scheduler's reassignment) would break."""
    return check_change(
        problem=problem,
        assignments=assignments,
        changes=[Reassignment(assignment=assignment, to_lawyer_id=to_lawyer_id)],
        unfilled=unfilled,
        intern_shortfalls=intern_shortfalls,
    )


def apply_changes(*, assignments: Sequence[Assignment], changes: Sequence[Reassignment]) -> list[Assignment]:
    """The assignments after each changed duty went to its new lawyer (same seat, same role)."""
    remaining = Counter(c.assignment for c in changes)
    targets: dict[Assignment, list[str]] = defaultdict(list)
    for change in changes:
        targets[change.assignment].append(change.to_lawyer_id)
    result: list[Assignment] = []
    for assignment in assignments:
        if remaining[assignment] > 0:
            remaining[assignment] -= 1
            result.append(replace(assignment, lawyer_id=targets[assignment].pop(0)))
        else:
            result.append(assignment)
    missing = [a for a, n in remaining.items() if n > 0]
    if missing:
        raise ValueError(f"the roster has no duty {missing[0].slot_key} of lawyer {missing[0].lawyer_id}")
    return result


def _assignments_of(
    view: RosterView, *, lawyer_ids: Iterable[str] | None = None, slots: Iterable[Slot] | None = None
) -> list[Assignment]:
    if lawyer_ids is None and slots is None:
        return list(view.assignments)
    chosen: dict[int, Assignment] = {}
    for lawyer_id in lawyer_ids or ():
        for assignment in view.by_lawyer.get(lawyer_id, ()):
            chosen[id(assignment)] = assignment
    for slot in slots or ():
        for assignment in view.by_slot.get(slot.key, ()):
            chosen[id(assignment)] = assignment
    return list(chosen.values())


def _is_practising(view: RosterView, lawyer_id: str) -> bool:
    lawyer = view.lawyer(lawyer_id)
    return lawyer is not None and lawyer.is_practising


def _violation(rule: str, code: str, message: str, assignment: Assignment) -> Violation:
    return Violation(
        rule=rule,
        code=code,
        message=message,
        lawyer_id=assignment.lawyer_id,
        slot_key=assignment.slot_key,
        station_id=assignment.station_id,
        date=assignment.date,
    )


def _slot_violation(rule: str, code: str, message: str, slot: Slot) -> Violation:
    return Violation(
        rule=rule, code=code, message=message, slot_key=slot.key, station_id=slot.station_id, date=slot.date
    )
