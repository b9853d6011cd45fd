"""The calendar feed as RFC 5545, read by a strict parser (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from services.roster.service.ical import duties_ics, uid_of
from tests.calendar_feeds import events, strictly_parsed


def duty(assignment_id: str, *, sequence: int = 0, day: date = date(2026, 12, 3)) -> dict:
    return {
        "id": assignment_id,
        "date": day,
        "start_time": "09:30",
        "end_time": "13:30",
        "role": "lawyer",
        "sequence": sequence,
        "station_name": "伊宁县公共法律服务中心",
        "station_address": "解放路1号",
        "station_level": "county",
    }


def test_every_tzid_of_the_feed_has_its_vtimezone() -> None:
    calendar = strictly_parsed(duties_ics(duties=[duty("a1")], lawyer_name="阿依古丽"))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Shanghai"
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].dt == datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_checker_refuses_a_feed_that_names_a_timezone_it_does_not_define() -> None:
    # a positive control: today's feed before this change (TZID=Asia/Shanghai and no VTIMEZONE) fails it
    feed = Calendar.from_ical(duties_ics(duties=[duty("a1")], lawyer_name="x"))
    feed.subcomponents = [c for c in feed.subcomponents if c.name != "VTIMEZONE"]
    with pytest.raises(AssertionError, match="Asia/Shanghai"):
        strictly_parsed(feed.to_ical())


def test_the_feed_asks_phones_to_refresh_every_hour() -> None:
    calendar = strictly_parsed(duties_ics(duties=[duty("a1")], lawyer_name="x"))
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


def test_a_duty_taken_away_is_cancelled_under_its_own_uid_with_its_sequence() -> None:
    feed = duties_ics(duties=[duty("a1")], cancelled=[duty("a2", sequence=3)], lawyer_name="x")
    assert events(feed) == {
        uid_of("a1"): {
            "status": "CONFIRMED",
            "sequence": 0,
            "start": datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        },
        uid_of("a2"): {
            "status": "CANCELLED",
            "sequence": 3,
            "start": datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        },
    }


def test_the_same_duties_give_the_same_uids_on_every_fetch() -> None:
    first = duties_ics(duties=[duty("a1"), duty("a2", day=date(2026, 12, 4))], lawyer_name="x")
    again = duties_ics(duties=[duty("a1"), duty("a2", day=date(2026, 12, 4))], lawyer_name="x")
    assert set(events(first)) == set(events(again)) == {uid_of("a1"), uid_of("a2")}


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    assert strictly_parsed(duties_ics(duties=[], lawyer_name="x")).walk("VEVENT") == []
