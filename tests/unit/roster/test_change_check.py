"""Swaps and manual reassignments are re-checked: rules 1-5 refuse (409), rule 6 only informs."""

from datetime import date

import pytest

from services.roster.domain.model import Leave
from services.roster.domain.rules import Reassignment, check_change, check_reassignment

from .factories import HUOCHENG, lawyer, on, problem, slot, station

D1, D2 = date(2026, 12, 1), date(2026, 12, 2)
STATIONS = [station("T1"), station("T2"), station("HT", region=HUOCHENG)]
LAWYERS = [
    lawyer("alim"),
    lawyer("bota", languages=("zh", "kk")),
    lawyer("chen"),
    lawyer("dana", status="intern"),
    lawyer("hu", region=HUOCHENG),
]
KAZAKH_DUTY = slot("T1", D1, languages=("kk",), intern_seats=1)
PLAIN_DUTY = slot("T2", D2)


def check(assignments, changes, *, slots=(KAZAKH_DUTY, PLAIN_DUTY), leaves=(), lawyers=LAWYERS, **kwargs):
    roster = problem(lawyers=lawyers, stations=STATIONS, slots=slots, leaves=leaves, **kwargs)
    return check_change(problem=roster, assignments=assignments, changes=changes)


def rules_of(result):
    return sorted({v.rule for v in result.violations})


def test_handing_a_duty_to_a_free_lawyer_of_the_same_county_is_allowed():
    duty = on(PLAIN_DUTY, "alim")
    result = check([duty, on(KAZAKH_DUTY, "bota")], [Reassignment(assignment=duty, to_lawyer_id="chen")])
    assert result.allowed
    assert result.violations == ()


def test_a_duty_on_the_new_lawyers_leave_day_is_refused_under_rule_2():
    duty = on(PLAIN_DUTY, "alim")
    leave = Leave(lawyer_id="chen", start_date=D2, end_date=D2)
    result = check([duty], [Reassignment(assignment=duty, to_lawyer_id="chen")], leaves=[leave])
    assert not result.allowed
    assert rules_of(result) == ["2"]
    assert "on leave" in result.violations[0].message


def test_a_second_duty_on_the_same_day_is_refused_under_rule_2():
    other = slot("T1", D2)
    duty = on(PLAIN_DUTY, "alim")
    result = check(
        [duty, on(other, "chen")],
        [Reassignment(assignment=duty, to_lawyer_id="chen")],
        slots=(KAZAKH_DUTY, PLAIN_DUTY, other),
    )
    assert rules_of(result) == ["2"]


def test_a_lawyer_of_another_county_is_refused_under_rule_3():
    duty = on(PLAIN_DUTY, "alim")
    assert rules_of(check([duty], [Reassignment(assignment=duty, to_lawyer_id="hu")])) == ["3"]


def test_giving_away_the_only_kazakh_speakers_duty_to_a_chinese_speaker_is_refused_under_rule_4():
    duty = on(KAZAKH_DUTY, "bota")
    result = check([duty], [Reassignment(assignment=duty, to_lawyer_id="alim")])
    assert rules_of(result) == ["4"]
    assert "Kazakh" in result.violations[0].message


def test_an_intern_cannot_take_over_a_practising_lawyers_duty_under_rule_1():
    duty = on(KAZAKH_DUTY, "bota")
    assert "1" in rules_of(check([duty], [Reassignment(assignment=duty, to_lawyer_id="dana")]))


def test_taking_a_duty_from_an_intern_below_the_minimum_is_refused_under_rule_5():
    seats = [slot("T1", date(2026, 12, 1 + 7 * i), intern_seats=1) for i in range(4)]
    roster = [a for s in seats for a in (on(s, "alim"), on(s, "dana", "intern"))]
    intern_seat = roster[1]
    other_intern = lawyer("erlan", status="intern")
    result = check(
        roster,
        [Reassignment(assignment=intern_seat, to_lawyer_id="erlan")],
        slots=seats,
        lawyers=[*LAWYERS, other_intern],
    )
    assert "5" in rules_of(result)


def test_a_fairness_breach_is_only_a_notice():
    duties = [slot("T2", date(2026, 12, d)) for d in (3, 4, 5)]
    roster = [on(duties[0], "alim"), on(duties[1], "chen"), on(duties[2], "chen")]
    result = check(
        roster, [Reassignment(assignment=roster[0], to_lawyer_id="chen")], slots=duties, lawyers=LAWYERS[:3]
    )
    assert result.allowed
    assert [n.rule for n in result.notices] == ["6"]


def test_an_existing_gap_elsewhere_does_not_block_a_change():
    unrelated_short = slot("T1", date(2026, 12, 9), headcount=2)
    duty = on(PLAIN_DUTY, "alim")
    result = check(
        [duty], [Reassignment(assignment=duty, to_lawyer_id="chen")], slots=(PLAIN_DUTY, unrelated_short)
    )
    assert result.allowed


def test_two_lawyers_may_swap_duties_when_both_still_fit():
    first, second = on(PLAIN_DUTY, "alim"), on(slot("T1", date(2026, 12, 9)), "chen")
    exchange = [
        Reassignment(assignment=first, to_lawyer_id="chen"),
        Reassignment(assignment=second, to_lawyer_id="alim"),
    ]
    assert check([first, second], exchange, slots=(PLAIN_DUTY, slot("T1", date(2026, 12, 9)))).allowed


def test_a_swap_that_leaves_a_kazakh_duty_without_a_kazakh_speaker_is_refused():
    first, second = on(KAZAKH_DUTY, "bota"), on(PLAIN_DUTY, "alim")
    exchange = [
        Reassignment(assignment=first, to_lawyer_id="alim"),
        Reassignment(assignment=second, to_lawyer_id="bota"),
    ]
    assert rules_of(check([first, second], exchange)) == ["4"]


def test_a_change_of_a_duty_the_roster_does_not_have_is_an_error():
    with pytest.raises(ValueError, match="no duty"):
        check([], [Reassignment(assignment=on(PLAIN_DUTY, "alim"), to_lawyer_id="chen")])


def test_a_single_reassignment_names_the_rule_it_would_break():
    duty = on(PLAIN_DUTY, "alim")
    roster = problem(lawyers=LAWYERS, stations=STATIONS, slots=[PLAIN_DUTY])
    result = check_reassignment(problem=roster, assignments=[duty], assignment=duty, to_lawyer_id="hu")
    assert [(v.rule, v.code) for v in result.violations] == [("3", "region")]
