from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from services.subsidy.domain.schemes import (
    Adjustment,
    Kind,
    NoMatchingRate,
    Scheme,
    SchemeInvalid,
    breakdown_as_json,
    calculate,
    duty_length,
    find_overlap,
    overlaps,
    parse_scheme,
    scheme_as_json,
    select_scheme,
    validate_attributes,
    validate_scheme,
)

from .builders import rate, scheme

# --- rate matching ---------------------------------------------------------------------------


def test_the_matching_rate_with_the_most_conditions_wins() -> None:
    s = scheme(
        rate("2000.00", case_type="civil"),
        rate("800.00", case_type="civil", stage="non_litigation"),
        rate("1200.00", case_type="criminal", stage="investigation"),
    )
    assert calculate(s, {"case_type": "civil", "stage": "non_litigation"}).amount == Decimal("800.00")
    assert calculate(s, {"case_type": "civil", "stage": "first_instance"}).amount == Decimal("2000.00")


def test_the_most_specific_rate_wins_whatever_order_the_table_lists_it_in() -> None:
    s = scheme(
        rate("800.00", case_type="civil", stage="non_litigation"),
        rate("2000.00", case_type="civil"),
    )
    assert calculate(s, {"case_type": "civil", "stage": "non_litigation"}).amount == Decimal("800.00")


def test_a_rate_with_no_conditions_is_the_fallback_for_every_claim() -> None:
    s = scheme(rate("50.00"), rate("300.00", case_type="criminal"))
    assert calculate(s, {"case_type": "civil"}).amount == Decimal("50.00")
    assert calculate(s, {"case_type": "criminal"}).amount == Decimal("300.00")


def test_a_boolean_matches_its_spelling_as_text() -> None:
    s = scheme(
        rate("100.00", difficulty="simple", agreement=True),
        rate("60.00", difficulty="simple", agreement="false"),
        kind=Kind.MEDIATION_CASE,
    )
    assert calculate(s, {"difficulty": "simple", "agreement": "true"}).amount == Decimal("100.00")
    assert calculate(s, {"difficulty": "Simple ", "agreement": "TRUE"}).amount == Decimal("100.00")
    assert calculate(s, {"difficulty": "simple", "agreement": False}).amount == Decimal("60.00")


def test_an_attribute_the_claim_leaves_out_does_not_match() -> None:
    s = scheme(rate("300.00", case_type="criminal", stage="investigation"))
    with pytest.raises(NoMatchingRate):
        calculate(s, {"case_type": "criminal"})
    with pytest.raises(NoMatchingRate):
        calculate(s, {"case_type": "criminal", "stage": None})


def test_no_matching_rate_names_the_attributes_and_the_kind() -> None:
    s = scheme(rate("1200.00", case_type="criminal", stage="investigation"))
    with pytest.raises(NoMatchingRate) as caught:
        calculate(s, {"case_type": "criminal", "stage": "appeal", "remote_area": True})
    message = str(caught.value)
    assert "legal_aid_case" in message
    assert "case_type=criminal" in message
    assert "stage=appeal" in message
    assert "remote_area=true" in message
    assert caught.value.attributes == {"case_type": "criminal", "stage": "appeal", "remote_area": True}
    assert caught.value.errors == {"attributes": [message]}


def test_a_float_attribute_that_a_rate_looks_at_is_refused() -> None:
    s = scheme(rate("100.00", hours=4))
    with pytest.raises(ValueError, match="float"):
        calculate(s, {"hours": 4.0})


def test_attributes_no_rate_looks_at_are_ignored_even_if_odd() -> None:
    s = scheme(rate("100.00", case_type="civil"))
    assert calculate(s, {"case_type": "civil", "note": 1.5, "extra": [1]}).amount == Decimal("100.00")


# --- adjustments and the breakdown -----------------------------------------------------------


def _legal_aid_with_uplifts(**kwargs: Any) -> Scheme:
    return scheme(
        rate("2000.00", case_type="criminal", stage="first_instance"),
        adjustments=(
            Adjustment(when={"jurisdiction": "cross_county"}, multiply=Decimal("1.20"), label="cross-county"),
            Adjustment(when={"language": "ug"}, add=Decimal("100.00"), label="minority language"),
            Adjustment(when={"remote_area": True}, multiply=Decimal("1.20"), label="remote area uplift"),
        ),
        **kwargs,
    )


def test_multiplies_apply_before_adds_whatever_the_listed_order() -> None:
    s = _legal_aid_with_uplifts()
    calc = calculate(
        s,
        {
            "case_type": "criminal",
            "stage": "first_instance",
            "remote_area": True,
            "language": "ug",
            "jurisdiction": "cross_county",
        },
    )
    # (2000 × 1.2 × 1.2) + 100, not ((2000 × 1.2) + 100) × 1.2
    assert calc.amount == Decimal("2980.00")
    assert [step["step"] for step in calc.breakdown] == [
        "base rate: case_type=criminal, stage=first_instance",
        "cross-county ×1.20",
        "remote area uplift ×1.20",
        "minority language +100.00",
    ]
    assert [step["amount"] for step in calc.breakdown] == [
        Decimal("2000.00"),
        Decimal("2400.00"),
        Decimal("2880.00"),
        Decimal("2980.00"),
    ]


def test_only_matching_adjustments_apply() -> None:
    calc = calculate(
        _legal_aid_with_uplifts(), {"case_type": "criminal", "stage": "first_instance", "language": "zh"}
    )
    assert calc.amount == Decimal("2000.00")
    assert len(calc.breakdown) == 1


def test_the_breakdown_carries_the_scheme_and_its_policy_document() -> None:
    calc = calculate(
        _legal_aid_with_uplifts(id="S-2025"), {"case_type": "criminal", "stage": "first_instance"}
    )
    assert calc.scheme_id == "S-2025"
    assert calc.document_no == "伊州司发〔2025〕12号"


def test_an_adjustment_without_a_label_is_named_by_its_conditions() -> None:
    s = scheme(rate("100.00"), adjustments=(Adjustment(when={"holiday": True}, multiply=Decimal("1.5")),))
    calc = calculate(s, {"holiday": True})
    assert calc.breakdown[-1]["step"] == "holiday=true ×1.5"
    assert calc.amount == Decimal("150.00")


def test_a_deduction_never_takes_a_claim_below_zero() -> None:
    s = scheme(rate("30.00"), adjustments=(Adjustment(when={}, add=Decimal("-50.00"), label="deduction"),))
    calc = calculate(s, {})
    assert calc.amount == Decimal("0.00")
    assert [step["step"] for step in calc.breakdown] == [
        "base rate: any claim",
        "deduction −50.00",
        "not below zero",
    ]


def test_an_intermediate_is_kept_exact_and_rounded_once_at_the_end() -> None:
    # 0.50 × 1.01 = 0.505 exactly; × 1.01 again = 0.51005. Rounding each step would give
    # 0.51 then 0.52 (0.5151 → 0.52); rounding once gives 0.51.
    s = scheme(
        rate("0.50"),
        adjustments=(
            Adjustment(when={}, multiply=Decimal("1.01"), label="first"),
            Adjustment(when={}, multiply=Decimal("1.01"), label="second"),
        ),
    )
    calc = calculate(s, {})
    assert calc.breakdown[2]["amount"] == Decimal("0.510050")
    assert calc.amount == Decimal("0.51")
    assert calc.breakdown[-1] == {"step": "rounded half-up", "amount": Decimal("0.51"), "rule": "rounding"}


def test_a_half_fen_after_a_multiply_rounds_up() -> None:
    s = scheme(rate("0.10"), adjustments=(Adjustment(when={}, multiply=Decimal("1.05"), label="uplift"),))
    calc = calculate(s, {})  # 0.105 → 0.11
    assert calc.amount == Decimal("0.11")
    assert calc.breakdown[-1]["step"] == "rounded half-up"


def test_a_result_already_in_whole_fen_gets_no_rounding_step() -> None:
    s = scheme(rate("2000.00"), adjustments=(Adjustment(when={}, multiply=Decimal("1.20"), label="uplift"),))
    calc = calculate(s, {})
    assert calc.amount == Decimal("2400.00")
    assert all(step["rule"] != "rounding" for step in calc.breakdown)


def test_the_breakdown_as_json_shows_money_with_two_places_and_the_exact_figure() -> None:
    s = scheme(rate("333.33"), adjustments=(Adjustment(when={}, multiply=Decimal("1.15"), label="uplift"),))
    steps = breakdown_as_json(calculate(s, {}).breakdown)
    assert steps[1] == {
        "step": "uplift ×1.15",
        "amount": "383.33",
        "exact": "383.3295",
        "rule": "multiply",
        "factor": "1.15",
    }
    assert steps[-1]["amount"] == "383.33"


# --- caps ------------------------------------------------------------------------------------


def test_the_scheme_maximum_caps_one_claim() -> None:
    s = _legal_aid_with_uplifts(max_amount="2500.00")
    calc = calculate(
        s,
        {
            "case_type": "criminal",
            "stage": "first_instance",
            "remote_area": True,
            "jurisdiction": "cross_county",
        },
    )
    assert calc.amount == Decimal("2500.00")
    assert calc.breakdown[-1]["step"] == "capped at scheme maximum 2500.00"


def test_a_claim_below_the_maximum_is_not_capped() -> None:
    calc = calculate(
        _legal_aid_with_uplifts(max_amount="2500.00"), {"case_type": "criminal", "stage": "first_instance"}
    )
    assert calc.amount == Decimal("2000.00")
    assert all(step["rule"] != "max_amount" for step in calc.breakdown)


def test_the_monthly_cap_pays_only_what_is_left_of_the_lawyers_month() -> None:
    s = scheme(rate("800.00"), monthly_cap_per_lawyer="2000.00", kind=Kind.STATION_DUTY)
    calc = calculate(s, {}, month_total_so_far=Decimal("1500.00"))
    assert calc.amount == Decimal("500.00")
    assert (
        calc.breakdown[-1]["step"]
        == "capped by monthly limit per lawyer (2000.00, 1500.00 already this month)"
    )


def test_a_lawyer_who_has_reached_the_monthly_cap_gets_nothing_more_that_month() -> None:
    s = scheme(rate("800.00"), monthly_cap_per_lawyer="2000.00")
    assert calculate(s, {}, month_total_so_far=Decimal("2000.00")).amount == Decimal("0.00")
    assert calculate(s, {}, month_total_so_far=Decimal("2600.00")).amount == Decimal("0.00")


def test_the_scheme_maximum_applies_before_the_monthly_cap() -> None:
    s = scheme(rate("5000.00"), max_amount="3000.00", monthly_cap_per_lawyer="4000.00")
    calc = calculate(s, {}, month_total_so_far=Decimal("1500.00"))
    assert calc.amount == Decimal("2500.00")
    assert [step["rule"] for step in calc.breakdown] == ["rate", "max_amount", "monthly_cap"]


def test_a_negative_month_total_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        calculate(scheme(rate("1.00")), {}, month_total_so_far=Decimal("-1"))


# --- ties and validation ----------------------------------------------------------------------


def test_two_rates_one_claim_could_both_match_with_equal_conditions_are_a_tie() -> None:
    s = scheme(rate("1200.00", case_type="criminal"), rate("1500.00", stage="prosecution"))
    with pytest.raises(SchemeInvalid) as caught:
        validate_scheme(s)
    [message] = caught.value.errors["rates"]
    assert "rates[0] (case_type=criminal)" in message
    assert "rates[1] (stage=prosecution)" in message


def test_a_tie_message_names_the_claim_that_would_be_ambiguous() -> None:
    with pytest.raises(SchemeInvalid, match="both match a claim with case_type=criminal, stage=prosecution"):
        validate_scheme(scheme(rate("1200.00", case_type="criminal"), rate("1500.00", stage="prosecution")))


def test_a_more_specific_rate_for_the_overlap_settles_what_would_otherwise_be_a_tie() -> None:
    s = scheme(
        rate("1000.00", case_type="criminal"),
        rate("900.00", stage="investigation"),
        rate("1200.00", case_type="criminal", stage="investigation"),
    )
    assert validate_scheme(s) is s
    assert calculate(s, {"case_type": "criminal", "stage": "investigation"}).amount == Decimal("1200.00")
    assert calculate(s, {"case_type": "criminal", "stage": "trial"}).amount == Decimal("1000.00")
    assert calculate(s, {"case_type": "civil", "stage": "investigation"}).amount == Decimal("900.00")


def test_a_more_specific_rate_that_covers_only_part_of_the_overlap_settles_nothing() -> None:
    s = scheme(
        rate("1000.00", case_type="criminal"),
        rate("900.00", stage="investigation"),
        rate("1200.00", case_type="criminal", remote_area=True),
    )
    with pytest.raises(SchemeInvalid):
        validate_scheme(s)


def test_identical_conditions_are_a_tie() -> None:
    with pytest.raises(SchemeInvalid, match=r"rates\[0\].*rates\[1\]"):
        validate_scheme(scheme(rate("1.00", case_type="civil"), rate("2.00", case_type="civil")))


def test_two_catch_all_rates_are_a_tie() -> None:
    with pytest.raises(SchemeInvalid, match="any claim"):
        validate_scheme(scheme(rate("1.00"), rate("2.00")))


def test_a_boolean_and_its_text_spelling_are_the_same_condition_so_they_tie() -> None:
    with pytest.raises(SchemeInvalid):
        validate_scheme(scheme(rate("1.00", remote_area=True), rate("2.00", remote_area="true")))


def test_rates_that_disagree_on_a_shared_attribute_never_tie() -> None:
    s = scheme(
        rate("1200.00", case_type="criminal", stage="investigation"),
        rate("1200.00", case_type="criminal", stage="prosecution"),
        rate("2000.00", case_type="civil"),
        rate("2000.00", case_type="administrative"),
    )
    assert validate_scheme(s) is s


def test_rates_with_different_numbers_of_conditions_never_tie() -> None:
    validate_scheme(scheme(rate("2000.00", case_type="civil"), rate("800.00", case_type="civil", stage="x")))


def test_every_tie_is_reported_not_just_the_first() -> None:
    with pytest.raises(SchemeInvalid) as caught:
        validate_scheme(scheme(rate("1.00", a="x"), rate("2.00", b="y"), rate("3.00", c="z")))
    assert len(caught.value.errors["rates"]) == 3


def test_calculating_with_an_unvalidated_tied_scheme_refuses_rather_than_guess() -> None:
    s = scheme(
        rate("9.00", case_type="civil"),
        rate("1200.00", case_type="criminal"),
        rate("1500.00", stage="prosecution"),
    )
    with pytest.raises(SchemeInvalid, match=r"rates\[1\] and rates\[2\] of scheme S1"):
        calculate(s, {"case_type": "criminal", "stage": "prosecution"})


def test_a_misspelt_value_of_a_known_attribute_is_refused_instead_of_never_matching() -> None:
    s = scheme(rate("400.00", difficulty="dificult"), kind=Kind.MEDIATION_CASE)
    with pytest.raises(SchemeInvalid) as caught:
        validate_scheme(s)
    assert "difficulty must be one of" in caught.value.errors["rates[0].when"][0]


def test_a_scheme_without_rates_or_with_bad_dates_and_caps_lists_every_problem() -> None:
    s = scheme(
        rate("-1.00"),
        effective_from=date(2026, 7, 1),
        effective_to=date(2026, 6, 30),
        max_amount="0",
        monthly_cap_per_lawyer="-5",
        region_code="65400",
        document_no=" ",
    )
    with pytest.raises(SchemeInvalid) as caught:
        validate_scheme(s)
    assert set(caught.value.errors) == {
        "rates[0].amount",
        "effective_to",
        "max_amount",
        "monthly_cap_per_lawyer",
        "region_code",
        "document_no",
    }


@pytest.mark.parametrize("factor", ["-0.01", "-1.2", "12", "NaN"])
def test_a_multiply_outside_a_sane_range_is_refused(factor: str) -> None:
    s = scheme(rate("1.00"), adjustments=(Adjustment(when={}, multiply=Decimal(factor)),))
    with pytest.raises(SchemeInvalid, match="multiply"):
        validate_scheme(s)


def test_an_adjustment_needs_a_multiply_or_an_add() -> None:
    with pytest.raises(SchemeInvalid, match="needs a multiply"):
        validate_scheme(scheme(rate("1.00"), adjustments=(Adjustment(when={"holiday": True}),)))


# --- parsing the contract body ----------------------------------------------------------------


def _body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "mediation_case",
        "name": "调解补贴",
        "region_code": "654000",
        "effective_from": "2025-01-01",
        "effective_to": None,
        "rates": [{"when": {"difficulty": "simple"}, "amount": "100.00"}],
        "adjustments": [{"when": {"agreement": True}, "multiply": "1.50"}],
        "monthly_cap_per_lawyer": "3000",
        "max_amount": None,
        "document_no": "伊州司发〔2025〕15号",
    }
    body.update(overrides)
    return body


def test_a_contract_body_becomes_a_scheme_and_back() -> None:
    s = parse_scheme(_body(), id="S9")
    assert s.kind is Kind.MEDIATION_CASE
    assert s.monthly_cap_per_lawyer == Decimal("3000.00")
    assert s.adjustments[0].multiply == Decimal("1.50")
    out = scheme_as_json(s)
    assert out["monthly_cap_per_lawyer"] == "3000.00"
    assert out["adjustments"] == [{"when": {"agreement": True}, "multiply": "1.50"}]
    assert parse_scheme({k: v for k, v in out.items() if k != "id"}, id="S9") == s


def test_a_body_with_a_float_amount_is_refused_at_that_field() -> None:
    with pytest.raises(SchemeInvalid) as caught:
        parse_scheme(_body(rates=[{"when": {"difficulty": "simple"}, "amount": 100.5}]), id="S")
    assert "float" in caught.value.errors["rates[0].amount"][0]


def test_a_body_with_many_mistakes_reports_each_at_its_field() -> None:
    with pytest.raises(SchemeInvalid) as caught:
        parse_scheme(
            _body(
                kind="subsidy",
                effective_from="2025-13-01",
                rates=[{"when": {"difficulty": 2.5}, "amount": "x"}, {"when": {}, "amonut": "1"}],
                adjustments=[{"when": {}, "multiply": 1.2}],
                colour="red",
            ),
            id="S",
        )
    errors = caught.value.errors
    assert set(errors) >= {
        "kind",
        "effective_from",
        "rates[0].when",
        "rates[0].amount",
        "rates[1].amonut",
        "rates[1].amount",
        "adjustments[0].multiply",
        "colour",
    }
    assert "adjustments[0]" not in errors  # no knock-on complaint about the unreadable multiply


def test_a_tie_in_a_body_is_reported_on_rates() -> None:
    body = _body(
        rates=[
            {"when": {"difficulty": "simple"}, "amount": "100.00"},
            {"when": {"agreement": "true"}, "amount": "150.00"},
        ]
    )
    with pytest.raises(SchemeInvalid) as caught:
        parse_scheme(body, id="S")
    assert list(caught.value.errors) == ["rates"]


# --- effective dates and regions --------------------------------------------------------------

MAY_SCHEME = scheme(
    rate("2000.00", case_type="criminal", stage="first_instance"),
    id="2025-standard",
    effective_from=date(2025, 1, 1),
    effective_to=date(2026, 6, 30),
)
JULY_SCHEME = scheme(
    rate("2200.00", case_type="criminal", stage="first_instance"),
    id="2026-standard",
    effective_from=date(2026, 7, 1),
    document_no="伊州司发〔2026〕7号",
)
TRIAL = {"case_type": "criminal", "stage": "first_instance"}


def test_a_may_case_keeps_the_old_rate_after_a_july_scheme_arrives() -> None:
    before = select_scheme(
        [MAY_SCHEME], kind="legal_aid_case", region_code="654021", service_date=date(2026, 5, 20)
    )
    after = select_scheme(
        [MAY_SCHEME, JULY_SCHEME], kind="legal_aid_case", region_code="654021", service_date=date(2026, 5, 20)
    )
    assert before is MAY_SCHEME
    assert after is MAY_SCHEME
    assert calculate(after, TRIAL).amount == Decimal("2000.00")


def test_a_july_case_is_paid_under_the_new_standard() -> None:
    chosen = select_scheme(
        [MAY_SCHEME, JULY_SCHEME], kind="legal_aid_case", region_code="654021", service_date=date(2026, 7, 1)
    )
    assert chosen is JULY_SCHEME
    assert calculate(chosen, TRIAL).amount == Decimal("2200.00")


def test_the_last_day_of_a_scheme_is_still_in_force() -> None:
    chosen = select_scheme(
        [MAY_SCHEME, JULY_SCHEME], kind="legal_aid_case", region_code="654021", service_date=date(2026, 6, 30)
    )
    assert chosen is MAY_SCHEME


def test_a_case_before_any_scheme_has_none() -> None:
    assert (
        select_scheme(
            [MAY_SCHEME], kind="legal_aid_case", region_code="654021", service_date=date(2024, 12, 31)
        )
        is None
    )


def test_the_most_specific_covering_region_wins() -> None:
    everywhere = scheme(id="all", region_code=None)
    xinjiang = scheme(id="xj", region_code="650000")
    ili = scheme(id="ili", region_code="654000")
    yining_county = scheme(id="yn", region_code="654021")
    tacheng = scheme(id="tc", region_code="654200")
    schemes = [everywhere, yining_county, xinjiang, tacheng, ili]

    def pick(region: str) -> str | None:
        found = select_scheme(
            schemes, kind="legal_aid_case", region_code=region, service_date=date(2026, 1, 5)
        )
        return None if found is None else found.id

    assert pick("654021") == "yn"
    assert pick("654023") == "ili"
    assert pick("654201") == "tc"
    assert pick("650102") == "xj"
    assert pick("110101") == "all"


def test_a_scheme_of_another_kind_is_never_selected() -> None:
    duty = scheme(kind=Kind.STATION_DUTY)
    assert (
        select_scheme([duty], kind="legal_aid_case", region_code="654021", service_date=date(2026, 1, 5))
        is None
    )


def test_schemes_of_one_kind_and_region_overlap_when_their_dates_intersect() -> None:
    open_ended = scheme(id="a", effective_from=date(2025, 1, 1))
    later = scheme(id="b", effective_from=date(2030, 1, 1), effective_to=date(2030, 12, 31))
    assert overlaps(open_ended, later)
    assert overlaps(later, open_ended)
    assert not overlaps(MAY_SCHEME, JULY_SCHEME)
    touching = scheme(id="c", effective_from=date(2026, 6, 30))
    assert overlaps(MAY_SCHEME, touching)


def test_schemes_of_different_regions_or_kinds_never_overlap() -> None:
    assert not overlaps(scheme(id="a", region_code="654000"), scheme(id="b", region_code="654021"))
    assert not overlaps(scheme(id="a", region_code=None), scheme(id="b", region_code="654000"))
    assert not overlaps(scheme(id="a"), scheme(id="b", kind=Kind.MEDIATION_CASE))


def test_find_overlap_names_the_existing_scheme_in_the_way() -> None:
    new = scheme(id="new", effective_from=date(2026, 6, 1), effective_to=date(2026, 6, 15))
    assert find_overlap(new, [JULY_SCHEME, MAY_SCHEME]) is MAY_SCHEME
    assert find_overlap(MAY_SCHEME, [MAY_SCHEME]) is None


# --- attributes for station duty and validation of claim attributes ---------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("09:00", "13:00", "half_day"),
        ("14:00", "18:00", "half_day"),
        ("09:00", "13:01", "full_day"),
        ("09:30", "17:30", "full_day"),
        (time(10, 0), time(12, 0), "half_day"),
        ("22:00", "02:00", "half_day"),
        ("20:00", "08:00", "full_day"),
    ],
)
def test_a_duty_of_up_to_four_hours_is_a_half_day(start: object, end: object, expected: str) -> None:
    assert duty_length(start, end) == expected  # type: ignore[arg-type]


def test_a_duty_that_ends_when_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end when it starts"):
        duty_length("09:00", "09:00")
    with pytest.raises(ValueError, match="is not a time like 09:30"):
        duty_length("9am", "13:00")


def test_claim_attributes_are_checked_against_what_each_kind_expects() -> None:
    assert (
        validate_attributes(kind="mediation_case", attributes={"difficulty": "simple", "agreement": True})
        == {}
    )
    assert validate_attributes(kind="mediation_case", attributes={"difficulty": "hard"}) == {
        "attributes.difficulty": ["must be one of simple, ordinary, difficult, major"]
    }
    errors = validate_attributes(
        kind="station_duty", attributes={"station_level": "county", "holiday": "maybe"}
    )
    assert errors == {
        "attributes.length": ["missing"],
        "attributes.holiday": ["must be one of true, false"],
    }
    assert (
        validate_attributes(kind="legal_aid_case", attributes={"case_type": "civil", "stage": "appeal"}) == {}
    )
