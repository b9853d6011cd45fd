"""Properties that must hold for every scheme and claim, not just the examples we thought of."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from services.subsidy.domain.money import CENT, to_money
from services.subsidy.domain.schemes import (
    Adjustment,
    NoMatchingRate,
    Rate,
    Scheme,
    SchemeInvalid,
    calculate,
    scheme_errors,
)

from .builders import scheme

money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
factors = st.decimals(
    min_value=Decimal("0.0001"), max_value=10, places=4, allow_nan=False, allow_infinity=False
)
adds = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
conditions = st.dictionaries(st.sampled_from(["remote_area", "holiday"]), st.booleans(), max_size=2)


@st.composite
def adjustments(draw: st.DrawFn) -> Adjustment:
    multiply = draw(st.none() | factors)
    add = draw(adds) if multiply is None else draw(st.none() | adds)
    return Adjustment(when=draw(conditions), multiply=multiply, add=add)


@st.composite
def priced(draw: st.DrawFn) -> tuple[Scheme, dict[str, bool], Decimal]:
    s = scheme(
        Rate(when={}, amount=draw(money)),
        adjustments=tuple(draw(st.lists(adjustments(), max_size=6))),
        max_amount=draw(st.none() | money.filter(lambda m: m > 0).map(str)),
        monthly_cap_per_lawyer=draw(st.none() | money.filter(lambda m: m > 0).map(str)),
    )
    attributes = {"remote_area": draw(st.booleans()), "holiday": draw(st.booleans())}
    return s, attributes, draw(money)


@given(priced())
def test_an_amount_is_never_negative_and_always_has_two_places(case: tuple[Scheme, dict, Decimal]) -> None:
    s, attributes, so_far = case
    amount = calculate(s, attributes, month_total_so_far=so_far).amount
    assert amount >= 0
    assert amount.as_tuple().exponent == -2


@given(priced())
def test_an_amount_is_never_above_the_scheme_maximum_or_what_is_left_of_the_month(
    case: tuple[Scheme, dict, Decimal],
) -> None:
    s, attributes, so_far = case
    amount = calculate(s, attributes, month_total_so_far=so_far).amount
    if s.max_amount is not None:
        assert amount <= s.max_amount
    if s.monthly_cap_per_lawyer is not None:
        assert amount <= max(s.monthly_cap_per_lawyer - so_far, Decimal(0))


@given(priced())
def test_the_amount_is_the_exact_formula_rounded_once(case: tuple[Scheme, dict, Decimal]) -> None:
    s, attributes, so_far = case
    matching = [a for a in s.adjustments if all(attributes.get(k) == v for k, v in a.when.items())]
    with localcontext() as ctx:
        ctx.prec = 100
        exact = s.rates[0].amount
        for a in matching:
            exact *= a.multiply if a.multiply is not None else 1
        exact += sum((a.add for a in matching if a.add is not None), Decimal(0))
        exact = max(exact, Decimal(0))
        if s.max_amount is not None:
            exact = min(exact, s.max_amount)
        if s.monthly_cap_per_lawyer is not None:
            exact = min(exact, max(s.monthly_cap_per_lawyer - so_far, Decimal(0)))
        expected = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    calc = calculate(s, attributes, month_total_so_far=so_far)
    assert calc.amount == expected
    assert calc.breakdown[-1]["amount"] == calc.amount


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False))
def test_rounding_moves_an_amount_by_at_most_half_a_fen(value: Decimal) -> None:
    rounded = to_money(value)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - value) <= Decimal("0.005")
    assert to_money(rounded) == rounded


@given(st.integers(min_value=-(10**11), max_value=10**11))
def test_half_a_fen_always_rounds_away_from_zero(cents: int) -> None:
    value = Decimal(cents) / 100 + (Decimal("0.005") if cents >= 0 else Decimal("-0.005"))
    step = Decimal("0.01") if cents >= 0 else Decimal("-0.01")
    assert to_money(value) == Decimal(cents) / 100 + step


KEYS = ("case_type", "stage", "language")
VALUES = ("x", "y")
whens = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)


@given(st.lists(whens, min_size=1, max_size=6))
def test_a_table_passes_the_tie_check_exactly_when_no_claim_finds_two_equally_specific_rates(
    table: list[dict[str, str]],
) -> None:
    s = scheme(*(Rate(when=w, amount=Decimal("1.00")) for w in table))
    refused = "rates" in scheme_errors(s)
    runtime_tie = False
    for values in product((None, *VALUES), repeat=len(KEYS)):
        attributes = {k: v for k, v in zip(KEYS, values, strict=True) if v is not None}
        try:
            calculate(s, attributes)
        except SchemeInvalid:
            runtime_tie = True
        except NoMatchingRate:
            pass
    assert refused == runtime_tie
