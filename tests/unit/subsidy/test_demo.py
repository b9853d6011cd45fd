from datetime import date
from decimal import Decimal
from itertools import combinations

from services.subsidy.domain.claims import Budget
from services.subsidy.domain.demo import demo_budgets, demo_schemes
from services.subsidy.domain.money import to_money
from services.subsidy.domain.schemes import Scheme, calculate, overlaps, parse_scheme, select_scheme


def _schemes() -> list[Scheme]:
    return [parse_scheme(body, id=f"demo-{i}") for i, body in enumerate(demo_schemes())]


def _pick(kind: str, day: date) -> Scheme:
    found = select_scheme(_schemes(), kind=kind, region_code="654021", service_date=day)
    assert found is not None
    return found


def test_every_demo_scheme_is_valid_and_none_overlaps_another() -> None:
    schemes = _schemes()
    assert {s.kind for s in schemes} == {"legal_aid_case", "mediation_case", "station_duty"}
    assert not [(a.id, b.id) for a, b in combinations(schemes, 2) if overlaps(a, b)]
    assert all(s.document_no and "〔" in s.document_no for s in schemes)


def test_demo_data_is_a_fresh_copy_each_time() -> None:
    first = demo_schemes()
    first[0]["rates"].clear()
    assert demo_schemes()[0]["rates"]


def test_demo_legal_aid_pays_by_stage_and_more_across_jurisdictions() -> None:
    scheme = _pick("legal_aid_case", date(2026, 5, 20))
    case = {"case_type": "criminal", "stage": "investigation"}
    assert calculate(scheme, case).amount == Decimal("1200.00")
    assert calculate(scheme, {**case, "jurisdiction": "cross_county"}).amount == Decimal("1440.00")
    assert calculate(scheme, {**case, "jurisdiction": "cross_city"}).amount == Decimal("1800.00")
    assert calculate(scheme, {"case_type": "civil", "stage": "first_instance"}).amount == Decimal("2000.00")
    assert calculate(scheme, {"case_type": "civil", "stage": "non_litigation"}).amount == Decimal("800.00")


def test_demo_legal_aid_uplifts_remote_areas_and_minority_languages_and_caps_the_claim() -> None:
    scheme = _pick("legal_aid_case", date(2026, 5, 20))
    trial = {"case_type": "criminal", "stage": "first_instance"}
    assert calculate(scheme, {**trial, "remote_area": True}).amount == Decimal("2400.00")
    assert calculate(scheme, {**trial, "language": "kk"}).amount == Decimal("2200.00")
    most = calculate(scheme, {**trial, "remote_area": True, "language": "ug", "jurisdiction": "cross_city"})
    assert most.amount == Decimal("3500.00")
    assert most.breakdown[-1]["step"] == "capped at scheme maximum 3500.00"


def test_the_demo_standard_rises_from_july_2026_and_may_cases_keep_the_old_one() -> None:
    trial = {"case_type": "criminal", "stage": "first_instance"}
    may, july = _pick("legal_aid_case", date(2026, 5, 20)), _pick("legal_aid_case", date(2026, 7, 1))
    assert may.document_no == "伊州司发〔2025〕12号"
    assert july.document_no == "伊州司发〔2026〕7号"
    assert calculate(may, trial).amount == Decimal("2000.00")
    assert calculate(july, trial).amount == Decimal("2200.00")


def test_demo_mediation_pays_by_difficulty_and_half_as_much_again_with_an_agreement() -> None:
    scheme = _pick("mediation_case", date(2026, 5, 20))
    amounts = {
        d: calculate(scheme, {"difficulty": d, "agreement": False}).amount
        for d in ("simple", "ordinary", "difficult", "major")
    }
    assert amounts == {
        d: to_money(v) for d, v in {"simple": 100, "ordinary": 200, "difficult": 400, "major": 800}.items()
    }
    assert calculate(scheme, {"difficulty": "difficult", "agreement": True}).amount == Decimal("600.00")
    assert scheme.monthly_cap_per_lawyer == Decimal("3000.00")


def test_demo_station_duty_pays_by_level_and_length_with_a_holiday_uplift() -> None:
    scheme = _pick("station_duty", date(2026, 5, 20))

    def pay(level: str, length: str, holiday: bool = False) -> Decimal:
        return calculate(scheme, {"station_level": level, "length": length, "holiday": holiday}).amount

    assert pay("county", "full_day") == Decimal("200.00")
    assert pay("township", "full_day") == Decimal("150.00")
    assert pay("village", "full_day") == Decimal("100.00")
    assert pay("hotline", "half_day") == Decimal("60.00")
    assert pay("county", "full_day", holiday=True) == Decimal("300.00")
    assert scheme.monthly_cap_per_lawyer == Decimal("2000.00")


def test_demo_budgets_are_valid_budgets() -> None:
    budgets = [
        Budget(region_code=b["region_code"], kind=b["kind"], year=b["year"], amount=to_money(b["amount"]))
        for b in demo_budgets()
    ]
    assert {(b.kind, b.year) for b in budgets} == {
        (k, y) for k in ("legal_aid_case", "mediation_case", "station_duty") for y in (2025, 2026)
    }
