"""Each contract rule in isolation: a roster that breaks it is caught, a clean one passes."""

from datetime import date, time

from services.roster.domain.fairness import fairness_spread
from services.roster.domain.model import InternShortfall, Leave, Unfilled
from services.roster.domain.rules import check_roster

from .factories import HUOCHENG, lawyer, on, problem, slot, station

D1, D2, D3 = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
T1, T2, V1 = station("T1"), station("T2"), station("V1", level="village")
CENTRE = station("C", level="county")
HOTLINE = station("H", level="hotline", region="654000")
HUOCHENG_T = station("HT", region=HUOCHENG)
STATIONS = [T1, T2, V1, CENTRE, HOTLINE, HUOCHENG_T]
ALIM = lawyer("alim")
BOTA = lawyer("bota", languages=("zh", "kk"))
INTERN = lawyer("aigerim", status="intern", supervisor="alim")
SUSPENDED = lawyer("sus", status="suspended")
HUOCHENG_LAWYER = lawyer("hu", region=HUOCHENG)
URUMQI_LAWYER = lawyer("ur", region="650102")
LAWYERS = [ALIM, BOTA, INTERN, SUSPENDED, HUOCHENG_LAWYER, URUMQI_LAWYER]


def violations(slots, assignments, rule, *, lawyers=LAWYERS, **kwargs):
    options = {k: kwargs.pop(k) for k in ("unfilled", "intern_shortfalls") if k in kwargs}
    roster = problem(lawyers=lawyers, stations=STATIONS, slots=slots, **kwargs)
    return check_roster(problem=roster, assignments=assignments, rules=(rule,), **options)


def codes(found):
    return sorted(v.code for v in found)


# Rule 1: headcount; interns only in intern seats, never alone, only at township or village stations


def test_a_slot_with_its_headcount_of_practising_lawyers_keeps_rule_1():
    duty = slot("T1", D1, headcount=2, intern_seats=1)
    assert violations([duty], [on(duty, "alim"), on(duty, "bota"), on(duty, "aigerim", "intern")], "1") == []


def test_a_short_slot_not_reported_as_unfilled_breaks_rule_1():
    duty = slot("T1", D1, headcount=2)
    found = violations([duty], [on(duty, "alim")], "1")
    assert codes(found) == ["headcount"]
    assert "1 of 2 lawyers" in found[0].message
    assert found[0].rule == "1"


def test_a_short_slot_reported_as_unfilled_is_excused():
    duty = slot("T1", D1, headcount=2)
    report = Unfilled(station_id="T1", date=D1, start_time=time(10), reason="no other lawyer free")
    assert violations([duty], [on(duty, "alim")], "1", unfilled=[report]) == []


def test_a_report_excuses_only_the_seats_it_names():
    duty = slot("T1", D1, headcount=3)
    report = Unfilled(
        station_id="T1", date=D1, start_time=time(10), reason="x", slot_key=duty.key, missing_seats=1
    )
    assert codes(violations([duty], [on(duty, "alim")], "1", unfilled=[report])) == ["headcount"]


def test_an_overstaffed_slot_breaks_rule_1():
    duty = slot("T1", D1, headcount=1)
    assert codes(violations([duty], [on(duty, "alim"), on(duty, "bota")], "1")) == ["overstaffed"]


def test_an_intern_never_sits_alone():
    duty = slot("T1", D1, headcount=1, intern_seats=1)
    report = Unfilled(station_id="T1", date=D1, start_time=time(10), reason="no lawyer free")
    found = violations([duty], [on(duty, "aigerim", "intern")], "1", unfilled=[report])
    assert codes(found) == ["intern_alone"]
    assert "never sits alone" in found[0].message


def test_interns_sit_only_in_intern_seats():
    second_intern = lawyer("dana", status="intern")
    duty = slot("T1", D1, headcount=1, intern_seats=1)
    roster = [on(duty, "alim"), on(duty, "aigerim", "intern"), on(duty, "dana", "intern")]
    assert codes(violations([duty], roster, "1", lawyers=[*LAWYERS, second_intern])) == ["intern_seats"]


def test_an_intern_cannot_take_a_practising_lawyers_seat():
    duty = slot("T1", D1, headcount=1)
    assert "intern_in_lawyer_seat" in codes(violations([duty], [on(duty, "aigerim")], "1"))


def test_interns_serve_only_at_township_or_village_stations():
    duty = slot("C", D1, headcount=1, intern_seats=1)
    found = violations([duty], [on(duty, "alim"), on(duty, "aigerim", "intern")], "1")
    assert codes(found) == ["intern_station_level"]


def test_an_intern_is_not_scheduled_outside_the_internship():
    finished = lawyer("dana", status="intern", intern_from=date(2025, 11, 1), intern_to=date(2026, 10, 31))
    duty = slot("T1", D1, headcount=1, intern_seats=1)
    found = violations([duty], [on(duty, "alim"), on(duty, "dana", "intern")], "1", lawyers=[ALIM, finished])
    assert codes(found) == ["outside_internship"]


def test_a_duty_the_roster_does_not_have_is_caught():
    duty = slot("T1", D1)
    ghost = slot("T2", D2)
    assert codes(violations([duty], [on(duty, "alim"), on(ghost, "bota")], "1")) == ["unknown_slot"]


# Rule 2: one duty a day, none on leave, none over the monthly maximum, none for the suspended


def test_a_lawyer_with_one_duty_a_day_within_the_maximum_keeps_rule_2():
    first, second = slot("T1", D1), slot("T2", D2)
    assert violations([first, second], [on(first, "alim"), on(second, "alim")], "2") == []


def test_no_lawyer_has_two_duties_on_one_day():
    morning, afternoon = slot("T1", D1), slot("T2", D1, start=time(15))
    found = violations([morning, afternoon], [on(morning, "alim"), on(afternoon, "alim")], "2")
    assert codes(found) == ["double_duty"]
    assert "2026-12-01" in found[0].message


def test_no_lawyer_is_on_duty_on_a_leave_day():
    duty = slot("T1", D2)
    leave = Leave(lawyer_id="alim", start_date=D1, end_date=D3)
    assert codes(violations([duty], [on(duty, "alim")], "2", leaves=[leave])) == ["on_leave"]


def test_no_lawyer_goes_over_the_monthly_maximum():
    capped = lawyer("alim", maximum=2)
    duties = [slot("T1", D1), slot("T1", D2), slot("T1", D3)]
    found = violations(duties, [on(d, "alim") for d in duties], "2", lawyers=[capped])
    assert codes(found) == ["monthly_maximum"]
    assert "3 duties in 2026-12" in found[0].message


def test_a_suspended_lawyer_has_no_duty():
    duty = slot("T1", D1)
    assert codes(violations([duty], [on(duty, "sus")], "2")) == ["suspended"]


# Rule 3: own region code, except the hotline


def test_a_lawyer_serves_only_at_stations_of_their_own_region_code():
    duty = slot("HT", D1)
    assert violations([duty], [on(duty, "hu")], "3") == []
    found = violations([duty], [on(duty, "alim")], "3")
    assert codes(found) == ["region"]
    assert "654021" in found[0].message
    assert HUOCHENG in found[0].message


def test_the_hotline_is_open_to_every_lawyer_of_the_rosters_region():
    call = slot("H", D1, headcount=2)
    assert violations([call], [on(call, "alim"), on(call, "hu")], "3") == []


def test_the_hotline_is_closed_to_a_lawyer_outside_the_rosters_region():
    call = slot("H", D1)
    assert codes(violations([call], [on(call, "ur")], "3")) == ["region"]


# Rule 4: every language a duty names is spoken by a practising lawyer on it


def test_a_kazakh_duty_with_a_kazakh_speaking_lawyer_keeps_rule_4():
    duty = slot("T1", D1, headcount=2, languages=("kk",))
    assert violations([duty], [on(duty, "alim"), on(duty, "bota")], "4") == []


def test_a_kazakh_duty_without_a_kazakh_speaking_lawyer_breaks_rule_4():
    duty = slot("T1", D1, headcount=1, languages=("kk",))
    found = violations([duty], [on(duty, "alim")], "4")
    assert codes(found) == ["language"]
    assert "Kazakh" in found[0].message


def test_an_intern_who_speaks_the_language_does_not_cover_it():
    kazakh_intern = lawyer("dana", status="intern", languages=("zh", "kk"))
    duty = slot("T1", D1, headcount=1, languages=("kk",), intern_seats=1)
    found = violations(
        [duty], [on(duty, "alim"), on(duty, "dana", "intern")], "4", lawyers=[ALIM, kazakh_intern]
    )
    assert codes(found) == ["language"]


def test_a_missing_language_reported_as_unfilled_is_excused():
    duty = slot("T1", D1, headcount=1, languages=("kk", "ug"))
    report = Unfilled(
        station_id="T1",
        date=D1,
        start_time=time(10),
        reason="no Uyghur speaker free",
        slot_key=duty.key,
        missing_seats=0,
        missing_languages=frozenset({"ug"}),
    )
    assert violations([duty], [on(duty, "bota")], "4", unfilled=[report]) == []
    assert codes(violations([duty], [on(duty, "alim")], "4", unfilled=[report])) == ["language"]


# Rule 5: one station a month, not last month's where the county has another, at least the minimum


def intern_month(station_id, count=4, first_day=1):
    duties = [slot(station_id, date(2026, 12, first_day + 7 * i), intern_seats=1) for i in range(count)]
    return duties, [a for d in duties for a in (on(d, "alim"), on(d, "aigerim", "intern"))]


def offered(*station_ids):
    return [slot(s, date(2026, 12, 28), intern_seats=1) for s in station_ids]


def test_an_intern_with_the_minimum_at_one_new_station_keeps_rule_5():
    duties, roster = intern_month("T1")
    assert violations(duties + offered("T2"), roster, "5", previous={"aigerim": "T2"}) == []


def test_an_intern_stays_at_one_station_a_month():
    duties, roster = intern_month("T1", 2)
    more, more_roster = intern_month("V1", 2, first_day=2)
    found = violations(duties + more, roster + more_roster, "5")
    assert codes(found) == ["intern_one_station"]


def test_an_intern_moves_on_from_last_months_station_where_the_county_has_another():
    duties, roster = intern_month("T1")
    found = violations(duties + offered("T2"), roster, "5", previous={"aigerim": "T1"})
    assert codes(found) == ["intern_same_station"]


def test_an_intern_may_stay_where_the_county_has_no_other_station_with_intern_seats():
    duties, roster = intern_month("T1")
    assert violations(duties, roster, "5", previous={"aigerim": "T1"}) == []


def test_an_active_intern_gets_at_least_the_minimum_duties():
    duties, roster = intern_month("T1", 2)
    found = violations(duties, roster, "5")
    assert codes(found) == ["intern_minimum"]
    assert "2 duties in 2026-12" in found[0].message


def test_a_reported_intern_shortfall_is_excused_but_not_a_smaller_count():
    duties, roster = intern_month("T1", 2)
    report = InternShortfall(
        lawyer_id="aigerim", month="2026-12", duties=2, required=4, reason="too few seats"
    )
    assert violations(duties, roster, "5", intern_shortfalls=[report]) == []
    worse = InternShortfall(
        lawyer_id="aigerim", month="2026-12", duties=3, required=4, reason="too few seats"
    )
    assert codes(violations(duties, roster, "5", intern_shortfalls=[worse])) == ["intern_minimum"]


def test_an_intern_whose_internship_ended_needs_no_duties():
    finished = lawyer("aigerim", status="intern", intern_from=date(2025, 11, 1), intern_to=date(2026, 10, 31))
    assert violations([], [], "5", lawyers=[ALIM, finished]) == []


def test_in_a_two_month_roster_the_second_month_moves_on_from_the_first():
    november = [slot("T1", date(2026, 11, 3 + 7 * i), intern_seats=1) for i in range(4)]
    december, december_roster = intern_month("T1")
    roster = [a for d in november for a in (on(d, "alim"), on(d, "aigerim", "intern"))] + december_roster
    found = violations(
        november + december + offered("T2"), roster, "5", period=(date(2026, 11, 1), date(2026, 12, 31))
    )
    assert codes(found) == ["intern_same_station"]


# Rule 6: fairness among lawyers of a region with the same availability


def fairness(counts, *, leaves=(), holiday=False):
    lawyers = [lawyer(name) for name in counts]
    slots, roster = [], []
    for name, count in counts.items():
        for i in range(count):
            duty = slot("T1", date(2026, 12, 1 + i), pattern=f"P-{name}", holiday=holiday)
            slots.append(duty)
            roster.append(on(duty, name))
    return (
        violations(slots, roster, "6", lawyers=lawyers, leaves=leaves),
        problem(lawyers=lawyers, stations=STATIONS, slots=slots, leaves=leaves),
        roster,
    )


def test_duty_counts_within_one_keep_rule_6():
    found, _, _ = fairness({"a": 3, "b": 2, "c": 3})
    assert found == []


def test_duty_counts_two_apart_break_rule_6():
    found, roster_problem, roster = fairness({"a": 4, "b": 2, "c": 3})
    assert codes(found) == ["fairness"]
    assert "from 2 (Lawyer b) to 4 (Lawyer a)" in found[0].message
    assert fairness_spread(problem=roster_problem, assignments=roster) == (2, 0)


def test_weekend_or_holiday_duty_counts_two_apart_break_rule_6():
    found, _, _ = fairness({"a": 2, "b": 0}, holiday=True)
    assert len(found) == 2  # duties and weekend duties alike
    assert any("weekend-or-holiday" in v.message for v in found)


def test_lawyers_with_different_leave_are_not_compared():
    leave = Leave(lawyer_id="b", start_date=date(2026, 12, 10), end_date=date(2026, 12, 20))
    found, _, _ = fairness({"a": 4, "b": 1}, leaves=[leave])
    assert found == []
