"""The scheduler's screens for repairing and costing a roster and for importing master data, on a fake API:
replan (preview, then apply), a duty's ranked substitutes (reassigned in two clicks from the grid), a draft
roster's cost beside the budgets, and spreadsheet imports of lawyers and stations. Each with CSRF on its forms."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.console.gatewayapi import ApiError, Upload
from services.console.views import scheduler

from .conftest import ConsoleKit

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STATIONS = {
    "total": 3,
    "items": [
        {"id": "s-1", "name": "伊宁县公共法律服务中心", "level": "county", "region_code": "654021"},
        {"id": "s-2", "name": "萨木于孜镇工作站", "level": "township", "region_code": "654021"},
        {"id": "s-3", "name": "霍城县公共法律服务中心", "level": "county", "region_code": "654023"},
    ],
}
LAWYERS = {
    "total": 3,
    "items": [
        {"id": "lw-1", "name": "阿依古丽", "region_code": "654021", "status": "practising"},
        {"id": "lw-2", "name": "努尔兰", "region_code": "654021", "status": "practising"},
        {"id": "lw-3", "name": "李明", "region_code": "654021", "status": "practising"},
    ],
}


def roster(status: str) -> dict[str, Any]:
    return {
        "id": "r-1",
        "region_code": "654000",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "status": status,
        "warnings": [],
        "stats": {"slots": 2, "filled": 2, "unfilled": []},
    }


def duty(n: int, station: str, day: str, lawyer: str) -> dict[str, Any]:
    return {
        "id": f"a-{n}",
        "roster_id": "r-1",
        "station_id": station,
        "date": day,
        "start_time": "09:00",
        "end_time": "17:00",
        "lawyer_id": lawyer,
        "role": "lawyer",
        "status": "scheduled",
    }


@pytest.fixture
def scheduler_kit(console: ConsoleKit) -> ConsoleKit:
    console.log_in("scheduler")
    api = console.api.answers
    api[("GET", "/api/roster/stations")] = STATIONS
    api[("GET", "/api/roster/lawyers")] = LAWYERS
    api[("GET", "/api/roster/calendar/2026")] = {"year": 2026, "holidays": ["2026-10-01"], "workdays": []}
    api[("GET", "/api/roster/rosters/r-1/assignments")] = {
        "total": 2,
        "items": [duty(1, "s-1", "2026-10-01", "lw-1"), duty(2, "s-3", "2026-10-08", "lw-2")],
    }
    return console


# ------------------------------------------------------------------------------------------------ replan

PREVIEW = {
    "changes": [
        {
            "assignment_id": "a-1",
            "date": "2026-10-20",
            "station_id": "s-1",
            "start_time": "09:00",
            "from_lawyer_id": "lw-1",
            "to_lawyer_id": "lw-2",
        },
        {
            "assignment_id": None,
            "date": "2026-10-21",
            "station_id": "s-2",
            "start_time": "10:00",
            "from_lawyer_id": None,
            "to_lawyer_id": "lw-3",
        },
    ],
    "unfilled": [
        {"station_id": "s-1", "date": "2026-10-22", "start_time": "09:00", "reason": "没有会说维吾尔语的律师"}
    ],
}


def applied(preview: dict[str, Any]) -> dict[str, Any]:
    """The real replan's answer to the same changes: the new duty now has an id."""
    return {
        "changes": [{**c, "assignment_id": c["assignment_id"] or "a-new"} for c in preview["changes"]],
        "unfilled": preview["unfilled"],
    }


def test_a_published_roster_links_to_replan_and_the_form_proposes_tomorrow(scheduler_kit: ConsoleKit) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = {**roster("published"), "period_end": "2099-12-31"}
    page = scheduler_kit.client.get("/scheduler/rosters/r-1").get_data(as_text=True)
    assert 'href="/scheduler/rosters/r-1/replan"' in page
    assert "重新排班" in page
    form = scheduler_kit.client.get("/scheduler/rosters/r-1/replan").get_data(as_text=True)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert f'name="from_date" value="{tomorrow}"' in form
    assert scheduler_kit.api.made("POST", "/api/roster/rosters/r-1/replan") == [], "a form, not a preview"
    api[("GET", "/api/roster/rosters/r-1")] = roster("generated")
    assert 'href="/scheduler/rosters/r-1/replan"' not in scheduler_kit.client.get(
        "/scheduler/rosters/r-1"
    ).get_data(as_text=True)


def test_the_preview_shows_names_and_open_slots_in_red_and_apply_makes_the_same_changes(
    scheduler_kit: ConsoleKit,
) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("published")
    answers = {True: PREVIEW, False: applied(PREVIEW)}
    api[("POST", "/api/roster/rosters/r-1/replan")] = lambda body, _q: answers[body.get("dry_run", False)]
    page = scheduler_kit.client.get("/scheduler/rosters/r-1/replan?from_date=2026-10-20&reason=请假")
    html = page.get_data(as_text=True)
    assert scheduler_kit.api.made("POST", "/api/roster/rosters/r-1/replan")[0].body == {
        "from_date": "2026-10-20",
        "reason": "请假",
        "dry_run": True,
    }
    assert "预览：尚未作任何变动" in html
    row = re.search(r"<tr>\s*<td>2026年10月20日[^<]*</td>(.*?)</tr>", html, re.S)
    assert row, html
    assert "伊宁县公共法律服务中心" in row.group(1)
    assert "09:00" in row.group(1)
    assert re.search(r"阿依古丽.*→ 努尔兰", row.group(1), re.S)
    assert "（新增班次）" in html
    assert "李明" in html
    assert re.search(r'<tr class="bad"><td>2026年10月22日[^<]*</td><td>伊宁县公共法律服务中心</td>', html)
    assert "没有会说维吾尔语的律师" in html
    assert "lw-1" not in html, "names, not ids"
    assert "s-1<" not in html, "names, not ids"
    form = re.search(r'<form method="post" action="/scheduler/rosters/r-1/replan".*?</form>', html, re.S)
    assert form, "an Apply button"
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    assert fields["from_date"] == "2026-10-20"
    assert fields["reason"] == "请假"

    done = scheduler_kit.client.post("/scheduler/rosters/r-1/replan", data=fields)

    assert done.status_code == 200
    assert scheduler_kit.api.made("POST", "/api/roster/rosters/r-1/replan")[-1].body == {
        "from_date": "2026-10-20",
        "reason": "请假",
    }
    shown = done.get_data(as_text=True)
    assert "变动与预览一致" in shown
    assert "与预览不同" not in shown
    assert re.search(r"阿依古丽.*→ 努尔兰", shown, re.S)


def test_applied_changes_that_differ_from_the_preview_say_so(scheduler_kit: ConsoleKit) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("published")
    other = {"changes": [{**PREVIEW["changes"][0], "to_lawyer_id": "lw-3"}], "unfilled": []}
    answers = {True: PREVIEW, False: other}
    api[("POST", "/api/roster/rosters/r-1/replan")] = lambda body, _q: answers[body.get("dry_run", False)]
    html = scheduler_kit.client.get("/scheduler/rosters/r-1/replan?from_date=2026-10-20").get_data(
        as_text=True
    )
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', html.split('method="post"')[-1]))
    shown = scheduler_kit.client.post("/scheduler/rosters/r-1/replan", data=fields).get_data(as_text=True)
    assert "以下变动与预览不同" in shown
    assert re.search(r"阿依古丽.*→ 李明", shown, re.S)


def test_a_refused_preview_shows_why_and_offers_no_apply(scheduler_kit: ConsoleKit) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("published")
    api[("POST", "/api/roster/rosters/r-1/replan")] = ApiError(
        422, "Unprocessable Entity", "from_date 2026-11-02 is outside the roster", {"from_date": ["outside"]}
    )
    html = scheduler_kit.client.get("/scheduler/rosters/r-1/replan?from_date=2026-11-02").get_data(
        as_text=True
    )
    assert "2026年11月2日 周一 不在排班期内" in html  # the API's refusal, in the user's words
    assert 'method="post" action="/scheduler/rosters/r-1/replan"' not in html


def test_a_refused_apply_goes_back_to_the_form_with_the_dates_and_says_why(scheduler_kit: ConsoleKit) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("published")
    api[("POST", "/api/roster/rosters/r-1/replan")] = ApiError(
        409, "Conflict", "rule 2 (one duty a day): 努尔兰 already has a duty on 2026-10-20"
    )
    token = TOKEN.search(scheduler_kit.client.get("/scheduler/rosters/r-1/replan").get_data(as_text=True))
    assert token
    done = scheduler_kit.client.post(
        "/scheduler/rosters/r-1/replan",
        data={"csrf_token": token.group(1), "from_date": "2026-10-20", "reason": "请假", "digest": "x"},
    )
    assert done.status_code == 302
    assert "from_date=2026-10-20" in done.headers["Location"]
    html = scheduler_kit.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "努尔兰 already has a duty on 2026-10-20" in html
    assert 'name="reason" value="请假"' in html


def test_applying_a_replan_without_the_pages_token_is_refused_and_reaches_no_api(
    scheduler_kit: ConsoleKit,
) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("published")
    api[("POST", "/api/roster/rosters/r-1/replan")] = lambda body, _q: applied(PREVIEW)
    refused = scheduler_kit.client.post("/scheduler/rosters/r-1/replan", data={"from_date": "2026-10-20"})
    assert refused.status_code == 403
    assert scheduler_kit.api.made("POST", "/api/roster/rosters/r-1/replan") == []


def test_replan_digest_matches_a_preview_and_its_real_run_and_nothing_else() -> None:
    assert scheduler.replan_digest(PREVIEW) == scheduler.replan_digest(applied(PREVIEW))
    moved = {**PREVIEW, "changes": list(reversed(PREVIEW["changes"]))}
    assert scheduler.replan_digest(moved) == scheduler.replan_digest(PREVIEW)
    other = {**PREVIEW, "unfilled": []}
    assert scheduler.replan_digest(other) != scheduler.replan_digest(PREVIEW)


# ------------------------------------------------------------------------------------------------ substitutes


def substitute_kit(kit: ConsoleKit) -> ConsoleKit:
    api = kit.api.answers
    api[("GET", "/api/roster/stations/s-1")] = STATIONS["items"][0]
    api[("GET", "/api/roster/assignments/a-1/substitutes")] = {
        "total": 2,
        "items": [
            {"lawyer_id": "lw-3", "name": "李明", "duties_this_month": 1, "burden": 1.0},
            {"lawyer_id": "lw-2", "name": "努尔兰", "duties_this_month": 2, "burden": 4.5},
        ],
    }
    api[("POST", "/api/roster/assignments/a-1/reassign")] = lambda body, _q: {
        **duty(1, "s-1", "2026-10-01", body["lawyer_id"]),
        "notices": [],
    }
    return kit


def test_a_duty_shows_its_substitutes_best_first_and_assign_reassigns_and_goes_back_to_the_grid(
    scheduler_kit: ConsoleKit,
) -> None:
    kit = substitute_kit(scheduler_kit)
    back = "/scheduler/rosters/r-1?region=654021"
    page = kit.client.get(f"/scheduler/rosters/r-1/duties/a-1?station=s-1&date=2026-10-01&next={back}")
    html = page.get_data(as_text=True)
    table = re.search(r'<table class="list substitutes">.*?</table>', html, re.S)
    assert table, html
    rows = re.findall(
        r"<td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">([\d.]+)</td>", table.group(0)
    )
    assert rows == [("李明", "1", "1.0"), ("努尔兰", "2", "4.5")]
    forms = re.findall(r"<form method=\"post\".*?</form>", table.group(0), re.S)
    assert len(forms) == 2
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', forms[0]))
    assert fields["lawyer_id"] == "lw-3"
    assert fields["next"] == back
    assert "改派" in forms[0]
    assert "其他律师" in html, "the select stays as the fallback for anyone"

    done = kit.client.post("/scheduler/rosters/r-1/duties/a-1/reassign", data=fields)

    assert done.status_code == 302
    assert done.headers["Location"].endswith(back)
    assert [c.body for c in kit.api.made("POST", "/api/roster/assignments/a-1/reassign")] == [
        {"lawyer_id": "lw-3"}
    ]


def test_a_duty_nobody_can_take_any_more_says_why_and_assign_needs_the_pages_token(
    scheduler_kit: ConsoleKit,
) -> None:
    kit = substitute_kit(scheduler_kit)
    kit.api.answers[("GET", "/api/roster/assignments/a-1/substitutes")] = ApiError(
        409, "Conflict", "the duty on 2026-10-01 is past; nobody can take it now"
    )
    html = kit.client.get("/scheduler/rosters/r-1/duties/a-1").get_data(as_text=True)
    assert "此班次现在无法改派" in html
    assert "2026年10月1日 周四 的班次已过，无法再由他人接替" in html
    refused = kit.client.post("/scheduler/rosters/r-1/duties/a-1/reassign", data={"lawyer_id": "lw-3"})
    assert refused.status_code == 403
    assert kit.api.made("POST", "/api/roster/assignments/a-1/reassign") == []


# ------------------------------------------------------------------------------------------------ cost


def estimate_answer(body: dict[str, Any], _query: Any) -> dict[str, Any]:
    """Every duty costs 100.10; region 654021's budget has 150.00 left, 654023 has no budget."""
    by_region: dict[str, dict[str, Any]] = {}
    for d in body["duties"]:
        item = by_region.setdefault(
            d["region_code"],
            {
                "region_code": d["region_code"],
                "year": 2026,
                "total": Decimal("0"),
                "duties": 0,
                "unpriced": 0,
                "budget_remaining": "150.00" if d["region_code"] == "654021" else None,
            },
        )
        item["total"] += Decimal("100.10")
        item["duties"] += 1
    items = [{**i, "total": str(i["total"])} for i in by_region.values()]
    return {"total": str(sum(Decimal(i["total"]) for i in items)), "by_region": items}


def test_a_generated_roster_links_its_cost_which_warns_where_it_exceeds_the_budget(
    scheduler_kit: ConsoleKit,
) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("generated")
    api[("GET", "/api/roster/rosters/r-1/assignments")] = {
        "total": 3,
        "items": [
            duty(1, "s-1", "2026-10-01", "lw-1"),
            duty(2, "s-2", "2026-10-08", "lw-2"),
            duty(3, "s-3", "2026-10-08", "lw-3"),
        ],
    }
    api[("POST", "/api/subsidy/estimates")] = estimate_answer
    grid = scheduler_kit.client.get("/scheduler/rosters/r-1").get_data(as_text=True)
    assert 'href="/scheduler/rosters/r-1/cost"' in grid
    assert scheduler_kit.api.made("POST", "/api/subsidy/estimates") == [], "the grid does not wait for it"

    html = scheduler_kit.client.get("/scheduler/rosters/r-1/cost").get_data(as_text=True)

    [sent] = scheduler_kit.api.made("POST", "/api/subsidy/estimates")
    assert sent.body["duties"][:2] == [
        {
            "region_code": "654021",
            "station_level": "county",
            "date": "2026-10-01",
            "start_time": "09:00",
            "end_time": "17:00",
            "holiday": True,
        },
        {
            "region_code": "654021",
            "station_level": "township",
            "date": "2026-10-08",
            "start_time": "09:00",
            "end_time": "17:00",
            "holiday": False,
        },
    ]
    assert "¥300.30" in html
    assert "超出预算：654021 2026 年度预计花费 ¥200.20，但预算仅剩 ¥150.00。" in html
    assert "654023" in html
    assert "没有覆盖此地区的预算" in html
    assert "超出预算：654023" not in html


def test_the_cost_of_more_duties_than_one_estimate_takes_is_asked_in_chunks_and_summed(
    scheduler_kit: ConsoleKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "ESTIMATE_CAP", 2)
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("generated")
    api[("GET", "/api/roster/rosters/r-1/assignments")] = {
        "total": 5,
        "items": [duty(n, "s-1", f"2026-10-{n + 1:02d}", "lw-1") for n in range(5)],
    }
    api[("POST", "/api/subsidy/estimates")] = estimate_answer
    html = scheduler_kit.client.get("/scheduler/rosters/r-1/cost").get_data(as_text=True)
    sizes = [len(c.body["duties"]) for c in scheduler_kit.api.made("POST", "/api/subsidy/estimates")]
    assert sizes == [2, 2, 1]
    assert "¥500.50" in html
    assert "超出预算：654021 2026 年度预计花费 ¥500.50" in html


def test_a_refused_estimate_shows_why(scheduler_kit: ConsoleKit) -> None:
    api = scheduler_kit.api.answers
    api[("GET", "/api/roster/rosters/r-1")] = roster("generated")
    api[("POST", "/api/subsidy/estimates")] = ApiError(
        403, "Forbidden", "only schedulers and finance estimate"
    )
    page = scheduler_kit.client.get("/scheduler/rosters/r-1/cost")
    assert page.status_code == 200
    assert "only schedulers and finance estimate" in page.get_data(as_text=True)


# ------------------------------------------------------------------------------------------------ imports


def import_form(kit: ConsoleKit, page: str) -> dict[str, str]:
    html = kit.client.get(page).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    token = TOKEN.search(html)
    assert token
    return {"csrf_token": token.group(1)}


@pytest.mark.parametrize("kind", ["lawyers", "stations"])
def test_an_imported_file_reaches_the_api_and_its_counts_are_shown(
    scheduler_kit: ConsoleKit, kind: str
) -> None:
    api = scheduler_kit.api.answers
    api[("POST", f"/api/roster/imports/{kind}")] = {
        "created": 3,
        "ids": ["x", "y", "z"],
        "updated": 1,
        "updated_ids": ["w"],
        "unchanged": 2,
        "ignored_columns": ["备用"],
    }
    data = import_form(scheduler_kit, f"/scheduler/{kind}")
    content = "姓名,执业证号\n阿依古丽,16540201000000001\n".encode("gbk")
    done = scheduler_kit.client.post(
        f"/scheduler/{kind}/import",
        data={**data, "mode": "upsert", "file": (io.BytesIO(content), "名单.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    [sent] = scheduler_kit.api.made("POST", f"/api/roster/imports/{kind}")
    assert sent.body == Upload("名单.csv", content, "text/csv")
    assert sent.params == {"mode": "upsert"}
    assert sent.token == "token-scheduler"
    html = scheduler_kit.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已导入：新增 3 条，更新 1 条，未变 2 条。" in html
    assert "未读取的列：备用" in html


def test_a_refused_import_lists_every_bad_row_with_its_column_and_reason(scheduler_kit: ConsoleKit) -> None:
    api = scheduler_kit.api.answers
    api[("POST", "/api/roster/imports/lawyers")] = ApiError(
        422,
        "Unprocessable Entity",
        "2 of 5 rows have errors, so nothing was imported; …",
        {
            "row 3.license_no": ["must be the 17-digit licence number"],
            "row 3.languages": ["unknown language: xx"],
            "row 7": ["the same licence number as row 3"],
        },
    )
    data = import_form(scheduler_kit, "/scheduler/lawyers")
    page = scheduler_kit.client.post(
        "/scheduler/lawyers/import",
        data={**data, "file": (io.BytesIO(b"x"), "lawyers.xlsx", "application/octet-stream")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    table = re.search(r'<table class="list import-errors">.*?</table>', html, re.S)
    assert table, html
    rows = re.findall(
        r'<tr class="bad"><td class="num">(\d*)</td><td>([^<]*)</td><td>([^<]*)</td>', table.group(0)
    )
    assert rows == [
        ("3", "执业证号", "must be the 17-digit licence number"),
        ("3", "语言", "unknown language: xx"),
        ("7", "整行", "与第 3 行的执业证号相同"),  # the API's reasons in words where a pattern knows them
    ]
    assert "5 行中有 2 行有错误，未导入任何数据。" in html
    assert scheduler_kit.api.made("POST", "/api/roster/imports/lawyers")[0].params == {"mode": "create"}


def test_an_import_without_the_pages_token_or_a_file_reaches_no_api(scheduler_kit: ConsoleKit) -> None:
    scheduler_kit.api.answers[("POST", "/api/roster/imports/stations")] = {"created": 1, "updated": 0}
    refused = scheduler_kit.client.post(
        "/scheduler/stations/import",
        data={"file": (io.BytesIO(b"a,b\n"), "s.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    data = import_form(scheduler_kit, "/scheduler/stations")
    empty = scheduler_kit.client.post(
        "/scheduler/stations/import", data=data, content_type="multipart/form-data"
    )
    assert empty.status_code == 302
    assert scheduler_kit.api.made("POST", "/api/roster/imports/stations") == []
    assert "请选择要导入的文件" in scheduler_kit.client.get("/scheduler/stations").get_data(as_text=True)


def test_an_import_may_send_the_apis_5_mb_while_other_forms_keep_the_small_limit(
    scheduler_kit: ConsoleKit,
) -> None:
    scheduler_kit.api.answers[("POST", "/api/roster/imports/lawyers")] = {"created": 1, "updated": 0}
    data = import_form(scheduler_kit, "/scheduler/lawyers")
    big = b"x" * (4 * 1024 * 1024)
    done = scheduler_kit.client.post(
        "/scheduler/lawyers/import",
        data={**data, "file": (io.BytesIO(big), "big.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    assert scheduler_kit.api.made("POST", "/api/roster/imports/lawyers")[0].body.content == big
    too_big = scheduler_kit.client.post(
        "/scheduler/lawyers/import",
        data={**data, "file": (io.BytesIO(b"x" * (6 * 1024 * 1024)), "big.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 413
    elsewhere = scheduler_kit.client.post(
        "/scheduler/rosters", data={**data, "region_code": "x" * (2 * 1024 * 1024)}
    )
    assert elsewhere.status_code == 413


def test_other_roles_get_none_of_these_screens(console: ConsoleKit) -> None:
    console.log_in("finance")
    for path in ("/scheduler/rosters/r-1/replan", "/scheduler/rosters/r-1/cost"):
        assert console.client.get(path).status_code == 403, path
    assert console.api.made("GET", "/api/roster/rosters/r-1") == []
    assert console.api.made("POST", "/api/subsidy/estimates") == []
