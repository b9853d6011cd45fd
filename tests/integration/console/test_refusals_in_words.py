"""What the API refuses, the console says in the user's language (apiwords): a refused action's flash and
the error page, on the fake API with the services' real refusal texts."""

from __future__ import annotations

import re

from services.console.gatewayapi import ApiError

from .conftest import ConsoleKit

PENDING = {
    "id": "c-1",
    "kind": "mediation_case",
    "lawyer_id": "lw-1",
    "lawyer_name": "王芳",
    "region_code": "654002",
    "case_no": "M-1",
    "service_date": "2026-12-01",
    "amount": "1200.00",
    "status": "pending",
    "submitted_by": "u-other",
}
MAKER_CHECKER = "claim c-1 was submitted by fin; another finance officer must review it"
OVERSPEND = (
    "approving 1200.00 would overspend the 2026 mediation_case budget of 654002: 300.50 remaining of 50000.00"
)


def approve_refused(console: ConsoleKit, refusal: ApiError, lang: str = "zh") -> str:
    """Finance approves claim c-1, the API refuses; the page the console goes back to."""
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims")] = {"items": [PENDING], "total": 1}
    console.api.answers[("POST", "/api/subsidy/claims/c-1/approve")] = refusal
    page = console.client.get(f"/finance/claims?lang={lang}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    sent = console.client.post("/finance/claims/c-1/approve", data={"csrf_token": token.group(1)})
    assert sent.status_code == 302
    assert len(console.api.made("POST", "/api/subsidy/claims/c-1/approve")) == 1
    return console.client.get(sent.headers["Location"]).get_data(as_text=True)


def test_approving_a_claim_the_api_refuses_as_your_own_flashes_the_reason_in_chinese(
    console: ConsoleKit,
) -> None:
    html = approve_refused(console, ApiError(403, "Forbidden", MAKER_CHECKER))
    assert "补贴申请 c-1 是 fin 提交的，须由另一位财务人员审核。" in html
    assert "another finance officer" not in html


def test_an_overspend_names_the_money_as_the_page_writes_it(console: ConsoleKit) -> None:
    html = approve_refused(console, ApiError(409, "Conflict", OVERSPEND))
    assert "批准 ¥1,200.00 将超出 654002 2026 年人民调解个案预算：预算 ¥50,000.00，剩余 ¥300.50。" in html


def test_in_english_the_refusal_stays_english(console: ConsoleKit) -> None:
    html = approve_refused(console, ApiError(403, "Forbidden", MAKER_CHECKER), lang="en")
    assert "Claim c-1 was submitted by fin; another finance officer must review it." in html


def test_a_refusal_no_pattern_knows_keeps_the_apis_words_after_the_title(console: ConsoleKit) -> None:
    html = approve_refused(console, ApiError(409, "Conflict", "the ledger is closed for the night"))
    assert "无法执行：the ledger is closed for the night" in html


def test_the_error_page_says_what_was_not_found_in_chinese(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims/c-9")] = ApiError(404, "Not found", "no claim c-9")
    response = console.client.get("/finance/claims/c-9")
    assert response.status_code == 404
    assert "找不到补贴申请 c-9。" in response.get_data(as_text=True)


def test_a_lawyer_checking_in_on_the_wrong_day_reads_the_day_in_chinese(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    console.api.answers[("POST", "/api/roster/assignments/d-1/check-in")] = ApiError(
        409, "Conflict", "this duty is on 2026-12-01; check in on that day (today is 2026-11-30)"
    )
    sent = console.client.post("/me/duties/d-1/check-in", data={"csrf_token": console.csrf()})
    assert sent.status_code == 302
    assert len(console.api.made("POST", "/api/roster/assignments/d-1/check-in")) == 1
    with console.client.session_transaction() as session:
        flashed = session.get("_flashes", [])
    assert ["error", "此班次在 2026年12月1日 周二，请当天签到（今天是 2026年11月30日 周一）。"] in flashed
