"""Duty patterns expanded into slots: China's calendar or an RFC 5545 RRULE."""

from datetime import date, time

import pytest

from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.model import DutyPattern, Station
from services.roster.domain.slots import expand_patterns, pattern_dates, validate_rrule

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
CALENDAR = WorkCalendar.build()
TOWNSHIP = Station(id="S1", name="Sarybulaq township station", level="township", region_code="654021")


def dates_of(days="workdays", rrule=None, period=OCTOBER, calendar=CALENDAR, skip=True):
    pattern = DutyPattern(
        id="P1",
        station_id="S1",
        start_time=time(10),
        end_time=time(14),
        days=days,
        rrule=rrule,
        skip_public_holidays=skip,
    )
    return pattern_dates(pattern=pattern, calendar=calendar, period_start=period[0], period_end=period[1])


def test_a_workday_pattern_skips_national_day_and_runs_on_the_adjusted_saturday():
    october = dates_of("workdays")
    assert date(2026, 10, 1) not in october
    assert date(2026, 10, 7) not in october
    assert date(2026, 10, 9) in october
    assert date(2026, 10, 10) in october
    assert date(2026, 10, 11) not in october
    assert len(october) == 18  # 22 weekdays, 5 of them national day, plus the adjusted Saturday


def test_a_daily_pattern_runs_every_day_holidays_included():
    assert len(dates_of("daily")) == 31


def test_a_non_workday_pattern_runs_on_weekends_and_holidays_but_not_the_adjusted_saturday():
    october = dates_of("non_workdays")
    assert date(2026, 10, 1) in october
    assert date(2026, 10, 10) not in october
    assert date(2026, 10, 11) in october
    assert len(october) + len(dates_of("workdays")) == 31


def test_a_weekday_pattern_skips_public_holidays_unless_told_not_to():
    wednesdays = dates_of((3,))
    assert date(2026, 10, 7) not in wednesdays
    assert wednesdays == [date(2026, 10, 14), date(2026, 10, 21), date(2026, 10, 28)]
    assert date(2026, 10, 7) in dates_of((3,), skip=False)


def test_an_rrule_replaces_the_days_and_starts_at_the_period_start():
    assert dates_of("daily", rrule="FREQ=MONTHLY;BYDAY=+2TU") == [date(2026, 10, 13)]
    fridays = [date(2026, 10, 2), date(2026, 10, 16), date(2026, 10, 30)]  # every other week from 1 October
    assert dates_of(rrule="RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", skip=False) == fridays
    assert dates_of(rrule="RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR") == fridays[1:]


def test_an_rrule_until_in_utc_is_accepted():
    assert dates_of(rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261013T000000Z") == [date(2026, 10, 12)]


def test_an_rrule_occurrence_on_a_public_holiday_is_skipped_by_default():
    assert dates_of(rrule="FREQ=MONTHLY;BYMONTHDAY=1") == []
    assert dates_of(rrule="FREQ=MONTHLY;BYMONTHDAY=1", skip=False) == [date(2026, 10, 1)]


@pytest.mark.parametrize(
    "text", ["", "FREQ=SECONDLY", "FREQ=FORTNIGHTLY", "DTSTART:20261001\nRRULE:FREQ=DAILY", "BYDAY=MO"]
)
def test_an_unusable_rrule_is_refused(text):
    with pytest.raises(ValueError, match="RRULE"):
        validate_rrule(text)


def test_a_pattern_in_a_fallback_year_follows_monday_to_friday():
    january = dates_of("workdays", period=(date(2027, 1, 1), date(2027, 1, 31)))
    assert date(2027, 1, 1) in january  # a Friday: no official holiday data for 2027
    assert len(january) == 21


def test_slots_carry_the_pattern_and_whether_the_day_is_a_non_working_day():
    pattern = DutyPattern(
        id="P1",
        station_id="S1",
        start_time=time(10, 30),
        end_time=time(14, 30),
        days="daily",
        headcount=2,
        languages={"kk"},
        intern_seats=1,
    )
    slots = expand_patterns(
        patterns=[pattern],
        stations=[TOWNSHIP],
        calendar=CALENDAR,
        period_start=date(2026, 10, 9),
        period_end=date(2026, 10, 11),
    )
    assert [(s.date, s.holiday) for s in slots] == [
        (date(2026, 10, 9), False), (date(2026, 10, 10), False), (date(2026, 10, 11), True),
    ]  # fmt: skip
    first = slots[0]
    assert (first.headcount, first.languages, first.intern_seats, first.start_time) == (
        2,
        {"kk"},
        1,
        time(10, 30),
    )
    assert first.key == "P1|2026-10-09|10:30"


def test_a_pattern_of_an_unknown_station_is_refused():
    pattern = DutyPattern(id="P9", station_id="nowhere", start_time=time(10), end_time=time(14))
    with pytest.raises(ValueError, match="unknown station"):
        expand_patterns(
            patterns=[pattern],
            stations=[TOWNSHIP],
            calendar=CALENDAR,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 2),
        )


@pytest.mark.parametrize(
    "fields", [{"days": (0,)}, {"days": "weekends"}, {"end_time": time(9)}, {"headcount": -1}]
)
def test_a_malformed_duty_pattern_is_refused(fields):
    values = {"id": "P1", "station_id": "S1", "start_time": time(10), "end_time": time(14), **fields}
    with pytest.raises(ValueError, match="days|ends after it starts|must not be negative"):
        DutyPattern(**values)
