"""A duty's burden until the ledger lands: working day 1, rest day 2, public holiday 3 (China's calendar)."""

from datetime import date

from services.roster.domain.calendar import WorkCalendar
from services.roster.service.repair import duty_weight

CALENDAR = WorkCalendar.build()


def test_a_working_day_weighs_one_a_weekend_two_and_a_public_holiday_three():
    assert duty_weight(date(2026, 12, 1), CALENDAR) == 1  # a Tuesday
    assert duty_weight(date(2026, 12, 6), CALENDAR) == 2  # a Sunday
    assert duty_weight(date(2026, 10, 1), CALENDAR) == 3  # National Day


def test_an_adjusted_working_saturday_weighs_one():
    assert duty_weight(date(2026, 10, 10), CALENDAR) == 1  # 调休: worked for the National Day week
