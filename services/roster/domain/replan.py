"""Repairing a published roster with the least disruption, and who could take one duty.

`replan` re-solves the duties from a date on after leave, a suspension, a new lawyer or a changed pattern.
What may not move is pinned: every duty before that date, checked-in duties and approved swaps (the caller
says which), and intern seats (kept while their intern and a practising lawyer stay on the duty). The rest
is one min-cost flow over the practising lawyers one by one (not classes: who keeps which duty matters):

    source -> lawyer-month (one arc per further duty, cost: `fairness_costs`) -> weekend | workday lane
           -> lawyer-day (capacity 1) -> seat (kept: the lawyer has that duty now) -> sink
    source -> sink (the bypass)

with the generation's lexicographic weights plus one: open points (rule 7), then seats, then `keep` for
every published duty left with its lawyer, then fairness. Among the rosters that cover the most, it changes
the fewest assignments. A slot whose language seat stays empty is closed and the flow solved again, as in
generation. The result is the list of duties that change hands, the ones that lose their lawyer with nobody
to take them (removed and reported), and new duties in seats that were open before.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from .flow import Network, SeatGroup, Weights, seat_plan
from .model import Assignment, Lawyer, RosterProblem, Slot, Unfilled, month_of, region_covers
from .solver import explain_gaps, fairness_costs, prior_lag


@dataclass(frozen=True, kw_only=True)
class Duty:
    """A stored duty of the roster: its id and the assignment it holds."""

    id: str
    assignment: Assignment


@dataclass(frozen=True, kw_only=True)
class Change:
    """One duty after the repair: handed to another lawyer, taken away (`to_lawyer_id` None), or new
    (`assignment_id` and `from_lawyer_id` None)."""

    assignment_id: str | None
    slot_key: str
    station_id: str
    date: date
    from_lawyer_id: str | None
    to_lawyer_id: str | None
    role: str = "lawyer"


@dataclass(frozen=True, kw_only=True)
class Repair:
    """What a repair changes, the roster after it, and what stays open from the date on (with reasons)."""

    changes: tuple[Change, ...]
    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]

    @property
    def reassigned(self) -> tuple[Change, ...]:
        """Duties handed from one lawyer to another."""
        return tuple(c for c in self.changes if c.assignment_id and c.to_lawyer_id)

    @property
    def removed(self) -> tuple[Change, ...]:
        """Duties taken from their lawyer with nobody to take them."""
        return tuple(c for c in self.changes if c.to_lawyer_id is None)

    @property
    def added(self) -> tuple[Change, ...]:
        """New duties in seats that were open."""
        return tuple(c for c in self.changes if c.assignment_id is None)


def replan(
    *, problem: RosterProblem, duties: Sequence[Duty], from_date: date, pinned: Iterable[str] = ()
) -> Repair:
    """Re-solve the roster from `from_date` on: coverage first (rule 7), then the fewest changed duties, then
    fairness; duties before `from_date` and those in `pinned` (ids) never move."""
    pinned_ids = set(pinned)
    fixed: list[Duty] = []
    movable: list[Duty] = []
    for duty in duties:
        a = duty.assignment
        if a.date < from_date or duty.id in pinned_ids or a.slot_key not in problem.slot_by_key:
            fixed.append(duty)
        elif a.role == "lawyer":
            movable.append(duty)
        else:
            fixed.append(duty)  # interns: kept, unless the checks below take them away
    window = [slot for slot in problem.slots if slot.date >= from_date]
    solved = _Flow(problem=problem, window=window, fixed=fixed, movable=movable).solve()
    changes = _diff(problem=problem, movable=movable, solved=solved)
    after = [d.assignment for d in fixed] + [
        Assignment.of(problem.slot_by_key[key], lawyer_id)
        for key, lawyers in solved.items()
        for lawyer_id in lawyers
    ]
    after, intern_changes = _drop_stranded_interns(
        problem=problem, fixed=fixed, after=after, from_date=from_date
    )
    gaps = explain_gaps(problem=problem, assignments=after, slots=window)
    return Repair(changes=tuple(changes + intern_changes), assignments=tuple(after), unfilled=tuple(gaps))


def _diff(
    *, problem: RosterProblem, movable: Sequence[Duty], solved: Mapping[str, list[str]]
) -> list[Change]:
    """Pair the duties that lost their lawyer with the lawyers who joined the same slot."""
    before: dict[str, list[Duty]] = defaultdict(list)
    for duty in movable:
        before[duty.assignment.slot_key].append(duty)
    changes: list[Change] = []
    for key in sorted(set(before) | set(solved), key=lambda k: (problem.slot_by_key[k].date, k)):
        slot = problem.slot_by_key[key]
        now = set(solved.get(key, ()))
        had = before.get(key, [])
        leaving = sorted((d for d in had if d.assignment.lawyer_id not in now), key=lambda d: d.id)
        joining = sorted(now - {d.assignment.lawyer_id for d in had})
        for index, duty in enumerate(leaving):
            to = joining[index] if index < len(joining) else None
            changes.append(_change(slot, duty.id, duty.assignment.lawyer_id, to))
        for lawyer_id in joining[len(leaving) :]:
            changes.append(_change(slot, None, None, lawyer_id))
    return changes


def _change(
    slot: Slot, assignment_id: str | None, from_id: str | None, to_id: str | None, role: str = "lawyer"
) -> Change:
    return Change(
        assignment_id=assignment_id,
        slot_key=slot.key,
        station_id=slot.station_id,
        date=slot.date,
        from_lawyer_id=from_id,
        to_lawyer_id=to_id,
        role=role,
    )


def _drop_stranded_interns(
    *, problem: RosterProblem, fixed: Sequence[Duty], after: list[Assignment], from_date: date
) -> tuple[list[Assignment], list[Change]]:
    """Intern seats from the date on whose intern is now on leave or suspended, or whose duty lost every
    practising lawyer: an intern never sits alone, so the seat is taken away."""
    practising_on: dict[str, int] = defaultdict(int)
    for a in after:
        if a.role == "lawyer":
            practising_on[a.slot_key] += 1
    lawyers = problem.lawyer_by_id
    dropped: list[Change] = []
    kept: list[Assignment] = []
    fixed_interns = {id(d.assignment): d for d in fixed if d.assignment.role == "intern"}
    for a in after:
        duty = fixed_interns.get(id(a))
        if duty is not None and a.date >= from_date:
            intern = lawyers.get(a.lawyer_id)
            stranded = (
                not practising_on.get(a.slot_key)
                or intern is None
                or not intern.is_interning_on(a.date)
                or problem.is_on_leave(a.lawyer_id, a.date)
            )
            if stranded:
                slot = problem.slot_by_key[a.slot_key]
                dropped.append(_change(slot, duty.id, a.lawyer_id, None, role="intern"))
                continue
        kept.append(a)
    return kept, dropped


_HubKey = tuple[str, date, frozenset[str]]
_Via = _HubKey | str  # a seat is reached through a hub, or by the lawyer who holds it


def _seated(
    flows: list[int], hub_arcs: list[tuple[int, _HubKey, str]], seat_arcs: list[tuple[int, Slot, _Via]]
) -> dict[str, list[str]]:
    """Slot key -> lawyers, from the flow: a hub's seats go to the lawyers who arrived at it."""
    waiting: dict[_HubKey, list[str]] = defaultdict(list)
    for arc, key, lawyer_id in sorted(hub_arcs, key=lambda item: item[2], reverse=True):
        if flows[arc]:
            waiting[key].append(lawyer_id)
    seats: dict[str, list[str]] = defaultdict(list)
    for arc, slot, via in seat_arcs:
        for _ in range(flows[arc]):
            seats[slot.key].append(via if isinstance(via, str) else waiting[via].pop())
    return seats


class _Flow:
    """The repair's min-cost flow over individual lawyers (see the module docstring)."""

    def __init__(
        self,
        *,
        problem: RosterProblem,
        window: Sequence[Slot],
        fixed: Sequence[Duty],
        movable: Sequence[Duty],
    ) -> None:
        self.problem = problem
        self.window = window
        self.movable = movable
        self.busy: dict[str, set[date]] = defaultdict(set)
        self.used: dict[tuple[str, str], int] = defaultdict(int)  # (lawyer, month) -> pinned duties
        self.used_weekend: dict[tuple[str, str], int] = defaultdict(int)
        self.crew: dict[str, list[Lawyer]] = defaultdict(list)  # pinned practising lawyers per slot
        lawyers = problem.lawyer_by_id
        for duty in fixed:
            a = duty.assignment
            slot = problem.slot_by_key.get(a.slot_key)
            self.busy[a.lawyer_id].add(a.date)
            self.used[(a.lawyer_id, month_of(a.date))] += 1
            if slot is not None and slot.holiday:
                self.used_weekend[(a.lawyer_id, month_of(a.date))] += 1
            lawyer = lawyers.get(a.lawyer_id)
            if a.role == "lawyer" and lawyer is not None and lawyer.is_practising:
                self.crew[a.slot_key].append(lawyer)
        self.lags: dict[str, dict[str, int]] = {}  # month -> lawyer -> what their burden before adds
        self.holders: dict[str, list[str]] = defaultdict(list)  # slot key -> lawyers holding a movable duty
        for duty in movable:
            self.holders[duty.assignment.slot_key].append(duty.assignment.lawyer_id)

    def solve(self) -> dict[str, list[str]]:
        """Slot key -> the practising lawyers (not pinned) on it after the repair."""
        closed: set[str] = set()
        while True:
            seats, gaps = self._once(closed)
            staffed = {key for key, lawyers in seats.items() if lawyers}
            newly = (gaps & staffed) - closed
            if not newly:
                return seats
            closed |= newly

    def _regions_of(self, slot: Slot) -> list[str]:
        """The region codes whose lawyers may serve the slot (rule 3)."""
        station = self.problem.station_by_id.get(slot.station_id)
        if station is None:
            return []
        if station.is_hotline:
            return [code for code in sorted(self._by_region) if region_covers(self.problem.region_code, code)]
        return [station.region_code] if station.region_code in self._by_region else []

    @cached_property
    def _practising(self) -> list[Lawyer]:
        return [lawyer for lawyer in self.problem.lawyers if lawyer.is_practising]

    @cached_property
    def _by_region(self) -> dict[str, list[Lawyer]]:
        regions: dict[str, list[Lawyer]] = defaultdict(list)
        for lawyer in self._practising:
            regions[lawyer.region_code].append(lawyer)
        return dict(regions)

    def _plan(self, slot: Slot) -> list[SeatGroup]:
        """The seats left beside the pinned crew; an already open slot earns no opening reward."""
        crew = self.crew.get(slot.key, [])
        if not crew:
            return seat_plan(slot)
        spoken = frozenset().union(*(lawyer.languages for lawyer in crew))
        rest = replace(slot, headcount=max(0, slot.headcount - len(crew)), languages=slot.languages - spoken)
        return [(required, capacity, 0, 0) for required, capacity, _, _ in seat_plan(rest)]

    def _once(self, closed: set[str]) -> tuple[dict[str, list[str]], set[str]]:
        net = Network()
        source, sink = net.node(), net.node()
        plans, wanted_days = self._plans(closed)
        day_nodes, fairness = self._lawyer_days(net=net, source=source, wanted_days=wanted_days)
        seat_count = sum(group[1] for _, plan, _ in plans for group in plan)
        if seat_count == 0:
            return {}, set()
        weights = Weights.above(fairness=fairness, seats=seat_count, kept=len(self.movable))
        hubs, hub_arcs = self._hubs(net, day_nodes)
        profiles: dict[tuple[str, date], list[frozenset[str]]] = defaultdict(list)
        for region, day, profile in hubs:
            profiles[(region, day)].append(profile)
        seat_arcs: list[tuple[int, Slot, _Via]] = []
        language_arcs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for slot, plan, regions in plans:
            for required, capacity, share, ties in plan:
                seat = net.node()
                sink_arc = net.arc(seat, sink, capacity, -weights.reward(share, ties))
                if required:
                    language_arcs[slot.key].append((sink_arc, capacity))
                for region in regions:
                    for profile in profiles.get((region, slot.date), ()):
                        if required <= profile:
                            key = (region, slot.date, profile)
                            seat_arcs.append((net.arc(hubs[key], seat, capacity), slot, key))
                for lawyer_id in self.holders.get(slot.key, ()):
                    held = day_nodes.get((lawyer_id, slot.date))
                    if held is not None and required <= self.problem.lawyer_by_id[lawyer_id].languages:
                        seat_arcs.append((net.arc(held, seat, 1, -weights.keep), slot, lawyer_id))
        net.arc(source, sink, seat_count)
        flows = net.solve(source=source, sink=sink, supply=seat_count)
        gaps = {key for key, arcs in language_arcs.items() if any(flows[a] < c for a, c in arcs)}
        return _seated(flows, hub_arcs, seat_arcs), gaps

    def _plans(
        self, closed: set[str]
    ) -> tuple[list[tuple[Slot, list[SeatGroup], list[str]]], dict[str, set[date]]]:
        """Each open slot's seats left to fill and the regions that may fill them; the days each lawyer could
        serve somewhere."""
        plans: list[tuple[Slot, list[SeatGroup], list[str]]] = []
        wanted_days: dict[str, set[date]] = defaultdict(set)
        for slot in self.window:
            plan = [] if slot.key in closed else self._plan(slot)
            if plan:
                regions = self._regions_of(slot)
                plans.append((slot, plan, regions))
                for region in regions:
                    for lawyer in self._by_region.get(region, ()):
                        wanted_days[lawyer.id].add(slot.date)
        return plans, wanted_days

    def _hubs(
        self, net: Network, day_nodes: Mapping[tuple[str, date], int]
    ) -> tuple[dict[_HubKey, int], list[tuple[int, _HubKey, str]]]:
        """Lawyers of one region with the same useful languages reach the same seats on a day: they meet in
        one hub per (region, day, languages); only a duty a lawyer holds now has its own (kept) arc."""
        relevant = frozenset().union(*(slot.languages for slot in self.window))
        hubs: dict[_HubKey, int] = {}
        hub_arcs: list[tuple[int, _HubKey, str]] = []
        for (lawyer_id, day), node in day_nodes.items():
            lawyer = self.problem.lawyer_by_id[lawyer_id]
            key = (lawyer.region_code, day, lawyer.languages & relevant)
            if key not in hubs:
                hubs[key] = net.node()
            hub_arcs.append((net.arc(node, hubs[key], 1), key, lawyer_id))
        return hubs, hub_arcs

    def _lawyer_days(
        self, *, net: Network, source: int, wanted_days: Mapping[str, set[date]]
    ) -> tuple[dict[tuple[str, date], int], int]:
        """source -> lawyer-month (fairness by level, beyond the pinned duties) -> weekend | workday lane ->
        lawyer-day, for the days each lawyer is free; returns the lawyer-day nodes and the fairness bound."""
        problem = self.problem
        holidays = {slot.date: slot.holiday for slot in self.window}
        day_nodes: dict[tuple[str, date], int] = {}
        lanes: dict[tuple[str, str], tuple[int, int] | None] = {}
        fairness = 0
        for lawyer_id, days in sorted(wanted_days.items()):
            lawyer = problem.lawyer_by_id[lawyer_id]
            unavailable = problem.leave_days.get(lawyer_id, frozenset()) | self.busy.get(lawyer_id, set())
            for day in sorted(days - unavailable):
                month = month_of(day)
                if (lawyer_id, month) not in lanes:
                    lanes[(lawyer_id, month)], cost = self._lawyer_month(net, source, lawyer, month)
                    fairness += cost
                lane = lanes[(lawyer_id, month)]
                if lane is not None:
                    node = net.node()
                    net.arc(lane[0] if holidays[day] else lane[1], node, 1)
                    day_nodes[(lawyer_id, day)] = node
        return day_nodes, fairness

    def _lag(self, lawyer_id: str, month: str) -> int:
        """What the burden a lawyer carried the months before the roster adds to each further duty, as
        generation weighs it (`prior_lag`, each practising lawyer a class of their own): between availability
        groups whole duties, inside one less than a duty, so the year evens out without breaking rule 6."""
        if month not in self.lags:
            year, number = (int(part) for part in month.split("-"))
            first, last = date(year, number, 1), date(year, number, monthrange(year, number)[1])
            practising = [lw for lw in self.problem.lawyers if lw.is_practising]
            leave = self.problem.leave_days
            classes = [
                (
                    (
                        lw.languages,
                        frozenset(d for d in leave.get(lw.id, ()) if first <= d <= last),
                        lw.max_duties_per_month,
                    ),
                    [lw],
                )
                for lw in practising
            ]
            lags = prior_lag(classes, self.problem.prior_burden)
            self.lags[month] = {lw.id: lag for lw, lag in zip(practising, lags, strict=True)}
        return self.lags[month].get(lawyer_id, 0)

    def _lawyer_month(
        self, net: Network, source: int, lawyer: Lawyer, month: str
    ) -> tuple[tuple[int, int] | None, int]:
        """The lawyer's duties this month beyond the pinned ones: (weekend lane, workday lane), or None when
        at the maximum already; and the most their fairness costs can add up to."""
        used = self.used[(lawyer.id, month)]
        room = lawyer.max_duties_per_month - used
        if room <= 0:
            return None, 0
        hub, weekend, workday = net.node(), net.node(), net.node()
        duty_costs, weekend_costs = fairness_costs(
            members=[lawyer], maximum=lawyer.max_duties_per_month, lag=self._lag(lawyer.id, month)
        )
        total = 0
        for cost in duty_costs[used:]:
            net.arc(source, hub, 1, cost)
            total += cost
        for cost in weekend_costs[self.used_weekend[(lawyer.id, month)] :]:
            net.arc(hub, weekend, 1, cost)
            total += cost
        net.arc(hub, workday, room)
        return (weekend, workday), total
