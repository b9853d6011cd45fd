"""Expanding duty patterns over a period into slots, on China's calendar or an RFC 5545 RRULE."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrule, rrulestr

from .calendar import WorkCalendar
from .model import DutyPattern, Slot, Station

_ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)")


def parse_rrule(text: str, *, dtstart: date) -> rrule:
    """Parse an RRULE (with or without the `RRULE:` prefix) starting on `dtstart`; ValueError if unusable."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body or "\n" in body or "DTSTART" in body.upper():
        raise ValueError("give one RRULE line without DTSTART; the roster's period start is used")
    try:
        rule = rrulestr(body, dtstart=datetime.combine(dtstart, time(0)), ignoretz=True)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a valid RFC 5545 RRULE: {error}") from error
    frequency = _FREQ.search(body.upper())
    if not isinstance(rule, rrule) or frequency is None or frequency.group(1) not in _ALLOWED_FREQUENCIES:
        raise ValueError("RRULE frequency must be DAILY, WEEKLY, MONTHLY or YEARLY")
    return rule


def validate_rrule(text: str) -> None:
    """Raise ValueError when `text` is not an RRULE a duty pattern can use."""
    parse_rrule(text, dtstart=date(2000, 1, 1))


def pattern_dates(
    *, pattern: DutyPattern, calendar: WorkCalendar, period_start: date, period_end: date
) -> list[date]:
    """The dates in [period_start, period_end] on which `pattern` runs."""
    if pattern.rrule:
        rule = parse_rrule(pattern.rrule, dtstart=period_start)
        occurrences = rule.between(
            datetime.combine(period_start, time(0)), datetime.combine(period_end, time(23, 59, 59)), inc=True
        )
        days = sorted({occurrence.date() for occurrence in occurrences})
        return [d for d in days if not (pattern.skip_public_holidays and calendar.is_public_holiday(d))]
    return [d for d in _days(period_start, period_end) if _runs_on(pattern=pattern, calendar=calendar, day=d)]


def expand_pattern(
    *, pattern: DutyPattern, station: Station, calendar: WorkCalendar, period_start: date, period_end: date
) -> list[Slot]:
    """The slots of one pattern over the period."""
    return [
        Slot(
            pattern_id=pattern.id,
            station_id=station.id,
            date=day,
            start_time=pattern.start_time,
            end_time=pattern.end_time,
            headcount=pattern.headcount,
            languages=pattern.languages,
            intern_seats=pattern.intern_seats,
            holiday=calendar.is_holiday(day),
        )
        for day in pattern_dates(
            pattern=pattern, calendar=calendar, period_start=period_start, period_end=period_end
        )
    ]


def expand_patterns(
    *,
    patterns: Iterable[DutyPattern],
    stations: Mapping[str, Station] | Iterable[Station],
    calendar: WorkCalendar,
    period_start: date,
    period_end: date,
) -> list[Slot]:
    """The slots of every pattern over the period, sorted by date, start time and key."""
    by_id = stations if isinstance(stations, Mapping) else {s.id: s for s in stations}
    slots: list[Slot] = []
    for pattern in patterns:
        station = by_id.get(pattern.station_id)
        if station is None:
            raise ValueError(f"pattern {pattern.id} names unknown station {pattern.station_id}")
        slots.extend(
            expand_pattern(
                pattern=pattern,
                station=station,
                calendar=calendar,
                period_start=period_start,
                period_end=period_end,
            )
        )
    slots.sort(key=lambda s: (s.date, s.start_time, s.key))
    return slots


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _runs_on(*, pattern: DutyPattern, calendar: WorkCalendar, day: date) -> bool:
    if pattern.days == "daily":
        return True
    if pattern.days == "workdays":
        return calendar.is_workday(day)
    if pattern.days == "non_workdays":
        return calendar.is_holiday(day)
    if pattern.skip_public_holidays and calendar.is_public_holiday(day):
        return False
    return day.isoweekday() in pattern.days
