"""Roster generation benchmark: a generated Ili prefecture (or a province) for one month, solver vs greedy.

Prints one JSON line per measurement: the instance, then each algorithm's generation time, hard-rule
violations (rules 1-5, from rules.py), fairness spread (rule 6), unfilled slots and peak memory.

    python -m bench.roster_bench --scale prefecture
    python -m bench.roster_bench --scale province
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sys
import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any

from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.fairness import fairness_spread
from services.roster.domain.model import DutyPattern, Lawyer, LawyerStatus, Leave, RosterProblem, Station
from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.slots import expand_patterns
from services.roster.domain.solver import Result, SolverSettings, generate, generate_greedy


@dataclass(frozen=True)
class County:
    """A county-level region and who lives there: shares of villages needing Uyghur / Kazakh / Mongolian."""

    code: str
    name: str
    lawyers: int
    townships: int
    villages: int
    ug: float
    kk: float
    mn: float = 0.0


ILI = (
    County("654002", "Yining City", 230, 14, 40, 0.45, 0.10),
    County("654003", "Kuytun", 90, 4, 25, 0.05, 0.10),
    County("654004", "Khorgos", 40, 3, 30, 0.25, 0.20),
    County("654021", "Yining County", 65, 10, 120, 0.45, 0.10),
    County("654022", "Qapqal Xibe County", 45, 10, 90, 0.25, 0.25),
    County("654023", "Huocheng County", 60, 10, 95, 0.30, 0.20),
    County("654024", "Gongliu County", 55, 9, 95, 0.15, 0.35),
    County("654025", "Xinyuan County", 62, 11, 95, 0.05, 0.40),
    County("654026", "Zhaosu County", 45, 10, 95, 0.05, 0.40, 0.05),
    County("654027", "Tekes County", 50, 9, 100, 0.10, 0.40, 0.05),
    County("654028", "Nilka County", 58, 10, 100, 0.15, 0.40),
)
PROVINCE_PREFECTURES = (
    "650100", "650200", "650400", "650500", "652300", "652700", "652800",
    "652900", "653000", "653100", "653200", "654000", "654200", "654300",
)  # fmt: skip
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


def counties_for(scale: str, rng: random.Random) -> tuple[str, list[County]]:
    """The roster region and its counties: Ili for a prefecture, ~110 generated counties for the province."""
    if scale == "prefecture":
        return "654000", list(ILI)
    counties: list[County] = []
    for prefecture in PROVINCE_PREFECTURES:
        for number in range(1, 9):
            ug, kk = rng.choice([(0.6, 0.05), (0.4, 0.2), (0.1, 0.45), (0.05, 0.05), (0.3, 0.3)])
            counties.append(
                County(
                    f"{prefecture[:4]}{number:02d}",
                    f"County {prefecture[:4]}{number:02d}",
                    lawyers=364,
                    townships=14,
                    villages=185,
                    ug=ug,
                    kk=kk,
                )
            )
    return "650000", counties


def build_instance(
    *, scale: str, seed: int, first: date, last: date, staffing: float = 1.0
) -> tuple[RosterProblem, float]:
    """A realistic roster problem for one month; returns it and the seconds spent expanding patterns."""
    problem, _patterns, expand_s = build_instance_with_patterns(
        scale=scale, seed=seed, first=first, last=last, staffing=staffing
    )
    return problem, expand_s


def build_instance_with_patterns(
    *, scale: str, seed: int, first: date, last: date, staffing: float = 1.0
) -> tuple[RosterProblem, list[DutyPattern], float]:
    """The instance, the duty patterns it was expanded from, and the seconds the expansion took."""
    rng = random.Random(seed)
    region_code, counties = counties_for(scale, rng)
    counties = [replace(county, lawyers=max(1, round(county.lawyers * staffing))) for county in counties]
    stations: list[Station] = []
    patterns: list[DutyPattern] = []
    lawyers: list[Lawyer] = []
    leaves: list[Leave] = []
    previous: dict[str, str] = {}
    hotline = Station(id="HOT-12348", name="12348 hotline", level="hotline", region_code=region_code)
    stations.append(hotline)
    for shift, (start, end) in enumerate(((time(10), time(14)), (time(15, 30), time(19, 30)))):
        patterns.append(
            DutyPattern(
                id=f"P-HOT-{shift}",
                station_id=hotline.id,
                days="workdays",
                start_time=start,
                end_time=end,
                headcount=2 if scale == "prefecture" else 6,
                languages=frozenset({"ug", "kk"}),
            )
        )
    for county in counties:
        before = len(patterns)
        townships = _county_stations(county, rng, stations, patterns)
        speakers = _speaker_shares(patterns[before:])
        _county_lawyers(county, rng, lawyers, leaves, previous, townships, speakers, first, last)
    calendar = WorkCalendar.build()
    started = clock.perf_counter()
    slots = expand_patterns(
        patterns=patterns, stations=stations, calendar=calendar, period_start=first, period_end=last
    )
    expand_s = clock.perf_counter() - started
    problem = RosterProblem(
        region_code=region_code,
        period_start=first,
        period_end=last,
        lawyers=tuple(lawyers),
        stations=tuple(stations),
        slots=tuple(slots),
        leaves=tuple(leaves),
        previous_intern_stations=previous,
        min_intern_duties=4,
    )
    return problem, patterns, expand_s


def _language(county: County, rng: random.Random) -> frozenset[str]:
    roll = rng.random()
    if roll < county.ug:
        return frozenset({"ug"})
    if roll < county.ug + county.kk:
        return frozenset({"kk"})
    if roll < county.ug + county.kk + county.mn:
        return frozenset({"mn"})
    return frozenset()


def _county_stations(
    county: County, rng: random.Random, stations: list[Station], patterns: list[DutyPattern]
) -> list[str]:
    centre = Station(
        id=f"S-{county.code}",
        name=f"{county.name} public legal service centre",
        level="county",
        region_code=county.code,
    )
    stations.append(centre)
    main = "kk" if county.kk > county.ug else "ug"
    patterns.append(
        DutyPattern(
            id=f"P-{centre.id}",
            station_id=centre.id,
            days="workdays",
            start_time=time(10),
            end_time=time(18),
            headcount=2,
            languages=frozenset({main}),
        )
    )
    townships: list[str] = []
    for t in range(county.townships):
        township = Station(
            id=f"S-{county.code}-T{t:02d}",
            name=f"{county.name} township station {t + 1}",
            level="township",
            region_code=county.code,
            parent_id=centre.id,
        )
        stations.append(township)
        townships.append(township.id)
        weekdays = tuple(sorted(rng.sample(range(1, 6), 2 if t % 3 == 0 else 1)))
        patterns.append(
            DutyPattern(
                id=f"P-{township.id}",
                station_id=township.id,
                days=weekdays,
                start_time=time(10, 30),
                end_time=time(14, 30),
                headcount=1,
                languages=_language(county, rng),
                intern_seats=2,
            )
        )
    for v in range(county.villages):
        parent = townships[v % len(townships)]
        village = Station(
            id=f"{parent}-V{v:03d}",
            name=f"{county.name} village post {v + 1}",
            level="village",
            region_code=county.code,
            parent_id=parent,
        )
        stations.append(village)
        if rng.random() < 0.12:  # bazaar-day posts run on a Sunday
            rule = f"FREQ=MONTHLY;BYDAY=+{rng.randint(1, 4)}SU"
        else:
            rule = f"FREQ=MONTHLY;BYDAY=+{rng.randint(1, 4)}{rng.choice(WEEKDAYS)}"
        patterns.append(
            DutyPattern(
                id=f"P-{village.id}",
                station_id=village.id,
                rrule=rule,
                start_time=time(11),
                end_time=time(15),
                headcount=1,
                languages=_language(county, rng),
                intern_seats=1 if rng.random() < 0.2 else 0,
            )
        )
    return townships


def _speaker_shares(patterns: list[DutyPattern]) -> dict[str, float]:
    """How many of a county's lawyers speak each language: its share of the duties that need it, with a margin."""
    need: dict[str, float] = defaultdict(float)
    total = 0.0
    for pattern in patterns:
        weight = 1.0 if pattern.rrule else 22.0 if pattern.days == "workdays" else 4.3 * len(pattern.days)
        total += weight * pattern.headcount
        for code in pattern.languages:
            need[code] += weight
    return {code: min(0.95, 1.3 * n / total + 0.08) for code, n in need.items()}


def _county_lawyers(
    county: County,
    rng: random.Random,
    lawyers: list[Lawyer],
    leaves: list[Leave],
    previous: dict[str, str],
    townships: list[str],
    speakers: dict[str, float],
    first: date,
    last: date,
) -> None:
    practising: list[str] = []
    days = (last - first).days + 1
    for n in range(county.lawyers):
        languages = {"zh"} | {code for code, share in sorted(speakers.items()) if rng.random() < share}
        lawyer_id = f"L-{county.code}-{n:04d}"
        roll = rng.random()
        if roll < 0.05 and practising:
            start = first - timedelta(days=rng.randint(0, 300))
            lawyers.append(
                Lawyer(
                    id=lawyer_id,
                    name=f"Intern {county.code}-{n}",
                    status="intern",
                    region_code=county.code,
                    languages=frozenset(languages),
                    intern_start=start,
                    intern_end=start + timedelta(days=364),
                    supervisor_id=rng.choice(practising),
                )
            )
            if rng.random() < 0.5:
                previous[lawyer_id] = rng.choice(townships)
            continue
        status: LawyerStatus = "suspended" if roll > 0.99 else "practising"
        maximum = rng.choice((6, 10)) if rng.random() < 0.05 else 8
        lawyers.append(
            Lawyer(
                id=lawyer_id,
                name=f"Lawyer {county.code}-{n}",
                status=status,
                region_code=county.code,
                languages=frozenset(languages),
                max_duties_per_month=maximum,
            )
        )
        if status == "practising":
            practising.append(lawyer_id)
        if rng.random() < 0.10:
            start = first + timedelta(days=rng.randint(0, days - 1))
            leaves.append(
                Leave(
                    lawyer_id=lawyer_id, start_date=start, end_date=start + timedelta(days=rng.randint(1, 9))
                )
            )


def measure(problem: RosterProblem, algorithm: str, seed: int) -> dict[str, Any]:
    """Run one algorithm on the problem and measure it."""
    runners: dict[str, Callable[[], Result]] = {
        "flow": lambda: generate(problem, settings=SolverSettings(seed=seed)),
        "greedy": lambda: generate_greedy(problem, seed=seed),
    }
    started = clock.perf_counter()
    result = runners[algorithm]()
    elapsed = clock.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = clock.perf_counter()
    violations = check_roster(
        problem=problem,
        assignments=result.assignments,
        unfilled=result.unfilled,
        intern_shortfalls=result.intern_shortfalls,
        rules=HARD_RULES,
    )
    check_s = clock.perf_counter() - started
    spread, weekend_spread = fairness_spread(problem=problem, assignments=result.assignments)
    seats = sum(slot.headcount for slot in problem.slots)
    return {
        "algorithm": algorithm,
        "generation_s": round(elapsed, 3),
        "hard_rule_violations": len(violations),
        "violations_by_rule": dict(sorted(Counter(v.rule for v in violations).items())),
        "fairness_spread": spread,
        "weekend_holiday_spread": weekend_spread,
        "fairness_notices": len(result.notices),
        "unfilled_slots": len(result.unfilled),
        "unfilled_seats": sum(u.missing_seats or 0 for u in result.unfilled),
        "seats": seats,
        "assignments": len(result.assignments),
        "intern_shortfalls": len(result.intern_shortfalls),
        "peak_rss_mb": round(peak_mb, 1),
        "check_s": round(check_s, 3),
        "sample_unfilled": [u.reason for u in result.unfilled[:3]],
    }


def _child(problem: RosterProblem, algorithm: str, seed: int, pipe: Any) -> None:
    pipe.send(measure(problem, algorithm, seed))
    pipe.close()


def measure_isolated(problem: RosterProblem, algorithm: str, seed: int) -> dict[str, Any]:
    """Measure in a forked process so each algorithm's peak memory is its own (plus the shared instance)."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return measure(problem, algorithm, seed)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(problem, algorithm, seed, sender))
    process.start()
    sender.close()
    figures = receiver.recv()
    process.join()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Build the instance, run the solver and the greedy reference, print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("prefecture", "province"), default="prefecture")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--month", default="2026-12", help="YYYY-MM")
    parser.add_argument("--only", choices=("flow", "greedy"), default=None)
    parser.add_argument(
        "--staffing",
        type=float,
        default=1.0,
        help="scale the number of lawyers (e.g. 0.6 for a county short of lawyers)",
    )
    args = parser.parse_args(argv)
    year, month = (int(part) for part in args.month.split("-"))
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    started = clock.perf_counter()
    problem, expand_s = build_instance(
        scale=args.scale, seed=args.seed, first=first, last=last, staffing=args.staffing
    )
    statuses = Counter(lawyer.status for lawyer in problem.lawyers)
    print(json.dumps({
        "scale": args.scale, "month": args.month, "region_code": problem.region_code,
        "lawyers": len(problem.lawyers), "practising": statuses["practising"], "interns": statuses["intern"],
        "suspended": statuses["suspended"], "stations": len(problem.stations), "slots": len(problem.slots),
        "seats": sum(slot.headcount for slot in problem.slots), "leaves": len(problem.leaves),
        "instance_s": round(clock.perf_counter() - started, 3), "expand_slots_s": round(expand_s, 3),
    }), flush=True)  # fmt: skip
    for algorithm in ("flow", "greedy"):
        if args.only and algorithm != args.only:
            continue
        figures = measure_isolated(problem, algorithm, args.seed)
        print(json.dumps({"scale": args.scale, **figures}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
