"""Repairing a published roster: coverage first, then the fewest changed duties, then fairness; the past,
pinned duties and intern seats stay."""

from dataclasses import replace
from datetime import date

from services.roster.domain.model import Leave
from services.roster.domain.replan import Duty, replan
from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.solver import generate

from .factories import days, lawyer, on, problem, slot, station

WEEK = days(date(2026, 12, 7), 5)  # Monday to Friday


def published(roster):
    """The roster as generated, each duty with an id."""
    result = generate(roster)
    return result, [Duty(id=f"d{i}", assignment=a) for i, a in enumerate(result.assignments)]


def week_of_two_posts(lawyers, **extra):
    return problem(
        lawyers=lawyers,
        stations=[station("T1"), station("V1", level="village")],
        slots=[slot("T1", day) for day in WEEK] + [slot("V1", day) for day in WEEK[::2]],
        **extra,
    )


def on_leave(roster, lawyer_id, first, last):
    return replace(
        roster, leaves=(*roster.leaves, Leave(lawyer_id=lawyer_id, start_date=first, end_date=last))
    )


def test_a_lawyer_on_leave_hands_exactly_their_duties_to_free_lawyers_and_nothing_else_moves():
    roster = week_of_two_posts([lawyer(x) for x in "abcde"])
    result, duties = published(roster)
    leaving = result.assignments[0].lawyer_id
    theirs = {d.id for d in duties if d.assignment.lawyer_id == leaving}
    after_leave = on_leave(roster, leaving, WEEK[0], WEEK[-1])
    repair = replan(problem=after_leave, duties=duties, from_date=WEEK[0])
    assert {c.assignment_id for c in repair.changes} == theirs
    assert all(c.to_lawyer_id not in (None, leaving) for c in repair.changes)
    assert repair.unfilled == ()
    assert check_roster(problem=after_leave, assignments=repair.assignments, rules=HARD_RULES) == []


def test_duties_before_the_date_and_pinned_duties_never_move():
    roster = week_of_two_posts([lawyer(x) for x in "abcde"])
    result, duties = published(roster)
    leaving = result.assignments[0].lawyer_id
    theirs = sorted((d for d in duties if d.assignment.lawyer_id == leaving), key=lambda d: d.assignment.date)
    pinned = theirs[-1]
    after_leave = on_leave(roster, leaving, WEEK[0], WEEK[-1])
    from_date = WEEK[1]
    repair = replan(problem=after_leave, duties=duties, from_date=from_date, pinned={pinned.id})
    moved = {c.assignment_id for c in repair.changes}
    assert pinned.id not in moved
    assert all(c.date >= from_date for c in repair.changes)
    assert moved == {d.id for d in theirs if d.assignment.date >= from_date and d is not pinned}


def test_a_new_lawyer_in_a_fully_staffed_roster_changes_nothing():
    roster = week_of_two_posts([lawyer(x) for x in "abc"])
    _, duties = published(roster)
    grown = replace(roster, lawyers=(*roster.lawyers, lawyer("newcomer")))
    assert replan(problem=grown, duties=duties, from_date=WEEK[0]).changes == ()


def test_a_new_kazakh_speaker_opens_the_kazakh_post_that_was_closed():
    roster = problem(
        lawyers=[lawyer("a")],
        stations=[station("T1"), station("K", level="village")],
        slots=[slot("T1", WEEK[0]), slot("K", WEEK[1], languages=("kk",))],
    )
    result, duties = published(roster)
    assert len(result.unfilled) == 1
    grown = replace(roster, lawyers=(*roster.lawyers, lawyer("kazakh", languages=("zh", "kk"))))
    repair = replan(problem=grown, duties=duties, from_date=WEEK[0])
    (added,) = repair.changes
    assert (added.assignment_id, added.from_lawyer_id, added.to_lawyer_id, added.station_id) == (
        None, None, "kazakh", "K")  # fmt: skip
    assert repair.unfilled == ()


def test_coverage_comes_before_fewest_changes_a_busy_lawyer_moves_to_keep_a_post_open():
    # b holds the centre's second seat on Tuesday; a falls ill; the village can only stay open if b moves
    tuesday = WEEK[1]
    centre, village = slot("C", tuesday, headcount=2), slot("V", tuesday)
    roster = problem(
        lawyers=[lawyer("a"), lawyer("b"), lawyer("c")],
        stations=[station("C", level="county"), station("V", level="village")],
        slots=[centre, village],
    )
    duties = [
        Duty(id="1", assignment=on(centre, "c")),
        Duty(id="2", assignment=on(centre, "b")),
        Duty(id="3", assignment=on(village, "a")),
    ]
    repair = replan(problem=on_leave(roster, "a", tuesday, tuesday), duties=duties, from_date=tuesday)
    after = {(a.station_id, a.lawyer_id) for a in repair.assignments}
    assert after == {("C", "c"), ("V", "b")} or after == {("C", "b"), ("V", "c")}
    assert len(repair.changes) == 2
    (gap,) = repair.unfilled
    assert gap.station_id == "C"
    assert gap.reason.startswith("1 of 2 lawyers: ")


def test_a_duty_nobody_can_take_is_taken_away_and_explained():
    roster = problem(lawyers=[lawyer("a")], stations=[station("T1")], slots=[slot("T1", WEEK[0])])
    _, duties = published(roster)
    repair = replan(problem=on_leave(roster, "a", WEEK[0], WEEK[0]), duties=duties, from_date=WEEK[0])
    (removed,) = repair.removed
    assert (removed.from_lawyer_id, removed.to_lawyer_id) == ("a", None)
    (gap,) = repair.unfilled
    assert "on leave" in gap.reason


def test_a_pattern_raised_to_two_lawyers_gets_its_second_seat_without_moving_anyone():
    roster = week_of_two_posts([lawyer(x) for x in "abcdef"])
    _, duties = published(roster)
    raised = replace(
        roster, slots=tuple(replace(s, headcount=2) if s.station_id == "T1" else s for s in roster.slots)
    )
    repair = replan(problem=raised, duties=duties, from_date=WEEK[0])
    assert len(repair.added) == len(WEEK)
    assert repair.reassigned == ()
    assert repair.removed == ()
    assert check_roster(problem=raised, assignments=repair.assignments, rules=HARD_RULES) == []


def test_a_freed_duty_goes_to_whoever_carried_less_over_the_months_before():
    roster = problem(
        lawyers=[lawyer(x) for x in "abc"], stations=[station("T1")], slots=[slot("T1", d) for d in WEEK]
    )
    result, duties = published(roster)
    counts = {x: sum(1 for a in result.assignments if a.lawyer_id == x) for x in "abc"}
    leaving = min(counts, key=lambda x: (counts[x], x))
    assert counts[leaving] == 1  # five duties over three lawyers: 2, 2, 1
    others = sorted(set("abc") - {leaving})
    taker = {}
    for light, heavy in (others, others[::-1]):
        after = replace(on_leave(roster, leaving, WEEK[0], WEEK[-1]), prior_burden={light: 4.0, heavy: 30.0})
        repair = replan(problem=after, duties=duties, from_date=WEEK[0])
        (change,) = repair.changes
        taker[light] = change.to_lawyer_id
        assert check_roster(problem=after, assignments=repair.assignments, rules=HARD_RULES) == []
    assert taker == {others[0]: others[0], others[1]: others[1]}
