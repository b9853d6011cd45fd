"""The roster's domain objects: lawyers, stations, duty patterns, slots, assignments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cached_property
from typing import Literal

from services.roster.domain.languages import language_name as language_name  # rules and solver

LawyerStatus = Literal["practising", "intern", "suspended"]
StationLevel = Literal["prefecture", "county", "township", "village", "hotline"]
PatternDays = Literal["workdays", "daily", "non_workdays"]
Role = Literal["lawyer", "intern"]

LAWYER_STATUSES: frozenset[str] = frozenset({"practising", "intern", "suspended"})
STATION_LEVELS: frozenset[str] = frozenset({"prefecture", "county", "township", "village", "hotline"})
GRASSROOTS_LEVELS: frozenset[str] = frozenset({"township", "village"})
PATTERN_DAYS: frozenset[str] = frozenset({"workdays", "daily", "non_workdays"})


def region_covers(region_code: str, other: str) -> bool:
    """Whether region `region_code` covers `other` (654000 covers 6540xx, 650000 covers 65xxxx)."""
    prefix = region_code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    if prefix == "00":
        return True
    return other.startswith(prefix)


def _frozen_languages(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if not isinstance(value, frozenset):
        object.__setattr__(obj, name, frozenset(value))


@dataclass(frozen=True, kw_only=True)
class Lawyer:
    """A practising lawyer, an intern lawyer under a supervisor, or a suspended lawyer."""

    id: str
    name: str
    status: LawyerStatus
    region_code: str
    languages: frozenset[str] = frozenset({"zh"})
    max_duties_per_month: int = 8
    intern_start: date | None = None
    intern_end: date | None = None
    supervisor_id: str | None = None

    def __post_init__(self) -> None:
        _frozen_languages(self, "languages")
        if self.status not in LAWYER_STATUSES:
            raise ValueError(f"unknown lawyer status {self.status!r}")
        if self.max_duties_per_month < 0:
            raise ValueError("max_duties_per_month must not be negative")
        if self.intern_start and self.intern_end and self.intern_end < self.intern_start:
            raise ValueError("internship ends before it starts")

    @property
    def is_practising(self) -> bool:
        """Whether the lawyer holds a practising licence and is not suspended."""
        return self.status == "practising"

    def is_interning_on(self, day: date) -> bool:
        """Whether the lawyer is an intern whose internship covers `day`."""
        return self.is_interning_between(day, day)

    def is_interning_between(self, first: date, last: date) -> bool:
        """Whether the lawyer is an intern whose internship overlaps [first, last] (the one intern-date rule)."""
        if self.status != "intern":
            return False
        starts_in_time = self.intern_start is None or self.intern_start <= last
        ends_in_time = self.intern_end is None or self.intern_end >= first
        return starts_in_time and ends_in_time


def internship_errors(
    *, status: str, intern_start: date | None, intern_end: date | None, supervisor_id: str | None
) -> dict[str, list[str]]:
    """What an intern's record lacks (dates and supervisor), and an internship that ends before it starts."""
    errors: dict[str, list[str]] = {}
    if status == "intern":
        for name, value in (
            ("intern_start", intern_start),
            ("intern_end", intern_end),
            ("supervisor_id", supervisor_id),
        ):
            if not value:
                errors[name] = ["required for an intern lawyer"]
    if intern_start and intern_end and intern_end < intern_start:
        errors["intern_end"] = ["must not be before intern_start"]
    return errors


@dataclass(frozen=True, kw_only=True)
class Station:
    """A public legal service point, from the prefecture centre down to a village post, or the 12348 hotline."""

    id: str
    name: str
    level: StationLevel
    region_code: str
    parent_id: str | None = None

    def __post_init__(self) -> None:
        if self.level not in STATION_LEVELS:
            raise ValueError(f"unknown station level {self.level!r}")

    @property
    def is_grassroots(self) -> bool:
        """Whether the station is a township or village point (基层), where interns serve."""
        return self.level in GRASSROOTS_LEVELS

    @property
    def is_hotline(self) -> bool:
        """Whether the station is the 12348 hotline."""
        return self.level == "hotline"


@dataclass(frozen=True, kw_only=True)
class DutyPattern:
    """When a station is staffed: working days, every day, non-working days, given weekdays, or an RRULE.

    `days` follows China's official calendar. Given weekdays (ISO 1-7) and an `rrule` skip public holidays
    unless `skip_public_holidays` is false; `rrule`, when given, replaces `days`.
    """

    id: str
    station_id: str
    start_time: time
    end_time: time
    days: PatternDays | tuple[int, ...] = "workdays"
    rrule: str | None = None
    headcount: int = 1
    languages: frozenset[str] = frozenset()
    intern_seats: int = 0
    skip_public_holidays: bool = True

    def __post_init__(self) -> None:
        _frozen_languages(self, "languages")
        if not isinstance(self.days, str):
            object.__setattr__(self, "days", tuple(sorted(set(self.days))))
            if not self.days or any(not 1 <= d <= 7 for d in self.days):
                raise ValueError("days must be ISO weekdays 1-7")
        elif self.days not in PATTERN_DAYS:
            raise ValueError(f"unknown days {self.days!r}")
        if self.end_time <= self.start_time:
            raise ValueError("a duty ends after it starts")
        if self.headcount < 0 or self.intern_seats < 0:
            raise ValueError("headcount and intern seats must not be negative")


@dataclass(frozen=True, kw_only=True)
class Leave:
    """A lawyer's leave or unavailable days, both ends included."""

    lawyer_id: str
    start_date: date
    end_date: date

    def __post_init__(self) -> None:
        if self.end_date < self.start_date:
            raise ValueError("leave ends before it starts")

    def days(self) -> Iterable[date]:
        """Every date of the leave."""
        day = self.start_date
        while day <= self.end_date:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One duty to staff: a pattern's occurrence at a station on a date."""

    pattern_id: str
    station_id: str
    date: date
    start_time: time
    end_time: time
    headcount: int
    languages: frozenset[str] = frozenset()
    intern_seats: int = 0
    holiday: bool = False

    def __post_init__(self) -> None:
        _frozen_languages(self, "languages")

    @cached_property
    def key(self) -> str:
        """A stable key: pattern, date and start time."""
        return slot_key(pattern_id=self.pattern_id, day=self.date, start_time=self.start_time)


def slot_key(*, pattern_id: str, day: date, start_time: time) -> str:
    """The stable key of the slot of `pattern_id` on `day` at `start_time`."""
    return f"{pattern_id}|{day.isoformat()}|{start_time.strftime('%H:%M')}"


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """A lawyer (or an intern, in an intern seat) on one duty."""

    slot_key: str
    station_id: str
    date: date
    start_time: time
    end_time: time
    lawyer_id: str
    role: Role = "lawyer"

    @classmethod
    def of(cls, slot: Slot, lawyer_id: str, role: Role = "lawyer") -> Assignment:
        """The assignment of `lawyer_id` to `slot`."""
        return cls(
            slot_key=slot.key,
            station_id=slot.station_id,
            date=slot.date,
            start_time=slot.start_time,
            end_time=slot.end_time,
            lawyer_id=lawyer_id,
            role=role,
        )


@dataclass(frozen=True, kw_only=True)
class Unfilled:
    """A slot left (partly) unfilled, with the reason a scheduler reads.

    `missing_seats` / `missing_languages` say exactly what is missing; None means the whole slot.
    """

    station_id: str
    date: date
    start_time: time
    reason: str
    slot_key: str = ""
    missing_seats: int | None = None
    missing_languages: frozenset[str] | None = None

    def as_stats(self) -> dict[str, str]:
        """The contract's `stats.unfilled` entry."""
        return {
            "station_id": self.station_id,
            "date": self.date.isoformat(),
            "start_time": self.start_time.strftime("%H:%M"),
            "reason": self.reason,
        }


@dataclass(frozen=True, kw_only=True)
class InternShortfall:
    """An active intern who got fewer than `min_intern_duties` in a month, and why."""

    lawyer_id: str
    month: str
    duties: int
    required: int
    reason: str

    def as_stats(self) -> dict[str, object]:
        """The `stats.intern_shortfalls` entry."""
        return {
            "lawyer_id": self.lawyer_id,
            "month": self.month,
            "duties": self.duties,
            "required": self.required,
            "reason": self.reason,
        }


def month_of(day: date) -> str:
    """The calendar month of `day` as YYYY-MM."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, kw_only=True, eq=False)
class RosterProblem:
    """Everything a roster of one region and period is generated and checked against."""

    region_code: str
    period_start: date
    period_end: date
    lawyers: tuple[Lawyer, ...]
    stations: tuple[Station, ...]
    slots: tuple[Slot, ...]
    leaves: tuple[Leave, ...] = ()
    previous_intern_stations: Mapping[str, str] = field(default_factory=dict)
    min_intern_duties: int = 4
    # each lawyer's availability-scaled burden of the months before (domain/burden.py): generation gives
    # the next duty, all else equal, to the lawyer with the least; absent = 0
    prior_burden: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("lawyers", "stations", "slots", "leaves"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.period_end < self.period_start:
            raise ValueError("the period ends before it starts")

    @cached_property
    def lawyer_by_id(self) -> Mapping[str, Lawyer]:
        """Lawyers by id."""
        return {lawyer.id: lawyer for lawyer in self.lawyers}

    @cached_property
    def station_by_id(self) -> Mapping[str, Station]:
        """Stations by id."""
        return {station.id: station for station in self.stations}

    @cached_property
    def slot_by_key(self) -> Mapping[str, Slot]:
        """Slots by key."""
        return {slot.key: slot for slot in self.slots}

    @cached_property
    def leave_days(self) -> Mapping[str, frozenset[date]]:
        """Each lawyer's leave days inside the period."""
        days: dict[str, set[date]] = defaultdict(set)
        for leave in self.leaves:
            start = max(leave.start_date, self.period_start)
            end = min(leave.end_date, self.period_end)
            day = start
            while day <= end:
                days[leave.lawyer_id].add(day)
                day += timedelta(days=1)
        return {lawyer_id: frozenset(d) for lawyer_id, d in days.items()}

    def months(self) -> list[tuple[date, date]]:
        """The period cut into calendar-month blocks, (first day, last day) each."""
        blocks: list[tuple[date, date]] = []
        start = self.period_start
        while start <= self.period_end:
            next_month = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            end = min(next_month - timedelta(days=1), self.period_end)
            blocks.append((start, end))
            start = next_month
        return blocks

    @cached_property
    def leaves_by_lawyer(self) -> Mapping[str, tuple[Leave, ...]]:
        """Each lawyer's leaves."""
        leaves: dict[str, list[Leave]] = defaultdict(list)
        for leave in self.leaves:
            leaves[leave.lawyer_id].append(leave)
        return {lawyer_id: tuple(items) for lawyer_id, items in leaves.items()}

    def is_on_leave(self, lawyer_id: str, day: date) -> bool:
        """Whether the lawyer is on leave on `day`."""
        return any(
            leave.start_date <= day <= leave.end_date for leave in self.leaves_by_lawyer.get(lawyer_id, ())
        )
