"""The console's promises (docs/api.md "The console") on a fake API: language, security headers, sessions,
CSRF, and a role's limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import request, url_for
from markupsafe import escape

from services.console.gatewayapi import ApiError

from .conftest import USERS, ConsoleKit

PENDING = {
    "id": "c-1",
    "kind": "mediation_case",
    "lawyer_id": "lw-1",
    "lawyer_name": "王芳",
    "region_code": "654002",
    "case_no": "M-1",
    "service_date": "2026-12-01",
    "amount": "1051.10",
    "status": "pending",
    "submitted_by": "u-other",
}


def claims_answer(*items: dict) -> dict:
    return {"items": list(items), "total": len(items)}


def test_pages_are_chinese_by_default(console: ConsoleKit) -> None:
    html = console.client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html
    assert "用户名" in html


def test_lang_en_switches_to_english_and_is_remembered(console: ConsoleKit) -> None:
    html = console.client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Username" in html
    again = console.client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in again
    back = console.client.get("/login?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-CN">' in back


def test_an_accept_language_preferring_english_switches_and_one_preferring_chinese_does_not(
    console: ConsoleKit,
) -> None:
    english = console.client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    chinese = console.client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in chinese.get_data(as_text=True)


def test_every_page_allows_no_other_origin_and_no_inline_script(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims")] = claims_answer(PENDING)
    for path in ("/login", "/finance/claims", "/no-such-page"):
        response = console.client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy, path
        assert "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
        assert "http" not in policy, path
        assert "*" not in policy, path
        assert "frame-ancestors 'none'" in policy, path
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"{path} has an inline script"
        assert " style=" not in html, f"{path} has an inline style"
        assert "http://" not in html, f"{path} names another host"
        assert "https://" not in html, f"{path} names another host"


def test_logging_in_calls_the_api_and_keeps_the_token_in_an_httponly_lax_cookie(console: ConsoleKit) -> None:
    response = console.log_in("finance")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/finance/claims")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "token-finance" not in cookie, "the token must not be readable in the cookie"
    login = console.api.made("POST", "/api/auth/token")[0]
    assert login.body == {"username": "fin", "password": "pw"}
    console.api.answers[("GET", "/api/subsidy/claims")] = claims_answer(PENDING)
    assert console.client.get("/finance/claims").status_code == 200
    assert console.api.made("GET", "/api/subsidy/claims")[-1].token == "token-finance"


def test_a_wrong_password_shows_the_form_again_with_a_message(console: ConsoleKit) -> None:
    console.api.answers[("POST", "/api/auth/token")] = ApiError(
        401, "Unauthorized", "wrong username or password"
    )
    response = console.client.post(
        "/login", data={"username": "x", "password": "y", "csrf_token": console.csrf()}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_the_apis_login_throttling_shows_its_wait(console: ConsoleKit) -> None:
    console.api.answers[("POST", "/api/auth/token")] = ApiError(
        429, "Too Many Requests", "too many", {}, "42"
    )
    response = console.client.post(
        "/login", data={"username": "x", "password": "y", "csrf_token": console.csrf()}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "42"
    assert "42 秒后再试" in response.get_data(as_text=True)


def test_the_console_passes_the_browsers_address_vouched_for_to_the_login(console: ConsoleKit) -> None:
    console.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    console.log_in("finance")
    header = console.api.made("POST", "/api/auth/token")[0].headers or {}
    assert header["X-Legalduty-Client"].startswith("198.51.100.7 ")


def test_logging_out_ends_the_session(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims")] = claims_answer()
    token = console.csrf("/finance/claims")
    response = console.client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    after = console.client.get("/finance/claims")
    assert after.status_code == 302
    assert "/login" in after.headers["Location"]


def test_a_post_without_the_pages_csrf_token_is_refused_and_changes_nothing(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("POST", "/api/subsidy/claims/c-1/approve")] = {**PENDING, "status": "approved"}
    refused = console.client.post("/finance/claims/c-1/approve")
    assert refused.status_code == 403
    assert console.api.made("POST", "/api/subsidy/claims/c-1/approve") == []
    forged = console.client.post("/finance/claims/c-1/approve", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert console.api.made("POST", "/api/subsidy/claims/c-1/approve") == []
    # positive control: with the page's token the same request reaches the API
    console.api.answers[("GET", "/api/subsidy/claims")] = claims_answer(PENDING)
    token = console.csrf("/finance/claims")
    allowed = console.client.post("/finance/claims/c-1/approve", data={"csrf_token": token})
    assert allowed.status_code == 302
    assert len(console.api.made("POST", "/api/subsidy/claims/c-1/approve")) == 1


def test_logging_in_itself_needs_the_csrf_token(console: ConsoleKit) -> None:
    response = console.client.post("/login", data={"username": "fin", "password": "pw"})
    assert response.status_code == 403
    assert console.api.made("POST", "/api/auth/token") == []


def test_finance_cannot_approve_a_claim_they_submitted_and_sees_why(console: ConsoleKit) -> None:
    console.log_in("finance")
    mine = {**PENDING, "id": "c-2", "submitted_by": USERS["finance"]["id"]}
    console.api.answers[("GET", "/api/subsidy/claims")] = claims_answer(PENDING, mine)
    html = console.client.get("/finance/claims").get_data(as_text=True)
    assert html.count('action="/finance/claims/c-1/approve"') == 1
    assert 'action="/finance/claims/c-2/approve"' not in html
    assert re.search(r'<button type="button" disabled title="此申请由您本人提交', html)


def test_a_lawyer_gets_no_finance_or_scheduler_pages(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    for path in ("/finance/claims", "/finance/batches", "/scheduler/rosters", "/scheduler/lawyers"):
        assert console.client.get(path).status_code == 403, path
    assert console.api.made("GET", "/api/subsidy/claims") == []


def test_the_home_page_sends_each_role_to_its_work(console: ConsoleKit) -> None:
    assert console.client.get("/").headers["Location"].endswith("/login")
    console.log_in("scheduler")
    assert console.client.get("/").headers["Location"].endswith("/scheduler/rosters")


def test_what_the_api_refuses_the_console_shows_as_refused(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims/c-9")] = ApiError(404, "Not Found", "no such claim")
    assert console.client.get("/finance/claims/c-9").status_code == 404
    console.api.answers[("GET", "/api/subsidy/claims")] = ApiError(401, "Unauthorized", "token expired")
    expired = console.client.get("/finance/claims")
    assert expired.status_code == 302
    assert "/login" in expired.headers["Location"]


def test_an_idle_session_expires(
    make_console: Callable[..., ConsoleKit], monkeypatch: pytest.MonkeyPatch
) -> None:
    console = make_console(idle=timedelta(minutes=30))
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims")] = claims_answer()
    assert console.client.get("/finance/claims").status_code == 200
    import cryptography.fernet as fernet

    later = fernet.time.time() + 31 * 60
    monkeypatch.setattr(fernet.time, "time", lambda: later)
    response = console.client.get("/finance/claims")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_tampered_session_cookie_is_no_session(console: ConsoleKit) -> None:
    console.log_in("finance")
    cookie = console.client.get_cookie("legalduty_console")
    assert cookie is not None
    console.client.set_cookie("legalduty_console", cookie.value[:-4] + "AAAA")
    response = console.client.get("/finance/claims")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_rosters_grid_marks_open_slots_in_red_with_their_reason(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    roster = {
        "id": "r-1",
        "region_code": "654000",
        "period_start": "2026-10-01",
        "period_end": "2026-10-07",
        "status": "generated",
        "progress": 1.0,
        "warnings": [],
        "stats": {
            "slots": 3,
            "filled": 2,
            "unfilled": [
                {
                    "station_id": "s-2",
                    "date": "2026-10-02",
                    "start_time": "09:00",
                    "reason": "没有会说哈萨克语的律师",
                }
            ],
        },
    }
    api = console.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster
    api[("GET", "/api/roster/rosters/r-1/assignments")] = {
        "total": 1,
        "items": [
            {
                "id": "a-1",
                "roster_id": "r-1",
                "station_id": "s-1",
                "date": "2026-10-01",
                "start_time": "09:00",
                "end_time": "17:00",
                "lawyer_id": "lw-1",
                "role": "lawyer",
                "status": "scheduled",
            }
        ],
    }
    api[("GET", "/api/roster/stations")] = {
        "total": 3,
        "items": [
            {"id": "s-1", "name": "伊宁县公共法律服务中心", "level": "county", "region_code": "654021"},
            {"id": "s-2", "name": "霍城县公共法律服务中心", "level": "county", "region_code": "654023"},
            {"id": "s-9", "name": "elsewhere", "level": "county", "region_code": "653101"},
        ],
    }
    api[("GET", "/api/roster/lawyers")] = {
        "total": 1,
        "items": [{"id": "lw-1", "name": "阿依古丽", "region_code": "654021"}],
    }
    api[("GET", "/api/roster/calendar/2026")] = {
        "year": 2026,
        "holidays": ["2026-10-01", "2026-10-02"],
        "workdays": ["2026-09-27", "2026-10-10"],
    }
    html = console.client.get("/scheduler/rosters/r-1").get_data(as_text=True)
    assert "伊宁县公共法律服务中心" in html
    assert "霍城县公共法律服务中心" in html
    assert "elsewhere" not in html
    assert re.search(r'<td class="holiday unfilled" title="09:00 没有会说哈萨克语的律师">', html)
    assert "阿依古丽" in html
    assert 'title="2026年10月1日 周四 · 法定节假日"' in html
    only_one = console.client.get("/scheduler/rosters/r-1?region=654021").get_data(as_text=True)
    assert "霍城县公共法律服务中心" not in only_one
    assert "伊宁县公共法律服务中心" in only_one


def test_a_duty_in_the_grid_links_to_the_address_url_for_gives_with_the_way_back(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    api = console.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = {
        "id": "r-1",
        "region_code": "654000",
        "period_start": "2026-10-01",
        "period_end": "2026-10-02",
        "status": "published",
        "warnings": [],
    }
    odd = {
        "id": "a 1/é?&#",
        "roster_id": "r-1",
        "station_id": "s 1&x",
        "date": "2026-10-01",
        "start_time": "09:00",
        "end_time": "17:00",
        "lawyer_id": "lw-1",
        "role": "lawyer",
        "status": "scheduled",
    }
    api[("GET", "/api/roster/rosters/r-1/assignments")] = {"total": 1, "items": [odd]}
    api[("GET", "/api/roster/stations")] = {
        "total": 1,
        "items": [
            {"id": "s 1&x", "name": "伊宁县公共法律服务中心", "level": "county", "region_code": "654021"}
        ],
    }
    api[("GET", "/api/roster/lawyers")] = {
        "total": 1,
        "items": [{"id": "lw-1", "name": "阿依古丽", "region_code": "654021"}],
    }
    api[("GET", "/api/roster/calendar/2026")] = {"year": 2026, "holidays": [], "workdays": []}
    path = "/scheduler/rosters/r-1?region=654021&level=county&lang=zh"
    html = console.client.get(path).get_data(as_text=True)
    with console.app.test_request_context(path):
        expected = url_for(
            "scheduler.assignment",
            roster_id="r-1",
            assignment_id=odd["id"],
            station=odd["station_id"],
            date=odd["date"],
            next=request.full_path,
        )
    assert re.findall(r'<a class="duty lawyer" href="([^"]+)"', html) == [str(escape(expected))]


def test_a_duty_is_reassigned_from_the_grid_in_two_clicks(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    api = console.api.answers
    duty = {
        "id": "a-1",
        "roster_id": "r-1",
        "station_id": "s-1",
        "date": "2026-10-08",
        "start_time": "09:00",
        "end_time": "17:00",
        "lawyer_id": "lw-1",
        "role": "lawyer",
        "status": "scheduled",
    }
    api[("GET", "/api/roster/rosters/r-1/assignments")] = {"total": 1, "items": [duty]}
    api[("GET", "/api/roster/stations/s-1")] = {
        "id": "s-1",
        "name": "伊宁县公共法律服务中心",
        "level": "county",
        "region_code": "654021",
    }
    api[("GET", "/api/roster/lawyers")] = {
        "total": 3,
        "items": [
            {"id": "lw-1", "name": "阿依古丽", "region_code": "654021", "status": "practising"},
            {"id": "lw-2", "name": "努尔兰", "region_code": "654021", "status": "practising"},
            {"id": "lw-3", "name": "别处的律师", "region_code": "654023", "status": "practising"},
        ],
    }
    api[("POST", "/api/roster/assignments/a-1/reassign")] = lambda body, _query: {
        **duty,
        **body,
        "notices": [],
    }
    page = console.client.get("/scheduler/rosters/r-1/duties/a-1?station=s-1&date=2026-10-08")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026年10月8日 周四" in html
    assert 'value="lw-2"' in html
    assert 'value="lw-3"' not in html
    assert 'option value="lw-1"' not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    done = console.client.post(
        "/scheduler/rosters/r-1/duties/a-1/reassign",
        data={"csrf_token": token.group(1), "lawyer_id": "lw-2", "next": "/scheduler/rosters/r-1"},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/scheduler/rosters/r-1")
    assert [c.body for c in console.api.made("POST", "/api/roster/assignments/a-1/reassign")] == [
        {"lawyer_id": "lw-2"}
    ]
    refused = ApiError(409, "Conflict", "rule 2: 努尔兰 already has a duty on 2026-10-08")
    api[("POST", "/api/roster/assignments/a-1/reassign")] = refused
    console.client.post(
        "/scheduler/rosters/r-1/duties/a-1/reassign", data={"csrf_token": token.group(1), "lawyer_id": "lw-2"}
    )
    shown = console.client.get("/scheduler/rosters/r-1/duties/a-1").get_data(as_text=True)
    assert "rule 2: 努尔兰 already has a duty on 2026-10-08" in shown


def test_a_lawyer_checks_in_only_on_the_day_and_sees_the_money_of_their_claims(console: ConsoleKit) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    console.log_in("lawyer")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    duty = {
        "roster_id": "r-1",
        "station_id": "s-1",
        "start_time": "09:30",
        "end_time": "13:30",
        "lawyer_id": "lw-1",
        "role": "lawyer",
        "status": "scheduled",
        "station_name": "伊宁县公共法律服务中心",
        "station_address": None,
        "station_level": "county",
        "checked_in_at": None,
        "checked_out_at": None,
    }
    api = console.api.answers
    api[("GET", "/api/roster/me/duties")] = {
        "total": 2,
        "items": [
            {**duty, "id": "d-today", "date": today.isoformat()},
            {**duty, "id": "d-later", "date": (today + timedelta(days=3)).isoformat()},
        ],
    }
    api[("GET", "/api/roster/swaps")] = {"total": 0, "items": []}
    claims = [
        {
            "id": f"c-{n}",
            "kind": "station_duty",
            "service_date": today.isoformat(),
            "amount": amount,
            "status": status,
        }
        for n, (amount, status) in enumerate(
            [("100.10", "pending"), ("0.20", "pending"), ("1000.00", "paid")]
        )
    ]

    def claims_of(_body: object, query: dict) -> dict:
        chosen = [c for c in claims if query.get("status") in (None, c["status"])]
        return {"total": len(chosen), "items": chosen}

    api[("GET", "/api/subsidy/claims")] = claims_of
    html = console.client.get("/me").get_data(as_text=True)
    assert html.count('action="/me/duties/d-today/check-in"') == 1
    assert "/me/duties/d-later/check-in" not in html
    assert '<strong class="money">¥100.30</strong>' in html
    assert '<strong class="money">¥1,000.00</strong>' in html


def test_the_administrator_reads_rosters_but_is_offered_no_change_the_api_would_refuse(
    console: ConsoleKit,
) -> None:
    from .conftest import USERS

    USERS["admin"] = {"id": "u-adm", "username": "admin", "role": "admin", "lawyer_id": None}
    try:
        console.log_in("admin")
    finally:
        del USERS["admin"]
    console.api.answers[("GET", "/api/roster/rosters")] = {"total": 0, "items": []}
    html = console.client.get("/scheduler/rosters").get_data(as_text=True)
    assert console.client.get("/scheduler/rosters").status_code == 200
    assert "新建排班表" not in html


def test_the_scheduler_approves_only_swaps_the_other_lawyer_accepted(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    swap = {
        "from_lawyer_id": "lw-1",
        "to_lawyer_id": "lw-2",
        "reason": None,
        "created_at": "2026-11-30T02:00:00Z",
        "assignment_id": "a-1",
        "accepted_at": None,
        "decided_at": None,
    }
    api = console.api.answers
    api[("GET", "/api/roster/swaps")] = {
        "total": 2,
        "items": [
            {**swap, "id": "sw-asked", "status": "requested"},
            {**swap, "id": "sw-agreed", "status": "accepted"},
        ],
    }
    api[("GET", "/api/roster/leaves")] = {
        "total": 1,
        "items": [
            {
                "id": "lv-1",
                "lawyer_id": "lw-1",
                "start_date": "2099-01-01",
                "end_date": "2099-01-03",
                "reason": "病假",
                "cancelled": False,
            }
        ],
    }
    api[("GET", "/api/roster/lawyers")] = {
        "total": 2,
        "items": [{"id": "lw-1", "name": "阿依古丽"}, {"id": "lw-2", "name": "努尔兰"}],
    }
    html = console.client.get("/scheduler/waiting").get_data(as_text=True)
    assert 'action="/scheduler/swaps/sw-agreed/approve"' in html
    assert 'action="/scheduler/swaps/sw-asked/approve"' not in html
    assert "等待对方律师同意" in html
    assert "病假" in html
    assert "2099年1月1日" in html
    assert console.api.made("GET", "/api/roster/swaps")[0].params == {"status": "pending", "limit": 200}


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_logging_in_never_sends_the_browser_to_another_site(console: ConsoleKit, target: str) -> None:
    console.api.answers[("POST", "/api/auth/token")] = {"access_token": "t", "expires_in": 3600}
    console.api.answers[("GET", "/api/me")] = {"user": USERS["finance"]}
    response = console.client.post(
        "/login", data={"username": "fin", "password": "pw", "next": target, "csrf_token": console.csrf()}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/finance/claims"


def test_logging_in_returns_to_the_page_that_asked_for_it(console: ConsoleKit) -> None:
    asked = console.client.get("/finance/budgets?year=2026")
    assert asked.status_code == 302
    login_page = console.client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/finance/budgets?year=2026"' in login_page
    console.api.answers[("POST", "/api/auth/token")] = {"access_token": "t", "expires_in": 3600}
    console.api.answers[("GET", "/api/me")] = {"user": USERS["finance"]}
    response = console.client.post(
        "/login",
        data={
            "username": "fin",
            "password": "pw",
            "csrf_token": console.csrf(),
            "next": "/finance/budgets?year=2026",
        },
    )
    assert response.headers["Location"] == "/finance/budgets?year=2026"


def test_an_api_that_cannot_be_reached_shows_a_page_that_says_try_again(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/claims")] = ApiError(
        503, "Service unavailable", "the subsidy service is unavailable; try again shortly", {}, "5"
    )
    response = console.client.get("/finance/claims")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "系统繁忙或暂不可用" in response.get_data(as_text=True)


def test_the_scheduler_enters_a_years_holiday_arrangement(console: ConsoleKit) -> None:
    console.log_in("scheduler")
    console.api.answers[("GET", "/api/roster/calendar/2027")] = {
        "year": 2027,
        "source": "fallback",
        "holidays": [],
        "workdays": [],
        "warnings": ["calendar_unofficial:2027"],
    }
    page = console.client.get("/scheduler/calendar/2027").get_data(as_text=True)
    assert "无官方数据" in page
    assert "2027 年尚无官方节假日安排" in page
    console.api.answers[("PUT", "/api/roster/calendar/2027")] = lambda body, _q: {"year": 2027, **body}
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    done = console.client.post(
        "/scheduler/calendar/2027",
        data={
            "csrf_token": token.group(1),
            "holidays": "2027-01-01\r\n2027-02-06, 2027-02-07",
            "workdays": "2027-02-14",
        },
    )
    assert done.status_code == 302
    assert [c.body for c in console.api.made("PUT", "/api/roster/calendar/2027")] == [
        {"holidays": ["2027-01-01", "2027-02-06", "2027-02-07"], "workdays": ["2027-02-14"]}
    ]


def test_finance_sees_each_scheme_with_its_policy_document(console: ConsoleKit) -> None:
    console.log_in("finance")
    console.api.answers[("GET", "/api/subsidy/schemes")] = {
        "total": 1,
        "items": [
            {
                "id": "sc-1",
                "kind": "mediation_case",
                "name": "伊犁州人民调解个案补贴标准",
                "region_code": "654000",
                "effective_from": "2025-01-01",
                "effective_to": None,
                "document_no": "伊州司发〔2025〕15号",
                "max_amount": "2000.00",
                "claims": 3,
                "rates": [],
                "adjustments": [],
            }
        ],
    }
    html = console.client.get("/finance/schemes").get_data(as_text=True)
    assert "伊州司发〔2025〕15号" in html
    assert "¥2,000.00" in html
    assert "2025年1月1日 周三" in html
    assert "至新标准施行" in html
