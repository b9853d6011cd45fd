"""A duty's burden when substitutes are ranked: the burden ledger's weights (working day 1, rest day 2,
public holiday 3 by China's calendar, plus travel at township and village posts)."""

from datetime import date

from services.roster.domain.calendar import WorkCalendar
from services.roster.service.repair import duty_weight

CALENDAR = WorkCalendar.build()


def test_a_working_day_weighs_one_a_weekend_two_and_a_public_holiday_three():
    assert duty_weight(date(2026, 12, 1), "county", CALENDAR) == 1  # a Tuesday
    assert duty_weight(date(2026, 12, 6), "county", CALENDAR) == 2  # a Sunday
    assert duty_weight(date(2026, 10, 1), "county", CALENDAR) == 3  # National Day


def test_an_adjusted_working_saturday_weighs_one():
    assert duty_weight(date(2026, 10, 10), "county", CALENDAR) == 1  # 调休: worked for the National Day week


def test_a_village_or_township_post_weighs_more_for_the_travel():
    assert duty_weight(date(2026, 12, 1), "township", CALENDAR) == 1.25
    assert duty_weight(date(2026, 12, 6), "village", CALENDAR) == 2.5
