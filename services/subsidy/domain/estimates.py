"""What planned duties would cost in station-duty subsidies, by region: the roster's cost before it is
published. Priced through the same schemes as completed duties (station level, half or full day, holiday),
beside each region's remaining budget; nothing is stored.

A duty's `holiday` is what the caller says (the roster's calendar, with its local overrides, is the
authority, as `roster.duty.completed` carries it); when the caller says nothing it comes from the State
Council's published arrangement (chinese_calendar: weekends and public holidays, adjusted working days
counted as working), Monday to Friday outside the years that data covers.

Estimates know no lawyer, so a scheme's monthly cap per lawyer is not applied: the figure is the most the
duties can cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from chinese_calendar import constants as _official

from .claims import Budget, select_budget
from .money import ZERO
from .schemes import Kind, NoMatchingRate, Scheme, calculate, duty_length, select_scheme

KIND = Kind.STATION_DUTY
FIRST_YEAR, LAST_YEAR = min(_official.holidays).year, max(_official.holidays).year


@dataclass(frozen=True)
class PlannedDuty:
    region_code: str
    station_level: str
    date: date
    start_time: str
    end_time: str
    holiday: bool | None = None


@dataclass(frozen=True)
class RegionCost:
    region_code: str
    year: int
    total: Decimal
    duties: int
    unpriced: int
    budget_remaining: Decimal | None


def official_holiday(day: date) -> bool:
    """Whether `day` is a non-working day by the published arrangement (Mon-Fri outside its years)."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return day not in _official.workdays and (day.weekday() >= 5 or day in _official.holidays)
    return day.weekday() >= 5


def estimate(
    duties: Sequence[PlannedDuty], schemes: Iterable[Scheme], budgets: Iterable[Budget]
) -> list[RegionCost]:
    """The cost of the duties per region and year, with what that region's budget has left (None: no budget)."""
    schemes, budgets = list(schemes), list(budgets)
    chosen: dict[tuple[str, date], Scheme | None] = {}
    priced: dict[tuple[str, tuple[tuple[str, Any], ...]], Decimal | None] = {}
    totals: dict[tuple[str, int], list[Any]] = {}
    for duty in duties:
        key = (duty.region_code, duty.date)
        if key not in chosen:
            chosen[key] = select_scheme(
                schemes, kind=KIND, region_code=duty.region_code, service_date=duty.date
            )
        scheme = chosen[key]
        holiday = official_holiday(duty.date) if duty.holiday is None else duty.holiday
        attributes = (
            ("holiday", holiday),
            ("length", duty_length(duty.start_time, duty.end_time)),
            ("station_level", duty.station_level),
        )
        amount: Decimal | None = None
        if scheme is not None:
            price_key = (scheme.id, attributes)
            if price_key not in priced:
                try:
                    priced[price_key] = calculate(scheme, dict(attributes)).amount
                except NoMatchingRate:
                    priced[price_key] = None
            amount = priced[price_key]
        entry = totals.setdefault((duty.region_code, duty.date.year), [ZERO, 0, 0])
        entry[1] += 1
        if amount is None:
            entry[2] += 1
        else:
            entry[0] += amount
    result = []
    for (region_code, year), (total, count, unpriced) in sorted(totals.items()):
        budget = select_budget(budgets, region_code=region_code, kind=KIND, year=year)
        result.append(
            RegionCost(
                region_code=region_code,
                year=year,
                total=total,
                duties=count,
                unpriced=unpriced,
                budget_remaining=None if budget is None else budget.remaining,
            )
        )
    return result
