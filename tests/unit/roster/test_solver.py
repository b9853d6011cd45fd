"""Roster generation on hand-made cases: every rule kept, gaps explained, duties spread fairly."""

from datetime import date, time

import pytest

from services.roster.domain.fairness import fairness_spread
from services.roster.domain.model import DutyPattern, Leave
from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.solver import SolverSettings, generate, generate_greedy

from .factories import (
    DECEMBER,
    HUOCHENG,
    YINING_COUNTY,
    lawyer,
    problem,
    problem_from_patterns,
    slot,
    station,
)

METHODS = [SolverSettings(method="flow"), SolverSettings(method="greedy")]


def pattern(pattern_id, station_id, **fields):
    values = {"start_time": time(10), "end_time": time(14), **fields}
    return DutyPattern(id=pattern_id, station_id=station_id, **values)


def county_roster(**overrides):
    """Yining County and Huocheng in December 2026: centres, townships, village posts and the hotline."""
    stations = [
        station("C21", level="county"), station("T21a"), station("T21b"), station("V21", level="village"),
        station("C23", level="county", region=HUOCHENG), station("T23", region=HUOCHENG),
        station("H", level="hotline", region="654000"),
    ]  # fmt: skip
    patterns = [
        pattern("centre21", "C21", days="workdays", headcount=2, languages={"ug"}),
        pattern("t21a", "T21a", days=(2, 4), intern_seats=1, languages={"kk"}),
        pattern("t21b", "T21b", days=(3,), intern_seats=1),
        pattern("v21", "V21", rrule="FREQ=MONTHLY;BYDAY=+1SU,+3SU", intern_seats=1),
        pattern("centre23", "C23", days="workdays", headcount=1, languages={"kk"}),
        pattern("t23", "T23", days="non_workdays"),
        pattern("hotline", "H", days="workdays", headcount=2, start_time=time(15, 30), end_time=time(19, 30)),
    ]
    yining = [lawyer(f"y{i}", languages=("zh", "ug") if i % 2 else ("zh", "kk")) for i in range(12)]
    huocheng = [
        lawyer(f"h{i}", region=HUOCHENG, languages=("zh", "kk") if i < 5 else ("zh",)) for i in range(8)
    ]
    interns = [lawyer("i1", status="intern", supervisor="y1"), lawyer("i2", status="intern", supervisor="y2")]
    values = {
        "lawyers": [*yining, *huocheng, *interns, lawyer("s1", status="suspended")],
        "stations": stations,
        "patterns": patterns,
        "leaves": [Leave(lawyer_id="y3", start_date=date(2026, 12, 7), end_date=date(2026, 12, 11))],
        "previous": {"i1": "T21a"},
        **overrides,
    }
    return problem_from_patterns(**values)


@pytest.mark.parametrize("settings", METHODS, ids=lambda s: s.method)
def test_a_generated_roster_keeps_every_hard_rule(settings):
    roster = county_roster()
    result = generate(roster, settings=settings)
    assert (
        check_roster(
            problem=roster,
            assignments=result.assignments,
            unfilled=result.unfilled,
            intern_shortfalls=result.intern_shortfalls,
            rules=HARD_RULES,
        )
        == []
    )


def test_when_lawyers_suffice_every_slot_is_filled_and_duties_are_spread_within_one():
    roster = county_roster()
    result = generate(roster)
    assert result.unfilled == ()
    assert result.intern_shortfalls == ()
    spread, weekend_spread = fairness_spread(problem=roster, assignments=result.assignments)
    assert spread <= 1
    assert weekend_spread <= 1
    assert check_roster(problem=roster, assignments=result.assignments) == []


def test_when_few_lawyers_speak_the_language_duties_are_filled_and_the_unfairness_is_a_notice():
    roster = problem(
        lawyers=[lawyer("kk1", languages=("zh", "kk")), lawyer("zh1"), lawyer("zh2")],
        stations=[station("T1")],
        slots=[slot("T1", date(2026, 12, d), languages=("kk",), holiday=True) for d in (5, 6, 12)],
    )
    result = generate(roster)
    assert result.unfilled == ()
    assert {a.lawyer_id for a in result.assignments} == {"kk1"}
    assert {n.rule for n in result.notices} == {"6"}
    assert result.stats["fairness"]["spread"] == 3


def test_the_stats_follow_the_contract():
    roster = county_roster()
    stats = generate(roster).stats
    assert stats["slots"] == len(roster.slots) == stats["filled"]
    assert stats["unfilled"] == []
    assert set(stats["duties_per_lawyer"]) == {lw.id for lw in roster.lawyers if lw.status != "suspended"}
    assert sum(stats["duties_per_lawyer"].values()) == sum(s.headcount for s in roster.slots) + 2 * 4


def test_suspended_lawyers_are_never_scheduled():
    result = generate(county_roster())
    assert all(a.lawyer_id != "s1" for a in result.assignments)


def test_the_hotline_takes_lawyers_from_every_county_of_the_prefecture():
    roster = county_roster()
    result = generate(roster)
    regions = {
        roster.lawyer_by_id[a.lawyer_id].region_code for a in result.assignments if a.station_id == "H"
    }
    assert regions == {YINING_COUNTY, HUOCHENG}


def test_interns_move_to_a_new_station_and_get_the_minimum_next_to_a_practising_lawyer():
    roster = county_roster()
    result = generate(roster)
    for intern in ("i1", "i2"):
        duties = [a for a in result.assignments if a.lawyer_id == intern]
        assert len(duties) == 4
        assert len({a.station_id for a in duties}) == 1
        for duty in duties:
            crew = [a for a in result.assignments if a.slot_key == duty.slot_key and a.role == "lawyer"]
            assert crew
    assert {a.station_id for a in result.assignments if a.lawyer_id == "i1"} != {"T21a"}


def test_a_kazakh_duty_with_no_kazakh_speaker_in_the_county_is_left_open_with_the_reason():
    roster = problem(
        lawyers=[lawyer("a"), lawyer("b")],
        stations=[station("T1")],
        slots=[slot("T1", date(2026, 12, 3), languages=("kk",))],
    )
    result = generate(roster)
    assert result.assignments == ()
    assert [u.reason for u in result.unfilled] == ["no Kazakh-speaking lawyer in 654021"]
    assert result.stats["unfilled"] == [
        {
            "station_id": "T1",
            "date": "2026-12-03",
            "start_time": "10:00",
            "reason": "no Kazakh-speaking lawyer in 654021",
        }
    ]


def test_when_every_kazakh_speaker_is_on_leave_the_reason_names_the_day():
    roster = problem(
        lawyers=[lawyer("a"), lawyer("b", languages=("zh", "kk"))],
        stations=[station("T1")],
        slots=[slot("T1", date(2026, 12, 3), headcount=2, languages=("kk",))],
        leaves=[Leave(lawyer_id="b", start_date=date(2026, 12, 1), end_date=date(2026, 12, 5))],
    )
    result = generate(roster)
    assert result.assignments == ()  # never staffed without its language
    (gap,) = result.unfilled
    assert gap.reason.startswith("no Kazakh-speaking lawyer free on 2026-12-03")
    assert "1 on leave" in gap.reason
    assert gap.missing_seats == 2
    assert gap.missing_languages == {"kk"}


def test_when_every_lawyer_is_at_the_monthly_maximum_the_reason_says_so():
    slots = [slot("T1", date(2026, 12, d)) for d in (1, 2, 3)]
    roster = problem(
        lawyers=[lawyer("a", maximum=1), lawyer("b", maximum=1)], stations=[station("T1")], slots=slots
    )
    result = generate(roster)
    assert len(result.assignments) == 2
    (gap,) = result.unfilled
    assert gap.reason == "all 2 lawyers of 654021 already at their monthly maximum"


def test_a_slot_short_of_a_second_lawyer_is_partly_filled_and_reported():
    roster = problem(
        lawyers=[lawyer("a")], stations=[station("T1")], slots=[slot("T1", date(2026, 12, 1), headcount=2)]
    )
    result = generate(roster)
    assert [a.lawyer_id for a in result.assignments] == ["a"]
    (gap,) = result.unfilled
    assert gap.missing_seats == 1
    assert gap.reason.startswith("1 of 2 lawyers: ")
    assert (
        check_roster(
            problem=roster, assignments=result.assignments, unfilled=result.unfilled, rules=HARD_RULES
        )
        == []
    )


def test_a_county_without_practising_lawyers_is_reported():
    roster = problem(
        lawyers=[lawyer("a")],
        stations=[station("T23", region=HUOCHENG)],
        slots=[slot("T23", date(2026, 12, 1))],
    )
    assert [u.reason for u in generate(roster).unfilled] == ["no practising lawyer in 654023"]


def test_an_intern_without_enough_intern_seats_is_reported_with_a_reason():
    slots = [slot("T1", date(2026, 12, 1 + 7 * i), intern_seats=1) for i in range(2)]
    roster = problem(
        lawyers=[lawyer("a"), lawyer("i", status="intern")], stations=[station("T1")], slots=slots
    )
    result = generate(roster)
    (shortfall,) = result.intern_shortfalls
    assert (shortfall.lawyer_id, shortfall.duties, shortfall.required) == ("i", 2, 4)
    assert "too few intern seats" in shortfall.reason
    assert result.stats["intern_shortfalls"][0]["lawyer_id"] == "i"
    assert (
        check_roster(
            problem=roster,
            assignments=result.assignments,
            unfilled=result.unfilled,
            intern_shortfalls=result.intern_shortfalls,
            rules=HARD_RULES,
        )
        == []
    )


def test_an_intern_whose_county_has_no_grassroots_seats_is_reported():
    roster = problem(
        lawyers=[lawyer("a"), lawyer("i", status="intern")],
        stations=[station("C", level="county")],
        slots=[slot("C", date(2026, 12, 1), intern_seats=1)],
    )
    (shortfall,) = generate(roster).intern_shortfalls
    assert shortfall.reason == "654021 has no township or village station with intern seats in 2026-12"


def test_weekend_duties_are_spread_as_evenly_as_weekday_duties():
    weekends = [date(2026, 12, d) for d in (5, 6, 12, 13, 19, 20, 26, 27)]
    slots = [slot("T1", d, holiday=True) for d in weekends] + [
        slot("T1", date(2026, 12, d)) for d in (1, 2, 3, 4)
    ]
    roster = problem(lawyers=[lawyer(f"l{i}") for i in range(4)], stations=[station("T1")], slots=slots)
    result = generate(roster)
    assert fairness_spread(problem=roster, assignments=result.assignments) == (0, 0)


def test_the_same_input_gives_the_same_roster():
    roster = county_roster()
    assert generate(roster).assignments == generate(roster).assignments


def test_progress_is_reported_and_ends_at_one():
    seen: list[float] = []
    generate(county_roster(), progress=seen.append)
    assert seen
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_a_two_month_roster_rotates_interns_and_keeps_every_hard_rule():
    roster = county_roster(period=(date(2026, 11, 1), DECEMBER[1]))
    result = generate(roster)
    assert (
        check_roster(
            problem=roster,
            assignments=result.assignments,
            unfilled=result.unfilled,
            intern_shortfalls=result.intern_shortfalls,
            rules=HARD_RULES,
        )
        == []
    )
    november = {a.station_id for a in result.assignments if a.lawyer_id == "i2" and a.date.month == 11}
    december = {a.station_id for a in result.assignments if a.lawyer_id == "i2" and a.date.month == 12}
    assert len(november) == len(december) == 1
    assert november != december


def test_the_greedy_reference_keeps_the_hard_rules_too():
    roster = county_roster()
    result = generate_greedy(roster)
    assert result.stats["method"] == "greedy"
    assert (
        check_roster(
            problem=roster,
            assignments=result.assignments,
            unfilled=result.unfilled,
            intern_shortfalls=result.intern_shortfalls,
            rules=HARD_RULES,
        )
        == []
    )


def test_national_day_2026_has_no_workday_duties_but_the_adjusted_saturday_has():
    roster = county_roster(period=(date(2026, 10, 1), date(2026, 10, 31)))
    centre_days = {a.date for a in generate(roster).assignments if a.station_id == "C21"}
    assert date(2026, 10, 10) in centre_days
    assert not centre_days & {date(2026, 10, d) for d in range(1, 8)}
