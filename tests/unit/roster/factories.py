"""Small hand-made rosters for the roster domain tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.model import (
    Assignment,
    DutyPattern,
    Lawyer,
    Leave,
    RosterProblem,
    Slot,
    Station,
)
from services.roster.domain.slots import expand_patterns

DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))
YINING_COUNTY = "654021"
HUOCHENG = "654023"
ILI = "654000"


def lawyer(
    lawyer_id: str,
    *,
    region: str = YINING_COUNTY,
    languages: Iterable[str] = ("zh",),
    status: str = "practising",
    maximum: int = 8,
    intern_from: date | None = None,
    intern_to: date | None = None,
    supervisor: str | None = None,
) -> Lawyer:
    """A lawyer of Yining County unless told otherwise."""
    if status == "intern" and intern_from is None:
        intern_from, intern_to = date(2026, 3, 1), date(2027, 2, 28)
    return Lawyer(
        id=lawyer_id,
        name=f"Lawyer {lawyer_id}",
        status=status,  # type: ignore[arg-type]
        region_code=region,
        languages=frozenset(languages),
        max_duties_per_month=maximum,
        intern_start=intern_from,
        intern_end=intern_to,
        supervisor_id=supervisor,
    )


def station(station_id: str, *, level: str = "township", region: str = YINING_COUNTY) -> Station:
    """A township station of Yining County unless told otherwise."""
    return Station(id=station_id, name=f"Station {station_id}", level=level, region_code=region)  # type: ignore[arg-type]


def slot(
    station_id: str,
    day: date,
    *,
    headcount: int = 1,
    languages: Iterable[str] = (),
    intern_seats: int = 0,
    pattern: str | None = None,
    start: time = time(10),
    holiday: bool = False,
) -> Slot:
    """One duty at a station on a date."""
    return Slot(
        pattern_id=pattern or f"P-{station_id}",
        station_id=station_id,
        date=day,
        start_time=start,
        end_time=time(start.hour + 4, start.minute),
        headcount=headcount,
        languages=frozenset(languages),
        intern_seats=intern_seats,
        holiday=holiday,
    )


def on(slot_: Slot, lawyer_id: str, role: str = "lawyer") -> Assignment:
    """The lawyer on the slot."""
    return Assignment.of(slot_, lawyer_id, role)  # type: ignore[arg-type]


def problem(
    *,
    lawyers: Iterable[Lawyer],
    stations: Iterable[Station],
    slots: Iterable[Slot],
    leaves: Iterable[Leave] = (),
    previous: dict[str, str] | None = None,
    region: str = ILI,
    period: tuple[date, date] = DECEMBER,
    min_intern_duties: int = 4,
) -> RosterProblem:
    """A roster problem of Ili for December 2026 unless told otherwise."""
    return RosterProblem(
        region_code=region,
        period_start=period[0],
        period_end=period[1],
        lawyers=tuple(lawyers),
        stations=tuple(stations),
        slots=tuple(slots),
        leaves=tuple(leaves),
        previous_intern_stations=previous or {},
        min_intern_duties=min_intern_duties,
    )


def problem_from_patterns(
    *,
    lawyers: Iterable[Lawyer],
    stations: Iterable[Station],
    patterns: Iterable[DutyPattern],
    leaves: Iterable[Leave] = (),
    previous: dict[str, str] | None = None,
    period: tuple[date, date] = DECEMBER,
    min_intern_duties: int = 4,
) -> RosterProblem:
    """A roster problem whose slots come from duty patterns on the official calendar."""
    stations = tuple(stations)
    slots = expand_patterns(
        patterns=patterns,
        stations=stations,
        calendar=WorkCalendar.build(),
        period_start=period[0],
        period_end=period[1],
    )
    return problem(
        lawyers=lawyers,
        stations=stations,
        slots=slots,
        leaves=leaves,
        previous=previous,
        period=period,
        min_intern_duties=min_intern_duties,
    )


def days(first: date, count: int) -> list[date]:
    """`count` consecutive dates from `first`."""
    return [first + timedelta(days=i) for i in range(count)]
