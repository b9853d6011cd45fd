"""A calendar feed read as strictly as a phone would need it: vobject's validation (required properties,
value types) and icalendar's parse, plus RFC 5545 §3.2.19: every TZID a property names has its VTIMEZONE in
the calendar."""

from __future__ import annotations

import re
from typing import Any

import vobject
from icalendar import Calendar

_TZID_PARAMETER = re.compile(r"^[A-Z-]+(?:;[^:]*)?;TZID=([^;:]+)", re.MULTILINE)


def strictly_parsed(feed: bytes) -> Calendar:
    """The feed as an icalendar Calendar; AssertionError (or vobject's ValidateError) when it is not valid."""
    text = feed.decode("utf-8")
    vobject.readOne(text, validate=True).validate(raiseException=True)
    calendar = Calendar.from_ical(feed)
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    named = set(_TZID_PARAMETER.findall(unfolded))
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert named <= defined, f"TZIDs without a VTIMEZONE: {sorted(named - defined)}"
    assert not calendar.get_missing_tzids(), calendar.get_missing_tzids()
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "SEQUENCE", "STATUS"):
            assert name in event, f"a VEVENT without {name}"
    return calendar


def events(feed: bytes) -> dict[str, dict[str, Any]]:
    """UID -> {status, sequence, start} of a strictly valid feed."""
    return {
        str(e["UID"]): {"status": str(e["STATUS"]), "sequence": int(e["SEQUENCE"]), "start": e["DTSTART"].dt}
        for e in strictly_parsed(feed).walk("VEVENT")
    }
