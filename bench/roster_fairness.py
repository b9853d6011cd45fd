"""Fairness across months: twelve consecutive months generated for the prefecture, with the burden ledger
(each month's problem carries the availability-scaled burden of the months before) and without it, in one run.

Lawyers take leave of different lengths through the year, so availability differs. For each run it prints
the spread of yearly burden (max - min of burden / availability among the practising lawyers of one county:
rule 3 keeps counties apart, so that is where the ledger can even anything out), the worst and the mean
county, the balance (mean over pairs of min/max, domain/burden.py) and the largest rule-6 spread of any
month (rule 6 keeps holding within each month).

    python -m bench.roster_fairness [--months 12] [--first 2025-01] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean
from typing import Any

from bench.roster_bench import build_instance_with_patterns
from services.roster.domain.burden import (
    DEFAULT_WEIGHTS,
    availability,
    balance,
    day_kind,
    month_at,
    month_bounds,
    month_index,
    prior_burden,
    spread,
)
from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.fairness import fairness_spread
from services.roster.domain.model import DutyPattern, Lawyer, Leave, RosterProblem, Station
from services.roster.domain.slots import expand_patterns
from services.roster.domain.solver import SolverSettings, generate


@dataclass
class Year:
    """What the months generated so far weigh on each lawyer: burden and available days, per month."""

    burden: dict[str, dict[str, float]]
    available_days: dict[str, dict[str, int]]


def leave_plan(lawyers: list[Lawyer], first: date, last: date, seed: int) -> list[Leave]:
    """Leave through the year: a few lawyers away for months, many for a week or two, most never."""
    rng = random.Random(seed)
    leaves: list[Leave] = []
    days = (last - first).days
    for lawyer in lawyers:
        roll = rng.random()
        if roll < 0.10:  # a long leave: one to six months
            length = rng.randint(30, 180)
        elif roll < 0.45:  # a week or two
            length = rng.randint(5, 14)
        else:
            continue
        start = first + timedelta(days=rng.randint(0, max(0, days - length)))
        leaves.append(
            Leave(lawyer_id=lawyer.id, start_date=start, end_date=start + timedelta(days=length - 1))
        )
    return leaves


def run_year(
    *,
    lawyers: list[Lawyer],
    stations: list[Station],
    patterns: list[DutyPattern],
    leaves: list[Leave],
    region_code: str,
    months: list[str],
    with_ledger: bool,
    seed: int,
) -> dict[str, Any]:
    """Generate the months one after the other; the ledger, when on, feeds each month's prior burden."""
    calendar = WorkCalendar.build()
    level = {station.id: station.level for station in stations}
    practising = [lawyer.id for lawyer in lawyers if lawyer.is_practising]
    burden: dict[str, float] = defaultdict(float)
    available: dict[str, float] = defaultdict(float)
    previous: dict[str, str] = {}
    worst_rule6 = (0, 0)
    seconds: list[float] = []
    for done, month in enumerate(months):
        first, last = month_bounds(month)
        slots = expand_patterns(
            patterns=patterns, stations=stations, calendar=calendar, period_start=first, period_end=last
        )
        month_leaves = [lv for lv in leaves if lv.start_date <= last and lv.end_date >= first]
        prior: dict[str, float] = {}
        if with_ledger and done:  # availability as a share of the months before
            shares = {i: months_available / done for i, months_available in available.items()}
            prior = prior_burden(burdens=burden, available=shares, lawyer_ids=practising)
        problem = RosterProblem(
            region_code=region_code, period_start=first, period_end=last, lawyers=tuple(lawyers),
            stations=tuple(stations), slots=tuple(slots), leaves=tuple(month_leaves),
            previous_intern_stations=previous, prior_burden=prior,
        )  # fmt: skip
        started = clock.perf_counter()
        result = generate(problem, settings=SolverSettings(seed=seed))
        seconds.append(clock.perf_counter() - started)
        rule6 = fairness_spread(problem=problem, assignments=result.assignments)
        worst_rule6 = (max(worst_rule6[0], rule6[0]), max(worst_rule6[1], rule6[1]))
        days = (last - first).days + 1
        for lawyer_id in practising:  # available months
            available[lawyer_id] += availability(
                days=days, leave_days=len(problem.leave_days.get(lawyer_id, ()))
            )
        for a in result.assignments:
            if a.role == "lawyer":
                burden[a.lawyer_id] += DEFAULT_WEIGHTS.of(day_kind(calendar, a.date), level[a.station_id])
        previous = {a.lawyer_id: a.station_id for a in result.assignments if a.role == "intern"}
    region_of = {lawyer.id: lawyer.region_code for lawyer in lawyers}
    # yearly availability-scaled burden: burden / (available months / months)
    scaled_burden = {i: burden[i] / (available[i] / len(months)) for i in practising if available[i] > 0}
    by_county: dict[str, list[float]] = defaultdict(list)
    for lawyer_id, value in scaled_burden.items():
        by_county[region_of[lawyer_id]].append(value)
    spreads = {code: round(spread(values), 2) for code, values in sorted(by_county.items())}
    balances = {code: round(balance(values), 4) for code, values in sorted(by_county.items())}
    return {
        "ledger": with_ledger,
        "months": len(months),
        "yearly_spread_worst_county": max(spreads.values()),
        "yearly_spread_mean_county": round(mean(spreads.values()), 2),
        "balance_mean_county": round(mean(balances.values()), 4),
        "balance_worst_county": min(balances.values()),
        "spread_by_county": spreads,
        "rule6_worst_month": {"duties": worst_rule6[0], "weekend_holiday": worst_rule6[1]},
        "generation_s_per_month": round(mean(seconds), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Build the prefecture, plan the year's leave, generate the year twice, print JSON lines."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--first", default="2025-01", help="YYYY-MM")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", choices=("prefecture", "province"), default="prefecture")
    args = parser.parse_args(argv)
    start = month_index(args.first)
    months = [month_at(start + i) for i in range(args.months)]
    first, _ = month_bounds(months[0])
    _, last = month_bounds(months[-1])
    problem, patterns, _ = build_instance_with_patterns(
        scale=args.scale, seed=args.seed, first=first, last=month_bounds(months[0])[1]
    )
    lawyers = list(problem.lawyers)
    leaves = leave_plan(lawyers, first, last, args.seed)
    print(json.dumps({
        "bench": "roster_fairness", "scale": args.scale, "first": months[0], "last": months[-1],
        "lawyers": len(lawyers), "practising": sum(lawyer.is_practising for lawyer in lawyers),
        "stations": len(problem.stations), "leaves": len(leaves),
        "weights": DEFAULT_WEIGHTS.__dict__,
    }), flush=True)  # fmt: skip
    for with_ledger in (False, True):
        figures = run_year(
            lawyers=lawyers, stations=list(problem.stations), patterns=patterns, leaves=leaves,
            region_code=problem.region_code, months=months, with_ledger=with_ledger, seed=args.seed,
        )  # fmt: skip
        print(json.dumps({"bench": "roster_fairness", **figures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
