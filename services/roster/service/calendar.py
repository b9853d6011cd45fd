"""The working-day calendar in force: bundled State Council data, overridden per year by schedulers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.auth import Identity
from services.common.db import UnitOfWork
from services.roster.adapters.orm import CalendarYearRow
from services.roster.domain.calendar import WorkCalendar, YearArrangement, check_arrangement
from services.roster.domain.errors import Invalid, refuse_bad_fields
from services.roster.service.rows import now

MIN_YEAR, MAX_YEAR = 2000, 2100


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar with every scheduler override."""
    overrides = {
        row.year: (
            [date.fromisoformat(d) for d in row.holidays],
            [date.fromisoformat(d) for d in row.workdays],
        )
        for row in session.scalars(select(CalendarYearRow))
    }
    return WorkCalendar.build(overrides=overrides)


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"year {year} is out of range", errors={"year": [f"must be {MIN_YEAR}-{MAX_YEAR}"]})


def put_year(
    *, uow: UnitOfWork, year: int, holidays: list[date], workdays: list[date], identity: Identity
) -> dict[str, Any]:
    """Set the official holiday arrangement of a year."""
    check_year(year)
    errors: dict[str, list[str]] = {}
    for name, days in (("holidays", holidays), ("workdays", workdays)):
        stray = sorted(d.isoformat() for d in days if d.year != year)
        if stray:
            errors[name] = [f"dates outside {year}: {', '.join(stray)}"]
    both = sorted(set(holidays) & set(workdays))
    if both:
        errors["workdays"] = [f"also listed as holidays: {', '.join(d.isoformat() for d in both)}"]
    refuse_bad_fields(errors)
    check_arrangement(year=year, arrangement=YearArrangement(frozenset(holidays), frozenset(workdays)))
    row = uow.session.get(CalendarYearRow, year) or CalendarYearRow(year=year)
    row.holidays = sorted({d.isoformat() for d in holidays})
    row.workdays = sorted({d.isoformat() for d in workdays})
    row.updated_by = identity.user_id
    row.updated_at = now()
    uow.session.add(row)
    uow.session.flush()
    return year_view(load_calendar(uow.session), year)


def year_view(calendar: WorkCalendar, year: int) -> dict[str, Any]:
    arrangement = calendar.arrangement(year)
    return {
        "year": year,
        "source": calendar.source(year),
        "holidays": sorted(arrangement.holidays),
        "workdays": sorted(arrangement.workdays),
        "warnings": calendar.warnings_for(date(year, 1, 1), date(year, 12, 31)),
    }


def get_year(*, session: Session, year: int) -> dict[str, Any]:
    check_year(year)
    return year_view(load_calendar(session), year)
