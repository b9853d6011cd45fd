"""A lawyer's duties as an iCalendar feed (RFC 5545) for the phone's calendar.

- one VEVENT per published duty, UID `duty-<assignment id>@legalduty` (the same on every fetch, so a phone
  replaces an event rather than adding a second one), times in Asia/Shanghai with that zone's VTIMEZONE in
  the feed (RFC 5545 §3.2.19: every TZID names a VTIMEZONE of the calendar);
- SEQUENCE is the duty's `sequence`, raised each time it changes hands (service/duties.py `hand_over`);
- a duty taken away from the lawyer in the last 7 days stays in their feed with STATUS:CANCELLED and the
  sequence it had when it left them, so the phone removes it instead of keeping a stale duty;
- REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL ask phones to fetch again every hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.roster.adapters.orm import AssignmentRow, DutyTakenAwayRow, LawyerRow, RosterRow, StationRow
from services.roster.domain.rosters import RosterStatus
from services.roster.service.duties import BEIJING, default_window, my_duties, today_in_beijing
from services.roster.service.rows import now

CANCELLED_KEPT = timedelta(days=7)
REFRESH = timedelta(hours=1)
HOST = "legalduty"


def uid_of(assignment_id: str) -> str:
    return f"duty-{assignment_id}@{HOST}"


def duties_ics(
    *,
    duties: Sequence[dict[str, Any]],
    lawyer_name: str,
    cancelled: Sequence[dict[str, Any]] = (),
    stamp: datetime | None = None,
) -> bytes:
    """The lawyer's duties (and those taken away from them: cancelled) as RFC 5545."""
    from icalendar import Calendar, Event, vDuration

    stamp = stamp or now()
    cal = Calendar()
    cal.add("prodid", "-//legalduty//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{lawyer_name} 值班 duties")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for duty, status in [*((d, "CONFIRMED") for d in duties), *((d, "CANCELLED") for d in cancelled)]:
        event = Event()
        event.add("uid", uid_of(duty["id"]))
        event.add("dtstamp", stamp)
        event.add("dtstart", _at(duty["date"], duty["start_time"]))
        event.add("dtend", _at(duty["date"], duty["end_time"]))
        role = "实习律师 intern" if duty["role"] == "intern" else "值班律师 duty lawyer"
        prefix = "已取消 Cancelled: " if status == "CANCELLED" else ""
        event.add("summary", f"{prefix}值班 Duty: {duty['station_name']}")
        event.add("location", duty.get("station_address") or duty["station_name"])
        event.add(
            "description", f"{role} · {duty['station_level']} · {duty['start_time']}–{duty['end_time']}"
        )
        event.add("status", status)
        event.add("sequence", duty["sequence"])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def _at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), BEIJING)


def taken_away(*, session: Session, lawyer_id: str, since: datetime) -> list[dict[str, Any]]:
    """Published duties taken away from the lawyer since `since` and not theirs again, each with the
    sequence it had when it last left them."""
    last = (
        select(DutyTakenAwayRow.assignment_id, func.max(DutyTakenAwayRow.sequence).label("sequence"))
        .where(DutyTakenAwayRow.lawyer_id == lawyer_id, DutyTakenAwayRow.taken_at >= since)
        .group_by(DutyTakenAwayRow.assignment_id)
        .subquery()
    )
    rows = session.execute(
        select(AssignmentRow, last.c.sequence, StationRow.name, StationRow.address, StationRow.level)
        .join(last, last.c.assignment_id == AssignmentRow.id)
        .join(RosterRow, RosterRow.id == AssignmentRow.roster_id)
        .join(StationRow, StationRow.id == AssignmentRow.station_id)
        .where(AssignmentRow.lawyer_id != lawyer_id, RosterRow.status == RosterStatus.PUBLISHED)
        .order_by(AssignmentRow.date, AssignmentRow.start_time)
    ).all()
    return [
        {
            "id": a.id,
            "date": a.date,
            "start_time": a.start_time,
            "end_time": a.end_time,
            "role": a.role,
            "sequence": sequence,
            "station_name": name,
            "station_address": address,
            "station_level": level,
        }
        for a, sequence, name, address, level in rows
    ]


def my_duties_feed(*, session: Session, lawyer_id: str) -> bytes:
    """The calendar feed of a lawyer's published duties, from a week ago to two months ahead, and of the
    duties taken away from them in the last week."""
    lawyer = session.get(LawyerRow, lawyer_id)
    first, last = default_window(today_in_beijing())
    duties = my_duties(session=session, lawyer_id=lawyer_id, first=first, last=last)["items"]
    cancelled = taken_away(session=session, lawyer_id=lawyer_id, since=now() - CANCELLED_KEPT)
    return duties_ics(duties=duties, cancelled=cancelled, lawyer_name=lawyer.name if lawyer else lawyer_id)
