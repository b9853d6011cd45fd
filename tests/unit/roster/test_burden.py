"""The burden ledger's arithmetic: what a duty weighs, availability scaling, the balance score, the month range."""

from __future__ import annotations

import random
import time as clock
from datetime import date
from itertools import combinations

import pytest

from services.roster.domain.burden import (
    DEFAULT_WEIGHTS,
    BurdenWeights,
    availability,
    balance,
    check_range,
    day_kind,
    prior_burden,
    scaled,
    spread,
    tally,
    window_before,
)
from services.roster.domain.calendar import WorkCalendar
from services.roster.domain.errors import Invalid

CALENDAR = WorkCalendar.build()


def pairwise_balance(values: list[float]) -> float:
    """The definition, pair by pair: mean of min/max, two zeros count as even."""
    pairs = list(combinations(values, 2))
    return sum(1.0 if max(a, b) == 0 else min(a, b) / max(a, b) for a, b in pairs) / len(pairs)


# ---- what a duty weighs ------------------------------------------------------------------------------


def test_a_working_day_weighs_one_a_rest_day_two_and_a_public_holiday_three() -> None:
    assert day_kind(CALENDAR, date(2026, 10, 9)) == "workday"  # a Friday
    assert day_kind(CALENDAR, date(2026, 10, 17)) == "rest_day"  # a Saturday
    assert day_kind(CALENDAR, date(2026, 10, 1)) == "holiday"  # National Day
    assert [DEFAULT_WEIGHTS.of(kind, "county") for kind in ("workday", "rest_day", "holiday")] == [1, 2, 3]


def test_the_holiday_arrangement_decides_adjusted_working_saturdays_and_days_off_in_lieu() -> None:
    assert day_kind(CALENDAR, date(2026, 10, 10)) == "workday"  # a Saturday made a working day (调休)
    assert day_kind(CALENDAR, date(2026, 10, 7)) == "holiday"  # a Wednesday off in lieu, inside the holiday
    override = WorkCalendar.build(overrides={2027: ([date(2027, 3, 8)], [date(2027, 3, 6)])})
    assert day_kind(override, date(2027, 3, 8)) == "holiday"  # a scheduler's arrangement of the year
    assert day_kind(override, date(2027, 3, 6)) == "workday"


def test_village_and_township_posts_weigh_more_for_the_travel() -> None:
    assert DEFAULT_WEIGHTS.of("workday", "village") == 1.5
    assert DEFAULT_WEIGHTS.of("workday", "township") == 1.25
    assert DEFAULT_WEIGHTS.of("holiday", "village") == 3.5
    assert DEFAULT_WEIGHTS.of("rest_day", "hotline") == 2


def test_the_weights_are_configuration_but_never_negative() -> None:
    heavier = BurdenWeights(holiday=4.0, village=1.0)
    assert heavier.of("holiday", "village") == 5.0
    with pytest.raises(ValueError, match="village"):
        BurdenWeights(village=-0.5)


def test_a_tally_counts_duties_rest_day_or_holiday_duties_and_burden() -> None:
    tallies = tally(
        [("a", "workday", "county", 3), ("a", "holiday", "village", 1), ("b", "rest_day", "township", 2)]
    )
    assert (tallies["a"].duties, tallies["a"].weekend_holiday_duties, tallies["a"].burden) == (4, 1, 6.5)
    assert (tallies["b"].duties, tallies["b"].weekend_holiday_duties, tallies["b"].burden) == (2, 2, 4.5)


# ---- availability ------------------------------------------------------------------------------------


def test_a_lawyer_on_leave_half_the_time_is_expected_half_the_burden() -> None:
    assert availability(days=30, leave_days=15) == 0.5
    assert scaled(10.0, 0.5) == scaled(20.0, 1.0) == 20.0
    assert scaled(3.0, 0.0) is None
    assert availability(days=30, leave_days=40) == 0.0


def test_the_burden_of_the_months_before_is_scaled_and_a_lawyer_never_there_is_neither_ahead_nor_behind() -> (
    None
):
    prior = prior_burden(
        burdens={"full": 40.0, "half": 20.0, "light": 10.0},
        available={"full": 1.0, "half": 0.5, "light": 1.0, "away": 0.0},
        lawyer_ids=["full", "half", "light", "away", "new"],
    )
    assert prior["full"] == prior["half"] == 40.0
    assert prior["light"] == 10.0
    assert prior["away"] == prior["new"] == 30.0  # the mean of those who were there


def test_a_lawyer_there_only_a_few_days_before_counts_as_there_a_month() -> None:
    prior = prior_burden(burdens={"brief": 3.0}, available={"brief": 0.01}, lawyer_ids=["brief"])
    assert prior["brief"] == pytest.approx(3.0 * 11)  # not 300: one month of the eleven


# ---- balance -----------------------------------------------------------------------------------------


def test_balance_is_one_when_everyone_carries_the_same_and_falls_as_burden_spreads() -> None:
    assert balance([12.0, 12.0, 12.0]) == 1.0
    assert balance([1.0, 2.0]) == 0.5
    assert balance([1.0, 2.0, 4.0]) == pytest.approx((0.5 + 0.25 + 0.5) / 3)
    assert balance([0.0, 5.0]) == 0.0
    assert balance([0.0, 0.0, 3.0]) == pytest.approx(1 / 3)
    assert balance([]) == balance([7.0]) == 1.0


def test_balance_equals_the_pairwise_definition_on_random_burdens() -> None:
    rng = random.Random(9)
    for _ in range(50):
        values = [rng.choice([0.0, rng.uniform(0, 100)]) for _ in range(rng.randint(2, 40))]
        assert balance(values) == pytest.approx(pairwise_balance(values))


def test_balance_of_a_province_takes_a_sort_not_every_pair() -> None:
    values = [random.Random(3).uniform(10, 200) for _ in range(200_000)]
    started = clock.perf_counter()
    score = balance(values)
    assert clock.perf_counter() - started < 2.0  # 2e10 pairs would take hours
    assert 0 < score <= 1


def test_spread_is_the_largest_minus_the_smallest() -> None:
    assert spread([3.0, 9.5, 4.0]) == 6.5
    assert spread([]) == 0.0


# ---- the months asked for ------------------------------------------------------------------------------


def test_a_range_of_months_lists_them_up_to_twenty_four() -> None:
    assert check_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(check_range("2025-01", "2026-12")) == 24


@pytest.mark.parametrize(
    ("first", "last", "field", "words"),
    [
        ("2025-01", "2027-01", "to", "25 months"),
        ("2026-05", "2026-04", "to", "before from"),
        ("2026-13", "2026-12", "from", "YYYY-MM"),
        ("2026-01", "26-1", "to", "YYYY-MM"),
        ("2026-01-01", "2026-02", "from", "YYYY-MM"),
    ],
)
def test_a_bad_range_is_refused_naming_the_field(first: str, last: str, field: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_range(first, last)
    assert refused.value.errors is not None
    assert list(refused.value.errors) == [field]
    assert words in refused.value.errors[field][0]


def test_generation_evens_out_the_eleven_months_before_its_own() -> None:
    assert window_before(date(2026, 3, 15)) == (date(2025, 4, 1), date(2026, 2, 28))
    assert window_before(date(2026, 1, 1)) == (date(2025, 2, 1), date(2025, 12, 31))
