"""Rule 6, fairness: duty counts, and weekend-or-holiday duty counts, differ by at most one among the
practising lawyers of a region with the same availability (leave days and monthly maximum) in a month. The
rule book reports it as a notice; the solver aims at it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from .model import Assignment, RosterProblem, month_of, region_covers
from .roster_view import RosterView, Violation


def check_fairness(*, view: RosterView) -> list[Violation]:
    """Rule 6: duty and weekend-or-holiday counts within one among lawyers of a region with the same availability."""
    problem = view.problem
    found: list[Violation] = []
    for first, last in problem.months():
        counts, weekend = _month_counts(view=view, first=first, last=last)
        for (region_code, _, _), members in sorted(
            fairness_groups(problem=problem, first=first, last=last).items(),
            key=lambda item: (item[0][0], sorted(item[1])),
        ):
            if len(members) < 2:
                continue
            for kind, tally in (("duties", counts), ("weekend-or-holiday duties", weekend)):
                low = min(members, key=lambda m: (tally[m], m))
                high = max(members, key=lambda m: (tally[m], m))
                if tally[high] - tally[low] > 1:
                    found.append(
                        Violation(
                            rule="6",
                            code="fairness",
                            lawyer_id=high,
                            message=f"{kind} are not spread fairly among the {len(members)} lawyers of {region_code} "
                            f"with the same availability in {month_of(first)}: from {tally[low]} "
                            f"({view.who(low)}) to {tally[high]} ({view.who(high)})",
                        )
                    )
    return found


def fairness_spread(*, problem: RosterProblem, assignments: Iterable[Assignment]) -> tuple[int, int]:
    """The largest gap in duty counts, and in weekend-or-holiday duty counts, inside any fairness group."""
    view = RosterView(problem=problem, assignments=assignments)
    spread = weekend_spread = 0
    for first, last in problem.months():
        counts, weekend = _month_counts(view=view, first=first, last=last)
        for members in fairness_groups(problem=problem, first=first, last=last).values():
            spread = max(spread, max(counts[m] for m in members) - min(counts[m] for m in members))
            weekend_spread = max(
                weekend_spread, max(weekend[m] for m in members) - min(weekend[m] for m in members)
            )
    return spread, weekend_spread


def fairness_groups(
    *, problem: RosterProblem, first: date, last: date
) -> dict[tuple[str, frozenset[date], int], list[str]]:
    """Practising lawyers of the roster's region by (region code, leave days in the month, monthly maximum)."""
    groups: dict[tuple[str, frozenset[date], int], list[str]] = defaultdict(list)
    for lawyer in problem.lawyers:
        if not lawyer.is_practising or not region_covers(problem.region_code, lawyer.region_code):
            continue
        leave = frozenset(d for d in problem.leave_days.get(lawyer.id, ()) if first <= d <= last)
        groups[(lawyer.region_code, leave, lawyer.max_duties_per_month)].append(lawyer.id)
    return groups


def _month_counts(*, view: RosterView, first: date, last: date) -> tuple[Counter[str], Counter[str]]:
    counts: Counter[str] = Counter()
    weekend: Counter[str] = Counter()
    for assignment in view.assignments:
        if not first <= assignment.date <= last:
            continue
        counts[assignment.lawyer_id] += 1
        slot = view.problem.slot_by_key.get(assignment.slot_key)
        if slot is not None and slot.holiday:
            weekend[assignment.lawyer_id] += 1
    return counts, weekend
