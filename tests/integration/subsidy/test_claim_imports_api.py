"""Intake over HTTP: a month's cases from a spreadsheet (XLSX, CSV in UTF-8, UTF-8 with BOM or GBK), all or
nothing, each claim priced, audited and announced as if submitted alone."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from .conftest import Kit, legal_aid_scheme, mediation_scheme

HEADER = (
    "案件类型,律师编号,行政区划代码,案号,服务日期,材料,难易程度,是否达成协议,案件类别,诉讼阶段,偏远地区,语言"
)
ROWS = [
    "人民调解,L1,654021,(2026)伊调字第1号,2026-05-12,调解协议书;卷宗目录,一般,是,,,,",
    "人民调解,L2,654021,(2026)伊调字第2号,2026/5/13,,简易,否,,,,",
    "法律援助,L1,654021,(2026)伊援字第1号,2026年5月14日,委托书；结案报告,,,civil,first_instance,是,kk",
]
CSV = "\n".join([HEADER, *ROWS]) + "\n"


@pytest.fixture
def ready(kit: Kit) -> Kit:
    kit.add_lawyer("L1")
    kit.add_lawyer("L2")
    kit.create_scheme(mediation_scheme())
    kit.create_scheme(legal_aid_scheme())
    return kit


def _post(
    kit: Kit,
    content: bytes,
    *,
    content_type: str = "text/csv",
    user: str = "finance-wang",
    multipart: bool = False,
) -> Any:
    if multipart:
        return kit.client.post(
            "/api/subsidy/claims/imports",
            headers=kit.finance(user),
            data={"file": (io.BytesIO(content), "cases.csv", content_type)},
            content_type="multipart/form-data",
        )
    return kit.client.post(
        "/api/subsidy/claims/imports",
        headers={**kit.finance(user), "Content-Type": content_type},
        data=content,
    )


def test_a_csv_of_cases_becomes_priced_pending_claims_announced_and_audited(ready: Kit) -> None:
    response = _post(ready, CSV.encode("utf-8"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["created"] == 3
    # 200 x 1.5 (agreement); 100; 1500 x 1.2 (remote) + 200 (Kazakh)
    assert [(c["row"], c["case_no"], c["amount"]) for c in body["claims"]] == [
        (2, "(2026)伊调字第1号", "300.00"),
        (3, "(2026)伊调字第2号", "100.00"),
        (4, "(2026)伊援字第1号", "2000.00"),
    ]
    claim = ready.client.get(f"/api/subsidy/claims/{body['claims'][2]['id']}", headers=ready.finance()).json
    assert claim["documents"] == ["委托书", "结案报告"]
    assert claim["submitted_by"] == "finance-wang"
    assert claim["attributes"] == {
        "case_type": "civil",
        "stage": "first_instance",
        "remote_area": True,
        "language": "kk",
    }
    single = ready.claim("L2", attributes={"difficulty": "simple", "agreement": False})
    imported = ready.client.get(
        f"/api/subsidy/claims/{body['claims'][1]['id']}", headers=ready.finance()
    ).json
    assert imported["breakdown"] == single["breakdown"]
    assert len(ready.events("subsidy.claim.created")) == 4
    records = ready.client.get(
        f"/api/subsidy/audit?entity=claim&entity_id={claim['id']}", headers=ready.finance()
    ).json["items"]
    assert [r["action"] for r in records] == ["claim.created"]
    assert ready.client.get("/api/subsidy/audit/verify", headers=ready.finance()).json["ok"] is True


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_csv_in_utf8_with_a_bom_or_in_gbk_reads_the_same(ready: Kit, encoding: str) -> None:
    response = _post(ready, CSV.encode(encoding), multipart=True)
    assert response.status_code == 201, response.json
    assert [c["case_no"] for c in response.json["claims"]][0] == "(2026)伊调字第1号"


def test_an_xlsx_with_english_headers_and_date_cells_imports(ready: Kit) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["kind", "lawyer_id", "region_code", "case_no", "service_date", "difficulty", "agreement", "序号"]
    )
    sheet.append(["mediation_case", "L1", 654021, "M-1", datetime(2026, 5, 12), "difficult", True, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _post(ready, buffer.getvalue(), content_type="application/vnd.ms-excel", multipart=True)
    assert response.status_code == 201, response.json
    assert response.json["claims"][0]["amount"] == "600.00"
    assert response.json["ignored_columns"] == []


def test_every_bad_row_is_named_and_nothing_is_stored(ready: Kit) -> None:
    ready.claim("L1", case_no="(2026)伊调字第9号")
    before = (ready.count("claims"), ready.count("audit_records"), ready.outbox_size())
    rows = [
        "人民调解,L1,654021,(2026)伊调字第1号,2026-05-12,,一般,是,,,,",  # row 2: fine
        "人民调解,L9,654021,(2026)伊调字第3号,2026-05-12,,一般,是,,,,",  # row 3: unknown lawyer
        "人民调解,L1,654021,(2026)伊调字第1号,2026-05-12,,一般,是,,,,",  # row 4: twice in the file
        "人民调解,L1,654021,(2026)伊调字第9号,2026-05-12,,一般,是,,,,",  # row 5: already claimed
        "人民调解,L1,65402,(2026)伊调字第5号,2026-13-40,,巨大,也许,,,,",  # row 6: four bad cells
        "法律援助,L1,654021,(2026)伊援字第5号,2026-05-12,,,,family,appeal,,",  # row 7: no rate prices it
    ]
    response = _post(
        ready, ("\n".join([HEADER, *rows]) + "\n").encode("gbk"), content_type="text/csv; charset=gbk"
    )
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert list(errors) == ["row 3", "row 4", "row 5", "row 6", "row 7"]
    assert errors["row 3"] == ["lawyer_id: no lawyer L9 in the lawyer directory"]
    assert "twice" in errors["row 4"][0]
    assert "already exists" in errors["row 5"][0]
    assert sorted(m.split(":")[0] for m in errors["row 6"]) == [
        "agreement",
        "difficulty",
        "region_code",
        "service_date",
    ]
    assert errors["row 7"][0].startswith("attributes: no legal_aid_case rate")
    assert (ready.count("claims"), ready.count("audit_records"), ready.outbox_size()) == before


def test_a_header_without_a_required_column_is_row_1(ready: Kit) -> None:
    response = _post(ready, "案件类型,律师编号,案号\n人民调解,L1,X-1\n".encode())
    assert response.status_code == 422
    assert response.json["errors"]["row 1"] == [
        "missing the column 行政区划代码 (region_code)",
        "missing the column 服务日期 (service_date)",
    ]


def test_a_gbk_file_declared_utf8_is_refused_naming_why(ready: Kit) -> None:
    response = _post(ready, CSV.encode("gbk"), content_type="text/csv; charset=utf-8")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "declared UTF-8" in response.json["errors"]["file"][0]
    assert ready.count("claims") == 0


def test_ten_megabytes_of_garbage_is_too_large_and_a_smaller_heap_is_no_spreadsheet(ready: Kit) -> None:
    huge = _post(ready, os.urandom(10 * 1024 * 1024), content_type="application/octet-stream")
    assert huge.status_code == 413
    assert huge.headers["Content-Type"] == "application/problem+json"
    small = _post(ready, os.urandom(512 * 1024), content_type="application/octet-stream", multipart=True)
    assert small.status_code == 422
    assert small.json["errors"]["file"]
    assert _post(ready, b"\x00" * 1000).status_code == 422
    assert (
        ready.client.post("/api/subsidy/claims/imports", headers=ready.finance(), json={"a": 1}).status_code
        == 415
    )


def test_only_finance_imports_and_the_template_lists_every_column(ready: Kit) -> None:
    assert _post(ready, CSV.encode()).status_code == 201
    lawyer = ready.client.post(
        "/api/subsidy/claims/imports",
        data=CSV.encode(),
        headers={**ready.lawyer("L1"), "Content-Type": "text/csv"},
    )
    assert lawyer.status_code == 403
    template = ready.client.get("/api/subsidy/claims/imports/template.xlsx", headers=ready.finance())
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:6] == ["案件类型", "律师编号", "行政区划代码", "案号", "服务日期", "材料"]
    # the template's own example rows import (its lawyers exist here)
    response = _post(ready, template.data, content_type="application/octet-stream", multipart=True)
    assert response.status_code == 201, response.json
    assert [c["case_no"] for c in response.json["claims"]] == ["(2026)伊调字第12号", "(2026)伊援字第7号"]


def test_the_answer_written_directly_is_what_the_documented_schema_dumps(sqlite_kit: Kit) -> None:
    from decimal import Decimal

    from services.subsidy.api.imports import _answer
    from services.subsidy.api.schemas import ImportOut

    result = {
        "created": 3,
        "total": Decimal("301.5"),
        "ignored_columns": ["备注 x"],
        "claims": [
            {
                "row": 2,
                "id": "c-1",
                "case_no": "(2026)伊调字第1号",
                "lawyer_id": "L1",
                "amount": Decimal("300"),
            },
            {"row": 3, "id": "c-2", "case_no": "A-2", "lawyer_id": "L2", "amount": Decimal("1.5")},
            {"row": 5, "id": "c-3", "case_no": "A-3", "lawyer_id": "L1", "amount": Decimal("0.00")},
        ],
    }
    with sqlite_kit.app.app_context():
        answer = _answer(result)
        expected = sqlite_kit.app.json.response(ImportOut().dump(result))
    assert answer.status_code == 201
    assert answer.get_data() == expected.get_data()  # the same bytes: fields, order, money spelled "300.00"
