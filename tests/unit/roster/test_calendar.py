"""China's working-day calendar: official data, overrides, Monday-Friday fallback."""

from datetime import date

import pytest

from services.roster.domain.calendar import OFFICIAL_LAST_YEAR, WorkCalendar

OFFICIAL = WorkCalendar.build()


def test_national_day_2026_is_off_from_the_first_to_the_seventh_of_october():
    assert all(OFFICIAL.is_holiday(date(2026, 10, d)) for d in range(1, 8))
    assert all(OFFICIAL.is_public_holiday(date(2026, 10, d)) for d in range(1, 8))
    assert OFFICIAL.is_workday(date(2026, 10, 8))


def test_saturday_the_tenth_of_october_2026_is_an_adjusted_working_day():
    saturday = date(2026, 10, 10)
    assert saturday.isoweekday() == 6
    assert OFFICIAL.is_workday(saturday)
    assert not OFFICIAL.is_holiday(saturday)
    assert not OFFICIAL.is_public_holiday(saturday)


def test_an_ordinary_weekend_is_a_non_working_day_but_no_public_holiday():
    sunday = date(2026, 10, 11)
    assert OFFICIAL.is_holiday(sunday)
    assert not OFFICIAL.is_public_holiday(sunday)


def test_years_the_package_knows_come_from_the_official_data():
    assert OFFICIAL.source(2026) == "official"
    assert OFFICIAL.warnings_for(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_a_year_beyond_the_bundled_data_falls_back_to_monday_to_friday_with_a_warning():
    year = OFFICIAL_LAST_YEAR + 1
    assert OFFICIAL.source(year) == "fallback"
    new_year = date(year, 1, 1)
    assert OFFICIAL.is_workday(new_year) == (new_year.weekday() < 5)
    assert not OFFICIAL.is_public_holiday(new_year)
    assert OFFICIAL.warnings_for(date(OFFICIAL_LAST_YEAR, 12, 1), date(year, 1, 31)) == [
        f"calendar_unofficial:{year}"
    ]


def test_january_2027_depends_on_the_fallback():
    assert OFFICIAL.warnings_for(date(2027, 1, 1), date(2027, 1, 31)) == ["calendar_unofficial:2027"]


def test_a_roster_touching_two_unofficial_years_warns_about_both():
    assert OFFICIAL.warnings_for(date(2027, 12, 1), date(2028, 1, 31)) == [
        "calendar_unofficial:2027",
        "calendar_unofficial:2028",
    ]


def test_an_override_wins_over_the_fallback():
    calendar = WorkCalendar.build(overrides={2027: ({date(2027, 1, 1)}, {date(2027, 1, 9)})})
    assert calendar.source(2027) == "override"
    assert calendar.is_holiday(date(2027, 1, 1))  # a Friday, made a public holiday
    assert calendar.is_public_holiday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 1, 9))  # a Saturday, made a working day
    assert calendar.warnings_for(date(2027, 1, 1), date(2027, 1, 31)) == []


def test_an_override_wins_over_the_official_data():
    calendar = WorkCalendar.build(overrides={2026: (set(), {date(2026, 10, 11)})})
    assert calendar.source(2026) == "override"
    assert calendar.is_workday(date(2026, 10, 1))  # the override names no holiday, so Thursday works
    assert calendar.is_workday(date(2026, 10, 11))


def test_an_override_with_a_date_of_another_year_is_refused():
    with pytest.raises(ValueError, match="outside 2027"):
        WorkCalendar.build(overrides={2027: ({date(2026, 12, 31)}, set())})


def test_an_override_naming_a_date_both_holiday_and_working_day_is_refused():
    with pytest.raises(ValueError, match="both"):
        WorkCalendar.build(overrides={2027: ({date(2027, 1, 4)}, {date(2027, 1, 4)})})


def test_the_arrangement_in_force_lists_the_official_adjusted_working_days():
    arrangement = OFFICIAL.arrangement(2026)
    assert date(2026, 10, 10) in arrangement.workdays
    assert date(2026, 10, 1) in arrangement.holidays
    assert OFFICIAL.arrangement(OFFICIAL_LAST_YEAR + 1).holidays == frozenset()
