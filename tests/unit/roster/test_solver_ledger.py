"""Generation with the burden ledger: the burden of the months before decides who gets more this month,
within rule 6, on instances small enough to know the answer by hand."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from services.roster.domain.fairness import fairness_spread
from services.roster.domain.model import Leave
from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.solver import generate

from .factories import lawyer, problem, slot, station
from .test_solver import county_roster

WORKDAYS = [date(2026, 12, d) for d in (1, 2, 3, 4, 7, 8)]


def duties(result) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter(a.lawyer_id for a in result.assignments)


@pytest.mark.parametrize(("ahead", "behind"), [("a", "b"), ("b", "a")])
def test_the_extra_duty_of_the_month_goes_to_the_lawyer_who_carried_less_before(
    ahead: str, behind: str
) -> None:
    three = problem(
        lawyers=[lawyer("a"), lawyer("b")],
        stations=[station("T")],
        slots=[slot("T", day) for day in WORKDAYS[:3]],
    )
    result = generate(replace(three, prior_burden={ahead: 12.0, behind: 4.0}))
    assert duties(result) == {behind: 2, ahead: 1}


def test_a_lawyer_far_ahead_in_another_availability_group_gets_fewer_duties_this_month() -> None:
    # c is in a group of their own (a day of leave), so rule 6 does not tie c's count to a's and b's
    lawyers = [lawyer("a"), lawyer("b"), lawyer("c")]
    leave = [Leave(lawyer_id="c", start_date=date(2026, 12, 31), end_date=date(2026, 12, 31))]
    six = problem(
        lawyers=lawyers, stations=[station("T")], slots=[slot("T", day) for day in WORKDAYS], leaves=leave
    )
    assert duties(generate(six)) == {"a": 2, "b": 2, "c": 2}
    evened = generate(replace(six, prior_burden={"a": 20.0, "b": 20.0, "c": 23.0}))
    assert duties(evened) == {"a": 3, "b": 3}
    assert check_roster(problem=six, assignments=evened.assignments, rules=HARD_RULES) == []


def test_the_burden_of_the_months_before_never_breaks_rule_6_nor_a_hard_rule() -> None:
    roster = county_roster()
    rng = random.Random(5)
    for _ in range(5):
        prior = {lawyer.id: rng.uniform(0, 60) for lawyer in roster.lawyers}
        result = generate(replace(roster, prior_burden=prior))
        spread, weekend_spread = fairness_spread(problem=roster, assignments=result.assignments)
        assert max(spread, weekend_spread) <= 1
        assert (
            check_roster(
                problem=roster,
                assignments=result.assignments,
                unfilled=result.unfilled,
                intern_shortfalls=result.intern_shortfalls,
                rules=HARD_RULES,
            )
            == []
        )
        assert len(result.unfilled) == len(generate(roster).unfilled)  # coverage is not traded for it
