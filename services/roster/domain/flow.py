"""The min-cost-flow pieces generation and repair share: rule 7's lexicographic weights, the network, a
slot's seats, and the hubs where interchangeable lawyers meet (see `solver` for the design)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from ortools.graph.python import min_cost_flow

from .model import Lawyer, Slot

ClassKey = tuple[frozenset[str], frozenset[date], int]


SeatGroup = tuple[frozenset[str], int, int, int]  # (languages needed, seats, opening share, tie-break)
LEVEL = 100  # fairness costs are in hundredths of a duty, so a burden carried the months before can tell
# classes apart by less than a duty (solver.fairness_costs, solver.prior_lag)
TIE = (
    64 * LEVEL
)  # a tie-break step: more than one duty's fairness costs (levels up to 31, duties and weekends)


@dataclass(frozen=True)
class Weights:
    """Rule 7 as lexicographic weights: one more open point outweighs any number of seats, one more seat
    outweighs everything below it; `keep` (repair only) lies between a seat and the rest. Among rosters with
    as many open points and seats, a tie-break (`TIE` per step) prefers a language duty's further seats
    beside its own language seat: the flow cannot make a seat count only when another is taken, and a duty
    staffed without its language is closed afterwards, losing those seats."""

    open: int
    seat: int
    keep: int = 0
    tie: int = TIE

    @classmethod
    def above(cls, *, fairness: int, seats: int, kept: int = 0) -> Weights:
        """Weights for a network whose fairness costs add up to at most `fairness`, with `seats` seats and
        `kept` current assignments that could be kept (the tie-breaks add up to at most 2 * seats steps)."""
        ties = TIE * 2 * seats
        keep = fairness + ties + 1 if kept else 0
        seat = fairness + ties + keep * kept + 1
        return cls(open=seat * (seats + 1), seat=seat, keep=keep)

    def reward(self, opening_share: int, tie_steps: int = 0) -> int:
        """What one lawyer on a seat earns: every seat `seat`; an opening seat its share of `open`; plus the
        seat's tie-break steps."""
        return self.seat + (self.open // opening_share if opening_share else 0) + self.tie * tie_steps


@dataclass
class Network:
    """A min-cost-flow network under construction."""

    nodes: int = 0
    arcs: list[tuple[int, int, int, int]] = field(default_factory=list)

    def node(self) -> int:
        """A new node."""
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, capacity: int, cost: int = 0) -> int:
        """A new arc; returns its index."""
        self.arcs.append((tail, head, capacity, cost))
        return len(self.arcs) - 1

    def solve(self, *, source: int, sink: int, supply: int) -> list[int]:
        """Maximum flow from source to sink at minimum cost; the flow on every arc."""
        flow = min_cost_flow.SimpleMinCostFlow()
        table = np.array(self.arcs, dtype=np.int64).reshape(-1, 4)
        flow.add_arcs_with_capacity_and_unit_cost(
            table[:, 0].astype(np.int32), table[:, 1].astype(np.int32), table[:, 2], table[:, 3]
        )
        flow.set_nodes_supplies(
            np.array([source, sink], dtype=np.int32), np.array([supply, -supply], dtype=np.int64)
        )
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")
        return flow.flows(np.arange(len(self.arcs), dtype=np.int32)).tolist()


def seat_plan(slot: Slot, *, whole_crew: bool = False) -> list[SeatGroup]:
    """The slot's seats as (languages the seat's lawyer must speak, how many such seats, opening share,
    tie-break steps).

    A slot is open when every seat with an opening share is taken: the first seat of a slot without
    languages (or, with `whole_crew`, a first seat whose lawyer speaks all its languages), else every
    language seat (each earning its share of the opening reward). In a duty with one language, the further
    seats lose a tie-break step each and its language seat gains as many: they are worth their full reward
    only together."""
    languages = sorted(slot.languages)
    if slot.headcount <= 0:
        return []
    further = slot.headcount - 1
    if not languages or whole_crew:
        step = 1 if languages else 0
        plan: list[SeatGroup] = [(slot.languages, 1, 1, step * further)]
        if further:
            plan.append((frozenset(), further, 0, -step))
        return plan
    if slot.headcount >= len(languages):
        step = 1 if len(languages) == 1 else 0
        plan = [(frozenset({code}), 1, len(languages), step * further) for code in languages]
        if slot.headcount > len(languages):
            plan.append((frozenset(), slot.headcount - len(languages), 0, -step))
        return plan
    buckets: list[set[str]] = [set() for _ in range(slot.headcount)]
    for i, code in enumerate(languages):
        buckets[i % slot.headcount].add(code)
    return [(frozenset(bucket), 1, slot.headcount, 0) for bucket in buckets]


HubKey = tuple[int, date, frozenset[str]]


class Queue:
    """Lawyers of classes that arrived at a hub, handed on in order."""

    def __init__(self) -> None:
        self.items: list[list[int]] = []  # [class index, how many left]

    def take(self, n: int) -> list[int]:
        """The classes of the next `n` lawyers."""
        taken: list[int] = []
        while n > 0:
            head = self.items[0]
            step = min(n, head[1])
            taken += [head[0]] * step
            head[1] -= step
            n -= step
            if head[1] == 0:
                self.items.pop(0)
        return taken


class Hubs:
    """Classes that reach the same slots (a region's, or every region's for the hotline) and speak the same
    useful languages meet on a day in one hub, so a seat needs one arc per hub, not one per class."""

    def __init__(
        self,
        *,
        net: Network,
        classes: list[tuple[ClassKey, list[Lawyer]]],
        day_node: dict[tuple[int, date], int],
    ) -> None:
        self.net, self.classes, self.day_node = net, classes, day_node
        self.made: dict[tuple[int, date], list[tuple[HubKey, int]]] = {}
        self.inflow: list[tuple[int, HubKey, int]] = []  # (arc, hub, class index)

    def of(self, group: list[int], day: date) -> list[tuple[HubKey, int]]:
        """The hubs of the classes in `group` on `day`: (key, node)."""
        made = self.made.get((id(group), day))
        if made is None:
            nodes: dict[HubKey, int] = {}
            for ci in group:
                node = self.day_node.get((ci, day))
                if node is None:
                    continue
                (languages, _, _), members = self.classes[ci]
                key = (id(group), day, languages)
                if key not in nodes:
                    nodes[key] = self.net.node()
                self.inflow.append((self.net.arc(node, nodes[key], len(members)), key, ci))
            made = self.made[(id(group), day)] = sorted(nodes.items(), key=lambda item: sorted(item[0][2]))
        return made

    def arrivals(self, flows: list[int]) -> dict[HubKey, Queue]:
        """Who arrived at each hub, by class."""
        queues: dict[HubKey, Queue] = defaultdict(Queue)
        for arc, key, ci in self.inflow:
            if flows[arc]:
                queues[key].items.append([ci, flows[arc]])
        return queues
