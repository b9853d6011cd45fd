from decimal import Decimal

import pytest

from services.subsidy.domain.money import format_money, to_money


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("0.0049999", "0.00"),
        ("1.005", "1.01"),
        ("2.675", "2.68"),  # a float would say 2.67: 2.675 is 2.67499999... in binary
        ("2.665", "2.67"),  # half-up, not banker's rounding (which would give 2.66)
        ("1.015", "1.02"),
        ("999999999999.994", "999999999999.99"),
        ("-0.005", "-0.01"),
        ("-2.675", "-2.68"),
        ("12", "12.00"),
        ("  12.5  ", "12.50"),
        ("1E+3", "1000.00"),
    ],
)
def test_money_is_rounded_half_up_to_the_fen(given: str, expected: str) -> None:
    assert to_money(given) == Decimal(expected)
    assert format_money(to_money(given)) == expected


def test_an_amount_always_comes_back_with_exactly_two_places() -> None:
    assert to_money(7).as_tuple().exponent == -2
    assert to_money(Decimal("7.1")).as_tuple().exponent == -2
    assert str(to_money("7.125")) == "7.13"


def test_a_tiny_negative_amount_rounds_to_a_plain_zero_not_minus_zero() -> None:
    assert format_money(to_money("-0.001")) == "0.00"
    assert not to_money("-0.001").is_signed()


@pytest.mark.parametrize("value", [0.1, 2.675, 1.0])
def test_a_float_is_refused_with_a_message_that_says_why(value: float) -> None:
    with pytest.raises(ValueError, match="float"):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "-Infinity", "sNaN", Decimal("NaN"), Decimal("Infinity")]
)
def test_a_non_finite_amount_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="finite|not an amount"):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "abc", "1,234.50", "¥12", "12.5.0"])
def test_text_that_is_not_an_amount_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        to_money(value)


@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}])
def test_values_of_other_types_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="money must be"):
        to_money(value)  # type: ignore[arg-type]


def test_an_amount_too_large_for_the_database_column_is_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        to_money("1000000000000")
    with pytest.raises(ValueError, match="too large"):
        to_money("1e30")


def test_money_is_formatted_without_grouping_or_exponent() -> None:
    assert format_money(Decimal("1234.5")) == "1234.50"
    assert format_money(Decimal("1E+3")) == "1000.00"
    assert format_money(Decimal("0")) == "0.00"


def test_formatting_refuses_anything_but_a_decimal() -> None:
    with pytest.raises(ValueError, match="takes a Decimal, not float"):
        format_money(1.5)  # type: ignore[arg-type]
