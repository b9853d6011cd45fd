"""China's working-day calendar: official data, per-year overrides, Monday-Friday fallback."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from chinese_calendar import constants as _official

CalendarSource = Literal["override", "official", "fallback"]

OFFICIAL_FIRST_YEAR: int = min(_official.holidays).year
OFFICIAL_LAST_YEAR: int = max(_official.holidays).year


@dataclass(frozen=True)
class YearArrangement:
    """The holiday arrangement of one year: public holidays and adjusted working days (调休)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are working days: an override for the year, else the State Council data, else Mon-Fri."""

    overrides: Mapping[int, YearArrangement] = field(default_factory=dict)

    @classmethod
    def build(
        cls, *, overrides: Mapping[int, tuple[Iterable[date], Iterable[date]]] | None = None
    ) -> WorkCalendar:
        """Build a calendar from `{year: (holidays, workdays)}` overrides."""
        arrangements: dict[int, YearArrangement] = {}
        for year, (holidays, workdays) in (overrides or {}).items():
            arrangement = YearArrangement(holidays=frozenset(holidays), workdays=frozenset(workdays))
            check_arrangement(year=year, arrangement=arrangement)
            arrangements[year] = arrangement
        return cls(overrides=arrangements)

    def source(self, year: int) -> CalendarSource:
        """Where the working days of `year` come from."""
        if year in self.overrides:
            return "override"
        if OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR:
            return "official"
        return "fallback"

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day (adjusted working Saturdays included, public holidays excluded)."""
        source = self.source(day.year)
        if source == "override":
            arrangement = self.overrides[day.year]
            if day in arrangement.workdays:
                return True
            return day.weekday() < 5 and day not in arrangement.holidays
        if source == "official":
            # chinese_calendar.is_workday, without its per-call range scan
            return day in _official.workdays or (day.weekday() < 5 and day not in _official.holidays)
        return day.weekday() < 5

    def is_holiday(self, day: date) -> bool:
        """Whether `day` is a non-working day: a weekend or public holiday that is not an adjusted working day."""
        return not self.is_workday(day)

    def is_public_holiday(self, day: date) -> bool:
        """Whether `day` is part of a public holiday (a weekend inside a holiday block counts)."""
        source = self.source(day.year)
        if source == "override":
            return day in self.overrides[day.year].holidays
        if source == "official":
            return day in _official.holidays
        return False

    def arrangement(self, year: int) -> YearArrangement:
        """The holidays and adjusted working days in force for `year` (empty for a fallback year)."""
        source = self.source(year)
        if source == "override":
            return self.overrides[year]
        if source == "official":
            return YearArrangement(
                holidays=frozenset(d for d in _official.holidays if d.year == year),
                workdays=frozenset(d for d in _official.workdays if d.year == year),
            )
        return YearArrangement()

    def warnings_for(self, start: date, end: date) -> list[str]:
        """Warnings for a period touching years without official data, e.g. `calendar_unofficial:2027`."""
        return [
            f"calendar_unofficial:{year}"
            for year in range(start.year, end.year + 1)
            if self.source(year) == "fallback"
        ]


def check_arrangement(*, year: int, arrangement: YearArrangement) -> None:
    """Refuse an override whose dates lie outside its year or are both holiday and working day."""
    stray = sorted(d for d in arrangement.holidays | arrangement.workdays if d.year != year)
    if stray:
        raise ValueError(f"dates outside {year}: {', '.join(d.isoformat() for d in stray)}")
    both = sorted(arrangement.holidays & arrangement.workdays)
    if both:
        raise ValueError(f"both holiday and working day: {', '.join(d.isoformat() for d in both)}")
