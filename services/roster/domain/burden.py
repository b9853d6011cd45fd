"""The burden ledger: what published duties weigh on each lawyer, month by month, and how evenly it is shared.

A duty weighs by the day it falls on, after the pay multiples of the Labour Law: a working day 1, a rest day
2, a public holiday 3 (the days the official calendar or the year's override lists as the holiday, days off
in lieu included; an adjusted working weekend day, 调休上班, is a working day). A duty at a township or
village post weighs more for the travel. The weights are configuration (`BurdenWeights`, defaults below).

Lawyers are compared by their *availability-scaled* burden, burden / availability, where availability is the
share of the period's days they were not on leave: a lawyer on leave half the year is expected half the
burden. `balance` scores how evenly that is shared, in 0-1: the mean over all pairs of lawyers of
min/max of their scaled burdens (1 = all equal), as Grafana OnCall scores its schedules, in O(n log n).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from itertools import accumulate
from typing import Literal

from .calendar import WorkCalendar
from .errors import refuse_bad_fields

DayKind = Literal["workday", "rest_day", "holiday"]
DAY_KINDS: tuple[DayKind, ...] = ("workday", "rest_day", "holiday")
MAX_MONTHS = 24  # the longest range the fairness report covers
WINDOW_MONTHS = 12  # generation evens out the ledger of this many months, the month generated included


@dataclass(frozen=True, kw_only=True)
class BurdenWeights:
    """What one duty weighs: by the kind of day, plus a travel weight at township and village posts."""

    workday: float = 1.0
    rest_day: float = 2.0
    holiday: float = 3.0
    township: float = 0.25
    village: float = 0.5

    def __post_init__(self) -> None:
        negative = [f.name for f in fields(self) if getattr(self, f.name) < 0]
        if negative:
            raise ValueError(f"burden weights must not be negative: {', '.join(negative)}")

    def of(self, kind: DayKind, level: str) -> float:
        """The weight of one duty on a day of `kind` at a station of `level`."""
        travel = self.village if level == "village" else self.township if level == "township" else 0.0
        day: float = getattr(self, kind)
        return day + travel


DEFAULT_WEIGHTS = BurdenWeights()


def day_kind(calendar: WorkCalendar, day: date) -> DayKind:
    """Working day (adjusted working weekend days included), public holiday, or another rest day."""
    if calendar.is_workday(day):
        return "workday"
    return "holiday" if calendar.is_public_holiday(day) else "rest_day"


@dataclass
class Tally:
    """One lawyer's published duties over some months: how many, how many on rest days or holidays, burden."""

    duties: int = 0
    weekend_holiday_duties: int = 0
    burden: float = 0.0

    def add(self, *, kind: DayKind, level: str, weights: BurdenWeights, count: int = 1) -> None:
        """Count `count` duties of one kind of day at one level of station."""
        self.duties += count
        if kind != "workday":
            self.weekend_holiday_duties += count
        self.burden += count * weights.of(kind, level)


def tally(
    duties: Iterable[tuple[str, DayKind, str, int]], *, weights: BurdenWeights = DEFAULT_WEIGHTS
) -> dict[str, Tally]:
    """Tallies per lawyer from `(lawyer_id, kind of day, station level, how many)` groups of duties."""
    found: dict[str, Tally] = {}
    for lawyer_id, kind, level, count in duties:
        found.setdefault(lawyer_id, Tally()).add(kind=kind, level=level, weights=weights, count=count)
    return found


def availability(*, days: int, leave_days: int) -> float:
    """The share of `days` a lawyer was not on leave, 0-1."""
    if days <= 0:
        return 0.0
    return max(0, days - leave_days) / days


def scaled(burden: float, available: float) -> float | None:
    """Burden per unit of availability (what it would be had the lawyer been there throughout); None if never there."""
    return burden / available if available > 0 else None


def balance(values: Iterable[float]) -> float:
    """The mean over all pairs of min/max of the values (two zeros count as equal), 1 for fewer than two.

    Sorted ascending, a value's pairs with every smaller one sum to (sum of the smaller) / value, so one sort
    and one prefix sum give all n(n-1)/2 pairs: O(n log n).
    """
    ordered = sorted(values)
    n = len(ordered)
    if n < 2:
        return 1.0
    if ordered[0] < 0:
        raise ValueError("burdens are never negative")
    zeros = sum(1 for v in ordered if v == 0)
    total = zeros * (zeros - 1) / 2  # two lawyers with no burden are perfectly even
    before = [0.0, *accumulate(ordered)]
    for j in range(zeros, n):
        total += before[j] / ordered[j]
    return min(1.0, total / (n * (n - 1) / 2))


def spread(values: Sequence[float]) -> float:
    """The largest minus the smallest value (0 for none)."""
    return max(values) - min(values) if values else 0.0


def prior_burden(
    *, burdens: Mapping[str, float], available: Mapping[str, float], lawyer_ids: Iterable[str]
) -> dict[str, float]:
    """Each lawyer's availability-scaled burden over the months before a roster, what generation evens out.

    A lawyer never available in those months (new, or on leave throughout) is neither ahead nor behind: they
    get the mean of the others. One there only a few days counts as there a month at least, so that a duty or
    two then does not make them look far ahead.
    """
    ids = list(lawyer_ids)
    floor = 1 / (WINDOW_MONTHS - 1)
    known = {i: burdens.get(i, 0.0) / max(floor, share) for i in ids if (share := available.get(i, 0.0)) > 0}
    mean = sum(known.values()) / len(known) if known else 0.0
    return {i: known.get(i, mean) for i in ids}


def month_index(month: str) -> int:
    """`YYYY-MM` as a count of months (for ranges)."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def month_at(index: int) -> str:
    """The month `month_index` counted to."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of `YYYY-MM`."""
    year, number = (int(part) for part in month.split("-"))
    following = date(year + (number == 12), number % 12 + 1, 1)
    return date(year, number, 1), date.fromordinal(following.toordinal() - 1)


def check_range(first: str, last: str) -> list[str]:
    """The months from `first` to `last` (YYYY-MM, both included), at most MAX_MONTHS; Invalid names the field."""
    errors: dict[str, list[str]] = {}
    for name, value in (("from", first), ("to", last)):
        if not _is_month(value):
            errors[name] = ["must be a month YYYY-MM, e.g. 2026-03"]
    refuse_bad_fields(errors)
    start, end = month_index(first), month_index(last)
    if end < start:
        errors["to"] = [f"must not be before from ({first})"]
    elif end - start + 1 > MAX_MONTHS:
        errors["to"] = [f"the range covers {end - start + 1} months, at most {MAX_MONTHS}"]
    refuse_bad_fields(errors)
    return [month_at(i) for i in range(start, end + 1)]


def window_before(first: date) -> tuple[date, date]:
    """The months before `first`'s month that with it make the rolling window generation evens out."""
    index = month_index(f"{first.year:04d}-{first.month:02d}")
    start, _ = month_bounds(month_at(index - (WINDOW_MONTHS - 1)))
    _, end = month_bounds(month_at(index - 1))
    return start, end


def _is_month(value: str) -> bool:
    parts = value.split("-")
    return (
        len(parts) == 2
        and len(parts[0]) == 4
        and len(parts[1]) == 2
        and parts[0].isdigit()
        and parts[1].isdigit()
        and 1 <= int(parts[1]) <= 12
        and int(parts[0]) >= 1
    )
