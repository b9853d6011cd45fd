"""The one intern-date rule (is this intern active on that day or in that month) and an intern's record."""

from __future__ import annotations

from datetime import date

import pytest

from services.roster.domain.model import Lawyer, internship_errors


def intern(start: date | None, end: date | None, status: str = "intern") -> Lawyer:
    return Lawyer(
        id="li",
        name="李明",
        status=status,
        region_code="654021",
        intern_start=start,  # type: ignore[arg-type]
        intern_end=end,
        supervisor_id="ayi" if status == "intern" else None,
    )


@pytest.mark.parametrize(
    ("first", "last", "active"),
    [
        (date(2026, 2, 1), date(2026, 2, 28), False),  # the month before
        (date(2026, 3, 1), date(2026, 3, 1), True),  # the first day
        (date(2026, 2, 15), date(2026, 3, 15), True),  # overlapping the start
        (date(2026, 6, 30), date(2026, 6, 30), True),  # the last day
        (date(2026, 7, 1), date(2026, 7, 31), False),  # the month after
    ],
)
def test_an_intern_is_active_in_a_period_that_overlaps_the_internship(
    first: date, last: date, active: bool
) -> None:
    lawyer = intern(date(2026, 3, 1), date(2026, 6, 30))
    assert lawyer.is_interning_between(first, last) is active
    if first == last:
        assert lawyer.is_interning_on(first) is active


def test_an_internship_without_an_end_goes_on_and_a_practising_lawyer_never_interns() -> None:
    assert intern(date(2026, 3, 1), None).is_interning_on(date(2030, 1, 1))
    assert not intern(None, None, status="practising").is_interning_between(
        date(2026, 1, 1), date(2026, 12, 31)
    )


def test_an_intern_needs_dates_and_a_supervisor_and_an_internship_ends_after_it_starts() -> None:
    assert internship_errors(status="intern", intern_start=None, intern_end=None, supervisor_id=None) == {
        "intern_start": ["required for an intern lawyer"],
        "intern_end": ["required for an intern lawyer"],
        "supervisor_id": ["required for an intern lawyer"],
    }
    assert internship_errors(
        status="intern", intern_start=date(2026, 3, 1), intern_end=date(2026, 2, 1), supervisor_id="ayi"
    ) == {"intern_end": ["must not be before intern_start"]}
    assert (
        internship_errors(status="practising", intern_start=None, intern_end=None, supervisor_id=None) == {}
    )
