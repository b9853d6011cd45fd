"""Rule 7 on instances whose optimum is known by hand: the most service points open first, then the most
seats, then fairness; every slot left open or short says why."""

from datetime import date

from services.roster.domain.rules import HARD_RULES, check_roster
from services.roster.domain.solver import generate

from .factories import lawyer, problem, slot, station

TUESDAY = date(2026, 12, 1)


def staffed(result):
    """How many practising lawyers sit on each station's duty."""
    crews: dict[str, int] = {}
    for assignment in result.assignments:
        if assignment.role == "lawyer":
            crews[assignment.station_id] = crews.get(assignment.station_id, 0) + 1
    return crews


def centre_and_two_villages(lawyers, *, village_languages=((), ())):
    return problem(
        lawyers=lawyers,
        stations=[
            station("C", level="county"),
            station("V1", level="village"),
            station("V2", level="village"),
        ],
        slots=[
            slot("C", TUESDAY, headcount=2),
            slot("V1", TUESDAY, languages=village_languages[0]),
            slot("V2", TUESDAY, languages=village_languages[1]),
        ],
    )


def test_two_lawyers_keep_two_points_open_rather_than_both_sitting_at_the_county_centre():
    roster = centre_and_two_villages([lawyer("a"), lawyer("b")])
    result = generate(roster)
    crews = staffed(result)
    assert sorted(crews.values()) == [1, 1]  # two points open with one lawyer each (any two are optimal)
    assert (
        check_roster(
            problem=roster, assignments=result.assignments, unfilled=result.unfilled, rules=HARD_RULES
        )
        == []
    )


def test_three_lawyers_open_every_point_and_the_centre_is_reported_short_of_its_second_lawyer():
    roster = centre_and_two_villages([lawyer("a"), lawyer("b"), lawyer("c")])
    result = generate(roster)
    assert staffed(result) == {"C": 1, "V1": 1, "V2": 1}
    (gap,) = result.unfilled
    assert gap.station_id == "C"
    assert gap.missing_seats == 1
    assert gap.reason.startswith("1 of 2 lawyers: ")
    assert "on another duty that day" in gap.reason


def test_four_lawyers_staff_every_seat():
    result = generate(centre_and_two_villages([lawyer(x) for x in "abcd"]))
    assert staffed(result) == {"C": 2, "V1": 1, "V2": 1}
    assert result.unfilled == ()


def test_the_only_kazakh_speaker_goes_to_the_kazakh_village_and_the_other_opens_the_second_post():
    roster = problem(
        lawyers=[lawyer("kazakh", languages=("zh", "kk")), lawyer("chinese")],
        stations=[station("V1", level="village"), station("V2", level="village")],
        slots=[slot("V1", TUESDAY, languages=("kk",)), slot("V2", TUESDAY)],
    )
    result = generate(roster)
    assert {a.lawyer_id: a.station_id for a in result.assignments} == {"kazakh": "V1", "chinese": "V2"}
    assert result.unfilled == ()


def test_points_left_closed_for_lack_of_lawyers_say_why():
    roster = centre_and_two_villages(
        [lawyer("kazakh", languages=("zh", "kk")), lawyer("chinese")], village_languages=(("kk",), ())
    )
    result = generate(roster)
    assert len(result.assignments) == 2
    assert len({a.station_id for a in result.assignments}) == 2
    assert result.unfilled
    assert all("on another duty that day" in gap.reason for gap in result.unfilled)


def test_a_lawyer_at_the_monthly_maximum_is_spent_on_open_points_not_second_seats():
    # one lawyer with room for two duties, one with room for one; Tuesday a centre of two, Wednesday a
    # village and a centre of two: three points open, not Tuesday's centre full
    tuesday, wednesday = TUESDAY, date(2026, 12, 2)
    roster = problem(
        lawyers=[lawyer("a", maximum=2), lawyer("b", maximum=1)],
        stations=[station("C", level="county"), station("V", level="village")],
        slots=[slot("C", tuesday, headcount=2), slot("C", wednesday, headcount=2), slot("V", wednesday)],
    )
    result = generate(roster)
    open_points = {(a.station_id, a.date) for a in result.assignments}
    assert open_points == {("C", tuesday), ("C", wednesday), ("V", wednesday)}
    assert len(result.assignments) == 3


def test_a_kazakh_post_whose_speaker_is_needed_nowhere_else_stays_open_beside_a_full_centre():
    roster = centre_and_two_villages(
        [lawyer("k", languages=("zh", "kk")), lawyer("b"), lawyer("c"), lawyer("d")],
        village_languages=(("kk",), ()),
    )
    result = generate(roster)
    assert staffed(result) == {"C": 2, "V1": 1, "V2": 1}
    assert [a.lawyer_id for a in result.assignments if a.station_id == "V1"] == ["k"]


def test_a_lawyer_opens_a_hotline_shift_before_taking_the_second_seat_at_the_county_centre():
    roster = problem(
        lawyers=[lawyer("a"), lawyer("b")],
        stations=[station("C", level="county"), station("H", level="hotline", region="654000")],
        slots=[slot("C", TUESDAY, headcount=2), slot("H", TUESDAY, headcount=2)],
    )
    result = generate(roster)
    assert staffed(result) == {"C": 1, "H": 1}


def test_a_bilingual_lawyer_opens_a_two_language_hotline_shift_and_a_chinese_speaker_sits_beside_them():
    roster = problem(
        lawyers=[lawyer("both", languages=("zh", "ug", "kk")), lawyer("chinese")],
        stations=[station("H", level="hotline", region="654000")],
        slots=[slot("H", TUESDAY, headcount=2, languages=("ug", "kk"))],
    )
    result = generate(roster)
    assert sorted(a.lawyer_id for a in result.assignments) == ["both", "chinese"]
    assert result.unfilled == ()


def test_the_kazakh_speaker_opens_the_centre_where_a_second_lawyer_can_sit_beside_them():
    # either point opens with the Kazakh speaker; only the centre also seats the Chinese speaker
    roster = problem(
        lawyers=[lawyer("kazakh", languages=("zh", "kk")), lawyer("chinese")],
        stations=[station("C", level="county"), station("V", level="village")],
        slots=[slot("C", TUESDAY, headcount=2, languages=("kk",)), slot("V", TUESDAY, languages=("kk",))],
    )
    result = generate(roster)
    assert staffed(result) == {"C": 2}
    (gap,) = result.unfilled
    assert gap.station_id == "V"
    assert "Kazakh" in gap.reason
