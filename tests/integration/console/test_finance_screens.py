"""Finance's screens on a fake API: the queue sorted and banded by the API over the whole list, grading and
documents on a claim (and grading from the queue), claim imports from a spreadsheet, and the preview of a
draft standard."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape

from services.console.gatewayapi import ApiError, Download, Upload

from .conftest import USERS, ConsoleKit

SCHEME = {
    "id": "s-1",
    "kind": "legal_aid_case",
    "name": "伊犁州法律援助案件补贴",
    "region_code": "654000",
    "effective_from": "2026-01-01",
    "effective_to": None,
    "rates": [{"when": {"case_type": "civil"}, "amount": "1500.00"}],
    "adjustments": [{"when": {"grade": "fail"}, "multiply": "0"}],
    "monthly_cap_per_lawyer": None,
    "max_amount": "3000.00",
    "document_no": "伊州司发〔2025〕12号",
    "required_documents": ["结案报告", "受援人身份证明"],
    "requires_grade": True,
    "created_by": "u-fin",
    "created_at": "2026-01-01T00:00:00Z",
    "claims": 12,
}


def a_claim(claim_id: str = "c-1", **overrides: Any) -> dict[str, Any]:
    return {
        "id": claim_id,
        "kind": "legal_aid_case",
        "case_no": f"L-{claim_id}",
        "lawyer_id": "lw-1",
        "lawyer_name": "王芳",
        "region_code": "654002",
        "service_date": "2026-11-03",
        "attributes": {"case_type": "civil"},
        "amount": "1500.00",
        "breakdown": [{"step": "rate case_type=civil", "amount": "1500.00"}],
        "scheme_id": "s-1",
        "document_no": "伊州司发〔2025〕12号",
        "status": "pending",
        "submitted_by": "u-other",
        "submitted_at": "2026-11-04T02:00:00Z",
        "reviewed_at": None,
        "reason": None,
        "paid_at": None,
        "documents": ["结案报告"],
        **overrides,
    }


def page_of(*items: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    return {"items": list(items), "total": len(items) if total is None else total}


def queue(console: ConsoleKit, *items: dict[str, Any], total: int | None = None) -> None:
    console.api.answers[("GET", "/api/subsidy/claims")] = page_of(*items, total=total)
    console.api.answers[("GET", "/api/subsidy/schemes")] = page_of(SCHEME)


def hrefs(html: str, text: str) -> list[dict[str, list[str]]]:
    """The query strings of the links whose text starts with `text`."""
    found = re.findall(r'<a href="([^"]+)">' + re.escape(text), html)
    return [parse_qs(urlsplit(h.replace("&amp;", "&")).query) for h in found]


# ---------------------------------------------------------------------------------------------- the queue


def test_the_queue_asks_the_api_to_sort_and_band_the_whole_list_and_shows_its_order(
    console: ConsoleKit,
) -> None:
    console.log_in("finance")
    small, large = a_claim("c-1", amount="300.00"), a_claim("c-2", amount="9000.00")
    queue(console, large, small)  # the API's order: largest first
    html = console.client.get("/finance/claims?sort=amount&dir=desc&band=2000_10000&kind=legal_aid_case")
    text = html.get_data(as_text=True)
    params = console.api.made("GET", "/api/subsidy/claims")[-1].params
    assert params is not None
    assert params["sort"] == "-amount"
    assert (params["amount_min"], params["amount_max"]) == ("2000.00", "9999.99")
    assert params["kind"] == "legal_aid_case"
    assert text.index("¥9,000.00") < text.index("¥300.00"), "the page keeps the API's order"
    assert "排序作用于整个审核列表" in text
    # the default is the API's own: newest service date first
    console.client.get("/finance/claims")
    assert console.api.made("GET", "/api/subsidy/claims")[-1].params["sort"] == "-service_date"  # type: ignore[index]


def test_free_amount_bounds_go_to_the_api_and_what_it_refuses_is_shown_by_field(console: ConsoleKit) -> None:
    console.log_in("finance")
    queue(console, a_claim())
    console.client.get("/finance/claims?amount_min=100&amount_max=250.50")
    params = console.api.made("GET", "/api/subsidy/claims")[-1].params
    assert params is not None
    assert (params["amount_min"], params["amount_max"]) == ("100", "250.50")
    console.api.answers[("GET", "/api/subsidy/claims")] = ApiError(
        422,
        "Unprocessable Entity",
        "invalid fields",
        {"amount_min": ["amount_min must not be above amount_max"]},
    )
    refused = console.client.get("/finance/claims?amount_min=900&amount_max=100")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "amount_min: amount_min must not be above amount_max" in text
    assert 'value="900"' in text, "the filter stays filled in to be corrected"


def test_sort_links_and_the_pager_keep_the_filters(console: ConsoleKit) -> None:
    console.log_in("finance")
    queue(console, a_claim(), total=250)
    text = console.client.get(
        "/finance/claims?status=pending&band=under_500&month=2026-11&sort=amount&dir=asc"
    )
    html = text.get_data(as_text=True)
    (amount_link,) = hrefs(html, "金额")
    assert amount_link["band"] == ["under_500"]
    assert amount_link["month"] == ["2026-11"]
    assert amount_link["sort"] == ["amount"]
    assert amount_link["dir"] == ["desc"], "a second click reverses"
    (date_link,) = hrefs(html, "服务日期")
    assert date_link["sort"] == ["service_date"]
    assert date_link["band"] == ["under_500"]
    (next_page,) = hrefs(html, "下一页")
    assert next_page["offset"] == ["100"]
    assert next_page["sort"] == ["amount"]
    assert next_page["dir"] == ["asc"]
    assert next_page["band"] == ["under_500"]


def test_a_pending_claim_waiting_for_its_grade_is_graded_from_the_queue(console: ConsoleKit) -> None:
    console.log_in("finance")
    graded = a_claim("c-2", attributes={"case_type": "civil", "grade": "good"})
    ungraded_scheme = a_claim("c-3", scheme_id="s-9")
    queue(console, a_claim("c-1"), graded, ungraded_scheme)
    html = console.client.get("/finance/claims").get_data(as_text=True)
    assert html.count('action="/finance/claims/c-1/grade"') == 1
    assert 'action="/finance/claims/c-1/approve"' not in html, "grade first, then approve"
    assert 'action="/finance/claims/c-2/approve"' in html
    assert "良好" in html
    assert 'action="/finance/claims/c-3/approve"' in html, "its scheme asks for no grade"
    console.api.answers[("POST", "/api/subsidy/claims/c-1/grade")] = a_claim(
        "c-1", attributes={"case_type": "civil", "grade": "excellent"}
    )
    refused = console.client.post("/finance/claims/c-1/grade", data={"grade": "excellent"})
    assert refused.status_code == 403
    assert console.api.made("POST", "/api/subsidy/claims/c-1/grade") == []
    token = console.csrf("/finance/claims")
    done = console.client.post(
        "/finance/claims/c-1/grade",
        data={"grade": "excellent", "csrf_token": token, "next": "/finance/claims?band=under_500"},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/finance/claims?band=under_500"
    assert console.api.made("POST", "/api/subsidy/claims/c-1/grade")[-1].body == {
        "grade": "excellent",
        "note": None,
    }


# ---------------------------------------------------------------------------------------------- a claim


def claim_page(console: ConsoleKit, claim: dict[str, Any]) -> str:
    console.api.answers[("GET", f"/api/subsidy/claims/{claim['id']}")] = claim
    console.api.answers[("GET", "/api/subsidy/schemes/s-1")] = SCHEME
    console.api.answers[("GET", "/api/subsidy/audit")] = page_of()
    response = console.client.get(f"/finance/claims/{claim['id']}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_claim_shows_its_missing_documents_and_the_steps_before_approval(console: ConsoleKit) -> None:
    console.log_in("finance")
    html = claim_page(console, a_claim())
    assert '<tr class="missing"><td>受援人身份证明</td>' in html
    assert "<td>结案报告</td><td>是</td><td>是</td>" in html
    assert re.search(r"材料齐全: <span class=\"bad\">缺少 受援人身份证明</span>", html)
    assert "尚未评定等级" in html
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S)
    assert steps is not None
    assert [m for m in re.findall(r'<li class="(done|todo)"', steps.group(1))] == ["todo", "todo", "todo"]
    complete = a_claim(
        documents=["结案报告", "受援人身份证明"], attributes={"case_type": "civil", "grade": "fail"}
    )
    complete["amount"] = "0.00"
    complete["breakdown"] = [
        {"step": "rate case_type=civil", "amount": "1500.00"},
        {"step": "× 0 grade=fail", "amount": "0.00"},
    ]
    html = claim_page(console, complete)
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S)
    assert steps is not None
    assert re.findall(r'<li class="(done|todo)"', steps.group(1)) == ["done", "done", "todo"]
    assert "评定等级: <strong>不合格</strong>" in html
    assert "× 0 grade=fail" in html, "the breakdown priced with the grade"
    assert "¥0.00" in html


def test_finance_grades_a_claim_with_a_note_and_the_submitter_is_shown_why_they_cannot(
    console: ConsoleKit,
) -> None:
    console.log_in("finance")
    html = claim_page(console, a_claim())
    form = re.search(r'<form method="post" action="/finance/claims/c-1/grade".*?</form>', html, re.S)
    assert form is not None
    assert "disabled" not in form.group(0)
    for grade in ("优秀", "良好", "合格", "不合格"):
        assert grade in form.group(0)
    console.api.answers[("POST", "/api/subsidy/claims/c-1/grade")] = a_claim()
    token = console.csrf("/finance/claims/c-1")
    console.client.post(
        "/finance/claims/c-1/grade", data={"grade": "pass", "note": " 卷宗基本齐全 ", "csrf_token": token}
    )
    assert console.api.made("POST", "/api/subsidy/claims/c-1/grade")[-1].body == {
        "grade": "pass",
        "note": "卷宗基本齐全",
    }
    mine = claim_page(console, a_claim("c-5", submitted_by=USERS["finance"]["id"]))
    own_form = re.search(r'<form method="post" action="/finance/claims/c-5/grade".*?</form>', mine, re.S)
    assert own_form is not None
    assert own_form.group(0).count("disabled") == 3  # the grade, the note, the button
    assert "此申请由您本人提交，须由其他财务人员评定等级。" in mine


def test_finance_completes_a_claims_file_which_replaces_its_documents(console: ConsoleKit) -> None:
    console.log_in("finance")
    html = claim_page(console, a_claim(documents=["结案报告", "庭审笔录"]))
    assert '<input type="checkbox" name="document" value="结案报告" checked>' in html
    assert '<input type="checkbox" name="document" value="受援人身份证明">' in html
    assert ">庭审笔录</textarea>" in html
    console.api.answers[("PATCH", "/api/subsidy/claims/c-1")] = a_claim()
    assert (
        console.client.post("/finance/claims/c-1/documents", data={"document": "结案报告"}).status_code == 403
    )
    assert console.api.made("PATCH", "/api/subsidy/claims/c-1") == []
    token = console.csrf("/finance/claims/c-1")
    done = console.client.post(
        "/finance/claims/c-1/documents",
        data={
            "document": ["结案报告", "受援人身份证明"],
            "others": "庭审笔录\r\n\r\n 会见笔录 \n结案报告",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    assert console.api.made("PATCH", "/api/subsidy/claims/c-1")[-1].body == {
        "documents": ["结案报告", "受援人身份证明", "庭审笔录", "会见笔录"]
    }


def test_a_decided_claim_offers_no_grading_or_document_form(console: ConsoleKit) -> None:
    console.log_in("finance")
    html = claim_page(console, a_claim(status="approved"))
    assert 'action="/finance/claims/c-1/grade"' not in html
    assert 'action="/finance/claims/c-1/documents"' not in html
    assert '<tr class="missing">' in html, "what the file lacks is still shown"


# ---------------------------------------------------------------------------------------------- imports


def test_the_imports_page_is_linked_from_the_queue_and_offers_the_template(console: ConsoleKit) -> None:
    console.log_in("finance")
    queue(console)
    assert 'href="/finance/claims/imports"' in console.client.get("/finance/claims").get_data(as_text=True)
    page = console.client.get("/finance/claims/imports").get_data(as_text=True)
    assert 'href="/finance/claims/imports/template.xlsx"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page
    console.api.downloads["/api/subsidy/claims/imports/template.xlsx"] = Download(
        b"PK\x03\x04xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None
    )
    template = console.client.get("/finance/claims/imports/template.xlsx")
    assert template.data == b"PK\x03\x04xlsx"
    assert template.headers["Content-Disposition"] == 'attachment; filename="claims-import-template.xlsx"'


def test_an_import_with_bad_rows_shows_every_row_and_stores_nothing(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("POST", "/api/subsidy/claims/imports")] = ApiError(
        422,
        "Unprocessable Entity",
        "2 rows are wrong; nothing was imported",
        {
            "row 2": ["lawyer_id: unknown lawyer L9"],
            "row 5": ["service_date: not a date", "case_no: missing"],
        },
    )
    token = console.csrf("/finance/claims/imports")
    answer = console.client.post(
        "/finance/claims/imports",
        data={"file": (io.BytesIO("案号\n".encode()), "cases.csv", "text/csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    rows = re.findall(r'<tr class="missing"><td>(第 \d+ 行)</td><td><ul>(.*?)</ul>', html)
    assert [r[0] for r in rows] == ["第 2 行", "第 5 行"]
    assert "<li>服务日期：not a date</li><li>案号：必须填写</li>" in rows[1][1]  # in words where known
    sent = console.api.made("POST", "/api/subsidy/claims/imports")[-1].body
    assert sent == Upload("cases.csv", "案号\n".encode(), "text/csv")


def test_an_import_that_goes_through_says_how_many_and_links_to_the_queue(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("POST", "/api/subsidy/claims/imports")] = {"created": 37, "claims": []}
    token = console.csrf("/finance/claims/imports")
    done = console.client.post(
        "/finance/claims/imports",
        data={"file": (io.BytesIO(b"PK"), "cases.xlsx"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    html = console.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已新建 37 条申请，均待审核。" in html
    assert 'href="/finance/claims?status=pending"' in html


def test_an_import_without_the_pages_token_or_without_a_file_reaches_no_api(console: ConsoleKit) -> None:
    console.log_in("finance")
    refused = console.client.post(
        "/finance/claims/imports",
        data={"file": (io.BytesIO(b"PK"), "cases.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    token = console.csrf("/finance/claims/imports")
    empty = console.client.post("/finance/claims/imports", data={"csrf_token": token})
    assert empty.status_code == 302
    assert console.api.made("POST", "/api/subsidy/claims/imports") == []
    assert "请选择要导入的表格" in console.client.get("/finance/claims/imports").get_data(as_text=True)


def test_other_roles_get_no_import_or_grading(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    assert console.client.get("/finance/claims/imports").status_code == 403


# ---------------------------------------------------------------------------------------------- preview


PREVIEW = {
    "scheme": {**SCHEME, "id": None},
    "claims": 2,
    "priced": 1,
    "unpriced": 1,
    "current_total": "3000.00",
    "draft_total": "1800.00",
    "difference": "-1200.00",
    "items": [
        {
            "claim_id": "c-1",
            "case_no": "L-1",
            "lawyer_id": "lw-1",
            "region_code": "654002",
            "service_date": "2026-05-12",
            "status": "approved",
            "scheme_id": "s-1",
            "current_amount": "1500.00",
            "draft_amount": "1800.00",
            "difference": "300.00",
            "note": None,
        },
        {
            "claim_id": "c-2",
            "case_no": "L-2",
            "lawyer_id": "lw-2",
            "region_code": "654002",
            "service_date": "2026-05-13",
            "status": "pending",
            "scheme_id": "s-1",
            "current_amount": "1500.00",
            "draft_amount": None,
            "difference": None,
            "note": "no rate matches case_type=criminal",
        },
    ],
}


def test_the_preview_form_starts_from_a_scheme_in_force_without_its_record_fields(
    console: ConsoleKit,
) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/schemes")] = page_of(SCHEME)
    html = console.client.get("/finance/schemes").get_data(as_text=True)
    found = re.search(r'<textarea name="draft"[^>]*>(.*?)</textarea>', html, re.S)
    assert found is not None
    draft = json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
    assert draft["rates"] == SCHEME["rates"]
    assert draft["requires_grade"] is True
    assert not {"id", "claims", "created_by", "created_at"} & set(draft)


def test_a_draft_standard_is_previewed_as_a_table_of_what_each_claim_would_get(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/schemes")] = page_of(SCHEME)
    console.api.answers[("POST", "/api/subsidy/schemes/preview")] = PREVIEW
    draft = {**{k: SCHEME[k] for k in ("kind", "name", "region_code", "effective_from")}, "rates": []}
    draft["rates"] = [{"when": {"case_type": "civil"}, "amount": "1800.00"}]
    token = console.csrf("/finance/schemes")
    refused = console.client.post("/finance/schemes/preview", data={"draft": json.dumps(draft)})
    assert refused.status_code == 403
    assert console.api.made("POST", "/api/subsidy/schemes/preview") == []
    answer = console.client.post(
        "/finance/schemes/preview",
        data={
            "draft": json.dumps(draft),
            "service_from": "2026-05-01",
            "service_to": "",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 200
    assert console.api.made("POST", "/api/subsidy/schemes/preview")[-1].body == {
        "scheme": draft,
        "service_from": "2026-05-01",
        "service_to": None,
    }
    html = answer.get_data(as_text=True)
    assert re.search(r"现行金额</dt><dd class=\"money\">¥3,000.00", html)
    assert re.search(r"差额</dt><dd class=\"money\">-¥1,200.00", html)
    assert "¥1,800.00</td>" in html
    assert "¥300.00</td>" in html
    assert "no rate matches case_type=criminal" in html
    assert "1800.00" in html, "the draft stays in the form to be edited again"


def test_a_draft_the_api_refuses_or_that_is_no_json_is_shown_with_the_fields_named(
    console: ConsoleKit,
) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/schemes")] = page_of(SCHEME)
    console.api.answers[("POST", "/api/subsidy/schemes/preview")] = ApiError(
        422,
        "Unprocessable Entity",
        "invalid fields",
        {"scheme.rates.0.amount": ["must be yuan such as 1234.50"], "scheme.kind": ["Must be one of: ..."]},
    )
    token = console.csrf("/finance/schemes")
    answer = console.client.post(
        "/finance/schemes/preview", data={"draft": json.dumps({"kind": "x"}), "csrf_token": token}
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "<td><code>scheme.rates.0.amount</code></td><td>must be yuan such as 1234.50</td>" in html
    assert "<code>scheme.kind</code>" in html
    calls = len(console.api.made("POST", "/api/subsidy/schemes/preview"))
    broken = console.client.post("/finance/schemes/preview", data={"draft": '{"kind": ', "csrf_token": token})
    assert broken.status_code == 422
    assert str(escape("草案不是有效的 JSON")) in broken.get_data(as_text=True)
    assert len(console.api.made("POST", "/api/subsidy/schemes/preview")) == calls


def test_a_spreadsheet_larger_than_a_form_is_taken_and_other_forms_keep_their_limit(
    console: ConsoleKit,
) -> None:
    console.log_in("finance")
    console.api.answers[("POST", "/api/subsidy/claims/imports")] = {"created": 1, "claims": []}
    token = console.csrf("/finance/claims/imports")
    big = b"x" * (3 * 1024 * 1024)
    done = console.client.post(
        "/finance/claims/imports",
        data={"file": (io.BytesIO(big), "cases.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    sent = console.api.made("POST", "/api/subsidy/claims/imports")[-1].body
    assert len(sent.content) == len(big)
    too_big = console.client.post(
        "/finance/claims/c-1/documents",
        data={"others": (io.BytesIO(big), "x.txt"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 413
    assert console.api.made("PATCH", "/api/subsidy/claims/c-1") == []
