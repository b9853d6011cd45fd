"""A roster's assignments indexed for the rule checks, and what a broken rule says (`Violation`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import cached_property

from .model import Assignment, InternShortfall, Lawyer, RosterProblem, Slot, Station, Unfilled, month_of


@dataclass(frozen=True, kw_only=True)
class Violation:
    """A broken rule, with a message a county scheduler understands."""

    rule: str
    code: str
    message: str
    lawyer_id: str | None = None
    slot_key: str | None = None
    station_id: str | None = None
    date: date | None = None


class RosterView:
    """A roster's assignments indexed for the checks."""

    def __init__(
        self,
        *,
        problem: RosterProblem,
        assignments: Iterable[Assignment],
        unfilled: Iterable[Unfilled] = (),
        intern_shortfalls: Iterable[InternShortfall] = (),
    ) -> None:
        self.problem = problem
        self.assignments = tuple(assignments)
        self.unfilled = tuple(unfilled)
        self.intern_shortfalls = tuple(intern_shortfalls)

    @cached_property
    def by_slot(self) -> Mapping[str, list[Assignment]]:
        """Assignments by slot key."""
        grouped: dict[str, list[Assignment]] = defaultdict(list)
        for assignment in self.assignments:
            grouped[assignment.slot_key].append(assignment)
        return grouped

    @cached_property
    def by_lawyer(self) -> Mapping[str, list[Assignment]]:
        """Assignments by lawyer id."""
        grouped: dict[str, list[Assignment]] = defaultdict(list)
        for assignment in self.assignments:
            grouped[assignment.lawyer_id].append(assignment)
        return grouped

    @cached_property
    def excuses(self) -> Mapping[tuple[str, date, time], list[Unfilled]]:
        """Reported unfilled slots by (station, date, start time)."""
        grouped: dict[tuple[str, date, time], list[Unfilled]] = defaultdict(list)
        for item in self.unfilled:
            grouped[(item.station_id, item.date, item.start_time)].append(item)
        return grouped

    def reported(self, slot: Slot) -> list[Unfilled]:
        """The unfilled reports that name `slot`."""
        return [
            item
            for item in self.excuses.get((slot.station_id, slot.date, slot.start_time), ())
            if not item.slot_key or item.slot_key == slot.key
        ]

    def excused_seats(self, slot: Slot) -> int:
        """How many missing seats of `slot` were reported."""
        reports = self.reported(slot)
        if any(item.missing_seats is None for item in reports):
            return slot.headcount
        return sum(item.missing_seats or 0 for item in reports)

    def excused_languages(self, slot: Slot) -> frozenset[str]:
        """Which missing languages of `slot` were reported."""
        reports = self.reported(slot)
        if any(item.missing_languages is None for item in reports):
            return slot.languages
        return frozenset().union(*(item.missing_languages or frozenset() for item in reports))

    @cached_property
    def intern_stations(self) -> Mapping[tuple[str, str], frozenset[str]]:
        """Township and village stations with intern seats, by (region code, month)."""
        return intern_stations_offered(problem=self.problem)

    def lawyer(self, lawyer_id: str) -> Lawyer | None:
        """The lawyer of an id, or None."""
        return self.problem.lawyer_by_id.get(lawyer_id)

    def station(self, station_id: str) -> Station | None:
        """The station of an id, or None."""
        return self.problem.station_by_id.get(station_id)

    def who(self, lawyer_id: str) -> str:
        """A lawyer's name for messages."""
        lawyer = self.lawyer(lawyer_id)
        return lawyer.name if lawyer else f"unknown lawyer {lawyer_id}"

    def where(self, station_id: str) -> str:
        """A station's name for messages."""
        station = self.station(station_id)
        return station.name if station else f"unknown station {station_id}"

    def duty(self, item: Assignment | Slot) -> str:
        """A duty for messages: station, date and time."""
        return f"{self.where(item.station_id)} on {item.date.isoformat()} {item.start_time.strftime('%H:%M')}"


def intern_stations_offered(*, problem: RosterProblem) -> dict[tuple[str, str], frozenset[str]]:
    """Township and village stations with intern seats, by (region code, month YYYY-MM)."""
    stations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for slot in problem.slots:
        if slot.intern_seats <= 0:
            continue
        station = problem.station_by_id.get(slot.station_id)
        if station is not None and station.is_grassroots:
            stations[(station.region_code, month_of(slot.date))].add(station.id)
    return {key: frozenset(ids) for key, ids in stations.items()}
