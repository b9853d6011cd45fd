"""A lawyer's messages on their phone page, on a fake API: each kind of notification told in Chinese from its
data (the API's English message only for a kind the console does not know), newest first, the latest ten
with a count of older unread ones, marked read one by one or all at once (with the page's CSRF token)."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.gatewayapi import ApiError

from .conftest import ConsoleKit
from .test_calendar_link_fairness_and_payments import a_lawyers_page, token_of

DUTY = {
    "assignment_id": "a-1",
    "station_id": "s-1",
    "date": "2026-12-03",
    "start_time": "09:00:00",
    "end_time": "13:00",
}
SWAP = {**DUTY, "swap_id": "sw-1", "from_lawyer_id": "lw-2", "to_lawyer_id": "lw-1"}
CLAIM = {
    "claim_id": "c-1",
    "kind": "mediation_case",
    "lawyer_id": "lw-1",
    "amount": "1051.10",
    "service_date": "2026-11-20",
}
WHEN = "2026年12月3日 周四 09:00–13:00"
CLAIMED = "您 2026年11月20日 周五 的人民调解个案补贴申请（¥1,051.10）"

KINDS: list[tuple[str, dict[str, Any], str]] = [
    (
        "roster_published",
        {
            "roster_id": "r-1",
            "region_code": "654021",
            "period_start": "2026-12-01",
            "period_end": "2026-12-31",
            "duties": 4,
        },
        "2026年12月1日 周二 至 2026年12月31日 周四 的排班表已发布：您有 4 次值班。",
    ),
    (
        "roster_published",
        {
            "roster_id": "r-0",
            "region_code": "654021",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
        },
        "2026年11月1日 周日 至 2026年11月30日 周一 的排班表已发布。",
    ),
    (
        "duty_assigned",
        {**DUTY, "lawyer_id": "lw-1", "previous_lawyer_id": "lw-2"},
        f"{WHEN} 的值班现由您承担。",
    ),
    (
        "duty_released",
        {**DUTY, "lawyer_id": "lw-2", "previous_lawyer_id": "lw-1"},
        f"您 {WHEN} 的值班已改由其他律师承担。",
    ),
    (
        "duty_cancelled",
        {**DUTY, "lawyer_id": None, "previous_lawyer_id": "lw-1"},
        f"您 {WHEN} 的值班已从排班表取消：无其他律师可以接替。",
    ),
    ("swap_requested", {**SWAP, "status": "requested"}, f"有同事请您代其 {WHEN} 的值班。"),
    ("swap_accepted", {**SWAP, "status": "accepted"}, f"同事已同意代您 {WHEN} 的值班，待排班员批准。"),
    ("swap_declined", {**SWAP, "status": "declined"}, f"您转交 {WHEN} 值班的请求被拒绝。"),
    ("swap_cancelled", {**SWAP, "status": "cancelled"}, f"同事撤回了请您代 {WHEN} 值班的请求。"),
    ("claim_created", {**CLAIM, "status": "created"}, f"{CLAIMED}已生成，等待审核。"),
    ("claim_approved", {**CLAIM, "status": "approved"}, f"{CLAIMED}已批准。"),
    ("claim_rejected", {**CLAIM, "status": "rejected"}, f"{CLAIMED}被驳回。"),
    ("claim_paid", {**CLAIM, "status": "paid"}, f"{CLAIMED}已发放。"),
]


def notice(number: int, kind: str, data: dict[str, Any], *, read: bool = False) -> dict[str, Any]:
    return {
        "id": number,
        "kind": kind,
        "message": f"English words of notice {number} ({kind})",
        "data": data,
        "created_at": "2026-12-01T02:00:00Z",
        "read": read,
    }


def with_notices(console: ConsoleKit, items: list[dict[str, Any]], *, unread: int | None = None) -> None:
    a_lawyers_page(console)
    console.api.answers[("GET", "/api/me/notifications")] = {
        "total": len(items),
        "unread": sum(1 for n in items if not n["read"]) if unread is None else unread,
        "items": items,
    }


@pytest.mark.parametrize(("kind", "data", "words"), KINDS, ids=[k for k, _d, _w in KINDS])
def test_each_kind_of_notice_is_told_in_chinese_from_its_data(
    console: ConsoleKit, kind: str, data: dict[str, Any], words: str
) -> None:
    console.log_in("lawyer")
    with_notices(console, [notice(1, kind, data)])
    html = console.client.get("/me").get_data(as_text=True)
    assert '<h2 id="notices">消息' in html
    assert words in html
    assert "English words of notice" not in html
    assert "2026年12月1日 周二 10:00" in html  # when it was kept, in Beijing time
    assert "1 条未读" in html


def test_a_notice_is_told_in_english_when_the_page_is(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    with_notices(console, [notice(1, "claim_paid", {**CLAIM, "status": "paid"})])
    html = console.client.get("/me?lang=en").get_data(as_text=True)
    assert "Your mediation case claim of Fri 20 Nov 2026 (¥1,051.10) is paid." in html


def test_an_unknown_kind_or_unreadable_data_keeps_the_apis_message(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    with_notices(
        console,
        [notice(2, "office_moved", {"to": "somewhere"}), notice(1, "duty_assigned", {"date": "2026-12-03"})],
    )
    html = console.client.get("/me").get_data(as_text=True)
    assert "English words of notice 2 (office_moved)" in html
    assert "English words of notice 1 (duty_assigned)" in html  # no start or end time: nothing to tell it by


def test_the_latest_ten_are_shown_newest_first_with_the_older_unread_counted(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    items = [
        notice(n, "duty_assigned", {**DUTY, "date": f"2026-12-{n:02d}"}, read=n < 18)
        for n in range(20, 10, -1)
    ]
    with_notices(console, items, unread=7)
    html = console.client.get("/me").get_data(as_text=True)
    assert console.api.made("GET", "/api/me/notifications")[0].params == {"limit": 10}
    shown = [html.index(f"2026年12月{n}日") for n in range(20, 10, -1)]
    assert shown == sorted(shown), "newest first, as the API gives them"
    assert html.count('<div class="notice">') == 3
    assert html.count('<div class="notice read">') == 7
    assert "7 条未读" in html
    assert "另有 4 条较早的未读消息未显示。" in html
    assert html.count('action="/me/notifications/') == 4  # three unread, and all of them


def test_all_read_the_section_offers_no_marking(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    with_notices(console, [notice(1, "duty_assigned", DUTY, read=True)])
    html = console.client.get("/me").get_data(as_text=True)
    assert "条未读" not in html
    assert "/me/notifications/" not in html
    with_notices(console, [])
    assert "暂无消息。" in console.client.get("/me").get_data(as_text=True)


def test_marking_all_read_needs_the_pages_token_and_goes_to_the_api(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    with_notices(
        console, [notice(2, "duty_assigned", DUTY), notice(1, "claim_paid", {**CLAIM, "status": "paid"})]
    )
    console.api.answers[("POST", "/api/me/notifications/read-all")] = {"marked": 2}
    html = console.client.get("/me").get_data(as_text=True)
    assert console.client.post("/me/notifications/read-all").status_code == 403
    assert console.client.post("/me/notifications/read-all", data={"csrf_token": "forged"}).status_code == 403
    assert console.api.made("POST", "/api/me/notifications/read-all") == []
    done = console.client.post(
        "/me/notifications/read-all", data={"csrf_token": token_of(html, "/me/notifications/read-all")}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/me#notices")
    [made] = console.api.made("POST", "/api/me/notifications/read-all")
    assert made.token == "token-lawyer"
    assert "所有通知已标为已读。" in console.client.get("/me").get_data(as_text=True)


def test_marking_one_read_needs_the_pages_token_and_shows_the_apis_refusal(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    with_notices(console, [notice(7, "duty_assigned", DUTY)])
    html = console.client.get("/me").get_data(as_text=True)
    assert console.client.post("/me/notifications/7/read").status_code == 403
    assert console.api.made("POST", "/api/me/notifications/7/read") == []
    console.api.answers[("POST", "/api/me/notifications/7/read")] = {
        **notice(7, "duty_assigned", DUTY),
        "read": True,
    }
    token = token_of(html, "/me/notifications/7/read")
    assert console.client.post("/me/notifications/7/read", data={"csrf_token": token}).status_code == 302
    assert len(console.api.made("POST", "/api/me/notifications/7/read")) == 1
    assert "已标为已读。" in console.client.get("/me").get_data(as_text=True)
    console.api.answers[("POST", "/api/me/notifications/8/read")] = ApiError(
        404, "Not Found", "notification 8 not found"
    )
    refused = console.client.post(
        "/me/notifications/8/read", data={"csrf_token": token}, follow_redirects=True
    )
    assert '<p class="msg error">未找到：notification 8 not found</p>' in refused.get_data(as_text=True)


def test_a_lawyer_is_shown_only_what_the_api_gives_them_with_their_own_token(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    with_notices(console, [notice(1, "duty_assigned", DUTY)])
    console.client.get("/me")
    [asked] = console.api.made("GET", "/api/me/notifications")
    assert asked.token == "token-lawyer"
    assert "lawyer_id" not in (asked.params or {})  # whose they are is the API's to decide, by the token


@pytest.mark.parametrize("role", ["finance", "scheduler"])
def test_other_roles_cannot_mark_a_lawyers_notices_here(console: ConsoleKit, role: str) -> None:
    console.log_in(role)
    token = console.csrf("/login")
    for path in ("/me/notifications/7/read", "/me/notifications/read-all"):
        assert console.client.post(path, data={"csrf_token": token}).status_code == 403
    assert console.api.made("POST", "/api/me/notifications/7/read") == []
    assert console.api.made("POST", "/api/me/notifications/read-all") == []


def test_the_page_still_shows_the_duties_when_the_notifications_do_not_come(console: ConsoleKit) -> None:
    console.log_in("lawyer")
    a_lawyers_page(console)
    console.api.answers[("GET", "/api/me/notifications")] = ApiError(500, "Internal Server Error", "boom")
    page = console.client.get("/me")
    assert page.status_code == 200
    assert "暂时无法显示您的消息。" in page.get_data(as_text=True)
    assert "我的日历订阅链接" in page.get_data(as_text=True)
