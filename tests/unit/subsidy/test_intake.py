"""Reading a month's cases from a spreadsheet, without a database: headers in Chinese or English, cells as
mediation committees and legal-aid centres write them, every bad cell named by row."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.subsidy.service.errors import Invalid
from services.subsidy.service.intake import read_claims


def _read(text: str, encoding: str = "utf-8") -> tuple[list[Any], dict[str, list[str]], list[str]]:
    return read_claims(text.encode(encoding), charset=None)


def test_chinese_headers_and_cells_read_as_the_claims_fields_and_attributes() -> None:
    claims, errors, ignored = _read(
        "序号,案件类型,律师编号,行政区划代码,案号,服务日期,材料,难易程度,是否达成协议,备注,承办人\n"
        "1,人民调解,L1,654021,A-1,2026年5月3日,协议书；目录 ; ,疑难,是,,张三\n",
        "gbk",
    )
    assert errors == {}
    assert ignored == ["承办人"]
    assert claims == [
        (
            2,
            {
                "kind": "mediation_case",
                "lawyer_id": "L1",
                "region_code": "654021",
                "case_no": "A-1",
                "service_date": date(2026, 5, 3),
                "documents": ["协议书", "目录"],
                "attributes": {"difficulty": "difficult", "agreement": True},
            },
        )
    ]


def test_english_headers_and_a_further_attribute_column_read_too() -> None:
    claims, errors, _ = _read(
        "kind,lawyer_id,region_code,case_no,service_date,remote_area,case_type,funding_source\n"
        "legal_aid_case,L1,654021,LA-1,2026/5/3,false,civil,central\n"
    )
    assert errors == {}
    assert claims[0][1]["attributes"] == {
        "remote_area": False,
        "case_type": "civil",
        "funding_source": "central",
    }


def test_every_bad_cell_of_a_row_is_named_with_the_row_a_spreadsheet_shows() -> None:
    _, errors, _ = _read(
        "案件类型,律师编号,行政区划代码,案号,服务日期,是否达成协议\n"
        "人民调解,L1,654021,A-1,2026-05-03,是\n\n"
        "仲裁,,99,A-2,2026-02-30,也许\n"
    )
    assert list(errors) == ["row 4"]
    assert [m.split(":")[0] for m in errors["row 4"]] == [
        "kind",
        "lawyer_id",
        "region_code",
        "service_date",
        "agreement",
    ]


def test_a_grade_column_is_refused_as_grading_is_finances_step() -> None:
    with pytest.raises(Invalid) as refused:
        _read(
            "kind,lawyer_id,region_code,case_no,service_date,grade\nmediation_case,L1,654021,A,2026-05-03,fail\n"
        )
    assert "grade" in refused.value.errors["row 1"][0]


def test_a_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        _read(
            "案号,case_no,kind,lawyer_id,region_code,service_date\nA,A,mediation_case,L1,654021,2026-05-03\n"
        )
    assert "twice" in refused.value.errors["row 1"][0]
