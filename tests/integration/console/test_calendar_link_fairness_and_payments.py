"""The screens of the capabilities that came after the console, on a fake API: a lawyer's calendar link (copy,
QR code) and bank account; the scheduler's fairness over months and language names; finance's bank files,
voucher, lawyers' bank accounts and budget warnings. Each with its role's limits and CSRF on its forms."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from services.console.gatewayapi import ApiError, Download
from services.console.views.scheduler import last_twelve_months

from .conftest import ConsoleKit

FEED = "http://127.0.0.1:8000/api/roster/calendar-feeds/s3cr3t-token.ics"
LINK = {"url": FEED, "webcal_url": "webcal://127.0.0.1:8000/api/roster/calendar-feeds/s3cr3t-token.ics"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ACCOUNT = {
    "lawyer_id": "lw-1",
    "account_name": "阿依古丽",
    "account_no": "6222020200112233445",
    "bank_name": "中国工商银行",
    "branch": "伊宁县支行",
    "updated_by": "u-fin",
    "updated_at": "2026-11-30T02:00:00Z",
}
BATCH = {
    "id": "b-1",
    "month": "2026-11",
    "region_code": "654021",
    "status": "open",
    "total": "1051.10",
    "total_in_words": "人民币壹仟零伍拾壹元壹角整",
    "claim_count": 2,
    "created_at": "2026-11-30T02:00:00Z",
    "paid_at": None,
    "lines": [{"lawyer_id": "lw-1", "lawyer_name": "阿依古丽", "claim_count": 2, "total": "1051.10"}],
}
PROFILES = {
    "items": [
        {
            "name": "generic-xlsx",
            "title": "通用 Excel",
            "file_type": "xlsx",
            "encoding": "utf-8",
            "columns": [],
        },
        {
            "name": "icbc-daifa-csv",
            "title": "工商银行代发",
            "file_type": "csv",
            "encoding": "gbk",
            "columns": [],
        },
    ]
}


def a_lawyers_page(console: ConsoleKit) -> None:
    api = console.api.answers
    api[("GET", "/api/roster/me/duties")] = {"total": 0, "items": []}
    api[("GET", "/api/roster/swaps")] = {"total": 0, "items": []}
    api[("GET", "/api/subsidy/claims")] = {"total": 0, "items": []}


def token_of(html: str, action: str) -> str:
    """The CSRF token of the form that posts to `action`."""
    form = re.search(rf'action="{re.escape(action)}".*?name="csrf_token" value="([^"]+)"', html, re.S)
    assert form, f"no form posts to {action}"
    return form.group(1)


def test_a_lawyer_makes_a_calendar_link_sees_it_with_a_copy_button_and_a_qr_code_and_revokes_it(
    console: ConsoleKit,
) -> None:
    console.log_in("lawyer")
    a_lawyers_page(console)
    console.api.answers[("POST", "/api/roster/me/calendar-link")] = LINK
    console.api.answers[("DELETE", "/api/roster/me/calendar-link")] = lambda _b, _q: None
    before = console.client.get("/me").get_data(as_text=True)
    assert "我的日历订阅链接" in before
    assert FEED not in before
    assert console.client.get("/me/calendar-link/qr.svg").status_code == 404  # no link yet, nothing to draw

    made = console.client.post(
        "/me/calendar-link", data={"csrf_token": token_of(before, "/me/calendar-link")}
    )
    assert made.status_code == 302
    assert len(console.api.made("POST", "/api/roster/me/calendar-link")) == 1
    page = console.client.get("/me")
    html = page.get_data(as_text=True)
    assert f'value="{FEED}"' in html
    assert 'data-copy="calendar-url"' in html
    assert "复制" in html
    assert '<img src="/me/calendar-link/qr.svg"' in html
    assert "img-src 'self'" in page.headers["Content-Security-Policy"]
    assert "data:" not in page.headers["Content-Security-Policy"]

    qr = console.client.get("/me/calendar-link/qr.svg")
    assert qr.status_code == 200
    assert qr.content_type == "image/svg+xml"
    svg = ElementTree.fromstring(qr.data)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.find("{http://www.w3.org/2000/svg}path") is not None, "the QR code's modules are drawn"

    revoked = console.client.post(
        "/me/calendar-link/revoke", data={"csrf_token": token_of(html, "/me/calendar-link/revoke")}
    )
    assert revoked.status_code == 302
    assert len(console.api.made("DELETE", "/api/roster/me/calendar-link")) == 1
    after = console.client.get("/me").get_data(as_text=True)
    assert FEED not in after
    assert "日历链接已作废" in after
    assert console.client.get("/me/calendar-link/qr.svg").status_code == 404


def test_making_or_revoking_a_calendar_link_without_the_pages_token_is_refused_and_reaches_no_api(
    console: ConsoleKit,
) -> None:
    console.log_in("lawyer")
    console.api.answers[("POST", "/api/roster/me/calendar-link")] = LINK
    assert console.client.post("/me/calendar-link").status_code == 403
    assert console.client.post("/me/calendar-link/revoke", data={"csrf_token": "forged"}).status_code == 403
    assert console.api.made("POST", "/api/roster/me/calendar-link") == []
    assert console.api.made("DELETE", "/api/roster/me/calendar-link") == []


def test_a_lawyer_sees_their_bank_account_masked_and_sets_it(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    a_lawyers_page(console)
    console.api.answers[("GET", "/api/subsidy/lawyers/lw-1/bank-account")] = {
        **ACCOUNT,
        "account_no": "****3445",
    }
    console.api.answers[("PUT", "/api/subsidy/lawyers/lw-1/bank-account")] = lambda body, _q: {**body}
    html = console.client.get("/me").get_data(as_text=True)
    assert "****3445" in html
    assert ACCOUNT["account_no"] not in html
    assert "中国工商银行" in html
    assert "伊宁县支行" in html

    assert console.client.post("/me/bank-account", data={"account_no": "6222"}).status_code == 403
    assert console.api.made("PUT", "/api/subsidy/lawyers/lw-1/bank-account") == []
    saved = console.client.post(
        "/me/bank-account",
        data={
            "csrf_token": token_of(html, "/me/bank-account"),
            "account_name": "阿依古丽",
            "account_no": "6222020200998877",
            "bank_name": "中国农业银行",
            "branch": "",
        },
    )
    assert saved.status_code == 302
    assert [c.body for c in console.api.made("PUT", "/api/subsidy/lawyers/lw-1/bank-account")] == [
        {"account_name": "阿依古丽", "account_no": "6222020200998877", "bank_name": "中国农业银行"}
    ]
    assert "银行账户已保存" in console.client.get("/me").get_data(as_text=True)


def test_an_account_the_api_refuses_shows_its_reason_on_the_lawyers_page(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    a_lawyers_page(console)
    refusal = "must be 10 to 30 digits, nothing else (no letters, spaces or dashes)"
    console.api.answers[("PUT", "/api/subsidy/lawyers/lw-1/bank-account")] = ApiError(
        422, "Invalid fields", f"account_no: {refusal}", {"account_no": [refusal]}
    )
    html = console.client.get("/me").get_data(as_text=True)
    console.client.post(
        "/me/bank-account",
        data={
            "csrf_token": token_of(html, "/me/bank-account"),
            "account_name": "x",
            "account_no": "12",
            "bank_name": "y",
        },
    )
    assert "账号：须为 10 至 30 位数字，不含字母、空格或横线" in console.client.get("/me").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["scheduler", "finance"])
def test_other_roles_get_no_calendar_link_or_lawyer_bank_account_page(console: ConsoleKit, role: str) -> None:
    console.log_in(role)
    assert console.client.get("/me/calendar-link/qr.svg").status_code == 403
    token = console.csrf("/login")
    assert console.client.post("/me/calendar-link", data={"csrf_token": token}).status_code == 403
    assert console.client.post("/me/bank-account", data={"csrf_token": token}).status_code == 403
    assert console.api.made("POST", "/api/roster/me/calendar-link") == []


def test_the_fairness_view_defaults_to_the_last_twelve_months() -> None:
    assert last_twelve_months(date(2026, 11, 30)) == ("2025-12", "2026-11")
    assert last_twelve_months(date(2026, 12, 1)) == ("2026-01", "2026-12")
    assert last_twelve_months(date(2027, 1, 5)) == ("2026-02", "2027-01")


def test_the_scheduler_reads_the_burden_ledger_as_bars_with_its_balance(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    start, end = last_twelve_months(date.today())
    empty = console.client.get("/scheduler/fairness").get_data(as_text=True)
    assert f'name="from" value="{start}"' in empty
    assert f'name="to" value="{end}"' in empty
    assert console.api.made("GET", "/api/roster/fairness") == []  # no region yet: the form only
    console.api.answers[("GET", "/api/roster/fairness")] = {
        "total": 2,
        "balance": 0.75,
        "from": "2026-01",
        "to": "2026-06",
        "items": [
            {
                "lawyer_id": "lw-1",
                "name": "阿依古丽",
                "region_code": "654021",
                "duties": 12,
                "weekend_holiday_duties": 5,
                "burden": 19.5,
                "availability": 1.0,
                "scaled_burden": 19.5,
            },
            {
                "lawyer_id": "lw-2",
                "name": "王芳",
                "region_code": "654021",
                "duties": 3,
                "weekend_holiday_duties": 0,
                "burden": 3.0,
                "availability": 0.5,
                "scaled_burden": 6.0,
            },
        ],
    }
    html = console.client.get("/scheduler/fairness?region_code=654021&from=2026-01&to=2026-06").get_data(
        as_text=True
    )
    asked = console.api.made("GET", "/api/roster/fairness")[-1].params or {}
    assert (asked["region_code"], asked["from"], asked["to"]) == ("654021", "2026-01", "2026-06")
    assert 'value="0.75"' in html
    assert "均衡度" in html
    assert "2026年1月 – 2026年6月" in html
    assert '<meter min="0" max="19.5" value="19.5"' in html
    assert '<meter min="0" max="19.5" value="6.0"' in html
    assert "50%" in html  # 王芳 was on leave half the time


def test_a_range_the_api_refuses_is_shown_with_its_reason(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    console.api.answers[("GET", "/api/roster/fairness")] = ApiError(
        422,
        "Invalid fields",
        "to: the range covers 78 months, at most 24",
        {"to": ["the range covers 78 months, at most 24"]},
    )
    response = console.client.get("/scheduler/fairness?region_code=654000&from=2020-01&to=2026-06")
    assert response.status_code == 200
    assert "截止月份：范围为 78 个月，最多 24 个月" in response.get_data(as_text=True)
    bad = console.client.get("/scheduler/fairness?region_code=654000&from=2026-13&to=2026-06")
    assert "YYYY-MM" in bad.get_data(as_text=True)
    assert len(console.api.made("GET", "/api/roster/fairness")) == 1


@pytest.mark.parametrize("role", ["finance", "lawyer"])
def test_only_schedulers_read_the_fairness_view(console: ConsoleKit, role: str) -> None:
    console.log_in(role)
    assert console.client.get("/scheduler/fairness?region_code=654021").status_code == 403
    assert console.api.made("GET", "/api/roster/fairness") == []


def test_the_lawyer_list_names_languages_in_the_pages_language(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    console.api.answers[("GET", "/api/roster/lawyers")] = {
        "total": 1,
        "items": [
            {
                "id": "lw-1",
                "name": "阿依古丽",
                "license_no": "1",
                "status": "practising",
                "region_code": "654021",
                "languages": ["ug", "sjo"],
                "max_duties_per_month": 8,
            }
        ],
    }
    console.api.answers[("GET", "/api/roster/languages")] = [
        {"code": "ug", "name_en": "Uyghur", "name_zh": "维吾尔语", "lawyers": 1, "patterns": 0},
        {"code": "sjo", "name_en": "Xibe", "name_zh": "锡伯语", "lawyers": 1, "patterns": 0},
    ]
    assert '维吾尔语</abbr>、<abbr title="sjo">锡伯语' in console.client.get("/scheduler/lawyers").get_data(
        as_text=True
    )
    assert 'Uyghur</abbr>, <abbr title="sjo">Xibe' in console.client.get(
        "/scheduler/lawyers?lang=en"
    ).get_data(as_text=True)


def a_batch(console: ConsoleKit) -> None:
    console.api.answers[("GET", "/api/subsidy/payment-batches/b-1")] = BATCH
    console.api.answers[("GET", "/api/subsidy/profiles")] = PROFILES


def test_a_batch_offers_a_bank_file_per_profile_the_voucher_and_the_total_in_words(
    console: ConsoleKit,
) -> None:
    console.log_in("finance")
    a_batch(console)
    html = console.client.get("/finance/batches/b-1").get_data(as_text=True)
    assert "¥1,051.10" in html
    assert "人民币壹仟零伍拾壹元壹角整" in html
    assert 'href="/finance/batches/b-1/bank-file?profile=generic-xlsx"' in html
    assert "工商银行代发" in html
    assert 'href="/finance/batches/b-1/voucher"' in html
    assert 'href="/finance/lawyers/lw-1/bank-account?' in html  # the lawyer's account, one click away

    console.api.downloads["/api/subsidy/payment-batches/b-1/bank-file"] = Download(
        "户名,账号\n".encode("gbk"), "text/csv; charset=gbk", 'attachment; filename="b-1-icbc.csv"'
    )
    file = console.client.get("/finance/batches/b-1/bank-file?profile=icbc-daifa-csv")
    assert file.status_code == 200
    assert file.data == "户名,账号\n".encode("gbk")
    assert file.headers["Content-Disposition"] == 'attachment; filename="b-1-icbc.csv"'
    assert console.api.made("GET", "/api/subsidy/payment-batches/b-1/bank-file")[-1].params == {
        "profile": "icbc-daifa-csv"
    }


def test_the_voucher_is_passed_on_under_the_apis_own_policy(console: ConsoleKit) -> None:
    console.log_in("finance")
    policy = "default-src 'none'; style-src 'sha256-abc'; base-uri 'none'; form-action 'none'"
    console.api.downloads["/api/subsidy/payment-batches/b-1/voucher"] = Download(
        "<!doctype html><title>付款凭证</title>".encode(), "text/html; charset=utf-8", None, policy
    )
    voucher = console.client.get("/finance/batches/b-1/voucher")
    assert voucher.status_code == 200
    assert "付款凭证" in voucher.get_data(as_text=True)
    assert voucher.headers["Content-Security-Policy"] == policy


@pytest.mark.parametrize("role", ["scheduler", "lawyer"])
def test_only_finance_downloads_bank_files_and_vouchers(console: ConsoleKit, role: str) -> None:
    console.log_in(role)
    for path in (
        "/finance/batches/b-1/bank-file?profile=generic-xlsx",
        "/finance/batches/b-1/voucher",
        "/finance/lawyers/lw-1/bank-account",
    ):
        assert console.client.get(path).status_code == 403, path
    assert console.api.made("GET", "/api/subsidy/payment-batches/b-1/bank-file") == []


def test_finance_sees_a_lawyers_whole_account_number_and_corrects_it(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/lawyers/lw-1/bank-account")] = ACCOUNT
    console.api.answers[("PUT", "/api/subsidy/lawyers/lw-1/bank-account")] = lambda body, _q: {**body}
    html = console.client.get(
        "/finance/lawyers/lw-1/bank-account?name=阿依古丽&next=/finance/batches/b-1"
    ).get_data(as_text=True)
    assert "6222020200112233445" in html
    assert "阿依古丽" in html
    action = "/finance/lawyers/lw-1/bank-account"
    assert console.client.post(action, data={"account_no": "1"}).status_code == 403
    assert console.api.made("PUT", "/api/subsidy/lawyers/lw-1/bank-account") == []
    saved = console.client.post(
        action,
        data={
            "csrf_token": token_of(html, action),
            "name": "阿依古丽",
            "next": "/finance/batches/b-1",
            "account_name": "阿依古丽",
            "account_no": "6222020200112233446",
            "bank_name": "中国工商银行",
            "branch": "伊宁县支行",
        },
    )
    assert saved.status_code == 302
    assert "/finance/lawyers/lw-1/bank-account" in saved.headers["Location"]
    assert (
        console.api.made("PUT", "/api/subsidy/lawyers/lw-1/bank-account")[0].body["account_no"]
        == "6222020200112233446"
    )


def test_with_no_budget_warning_the_budgets_page_says_so(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/budgets")] = {"total": 0, "items": []}
    console.api.answers[("GET", "/api/me/notifications")] = {"total": 0, "unread": 0, "items": []}
    page = console.client.get("/finance/budgets")
    assert page.status_code == 200
    assert "尚无预算使用达到 80%。" in page.get_data(as_text=True)
    assert "No budget has reached 80 % yet." in console.client.get("/finance/budgets?lang=en").get_data(
        as_text=True
    )


def test_finance_reads_budget_warnings_in_chinese_and_marks_them_read(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/budgets")] = {"total": 0, "items": []}
    console.api.answers[("GET", "/api/me/notifications")] = {
        "total": 1,
        "unread": 1,
        "items": [
            {
                "id": 7,
                "kind": "budget_threshold_reached",
                "read": False,
                "created_at": "2026-12-01T02:00:00Z",
                "message": "The 2026 mediation case budget of 654021 is 80 % committed: 80000.00 of 100000.00 yuan.",
                "data": {
                    "region_code": "654021",
                    "year": 2026,
                    "kind": "mediation_case",
                    "threshold": 80,
                    "committed": "80000.00",
                    "amount": "100000.00",
                },
            },
        ],
    }
    console.api.answers[("POST", "/api/me/notifications/7/read")] = {"id": 7, "read": True}
    html = console.client.get("/finance/budgets").get_data(as_text=True)
    assert "654021 2026 年人民调解个案预算已使用 80%：¥100,000.00 中已承诺 ¥80,000.00。" in html
    assert "2026年12月1日 周二 10:00" in html
    assert "1 条未读" in html
    assert console.client.post("/finance/notifications/7/read").status_code == 403
    assert console.api.made("POST", "/api/me/notifications/7/read") == []
    done = console.client.post(
        "/finance/notifications/7/read", data={"csrf_token": token_of(html, "/finance/notifications/7/read")}
    )
    assert done.status_code == 302
    assert len(console.api.made("POST", "/api/me/notifications/7/read")) == 1
