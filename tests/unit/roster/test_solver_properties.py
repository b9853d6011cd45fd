"""Property tests: on random instances a generated roster keeps rules 1-5 or reports what it could not fill."""

from dataclasses import replace
from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.roster.domain.fairness import fairness_spread
from services.roster.domain.model import DutyPattern, Lawyer, LawyerStatus, Leave, Station, StationLevel
from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.solver import SolverSettings, generate

from .factories import problem_from_patterns

REGIONS = ("654021", "654023")
LANGUAGES = ("kk", "ug")
STARTS = (date(2026, 10, 1), date(2026, 12, 1), date(2027, 1, 1))
RRULES = ("FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=+1SA,+2TU", "FREQ=DAILY;INTERVAL=3")
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

days_choice = st.one_of(
    st.sampled_from(["workdays", "daily", "non_workdays"]),
    st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True).map(tuple),
)


@st.composite
def stations_and_patterns(draw, *, ample: bool):
    stations: list[Station] = []
    patterns: list[DutyPattern] = []
    levels: list[StationLevel] = ["county", "township", "village"]
    for region in REGIONS:
        for n in range(draw(st.integers(1, 3))):
            level = levels[min(n, 2)] if n else draw(st.sampled_from(levels))
            stations.append(
                Station(id=f"S{region}-{n}", name=f"{region} station {n}", level=level, region_code=region)
            )
    if draw(st.booleans()):
        stations.append(Station(id="H", name="12348 hotline", level="hotline", region_code="654000"))
    for i, station in enumerate(stations):
        rrule = draw(st.one_of(st.none(), st.sampled_from(RRULES)))
        patterns.append(DutyPattern(
            id=f"P{i}", station_id=station.id, start_time=time(10), end_time=time(14),
            days=draw(days_choice), rrule=rrule, headcount=draw(st.integers(0 if not ample else 1, 2)),
            languages=frozenset(draw(st.lists(st.sampled_from(LANGUAGES), max_size=2, unique=True))),
            intern_seats=draw(st.integers(0, 2)),
        ))  # fmt: skip
    return stations, patterns


@st.composite
def lawyers_of(draw, region: str, *, ample: bool, start: date, length: int):
    lawyers: list[Lawyer] = []
    leaves: list[Leave] = []
    count = draw(st.integers(12, 14)) if ample else draw(st.integers(0, 6))
    for n in range(count):
        lawyer_id = f"L{region}-{n}"
        status: LawyerStatus
        if ample:
            status, languages, maximum = "practising", frozenset({"zh", *LANGUAGES}), 31
        else:
            status = draw(st.sampled_from(["practising", "practising", "practising", "intern", "suspended"]))
            languages = frozenset(
                {"zh", *draw(st.lists(st.sampled_from(LANGUAGES), max_size=2, unique=True))}
            )
            maximum = draw(st.integers(0, 8))
        intern_from = start - timedelta(days=draw(st.integers(-5, 200))) if status == "intern" else None
        lawyers.append(Lawyer(
            id=lawyer_id, name=f"Lawyer {lawyer_id}", status=status, region_code=region, languages=languages,
            max_duties_per_month=maximum, intern_start=intern_from,
            intern_end=intern_from + timedelta(days=364) if intern_from else None,
        ))  # fmt: skip
        if not ample and draw(st.booleans()):
            first = start + timedelta(days=draw(st.integers(0, length)))
            leaves.append(
                Leave(
                    lawyer_id=lawyer_id,
                    start_date=first,
                    end_date=first + timedelta(days=draw(st.integers(0, 6))),
                )
            )
    return lawyers, leaves


@st.composite
def instances(draw, *, ample: bool = False):
    start = draw(st.sampled_from(STARTS))
    length = draw(st.integers(5, 20))
    stations, patterns = draw(stations_and_patterns(ample=ample))
    lawyers: list[Lawyer] = []
    leaves: list[Leave] = []
    for region in REGIONS:
        more, more_leaves = draw(lawyers_of(region, ample=ample, start=start, length=length))
        lawyers += more
        leaves += more_leaves
    grassroots = [s.id for s in stations if s.level in ("township", "village")]
    previous = {
        lawyer.id: draw(st.sampled_from(grassroots))
        for lawyer in lawyers
        if lawyer.status == "intern" and grassroots and draw(st.booleans())
    }
    return problem_from_patterns(
        lawyers=lawyers, stations=stations, patterns=patterns, leaves=leaves, previous=previous,
        period=(start, start + timedelta(days=length)), min_intern_duties=draw(st.integers(0, 3)),
    )  # fmt: skip


def assert_keeps_rules_1_to_5(roster, result):
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
    open_keys = {u.slot_key for u in result.unfilled}
    for slot in roster.slots:
        crew = [a for a in result.assignments if a.slot_key == slot.key and a.role == "lawyer"]
        complete = len(crew) == slot.headcount and slot.languages <= frozenset().union(
            *(roster.lawyer_by_id[a.lawyer_id].languages for a in crew)
        )
        assert complete != (slot.key in open_keys)
    assert all(u.reason for u in result.unfilled)
    assert all(s.reason for s in result.intern_shortfalls)


@PROPERTY_SETTINGS
@given(instances())
def test_any_generated_roster_keeps_rules_1_to_5_or_reports_the_gap(roster):
    assert_keeps_rules_1_to_5(roster, generate(roster))


@PROPERTY_SETTINGS
@given(instances())
def test_the_greedy_reference_keeps_rules_1_to_5_or_reports_the_gap(roster):
    assert_keeps_rules_1_to_5(roster, generate(roster, settings=SolverSettings(method="greedy")))


@PROPERTY_SETTINGS
@given(instances(ample=True))
def test_when_lawyers_suffice_no_slot_is_left_open_and_duties_are_spread_within_one(roster):
    result = generate(roster)
    assert_keeps_rules_1_to_5(roster, result)
    assert result.unfilled == ()
    spread, weekend_spread = fairness_spread(problem=roster, assignments=result.assignments)
    assert spread <= 1
    assert weekend_spread <= 1
    assert result.notices == ()


@PROPERTY_SETTINGS
@given(instances(), st.integers(0, 1))
def test_a_roster_too_big_for_its_lawyers_reports_unfilled_slots_instead_of_breaking_a_rule(roster, cap):
    scarce = problem_from_patterns(
        lawyers=[replace(lawyer, max_duties_per_month=cap) for lawyer in roster.lawyers],
        stations=roster.stations, patterns=[DutyPattern(
            id="P-daily", station_id=roster.stations[0].id, start_time=time(8), end_time=time(9), days="daily",
            headcount=2)],
        leaves=roster.leaves, period=(roster.period_start, roster.period_end),
    )  # fmt: skip
    result = generate(scarce)
    assert result.unfilled
    assert_keeps_rules_1_to_5(scarce, result)
