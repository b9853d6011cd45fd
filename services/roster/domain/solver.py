"""Roster generation that keeps rules 1-5, keeps the most service points open (rule 7), spreads duties fairly
(rule 6) and explains every gap.

Design. The period is cut into calendar months and each month is decomposed by region code (rule 3 makes
regions independent except for the hotline). In a region, practising lawyers who are interchangeable for
the model (same useful languages, leave days and monthly maximum) form a *class*, and one min-cost flow
(OR-Tools, exact and deterministic) decides how many members of each class sit on each slot:

    source -> class (one arc per level j, capacity = members, cost: `fairness_costs`, convex)
           -> weekend lane (again one arc per level: weekend-or-holiday duties spread evenly) | workday lane
           -> class-day (capacity = members: one duty a day each) -> seat -> sink
    source -> sink (the bypass: a lawyer may stay home, so the flow is never forced)

Rule 7 is the objective, in lexicographic weights (`flow.Weights`): each slot's *opening* seat earns
`open`, every seat earns `seat`, and fairness costs are smaller than one `seat` in total, so the
minimum-cost flow first keeps the most service points open, then staffs the most seats, then is the
fairest spread. Interchangeable classes meet in hubs per (region, day, languages) so that a seat needs one
arc per hub. The opening seat of a slot that names one language is its language seat, so it counts only
with the language spoken. A language seat is a seat only its speakers can reach; a slot whose language
seat stays empty is closed and the flow solved again, so no duty is staffed without its language.

Fairness across months: the problem carries each lawyer's availability-scaled burden of the months before
(`prior_burden`). An availability group (rule 6's: same leave and maximum) whose members carried more starts
its level costs that many duties higher; the language classes of one group differ by less than a duty, so
rule 6 holds; and every tie-break (who gets the one extra duty, the weekend, the hotline) prefers the least
burdened lawyer (`prior_lag`, and the seeded rank sorted by prior burden).

Where the flow is exact and where not. Classes are exact (any class plan is handed to its members within rules
1-2). The flow cannot make a seat count only when another is taken: the seats beside an empty language seat
are closed after the fact; when that happens, the flow is solved again with a tie-break (`flow.TIE`) that
keeps a one-language duty's further seats beside its language seat, and that roster is kept when it staffs
more (the tie-break also leans towards opening such duties, so it is not used blindly). A slot naming several
languages either opens with one lawyer per language (its opening reward split over its language seats, each
seat bound to one language) or with one lawyer who speaks them all and anyone beside them; the second plan is
tried everywhere and where the best flow so far needs it, and the better kept (open points, then seats);
neither mixes the two. `bench/roster_quality.py` measures the result against an exact CP-SAT model. Each
region is first solved alone and the hotline filled from the lawyers left free; when that staffs the hotline
fully it is optimal. Otherwise one flow covers every region and the hotline of the month at once (a region's
slots reached by its own classes, the hotline's by every class), so a lawyer opens a hotline shift before they
take a second seat at a county centre.

A class's seats are then handed to its members day by day, weekend and holiday days first, always to the
members with the fewest duties, which keeps each class within one (rule 6). Hotline seats the flow left
are filled from lawyers whose extra duty keeps their group within one; short slots are topped up
greedily; interns are placed one station a month in the intern seats of staffed township and village
duties (rule 5). Whatever stays open is reported with the reason a scheduler reads. `generate_greedy` is
the simple slot-by-slot reference.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any, Literal

from .fairness import check_fairness, fairness_groups, fairness_spread
from .flow import LEVEL, ClassKey, HubKey, Hubs, Network, Weights, seat_plan
from .model import (
    Assignment,
    InternShortfall,
    Lawyer,
    Role,
    RosterProblem,
    Slot,
    Unfilled,
    language_name,
    month_of,
    region_covers,
)
from .roster_view import RosterView, Violation

Progress = Callable[[float], None]


@dataclass(frozen=True, kw_only=True)
class SolverSettings:
    """How to generate: min-cost flow per region (default) or the simple greedy reference; the tie-break seed."""

    method: Literal["flow", "greedy"] = "flow"
    seed: int = 0


@dataclass(frozen=True, kw_only=True)
class Result:
    """A generated roster: assignments, what stayed unfilled and why, and the contract's stats."""

    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]
    intern_shortfalls: tuple[InternShortfall, ...]
    notices: tuple[Violation, ...]
    stats: dict[str, Any]


def generate(
    problem: RosterProblem, *, settings: SolverSettings | None = None, progress: Progress | None = None
) -> Result:
    """Generate the roster of `problem`: every hard rule kept, gaps reported with reasons, duties spread fairly."""
    settings = settings or SolverSettings()
    report = progress or (lambda _fraction: None)
    months = problem.months()
    assignments: list[Assignment] = []
    unfilled: list[Unfilled] = []
    shortfalls: list[InternShortfall] = []
    previous = dict(problem.previous_intern_stations)
    for index, (first, last) in enumerate(months):
        month = _MonthPlan(problem=problem, first=first, last=last, settings=settings, previous=previous)

        def month_progress(fraction: float, index: int = index) -> None:
            report(min(1.0, (index + fraction) / len(months)))

        month.run(progress=month_progress)
        assignments += month.ledger.assignments
        unfilled += month.unfilled
        shortfalls += month.shortfalls
        previous = {**previous, **month.intern_stations}
    report(1.0)
    return _result(
        problem=problem, settings=settings, assignments=assignments, unfilled=unfilled, shortfalls=shortfalls
    )


def generate_greedy(problem: RosterProblem, *, seed: int = 0, progress: Progress | None = None) -> Result:
    """The simple greedy reference: slot by slot in date order, the least-loaded free lawyers first."""
    return generate(problem, settings=SolverSettings(method="greedy", seed=seed), progress=progress)


def _result(
    *,
    problem: RosterProblem,
    settings: SolverSettings,
    assignments: list[Assignment],
    unfilled: list[Unfilled],
    shortfalls: list[InternShortfall],
) -> Result:
    view = RosterView(
        problem=problem, assignments=assignments, unfilled=unfilled, intern_shortfalls=shortfalls
    )
    notices = tuple(check_fairness(view=view))
    spread, weekend_spread = fairness_spread(problem=problem, assignments=assignments)
    duties = Counter(a.lawyer_id for a in assignments)
    per_lawyer = {lawyer.id: duties[lawyer.id] for lawyer in problem.lawyers if lawyer.status != "suspended"}
    open_keys = {item.slot_key for item in unfilled}
    stats: dict[str, Any] = {
        "slots": len(problem.slots),
        "filled": sum(1 for slot in problem.slots if slot.key not in open_keys),
        "unfilled": [item.as_stats() for item in unfilled],
        "duties_per_lawyer": per_lawyer,
        "intern_shortfalls": [item.as_stats() for item in shortfalls],
        "fairness": {
            "spread": spread,
            "weekend_spread": weekend_spread,
            "notices": [n.message for n in notices],
        },
        "method": settings.method,
        "seed": settings.seed,
    }
    return Result(
        assignments=tuple(assignments),
        unfilled=tuple(unfilled),
        intern_shortfalls=tuple(shortfalls),
        notices=notices,
        stats=stats,
    )


def explain_gaps(
    *, problem: RosterProblem, assignments: Iterable[Assignment], slots: Iterable[Slot]
) -> list[Unfilled]:
    """Every one of `slots` that `assignments` leave short of lawyers or languages, with the reason a scheduler
    reads (as generation reports them; a repair reports its gaps the same way)."""
    ledgers: dict[str, _Ledger] = defaultdict(lambda: _Ledger(problem))  # one a month, as in generation
    lawyers = problem.lawyer_by_id
    for assignment in assignments:
        slot = problem.slot_by_key.get(assignment.slot_key)
        lawyer = lawyers.get(assignment.lawyer_id)
        if slot is not None and lawyer is not None:
            ledgers[month_of(slot.date)].assign(slot, lawyer, assignment.role)
    pools: dict[str, list[Lawyer]] = defaultdict(list)
    for lawyer in problem.lawyers:
        if lawyer.is_practising:
            pools[lawyer.region_code].append(lawyer)
    hotline_pool = [
        lawyer for code, members in sorted(pools.items()) if region_covers(problem.region_code, code)
        for lawyer in members
    ]  # fmt: skip
    gaps: list[Unfilled] = []
    for slot in slots:
        ledger = ledgers[month_of(slot.date)]
        if ledger.missing_seats(slot) or ledger.missing_languages(slot):
            station = problem.station_by_id[slot.station_id]
            pool = hotline_pool if station.is_hotline else pools.get(station.region_code, [])
            label = problem.region_code if station.is_hotline else station.region_code
            reason = _explain_gap(slot=slot, pool=pool, region_label=label, ledger=ledger)
            gaps.append(_unfilled(slot, ledger, reason))
    return gaps


class _Ledger:
    """Who is on which duty so far in one month."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        self.busy: dict[str, set[date]] = defaultdict(set)
        self.count: Counter[str] = Counter()
        self.weekend: Counter[str] = Counter()
        self.crew: dict[str, list[Lawyer]] = defaultdict(list)
        self.interns: dict[str, list[Lawyer]] = defaultdict(list)
        self.duties: dict[str, list[Slot]] = defaultdict(list)
        self._assignments: dict[tuple[str, str], Assignment] = {}

    @property
    def assignments(self) -> list[Assignment]:
        """Every assignment so far, in the order made."""
        return list(self._assignments.values())

    def on_leave(self, lawyer: Lawyer, day: date) -> bool:
        """Whether the lawyer is on leave that day."""
        return day in self.problem.leave_days.get(lawyer.id, ())

    def is_free(self, lawyer: Lawyer, day: date) -> bool:
        """Whether the lawyer can take one more duty on `day`."""
        return (
            day not in self.busy.get(lawyer.id, ())
            and self.count[lawyer.id] < lawyer.max_duties_per_month
            and not self.on_leave(lawyer, day)
        )

    def assign(self, slot: Slot, lawyer: Lawyer, role: Role = "lawyer") -> None:
        """Put the lawyer on the slot."""
        self.busy[lawyer.id].add(slot.date)
        self.count[lawyer.id] += 1
        if slot.holiday:
            self.weekend[lawyer.id] += 1
        (self.crew if role == "lawyer" else self.interns)[slot.key].append(lawyer)
        self.duties[lawyer.id].append(slot)
        self._assignments[(slot.key, lawyer.id)] = Assignment.of(slot, lawyer.id, role)

    def move(self, slot: Slot, giver: Lawyer, taker: Lawyer) -> None:
        """Hand a practising lawyer's seat on the slot to another practising lawyer."""
        self.busy[giver.id].discard(slot.date)
        self.count[giver.id] -= 1
        if slot.holiday:
            self.weekend[giver.id] -= 1
        self.crew[slot.key].remove(giver)
        self.duties[giver.id].remove(slot)
        del self._assignments[(slot.key, giver.id)]
        self.assign(slot, taker)

    def can_take(self, lawyer: Lawyer, slot: Slot, *, instead_of: Lawyer) -> bool:
        """Whether `lawyer` may take `instead_of`'s seat on the slot: free that day, languages still covered."""
        if not self.is_free(lawyer, slot.date):
            return False
        spoken = set(lawyer.languages)
        for member in self.crew.get(slot.key, ()):
            if member is not instead_of:
                spoken |= member.languages
        return slot.languages <= spoken

    def missing_languages(self, slot: Slot) -> frozenset[str]:
        """The slot's languages no practising lawyer on it speaks."""
        spoken: set[str] = set()
        for lawyer in self.crew.get(slot.key, ()):
            spoken |= lawyer.languages
        return slot.languages - spoken

    def missing_seats(self, slot: Slot) -> int:
        """How many practising lawyers the slot still lacks."""
        return max(0, slot.headcount - len(self.crew.get(slot.key, ())))


class _Rebalancer:
    """Local search for rule 6: hand duties from the most to the least loaded lawyer of an availability group.

    A move is made only when it keeps rules 1-5 and strictly lowers the sum over the two lawyers of
    (duties^2 + weekend-or-holiday duties^2), so the search ends.
    """

    def __init__(
        self, *, ledger: _Ledger, groups: Iterable[list[Lawyer]], stations: dict[str, Any], region: str
    ):
        self.ledger = ledger
        self.groups = [members for members in groups if len(members) > 1]
        self.stations = stations
        self.region = region

    def run(self, *, rounds: int = 200) -> None:
        """Improve every group until no move helps (or the round limit)."""
        for members in self.groups:
            for _ in range(rounds):
                if not (self._even(members, weekend=False) or self._even(members, weekend=True)):
                    break

    def _even(self, members: list[Lawyer], *, weekend: bool) -> bool:
        tally = self.ledger.weekend if weekend else self.ledger.count
        ranked = sorted(members, key=lambda m: (tally[m.id], self.ledger.count[m.id], m.id))
        low, high = ranked[0], ranked[-1]
        if tally[high.id] - tally[low.id] < 2:
            return False
        for taker in ranked[: len(ranked) // 2 + 1]:
            if tally[high.id] - tally[taker.id] < 2:
                break
            if self._transfer(high, taker, weekend=weekend) or (weekend and self._swap(high, taker)):
                return True
        return False

    def _transfer(self, giver: Lawyer, taker: Lawyer, *, weekend: bool) -> bool:
        ledger = self.ledger
        for slot in sorted(ledger.duties[giver.id], key=lambda s: (s.holiday != weekend, s.date, s.key)):
            if weekend and not slot.holiday:
                break
            gain = 2 * (ledger.count[giver.id] - ledger.count[taker.id] - 1)
            if slot.holiday:
                gain += 2 * (ledger.weekend[giver.id] - ledger.weekend[taker.id] - 1)
            if gain > 0 and self._eligible(taker, slot) and ledger.can_take(taker, slot, instead_of=giver):
                ledger.move(slot, giver, taker)
                return True
        return False

    def _swap(self, giver: Lawyer, taker: Lawyer) -> bool:
        """The giver's weekend duty for the taker's workday duty: duty counts stay, weekend counts even out."""
        ledger = self.ledger
        weekend_duties = [s for s in ledger.duties[giver.id] if s.holiday and self._eligible(taker, s)]
        workday_duties = [s for s in ledger.duties[taker.id] if not s.holiday and self._eligible(giver, s)]
        for mine in sorted(weekend_duties, key=lambda s: (s.date, s.key)):
            for theirs in sorted(workday_duties, key=lambda s: (s.date, s.key)):
                if mine.date in ledger.busy[taker.id] or theirs.date in ledger.busy[giver.id]:
                    continue
                if not (_covered(ledger, mine, giver, taker) and _covered(ledger, theirs, taker, giver)):
                    continue
                if ledger.on_leave(taker, mine.date) or ledger.on_leave(giver, theirs.date):
                    continue
                ledger.move(mine, giver, taker)
                ledger.move(theirs, taker, giver)
                return True
        return False

    def _eligible(self, lawyer: Lawyer, slot: Slot) -> bool:
        station = self.stations[slot.station_id]
        if station.is_hotline:
            return region_covers(self.region, lawyer.region_code)
        return station.region_code == lawyer.region_code


def _covered(ledger: _Ledger, slot: Slot, leaving: Lawyer, joining: Lawyer) -> bool:
    spoken = set(joining.languages)
    for member in ledger.crew.get(slot.key, ()):
        if member is not leaving:
            spoken |= member.languages
    return slot.languages <= spoken


class _MonthPlan:
    """One calendar month of the roster: regions, hotline, interns, then the gaps explained."""

    def __init__(
        self,
        *,
        problem: RosterProblem,
        first: date,
        last: date,
        settings: SolverSettings,
        previous: dict[str, str],
    ) -> None:
        self.problem = problem
        self.first = first
        self.last = last
        self.settings = settings
        self.previous = previous
        self.ledger = _Ledger(problem)
        self.unfilled: list[Unfilled] = []
        self.shortfalls: list[InternShortfall] = []
        self.intern_stations: dict[str, str] = {}
        ids = sorted(lawyer.id for lawyer in problem.lawyers)
        random.Random(f"{settings.seed}:{month_of(first)}").shuffle(ids)
        # every tie-break prefers the lawyer with the least burden of the months before (stable: seeded order)
        ids.sort(key=lambda lawyer_id: problem.prior_burden.get(lawyer_id, 0.0))
        self.rank = {lawyer_id: position for position, lawyer_id in enumerate(ids)}
        self.slots = [s for s in problem.slots if first <= s.date <= last]
        self.slots.sort(key=lambda s: (s.date, s.start_time, s.key))

    def run(self, *, progress: Progress) -> None:
        """Staff every region, then the hotline, then place interns and explain what stays open."""
        regions, hotline, orphans = self._partition()
        total = max(1, len(self.slots))
        done = 0
        hotline_pool = self._hotline_pool()
        if self.settings.method == "flow":
            self._staff_by_flow(
                regions=regions, hotline=hotline, hotline_pool=hotline_pool, progress=progress
            )
        else:
            for region_code in sorted(regions):
                slots = regions[region_code]
                for slot in slots:
                    _fill_slot(slot=slot, candidates=self._region_pool(region_code), ledger=self.ledger,
                               key=self._least_loaded(slot))  # fmt: skip
                done += len(slots)
                progress(0.9 * done / total)
            self._fill_hotline(hotline, hotline_pool)
        for region_code in sorted(regions):
            self._top_up(regions[region_code], self._region_pool(region_code))
        if self.settings.method == "flow":
            self._rebalance()
        self._place_interns(regions)
        progress(0.95)
        for slot in self.slots:
            if slot.key in orphans:
                self.unfilled.append(
                    _unfilled(
                        slot, self.ledger, f"station {slot.station_id} is not on the roster's station list"
                    )
                )
            elif self.ledger.missing_seats(slot) or self.ledger.missing_languages(slot):
                station = self.problem.station_by_id[slot.station_id]
                pool = hotline_pool if station.is_hotline else self._region_pool(station.region_code)
                label = self.problem.region_code if station.is_hotline else station.region_code
                reason = _explain_gap(slot=slot, pool=pool, region_label=label, ledger=self.ledger)
                self.unfilled.append(_unfilled(slot, self.ledger, reason))
        progress(1.0)

    def _staff_by_flow(
        self,
        *,
        regions: dict[str, list[Slot]],
        hotline: list[Slot],
        hotline_pool: list[Lawyer],
        progress: Progress,
    ) -> None:
        """Rule 7 by min-cost flow. First each region alone (small flows), the hotline from the lawyers they
        leave free: when that staffs the hotline fully it is optimal (no region can do better, and the
        hotline is full). Otherwise one flow over every region and the hotline decides who goes where."""
        for index, region_code in enumerate(sorted(regions)):
            seats = _solve_month(
                regions={region_code: regions[region_code]}, hotline=[], pools=self._pools, hotline_pool=[],
                problem=self.problem, first=self.first, last=self.last,
            )  # fmt: skip
            _hand_out(seats=seats, ledger=self.ledger, rank=self.rank)
            progress(0.8 * (index + 1) / max(1, len(regions)))
        self._fill_hotline(hotline, hotline_pool)
        if all(not (self.ledger.missing_seats(s) or self.ledger.missing_languages(s)) for s in hotline):
            return
        self.ledger = _Ledger(self.problem)
        seats = _solve_month(
            regions=regions, hotline=hotline, pools=self._pools, hotline_pool=hotline_pool,
            problem=self.problem, first=self.first, last=self.last,
        )  # fmt: skip
        _hand_out(seats=seats, ledger=self.ledger, rank=self.rank)
        self._fill_hotline(hotline, hotline_pool)
        progress(0.9)

    def _fill_hotline(self, hotline: list[Slot], pool: list[Lawyer]) -> None:
        _fill_fairly(
            slots=hotline, pool=pool, ledger=self.ledger, rank=self.rank, problem=self.problem,
            first=self.first, last=self.last,
        )  # fmt: skip

    def _partition(self) -> tuple[dict[str, list[Slot]], list[Slot], set[str]]:
        regions: dict[str, list[Slot]] = defaultdict(list)
        hotline: list[Slot] = []
        orphans: set[str] = set()
        for slot in self.slots:
            station = self.problem.station_by_id.get(slot.station_id)
            if station is None:
                orphans.add(slot.key)
            elif station.is_hotline:
                hotline.append(slot)
            else:
                regions[station.region_code].append(slot)
        return regions, hotline, orphans

    def _region_pool(self, region_code: str) -> list[Lawyer]:
        return self._pools.get(region_code, [])

    @cached_property
    def _pools(self) -> dict[str, list[Lawyer]]:
        """Practising lawyers by region code, in seeded rank order."""
        pools: dict[str, list[Lawyer]] = defaultdict(list)
        for lawyer in self.problem.lawyers:
            if lawyer.is_practising:
                pools[lawyer.region_code].append(lawyer)
        for members in pools.values():
            members.sort(key=lambda lawyer: self.rank[lawyer.id])
        return dict(pools)

    def _hotline_pool(self) -> list[Lawyer]:
        return [
            lawyer
            for code, members in sorted(self._pools.items())
            if region_covers(self.problem.region_code, code)
            for lawyer in members
        ]

    def _top_up(self, slots: Iterable[Slot], pool: list[Lawyer]) -> None:
        for slot in slots:
            if self.ledger.missing_seats(slot):
                _fill_slot(slot=slot, candidates=pool, ledger=self.ledger, key=self._least_loaded(slot))

    def _least_loaded(self, slot: Slot) -> Callable[[Lawyer], tuple[int, ...]]:
        ledger, rank = self.ledger, self.rank
        if slot.holiday:
            return lambda lawyer: (ledger.weekend[lawyer.id], ledger.count[lawyer.id], rank[lawyer.id])
        return lambda lawyer: (ledger.count[lawyer.id], rank[lawyer.id])

    def _rebalance(self) -> None:
        groups = fairness_groups(problem=self.problem, first=self.first, last=self.last)
        lawyers = self.problem.lawyer_by_id
        ordered = [
            [lawyers[i] for i in sorted(ids)] for _, ids in sorted(groups.items(), key=lambda g: sorted(g[1]))
        ]
        _Rebalancer(
            ledger=self.ledger,
            groups=ordered,
            stations=dict(self.problem.station_by_id),
            region=self.problem.region_code,
        ).run()

    def _place_interns(self, regions: dict[str, list[Slot]]) -> None:
        interns = [
            lawyer for lawyer in self.problem.lawyers if lawyer.is_interning_between(self.first, self.last)
        ]
        interns.sort(key=lambda lawyer: self.rank[lawyer.id])
        placer = _InternPlacer(plan=self, regions=regions)
        for intern in placer.ordered(interns):
            placer.place(intern)


class _InternPlacer:
    """Places each active intern at one township or village station for the month."""

    def __init__(self, *, plan: _MonthPlan, regions: dict[str, list[Slot]]) -> None:
        self.plan = plan
        self.problem = plan.problem
        self.ledger = plan.ledger
        self.seated: Counter[str] = Counter()
        self.offers: dict[str, dict[str, list[Slot]]] = defaultdict(lambda: defaultdict(list))
        for region_code, slots in regions.items():
            for slot in slots:
                station = self.problem.station_by_id[slot.station_id]
                if slot.intern_seats > 0 and station.is_grassroots:
                    self.offers[region_code][station.id].append(slot)

    def ordered(self, interns: list[Lawyer]) -> list[Lawyer]:
        """Interns with the fewest stations to choose from first (last month's station excluded)."""
        return sorted(interns, key=lambda intern: (len(self.choices(intern)), self.plan.rank[intern.id]))

    def choices(self, intern: Lawyer) -> list[str]:
        """The stations the intern may serve at this month: not last month's where the county has another."""
        stations = self.offers.get(intern.region_code, {})
        previous = self.plan.previous.get(intern.id)
        return sorted(s for s in stations if s != previous) or sorted(stations)

    def usable(self, intern: Lawyer, slots: list[Slot]) -> list[Slot]:
        """The intern seats at one station the intern can take: staffed, seat free, intern free, one a day."""
        seen: set[date] = set()
        found: list[Slot] = []
        for slot in slots:
            if (
                slot.date not in seen
                and self.ledger.crew.get(slot.key)
                and len(self.ledger.interns.get(slot.key, ())) < slot.intern_seats
                and intern.is_interning_on(slot.date)
                and self.ledger.is_free(intern, slot.date)
            ):
                seen.add(slot.date)
                found.append(slot)
        return found

    def place(self, intern: Lawyer) -> None:
        """Choose the intern's station for the month and seat them there."""
        required = self.problem.min_intern_duties
        target = min(required, intern.max_duties_per_month)
        stations = self.offers.get(intern.region_code, {})
        previous = self.plan.previous.get(intern.id)
        choices = self.choices(intern)
        best: tuple[str, list[Slot]] | None = None
        best_key: tuple[int, int, int, int] | None = None
        for station_id in choices:
            usable = self.usable(intern, stations[station_id])
            supervised = any(
                member.id == intern.supervisor_id
                for s in stations[station_id]
                for member in self.ledger.crew.get(s.key, ())
            )
            key = (-min(len(usable), target), len(usable), self.seated[station_id], -int(supervised))
            if best_key is None or key < best_key:
                best, best_key = (station_id, usable), key
        got = 0
        if best is not None:
            station_id, usable = best
            for slot in _spread(usable, target):
                self.ledger.assign(slot, intern, role="intern")
                got += 1
            if got:
                self.seated[station_id] += 1
                self.plan.intern_stations[intern.id] = station_id
        if got < required:
            reason = self._shortfall_reason(
                intern=intern,
                got=got,
                station_id=best[0] if best else None,
                previous=previous,
                stations=stations,
            )
            self.plan.shortfalls.append(
                InternShortfall(
                    lawyer_id=intern.id,
                    month=month_of(self.plan.first),
                    duties=got,
                    required=required,
                    reason=reason,
                )
            )

    def _shortfall_reason(
        self,
        *,
        intern: Lawyer,
        got: int,
        station_id: str | None,
        previous: str | None,
        stations: dict[str, Any],
    ) -> str:
        month = month_of(self.plan.first)
        if not stations:
            return f"{intern.region_code} has no township or village station with intern seats in {month}"
        if intern.max_duties_per_month < self.problem.min_intern_duties:
            return f"{intern.name}'s monthly maximum is {intern.max_duties_per_month}"
        active = [
            d
            for d in _days(self.plan.first, self.plan.last)
            if intern.is_interning_on(d) and not self.ledger.on_leave(intern, d)
        ]
        if len(active) < self.problem.min_intern_duties:
            return f"{intern.name} is in internship and not on leave on only {len(active)} days of {month}"
        name = self.problem.station_by_id[station_id].name if station_id else "any station"
        excluded = ""
        if previous and previous in stations and len(stations) > 1:
            excluded = f"; last month's {self.problem.station_by_id[previous].name} excluded"
        others = sum(n for station_id, n in self.seated.items() if station_id in stations)
        return (
            f"too few intern seats on staffed duties in {intern.region_code} for {month}: the best station left, "
            f"{name}, had {_duties(got)} on days {intern.name} was free ({others} other interns placed{excluded})"
        )


def _duties(n: int) -> str:
    return f"{n} duty" if n == 1 else f"{n} duties"


def _spread(slots: Sequence[Slot], target: int) -> list[Slot]:
    """`target` of the slots, spread evenly over the month."""
    if target <= 0:
        return []
    if len(slots) <= target:
        return list(slots)
    step = len(slots) / target
    return [slots[int(i * step)] for i in range(target)]


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day = date.fromordinal(day.toordinal() + 1)


def _fill_slot(
    *, slot: Slot, candidates: Sequence[Lawyer], ledger: _Ledger, key: Callable[[Lawyer], tuple[int, ...]]
) -> None:
    """Seat free candidates on the slot: speakers of its missing languages first; never a crew without them."""
    need = ledger.missing_seats(slot)
    if need <= 0:
        return
    free = sorted(
        ((key(lawyer), lawyer) for lawyer in candidates if ledger.is_free(lawyer, slot.date)),
        key=lambda item: item[0],
    )
    missing = set(ledger.missing_languages(slot))
    chosen: list[Lawyer] = []
    taken: set[str] = set()
    while missing:
        seats_after = need - len(chosen) - 1
        speakers = [
            (score, lawyer)
            for score, lawyer in free
            if lawyer.languages & missing
            and len(missing - lawyer.languages) <= seats_after
            and lawyer.id not in taken
        ]
        if not speakers:
            return
        _, pick = min(speakers, key=lambda item: (item[0], -len(item[1].languages & missing)))
        chosen.append(pick)
        taken.add(pick.id)
        missing -= pick.languages
    chosen += [lawyer for _, lawyer in free if lawyer.id not in taken][: need - len(chosen)]
    for lawyer in chosen:
        ledger.assign(slot, lawyer)


def _fill_fairly(
    *,
    slots: Sequence[Slot],
    pool: Sequence[Lawyer],
    ledger: _Ledger,
    rank: dict[str, int],
    problem: RosterProblem,
    first: date,
    last: date,
) -> None:
    """Fill slots open to a wide pool (the hotline) with lawyers whose extra duty keeps their group within one."""
    group_of: dict[str, tuple[str, frozenset[date], int]] = {}
    members: dict[tuple[str, frozenset[date], int], list[str]] = defaultdict(list)
    for lawyer in pool:
        leave = frozenset(d for d in problem.leave_days.get(lawyer.id, ()) if first <= d <= last)
        group = (lawyer.region_code, leave, lawyer.max_duties_per_month)
        group_of[lawyer.id] = group
        members[group].append(lawyer.id)
    low: dict[tuple[str, frozenset[date], int], tuple[int, int]] = {}

    def floor(group: tuple[str, frozenset[date], int]) -> tuple[int, int]:
        if group not in low:
            ids = members[group]
            low[group] = (min(ledger.count[i] for i in ids), min(ledger.weekend[i] for i in ids))
        return low[group]

    # The least loaded come first; a short list of them is plenty for one slot, the whole pool is the fallback.
    order = sorted(pool, key=lambda lawyer: (ledger.count[lawyer.id], rank[lawyer.id]))
    for slot in slots:
        if not (ledger.missing_seats(slot) or ledger.missing_languages(slot)):
            continue

        def key(lawyer: Lawyer, slot: Slot = slot) -> tuple[int, ...]:
            least, least_weekend = floor(group_of[lawyer.id])
            beyond = ledger.count[lawyer.id] > least or (
                slot.holiday and ledger.weekend[lawyer.id] > least_weekend
            )
            return (int(beyond), ledger.count[lawyer.id], rank[lawyer.id])

        before = {lawyer.id for lawyer in ledger.crew.get(slot.key, ())}
        shortlist = _shortlist(slot=slot, order=order, ledger=ledger, key=key)
        _fill_slot(slot=slot, candidates=shortlist, ledger=ledger, key=key)
        if ledger.missing_seats(slot) or ledger.missing_languages(slot):
            _fill_slot(slot=slot, candidates=pool, ledger=ledger, key=key)
        for lawyer in ledger.crew.get(slot.key, ()):
            if lawyer.id not in before:
                low.pop(group_of[lawyer.id], None)


def _shortlist(
    *, slot: Slot, order: Sequence[Lawyer], ledger: _Ledger, key: Callable[[Lawyer], tuple[int, ...]]
) -> list[Lawyer]:
    """Free lawyers whose extra duty keeps their group within one, enough of them for every seat and language."""
    wanted = 4 * max(1, slot.headcount)
    speakers: Counter[str] = Counter()
    found: list[Lawyer] = []
    for lawyer in order:
        if not ledger.is_free(lawyer, slot.date) or key(lawyer)[0]:
            continue
        found.append(lawyer)
        speakers.update(lawyer.languages & slot.languages)
        if len(found) >= wanted and all(speakers[code] >= wanted for code in slot.languages):
            break
    return found


def _explain_gap(*, slot: Slot, pool: Sequence[Lawyer], region_label: str, ledger: _Ledger) -> str:
    """Why a slot still lacks lawyers or a language, in words a county scheduler understands."""
    day = slot.date.isoformat()
    if slot.headcount <= 0:
        return "the duty has no seat for a practising lawyer, so nobody can speak its languages"
    have = len(ledger.crew.get(slot.key, ()))
    prefix = f"{have} of {slot.headcount} lawyers: " if have else ""
    if not pool:
        return f"{prefix}no practising lawyer in {region_label}"
    missing = sorted(ledger.missing_languages(slot))
    for code in missing:
        speakers = [lawyer for lawyer in pool if code in lawyer.languages]
        name = language_name(code)
        if not speakers:
            return f"{prefix}no {name}-speaking lawyer in {region_label}"
        if not any(ledger.is_free(lawyer, slot.date) for lawyer in speakers):
            tally = _tally(speakers, slot, ledger, f"{name} speakers of {region_label}")
            return f"{prefix}no {name}-speaking lawyer free on {day} ({tally})"
    if missing:
        names = " and ".join(language_name(code) for code in missing)
        return f"{prefix}no crew of {slot.headcount} free lawyer(s) of {region_label} on {day} speaks {names}"
    if all(ledger.count[lawyer.id] >= lawyer.max_duties_per_month for lawyer in pool):
        return f"{prefix}all {len(pool)} lawyers of {region_label} already at their monthly maximum"
    if all(ledger.on_leave(lawyer, slot.date) for lawyer in pool):
        return f"{prefix}all {len(pool)} lawyers of {region_label} are on leave on {day}"
    tally = _tally(pool, slot, ledger, f"lawyers of {region_label}")
    return f"{prefix}no other lawyer of {region_label} free on {day} ({tally})"


def _tally(lawyers: Sequence[Lawyer], slot: Slot, ledger: _Ledger, noun: str) -> str:
    """Where everyone is that day: `12 Kazakh speakers of 654021: 2 on leave, 10 on another duty that day`."""
    on_leave = sum(ledger.on_leave(lawyer, slot.date) for lawyer in lawyers)
    busy = sum(
        not ledger.on_leave(lawyer, slot.date) and slot.date in ledger.busy.get(lawyer.id, ())
        for lawyer in lawyers
    )
    at_max = len(lawyers) - on_leave - busy
    parts = [
        f"{n} {what}"
        for n, what in (
            (on_leave, "on leave"),
            (busy, "on another duty that day"),
            (at_max, "at their monthly maximum"),
        )
        if n
    ]
    return f"{len(lawyers)} {noun}: " + ", ".join(parts)


def _unfilled(slot: Slot, ledger: _Ledger, reason: str) -> Unfilled:
    return Unfilled(
        station_id=slot.station_id,
        date=slot.date,
        start_time=slot.start_time,
        reason=reason,
        slot_key=slot.key,
        missing_seats=ledger.missing_seats(slot),
        missing_languages=ledger.missing_languages(slot),
    )


def _lawyer_classes(
    *, pool: Sequence[Lawyer], relevant: frozenset[str], problem: RosterProblem, first: date, last: date
) -> list[tuple[ClassKey, list[Lawyer]]]:
    """Lawyers interchangeable for the model: same useful languages, leave days in the month and maximum."""
    classes: dict[ClassKey, list[Lawyer]] = defaultdict(list)
    for lawyer in pool:
        leave = frozenset(d for d in problem.leave_days.get(lawyer.id, ()) if first <= d <= last)
        classes[(lawyer.languages & relevant, leave, lawyer.max_duties_per_month)].append(lawyer)
    return sorted(classes.items(), key=lambda item: item[1][0].id)


def fairness_costs(*, members: Sequence[Lawyer], maximum: int, lag: int = 0) -> tuple[list[int], list[int]]:
    """The fairness part of the objective for one class of interchangeable lawyers: the cost of each member's
    j-th duty and of their j-th weekend-or-holiday duty, j = 1..maximum, in hundredths of a duty
    (`flow.LEVEL`; non-negative and convex, so the flow spreads duties evenly). `lag` is what the burden the
    class's members carried the months before adds to each of their duties (`prior_lag`). The one place
    fairness enters the flow."""
    del members  # a class's members are interchangeable: what tells classes apart is their lag
    return [j * LEVEL + lag for j in range(1, maximum + 1)], [j * LEVEL for j in range(1, maximum + 1)]


def _solve_month(
    *,
    regions: dict[str, list[Slot]],
    hotline: Sequence[Slot],
    pools: dict[str, list[Lawyer]],
    hotline_pool: Sequence[Lawyer],
    problem: RosterProblem,
    first: date,
    last: date,
) -> list[tuple[Slot, list[Lawyer], int]]:
    """Seats per (lawyer class, slot) by one min-cost flow over every region and the hotline of the month: the
    most open points, the most seats, the fairest spread. A region's slots are reached by its own classes, the
    hotline's by the classes of every region it covers.

    A duty that names languages is staffed only when its language seats are: a slot whose language seat
    stays empty is closed and the flow solved again without it.
    """
    hotline_languages = frozenset().union(*(slot.languages for slot in hotline))
    hotline_regions = {lawyer.region_code for lawyer in hotline_pool}
    classes: list[tuple[ClassKey, list[Lawyer]]] = []
    reach: dict[str, list[int]] = {}
    hotline_classes: list[int] = []
    for region_code in sorted(set(regions) | (hotline_regions if hotline else set())):
        pool = pools.get(region_code, [])
        slots = regions.get(region_code, [])
        relevant = frozenset().union(*(slot.languages for slot in slots))
        if hotline and region_code in hotline_regions:
            relevant |= hotline_languages
        start = len(classes)
        classes += _lawyer_classes(pool=pool, relevant=relevant, problem=problem, first=first, last=last)
        own = list(range(start, len(classes)))
        for slot in slots:
            reach[slot.key] = own
        if region_code in hotline_regions:
            hotline_classes += own
    for slot in hotline:
        reach[slot.key] = hotline_classes
    every_slot = [slot for slots in regions.values() for slot in slots] + list(hotline)
    lag = prior_lag(classes, problem.prior_burden)  # the burden of the months before, per class
    seats, closed_some = _solve_closing(
        slots=every_slot, classes=classes, reach=reach, lag=lag, whole_crew=frozenset(), tie=False
    )
    tie = False
    if closed_some:
        # duties staffed without their language were closed, and their other lawyers may have been lost to
        # them: the tie-break keeps such seats beside their language seat; kept only when it staffs more
        tied, _ = _solve_closing(
            slots=every_slot, classes=classes, reach=reach, lag=lag, whole_crew=frozenset(), tie=True
        )
        if _coverage(tied) > _coverage(seats):
            seats, tie = tied, True
    several = [slot for slot in every_slot if len(slot.languages) > 1]
    everything = (sum(slot.headcount > 0 for slot in every_slot), sum(slot.headcount for slot in every_slot))
    if several and _coverage(seats) != everything:
        # A slot naming several languages can also open with one lawyer who speaks them all and take anyone
        # beside them: try that seat plan everywhere, and where the best plan so far left such a slot closed
        # or seated such a lawyer (a few rounds), keeping whichever keeps more points open, then more seats.
        variants = {frozenset(slot.key for slot in several)}  # every such slot open to one polyglot
        whole_crew: frozenset[str] = frozenset()
        for _ in range(2):  # and, from the best so far, where it left them closed or seated a polyglot
            polyglot = {
                slot.key
                for (slot, ci), n in seats.items()
                if n and len(slot.languages) > 1 and slot.languages <= classes[ci][0][0]
            }
            staffed = {slot.key for (slot, _), n in seats.items() if n}
            whole_crew = whole_crew | frozenset(
                slot.key for slot in several if slot.key not in staffed or slot.key in polyglot
            )
            variants.add(whole_crew)
            best = max(
                (
                    _solve_closing(
                        slots=every_slot,
                        classes=classes,
                        reach=reach,
                        lag=lag,
                        whole_crew=variant,
                        tie=tie,
                    )[0]
                    for variant in variants
                ),
                key=_coverage,
            )
            variants = set()
            if _coverage(best) <= _coverage(seats):
                break
            seats = best
    return [(slot, classes[ci][1], n) for (slot, ci), n in sorted(seats.items(), key=_seat_order) if n]


def _coverage(seats: dict[tuple[Slot, int], int]) -> tuple[int, int]:
    """Rule 7's measure of a flow's seats: (open points, seats)."""
    return len({slot.key for (slot, _), n in seats.items() if n}), sum(seats.values())


def _solve_closing(
    *,
    slots: Sequence[Slot],
    classes: list[tuple[ClassKey, list[Lawyer]]],
    reach: dict[str, list[int]],
    lag: Sequence[int],
    whole_crew: frozenset[str],
    tie: bool,
) -> tuple[dict[tuple[Slot, int], int], bool]:
    """The flow solved until no slot is staffed without its languages (such slots closed, solved again);
    and whether any had to be closed."""
    closed: set[str] = set()
    while True:
        seats, language_gaps = _flow_once(
            slots=slots, classes=classes, reach=reach, closed=closed, whole_crew=whole_crew, tie=tie, lag=lag
        )
        staffed = {slot.key for (slot, _), n in seats.items() if n}
        newly = (language_gaps & staffed) - closed
        if not newly:
            return seats, bool(closed)
        closed |= newly


def _seat_order(item: tuple[tuple[Slot, int], int]) -> tuple[date, str, int]:
    (slot, ci), _ = item
    return (slot.date, slot.key, ci)


def prior_lag(classes: list[tuple[ClassKey, list[Lawyer]]], prior: Mapping[str, float]) -> list[int]:
    """Per class, what each of its duties costs more for the burden its members carried the months before.

    Between availability groups (rule 6 compares only lawyers with the same leave and maximum) it is how far
    the group's mean prior burden lies above the least burdened group's, in duties: a j-th duty then costs
    j + lag, so the region evens out sum (prior + duties)^2. Inside a group, classes (which differ only in
    languages) are told apart by less than one duty, which decides who gets the one extra duty and never
    lets their counts drift two apart.
    """
    means = [sum(prior.get(m.id, 0.0) for m in members) / len(members) for _, members in classes]
    groups: dict[tuple[frozenset[date], int], list[tuple[float, int]]] = defaultdict(list)
    for ci, ((_, leave, maximum), members) in enumerate(classes):
        groups[(leave, maximum)].append((means[ci], len(members)))
    group_mean = {
        key: sum(m * n for m, n in items) / sum(n for _, n in items) for key, items in groups.items()
    }
    least = min(group_mean.values(), default=0.0)
    least_in = {key: min(m for m, _ in items) for key, items in groups.items()}
    lag: list[int] = []
    for ci, ((_, leave, maximum), _members) in enumerate(classes):
        key = (leave, maximum)
        within = min(LEVEL - 1, round((means[ci] - least_in[key]) * LEVEL))
        lag.append(round((group_mean[key] - least) * LEVEL) + within)
    return lag


def _flow_once(
    *,
    slots: Sequence[Slot],
    classes: list[tuple[ClassKey, list[Lawyer]]],
    reach: dict[str, list[int]],
    closed: set[str],
    lag: Sequence[int],
    whole_crew: frozenset[str] = frozenset(),
    tie: bool = True,
) -> tuple[dict[tuple[Slot, int], int], set[str]]:
    """One min-cost flow: source -> class (fairness by level) -> weekend/workday -> class-day -> seat -> sink,
    seats rewarded by rule 7's weights."""
    net = Network()
    source, sink = net.node(), net.node()
    day_node, fairness = _class_days(net=net, source=source, slots=slots, classes=classes, lag=lag)
    plans = [
        (slot, seat_plan(slot, whole_crew=slot.key in whole_crew)) for slot in slots if slot.key not in closed
    ]
    seat_count = sum(group[1] for _, plan in plans for group in plan)
    if seat_count == 0:
        return {}, set()
    weights = Weights.above(fairness=fairness, seats=seat_count)
    if not tie:
        weights = replace(weights, tie=0)
    hubs = Hubs(net=net, classes=classes, day_node=day_node)
    seat_arcs: list[tuple[int, Slot, HubKey]] = []
    language_arcs: dict[str, list[tuple[int, int]]] = defaultdict(list)  # slot key -> (sink arc, capacity)
    for slot, plan in plans:
        group = reach.get(slot.key, [])
        for required, capacity, share, ties in plan:
            seat = net.node()
            sink_arc = net.arc(seat, sink, capacity, -weights.reward(share, ties))
            if required:
                language_arcs[slot.key].append((sink_arc, capacity))
            for key, hub in hubs.of(group, slot.date):
                if required <= key[2]:
                    seat_arcs.append((net.arc(hub, seat, capacity), slot, key))
    net.arc(source, sink, seat_count)  # the bypass: whatever no lawyer can usefully take
    flows = net.solve(source=source, sink=sink, supply=seat_count)
    arrived = hubs.arrivals(flows)
    seats: dict[tuple[Slot, int], int] = defaultdict(int)
    for arc, slot, key in seat_arcs:
        for ci in arrived[key].take(flows[arc]):
            seats[(slot, ci)] += 1
    gaps = {
        key for key, arcs in language_arcs.items() if any(flows[arc] < capacity for arc, capacity in arcs)
    }
    return seats, gaps


def _class_days(
    *,
    net: Network,
    source: int,
    slots: Sequence[Slot],
    classes: list[tuple[ClassKey, list[Lawyer]]],
    lag: Sequence[int],
) -> tuple[dict[tuple[int, date], int], int]:
    """source -> class (fairness by level) -> weekend/workday lane -> class-day nodes; returns the class-day
    nodes and the most the fairness costs can add up to."""
    day_node: dict[tuple[int, date], int] = {}
    lanes: list[tuple[int, int]] = []  # (weekend node, workday node) per class
    dates = sorted({slot.date: slot.holiday for slot in slots}.items())
    fairness = 0
    for ci, ((_, _, maximum), members) in enumerate(classes):
        size = len(members)
        hub, weekend, workday = net.node(), net.node(), net.node()
        duty_costs, weekend_costs = fairness_costs(members=members, maximum=maximum, lag=lag[ci])
        for duty_cost, weekend_cost in zip(duty_costs, weekend_costs, strict=True):
            net.arc(source, hub, size, duty_cost)
            net.arc(hub, weekend, size, weekend_cost)
            fairness += size * (duty_cost + weekend_cost)
        net.arc(hub, workday, size * maximum)
        lanes.append((weekend, workday))
    for ci, ((_, leave, maximum), members) in enumerate(classes):
        for day, holiday in dates:
            if day not in leave and maximum > 0:
                day_node[(ci, day)] = net.node()
                net.arc(lanes[ci][0] if holiday else lanes[ci][1], day_node[(ci, day)], len(members))
    return day_node, fairness


def _hand_out(*, seats: list[tuple[Slot, list[Lawyer], int]], ledger: _Ledger, rank: dict[str, int]) -> None:
    """Give each class's seats to its members day by day, weekend and holiday days first, least loaded first."""
    by_class: dict[str, list[tuple[Slot, list[Lawyer], int]]] = defaultdict(list)
    for slot, members, number in seats:
        by_class[members[0].id].append((slot, members, number))
    for _, items in sorted(by_class.items()):
        members = items[0][1]
        by_day: dict[date, list[tuple[Slot, int]]] = defaultdict(list)
        for slot, _, number in items:
            by_day[slot.date].append((slot, number))
        days = sorted(by_day, key=lambda d: (not by_day[d][0][0].holiday, d))
        for day in days:
            holiday = by_day[day][0][0].holiday
            if holiday:
                order = sorted(members, key=lambda m: (ledger.weekend[m.id], ledger.count[m.id], rank[m.id]))
            else:
                order = sorted(members, key=lambda m: (ledger.count[m.id], rank[m.id]))
            queue = iter(order)
            for slot, number in sorted(by_day[day], key=lambda item: item[0].key):
                for _ in range(number):
                    ledger.assign(slot, next(queue))
