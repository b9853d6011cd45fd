"""Demo rate tables and budgets for Ili Kazakh Autonomous Prefecture (654000), as contract request bodies.

Amounts are plausible yuan figures in the range of published Xinjiang standards, not a copy of
any real document; the document numbers are made up in the real format.
"""

from __future__ import annotations

from typing import Any

ILI = "654000"

_GRADE_ADJUSTMENTS = (
    {"when": {"grade": "fail"}, "multiply": "0", "label": "案件质量评估不合格 failed file: not paid"},
    {"when": {"grade": "excellent"}, "multiply": "1.10", "label": "案件质量评估优秀 excellent file +10%"},
)
_MINORITY_LANGUAGES = (("ug", "维吾尔语 Uyghur"), ("kk", "哈萨克语 Kazakh"), ("mn", "蒙古语 Mongolian"))


def _legal_aid(
    *,
    name: str,
    document_no: str,
    effective_from: str,
    effective_to: str | None,
    amounts: dict[tuple[str, ...], str],
    language_uplift: str,
    max_amount: str,
) -> dict[str, Any]:
    """A legal-aid standard: case type × stage base rates, jurisdiction and remote-area multiplies, language adds."""
    rates = []
    for key, amount in amounts.items():
        when = {"case_type": key[0]}
        if len(key) > 1:
            when["stage"] = key[1]
        rates.append({"when": when, "amount": amount})
    adjustments: list[dict[str, Any]] = [
        {
            "when": {"jurisdiction": "cross_county"},
            "multiply": "1.20",
            "label": "跨县(市)办案 cross-county case",
        },
        {"when": {"jurisdiction": "cross_city"}, "multiply": "1.50", "label": "跨地州办案 cross-city case"},
        {"when": {"remote_area": True}, "multiply": "1.20", "label": "边远地区 remote area uplift"},
    ]
    adjustments += [
        {
            "when": {"language": code},
            "add": language_uplift,
            "label": f"少数民族语言 minority language ({label})",
        }
        for code, label in _MINORITY_LANGUAGES
    ]
    return {
        "kind": "legal_aid_case",
        "name": name,
        "region_code": ILI,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "rates": rates,
        "adjustments": adjustments,
        "monthly_cap_per_lawyer": None,
        "max_amount": max_amount,
        "document_no": document_no,
    }


def demo_schemes() -> list[dict[str, Any]]:
    """Fresh copies of the demo schemes, in the body shape of POST /api/subsidy/schemes."""
    legal_aid_2025 = _legal_aid(
        name="伊犁州法律援助案件补贴标准 Ili legal aid case subsidy standard (2025)",
        document_no="伊州司发〔2025〕12号",
        effective_from="2025-01-01",
        effective_to="2026-06-30",
        amounts={
            ("criminal", "investigation"): "1200.00",
            ("criminal", "prosecution"): "1200.00",
            ("criminal", "first_instance"): "2000.00",
            ("criminal", "second_instance"): "1600.00",
            ("civil",): "2000.00",
            ("civil", "arbitration"): "1500.00",
            ("civil", "non_litigation"): "800.00",
            ("administrative",): "2000.00",
        },
        language_uplift="200.00",
        max_amount="3500.00",
    )
    # 动态增长机制: the standard is raised from a date; cases served before it keep the old table.
    legal_aid_2026 = _legal_aid(
        name="伊犁州法律援助案件补贴标准 Ili legal aid case subsidy standard (raised July 2026)",
        document_no="伊州司发〔2026〕7号",
        effective_from="2026-07-01",
        effective_to=None,
        amounts={
            ("criminal", "investigation"): "1300.00",
            ("criminal", "prosecution"): "1300.00",
            ("criminal", "first_instance"): "2200.00",
            ("criminal", "second_instance"): "1800.00",
            ("civil",): "2200.00",
            ("civil", "arbitration"): "1650.00",
            ("civil", "non_litigation"): "900.00",
            ("administrative",): "2200.00",
        },
        language_uplift="300.00",
        max_amount="3800.00",
    )
    # the raised standard pays a complete, graded file (一案一卷, 案件质量评估): a failed file nothing, an
    # excellent one 10 % more
    legal_aid_2026["required_documents"] = ["指派通知书", "委托代理协议", "结案报告"]
    legal_aid_2026["requires_grade"] = True
    legal_aid_2026["adjustments"] = [*_GRADE_ADJUSTMENTS, *legal_aid_2026["adjustments"]]
    mediation = {
        "kind": "mediation_case",
        "name": "伊犁州人民调解个案补贴标准 Ili people's mediation per-case subsidy",
        "region_code": ILI,
        "effective_from": "2025-01-01",
        "effective_to": None,
        "rates": [
            {"when": {"difficulty": "simple"}, "amount": "100.00"},
            {"when": {"difficulty": "ordinary"}, "amount": "200.00"},
            {"when": {"difficulty": "difficult"}, "amount": "400.00"},
            {"when": {"difficulty": "major"}, "amount": "800.00"},
        ],
        "adjustments": [
            {"when": {"agreement": True}, "multiply": "1.50", "label": "达成调解协议 agreement reached +50%"},
            _GRADE_ADJUSTMENTS[0],  # a mediation file graded 不合格 is not paid (grading is optional here)
        ],
        "monthly_cap_per_lawyer": "3000.00",
        "max_amount": "1200.00",
        "document_no": "伊州司发〔2025〕15号",
    }
    duty_rates = []
    for level, full_day, half_day in (
        ("prefecture", "200.00", "120.00"),
        ("county", "200.00", "120.00"),
        ("township", "150.00", "90.00"),
        ("village", "100.00", "60.00"),
        ("hotline", "100.00", "60.00"),
    ):
        duty_rates.append({"when": {"station_level": level, "length": "full_day"}, "amount": full_day})
        duty_rates.append({"when": {"station_level": level, "length": "half_day"}, "amount": half_day})
    station_duty = {
        "kind": "station_duty",
        "name": "伊犁州律师驻点服务补助标准 Ili lawyer station duty allowance",
        "region_code": ILI,
        "effective_from": "2025-01-01",
        "effective_to": None,
        "rates": duty_rates,
        "adjustments": [
            {"when": {"holiday": True}, "multiply": "1.50", "label": "节假日值班 holiday duty uplift"},
        ],
        "monthly_cap_per_lawyer": "2000.00",
        "max_amount": None,
        "document_no": "伊州司发〔2025〕18号",
    }
    return [legal_aid_2025, legal_aid_2026, mediation, station_duty]


def demo_budgets() -> list[dict[str, Any]]:
    """Fresh copies of the demo yearly budgets, in the body shape of POST /api/subsidy/budgets."""
    amounts = {"legal_aid_case": "1500000.00", "mediation_case": "300000.00", "station_duty": "600000.00"}
    return [
        {"region_code": ILI, "kind": kind, "year": year, "amount": amount}
        for year in (2025, 2026)
        for kind, amount in amounts.items()
    ]
