"""A lawyer's duties as an iCalendar feed (RFC 5545) for the phone's calendar."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy.orm import Session

from services.roster.adapters.orm import LawyerRow
from services.roster.service.duties import BEIJING, default_window, my_duties, today_in_beijing
from services.roster.service.rows import now


def duties_ics(*, duties: list[dict[str, Any]], lawyer_name: str, host: str = "legalduty") -> bytes:
    """The lawyer's duties as RFC 5545 (one VEVENT each, stable UIDs, Beijing times)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//legalduty//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{lawyer_name} 值班 duties")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for duty in duties:
        event = Event()
        event.add("uid", f"duty-{duty['id']}@{host}")
        start = datetime.combine(duty["date"], time.fromisoformat(duty["start_time"]), BEIJING)
        end = datetime.combine(duty["date"], time.fromisoformat(duty["end_time"]), BEIJING)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("dtstamp", now())
        role = "实习律师 intern" if duty["role"] == "intern" else "值班律师 duty lawyer"
        event.add("summary", f"值班 Duty: {duty['station_name']}")
        event.add("location", duty.get("station_address") or duty["station_name"])
        event.add("description", f"{role} · {duty['station_level']} · {duty['start_time']}–{duty['end_time']}")
        event.add("status", "CONFIRMED")
        event.add("sequence", 0)
        cal.add_component(event)
    return cal.to_ical()


def my_duties_feed(*, session: Session, lawyer_id: str) -> bytes:
    """The calendar feed of a lawyer's published duties, from a week ago to two months ahead."""
    lawyer = session.get(LawyerRow, lawyer_id)
    first, last = default_window(today_in_beijing())
    duties = my_duties(session=session, lawyer_id=lawyer_id, first=first, last=last)["items"]
    return duties_ics(duties=duties, lawyer_name=lawyer.name if lawyer else lawyer_id)
